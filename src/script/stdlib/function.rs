//! The shape of a library function and of its errors (a leaf module, so the function modules
//! and the registry in `stdlib` do not import each other).

use super::env::CallEnv;
use std::fmt;
use tremor_value::Value;

/// What every library function returns.
pub(crate) type Res = Result<Value<'static>, FnError>;

/// The raw function pointer behind a [`Function`].
pub type CallFn = fn(&mut CallEnv<'_>, &[&Value<'_>]) -> Result<Value<'static>, FnError>;

/// One function of the standard library.
#[derive(Debug)]
pub struct Function {
    /// The full path as scripts name it, e.g. `std::string::len`.
    pub name: &'static str,
    /// The fewest arguments it takes.
    pub min_arity: usize,
    /// The most arguments it takes (`usize::MAX` for variadic functions).
    pub max_arity: usize,
    /// The implementation; prefer [`Function::invoke`], which checks the arity and names the
    /// function in errors.
    pub call: CallFn,
}

impl Function {
    /// A table entry.
    #[must_use]
    pub const fn new(name: &'static str, min_arity: usize, max_arity: usize, call: CallFn) -> Self {
        Self {
            name,
            min_arity,
            max_arity,
            call,
        }
    }

    /// The name Tremor uses in error messages: the path without its `std::` / `tremor::`
    /// root (`string::len`, `system::ingest_ns`).
    #[must_use]
    pub fn tremor_name(&self) -> &'static str {
        self.name
            .strip_prefix("std::")
            .or_else(|| self.name.strip_prefix("tremor::"))
            .unwrap_or(self.name)
    }

    /// Whether the result depends only on the arguments, so a call with constant arguments
    /// may be folded when a script is compiled (Tremor's "const" functions). Impure: the clock,
    /// the host, the event's origin and ingest time, random draws and test assertions.
    #[must_use]
    pub fn is_pure(&self) -> bool {
        const IMPURE: &[&str] = &[
            "tremor::system::",
            "tremor::origin::",
            "std::random::",
            "std::test::",
            "std::win::",
            "cncf::",
            "google::",
        ];
        !IMPURE.iter().any(|p| self.name.starts_with(p))
    }

    /// Calls the function: checks the number of arguments first, and fills the function's
    /// name and the call's arity into any error.
    ///
    /// # Errors
    /// Tremor's bad-arity, bad-type and runtime errors.
    pub fn invoke(
        &self,
        env: &mut CallEnv<'_>,
        args: &[&Value<'_>],
    ) -> Result<Value<'static>, FnError> {
        let named = |kind| FnError {
            function: self.tremor_name(),
            arity: args.len(),
            kind,
        };
        if args.len() < self.min_arity || args.len() > self.max_arity {
            return Err(named(FnErrorKind::BadArity {
                min: self.min_arity,
                max: self.max_arity,
            }));
        }
        (self.call)(env, args).map_err(|e| named(e.kind))
    }
}

/// What went wrong in a function call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FnErrorKind {
    /// An argument has a type the function does not take.
    BadType,
    /// The call has too few or too many arguments.
    BadArity {
        /// The fewest the function takes.
        min: usize,
        /// The most the function takes.
        max: usize,
    },
    /// The arguments have the right types but the function cannot compute a result.
    Runtime(String),
}

/// An error of a function call, displayed as Tremor displays it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FnError {
    function: &'static str,
    arity: usize,
    kind: FnErrorKind,
}

impl FnError {
    /// An argument of the wrong type.
    #[must_use]
    pub fn bad_type() -> Self {
        Self::of(FnErrorKind::BadType)
    }

    /// A runtime error with Tremor's message.
    #[must_use]
    pub fn runtime(message: impl Into<String>) -> Self {
        Self::of(FnErrorKind::Runtime(message.into()))
    }

    fn of(kind: FnErrorKind) -> Self {
        Self {
            function: "",
            arity: 0,
            kind,
        }
    }

    /// The function's Tremor name (`string::len`); empty when raised outside [`Function::invoke`].
    #[must_use]
    pub fn function(&self) -> &'static str {
        self.function
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> &FnErrorKind {
        &self.kind
    }
}

impl fmt::Display for FnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, arity) = (self.function, self.arity);
        match &self.kind {
            FnErrorKind::BadType => write!(f, "Bad type passed to function {name}/{arity}"),
            FnErrorKind::BadArity { min, max } => write!(
                f,
                "Bad arity for function {name}/{min}..={max} but was called with {arity} arguments"
            ),
            FnErrorKind::Runtime(msg) => {
                write!(f, "Runtime error in function {name}/{arity}: {msg}")
            }
        }
    }
}

impl std::error::Error for FnError {}
