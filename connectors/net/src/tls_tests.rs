//! TLS over the TCP transport with certificates generated here: a round trip, a client that
//! trusts another CA, and the errors for bad files.

use crate::{Tcp, TcpConnection, TlsClientConfig, TlsServerConfig, Transport};
use async_net::{TcpListener, TcpStream};
use futures_lite::{future, AsyncReadExt};
use serde_json::json;
use std::path::{Path, PathBuf};

/// A directory of its own for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tremor-net-tls-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A self-signed certificate for `localhost` and its key, as PEM files in `dir`.
fn certificate(dir: &Path, name: &str) -> TlsServerConfig {
    let generated =
        rcgen::generate_simple_self_signed(vec!["localhost".into()]).expect("a certificate");
    let cert = dir.join(format!("{name}.cert"));
    let key = dir.join(format!("{name}.key"));
    std::fs::write(&cert, generated.cert.pem()).expect("write cert");
    std::fs::write(&key, generated.key_pair.serialize_pem()).expect("write key");
    TlsServerConfig { cert, key }
}

fn client_trusting(ca: &Path) -> TlsClientConfig {
    TlsClientConfig {
        cafile: Some(ca.to_path_buf()),
        domain: Some("localhost".into()),
        ..TlsClientConfig::default()
    }
}

/// Accepts one connection on a TLS server with `server`'s files and dials it with `client`:
/// the server's and the client's handshake results.
async fn handshake(
    server: &TlsServerConfig,
    client: &TlsClientConfig,
) -> (
    std::io::Result<TcpConnection>,
    std::io::Result<TcpConnection>,
) {
    let transport = Tcp {
        nodelay: true,
        tls: Some(server.acceptor("tcp_server").expect("server files")),
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let accepting = async {
        let (_, accepted) = Tcp::accept(listener).await;
        let (stream, _peer) = accepted?;
        transport.establish(stream).await
    };
    let dialing = async {
        let tcp = TcpStream::connect(address).await?;
        let name = client
            .server_name("tcp_client", "127.0.0.1")
            .expect("a name");
        let connector = client.connector("tcp_client").expect("client files");
        connector.connect(name, tcp).await.map(TcpConnection::tls)
    };
    future::zip(accepting, dialing).await
}

#[test]
fn tls_round_trip_with_a_shared_session_for_reader_and_writer() {
    let dir = scratch("round-trip");
    let server = certificate(&dir, "localhost");
    let client = client_trusting(&server.cert);
    future::block_on(async {
        let (accepted, dialed) = handshake(&server, &client).await;
        let (accepted, dialed) = (accepted.expect("server side"), dialed.expect("client side"));
        assert!(matches!(accepted, TcpConnection::Tls { .. }));
        // The server echoes with a clone of the connection, as its sink does.
        let echo = async {
            let (mut reader, mut writer) = (accepted.clone(), accepted);
            let mut buf = [0u8; 64];
            let mut received = Vec::new();
            while !received.ends_with(b"\n") {
                let n = reader.read(&mut buf).await.expect("server read");
                assert!(n > 0, "closed early");
                received.extend_from_slice(&buf[..n]);
            }
            crate::transport::send(&mut writer, &received)
                .await
                .expect("server write");
            received
        };
        let talk = async {
            let (mut reader, mut writer) = (dialed.clone(), dialed.clone());
            crate::transport::send(&mut writer, b"{\"snot\":\"badger\"}\n")
                .await
                .expect("client write");
            let mut reply = vec![0u8; 18];
            reader.read_exact(&mut reply).await.expect("client read");
            dialed.shutdown();
            reply
        };
        let (received, reply) = future::zip(echo, talk).await;
        assert_eq!(received, b"{\"snot\":\"badger\"}\n");
        assert_eq!(reply, received);
    });
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_client_trusting_another_ca_is_refused() {
    let dir = scratch("wrong-ca");
    let server = certificate(&dir, "server");
    let other = certificate(&dir, "other");
    let client = client_trusting(&other.cert);
    future::block_on(async {
        let (accepted, dialed) = handshake(&server, &client).await;
        let err = dialed
            .err()
            .expect("the client must refuse the certificate");
        // (Both certificates have rcgen's subject, so rustls names the signature as bad.)
        assert!(
            err.to_string().contains("invalid peer certificate"),
            "{err}"
        );
        // The server sees a failed handshake for this connection only.
        assert!(accepted.is_err());
    });
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bad_files_are_errors_naming_the_file() {
    let dir = scratch("bad-files");
    let good = certificate(&dir, "good");
    let garbage = dir.join("garbage.pem");
    std::fs::write(&garbage, "not a pem file\n").expect("write");
    let missing = dir.join("missing.pem");
    let cases = [
        (missing.clone(), good.key.clone(), "`tls.cert`: cannot read"),
        (
            garbage.clone(),
            good.key.clone(),
            "no PEM certificate found",
        ),
        // A certificate file holds no private key.
        (
            good.cert.clone(),
            good.cert.clone(),
            "no PEM private key found",
        ),
        (good.cert.clone(), missing.clone(), "`tls.key`: cannot read"),
    ];
    for (cert, key, expected) in cases {
        let shown = if expected.contains("key") {
            &key
        } else {
            &cert
        };
        let err = TlsServerConfig {
            cert: cert.clone(),
            key: key.clone(),
        }
        .acceptor("tcp_server")
        .err()
        .expect("bad files");
        assert_eq!(err.kind, tremor_pdk::ErrorKind::CONFIG);
        assert!(err.message.contains(expected), "{err}");
        assert!(err.message.contains(&shown.display().to_string()), "{err}");
    }
    let err = client_trusting(&garbage)
        .connector("tcp_client")
        .err()
        .expect("no CA in the file");
    assert!(err.message.contains("no PEM certificate found"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn tls_fields_off_on_and_malformed() {
    for off in [None, Some(json!(null)), Some(json!(false))] {
        assert_eq!(
            TlsServerConfig::from_field("s", off.as_ref()).expect("off"),
            None
        );
        assert_eq!(
            TlsClientConfig::from_field("c", off.as_ref()).expect("off"),
            None
        );
    }
    let on = TlsClientConfig::from_field("c", Some(&json!(true))).expect("on");
    assert_eq!(on, Some(TlsClientConfig::default()));
    let server = json!({"cert": "c.pem", "key": "k.pem"});
    let server = TlsServerConfig::from_field("s", Some(&server)).expect("record");
    assert_eq!(server.map(|s| s.key), Some(PathBuf::from("k.pem")));
    for (field, expected) in [
        (
            json!(true),
            "s `tls`: expected {\"cert\": PATH, \"key\": PATH}, got true",
        ),
        (json!({"key": "k"}), "s `tls` needs `cert`"),
        (json!(3), "s `tls`: expected {\"cert\""),
    ] {
        let err = TlsServerConfig::from_field("s", Some(&field)).expect_err("bad");
        assert!(err.message.starts_with(expected), "{err}");
    }
    let err = TlsClientConfig::from_field("c", Some(&json!({"key": "k"}))).expect_err("bad");
    assert!(err.message.contains("both `cert` and `key`"), "{err}");
    let named = TlsClientConfig::default()
        .server_name("c", "[::1]")
        .expect("an IP");
    assert_eq!(named.to_str(), "::1");
}
