//! Tests for `encode.rs`.

use super::*;
use crate::literal;

#[test]
fn scalars() {
    assert_eq!(to_json(&Value::null()), "null");
    assert_eq!(to_json(&Value::from(true)), "true");
    assert_eq!(to_json(&Value::from(false)), "false");
    assert_eq!(to_json(&Value::from(-42)), "-42");
    assert_eq!(to_json(&Value::from(i64::MIN)), "-9223372036854775808");
    assert_eq!(to_json(&Value::from(u64::MAX)), "18446744073709551615");
    assert_eq!(to_json(&Value::from(1.0)), "1.0");
    assert_eq!(to_json(&Value::from(-0.0)), "-0.0");
    assert_eq!(to_json(&Value::from(0.1)), "0.1");
    assert_eq!(to_json(&Value::from(1e300)), "1e+300");
    assert_eq!(to_json(&Value::from(1.5e-300)), "1.5e-300");
    assert_eq!(to_json(&Value::from(f64::NAN)), "null");
    assert_eq!(to_json(&Value::from(f64::INFINITY)), "null");
    assert_eq!(to_json(&Value::from(f64::NEG_INFINITY)), "null");
}

#[test]
fn string_escapes() {
    let s = "q\"b\\s/\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}é✓😀";
    let expected = serde_json::to_string(s).expect("serde_json");
    assert_eq!(to_json(&Value::from(s)), expected);
    assert_eq!(
        to_json(&Value::from(s)),
        r#""q\"b\\s/\n\r\t\b\f\u0000\u001f"#.to_string() + "\u{7f}é✓😀\""
    );
    assert_eq!(to_json(&Value::from("")), r#""""#);
    assert_eq!(to_json(&Value::from("plain")), r#""plain""#);
}

#[test]
fn escapes_at_every_position() {
    // exercise the 8-byte fast path: escapes at each offset of long strings
    for special in ['"', '\\', '\n', '\u{1}', '\u{1f}', 'é', ' ', '~', '\u{7f}'] {
        for len in 0..20 {
            for pos in 0..len {
                let s: String = (0..len)
                    .map(|i| if i == pos { special } else { 'a' })
                    .collect();
                let expected = serde_json::to_string(&s).expect("serde_json");
                assert_eq!(to_json(&Value::from(s.as_str())), expected, "{s:?}");
            }
        }
    }
}

#[test]
fn matches_serde_json_for_every_control_char() {
    for b in 0u8..0x80 {
        let s = String::from(char::from(b));
        let expected = serde_json::to_string(&s).expect("serde_json");
        assert_eq!(to_json(&Value::from(s.as_str())), expected, "byte {b}");
    }
}

#[test]
fn floats_match_serde_json() {
    let fixed = [
        0.0,
        1.5,
        -2.0,
        1e-7,
        123_456_789.125,
        1e21,
        5e-324,
        f64::MAX,
        1.0 / 3.0,
    ];
    // plus pseudo-random bit patterns (every exponent range) and integral floats
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut random = Vec::new();
    for i in 0..20_000_u32 {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        random.push(f64::from_bits(x));
        random.push(f64::from(i) * 1000.0);
        random.push(f64::from(i) / 7.0);
    }
    let mut out = Vec::new();
    for f in fixed.into_iter().chain(random).filter(|f| f.is_finite()) {
        out.clear();
        write_json(&Value::from(f), &mut out);
        let expected = serde_json::to_string(&f).expect("serde_json");
        assert_eq!(out, expected.as_bytes(), "{f:e}");
    }
}

#[test]
fn containers() {
    assert_eq!(to_json(&literal!([])), "[]");
    assert_eq!(to_json(&literal!({})), "{}");
    assert_eq!(to_json(&literal!([[], {}, [1, [2]]])), "[[],{},[1,[2]]]");
    assert_eq!(
        to_json(&literal!({"a": {"b": [null]}})),
        r#"{"a":{"b":[null]}}"#
    );
    assert_eq!(to_json(&Value::bytes(vec![0u8, 127, 255])), "[0,127,255]");
    assert_eq!(to_json(&Value::bytes(Vec::new())), "[]");
    assert_eq!(to_json(&literal!({"\n": 1})), r#"{"\n":1}"#);
}

#[test]
fn appends_to_out() {
    let mut out = b"x".to_vec();
    write_json(&literal!([1]), &mut out);
    write_json_sorted(&literal!({"b": 1, "a": 2}), &mut out);
    assert_eq!(out, br#"x[1]{"a":2,"b":1}"#);
}

#[test]
fn sorted_nested() {
    let v = literal!({
        "z": {"y": 1, "b": [ {"d": 1, "c": 2} ], "a": {}},
        "a": [3, {"k2": null, "k1": true}],
        "m": "x"
    });
    let expected =
        r#"{"a":[3,{"k1":true,"k2":null}],"m":"x","z":{"a":{},"b":[{"c":2,"d":1}],"y":1}}"#;
    assert_eq!(to_json_sorted(&v), expected);
    let mut sj: serde_json::Value = serde_json::from_str(&to_json(&v)).expect("valid");
    sj.sort_all_objects();
    assert_eq!(
        to_json_sorted(&v),
        serde_json::to_string(&sj).expect("serde_json")
    );
}

#[test]
fn sorted_large_object() {
    // more than STACK_SORT keys: heap path, and a hashed (unordered) halfbrown map
    let mut v = Value::object();
    for i in (0..100).rev() {
        let inner = literal!({"y": i, "x": [i]});
        assert!(v.insert(format!("key{i:03}"), inner).is_ok());
    }
    let mut expected = String::from("{");
    for i in 0..100 {
        if i > 0 {
            expected.push(',');
        }
        expected.push_str(&format!(r#""key{i:03}":{{"x":[{i}],"y":{i}}}"#));
    }
    expected.push('}');
    assert_eq!(to_json_sorted(&v), expected);
    // unsorted output holds the same data
    let mut raw = to_json(&v).into_bytes();
    let back = crate::parse_json(&mut raw).expect("valid");
    assert_eq!(back, v);
}

#[test]
fn display_and_debug() {
    let v = literal!({"a": [1, "x\"y", null]});
    assert_eq!(v.to_string(), r#"{"a":[1,"x\"y",null]}"#);
    assert_eq!(format!("{v:?}"), r#"{"a":[1,"x\"y",null]}"#);
}

#[test]
fn the_codec_form_writes_bytes_as_base64_strings() {
    // Tremor's json codec: padded standard base64, nested too, sorted or not.
    let v = literal!({"b": 1, "a": [Value::bytes(vec![1u8, 2, 3])]});
    let mut out = Vec::new();
    write_json_codec(&v, false, &mut out);
    assert_eq!(out, br#"{"b":1,"a":["AQID"]}"#);
    out.clear();
    write_json_codec(&v, true, &mut out);
    assert_eq!(out, br#"{"a":["AQID"],"b":1}"#);
    out.clear();
    write_json_codec(&Value::bytes(b"snot".to_vec()), false, &mut out);
    assert_eq!(out, br#""c25vdA==""#);
    out.clear();
    write_json_codec(&Value::bytes(Vec::new()), false, &mut out);
    assert_eq!(out, b"\"\"");
}
