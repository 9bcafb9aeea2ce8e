//! The server and the client against each other and against hand-written peers, on 127.0.0.1,
//! driven through the pdk traits as the runtime drives them.

use crate::{client, server};
use serde_json::{json, Value};
use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpListener},
    path::PathBuf,
    time::Duration,
};
use tremor_pdk::{
    testing::{self as pdk, TestEvent, TestSinkBatch},
    Connector, EventAck, RawSinkBox, RawSourceBox, SourceBatch, SourceReply,
};

const WAIT: Duration = Duration::from_secs(10);

fn wait<T>(future: impl std::future::Future<Output = T>) -> T {
    pdk::block_on_timeout(WAIT, future).expect("done within 10 s")
}

struct Parts {
    source: RawSourceBox,
    sink: RawSinkBox,
}

fn parts(connector: &mut impl Connector) -> Parts {
    Parts {
        source: connector.create_source().expect("ok").expect("a source"),
        sink: connector.create_sink().expect("ok").expect("a sink"),
    }
}

fn started_server(config: Value) -> (server::HttpServer, Parts, SocketAddr) {
    let mut server =
        server::new_connector(pdk::null_context("server"), &config.to_string()).expect("valid");
    let parts = parts(&mut server);
    assert!(wait(server.connect(1)).expect("listens"));
    let address = server.local_addr().expect("bound");
    (server, parts, address)
}

fn client_to(config: Value) -> (client::HttpClient, Parts) {
    let mut client =
        client::new_connector(pdk::null_context("client"), &config.to_string()).expect("valid");
    let parts = parts(&mut client);
    (client, parts)
}

fn send(sink: &mut RawSinkBox, events: Vec<TestEvent>) -> Vec<EventAck> {
    let batch = TestSinkBatch::from_events(events);
    let replies = wait(pdk::send(sink, &batch)).expect("a reply");
    pdk::acks(&replies, batch.len())
}

fn next_data(source: &mut RawSourceBox) -> (Value, Value) {
    let batch: SourceBatch = wait(pdk::next_batch(source, 0)).expect("data");
    let doc: Value = serde_json::from_slice(&pdk::joined(&batch)).expect("a JSON document");
    (doc, pdk::meta_value(&batch).expect("meta"))
}

fn next_error(source: &mut RawSourceBox) -> String {
    match wait(pdk::next_reply(source, 0)).expect("a reply") {
        SourceReply::Error { message, .. } => message.into(),
        other => panic!("expected an error, got {other:?}"),
    }
}

/// The response event a server answers with: the request's metadata plus `response`.
fn answer(request_meta: &Value, response: Value, body: &str) -> TestEvent {
    let mut meta = request_meta.clone();
    meta["http_server"]["response"] = response;
    TestEvent::new(body).with_meta(meta.to_string())
}

#[test]
fn a_request_round_trips_through_server_and_client_with_metadata_status_and_correlation() {
    let (_server, mut server_parts, address) = started_server(json!({"url": "127.0.0.1:0"}));
    let (_client, mut client_parts) = client_to(json!({
        "url": format!("http://{address}/path?q=1"),
        "headers": {"Client": "Tremor"},
    }));
    let meta = json!({
        "http_client": {"request": {"headers": {"x-test": ["a", "b"]}}},
        "correlation": "c-1",
    });
    let acks = send(
        &mut client_parts.sink,
        vec![TestEvent::new(r#"{"b":1,"a":[true]}"#).with_meta(meta.to_string())],
    );
    assert_eq!(acks, vec![EventAck::ACK]);

    let (doc, request_meta) = next_data(&mut server_parts.source);
    assert_eq!(doc, json!({"b": 1, "a": [true]}));
    let request = &request_meta["http_server"]["request"];
    assert_eq!(request_meta["http_server"]["request_id"], 1);
    assert_eq!(request["method"], "POST");
    assert_eq!(request["uri"], "/path?q=1");
    assert_eq!(request["protocol"], "http");
    assert_eq!(request["version"], "HTTP/1.1");
    assert_eq!(request["headers"]["x-test"], json!(["a", "b"]));
    assert_eq!(request["headers"]["client"], json!(["Tremor"]));
    assert_eq!(
        request["headers"]["content-type"],
        json!(["application/json"])
    );

    let reply = answer(
        &request_meta,
        json!({"status": 404, "headers": {"x-reply": "yes"}}),
        r#"{"error":"not here"}"#,
    );
    assert_eq!(
        send(&mut server_parts.sink, vec![reply]),
        vec![EventAck::ACK]
    );

    let (doc, response_meta) = next_data(&mut client_parts.source);
    assert_eq!(doc, json!({"error": "not here"}));
    assert_eq!(response_meta["correlation"], "c-1");
    let meta = &response_meta["http_client"];
    assert_eq!(meta["response"]["status"], 404);
    assert_eq!(meta["response"]["headers"]["x-reply"], json!(["yes"]));
    assert_eq!(meta["request"]["method"], "POST");
    assert_eq!(meta["request_id"], 1);
    assert_eq!(meta["content-length"], 20);

    // A second answer for the same request has nobody to go to.
    let late = answer(&request_meta, json!({}), "1");
    assert_eq!(
        send(&mut server_parts.sink, vec![late]),
        vec![EventAck::FAIL]
    );
}

#[test]
fn chunked_bodies_go_both_ways_and_events_of_one_request_share_a_response() {
    let mapping = json!({"text/plain": "string", "*/*": "string"});
    let (_server, mut server_parts, address) =
        started_server(json!({"url": "127.0.0.1:0", "mime_mapping": mapping}));
    let (_client, mut client_parts) = client_to(json!({
        "url": format!("http://{address}/"),
        "method": "put",
        "headers": {"transfer-encoding": ["chunked"]},
        "mime_mapping": mapping,
    }));
    let event = TestEvent::chunks([r#""123""#, r#""45""#]);
    assert_eq!(
        send(&mut client_parts.sink, vec![event]),
        vec![EventAck::ACK]
    );

    let (doc, request_meta) = next_data(&mut server_parts.source);
    assert_eq!(doc, json!("12345"));
    let request = &request_meta["http_server"]["request"];
    assert_eq!(request["method"], "PUT");
    assert_eq!(request["headers"]["transfer-encoding"], json!(["chunked"]));

    let chunked = json!({"headers": {"transfer-encoding": "chunked"}});
    let parts = vec![
        answer(&request_meta, chunked.clone(), r#""678""#),
        answer(&request_meta, chunked, r#""910""#),
    ];
    assert_eq!(
        send(&mut server_parts.sink, parts),
        vec![EventAck::ACK, EventAck::ACK]
    );
    let (doc, response_meta) = next_data(&mut client_parts.source);
    assert_eq!(doc, json!("678910"));
    let response = &response_meta["http_client"]["response"];
    assert_eq!(response["status"], 200);
    assert_eq!(response["headers"]["transfer-encoding"], json!(["chunked"]));
    assert_eq!(response["headers"]["content-type"], json!(["text/plain"]));
}

#[test]
fn a_body_the_codec_refuses_is_answered_400_and_reported() {
    let (_server, mut server_parts, address) = started_server(json!({"url": "127.0.0.1:0"}));
    let mut stream = std::net::TcpStream::connect(address).expect("connects");
    stream
        .write_all(
            b"POST / HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\ncontent-length: 1\r\n\r\n\xff",
        )
        .expect("sent");
    let error = next_error(&mut server_parts.source);
    assert!(error.contains("not UTF-8"), "{error}");
    let mut answer = String::new();
    stream
        .set_read_timeout(Some(WAIT))
        .and_then(|()| {
            let mut buf = [0u8; 512];
            let n = stream.read(&mut buf)?;
            answer.push_str(&String::from_utf8_lossy(&buf[..n]));
            Ok(())
        })
        .expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 400 Bad Request"), "{answer}");
}

/// A hand-written HTTP server: answers each request with `reply` (raw bytes) after `delay`,
/// keeping the connection, or closes the connection when `reply` is `None`.
fn raw_server(delay: Duration, reply: Option<&'static str>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
    let address = listener.local_addr().expect("bound");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                // One request per read is enough for these tests' small requests.
                while matches!(stream.read(&mut buf), Ok(n) if n > 0) {
                    std::thread::sleep(delay);
                    let Some(reply) = reply else { return };
                    if stream.write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    address
}

#[test]
fn slow_and_failing_servers_become_errors_on_err_and_a_refused_connection_too() {
    let slow = raw_server(
        Duration::from_secs(2),
        Some("HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n1"),
    );
    let failing = raw_server(Duration::ZERO, None);
    let closed = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let cases = [
        (slow, "timed out after 200 ms".to_string()),
        (failing, format!("request 1 to http://{failing}/ failed")),
        (closed, format!("cannot connect to {closed}")),
    ];
    for (address, expected) in cases {
        let (_client, mut parts) = client_to(json!({
            "url": format!("http://{address}/"),
            "timeout": 200_000_000u64,
        }));
        send(&mut parts.sink, vec![TestEvent::new("1")]);
        let error = next_error(&mut parts.source);
        assert!(error.contains(&expected), "{error}");
    }
}

#[test]
fn the_concurrency_limit_holds_further_requests_back() {
    let slow = raw_server(
        Duration::from_millis(300),
        Some("HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n"),
    );
    let (_client, mut parts) = client_to(json!({
        "url": format!("http://{slow}/"),
        "concurrency": 1,
    }));
    let started = std::time::Instant::now();
    send(
        &mut parts.sink,
        vec![
            TestEvent::new("1"),
            TestEvent::new("2"),
            TestEvent::new("3"),
        ],
    );
    // The third request waits for the first two to finish: one at a time.
    assert!(
        started.elapsed() >= Duration::from_millis(550),
        "{:?}",
        started.elapsed()
    );
    for _ in 0..2 {
        let (doc, meta) = next_data(&mut parts.source);
        assert_eq!(doc, Value::Null);
        assert_eq!(meta["http_client"]["response"]["status"], 500);
    }
}

fn certificates(dir: &str) -> Vec<(PathBuf, PathBuf)> {
    let dir = std::env::temp_dir().join(format!("{dir}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    ["localhost", "other"]
        .into_iter()
        .map(|name| {
            let generated = rcgen::generate_simple_self_signed(vec!["localhost".into()])
                .expect("a certificate");
            let (cert, key) = (
                dir.join(format!("{name}.cert")),
                dir.join(format!("{name}.key")),
            );
            std::fs::write(&cert, generated.cert.pem()).expect("write cert");
            std::fs::write(&key, generated.key_pair.serialize_pem()).expect("write key");
            (cert, key)
        })
        .collect()
}

#[test]
fn https_round_trips_and_a_client_trusting_another_ca_is_refused() {
    let certs = certificates("tremor-http-tls");
    let (_server, mut server_parts, address) = started_server(json!({
        "url": "https://127.0.0.1:0",
        "tls": {"cert": certs[0].0, "key": certs[0].1},
    }));
    let url = format!("https://localhost:{}/secure", address.port());
    let (_client, mut client_parts) = client_to(json!({
        "url": url,
        "tls": {"cafile": certs[0].0, "domain": "localhost"},
    }));
    send(&mut client_parts.sink, vec![TestEvent::new("[1]")]);
    let (doc, request_meta) = next_data(&mut server_parts.source);
    assert_eq!(doc, json!([1]));
    assert_eq!(request_meta["http_server"]["request"]["protocol"], "https");
    send(
        &mut server_parts.sink,
        vec![answer(&request_meta, json!({}), "[2]")],
    );
    let (doc, meta) = next_data(&mut client_parts.source);
    assert_eq!(
        (doc, &meta["http_client"]["response"]["status"]),
        (json!([2]), &json!(201))
    );

    let (_client, mut wrong_ca) = client_to(json!({
        "url": url,
        "tls": {"cafile": certs[1].0, "domain": "localhost"},
    }));
    send(&mut wrong_ca.sink, vec![TestEvent::new("[1]")]);
    let error = next_error(&mut wrong_ca.source);
    assert!(error.contains("TLS handshake"), "{error}");
}

#[test]
fn configs_are_checked_with_tremors_names() {
    let cases = [
        (
            json!({"url": "https://127.0.0.1:1"}),
            "an `https` url needs `tls`",
        ),
        (
            json!({"url": "x:1", "method": "NOT A METHOD"}),
            "is no HTTP method",
        ),
        (
            json!({"url": "x:1", "concurrency": 0}),
            "`concurrency` must be at least 1",
        ),
        (json!({"url": "x:1", "auth": "gcp"}), "only \"none\" and"),
        (
            json!({"url": "x:1", "mime_mapping": {"*/*": "yaml"}}),
            "codec `yaml`",
        ),
        (json!({"url": "x:1", "urll": 1}), "unknown field `urll`"),
    ];
    for (config, expected) in cases {
        let e = client::new_connector(pdk::null_context("c"), &config.to_string())
            .err()
            .expect("refused");
        assert!(e.message.starts_with("invalid http_client config: "), "{e}");
        assert!(e.message.contains(expected), "{config}: {e}");
    }
    let e = server::new_connector(
        pdk::null_context("s"),
        &json!({"url": "https://127.0.0.1:0"}).to_string(),
    )
    .err()
    .expect("refused");
    assert!(e.message.contains("an `https` url needs `tls`"), "{e}");
    // 0.12's name of the mapping and basic auth are accepted.
    let ok = json!({"url": "x:1", "custom_codecs": {"*/*": "string"},
                    "auth": {"basic": {"username": "u", "password": "p"}}});
    assert!(client::new_connector(pdk::null_context("c"), &ok.to_string()).is_ok());
}
