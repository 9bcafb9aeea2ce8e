//! Test fixture: a plugin whose root module claims interface version 9.9.9 (this crate's
//! version). It mimics what a connector built against another major version of `tremor-pdk`
//! exports; the loader must skip it naming the expected and the found version.
// The `StableAbi` derive expands to these; the names are abi_stable's convention.
#![allow(non_local_definitions, non_camel_case_types)]

use abi_stable::{
    declare_root_module_statics, export_root_module, library::RootModule, package_version_strings,
    prefix_type::PrefixTypeTrait, sabi_types::VersionStrings, std_types::RStr, StableAbi,
};

/// A root module from "another interface version".
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = ConnectorMod_Ref)))]
pub struct ConnectorMod {
    /// The type name.
    #[sabi(last_prefix_field)]
    pub connector_type: RStr<'static>,
}

impl RootModule for ConnectorMod_Ref {
    declare_root_module_statics! {ConnectorMod_Ref}
    const BASE_NAME: &'static str = "tremor_connector";
    const NAME: &'static str = "tremor connector";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}

/// The exported root module.
#[export_root_module]
pub fn export_connector_module() -> ConnectorMod_Ref {
    ConnectorMod {
        connector_type: RStr::from_str("old"),
    }
    .leak_into_prefix()
}
