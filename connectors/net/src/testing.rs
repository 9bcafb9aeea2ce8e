//! Test scenarios shared by the stream socket connectors (`tcp_*`, `unix_socket_*`): what is
//! the same for every transport is tested once here, through each connector's own pdk
//! surface. A connector's tests implement [`ClientFixture`] or [`ServerFixture`] and call
//! [`client_tests!`](crate::client_tests) or [`server_tests!`](crate::server_tests), which
//! expand to one `#[test]` per scenario.
//!
//! Behind the `testing` feature (a dev-dependency feature of the connectors).

use crate::Transport;
use futures_lite::{future, AsyncReadExt, AsyncWriteExt};
use std::{fmt::Debug, future::Future, io, time::Duration};
use tremor_pdk::{
    testing::{self as pdk, TestEvent, TestSinkBatch},
    ConnectorContext, ConnectorError, EventAck, RawSinkBox, RawSourceBox, SinkReplies, SourceBatch,
    SourceReply,
};

/// Runs `f` to completion, failing the test after 10 s.
pub fn run<T>(f: impl Future<Output = T>) -> T {
    pdk::block_on_timeout(Duration::from_secs(10), f).expect("test timed out")
}

/// The next reply that is not `Empty`.
pub async fn pull(source: &mut RawSourceBox) -> SourceReply {
    pdk::next_reply(source, 0).await.expect("pull succeeds")
}

/// The next batch of data; anything else fails the test.
pub async fn pull_data(source: &mut RawSourceBox) -> SourceBatch {
    pdk::next_batch(source, 0).await.expect("data")
}

/// Sends one event per payload (no metadata).
pub async fn try_send(
    sink: &mut RawSinkBox,
    payloads: &[&str],
) -> Result<SinkReplies, ConnectorError> {
    pdk::send(sink, &TestSinkBatch::from_payloads(payloads)).await
}

/// Reads exactly `n` bytes from a peer.
pub async fn read_exactly<S: AsyncReadExt + Unpin>(stream: &mut S, n: usize) -> Vec<u8> {
    let mut buf = vec![0; n];
    stream.read_exact(&mut buf).await.expect("data arrives");
    buf
}

/// Tries `attempt` every 5 ms until it gives something (at most 100 times): for what happens
/// only once the peer's reset arrived (the first write after a peer closed may still be
/// buffered by the kernel).
pub async fn eventually<T>(mut attempt: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..100 {
        if let Some(found) = attempt().await {
            return found;
        }
        pdk::sleep(Duration::from_millis(5)).await;
    }
    panic!("nothing after 100 attempts")
}

/// Pulls until `n` bytes of data came, giving every pull less than a millisecond so that most
/// are dropped unfinished: a source that loses nothing then still returns all of it.
pub async fn read_with_cancelled_pulls(source: &mut RawSourceBox, n: usize) -> Vec<u8> {
    let mut got = Vec::new();
    while got.len() < n {
        let pulled = future::or(
            async { Some(source.pull(0).await.into_result().expect("ok")) },
            async {
                pdk::sleep(Duration::from_micros(300)).await;
                None
            },
        )
        .await;
        if let Some(reply) = pulled {
            if let Ok(SourceReply::Data(batch)) = reply.into_enum() {
                got.extend(pdk::joined(&batch));
            }
        }
    }
    got
}

/// Accepts one connection on a test's listener.
async fn accept<T: Transport>(listener: &T::Listener) -> T::Stream {
    T::accept(listener.clone()).await.1.expect("accepted").0
}

/// How the client scenarios build a client connector and the server it talks to.
pub trait ClientFixture: Sized {
    /// The transport.
    type Transport: Transport;
    /// The connector under test.
    type Connector: tremor_pdk::Connector;
    /// A listening server socket (and whatever keeps it alive) and a client connector built
    /// with `ctx` that connects to it.
    fn setup(
        ctx: ConnectorContext,
    ) -> (
        Self,
        <Self::Transport as Transport>::Listener,
        Self::Connector,
    );
    /// Whether the connector says it is connected.
    fn is_connected(connector: &Self::Connector) -> bool;
}

/// The client scenarios.
pub mod client {
    use super::*;
    use tremor_pdk::{Connector, ErrorKind};

    /// A client connector with its source and sink, the server it talks to and its host.
    struct Harness<F: ClientFixture> {
        _fixture: F,
        server: <F::Transport as Transport>::Listener,
        client: F::Connector,
        host: pdk::TestHost,
        source: RawSourceBox,
        sink: RawSinkBox,
    }

    impl<F: ClientFixture> Harness<F> {
        fn new() -> Self {
            let host = pdk::TestHost::new("client");
            let (_fixture, server, mut client) = F::setup(host.context());
            let source = client.create_source().expect("ok").expect("source");
            let sink = client.create_sink().expect("ok").expect("sink");
            Self {
                _fixture,
                server,
                client,
                host,
                source,
                sink,
            }
        }

        /// Connects (attempt `attempt`) and returns the server's end of the connection.
        async fn connect(&mut self, attempt: u64) -> <F::Transport as Transport>::Stream {
            assert!(self.client.connect(attempt).await.expect("connects"));
            accept::<F::Transport>(&self.server).await
        }

        /// Data from the peer on stream 0.
        async fn pull_bytes(&mut self) -> Vec<u8> {
            let batch = pull_data(&mut self.source).await;
            assert_eq!(batch.stream, 0);
            pdk::joined(&batch)
        }

        /// `events` arrive at `peer` back to back, and `reply` comes back on stream 0.
        async fn round_trip(
            &mut self,
            peer: &mut <F::Transport as Transport>::Stream,
            events: &[&str],
            reply: &[u8],
        ) {
            let replies = try_send(&mut self.sink, events).await.expect("sent");
            assert_eq!(replies, SinkReplies::ack_all());
            let sent = events.concat();
            assert_eq!(read_exactly(peer, sent.len()).await, sent.as_bytes());
            peer.write_all(reply).await.expect("sent");
            assert_eq!(self.pull_bytes().await, reply);
        }
    }

    /// Events go out in order, replies come in on stream 0.
    pub fn sends_events_and_reads_replies<F: ClientFixture>() {
        let mut h = Harness::<F>::new();
        run(async {
            let mut peer = h.connect(1).await;
            h.round_trip(&mut peer, &["one\n", "two\n"], b"reply\n")
                .await;
            assert_eq!(h.host.connection_losses(), 0);
        });
    }

    /// The peer closing ends stream 0; the loss is reported once although both parts see it,
    /// and the sink hands its batch back as a connection error.
    pub fn the_server_closing_ends_the_stream_and_reports_the_loss_once<F: ClientFixture>() {
        let mut h = Harness::<F>::new();
        run(async {
            drop(h.connect(1).await);
            assert!(matches!(
                pull(&mut h.source).await,
                SourceReply::EndStream { stream: 0 }
            ));
            assert_eq!(h.host.connection_losses(), 1);
            let err = try_send(&mut h.sink, &["late"])
                .await
                .expect_err("not connected");
            assert_eq!(err.kind, ErrorKind::CONNECTION, "{err}");
            assert_eq!(h.host.connection_losses(), 1);
        });
    }

    /// A failed write is a connection error (the runtime keeps the batch); after the
    /// reconnect both parts use the new connection.
    pub fn a_failed_write_is_a_connection_error_and_a_reconnect_resumes<F: ClientFixture>() {
        let mut h = Harness::<F>::new();
        run(async {
            drop(h.connect(1).await);
            // Writes fail once the peer's reset arrived.
            let err = eventually(async || try_send(&mut h.sink, &["x"]).await.err()).await;
            assert_eq!(err.kind, ErrorKind::CONNECTION, "{err}");
            assert_eq!(h.host.connection_losses(), 1);

            let mut peer = h.connect(2).await;
            h.round_trip(&mut peer, &["again"], b"back").await;
            assert_eq!(h.host.connection_losses(), 1);
        });
    }

    /// A reconnect while stream 0 is open fails that stream before new data comes.
    pub fn a_replaced_connection_fails_the_old_stream_first<F: ClientFixture>() {
        let mut h = Harness::<F>::new();
        run(async {
            let mut peer = h.connect(1).await;
            peer.write_all(b"partial").await.expect("sent");
            assert_eq!(h.pull_bytes().await, b"partial");
            let mut peer = h.connect(2).await;
            assert!(matches!(
                pull(&mut h.source).await,
                SourceReply::StreamFail { stream: 0, .. }
            ));
            peer.write_all(b"fresh").await.expect("sent");
            assert_eq!(h.pull_bytes().await, b"fresh");
        });
    }

    /// A stop closes the connection and is no lost connection.
    pub fn stop_closes_the_connection<F: ClientFixture>() {
        let mut h = Harness::<F>::new();
        run(async {
            let mut peer = h.connect(1).await;
            assert!(F::is_connected(&h.client));
            h.client.on_stop().await.expect("stops");
            let Harness { source, host, .. } = h;
            drop(source);
            let mut buf = [0u8; 1];
            assert_eq!(peer.read(&mut buf).await.expect("eof"), 0);
            assert_eq!(host.connection_losses(), 0, "a stop is no lost connection");
        });
    }
}

/// One `#[test]` per client scenario, for the [`ClientFixture`] `$fixture`.
#[macro_export]
macro_rules! client_tests {
    ($fixture:ty) => {
        $crate::__scenario_tests!(
            client,
            $fixture,
            sends_events_and_reads_replies,
            the_server_closing_ends_the_stream_and_reports_the_loss_once,
            a_failed_write_is_a_connection_error_and_a_reconnect_resumes,
            a_replaced_connection_fails_the_old_stream_first,
            stop_closes_the_connection,
        );
    };
}

/// One `#[test]` per server scenario, for the [`ServerFixture`] `$fixture`.
#[macro_export]
macro_rules! server_tests {
    ($fixture:ty) => {
        $crate::__scenario_tests!(
            server,
            $fixture,
            each_connection_is_a_stream_with_its_metadata,
            reads_are_at_most_buf_size_bytes,
            replies_go_to_the_connection_named_in_the_metadata,
            a_cancelled_pull_loses_nothing,
            writing_to_a_closed_connection_fails_the_event,
            stop_closes_connections_and_the_listener,
            reconnect_keeps_the_listener,
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __scenario_tests {
    ($side:ident, $fixture:ty, $($scenario:ident),* $(,)?) => {
        $(
            #[test]
            fn $scenario() {
                $crate::testing::$side::$scenario::<$fixture>();
            }
        )*
    };
}

/// How the server scenarios build a server connector and reach it.
pub trait ServerFixture: Sized {
    /// The transport.
    type Transport: Transport;
    /// The connector under test.
    type Connector: tremor_pdk::Connector;
    /// Where clients connect.
    type Address: Clone + PartialEq + Debug;
    /// The connector type: the key of its metadata.
    const CONNECTOR_TYPE: &'static str;
    /// A server connector whose reads are at most `buf_size` bytes (and whatever keeps its
    /// address alive).
    fn server(buf_size: usize) -> (Self, Self::Connector);
    /// Where the connector listens (after `connect`).
    fn address(&self, connector: &Self::Connector) -> Self::Address;
    /// Connects a client.
    fn dial(
        address: &Self::Address,
    ) -> impl Future<Output = io::Result<<Self::Transport as Transport>::Stream>>;
    /// Checks the metadata of the first batch from `client`, connection 0.
    fn check_first_meta(meta: &serde_json::Value, client: &<Self::Transport as Transport>::Stream);
}

/// The server scenarios.
pub mod server {
    use super::*;
    use tremor_pdk::Connector;

    type Stream<F> = <<F as ServerFixture>::Transport as Transport>::Stream;

    /// A listening server connector with its source and sink.
    struct Harness<F: ServerFixture> {
        fixture: F,
        server: F::Connector,
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
        async fn dial(&self) -> Stream<F> {
            F::dial(&self.address).await.expect("connects")
        }

        /// A new client that sent `data`, and the batch it became.
        async fn client_sending(&mut self, data: &[u8]) -> (Stream<F>, SourceBatch) {
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
        TestEvent::new(payload).with_meta(
            serde_json::json!({ F::CONNECTOR_TYPE: {"connection": connection} }).to_string(),
        )
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
}
