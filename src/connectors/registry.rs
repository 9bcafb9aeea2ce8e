//! The connector types this process knows: builtins from `inventory`, plugins from files.

use std::{collections::BTreeMap, fmt, path::PathBuf};
use tremor_pdk::{BuiltinConnector, ConnectorMod_Ref};

/// Where a connector type comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Linked into this binary.
    Builtin,
    /// Loaded from a plugin file.
    Plugin {
        /// The file.
        path: PathBuf,
        /// Its SHA-256, hex.
        sha256: String,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Builtin => f.write_str("builtin"),
            Self::Plugin { path, .. } => write!(f, "{}", path.display()),
        }
    }
}

/// A connector type: its root module and where it came from.
#[derive(Clone)]
pub struct ConnectorType {
    /// The stable-ABI root module.
    pub module: ConnectorMod_Ref,
    /// Builtin or plugin file.
    pub origin: Origin,
}

impl ConnectorType {
    /// The type name (`file`, `metronome`, ...).
    pub fn name(&self) -> &'static str {
        self.module.connector_type().as_str()
    }
    /// The connector crate's version.
    pub fn connector_version(&self) -> &'static str {
        self.module.connector_version().as_str()
    }
    /// The pdk version it was built against.
    pub fn interface_version(&self) -> &'static str {
        self.module.interface_version().as_str()
    }
}

impl fmt::Debug for ConnectorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorType")
            .field("name", &self.name())
            .field("origin", &self.origin)
            .finish()
    }
}

/// A second provider of a type that is already registered. Policy: the first registration wins
/// (builtins before plugins, plugins in search-path order); the second is refused and reported.
#[derive(Debug, Clone)]
pub struct DuplicateType {
    /// The type name.
    pub name: String,
    /// The origin that was kept.
    pub kept: Origin,
    /// The origin that was refused.
    pub refused: Origin,
}

impl fmt::Display for DuplicateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "connector type `{}` is provided twice: keeping {}, ignoring {}",
            self.name, self.kept, self.refused
        )
    }
}

/// The known connector types, by name.
#[derive(Debug, Default, Clone)]
pub struct Registry {
    types: BTreeMap<String, ConnectorType>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every builtin connector linked into this binary.
    pub fn with_builtins() -> Self {
        let mut registry = Self::new();
        for builtin in BuiltinConnector::all() {
            let ty = ConnectorType {
                module: (builtin.connector_module)(),
                origin: Origin::Builtin,
            };
            if let Err(dup) = registry.register(ty) {
                log::warn!("{dup}");
            }
        }
        registry
    }

    /// Adds a type; refuses a name that is already registered.
    pub fn register(&mut self, ty: ConnectorType) -> Result<(), DuplicateType> {
        let name = ty.name().to_string();
        if let Some(existing) = self.types.get(&name) {
            return Err(DuplicateType {
                name,
                kept: existing.origin.clone(),
                refused: ty.origin,
            });
        }
        self.types.insert(name, ty);
        Ok(())
    }

    /// The type called `name`.
    pub fn get(&self, name: &str) -> Option<&ConnectorType> {
        self.types.get(name)
    }

    /// All types, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &ConnectorType> {
        self.types.values()
    }

    /// The sorted type names.
    pub fn names(&self) -> Vec<&str> {
        self.types.keys().map(String::as_str).collect()
    }
}
