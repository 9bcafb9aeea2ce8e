//! The scenarios of stream client connectors.

use super::*;
use tremor_pdk::{Connector, ErrorKind};

/// A client connector with its source and sink, the server it talks to and its host.
struct Harness<F: ClientFixture> {
    _fixture: F,
    server: ClientTestListener<F>,
    client: StreamClient<F::Socket>,
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
    async fn connect(&mut self, attempt: u64) -> <ClientTransport<F> as Transport>::Stream {
        assert!(self.client.connect(attempt).await.expect("connects"));
        accept::<ClientTransport<F>>(&self.server).await
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
        peer: &mut <ClientTransport<F> as Transport>::Stream,
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
