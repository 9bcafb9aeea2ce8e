//! Test scenarios shared by the stream socket connectors (`tcp_*`, `unix_socket_*`): what is
//! the same for every transport is tested once here, through each connector's own pdk
//! surface. A connector's tests implement [`ClientFixture`] or [`ServerFixture`] and call
//! [`client_tests!`](crate::client_tests) or [`server_tests!`](crate::server_tests), which
//! expand to one `#[test]` per scenario.
//!
//! Behind the `testing` feature (a dev-dependency feature of the connectors).

use crate::{ClientSocket, ServerSocket, StreamClient, StreamServer, Transport};
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

/// Runs `dial`, the TLS handshake of a client that trusts another CA than the one that signed
/// the server's certificate, while pulling the server's `source`: the client must refuse the
/// server's certificate (rustls' "invalid peer certificate"), and the server must produce no
/// data (it only logs the failed handshake).
pub async fn assert_wrong_ca_refused<T, E: std::fmt::Display>(
    dial: impl Future<Output = Result<T, E>>,
    source: &mut RawSourceBox,
) {
    let refused = future::or(dial, async {
        pull_data(source).await;
        unreachable!("no data from a refused client")
    })
    .await;
    let Err(err) = refused else {
        panic!("the client must refuse the server's certificate");
    };
    assert!(
        err.to_string().contains("invalid peer certificate"),
        "{err}"
    );
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
    /// The socket type of the connector under test, a [`StreamClient`] over it.
    type Socket: ClientSocket;
    /// A listening server socket (and whatever keeps it alive) and a client connector built
    /// with `ctx` that connects to it.
    fn setup(ctx: ConnectorContext)
        -> (Self, ClientTestListener<Self>, StreamClient<Self::Socket>);
    /// Whether the connector says it is connected.
    fn is_connected(connector: &StreamClient<Self::Socket>) -> bool;
}

/// The transport of the client of a [`ClientFixture`].
pub type ClientTransport<F> = <<F as ClientFixture>::Socket as ClientSocket>::Transport;

/// A test's listening socket that the client of a [`ClientFixture`] connects to.
pub type ClientTestListener<F> = <ClientTransport<F> as Transport>::Listener;

pub mod client;
mod config;
pub use config::{assert_config_errors, rejects_bad_path_configs, rejects_bad_url_configs};

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
    /// The socket type of the connector under test, a [`StreamServer`] over it.
    type Socket: ServerSocket;
    /// Where clients connect.
    type Address: Clone + PartialEq + Debug;
    /// The connector type: the key of its metadata.
    const CONNECTOR_TYPE: &'static str;
    /// A server connector whose reads are at most `buf_size` bytes (and whatever keeps its
    /// address alive).
    fn server(buf_size: usize) -> (Self, StreamServer<Self::Socket>);
    /// Where the connector listens (after `connect`).
    fn address(&self, connector: &StreamServer<Self::Socket>) -> Self::Address;
    /// Connects a client.
    fn dial(address: &Self::Address) -> impl Future<Output = io::Result<ServerStream<Self>>>;
    /// Checks the metadata of the first batch from `client`, connection 0.
    fn check_first_meta(meta: &serde_json::Value, client: &ServerStream<Self>);
}

/// A connection to the server of a [`ServerFixture`].
pub type ServerStream<F> =
    <<<F as ServerFixture>::Socket as ServerSocket>::Transport as Transport>::Stream;

pub mod server;
