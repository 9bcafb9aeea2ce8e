//! The connector types this process knows: builtins from `inventory`, plugins from files.

use super::parts::ConnectorPart;
use abi_stable::std_types::RStr;
use std::{collections::BTreeMap, fmt, path::PathBuf, sync::Arc};
use tremor_pdk::{BuiltinConnector, ConnectorContext, ConnectorError, ConnectorMod_Ref};

/// Where a connector type comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Linked into this binary.
    Builtin,
    /// Implemented on the runtime's internal traits, without the stable-ABI layer (the
    /// benchmarks' baseline; never used by the `tremor` binary).
    Native,
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
            Self::Native => f.write_str("native"),
            Self::Plugin { path, .. } => write!(f, "{}", path.display()),
        }
    }
}

/// Creates a native connector instance from its context and config (JSON text).
pub type NativeConstructor = Arc<
    dyn Fn(ConnectorContext, &str) -> Result<Box<dyn ConnectorPart>, ConnectorError> + Send + Sync,
>;

/// How instances of a type are made.
#[derive(Clone)]
pub enum Factory {
    /// Through the stable-ABI root module (builtins and plugins).
    Module(ConnectorMod_Ref),
    /// Directly on the runtime's internal traits (benchmark baseline only).
    Native {
        /// The type name.
        name: &'static str,
        /// The implementation's version.
        version: &'static str,
        /// The constructor.
        new: NativeConstructor,
    },
}

/// A connector type: how to make instances, and where it came from.
#[derive(Clone)]
pub struct ConnectorType {
    /// How instances are made.
    pub factory: Factory,
    /// Builtin, plugin file, or native.
    pub origin: Origin,
}

impl ConnectorType {
    /// A type reached through its stable-ABI root module.
    pub fn from_module(module: ConnectorMod_Ref, origin: Origin) -> Self {
        Self {
            factory: Factory::Module(module),
            origin,
        }
    }

    /// The type name (`file`, `metronome`, ...).
    pub fn name(&self) -> &'static str {
        match &self.factory {
            Factory::Module(m) => m.connector_type().as_str(),
            Factory::Native { name, .. } => name,
        }
    }
    /// The connector crate's version.
    pub fn connector_version(&self) -> &'static str {
        match &self.factory {
            Factory::Module(m) => m.connector_version().as_str(),
            Factory::Native { version, .. } => version,
        }
    }
    /// The pdk version it was built against (`-` for native types).
    pub fn interface_version(&self) -> &'static str {
        match &self.factory {
            Factory::Module(m) => m.interface_version().as_str(),
            Factory::Native { .. } => "-",
        }
    }

    /// The input ports its sink takes events on; `None` when any port is accepted (native
    /// types, and plugins built before pdk could say).
    pub fn input_ports(&self) -> Option<Vec<&'static str>> {
        match &self.factory {
            Factory::Module(m) => m
                .input_ports()
                .map(|ports| ports.as_slice().iter().map(|p| p.as_str()).collect()),
            Factory::Native { .. } => None,
        }
    }

    /// Whether an instance takes the deployment's connector-level codec as the key `codec` of
    /// its config (pdk's `codec_in_config`; false for native types, and should the accessor
    /// find no field, which a plugin passing the version check always has).
    pub fn codec_in_config(&self) -> bool {
        match &self.factory {
            Factory::Module(m) => m.codec_in_config().unwrap_or(false),
            Factory::Native { .. } => false,
        }
    }

    /// Creates an instance with its context and `config` record (JSON text).
    pub fn instantiate(
        &self,
        ctx: ConnectorContext,
        config: &str,
    ) -> Result<Box<dyn ConnectorPart>, ConnectorError> {
        match &self.factory {
            Factory::Module(m) => {
                let connector = (m.new())(ctx, RStr::from_str(config)).into_result()?;
                Ok(Box::new(connector))
            }
            Factory::Native { new, .. } => new(ctx, config),
        }
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
            let ty = ConnectorType::from_module((builtin.connector_module)(), Origin::Builtin);
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

    /// Removes the type called `name` (to replace it, e.g. by a plugin in a benchmark).
    pub fn remove(&mut self, name: &str) -> Option<ConnectorType> {
        self.types.remove(name)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn native(name: &'static str, origin: Origin) -> ConnectorType {
        ConnectorType {
            factory: Factory::Native {
                name,
                version: "0",
                new: Arc::new(|_, _| Err(ConnectorError::config("not used"))),
            },
            origin,
        }
    }

    #[test]
    fn a_second_provider_of_a_type_is_refused_naming_both_origins() {
        let mut registry = Registry::new();
        registry
            .register(native("file", Origin::Builtin))
            .expect("first provider");
        let plugin = Origin::Plugin {
            path: PathBuf::from("/plugins/libfile.so"),
            sha256: "00".into(),
        };
        let dup = registry
            .register(native("file", plugin))
            .expect_err("the builtin came first");
        let message = dup.to_string();
        assert!(message.contains("keeping builtin"), "{message}");
        assert!(
            message.contains("ignoring /plugins/libfile.so"),
            "{message}"
        );
        assert!(matches!(
            registry.get("file").map(|t| &t.origin),
            Some(Origin::Builtin)
        ));
    }

    #[test]
    fn types_are_listed_sorted_by_name() {
        let mut registry = Registry::new();
        for name in ["udp_server", "bench", "file"] {
            registry
                .register(native(name, Origin::Native))
                .expect("distinct");
        }
        assert_eq!(registry.names(), ["bench", "file", "udp_server"]);
    }
}
