//! Tremor's error messages for mistakes in scripts, whole as Tremor prints them: the lines
//! around the mistake, the carets under it, the message and the hint. The cases and their
//! expected text are Tremor's (tests/script_errors of tremor-runtime v0.13), one per kind of
//! mistake.

use super::super::Script;
use tremor_value::Value;

/// Compiles `src`; its error as printed, each line without trailing blanks.
fn error_of(src: &str) -> String {
    let err = Script::compile(src, "script.tremor", &Value::object())
        .expect_err("the script has a mistake");
    let text = err.to_string();
    text.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn mistakes_read_as_in_tremor() {
    let cases: &[(&str, &str)] = &[
        // lexer_diamond: a statement cannot start with `<`; the list is every start of a script's first statement
        (
            r#"<>
"#,
            r#"Error:
    1 | <>
      | ^ Found the token `<` but expected one of `!`, `"`, `$`, `(`, `+`, `-`, `<<`, `<doc-comment>`, `<ident>`, `<mod-comment>`, `[`, `absent`, `args`, `bool`, `const`, `drop`, `emit`, `event`, `float`, `fn`, `for`, `group`, `"""`, `int`, `intrinsic`, `let`, `match`, `merge`, `nil`, `not`, `patch`, `present`, `recur`, `state`, `use`, `window`, `{`
      |   NOTE: Did you mean to use `!`?"#,
        ),
        // lexer_ngt: after `!` only what `!` applies to
        (
            r#"!>=
"#,
            r#"Error:
    1 | !>=
      |  ^^ Found the token `>=` but expected one of `!`, `"`, `$`, `(`, `<<`, `<ident>`, `[`, `absent`, `args`, `bool`, `event`, `float`, `group`, `"""`, `int`, `merge`, `nil`, `not`, `patch`, `present`, `recur`, `state`, `window`, `{`
      |     NOTE: Did you mean to use `!`?"#,
        ),
        // imut_bad_drop: a `when` guard is an expression, not a statement
        (
            r#"match "dont-care" of
  case "dont-care" when drop
  case _ => "ouch"
end
"#,
            r#"Error:
    1 | match "dont-care" of
    2 |   case "dont-care" when drop
      |                         ^^^^ Found the token `drop` but expected one of `!`, `"`, `$`, `(`, `+`, `-`, `<<`, `<ident>`, `[`, `absent`, `args`, `bool`, `event`, `float`, `for`, `group`, `"""`, `int`, `match`, `merge`, `nil`, `not`, `patch`, `present`, `recur`, `state`, `window`, `{`
      |                              NOTE: It looks like you tried to use 'drop' as an ident, consider quoting it as `drop` to make it an identifier.
    3 |   case _ => "ouch"
    4 | end"#,
        ),
        // merge_ident: a keyword is not a name on the left of `let`
        (
            r#"let merge = event;

merge"#,
            r#"Error:
    1 | let merge = event;
      |     ^^^^^ Found the token `merge` but expected one of `$`, `(`, `<ident>`, `[`, `args`, `event`, `group`, `state`, `window`, `{`
      |           NOTE: It looks like you tried to use 'merge' as an ident, consider quoting it as `merge` to make it an identifier.
    2 |
    3 | merge"#,
        ),
        // tailing_gt: a `>` ending the input is a token no rule accepts
        (
            r#"event >"#,
            r#"Error:
    1 | event >
      |       ^ Found the token `>` but expected one of `!=`, `%`, `&`, `*`, `+`, `-`, `.`, `.`, `/`, `;`, `<`, `<<`, `<=`, `==`, `>`, `>=`, `>>`, `>>>`, `[`, `^`, `and`, `or`, `xor`
      |         NOTE: Did you mean to use `>`?"#,
        ),
        // lexer_triple_colon (with `a` declared: Tremor parses the whole script before it
        // resolves names, this parser resolves them as it goes): three colons are one bad
        // token; after a bare name a call or a module path may follow
        (
            "let a = 1;\na:::b()\n",
            r#"Error:
    1 | let a = 1;
    2 | a:::b()
      |  ^^^ Found the token `:::` but expected one of `!=`, `%`, `&`, `(`, `*`, `+`, `-`, `.`, `.`, `/`, `::`, `;`, `<`, `<<`, `<=`, `==`, `>`, `>=`, `>>`, `>>>`, `[`, `^`, `and`, `or`, `xor`
      |      NOTE: Did you mean to use `::`?"#,
        ),
        // bad_fold: `use` of a fold takes an operator
        (
            r#"for event of
  case (k, v) => v
into [] use merge end;
"#,
            r#"Error:
    1 | for event of
    2 |   case (k, v) => v
    3 | into [] use merge end;
      |             ^^^^^ Found the token `merge` but expected one of `%`, `&`, `*`, `+`, `-`, `/`, `<<`, `>>`, `>>>`, `^`, `and`, `or`, `xor`"#,
        ),
        // pp_unrecognized_token3: a keyword is not a module name
        (
            r#"use foo :: as;
"#,
            r#"Error:
    1 | use foo :: as;
      |            ^^ Found the token `as` but expected one of `<ident>`, `{`
      |               NOTE: It looks like you tried to use 'as' as an ident, consider quoting it as `as` to make it an identifier."#,
        ),
        // pp_unrecognized_token5: after a module path: `::`, `;` or `as`
        (
            r#"use foo :: bar use;

"hello {snot}"
"#,
            r#"Error:
    1 | use foo :: bar use;
      |                ^^^ Found the token `use` but expected one of `::`, `;`, `as`
      |                    NOTE: Did you mean to use `;`?
    2 |
    3 | "hello {snot}""#,
        ),
        // strnig_as_ident: a field name is not a string
        (
            r#"event."@timestamp"
"#,
            r#"Error:
    1 | event."@timestamp"
      |       ^ Found the token `"` but expected `<ident>`
      |         NOTE: Did you mean to quote an ident? If so use ` (a back tick) not " (a quote)."#,
        ),
        // patch_non_str_key: a patch key is a string
        (
            r#"patch event of
  insert "snot" => "badger";
  insert 7 => "snot"
end
"#,
            r#"Error:
    1 | patch event of
    2 |   insert "snot" => "badger";
    3 |   insert 7 => "snot"
      |          ^ Found the token `7` but expected one of `"`, `"""`
      |            NOTE: Did you mean to use a string?
    4 | end"#,
        ),
        // lexer_string_interpolation: a string left open in an interpolation leaves the interpolation open
        (
            r##""#{"
"##,
            r##"Error:
    1 | "#{"
      |  ^^ It looks like you forgot to terminate a string interpolation with a closing '}'
      |     NOTE: Did you mean to write a literal '#{'? Escape it as '\#{'."##,
        ),
        // heredoc_interpolation_multiline: in a heredoc the open string itself is reported
        (
            r#""""
#{ "

}
"""
"#,
            r#"Error:
    1 | """
    2 | #{ "
      |    ^ It looks like you forgot to terminate a string with a closing '"'"#,
        ),
        // lexer_heredoc_interpolation3: a heredoc left open in a heredoc's interpolation
        (
            r#"use std::string;
let x = """
#{""";
"#,
            r#"Error:
    2 | let x = """
    3 | #{""";
      | ^^^^^^ It looks like you forgot to terminate a string interpolation with a closing '}'
      |        NOTE: Did you mean to write a literal '#{'? Escape it as '\#{'."#,
        ),
        // string_interpolation_empty: an empty interpolation
        (
            r##""#{}""##,
            r##"Error:
    1 | "#{}"
      |  ^^^ You have an interpolation without content.
      |      NOTE: Did you mean to write a literal '#{'? Escape it as '\#{'."##,
        ),
        // invalid_utf8_2: a lone surrogate
        (
            r#""invalid: \uD800""#,
            r#"Error:
    1 | "invalid: \uD800"
      |           ^^^^^^ An invalid UTF8 escape sequence was found"#,
        ),
        // unexpected_escape: an unknown escape
        (
            r#"let test = "\z";
"#,
            r#"Error:
    1 | let test = "\z";
      |             ^^ An unexpected escape code 'z' was found"#,
        ),
        // lexer_bad_float: an exponent without digits
        (
            r#"let f = 1.0e;
"#,
            r#"Error:
    1 | let f = 1.0e;
      |         ^^^^^ An invalid float literal"#,
        ),
        // lexer_bad_hex2: a hex literal with a prefix other than 0
        (
            r#"let f = 7x0;
event
"#,
            r#"Error:
    1 | let f = 7x0;
      |         ^^^ An invalid hexadecimal"#,
        ),
        // lexer_invalid_float: a letter after a float
        (
            r#"12.0j5
"#,
            r#"Error:
    1 | 12.0j5
      | ^^^^ An unexpected character 'j' was found"#,
        ),
        // lexer_bad_int: a letter after an integer
        (
            r#"let f = 0snot;
event
"#,
            r#"Error:
    1 | let f = 0snot;
      |          ^ An unexpected character 's' was found"#,
        ),
        // lexer_unterminated_string: an unterminated string
        (
            r#""this is a string;"#,
            r#"Error:
    1 | "this is a string;
      | ^^^^^^^^^^^^^^^^^^ It looks like you forgot to terminate a string with a closing '"'"#,
        ),
        // lexer_unterminated_heredoc: an unterminated heredoc
        (
            r#"""""#,
            r#"Error:
    1 | """
      | ^^ It looks like you forgot to terminate a here doc with with a closing '"""'"#,
        ),
        // heredoc_tailing: characters after a heredoc's opening
        (
            r#"let tailing = """:P
""";
"#,
            r#"Error:
    1 | let tailing = """:P
      |               ^^^ It looks like you have characters tailing the here doc opening, it needs to be followed by a newline"#,
        ),
        // invalid_extractor: a bad extractor pattern is a syntax error: it is reported before the unknown name `ecent`
        (
            r#"match ecent of
  case %{ key ~= re|(| } => true
end
"#,
            r#"Error:
    1 | match ecent of
    2 |   case %{ key ~= re|(| } => true
      |                  ^^^^^ Invalid tilde predicate pattern: regex parse error:
    (
    ^
error: unclosed group
    3 | end"#,
        ),
        // unknown_extractor: an extractor kind that does not exist
        (
            r#"match ecent of
  case %{ key ~= snot|| } => true
end
"#,
            r#"Error:
    1 | match ecent of
    2 |   case %{ key ~= snot|| } => true
      |                  ^^^^^^ Invalid tilde predicate pattern: Unsupported extractor snot
    3 | end"#,
        ),
        // bin_invalid_bits: a binary part wider than 64 bits
        (
            r#"<<event:100>>"#,
            r#"Error:
    1 | <<event:100>>
      |   ^^^^^^^^^ negative bits or bits > 64 are are not allowed: 100"#,
        ),
        // bin_invalid_type: a binary part of an unknown type
        (
            r#"<<event/snot>>"#,
            r#"Error:
    1 | <<event/snot>>
      |   ^^^^^^^^^^ Not a valid data type: 'snot'"#,
        ),
        // add_overflow: a constant expression is computed when the script compiles: its error is a compile error under the whole expression
        (
            r#"use std::integer::unsigned;
unsigned::MAX + 1;
"#,
            r#"Error:
    2 | unsigned::MAX + 1;
      | ^^^^^^^^^^^^^^^^^ The binary operation `+` caused an over- or underflow"#,
        ),
        // arith_bad_shift_1: a shift wider than the integer
        (
            r#"42 >> 64
"#,
            r#"Error:
    1 | 42 >> 64
      | ^^^^^^^^ RHS value is larger than or equal to the number of bits in LHS value"#,
        ),
        // function_error_1: a library call on constants
        (
            r#"use std::record;
record::from_array(7)
"#,
            r#"Error:
    2 | record::from_array(7)
      | ^^^^^^^^^^^^^^^^^^^^^ Bad type passed to function record::from_array/1"#,
        ),
        // script_without_newline: an operator on constants of the wrong types
        (
            r#""string" + 1"#,
            r#"Error:
    1 | "string" + 1
      | ^^^^^^^^^^^^ The binary operation `+` is not defined for the type `string` and `integer`"#,
        ),
        // const_expr_index_out_of_bounds: a path into constants is folded too: Tremor's wording, under the failing index
        (
            r#"{"snot": [0,1,2,3,4,5,6]}.snot[8]
"#,
            r#"Error:
    1 | {"snot": [0,1,2,3,4,5,6]}.snot[8]
      |                                ^ Array index out of bounds, got index 8 but expected an index in the range 0:7"#,
        ),
        // const_expr_range_on_non_array: a range on a record, under the range
        (
            r#"{"snot":"badger"}[5:9]
"#,
            r#"Error:
    1 | {"snot":"badger"}[5:9]
      |                   ^^^ Conflicting types, got record but expected array"#,
        ),
        // const_expr_unknown_key: a key a constant record lacks, under the key
        (
            r#"{"snot": "badger"}.bad_key
"#,
            r#"Error:
    1 | {"snot": "badger"}.bad_key
      |                    ^^^^^^^ Trying to access a non existing local key `bad_key`"#,
        ),
        // const_expr_id_into_arr: a key of an array, under the key
        (
            r#"[0,1,2,3,4,5,6].snot
"#,
            r#"Error:
    1 | [0,1,2,3,4,5,6].snot
      |                 ^^^^ Conflicting types, got array but expected record"#,
        ),
        // const_expr_range_bad_end: a range bound of the wrong type, under the bound
        (
            r#"{"snot": [0,1,2,3,4,5,6]}.snot[2:"bad"]
"#,
            r#"Error:
    1 | {"snot": [0,1,2,3,4,5,6]}.snot[2:"bad"]
      |                                  ^^^^^ Conflicting types, got string but expected integer"#,
        ),
        // double_const: a const defined twice, under the whole second definition
        (
            r#"const ONE = 1;
const ONE = "two";
"#,
            r#"Error:
    2 | const ONE = "two";
      | ^^^^^^^^^^^^^^^^^ Can't define the const `ONE` twice"#,
        ),
        // function_already_defined: a function defined twice: all lines of the second definition, the carets under its last
        (
            r#"fn a () with
  1
end;

fn a () with
  2
end;"#,
            r#"Error:
    5 | fn a () with
    6 |   2
    7 | end;
      | ^^^ Can't define the function `a` twice"#,
        ),
        // missing_function: a call of no function, under the whole call
        (
            r#"snot::badger(event)
"#,
            r#"Error:
    1 | snot::badger(event)
      | ^^^^^^^^^^^^^^^^^^^ Call to undefined function snot::badger"#,
        ),
        // fn_bad_recur: recur before a function's last expression, under the recur with the lines around
        (
            r#"
fn snot(a) with
  recur(a);
  a + 1
end;

snot(event)
"#,
            r#"Error:
    1 |
    2 | fn snot(a) with
    3 |   recur(a);
      |   ^^^^^^^^ Can not recur from this location
    4 |   a + 1
    5 | end;"#,
        ),
        // invalid_escape_extractor: an escape an extractor does not know: the line as far as Tremor's lexer read it
        (
            r#"match event of
  case ~ re|\snot| => true
  _ => false
end;"#,
            r#"Error:
    1 | match event of
    2 |   case ~ re|\s
      |              ^ An unexpected escape code 's' was found"#,
        ),
        // unfinished_escape_eof: a backslash ending the input
        (
            r#"let test = "\"#,
            r#"Error:
    1 | let test =
      |              ^ An unexpected end of stream was found"#,
        ),
        // unknown_function_in_function: an unknown function called in a function: all of the function and two lines around
        (
            r#"fn f() with
  g(1,2)
end;

f()"#,
            r#"Error:
    1 | fn f() with
    2 |   g(1,2)
      |   ^^^^^^ Call to undefined function ::g
    3 | end;
    4 |
    5 | f()"#,
        ),
    ];
    for (src, expected) in cases {
        assert_eq!(error_of(src), *expected, "script: {src}");
    }
}

#[test]
fn an_extractor_knows_only_its_own_escapes() {
    // `\|`, `\\` and a line break; anything else is Tremor's unexpected escape, under the
    // escaped character.
    let err = Script::compile(
        "match event of\n  case ~ re|\\snot| => true\nend",
        "s",
        &Value::object(),
    )
    .expect_err("`\\s` is not an extractor escape");
    assert_eq!(err.message, "An unexpected escape code 's' was found");
    assert_eq!((err.pos.line, err.pos.column), (2, 14));
    let script = Script::compile(
        "match event of case r = %{ m ~= re|\\\\d+\\|x| } => r.m end",
        "s",
        &Value::object(),
    );
    assert!(script.is_ok(), "{script:?}");
}

#[test]
fn a_string_ends_on_its_line() {
    let err = Script::compile("let s = \"a\nb\";", "s", &Value::object())
        .expect_err("a string may not span lines");
    assert_eq!(
        err.message,
        "It looks like you forgot to terminate a string with a closing '\"'"
    );
    assert!(Script::compile("let s = \"\"\"\na\nb\n\"\"\";", "s", &Value::object()).is_ok());
}

#[test]
fn names_are_resolved_after_the_syntax_is_checked() {
    let message = |src: &str| {
        Script::compile(src, "s", &Value::object())
            .expect_err("fails")
            .message
    };
    // The unknown function comes first, the syntax error after it wins (as in Tremor).
    assert!(message("g(1);\nevent >").starts_with("Found the token `>`"));
    // A function of no module is `::f`; a constant of a module path is its absolute path.
    assert_eq!(message("g(1, 2)"), "Call to undefined function ::g");
    assert_eq!(
        message("snot::badger::boo"),
        "The constant snot::badger::boo (absolute path) is not defined."
    );
    // As in Tremor, a name never assigned is a local: only reading it fails, when it runs.
    let never_read = "match true of case true => 1 case _ => snot end";
    assert!(Script::compile(never_read, "s", &Value::object()).is_ok());
}

#[test]
fn a_missing_key_is_underlined_where_the_path_names_it() {
    // `.key`: the name; `["key"]`: the string (as Tremor's hygienic-runtime-errors shows).
    let src = "let a = event.present;\nlet event[\"new\"] = event.foo_script;\nevent[\"other\"]";
    let script = Script::compile(src, "s", &Value::object()).expect("compiles");
    let run = |input: &str| {
        let mut event = tremor_value::parse_json(&mut input.as_bytes().to_vec())
            .expect("JSON")
            .into_static();
        let (mut meta, mut state) = (Value::object(), Value::null());
        let mut ctx = super::super::RunContext {
            event: &mut event,
            meta: &mut meta,
            state: &mut state,
            ingest_ns: 0,
            origin: None,
        };
        let e = script.run(&mut ctx).expect_err("a key is missing");
        e.to_string().lines().last().unwrap_or_default().to_string()
    };
    assert_eq!(
        run(r#"{"present": 1}"#),
        "      |                          ^^^^^^^^^^ Trying to access a non existing event key `foo_script`"
    );
    assert_eq!(
        run(r#"{"present": 1, "foo_script": 2}"#),
        "      |       ^^^^^^^ Trying to access a non existing event key `other`"
    );
}

#[test]
fn recur_only_as_what_a_function_returns() {
    let compile = |src: &str| Script::compile(src, "s", &Value::object()).map(|_| ());
    let misplaced = compile("fn snot(a) with\n  recur(a);\n  a + 1\nend;\nsnot(1)")
        .expect_err("recur before the last expression");
    assert_eq!(misplaced.message, "Can not recur from this location");
    assert_eq!((misplaced.pos.line, misplaced.pos.column), (2, 3));
    assert!(compile("fn f(n) with 1 + recur(n) end; f(1)").is_err());
    let tail = "fn f(n) with match n of case 0 => 0 case _ => recur(n - 1) end end; f(3)";
    assert!(compile(tail).is_ok());
}
