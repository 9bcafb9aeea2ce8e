//! `tremor-pdk`: the stable-ABI connector interface of the tremor runtime.
//!
//! Every connector — linked into the `tremor` binary or loaded from a shared library — is reached
//! by the runtime only through the types of this crate. It knows nothing of the runtime: no
//! channels, no executor, no runtime types. A connector crate depends on `tremor-pdk` (and maybe
//! `tremor-value`) plus its own I/O crates.
//!
//! # Writing a connector
//!
//! Implement [`Connector`] (control plane) and, where the connector reads or writes, [`Source`]
//! and/or [`Sink`] (data plane). Then declare the module once:
//!
//! ```ignore
//! pub const CONNECTOR_TYPE: &str = "null";
//! tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);
//! fn new_connector(ctx: ConnectorContext, config: &str) -> Result<NullConnector, ConnectorError> { .. }
//! ```
//!
//! A connector without a connection of its own (a timer, the process's streams) can skip its
//! `Connector` implementation: [`parts::PartsConnector`] names the codec requirement and
//! builds the parts.
//!
//! Parse the config with [`config::parse`] (one error shape for every connector), give I/O
//! errors their context with [`io::IoResultExt`], and test the parts with the builders and
//! drivers of [`testing`]. These helpers are plain Rust around the interface: they add nothing
//! to what crosses the boundary.
//!
//! [`connector_module!`] registers the connector as a builtin (through `inventory`) and, when the
//! crate is built with its `plugin` feature as a `cdylib`, exports the root module so that the
//! runtime can load it with `--plugin-path`.
//!
//! # How the host loads a plugin
//!
//! The host opens each file on its own with `abi_stable::library::lib_header_from_path`, then
//! checks in two steps: first the interface version the plugin was built against (the version
//! of this crate, see [`INTERFACE_VERSION`]: the same `0.x` minor, or from 1.0 the same major),
//! refusing another one with both versions named; then the layout of every type reachable from
//! the root module, naming the first field that differs. Only then does
//! `init_root_module::<ConnectorMod_Ref>()` run the plugin's code. Before any of that, `tremor
//! plugins inspect` can read a plugin's [`manifest`] without loading it.
//!
//! The version rule (docs/adr/0002): a change to any type that crosses the boundary bumps the
//! minor (before 1.0) or the major; anything else (helpers, docs, fixes inside adapters) the
//! patch. New root-module fields and `#[sabi_trait]` methods go below `last_prefix_field`; that
//! is still a minor: abi_stable loads a plugin whose prefix types are longer than the host's
//! (a newer patch), never shorter (an older plugin).
//!
//! # Evolving the interface
//!
//! [`ConnectorMod`] is a prefix type: new fields go below the field marked
//! `#[sabi(last_prefix_field)]`; moving that attribute is a breaking change. Enums that may grow
//! are non-exhaustive (`SourceReply`) or open integer newtypes (`ErrorKind`, `EventAck`,
//! `CbAction`, `CodecRequirement`): a host must treat unknown values conservatively.
//!
//! # Rules that keep the host alive
//!
//! * Panics never cross the boundary: the adapters in this crate catch every panic on the plugin
//!   side and turn it into a [`ConnectorError`] of kind [`ErrorKind::PANIC`].
//! * A plugin has its own copy of every static, including `log`'s logger: [`ConnectorContext`]
//!   carries a logging bridge which the generated module installs, so `log::info!` in a plugin
//!   ends up in the host's log.
//! * Payloads cross as bytes (`RVec<u8>`, moved, never converted) and in batches; only the
//!   control plane (connect, start, pause, ...) allocates a future per call.
//! * A plugin built with its `plugin` feature gets mimalloc as its global allocator from
//!   [`connector_module!`], like the host; a plugin crate must not declare another one.

#![deny(missing_docs)]
// `#[sabi_trait]` and `StableAbi` derives expand to items that trigger these lints on current
// rustc; the expansions are abi_stable's, not ours.
#![allow(non_local_definitions, non_camel_case_types)]

#[macro_use]
mod open_set;

mod adapter;
pub mod config;
mod connector;
mod context;
mod error;
pub mod io;
mod logging;
pub mod manifest;
mod panic;
pub mod parts;
mod root;
mod sink;
mod source;
pub mod testing;

pub use adapter::{into_raw_connector, into_raw_sink, into_raw_source, Connector, Sink, Source};
pub use connector::{CodecRequirement, RawConnector, RawConnectorBox, RawConnector_TO};
pub use context::{ConnectorContext, HostServices, HostServicesBox, HostServices_TO};
pub use error::{ConnectorError, ErrorKind, Result};
pub use logging::LogLevel;
pub use manifest::{MANIFEST_HEADER, MANIFEST_SECTION, MANIFEST_SYMBOL};
pub use root::{BuiltinConnector, ConnectorMod, ConnectorMod_Ref, NewConnectorFn};
pub use sink::{
    CbAction, EventAck, EventReply, RawSink, RawSinkBox, RawSink_TO, SinkBatch, SinkEvent,
    SinkEventView, SinkReplies,
};
pub use source::{
    Binary, PayloadFormat, RawSource, RawSourceBox, RawSource_TO, SourceBatch, SourceReply,
    SourceReply_NE, StructuredEvent,
};

/// The interface version: the version of this crate. A host accepts plugins built against an
/// interface version that is semver-compatible with its own (for `0.x`: the same minor).
pub const INTERFACE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Re-exports used by the macros of this crate; not part of the public interface.
#[doc(hidden)]
pub mod __private {
    pub use crate::panic::install_plugin_panic_hook;
    pub use abi_stable;
    pub use inventory;
    pub use mimalloc;
}

/// Declares a connector module: builtin registration, and the plugin export under the calling
/// crate's `plugin` feature.
///
/// * `$type_name`: a `&'static str` const with the connector type name (`"file"`).
/// * `$constructor`: `fn(ConnectorContext, &str) -> Result<C, ConnectorError>` where `C:
///   Connector`; the `&str` is the connector's `config` record as JSON text.
///
/// * `input_ports = ["in", ...]` (optional): the ports its sink takes events on; default
///   `["in"]`.
/// * `codec_in_config` (optional, instead of `input_ports`): the connector takes the
///   deployment's connector-level codec as the key `codec` of its config record (see
///   [`ConnectorMod::codec_in_config`]).
///
/// It defines `pub fn connector_module() -> ConnectorMod_Ref` in the calling module. The
/// connector version reported by `tremor plugins list` is the calling crate's version. In
/// plugin builds it also embeds the [`manifest`] that `tremor plugins inspect` reads.
#[macro_export]
macro_rules! connector_module {
    (@module $type_name:expr, $constructor:path, [$($port:literal),+], $codec_in_config:literal) => {
        /// The stable-ABI root module of this connector.
        pub fn connector_module() -> $crate::ConnectorMod_Ref {
            use $crate::__private::abi_stable::{
                prefix_type::{PrefixRefTrait, WithMetadata},
                std_types::{RResult, RSlice, RStr},
            };
            extern "C" fn __tremor_pdk_new(
                ctx: $crate::ConnectorContext,
                config: RStr<'_>,
            ) -> RResult<$crate::RawConnectorBox, $crate::ConnectorError> {
                $crate::ConnectorMod::construct(ctx, config, $constructor)
            }
            const MODULE: &WithMetadata<$crate::ConnectorMod> =
                &WithMetadata::new($crate::ConnectorMod {
                    connector_type: RStr::from_str($type_name),
                    connector_version: RStr::from_str(env!("CARGO_PKG_VERSION")),
                    interface_version: RStr::from_str($crate::INTERFACE_VERSION),
                    new: __tremor_pdk_new,
                    input_ports: RSlice::from_slice(&[$(RStr::from_str($port)),+]),
                    codec_in_config: $codec_in_config,
                });
            $crate::ConnectorMod_Ref::from_prefix_ref(MODULE.static_as_prefix())
        }

        $crate::__private::inventory::submit! {
            $crate::BuiltinConnector { connector_module }
        }

        /// A plugin uses the same allocator as the host: its own copy of mimalloc (a cdylib
        /// would otherwise get glibc's malloc). Payload chunks are allocated in the plugin and
        /// freed (through `RVec`'s vtable, by the plugin's allocator) on a host thread, once per
        /// event: with glibc that alone cost the dynamic build ~3 % of throughput against the
        /// builtin one (see docs/benchmarks.md).
        #[cfg(feature = "plugin")]
        #[global_allocator]
        static __TREMOR_PDK_PLUGIN_ALLOCATOR: $crate::__private::mimalloc::MiMalloc =
            $crate::__private::mimalloc::MiMalloc;

        /// What `tremor plugins inspect` reads without loading the file (see
        /// `tremor_pdk::manifest`): the pieces of the manifest text, in order.
        #[cfg(feature = "plugin")]
        const __TREMOR_PDK_MANIFEST_PIECES: &[&[&str]] = &[
            &[
                $crate::MANIFEST_HEADER,
                "\ntype=",
                $type_name,
                "\nconnector_version=",
                env!("CARGO_PKG_VERSION"),
                "\ninterface_version=",
                $crate::INTERFACE_VERSION,
                "\nabi_stable_version=",
                $crate::manifest::ABI_STABLE_VERSION,
                "\ninput_ports=",
            ],
            &[$($port, ","),+],
            &["\ntarget="],
            $crate::manifest::TARGET,
            &[
                "\nprofile=",
                if cfg!(debug_assertions) { "debug" } else { "release" },
                "\n",
            ],
        ];
        #[cfg(feature = "plugin")]
        const __TREMOR_PDK_MANIFEST_LEN: usize =
            $crate::manifest::pieces_len(__TREMOR_PDK_MANIFEST_PIECES);

        /// The plugin's manifest, in its own section and exported, so that it is kept and
        /// found by name (`tremor_pdk::MANIFEST_SECTION`, `tremor_pdk::MANIFEST_SYMBOL`).
        #[cfg(feature = "plugin")]
        #[used]
        #[unsafe(no_mangle)]
        #[unsafe(link_section = ".tremor_connector")]
        pub static TREMOR_CONNECTOR_MANIFEST: [u8; __TREMOR_PDK_MANIFEST_LEN] =
            $crate::manifest::concat_pieces::<__TREMOR_PDK_MANIFEST_LEN>(
                __TREMOR_PDK_MANIFEST_PIECES,
            );

        /// The symbol the host's loader looks for in a plugin file.
        #[cfg(feature = "plugin")]
        #[$crate::__private::abi_stable::export_root_module]
        pub fn export_connector_module() -> $crate::ConnectorMod_Ref {
            $crate::__private::install_plugin_panic_hook();
            connector_module()
        }
    };
    ($type_name:expr, $constructor:path) => {
        $crate::connector_module!(@module $type_name, $constructor, ["in"], false);
    };
    ($type_name:expr, $constructor:path, codec_in_config) => {
        $crate::connector_module!(@module $type_name, $constructor, ["in"], true);
    };
    ($type_name:expr, $constructor:path, input_ports = [$($port:literal),+ $(,)?]) => {
        $crate::connector_module!(@module $type_name, $constructor, [$($port),+], false);
    };
}
