//! Tests for `parse.rs`.

use super::*;
use crate::{literal, to_json, to_json_sorted};

/// Parses `s` and re-encodes it compactly.
fn reencode(s: &str) -> String {
    let mut raw = s.as_bytes().to_vec();
    let res = match parse_json(&mut raw) {
        Ok(v) => to_json(&v),
        Err(e) => panic!("{s}: {e}"),
    };
    res
}

/// Parses a copy of `s`, returning the owned value.
fn parse_static(s: &str) -> Value<'static> {
    let mut raw = s.as_bytes().to_vec();
    let res = match parse_json(&mut raw) {
        Ok(v) => v.into_static(),
        Err(e) => panic!("{s}: {e}"),
    };
    res
}

/// Parses `s` expecting an error.
fn parse_err(s: &[u8]) -> Error {
    let mut raw = s.to_vec();
    let res = match parse_json(&mut raw) {
        Ok(v) => panic!("{s:?} parsed as {v}"),
        Err(e) => e,
    };
    res
}

#[test]
fn every_kind() {
    assert!(parse_static("null").is_null());
    assert_eq!(parse_static("true").as_bool(), Some(true));
    assert_eq!(parse_static("false").as_bool(), Some(false));
    assert!(matches!(
        parse_static("0"),
        Value::Static(StaticNode::I64(0))
    ));
    assert!(matches!(
        parse_static("42"),
        Value::Static(StaticNode::I64(42))
    ));
    assert!(matches!(
        parse_static("-42"),
        Value::Static(StaticNode::I64(-42))
    ));
    assert!(matches!(parse_static("2.5"), Value::Static(StaticNode::F64(f)) if f == 2.5));
    assert_eq!(parse_static(r#""str""#).as_str(), Some("str"));
    assert_eq!(parse_static("[]"), literal!([]));
    assert_eq!(parse_static("{}"), literal!({}));
    assert_eq!(
        parse_static(r#"{"a":[1,-2,3.5,"s",null,true,false,{"b":{}}]}"#),
        literal!({"a": [1, -2, 3.5, "s", null, true, false, {"b": {}}]})
    );
    assert_eq!(
        parse_static(" \t\r\n [ 1 , { \"k\" : 2 } ] "),
        literal!([1, {"k": 2}])
    );
}

#[test]
fn numbers() {
    assert!(matches!(
        parse_static("18446744073709551615"),
        Value::Static(StaticNode::U64(u64::MAX))
    ));
    assert!(matches!(
        parse_static("9223372036854775807"),
        Value::Static(StaticNode::I64(i64::MAX))
    ));
    assert!(matches!(
        parse_static("9223372036854775808"),
        Value::Static(StaticNode::U64(9_223_372_036_854_775_808))
    ));
    assert!(matches!(
        parse_static("-9223372036854775808"),
        Value::Static(StaticNode::I64(i64::MIN))
    ));
    assert_eq!(parse_static("-1").as_i64(), Some(-1));
    assert_eq!(parse_static("-0.5").as_f64(), Some(-0.5));
    assert_eq!(parse_static("1e3").as_f64(), Some(1000.0));
    assert!(parse_static("1e3").is_float());
    assert_eq!(parse_static("1.5E-3").as_f64(), Some(0.0015));
    assert_eq!(parse_static("0.1").as_f64(), Some(0.1));
    assert_eq!(
        parse_static("-1.7976931348623157e308").as_f64(),
        Some(f64::MIN)
    );
    assert_eq!(parse_static("[1.0]").to_string(), "[1.0]");
}

#[test]
fn strings_borrow_the_input() {
    let mut raw = br#"{"key":"plain value","esc":"a\"b\\c\nd\u00e9\ud83d\ude00"}"#.to_vec();
    let v = parse_json(&mut raw).expect("valid");
    let Value::Object(o) = &v else {
        panic!("not an object")
    };
    let (k, val) = o.iter().next().expect("has entries");
    assert!(k.is_borrowed());
    let Value::String(s) = val else {
        panic!("not a string")
    };
    assert!(s.is_borrowed());
    assert_eq!(s, "plain value");
    let Some(Value::String(esc)) = v.get("esc") else {
        panic!("not a string")
    };
    assert_eq!(esc, "a\"b\\c\nd\u{e9}\u{1f600}");
    // simd-json 0.19 unescapes in place inside the input buffer, so even escaped strings
    // borrow (from the rewritten input) instead of allocating
    assert!(esc.is_borrowed());
}

#[test]
fn escapes() {
    assert_eq!(
        parse_static(r#""\u0041\u00e9\u2713""#).as_str(),
        Some("Aé✓")
    );
    assert_eq!(parse_static(r#""\ud83d\ude00""#).as_str(), Some("😀"));
    assert_eq!(
        parse_static(r#""\"\\\/\b\f\n\r\t""#).as_str(),
        Some("\"\\/\u{8}\u{c}\n\r\t")
    );
    assert_eq!(parse_static(r#""\u0000""#).as_str(), Some("\0"));
    assert_eq!(
        parse_static(r#"{"k\n":1}"#).get("k\n"),
        Some(&Value::from(1))
    );
    assert_eq!(parse_static("\"raw é ✓\"").as_str(), Some("raw é ✓"));
    let long = format!("\"{}\\n{}\"", "x".repeat(100), "y".repeat(100));
    let expected = format!("{}\n{}", "x".repeat(100), "y".repeat(100));
    assert_eq!(parse_static(&long).as_str(), Some(expected.as_str()));
}

#[test]
fn trailing_whitespace() {
    assert_eq!(parse_static("{\"a\":1}\n"), literal!({"a": 1}));
    assert_eq!(parse_static("[1]\r\n"), literal!([1]));
    assert_eq!(parse_static("7 \n"), Value::from(7));
    assert_eq!(parse_static("\"s\"\n"), Value::from("s"));
}

#[test]
fn invalid_json() {
    for bad in [
        &b""[..],
        b"   ",
        b"\n",
        b"{",
        b"[1,]",
        b"[1 2]",
        b"{\"a\" 1}",
        b"{a:1}",
        b"tru",
        b"nul",
        b"01",
        b"1.",
        b"-",
        b"\"unterminated",
        b"\"bad \\x escape\"",
        b"\"\\ud800\"",
        b"[1] [2]",
        b"{} x",
        b"\"\xff\"",
        b"[\"\x01\"]",
    ] {
        let e = parse_err(bad);
        let msg = e.to_string();
        assert!(msg.starts_with("invalid JSON at byte "), "{msg}");
        assert!(!e.message().is_empty());
    }
    let e = parse_err(br#"{"a":1,"b":[1,2}"#);
    assert!(e.index() > 0, "{e}");
    assert_eq!(
        e.to_string(),
        format!("invalid JSON at byte {}: {}", e.index(), e.message())
            + &e.character()
                .map(|c| format!(" (found {c:?})"))
                .unwrap_or_default()
    );
    let boxed: Box<dyn std::error::Error> = Box::new(parse_err(b"["));
    assert!(boxed.to_string().contains("invalid JSON"));
}

#[test]
fn too_deep() {
    let deep = "[".repeat(5000) + &"]".repeat(5000);
    let e = parse_err(deep.as_bytes());
    assert!(e.to_string().contains("Depth"), "{e}");
}

#[test]
fn duplicate_keys_last_wins() {
    assert_eq!(
        to_json(&parse_static(r#"{"a":1,"b":2,"a":3}"#)),
        r#"{"a":3,"b":2}"#
    );
}

#[test]
fn parser_reuse() {
    let mut parser = JsonParser::default();
    let docs = [
        r#"{"a":"x","b":[1,2,3]}"#,
        "[",
        r#"{"c":{"d":"é\u00e9"}}"#,
        &format!("[{}]", vec!["\"s\""; 1000].join(",")),
        "1",
    ];
    let mut buf = Vec::new();
    for _ in 0..3 {
        for d in docs {
            buf.clear();
            buf.extend_from_slice(d.as_bytes());
            match parser.parse(&mut buf) {
                Ok(v) => assert_eq!(v, parse_static(d)),
                Err(e) => assert_eq!(d, "[", "{e}"),
            }
        }
    }
    assert_eq!(format!("{parser:?}"), "JsonParser { .. }");
}

#[test]
fn round_trips_match_serde_json() {
    let docs = [
        r#"{"a":1,"b":[true,false,null],"c":{"d":"e","f":-1.5e-10}}"#,
        r#"[1,-1,0,1.0,-0.0,2.5,1e100,18446744073709551615,-9223372036854775808]"#,
        r#"{"msg":"line1\nline2\ttab \"quoted\" back\\slash \u0001 \u001f é ✓ 😀 \/"}"#,
        r#"{"nested":{"deeper":{"deepest":[[[]],[{}],{"x":[1,{"y":null}]}]}}}"#,
        r#"  {"s" : "v" , "ws" : [ 1 , 2 ]}  "#,
        r#""just a string""#,
        "123456789012",
        "[0.1,0.2,0.30000000000000004,1.7976931348623157e308,5e-324,123456.789]",
        r#"{"\u0000key":"\u007f","key2":"\ud834\udd1e"}"#,
    ];
    for d in docs {
        let sj: serde_json::Value = serde_json::from_str(d).expect("serde_json parses");
        let expected = serde_json::to_string(&sj).expect("serde_json encodes");
        let mut sorted_sj = sj.clone();
        sorted_sj.sort_all_objects();
        let expected_sorted = serde_json::to_string(&sorted_sj).expect("serde_json encodes");
        let mut raw = d.as_bytes().to_vec();
        let v = parse_json(&mut raw).expect("tremor parses");
        // these documents have their keys in order, so insertion order == sorted order
        assert_eq!(to_json(&v), expected, "{d}");
        assert_eq!(to_json_sorted(&v), expected_sorted, "{d}");
        // and our output parses back to the same value
        let mut again = to_json(&v).into_bytes();
        assert_eq!(parse_json(&mut again).expect("re-parses"), v);
    }
}

#[test]
fn unsorted_input_sorted_output_matches_serde_json() {
    let d = r#"{"zeta":{"b":1,"a":[{"y":2,"x":1}]},"alpha":"x","mid":[{"q":1,"p":2}]}"#;
    let mut sj: serde_json::Value = serde_json::from_str(d).expect("serde_json parses");
    sj.sort_all_objects();
    assert_eq!(reencode(d), d);
    let mut raw = d.as_bytes().to_vec();
    let v = parse_json(&mut raw).expect("valid");
    assert_eq!(
        to_json_sorted(&v),
        serde_json::to_string(&sj).expect("encodes")
    );
}

#[test]
fn large_objects_use_hashed_maps() {
    let body: Vec<String> = (0..100).map(|i| format!("\"k{i}\":{i}")).collect();
    let d = format!("{{{}}}", body.join(","));
    let v = parse_static(&d);
    assert_eq!(v.len(), Some(100));
    assert_eq!(v.get("k99").and_then(Value::as_i64), Some(99));
    assert_eq!(v.get("k0").and_then(Value::as_i64), Some(0));
}

#[test]
fn error_messages() {
    assert_eq!(parse_err(b"").to_string(), "invalid JSON at byte 0: Eof");
    let e = parse_err(br#"{"a":1,}"#);
    assert_eq!(
        e.to_string(),
        "invalid JSON at byte 7: ExpectedObjectKey (found '}')"
    );
    assert_eq!(
        (e.index(), e.character(), e.message()),
        (7, Some('}'), "ExpectedObjectKey")
    );
    assert_eq!(
        parse_err(b"[1 2]").to_string(),
        "invalid JSON at byte 3: ExpectedArrayContent (found '2')"
    );
    // a second document after the first is trailing data, not whitespace
    assert!(parse_err(b"[1]\n[2]")
        .to_string()
        .starts_with("invalid JSON at byte 2:"));
}

#[test]
fn thread_safety() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<JsonParser>();
    send_sync::<Value<'static>>();
    send_sync::<Error>();
}
