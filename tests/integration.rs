//! Runs the integration-test directories under `tests/integration/` (Tremor's layout) through
//! `tremor test integration`, with the binary of this build. In a build without builtin
//! connectors, `TREMOR_PLUGIN_PATH` must name the plugin directory (`ci/test.sh` does that).
//!
//! The TLS directories' certificates are generated here, before the suite runs, into
//! `tests/integration/certs/` (git-ignored), where they stay for runs of
//! `tremor test integration` by hand. `cargo test -p tremor --test integration certificates`
//! writes them without running the suite.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The names the TLS directories' configs use (`../certs/NAME`).
const SERVER_CERT: &str = "localhost.cert";
const SERVER_KEY: &str = "localhost.key";
/// A certificate that did not sign the server's: a client trusting it must be refused.
const OTHER_CA_CERT: &str = "other_ca.cert";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Generates fresh certificates once per test process (both tests here need them) and
/// returns their directory.
fn test_certificates() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = root().join("tests/integration/certs");
        write_certificates(&dir);
        dir
    })
}

/// A self-signed server certificate for `localhost` and `127.0.0.1` (clients trust it as its
/// own CA, as Tremor's tests do) with its key, and an unrelated one for the same names.
fn write_certificates(dir: &Path) {
    // Distinct subjects: a client trusting `other` must be refused for an unknown issuer, not
    // merely for a signature that does not match an issuer of the same name.
    let self_signed = |common_name: &str| {
        let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
        let mut params = rcgen::CertificateParams::new(names).expect("valid names");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, common_name);
        let key = rcgen::KeyPair::generate().expect("a key");
        let cert = params.self_signed(&key).expect("a certificate");
        (cert.pem(), key.serialize_pem())
    };
    let (server_cert, server_key) = self_signed("tremor integration test server");
    let (other_cert, _) = self_signed("tremor integration test other CA");
    std::fs::create_dir_all(dir).expect("the certificate directory");
    for (name, pem) in [
        (SERVER_CERT, server_cert),
        (SERVER_KEY, server_key),
        (OTHER_CA_CERT, other_cert),
    ] {
        // Whole files only: a run by hand at the same moment must not read half a PEM.
        let partial = dir.join(format!(".{name}.partial"));
        std::fs::write(&partial, pem).expect("write a certificate");
        std::fs::rename(&partial, dir.join(name)).expect("move a certificate in place");
    }
}

#[test]
fn certificates() {
    let dir = test_certificates();
    for name in [SERVER_CERT, SERVER_KEY, OTHER_CA_CERT] {
        let text = std::fs::read_to_string(dir.join(name)).expect("a written file");
        assert!(text.starts_with("-----BEGIN "), "{name} is no PEM file");
    }
    let server = std::fs::read(dir.join(SERVER_CERT)).expect("server certificate");
    let other = std::fs::read(dir.join(OTHER_CA_CERT)).expect("other certificate");
    assert_ne!(
        server, other,
        "the wrong-CA tests need two different certificates"
    );
}

#[test]
fn integration_suite() {
    test_certificates();
    let output = Command::new(env!("CARGO_BIN_EXE_tremor"))
        .args([
            "test",
            "integration",
            "tests/integration",
            "--timeout",
            "60",
        ])
        .current_dir(root())
        .output()
        .expect("the tremor binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    print!("{stdout}");
    eprint!("{stderr}");
    assert!(
        output.status.success(),
        "integration suite failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.ends_with(" 0 failed") && !l.starts_with("0 passed")),
        "the suite ran no test:\n{stdout}"
    );
}
