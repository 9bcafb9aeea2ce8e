//! Tests with real Unix sockets in temp dirs, driven through the pdk traits. The scenarios
//! every stream server shares are `tremor_connector_net::testing::server`.

use super::*;
use futures_lite::AsyncWriteExt;
use tremor_connector_net::testing::{pull_data, run, ServerFixture};
use tremor_pdk::{testing::joined, Connector};

/// A server on `server.sock` in a temp dir (kept alive by the fixture).
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn socket(&self) -> PathBuf {
        self.dir.path().join("server.sock")
    }
}

impl ServerFixture for Fixture {
    type Socket = UnixServerSocket;
    type Address = PathBuf;
    const CONNECTOR_TYPE: &'static str = CONNECTOR_TYPE;

    fn server(buf_size: usize) -> (Self, UnixSocketServer) {
        let fixture = Fixture {
            dir: tempfile::tempdir().expect("tempdir"),
        };
        let config = format!(
            r#"{{"path": {:?}, "buf_size": {buf_size}}}"#,
            fixture.socket().display().to_string()
        );
        let c = new_connector(tremor_pdk::testing::null_context("t"), &config).expect("valid");
        (fixture, c)
    }

    fn address(&self, _connector: &UnixSocketServer) -> PathBuf {
        self.socket()
    }

    async fn dial(address: &PathBuf) -> std::io::Result<UnixStream> {
        UnixStream::connect(address).await
    }

    fn check_first_meta(meta: &serde_json::Value, _client: &UnixStream) {
        assert_eq!(
            meta,
            &serde_json::json!({"unix_socket_server": {"connection": 0}})
        );
    }
}

tremor_connector_net::server_tests!(Fixture);

#[test]
fn stop_and_drop_remove_the_socket_file() {
    let (f, mut c) = Fixture::server(8192);
    run(c.connect(1)).expect("listens");
    assert!(f.socket().exists());
    run(c.on_stop()).expect("stops");
    assert!(!f.socket().exists(), "removed on stop");

    let (f, mut c) = Fixture::server(8192);
    run(c.connect(1)).expect("listens");
    drop(c);
    assert!(!f.socket().exists(), "removed on drop");
}

#[test]
fn a_stale_socket_file_is_replaced() {
    let (f, mut c) = Fixture::server(8192);
    let mut source = c.create_source().expect("ok").expect("source");
    // A socket file whose listener is gone, as a crashed process leaves it.
    drop(std::os::unix::net::UnixListener::bind(f.socket()).expect("bind"));
    assert!(f.socket().exists());
    run(async {
        c.connect(1).await.expect("replaces the stale file");
        let mut client = UnixStream::connect(f.socket()).await.expect("connects");
        client.write_all(b"x").await.expect("sent");
        assert_eq!(joined(&pull_data(&mut source).await), b"x");
    });
}

#[test]
fn a_live_socket_or_a_plain_file_is_left_alone() {
    let (f, mut c) = Fixture::server(8192);
    let live = std::os::unix::net::UnixListener::bind(f.socket()).expect("bind");
    let err = run(c.connect(1)).expect_err("in use");
    assert!(err.message.contains("in use"), "{err}");
    drop(c);
    assert!(f.socket().exists(), "another process's socket stays");
    drop(live);
    std::fs::remove_file(f.socket()).expect("rm");

    let (f, mut c) = Fixture::server(8192);
    std::fs::write(f.socket(), b"data").expect("write");
    let err = run(c.connect(1)).expect_err("not a socket");
    assert!(err.message.contains("not a socket"), "{err}");
    drop(c);
    assert_eq!(std::fs::read(f.socket()).expect("still there"), b"data");
}

#[test]
fn permissions_are_applied() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.sock");
    let config = format!(
        r#"{{"path": {:?}, "permissions": "=640"}}"#,
        path.display().to_string()
    );
    let mut c = new_connector(tremor_pdk::testing::null_context("t"), &config).expect("valid");
    run(c.connect(1)).expect("listens");
    let mode = std::fs::metadata(&path)
        .expect("exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o640);
}
