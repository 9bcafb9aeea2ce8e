//! What a script has declared while it is parsed: local variables (resolved to slots),
//! constants (folded to values) and functions (resolved to indexes), so nothing is looked up by
//! name when the script runs.

use super::stmt::Stmt;
use std::collections::HashMap;
use tremor_value::Value;

/// A function of the script.
#[derive(Debug, Clone, PartialEq)]
pub struct FnDef {
    /// Its name, with the module path it was declared in (`m::f`).
    pub name: String,
    /// How many named arguments it takes.
    pub arity: usize,
    /// `...`: further arguments are accepted (and available as `args`).
    pub open: bool,
    /// The statements of its body; the last value is the result.
    pub body: Vec<Stmt>,
    /// How many local slots the body uses (the arguments are the first ones).
    pub locals: usize,
    /// The names of its local slots, by slot (for "non existing local" errors).
    pub local_names: Vec<String>,
}

/// The names of one script.
#[derive(Debug, Default)]
pub struct Scope {
    /// The local names of the body being parsed, by slot.
    pub locals: Vec<String>,
    /// Constants by qualified name, already evaluated.
    pub consts: HashMap<String, Value<'static>>,
    /// The functions, by index; a function is registered before its body is parsed, so it can
    /// call itself.
    pub fns: Vec<FnDef>,
    /// Function names (with module path) to indexes.
    pub fn_names: HashMap<String, usize>,
    /// The module path the parser is in (`mod m with ... end` pushes `m`).
    pub module: Vec<String>,
    /// `use a::b as c` of standard modules: `c` stands for `a::b`.
    pub aliases: HashMap<String, String>,
    /// The module files being loaded, outermost first (a file using itself is a cycle).
    pub loading: Vec<String>,
    /// The index of the function whose body is parsed (for `recur`).
    pub current_fn: Option<usize>,
    /// Inside a `select`: its aggregate function calls so far, each standing for a hidden
    /// local; `None` elsewhere, where aggregate functions are unknown.
    pub aggregates: Option<Vec<super::aggregate_call::AggregateCall>>,
}

impl Scope {
    /// The slot of the local `name`, declaring it if it is new.
    pub fn local(&mut self, name: &str) -> usize {
        if let Some(i) = self.locals.iter().position(|n| n == name) {
            return i;
        }
        self.locals.push(name.to_string());
        self.locals.len() - 1
    }

    /// The slot of an existing local.
    #[must_use]
    pub fn existing_local(&self, name: &str) -> Option<usize> {
        self.locals.iter().position(|n| n == name)
    }

    /// `path` with a leading `use` alias replaced by what it stands for.
    #[must_use]
    pub fn unalias(&self, path: &str) -> String {
        let (first, rest) = path.split_once("::").unwrap_or((path, ""));
        match self.aliases.get(first) {
            Some(full) if rest.is_empty() => full.clone(),
            Some(full) => format!("{full}::{rest}"),
            None => path.to_string(),
        }
    }

    /// The name as declared in the current module.
    #[must_use]
    pub fn qualified(&self, name: &str) -> String {
        if self.module.is_empty() {
            name.to_string()
        } else {
            format!("{}::{name}", self.module.join("::"))
        }
    }

    /// A constant or function named `path` as written, looked up in the current module first,
    /// then from the top.
    pub fn resolve<'s, T>(
        &'s self,
        path: &str,
        table: impl Fn(&'s Self, &str) -> Option<T>,
    ) -> Option<T> {
        let mut prefix = self.module.clone();
        loop {
            let full = if prefix.is_empty() {
                path.to_string()
            } else {
                format!("{}::{path}", prefix.join("::"))
            };
            if let Some(found) = table(self, &full) {
                return Some(found);
            }
            prefix.pop()?;
        }
    }
}
