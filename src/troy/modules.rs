//! Finding and loading the modules named by `use`.
//!
//! `use a::b;` looks for `a/b.tremor` (then `.trickle`, `.troy`, as Tremor does) in each
//! `TREMOR_PATH` directory in order and takes the first file found. Each module file is parsed
//! once per deployment, however often it is used, and a module that (indirectly) uses itself is
//! an error rather than endless recursion.

use super::ast::{ConnectorDef, File, FlowDef, Ident, PipelineDef, Use};
use super::builtins::{self, Builtin};
use super::error::TroyError;
use super::parser::parse_file;
use crate::script::module_path;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// A parsed module: its definitions and where they come from.
#[derive(Debug)]
pub struct Module {
    /// The module's path as written in `use` (`integration`, `tremor::connectors`).
    pub name: String,
    /// The file its definitions were read from, for error messages.
    pub file: String,
    /// Its statements (only `use` and definitions, flows included).
    pub ast: File,
}

impl Module {
    /// The connector definition called `name`.
    #[must_use]
    pub fn connector(&self, name: &str) -> Option<&ConnectorDef> {
        self.ast.connectors.iter().find(|d| d.name.name == name)
    }

    /// The pipeline definition called `name`.
    #[must_use]
    pub fn pipeline(&self, name: &str) -> Option<&PipelineDef> {
        self.ast.pipelines.iter().find(|d| d.name.name == name)
    }

    /// The flow definition called `name` (`deploy flow ALIAS from MODULE::NAME`).
    #[must_use]
    pub fn flow(&self, name: &str) -> Option<&FlowDef> {
        self.ast.flows.iter().find(|d| d.name.name == name)
    }
}

/// Loads modules for one deployment, caching them by file.
pub struct Loader {
    tremor_path: Vec<PathBuf>,
    cache: HashMap<String, Rc<Module>>,
    loading: Vec<String>,
}

/// Fails when two definitions of the same kind share a name.
///
/// # Errors
/// Names the second definition and where the first one is.
pub fn check_unique<'a>(
    file: &str,
    kind: &str,
    names: impl Iterator<Item = &'a Ident>,
) -> Result<(), TroyError> {
    let mut seen: HashMap<&str, &Ident> = HashMap::new();
    for n in names {
        if let Some(first) = seen.insert(&n.name, n) {
            return Err(TroyError::at(
                file,
                n.pos,
                format!(
                    "duplicate {kind} definition `{}` (first defined at {})",
                    n.name, first.pos
                ),
            ));
        }
    }
    Ok(())
}

/// Fails when two connector or two pipeline definitions of one scope (a file, a module or a
/// flow) share a name.
///
/// # Errors
/// As [`check_unique`].
pub fn check_unique_definitions(
    file: &str,
    connectors: &[ConnectorDef],
    pipelines: &[PipelineDef],
) -> Result<(), TroyError> {
    check_unique(file, "connector", connectors.iter().map(|d| &d.name))?;
    check_unique(file, "pipeline", pipelines.iter().map(|d| &d.name))
}

impl Loader {
    /// A loader searching `tremor_path` in order.
    #[must_use]
    pub fn new(tremor_path: &[PathBuf]) -> Self {
        Self {
            tremor_path: tremor_path.to_vec(),
            cache: HashMap::new(),
            loading: Vec::new(),
        }
    }

    /// Resolves `u`, written in `in_file`. `None` means a function module (`std::time::nanos`),
    /// whose functions need no loading.
    ///
    /// # Errors
    /// When the module is unknown, not found on the path (the message lists the directories
    /// searched), unreadable, does not parse, or is not a valid module file.
    pub fn load(&mut self, u: &Use, in_file: &str) -> Result<Option<Rc<Module>>, TroyError> {
        let segs: Vec<&str> = u.path.iter().map(|i| i.name.as_str()).collect();
        let full = segs.join("::");
        match builtins::lookup(&segs) {
            Some(Builtin::Functions) => return Ok(None),
            Some(Builtin::Definitions { name, source }) => {
                if let Some(m) = self.cache.get(name) {
                    return Ok(Some(Rc::clone(m)));
                }
                let ast = parse_file(source, name)?;
                let m = Rc::new(Module {
                    name: name.to_string(),
                    file: name.to_string(),
                    ast,
                });
                self.cache.insert(name.to_string(), Rc::clone(&m));
                return Ok(Some(m));
            }
            None => {}
        }
        if builtins::is_reserved(u) {
            return Err(TroyError::at(
                in_file,
                u.pos,
                format!(
                    "unknown module `{full}`: the builtin modules are tremor::connectors, \
                     tremor::pipelines and std::time::nanos"
                ),
            ));
        }
        if let Some(file) = module_path::find(&self.tremor_path, &segs) {
            return self.load_file(&file, &full, u, in_file).map(Some);
        }
        let mut rel: PathBuf = segs.iter().collect();
        rel.set_extension("tremor");
        let searched = if self.tremor_path.is_empty() {
            "TREMOR_PATH is empty, no directory was searched".to_string()
        } else {
            let dirs: Vec<String> = self
                .tremor_path
                .iter()
                .map(|d| d.display().to_string())
                .collect();
            format!("searched the TREMOR_PATH directories: {}", dirs.join(", "))
        };
        Err(TroyError::at(
            in_file,
            u.pos,
            format!(
                "module `{full}` not found: no file `{}` ({searched})",
                rel.display()
            ),
        ))
    }

    fn load_file(
        &mut self,
        path: &Path,
        full: &str,
        u: &Use,
        in_file: &str,
    ) -> Result<Rc<Module>, TroyError> {
        let key = path
            .canonicalize()
            .unwrap_or_else(|_| path.to_path_buf())
            .display()
            .to_string();
        if let Some(m) = self.cache.get(&key) {
            return Ok(Rc::clone(m));
        }
        if self.loading.contains(&key) {
            return Err(TroyError::at(
                in_file,
                u.pos,
                format!(
                    "module `{full}` uses itself (through {})",
                    self.loading.join(" -> ")
                ),
            ));
        }
        let file = path.display().to_string();
        let src = std::fs::read_to_string(path).map_err(|e| {
            TroyError::at(
                in_file,
                u.pos,
                format!("cannot read module file {file}: {e}"),
            )
        })?;
        let ast = parse_file(&src, &file)?;
        if let Some(d) = ast.deploys.first() {
            return Err(TroyError::at(
                &file,
                d.pos,
                "a module file may only contain `use` and `define connector|pipeline|flow` \
                 (found `deploy`)",
            ));
        }
        check_unique_definitions(&file, &ast.connectors, &ast.pipelines)?;
        check_unique(&file, "flow", ast.flows.iter().map(|d| &d.name))?;
        self.loading.push(key.clone());
        let nested: Result<Vec<_>, _> = ast.uses.iter().map(|n| self.load(n, &file)).collect();
        self.loading.pop();
        nested?;
        let m = Rc::new(Module {
            name: full.to_string(),
            file,
            ast,
        });
        self.cache.insert(key, Rc::clone(&m));
        Ok(m)
    }
}

#[cfg(test)]
#[path = "modules_tests.rs"]
mod tests;
