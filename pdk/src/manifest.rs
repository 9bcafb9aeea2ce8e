//! The manifest a plugin file carries, readable without loading the file.
//!
//! [`crate::connector_module!`] writes it in plugin builds (the `plugin` feature) as the
//! exported static [`MANIFEST_SYMBOL`] in its own ELF section [`MANIFEST_SECTION`], so that
//! `tremor plugins inspect` can describe a plugin by parsing the file as data: no `dlopen`, no
//! code of the plugin runs. It is text, one `key=value` per line after [`MANIFEST_HEADER`]:
//!
//! ```text
//! tremor-connector-manifest 1
//! type=null
//! connector_version=0.1.0
//! interface_version=0.1.0
//! abi_stable_version=0.11.3
//! input_ports=in,
//! target=x86_64-linux-gnu
//! profile=debug
//! ```
//!
//! `input_ports` is a comma list (with a trailing comma); `profile` is `debug` when the plugin
//! was built with debug assertions, else `release`. New keys may be added; readers ignore keys
//! they do not know.

/// The first line of every manifest (the `1` is the manifest format, not the interface).
pub const MANIFEST_HEADER: &str = "tremor-connector-manifest 1";

/// The ELF section holding the manifest.
pub const MANIFEST_SECTION: &str = ".tremor_connector";

/// The exported symbol of the manifest (a byte array).
pub const MANIFEST_SYMBOL: &str = "TREMOR_CONNECTOR_MANIFEST";

/// The abi_stable version this crate was built with.
pub const ABI_STABLE_VERSION: &str = {
    let version = abi_stable::ABI_STABLE_VERSION.version;
    // SAFETY: an `RStr` is `len` bytes of valid UTF-8 at `as_ptr`, borrowed for 'static here.
    unsafe {
        core::str::from_utf8_unchecked(core::slice::from_raw_parts(version.as_ptr(), version.len()))
    }
};

/// The target this crate was built for, as `ARCH-OS[-ENV]` (`x86_64-linux-gnu`).
pub const TARGET: &[&str] = &[
    std::env::consts::ARCH,
    "-",
    std::env::consts::OS,
    if cfg!(target_env = "gnu") {
        "-gnu"
    } else if cfg!(target_env = "musl") {
        "-musl"
    } else if cfg!(target_env = "msvc") {
        "-msvc"
    } else {
        ""
    },
];

/// The total length of `pieces`.
pub const fn pieces_len(pieces: &[&[&str]]) -> usize {
    let mut len = 0;
    let mut i = 0;
    while i < pieces.len() {
        let mut j = 0;
        while j < pieces[i].len() {
            len += pieces[i][j].len();
            j += 1;
        }
        i += 1;
    }
    len
}

/// `pieces` back to back, as the bytes of a static (`N` is [`pieces_len`]).
pub const fn concat_pieces<const N: usize>(pieces: &[&[&str]]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut at = 0;
    let mut i = 0;
    while i < pieces.len() {
        let mut j = 0;
        while j < pieces[i].len() {
            let bytes = pieces[i][j].as_bytes();
            let mut k = 0;
            while k < bytes.len() {
                out[at] = bytes[k];
                at += 1;
                k += 1;
            }
            j += 1;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_concatenated_in_order() {
        const PIECES: &[&[&str]] = &[&["a", "bc"], &[], &["", "d"]];
        const LEN: usize = pieces_len(PIECES);
        const BYTES: [u8; LEN] = concat_pieces::<LEN>(PIECES);
        assert_eq!(&BYTES, b"abcd");
        assert_eq!(
            ABI_STABLE_VERSION,
            abi_stable::ABI_STABLE_VERSION.version.as_str()
        );
        assert!(TARGET.concat().starts_with(std::env::consts::ARCH));
    }
}
