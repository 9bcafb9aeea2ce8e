//! The syntax tree of expressions (one module, since its types refer to each other): paths,
//! operators chains, `match` and its patterns, `for` comprehensions, `patch`, binary literals
//! and calls. Match and `for` are generic over their bodies: expression bodies inside
//! expressions, statement bodies at the top of a script (where `let`, `emit` and `drop` may
//! appear). [`super::expr`] re-exports it with the methods that walk it.

use super::error::Pos;
use super::extractors::Extractor;
use super::operators::{BinOp, Func, UnOp};
use super::stdlib::Function;
use std::fmt;
use std::sync::Arc;
use tremor_value::Value;

/// What a call calls, resolved when the script is compiled.
#[derive(Debug, Clone, Copy)]
pub enum Callee {
    /// A function of the script (by its index in the script's function table).
    Script(usize),
    /// A standard-library function.
    Std(&'static Function),
}

impl PartialEq for Callee {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Callee::Script(a), Callee::Script(b)) => a == b,
            (Callee::Std(a), Callee::Std(b)) => std::ptr::eq(*a, *b),
            _ => false,
        }
    }
}

/// `match TARGET of CASES end`.
#[derive(Debug, Clone, PartialEq)]
pub struct Match<B> {
    /// What is matched.
    pub target: Expr,
    /// The cases, in order; `default` is a case with [`Pattern::Any`].
    pub cases: Vec<Case<B>>,
    /// Where `match` is.
    pub pos: Pos,
}

/// `case PATTERN [when GUARD] => BODY`.
#[derive(Debug, Clone, PartialEq)]
pub struct Case<B> {
    /// The pattern the target must match.
    pub pattern: Pattern,
    /// A condition checked after the pattern matched (its bindings are visible).
    pub guard: Option<Expr>,
    /// What the case evaluates; the value of the last one is the match's value.
    pub body: Vec<B>,
}

/// A pattern of a `case`.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// `_` or `default`: anything.
    Any,
    /// An expression the target must equal.
    Expr(Expr),
    /// `%{ tests }`: a record passing every test.
    Record(Vec<FieldTest>),
    /// `%[ tests ]`: an array in which every test matches some element.
    Array(Vec<ElemTest>),
    /// `%( tests [, ...] )`: an array whose elements pass the tests in order.
    Tuple {
        /// One test per position.
        items: Vec<ElemTest>,
        /// `...`: more elements may follow.
        open: bool,
    },
    /// `~ kind|pattern|`: the extractor matches; its result is the matched value.
    Extract(Extract),
    /// `name = PATTERN`: binds the target (or the extractor's result) to a local.
    Assign(usize, Box<Pattern>),
}

/// `~ kind|pattern|`, compiled when the script is.
#[derive(Debug, Clone)]
pub struct Extract {
    /// `re`, `glob`, `json`, ...
    pub kind: String,
    /// The text between the bars.
    pub pattern: String,
    /// Where the `~` is.
    pub pos: Pos,
    /// The compiled extractor.
    pub compiled: Arc<Extractor>,
}

impl PartialEq for Extract {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.pattern == other.pattern
    }
}

/// One test of a record pattern, on the field `key`.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldTest {
    /// `present key`.
    Present(String),
    /// `absent key`.
    Absent(String),
    /// `key == expr`, `key > expr`, ...
    Cmp(String, BinOp, Expr),
    /// `key ~= %{ ... }` / `%[ ... ]` / `%( ... )`.
    Nested(String, Box<Pattern>),
    /// `[name =] key ~= kind|pattern|`: the extractor must match the field.
    Extract(String, Extract),
}

/// One test of an array or tuple pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum ElemTest {
    /// `_`.
    Any,
    /// An expression the element must equal.
    Expr(Expr),
    /// `%{ ... }`: a record pattern the element must match.
    Record(Vec<FieldTest>),
    /// `~ kind|pattern|`.
    Extract(Extract),
    /// `~ kind|pattern|` at an argument's place in a match function's case: the argument's
    /// local then holds what the extractor found (as in Tremor).
    Rebind(usize, Extract),
}

/// `for TARGET of case (k, v) [when G] => BODY ... [into INITIAL [use OP]] end`.
#[derive(Debug, Clone, PartialEq)]
pub struct Comprehension<B> {
    /// What is iterated: an array (k is the index) or a record.
    pub target: Expr,
    /// The cases; the first whose guard holds gives the element's result.
    pub cases: Vec<ForCase<B>>,
    /// `into INITIAL`: what results are collected into (an empty array by default).
    pub initial: Option<Expr>,
    /// `use OP`: results are folded into the accumulator with this operator.
    pub fold: Option<BinOp>,
    /// Where `for` is.
    pub pos: Pos,
}

/// `case (k, v) [when GUARD] => BODY`.
#[derive(Debug, Clone, PartialEq)]
pub struct ForCase<B> {
    /// The local slot of the key (or index).
    pub key: usize,
    /// The local slot of the value.
    pub value: usize,
    /// The condition for this case.
    pub guard: Option<Expr>,
    /// What the case evaluates to.
    pub body: Vec<B>,
}

/// `patch TARGET of OPERATIONS end`.
#[derive(Debug, Clone, PartialEq)]
pub struct Patch {
    /// The record patched (a copy; the original is unchanged).
    pub target: Expr,
    /// The operations, in order.
    pub ops: Vec<PatchOp>,
}

/// One patch operation; keys are string expressions.
#[derive(Debug, Clone, PartialEq)]
pub enum PatchOp {
    /// `insert "k" => v`: fails if `k` exists.
    Insert(Expr, Expr, Pos),
    /// `upsert "k" => v`.
    Upsert(Expr, Expr),
    /// `update "k" => v`: fails if `k` does not exist.
    Update(Expr, Expr, Pos),
    /// `erase "k"`.
    Erase(Expr),
    /// `merge "k" => v` (`None` key: `merge => v` merges into the record itself).
    Merge(Option<Expr>, Expr, Pos),
    /// `default "k" => v` (`None` key: `default => record` sets every missing key).
    Default(Option<Expr>, Expr, Pos),
    /// `copy "from" => "to"`.
    Copy(Expr, Expr, Pos),
    /// `move "from" => "to"`.
    Move(Expr, Expr, Pos),
}

/// One part of a binary literal: `data[:bits][/type-endianness]`.
#[derive(Debug, Clone, PartialEq)]
pub struct BytesPart {
    /// The value written.
    pub data: Expr,
    /// How many bits (`None`: 8 for integers, all of a binary).
    pub bits: Option<u8>,
    /// `binary`, `integer`, `signed-integer`, with `-big`/`-little` (default unsigned big).
    pub kind: BytesKind,
    /// Big endian (the default) or little.
    pub big_endian: bool,
}

/// The data type of a [`BytesPart`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BytesKind {
    /// An unsigned integer.
    Unsigned,
    /// A signed integer.
    Signed,
    /// A binary (or string) copied as it is.
    Binary,
}

/// An expression and where it starts (for operators: where the operator is).
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Its position, used in evaluation errors.
    pub pos: Pos,
}

/// A constant value.
#[derive(Clone, PartialEq)]
pub struct Literal(pub Value<'static>);

impl fmt::Debug for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Literal({:?})", &self.0)
    }
}

/// The kinds of expressions.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A constant (also what constant folding produces).
    Literal(Literal),
    /// `{ key: value, ... }`; keys are string expressions (literal or interpolated).
    Record(Vec<(Expr, Expr)>),
    /// `[a, b, ...]`.
    Array(Vec<Expr>),
    /// `event...` or `args...` followed by field or index accesses.
    Path(PathRoot, Vec<Segment>),
    /// An interpolated string `"a #{b} c"`.
    Interp(Vec<InterpPart>),
    /// `not x`, `-x`, `+x`.
    Unary(UnOp, Box<Expr>),
    /// `a OP b OP c ...`: operators of one precedence level, applied left to right. A chain is
    /// kept flat (the first operand, then each operator with its right operand) so that a
    /// 100,000-term `1 + 1 + ...` is a loop when folded, evaluated or dropped, not a tree as deep as
    /// the chain is long (which overflows the stack). Its position is its first operator's.
    Binary(Box<Expr>, Vec<Operation>),
    /// A call of a builtin function, resolved when parsed.
    Call(Func, Vec<Expr>),
    /// A call of a standard-library or script function, resolved when parsed.
    Invoke(Callee, Vec<Expr>),
    /// `present PATH` (`absent PATH` is `not present PATH`).
    Present(PathRoot, Vec<Segment>),
    /// `match ... of case ... end` whose case bodies are expressions.
    Match(Box<Match<Expr>>),
    /// `for ... of case (k, v) => ... end` whose bodies are expressions.
    For(Box<Comprehension<Expr>>),
    /// `patch TARGET of OPERATIONS end`.
    Patch(Box<Patch>),
    /// `merge TARGET of VALUE end`.
    Merge(Box<Expr>, Box<Expr>),
    /// `<<a, b:16/big, ...>>`.
    Bytes(Vec<BytesPart>),
    /// `recur(args)` inside a function: calls it again, as a loop.
    Recur(Vec<Expr>),
    /// `present` of a computed path: whether it can be read.
    Exists(Box<Expr>),
    /// `(expr)`, a call, a record or an array followed by segments.
    Access(Box<Expr>, Vec<Segment>),
}

/// One step of a [`ExprKind::Binary`] chain: the operator, where it is, and its right operand.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The operator.
    pub op: BinOp,
    /// Where the operator is (errors of this step point here).
    pub pos: Pos,
    /// The right operand.
    pub rhs: Expr,
}

/// What a path starts at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathRoot {
    /// The current event.
    Event,
    /// The arguments of the enclosing definition.
    Args,
    /// `$`: the event's metadata.
    Meta,
    /// `state`: kept by the script instance from event to event.
    State,
    /// A local variable, by its slot.
    Local(usize),
}

impl fmt::Display for PathRoot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PathRoot::Event => "event",
            PathRoot::Args => "args",
            PathRoot::Meta => "$",
            PathRoot::State => "state",
            PathRoot::Local(_) => "local",
        })
    }
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// `.name` or `["name"]`.
    Field(String),
    /// `[expr]` with a key or index only known when evaluated.
    Index(Box<Expr>),
    /// `[start:end]`: the elements `start..end` of an array.
    Range(Box<Expr>, Box<Expr>),
}

/// One part of an interpolated string.
#[derive(Debug, Clone, PartialEq)]
pub enum InterpPart {
    /// Literal text.
    Lit(String),
    /// `#{expr}`: strings are inserted as they are, other values as compact JSON.
    Expr(Expr),
}
