//! The scenarios of stream server connectors.

use super::*;
use tremor_pdk::Connector;

/// A listening server connector with its source and sink.
struct Harness<F: ServerFixture> {
    fixture: F,
    server: StreamServer<F::Socket>,
    address: F::Address,
    source: RawSourceBox,
    sink: RawSinkBox,
}

impl<F: ServerFixture> Harness<F> {
    /// A server reading at most `buf_size` bytes at a time, after its first `connect`.
    async fn listening(buf_size: usize) -> Self {
        let (fixture, mut server) = F::server(buf_size);
        let source = server.create_source().expect("ok").expect("source");
        let sink = server.create_sink().expect("ok").expect("sink");
        assert!(server.connect(1).await.expect("listens"));
        let address = fixture.address(&server);
        Self {
            fixture,
            server,
            address,
            source,
            sink,
        }
    }

    /// A new client.
    async fn dial(&self) -> ServerStream<F> {
        F::dial(&self.address).await.expect("connects")
    }

    /// A new client that sent `data`, and the batch it became.
    async fn client_sending(&mut self, data: &[u8]) -> (ServerStream<F>, SourceBatch) {
        let mut client = self.dial().await;
        client.write_all(data).await.expect("sent");
        (client, pull_data(&mut self.source).await)
    }
}

fn meta(batch: &SourceBatch) -> serde_json::Value {
    pdk::meta_value(batch).expect("JSON metadata")
}

/// A reply to `connection`: metadata naming it.
fn reply<F: ServerFixture>(payload: &str, connection: u64) -> TestEvent {
    TestEvent::new(payload)
        .with_meta(serde_json::json!({ F::CONNECTOR_TYPE: {"connection": connection} }).to_string())
}

/// Every connection is a stream with its number (and peer) in the metadata; a client
/// closing ends its stream.
pub fn each_connection_is_a_stream_with_its_metadata<F: ServerFixture>() {
    run(async {
        let mut h = Harness::<F>::listening(8192).await;
        let (a, batch) = h.client_sending(b"hello").await;
        assert_eq!((batch.stream, pdk::joined(&batch)), (0, b"hello".to_vec()));
        F::check_first_meta(&meta(&batch), &a);

        let (_b, batch) = h.client_sending(b"world").await;
        assert_eq!((batch.stream, pdk::joined(&batch)), (1, b"world".to_vec()));
        assert_eq!(meta(&batch)[F::CONNECTOR_TYPE]["connection"], 1);

        drop(a);
        assert!(matches!(
            pull(&mut h.source).await,
            SourceReply::EndStream { stream: 0 }
        ));
    });
}

/// No batch holds more than `buf_size` bytes, and nothing is lost.
pub fn reads_are_at_most_buf_size_bytes<F: ServerFixture>() {
    run(async {
        let mut h = Harness::<F>::listening(4).await;
        let mut client = h.dial().await;
        client.write_all(b"0123456789").await.expect("sent");
        let mut got = Vec::new();
        while got.len() < 10 {
            let bytes = pdk::joined(&pull_data(&mut h.source).await);
            assert!(bytes.len() <= 4);
            got.extend(bytes);
        }
        assert_eq!(got, b"0123456789");
    });
}

/// Replies go to the connection their metadata names; events without one, or for a
/// connection that is gone, fail.
pub fn replies_go_to_the_connection_named_in_the_metadata<F: ServerFixture>() {
    run(async {
        let mut h = Harness::<F>::listening(8192).await;
        let (mut a, batch) = h.client_sending(b"a").await;
        assert_eq!(batch.stream, 0);
        let (mut b, batch) = h.client_sending(b"b").await;
        assert_eq!(batch.stream, 1);

        let batch = TestSinkBatch::from_events([
            reply::<F>("to-b1 ", 1),
            reply::<F>("to-b2 ", 1),
            reply::<F>("to-a ", 0),
            TestEvent::new("nowhere "),
            reply::<F>("gone ", 99),
            TestEvent::new("not-a-record ").with_meta("[1]"),
        ]);
        let replies = pdk::send(&mut h.sink, &batch).await.expect("ok");
        use EventAck as A;
        assert_eq!(
            pdk::acks(&replies, 6),
            [A::ACK, A::ACK, A::ACK, A::FAIL, A::FAIL, A::FAIL]
        );
        assert_eq!(read_exactly(&mut b, 12).await, b"to-b1 to-b2 ");
        assert_eq!(read_exactly(&mut a, 5).await, b"to-a ");
    });
}

/// Pulls dropped before they finish lose no data.
pub fn a_cancelled_pull_loses_nothing<F: ServerFixture>() {
    run(async {
        let mut h = Harness::<F>::listening(8192).await;
        let mut client = h.dial().await;
        let writer = async move {
            for i in 0..20u8 {
                client.write_all(&[b'a' + i]).await.expect("sent");
                pdk::sleep(Duration::from_millis(1)).await;
            }
            client
        };
        let reader = read_with_cancelled_pulls(&mut h.source, 20);
        let (_client, got) = future::zip(writer, reader).await;
        assert_eq!(got, (0..20u8).map(|i| b'a' + i).collect::<Vec<_>>());
    });
}

/// Once a client is gone, writing to its connection fails the event.
pub fn writing_to_a_closed_connection_fails_the_event<F: ServerFixture>() {
    run(async {
        let mut h = Harness::<F>::listening(8192).await;
        let (client, _) = h.client_sending(b"x").await;
        drop(client);
        assert!(matches!(
            pull(&mut h.source).await,
            SourceReply::EndStream { stream: 0 }
        ));
        let batch = TestSinkBatch::from_events([reply::<F>("reply", 0)]);
        eventually(async || {
            let replies = pdk::send(&mut h.sink, &batch).await.expect("ok");
            (replies.ack_of(0) == EventAck::FAIL).then_some(())
        })
        .await;
    });
}

/// A stop closes the connections and the listener.
pub fn stop_closes_connections_and_the_listener<F: ServerFixture>() {
    run(async {
        let mut h = Harness::<F>::listening(8192).await;
        let (mut client, _) = h.client_sending(b"x").await;
        h.server.on_stop().await.expect("stops");
        let Harness {
            source, address, ..
        } = h;
        drop(source);
        let mut buf = [0u8; 1];
        assert_eq!(client.read(&mut buf).await.expect("eof"), 0);
        assert!(F::dial(&address).await.is_err(), "no longer listening");
    });
}

/// A reconnect keeps the listener and its address.
pub fn reconnect_keeps_the_listener<F: ServerFixture>() {
    run(async {
        let mut h = Harness::<F>::listening(8192).await;
        assert!(h.server.connect(2).await.expect("still listening"));
        assert_eq!(h.fixture.address(&h.server), h.address);
        let (_client, batch) = h.client_sending(b"x").await;
        assert_eq!(pdk::joined(&batch), b"x");
    });
}
