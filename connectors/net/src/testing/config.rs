//! Config checks every socket connector shares, and a table-driven assertion for its own.

use crate::SocketConfig;
use std::fmt::Debug;
use tremor_pdk::ErrorKind;

/// Asserts that each `(config, needle)` is rejected with an error of kind `config` whose
/// message contains `needle` (the offending field or what is wrong with it).
pub fn assert_config_errors<C: SocketConfig + Debug>(cases: &[(&str, &str)]) {
    for (config, needle) in cases {
        let err = C::from_json(config).expect_err(config);
        assert_eq!(err.kind, ErrorKind::CONFIG, "{config}: {err}");
        assert!(err.message.contains(needle), "{config}: {err}");
    }
}

/// Asserts what every config with a `url` and a `buf_size` rejects: a zero `buf_size`, a
/// `url` with `foreign_scheme://`, one without a port, a missing `url`; then `own_cases`
/// (see [`assert_config_errors`]).
pub fn rejects_bad_url_configs<C: SocketConfig + Debug>(
    foreign_scheme: &str,
    own_cases: &[(&str, &str)],
) {
    let foreign = format!(r#"{{"url": "{foreign_scheme}://127.0.0.1:1"}}"#);
    assert_config_errors::<C>(&[
        (r#"{"url": "127.0.0.1:1", "buf_size": 0}"#, "buf_size"),
        (&foreign, "scheme"),
        (r#"{"url": "127.0.0.1"}"#, "host:port"),
        (r#"{}"#, "url"),
    ]);
    assert_config_errors::<C>(own_cases);
}

/// Asserts what every config with a socket file `path` and a `buf_size` rejects: a zero
/// `buf_size`, an empty or a missing `path`; then `own_cases` (see [`assert_config_errors`]).
pub fn rejects_bad_path_configs<C: SocketConfig + Debug>(own_cases: &[(&str, &str)]) {
    assert_config_errors::<C>(&[
        (r#"{"path": "x", "buf_size": 0}"#, "buf_size"),
        (r#"{"path": ""}"#, "path"),
        (r#"{}"#, "path"),
    ]);
    assert_config_errors::<C>(own_cases);
}
