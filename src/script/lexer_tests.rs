use super::*;

fn toks(src: &str) -> Vec<Tok> {
    lex(src, "t.troy")
        .expect("lexes")
        .into_iter()
        .map(|t| t.tok)
        .collect()
}

fn positions(src: &str) -> Vec<(u32, u32)> {
    lex(src, "t.troy")
        .expect("lexes")
        .into_iter()
        .map(|t| (t.pos.line, t.pos.column))
        .collect()
}

/// The tokens of `spec`'s space-separated words (names as identifiers, anything else as
/// punctuation), then the end of the input.
fn words(spec: &'static str) -> Vec<Tok> {
    spec.split_whitespace()
        .map(|w| {
            if w.starts_with(|c: char| c.is_alphabetic()) {
                Tok::Ident(w.into())
            } else {
                Tok::Punct(w)
            }
        })
        .chain([Tok::Eof])
        .collect()
}

fn lit(s: &str) -> Tok {
    Tok::Str(vec![StrPart::Lit(s.to_string())])
}

fn err(src: &str) -> String {
    lex(src, "t.troy").expect_err("fails").to_string()
}

#[test]
fn words_symbols_and_positions() {
    let src = "define flow main\n  connect /connector/a to /pipeline/b/in;";
    assert_eq!(
        toks(src),
        words("define flow main connect / connector / a to / pipeline / b / in ;")
    );
    let pos = positions(src);
    assert_eq!(pos[0], (1, 1));
    assert_eq!(pos[2], (1, 13));
    assert_eq!(pos[3], (2, 3));
    assert_eq!(pos[4], (2, 11));
    assert_eq!(pos.last(), Some(&(2, 42)));
}

#[test]
fn multi_char_symbols_win() {
    assert_eq!(
        toks("a::b == c != d <= e >= f < g > h = i"),
        words("a :: b == c != d <= e >= f < g > h = i")
    );
}

#[test]
fn comments_are_skipped() {
    let src = "## doc comment\na # trailing\n# whole line\nb";
    assert_eq!(
        toks(src),
        vec![Tok::Ident("a".into()), Tok::Ident("b".into()), Tok::Eof]
    );
    assert_eq!(positions(src)[1], (4, 1));
}

#[test]
fn numbers() {
    assert_eq!(
        toks("500 1_000 0 1.5 2e3 1.5E-2 0xff 10.x"),
        vec![
            Tok::Int(500),
            Tok::Int(1000),
            Tok::Int(0),
            Tok::Float(1.5),
            Tok::Float(2000.0),
            Tok::Float(0.015),
            Tok::Int(255),
            Tok::Int(10),
            Tok::Punct("."),
            Tok::Ident("x".into()),
            Tok::Eof,
        ]
    );
    assert_eq!(
        toks("-1"),
        vec![Tok::Punct("-"), Tok::Int(1), Tok::Eof],
        "the sign is the parser's business"
    );
    assert_eq!(toks("18446744073709551615")[0], Tok::Int(u64::MAX));
    assert!(err("18446744073709551616").contains("An invalid integer literal"));
    assert_eq!(
        err("12abc"),
        "t.troy:1:3: An unexpected character 'a' was found"
    );
}

#[test]
fn backtick_identifiers() {
    assert_eq!(
        toks("`udp-out` `select`"),
        vec![
            Tok::Quoted("udp-out".into()),
            Tok::Quoted("select".into()),
            Tok::Eof
        ]
    );
    assert_eq!(
        err("x `abc\n`"),
        "t.troy:1:3: It looks like you forgot to terminate an ident with a closing '`'"
    );
    assert_eq!(err("``"), "t.troy:1:1: empty backtick identifier");
}

#[test]
fn strings_and_escapes() {
    assert_eq!(toks(r#""""#), vec![lit(""), Tok::Eof]);
    assert_eq!(
        toks(r#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00 # not interp""#),
        vec![lit("a\"b\\c/d\n\té\u{1F600} # not interp"), Tok::Eof]
    );
    assert_eq!(toks(r#""\#{x}""#), vec![lit("#{x}"), Tok::Eof]);
    assert_eq!(
        err(r#"  "abc"#),
        "t.troy:1:3: It looks like you forgot to terminate a string with a closing '\"'"
    );
    assert_eq!(
        err(r#""a\qb""#),
        "t.troy:1:3: An unexpected escape code 'q' was found"
    );
    assert!(err(r#""\u12""#).contains("An invalid UTF8 escape sequence was found"));
    assert!(err(r#""\ud83d""#).contains("An invalid UTF8 escape sequence was found"));
}

#[test]
fn interpolation_keeps_tokens() {
    let t = lex(r#"x = "a #{event.b + 1} c #{ {"k": 1} }";"#, "t.troy").expect("lexes");
    let Tok::Str(parts) = &t[2].tok else {
        panic!("string expected: {:?}", t[2]);
    };
    assert_eq!(parts.len(), 4);
    assert_eq!(parts[0], StrPart::Lit("a ".into()));
    let StrPart::Interp(inner) = &parts[1] else {
        panic!("interpolation expected");
    };
    let kinds: Vec<&Tok> = inner.iter().map(|t| &t.tok).collect();
    assert_eq!(
        kinds,
        [
            &Tok::Ident("event".into()),
            &Tok::Punct("."),
            &Tok::Ident("b".into()),
            &Tok::Punct("+"),
            &Tok::Int(1),
            &Tok::Eof
        ]
    );
    // positions inside the interpolation are file positions
    assert_eq!((inner[0].pos.line, inner[0].pos.column), (1, 10));
    let StrPart::Interp(rec) = &parts[3] else {
        panic!("interpolation expected");
    };
    assert_eq!(rec.len(), 6, "braces of the record are balanced: {rec:?}");
    assert_eq!(t[3].tok, Tok::Punct(";"));
    assert_eq!(
        err(r#""a #{b"#),
        "t.troy:1:4: It looks like you forgot to terminate a string interpolation with a closing '}'"
    );
    // As in Tremor, a string the interpolation leaves open leaves the interpolation open.
    assert_eq!(
        err(r#""a #{b""#),
        "t.troy:1:4: It looks like you forgot to terminate a string interpolation with a closing '}'"
    );
}

#[test]
fn heredocs() {
    let src = "x = \"\"\"\n  line \"one\"\n  #{1}\n\"\"\";";
    let t = lex(src, "t.troy").expect("lexes");
    let Tok::Str(parts) = &t[2].tok else {
        panic!("string expected");
    };
    assert_eq!(parts[0], StrPart::Lit("  line \"one\"\n  ".into()));
    assert!(matches!(parts[1], StrPart::Interp(_)));
    assert_eq!(parts[2], StrPart::Lit("\n".into()));
    assert_eq!(t[3].tok, Tok::Punct(";"));
    assert_eq!((t[3].pos.line, t[3].pos.column), (4, 4));
    assert_eq!(toks("\"\"\"   \nplain\"\"\""), vec![lit("plain"), Tok::Eof]);
    assert!(err("\"\"\"abc\"\"\"").contains("characters tailing the here doc opening"));
    assert_eq!(
        err("\"\"\"\nabc"),
        // Tremor points at the heredoc's last line.
        "t.troy:2:1: It looks like you forgot to terminate a here doc with with a closing '\"\"\"'"
    );
}

#[test]
fn bad_characters_and_bom() {
    assert_eq!(
        err("a\n  \\"),
        "t.troy:2:3: An unexpected character '\\' was found"
    );
    assert_eq!(toks("\u{feff}a"), words("a"));
    assert_eq!(toks("$meta % &"), words("$ meta % &"));
    assert_eq!(toks(""), vec![Tok::Eof]);
}

#[test]
fn describe_tokens() {
    assert_eq!(Tok::Ident("a".into()).describe(), "`a`");
    assert_eq!(Tok::Quoted("a-b".into()).describe(), "`a-b`");
    assert_eq!(Tok::Punct(";").describe(), "`;`");
    assert_eq!(Tok::Int(3).describe(), "`3`");
    assert_eq!(Tok::Str(vec![]).describe(), "a string");
    assert_eq!(Tok::Eof.describe(), "the end of the input");
}

#[test]
fn deeply_nested_interpolations_are_refused_not_a_crash() {
    let src = "\"#{".repeat(20_000);
    let e = err(&src);
    assert!(e.contains("interpolations nested too deeply"), "{e}");
    assert!(e.starts_with("t.troy:1:"), "{e}");
    let ok = format!("{}1{}", "\"#{".repeat(10), "}\"".repeat(10));
    assert!(lex(&ok, "t.troy").is_ok());
}
