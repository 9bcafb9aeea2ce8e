//! What Tremor's parser says it expected when a token does not fit: the token sets of
//! tremor-script's grammar at the places where scripts most often go wrong, composed as the
//! grammar composes its rules (an operand of `!` < an operand of a binary operator < a `when`
//! guard < a statement < a top-level statement), and listed in the order LALRPOP lists them.

/// What may follow `not` or `!` (Tremor's `UnarySimpleExprImut`).
const UNARY_OPERAND: &[&str] = &[
    "!", "\"", "$", "(", "<<", "<ident>", "[", "absent", "args", "bool", "event", "float", "group",
    "\"\"\"", "int", "merge", "nil", "not", "patch", "present", "recur", "state", "window", "{",
];
/// Adds the signs: what may follow a binary operator or a sign (`UnaryExprImut`).
const SIGNS: &[&str] = &["+", "-"];
/// Adds what only a whole expression may be (`ComplexExprImut`: a guard, a bracketed or
/// interpolated expression, an argument).
const COMPLEX: &[&str] = &["for", "match"];
/// Adds the statements of a body (`Expr`).
const STATEMENT: &[&str] = &["drop", "emit", "let"];
/// Adds the declarations of the top level (`TopLevelExpr`).
const TOP_LEVEL: &[&str] = &["<doc-comment>", "const", "fn", "intrinsic", "use"];
/// Adds what only the start of a script may be.
const SCRIPT_START: &[&str] = &["<mod-comment>"];

/// The binary operators (what may follow any complete operand).
const BINARY: &[&str] = &[
    "!=", "%", "&", "*", "+", "-", "/", "<", "<<", "<=", "==", ">", ">=", ">>", ">>>", "^", "and",
    "or", "xor",
];
/// What may follow a path (Tremor's grammar has two `.` tokens here: a segment and a range).
const PATH_CONTINUATION: &[&str] = &[".", ".", "["];
/// What may follow a bare name: a call, or a module path.
const NAME_CONTINUATION: &[&str] = &["(", "::"];

/// The operators of `into … use OP` (Tremor's `FoldOperator`).
pub(crate) const FOLD_OPERATOR: &[&str] = &[
    "%", "&", "*", "+", "-", "/", "<<", ">>", ">>>", "^", "and", "or", "xor",
];
/// The left side of `let` (Tremor's `Path`).
pub(crate) const LET_TARGET: &[&str] = &[
    "$", "(", "<ident>", "[", "args", "event", "group", "state", "window", "{",
];

/// Where an expression starts, which decides the tokens that may start it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Start {
    /// After `not` or `!`.
    UnaryOperand,
    /// After a binary operator or a sign.
    Operand,
    /// A whole expression: a guard, in brackets, an argument, a value.
    Complex,
    /// A statement of a body.
    Statement,
    /// A statement of the top level of a script.
    TopLevel,
    /// The first statement of a script.
    FirstStatement,
}

impl Start {
    /// The tokens that may start an expression here, in Tremor's order.
    pub(crate) fn tokens(self) -> Vec<&'static str> {
        let layers: [(&[&str], Self); 6] = [
            (UNARY_OPERAND, Self::UnaryOperand),
            (SIGNS, Self::Operand),
            (COMPLEX, Self::Complex),
            (STATEMENT, Self::Statement),
            (TOP_LEVEL, Self::TopLevel),
            (SCRIPT_START, Self::FirstStatement),
        ];
        let parts = layers
            .iter()
            .filter(|(_, from)| *from <= self)
            .map(|(tokens, _)| *tokens);
        in_tremor_order(parts)
    }
}

/// What may follow a complete operand at the end of a top-level statement: an operator, `;`,
/// and, after a path or a bare name, what continues those.
pub(crate) fn after_operand(path: bool, bare_name: bool) -> Vec<&'static str> {
    let mut parts: Vec<&[&str]> = vec![BINARY, &[";"]];
    if path {
        parts.push(PATH_CONTINUATION);
    }
    if bare_name {
        parts.push(NAME_CONTINUATION);
    }
    in_tremor_order(parts.into_iter())
}

/// Whether `word` is one of the words Tremor's lexer makes a keyword (never a name).
pub(crate) fn is_keyword(word: &str) -> bool {
    KEYWORDS.binary_search(&word).is_ok()
}

/// Tremor's keywords (tremor-script's `ident_to_token`), sorted.
const KEYWORDS: &[&str] = &[
    "absent",
    "and",
    "args",
    "as",
    "by",
    "case",
    "connect",
    "connector",
    "const",
    "copy",
    "create",
    "default",
    "define",
    "deploy",
    "drop",
    "each",
    "emit",
    "end",
    "erase",
    "event",
    "false",
    "flow",
    "fn",
    "for",
    "from",
    "group",
    "having",
    "insert",
    "into",
    "intrinsic",
    "let",
    "match",
    "merge",
    "mod",
    "move",
    "not",
    "null",
    "of",
    "operator",
    "or",
    "order",
    "patch",
    "pipeline",
    "present",
    "recur",
    "script",
    "select",
    "set",
    "sliding",
    "state",
    "stream",
    "to",
    "true",
    "tumbling",
    "update",
    "upsert",
    "use",
    "when",
    "where",
    "window",
    "with",
    "xor",
];

/// The token name of a word in an expected-token list: `true`/`false` are `bool`, `null` is
/// `nil`, other keywords are themselves and names are `<ident>`.
pub(crate) fn word_token(word: &str) -> &str {
    match word {
        "true" | "false" => "bool",
        "null" => "nil",
        w if is_keyword(w) => w,
        _ => "<ident>",
    }
}

/// The lists merged and sorted as LALRPOP sorts terminals: by their name in the grammar, where
/// a heredoc's opening `"""` is `heredoc_start`.
fn in_tremor_order<'a>(parts: impl Iterator<Item = &'a [&'static str]>) -> Vec<&'static str> {
    let mut tokens: Vec<&'static str> = parts.flatten().copied().collect();
    tokens.sort_by_key(|t| if *t == "\"\"\"" { "heredoc_start" } else { t });
    tokens
}

/// The tokens as Tremor writes them in a message: each in backticks, comma separated.
pub(crate) fn quoted(tokens: &[&str]) -> Vec<String> {
    tokens.iter().map(|t| format!("`{t}`")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(tokens: &[&str]) -> String {
        quoted(tokens).join(", ")
    }

    #[test]
    fn lists_are_tremors() {
        assert_eq!(
            listed(&Start::FirstStatement.tokens()),
            "`!`, `\"`, `$`, `(`, `+`, `-`, `<<`, `<doc-comment>`, `<ident>`, `<mod-comment>`, \
             `[`, `absent`, `args`, `bool`, `const`, `drop`, `emit`, `event`, `float`, `fn`, \
             `for`, `group`, `\"\"\"`, `int`, `intrinsic`, `let`, `match`, `merge`, `nil`, `not`, \
             `patch`, `present`, `recur`, `state`, `use`, `window`, `{`"
        );
        assert_eq!(
            listed(&Start::UnaryOperand.tokens()),
            "`!`, `\"`, `$`, `(`, `<<`, `<ident>`, `[`, `absent`, `args`, `bool`, `event`, \
             `float`, `group`, `\"\"\"`, `int`, `merge`, `nil`, `not`, `patch`, `present`, \
             `recur`, `state`, `window`, `{`"
        );
        assert_eq!(
            listed(&after_operand(true, true)),
            "`!=`, `%`, `&`, `(`, `*`, `+`, `-`, `.`, `.`, `/`, `::`, `;`, `<`, `<<`, `<=`, \
             `==`, `>`, `>=`, `>>`, `>>>`, `[`, `^`, `and`, `or`, `xor`"
        );
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }
}
