//! Helpers for connector tests: contexts, sink batches, and driving sources and sinks.
//!
//! Plain Rust on top of the interface (nothing here crosses the boundary, so nothing here is
//! part of the interface version), compiled always so that connector crates use it from their
//! `#[cfg(test)]` code without a feature. It needs no executor: [`block_on`] and [`sleep`] use
//! threads only, and work with sockets of `async-io` / `async-std` (whose reactors run on their
//! own threads).
//!
//! ```
//! use tremor_pdk::testing::{self, TestEvent, TestSinkBatch};
//! use tremor_pdk::{EventAck, Result, Sink, SinkBatch, SinkReplies};
//!
//! /// A sink that fails every event with metadata.
//! struct Picky;
//! impl Sink for Picky {
//!     async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
//!         let mut replies = SinkReplies::ack_all();
//!         for (i, event) in batch.iter().enumerate() {
//!             if event.meta().is_some() {
//!                 replies.push(i, EventAck::FAIL, tremor_pdk::CbAction::NONE);
//!             }
//!         }
//!         Ok(replies)
//!     }
//! }
//!
//! let batch = TestSinkBatch::from_payloads(["a", "b"])
//!     .with(TestEvent::new("c").with_meta(r#"{"x": 1}"#));
//! let replies = testing::block_on(testing::send(&mut Picky, &batch))?;
//! assert_eq!(
//!     testing::acks(&replies, batch.len()),
//!     [EventAck::ACK, EventAck::ACK, EventAck::FAIL]
//! );
//! # Ok::<(), tremor_pdk::ConnectorError>(())
//! ```

use crate::{
    adapter::{Sink, Source},
    connector::RawConnectorBox,
    context::{ConnectorContext, HostServices, HostServices_TO},
    error::{ConnectorError, Result},
    logging::LogLevel,
    root::ConnectorMod_Ref,
    sink::{CbAction, EventAck, RawSinkBox, SinkBatch, SinkEvent, SinkReplies},
    source::{RawSourceBox, SourceBatch, SourceReply, StructuredEvent},
};
use abi_stable::{
    sabi_trait::TD_Opaque,
    std_types::{RArc, RSlice, RStr, RString, RVec},
};
use std::{
    future::Future,
    pin::pin,
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex, PoisonError,
    },
    task::{Context, Poll, Wake, Waker},
    time::{Duration, Instant},
};

// --- contexts ------------------------------------------------------------------------------

/// Forwards logs to this process's `log` facade and ignores everything else.
#[derive(Clone)]
struct NullHost(String);

fn forward_log(level: LogLevel, target: RStr<'_>, message: RStr<'_>) {
    if let Some(level) = level.to_level() {
        log::log!(target: target.as_str(), level, "{message}");
    }
}

fn wall_clock_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

impl HostServices for NullHost {
    fn alias(&self) -> RString {
        self.0.as_str().into()
    }
    fn connection_lost(&self) {}
    fn request_stop(&self, _exit_code: i32, _delay_ns: u64, _graceful: bool) {}
    fn log(&self, level: LogLevel, target: RStr<'_>, message: RStr<'_>) {
        forward_log(level, target, message);
    }
    fn max_log_level(&self) -> LogLevel {
        LogLevel::OFF
    }
    fn now_ns(&self) -> u64 {
        wall_clock_ns()
    }
}

/// A context whose host ignores every request (stops, lost connections) and whose clock is the
/// wall clock: for tests that only need a connector to exist. Use [`TestHost`] to observe the
/// requests or to set the clock.
pub fn null_context(alias: &str) -> ConnectorContext {
    ConnectorContext::new(HostServices_TO::from_ptr(
        RArc::new(NullHost(alias.to_string())),
        TD_Opaque,
    ))
}

/// A request to stop the runtime, as a [`TestHost`] recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StopRequest {
    /// The exit code the process would end with.
    pub exit_code: i32,
    /// The delay before stopping, in nanoseconds.
    pub delay_ns: u64,
    /// Whether connectors would drain first.
    pub graceful: bool,
}

#[derive(Default)]
struct Recorded {
    now_ns: AtomicU64,
    connection_losses: AtomicUsize,
    stops: Mutex<Vec<StopRequest>>,
    metrics: Mutex<Vec<RVec<u8>>>,
}

/// A host for tests that records what a connector asks of it (stops, lost connections) and
/// whose clock the test sets. Clones share the record. Its metrics service is a loopback:
/// what is published through any of its contexts is what the next `take_metrics` returns.
///
/// ```
/// use tremor_pdk::testing::{StopRequest, TestHost};
/// let host = TestHost::new("exit");
/// let ctx = host.context();
/// host.set_now_ns(42);
/// assert_eq!(ctx.now_ns(), 42);
/// ctx.request_stop(3, 0, true);
/// ctx.connection_lost();
/// assert_eq!(host.stop_requests(), [StopRequest { exit_code: 3, delay_ns: 0, graceful: true }]);
/// assert_eq!(host.connection_losses(), 1);
/// ```
#[derive(Clone)]
pub struct TestHost {
    alias: String,
    recorded: Arc<Recorded>,
}

impl TestHost {
    /// A host for the connector instance `alias`; its clock starts at 0 ns.
    pub fn new(alias: &str) -> Self {
        Self {
            alias: alias.to_string(),
            recorded: Arc::default(),
        }
    }

    /// A context backed by this host, to hand to the connector under test.
    pub fn context(&self) -> ConnectorContext {
        ConnectorContext::new(HostServices_TO::from_ptr(
            RArc::new(self.clone()),
            TD_Opaque,
        ))
    }

    /// Sets the clock the connector reads through [`ConnectorContext::now_ns`].
    pub fn set_now_ns(&self, now_ns: u64) {
        self.recorded.now_ns.store(now_ns, Ordering::SeqCst);
    }

    /// How often the connector reported a lost connection.
    pub fn connection_losses(&self) -> usize {
        self.recorded.connection_losses.load(Ordering::SeqCst)
    }

    /// The stop requests so far, oldest first.
    pub fn stop_requests(&self) -> Vec<StopRequest> {
        self.recorded
            .stops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The exit codes of the stop requests so far, oldest first.
    pub fn exit_codes(&self) -> Vec<i32> {
        self.stop_requests().iter().map(|s| s.exit_code).collect()
    }
}

impl HostServices for TestHost {
    fn alias(&self) -> RString {
        self.alias.as_str().into()
    }
    fn connection_lost(&self) {
        self.recorded
            .connection_losses
            .fetch_add(1, Ordering::SeqCst);
    }
    fn request_stop(&self, exit_code: i32, delay_ns: u64, graceful: bool) {
        self.recorded
            .stops
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(StopRequest {
                exit_code,
                delay_ns,
                graceful,
            });
    }
    fn log(&self, level: LogLevel, target: RStr<'_>, message: RStr<'_>) {
        forward_log(level, target, message);
    }
    fn max_log_level(&self) -> LogLevel {
        LogLevel::OFF
    }
    fn now_ns(&self) -> u64 {
        self.recorded.now_ns.load(Ordering::SeqCst)
    }
    fn take_metrics(&self) -> RVec<RVec<u8>> {
        let mut metrics = self
            .recorded
            .metrics
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        RVec::from(std::mem::take(&mut *metrics))
    }
    fn publish_metric(&self, record: RVec<u8>) -> bool {
        self.recorded
            .metrics
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record);
        true
    }
}

/// Creates a connector instance through its root module, as the runtime does (logging bridge
/// installed, panics caught): tests the surface a plugin exports without building the plugin
/// file.
///
/// ```
/// # use tremor_pdk::{testing, CodecRequirement, ConnectorContext, ConnectorError};
/// # use tremor_pdk::parts::PartsConnector;
/// # fn new_connector(_: ConnectorContext, _: &str) -> Result<PartsConnector, ConnectorError> {
/// #     Ok(PartsConnector::new(CodecRequirement::STRUCTURED))
/// # }
/// tremor_pdk::connector_module!("quiet", new_connector);
/// let c = testing::instantiate(connector_module(), testing::null_context("q"), "{}")?;
/// assert_eq!(c.codec_requirement(), CodecRequirement::STRUCTURED);
/// # Ok::<(), ConnectorError>(())
/// ```
pub fn instantiate(
    module: ConnectorMod_Ref,
    ctx: ConnectorContext,
    config: &str,
) -> Result<RawConnectorBox> {
    (module.new())(ctx, RStr::from_str(config)).into_result()
}

// --- sink batches --------------------------------------------------------------------------

/// One event for a [`TestSinkBatch`]: its chunks and what the runtime would say about it.
/// Defaults: port `in`, stream 0, ingest time 0, no metadata, event id = its index in the batch.
#[derive(Debug, Clone)]
pub struct TestEvent {
    chunks: Vec<Vec<u8>>,
    meta: Option<String>,
    port: &'static str,
    event_id: Option<u64>,
    stream: u64,
    ingest_ns: u64,
}

impl TestEvent {
    /// An event of one chunk.
    pub fn new(payload: impl AsRef<[u8]>) -> Self {
        Self::chunks([payload])
    }

    /// An event of several chunks (what a postprocessor that splits would produce).
    pub fn chunks<P: AsRef<[u8]>>(chunks: impl IntoIterator<Item = P>) -> Self {
        Self {
            chunks: chunks.into_iter().map(|c| c.as_ref().to_vec()).collect(),
            meta: None,
            port: "in",
            event_id: None,
            stream: 0,
            ingest_ns: 0,
        }
    }

    /// Sets the metadata record (JSON text).
    #[must_use]
    pub fn with_meta(mut self, meta_json: impl Into<String>) -> Self {
        self.meta = Some(meta_json.into());
        self
    }

    /// Sets the input port the event arrives on.
    #[must_use]
    pub fn with_port(mut self, port: &'static str) -> Self {
        self.port = port;
        self
    }

    /// Sets the runtime's event id (default: the index in the batch).
    #[must_use]
    pub fn with_event_id(mut self, event_id: u64) -> Self {
        self.event_id = Some(event_id);
        self
    }

    /// Sets the stream the event originates from.
    #[must_use]
    pub fn with_stream(mut self, stream: u64) -> Self {
        self.stream = stream;
        self
    }

    /// Sets the ingest time, in nanoseconds since the UNIX epoch.
    #[must_use]
    pub fn with_ingest_ns(mut self, ingest_ns: u64) -> Self {
        self.ingest_ns = ingest_ns;
        self
    }
}

/// The buffers behind a [`SinkBatch`], laid out as the runtime lays them out; build it from
/// payloads or [`TestEvent`]s and hand [`TestSinkBatch::batch`] to a sink (or use [`send`]).
#[derive(Debug, Clone, Default)]
pub struct TestSinkBatch {
    data: Vec<u8>,
    chunk_ends: Vec<u32>,
    meta: Vec<u8>,
    events: Vec<SinkEvent<'static>>,
}

/// A test batch stays far below 4 GiB; an offset that does not fit is a broken test.
fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("a test batch holds less than 4 GiB")
}

impl TestSinkBatch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// One event per payload, each one chunk, with the defaults of [`TestEvent`].
    pub fn from_payloads<P: AsRef<[u8]>>(payloads: impl IntoIterator<Item = P>) -> Self {
        Self::from_events(payloads.into_iter().map(TestEvent::new))
    }

    /// A batch of the given events, in order.
    pub fn from_events(events: impl IntoIterator<Item = TestEvent>) -> Self {
        let mut batch = Self::new();
        for event in events {
            batch.push(event);
        }
        batch
    }

    /// Appends an event.
    pub fn push(&mut self, event: TestEvent) -> &mut Self {
        let index = self.events.len() as u64;
        let chunks_start = offset(self.chunk_ends.len());
        for chunk in &event.chunks {
            self.data.extend_from_slice(chunk);
            self.chunk_ends.push(offset(self.data.len()));
        }
        let meta_start = offset(self.meta.len());
        if let Some(meta) = &event.meta {
            self.meta.extend_from_slice(meta.as_bytes());
        }
        self.events.push(SinkEvent {
            port: RStr::from_str(event.port),
            event_id: event.event_id.unwrap_or(index),
            stream: event.stream,
            ingest_ns: event.ingest_ns,
            chunks_start,
            chunks_end: offset(self.chunk_ends.len()),
            meta_start,
            meta_end: offset(self.meta.len()),
        });
        self
    }

    /// Appends an event (builder style).
    #[must_use]
    pub fn with(mut self, event: TestEvent) -> Self {
        self.push(event);
        self
    }

    /// The number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether the batch holds no event.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The batch as a sink receives it.
    pub fn batch(&self) -> SinkBatch<'_> {
        SinkBatch {
            data: RSlice::from_slice(&self.data),
            chunk_ends: RSlice::from_slice(&self.chunk_ends),
            meta: RSlice::from_slice(&self.meta),
            events: RSlice::from_slice(&self.events),
        }
    }
}

/// The delivery status of each of the first `len` events of a batch, per [`SinkReplies::ack_of`].
pub fn acks(replies: &SinkReplies, len: usize) -> Vec<EventAck> {
    (0..len).map(|i| replies.ack_of(i)).collect()
}

/// The circuit-breaker changes of a reply, as (event index, action), in the order given.
pub fn cb_actions(replies: &SinkReplies) -> Vec<(usize, CbAction)> {
    replies
        .exceptions
        .iter()
        .filter(|e| e.cb != CbAction::NONE)
        .map(|e| (e.index as usize, e.cb))
        .collect()
}

// --- driving parts -------------------------------------------------------------------------

/// A sink as a test drives it: the boundary object a connector hands out
/// ([`RawSinkBox`]) or a [`Sink`] implementation called directly.
pub trait TestSink {
    /// Writes `batch` and returns the replies.
    fn write_batch<'a>(
        &'a mut self,
        batch: SinkBatch<'a>,
    ) -> impl Future<Output = Result<SinkReplies>> + 'a;
}

impl TestSink for RawSinkBox {
    fn write_batch<'a>(
        &'a mut self,
        batch: SinkBatch<'a>,
    ) -> impl Future<Output = Result<SinkReplies>> + 'a {
        let reply = self.on_batch(batch);
        async move { reply.await.into_result() }
    }
}

impl<S: Sink> TestSink for S {
    fn write_batch<'a>(
        &'a mut self,
        batch: SinkBatch<'a>,
    ) -> impl Future<Output = Result<SinkReplies>> + 'a {
        self.on_batch(batch)
    }
}

/// Writes `batch` to `sink` and returns the replies.
pub async fn send(sink: &mut impl TestSink, batch: &TestSinkBatch) -> Result<SinkReplies> {
    sink.write_batch(batch.batch()).await
}

/// A source as a test drives it: the boundary object a connector hands out
/// ([`RawSourceBox`]) or a [`Source`] implementation called directly.
pub trait TestSource {
    /// Pulls once, with `pull_id`.
    fn pull_reply(&mut self, pull_id: u64) -> impl Future<Output = Result<SourceReply>> + '_;
}

impl TestSource for RawSourceBox {
    fn pull_reply(&mut self, pull_id: u64) -> impl Future<Output = Result<SourceReply>> + '_ {
        let reply = self.pull(pull_id);
        async move {
            reply.await.into_result()?.into_enum().map_err(|unknown| {
                ConnectorError::other(format!("a reply this pdk does not know: {unknown:?}"))
            })
        }
    }
}

impl<S: Source> TestSource for S {
    fn pull_reply(&mut self, pull_id: u64) -> impl Future<Output = Result<SourceReply>> + '_ {
        self.pull(pull_id)
    }
}

/// The longest a helper waits after [`SourceReply::Empty`] before pulling again, so that tests
/// of slow sources (long `wait_ms`) do not sleep for long.
const MAX_EMPTY_WAIT: Duration = Duration::from_millis(5);

/// Pulls with `pull_id` until the reply is not [`SourceReply::Empty`], waiting between pulls
/// as asked (at most 5 ms). Loops for as long as the source stays empty: bound the test with
/// [`block_on_timeout`].
pub async fn next_reply(source: &mut impl TestSource, pull_id: u64) -> Result<SourceReply> {
    loop {
        match source.pull_reply(pull_id).await? {
            SourceReply::Empty { wait_ms } => {
                sleep(Duration::from_millis(wait_ms).min(MAX_EMPTY_WAIT)).await;
            }
            reply => return Ok(reply),
        }
    }
}

/// The next batch of data (see [`next_reply`]); any other reply is an error naming it.
pub async fn next_batch(source: &mut impl TestSource, pull_id: u64) -> Result<SourceBatch> {
    match next_reply(source, pull_id).await? {
        SourceReply::Data(batch) => Ok(batch),
        other => Err(ConnectorError::other(format!(
            "expected data, got {other:?}"
        ))),
    }
}

/// Pulls (with pull ids 0, 1, ...) until the batches held at least `n` chunks, and returns the
/// chunks in order (all of the last batch's, so possibly more than `n`). A reply other than
/// data before that is an error naming it.
pub async fn take_chunks(source: &mut impl TestSource, n: usize) -> Result<Vec<Vec<u8>>> {
    let mut chunks = Vec::new();
    let mut pull_id = 0;
    while chunks.len() < n {
        let batch = next_batch(source, pull_id).await?;
        chunks.extend(batch.chunks.iter().map(|c| c.to_vec()));
        pull_id += 1;
    }
    Ok(chunks)
}

/// The chunks of a batch, back to back.
pub fn joined(batch: &SourceBatch) -> Vec<u8> {
    batch
        .chunks
        .iter()
        .flat_map(|c| c.iter().copied())
        .collect()
}

/// The metadata record of a batch, parsed; an error if it has none or it is not JSON.
pub fn meta_value(batch: &SourceBatch) -> Result<serde_json::Value> {
    let text = batch
        .meta
        .as_ref()
        .into_option()
        .ok_or_else(|| ConnectorError::other("the batch has no metadata"))?;
    serde_json::from_str(text)
        .map_err(|e| ConnectorError::other(format!("the batch's metadata is not JSON: {e}")))
}

/// The payload and metadata of a [`StructuredEvent`] as JSON values, for assertions. JSON has
/// no binary, so a MessagePack `bin` becomes `{"binary": [BYTES...]}` (a test tells it from an
/// array of numbers); metadata that is nil or absent becomes `null`.
///
/// # Errors
/// When either part is not one valid MessagePack value.
pub fn structured_json(event: &StructuredEvent) -> Result<(serde_json::Value, serde_json::Value)> {
    let decode = |bytes: &[u8], what: &str| -> Result<serde_json::Value> {
        if bytes.is_empty() {
            return Ok(serde_json::Value::Null);
        }
        let ShownValue(value) = rmp_serde::from_slice(bytes).map_err(|e| {
            ConnectorError::other(format!("the {what} is not one MessagePack value: {e}"))
        })?;
        Ok(value)
    };
    Ok((
        decode(&event.payload, "payload")?,
        decode(&event.meta, "metadata")?,
    ))
}

/// A JSON value decoded from MessagePack, binary shown as `{"binary": [...]}`.
struct ShownValue(serde_json::Value);

impl<'de> serde::Deserialize<'de> for ShownValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(ShownVisitor).map(ShownValue)
    }
}

struct ShownVisitor;

impl<'de> serde::de::Visitor<'de> for ShownVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a MessagePack value")
    }
    fn visit_bool<E>(self, b: bool) -> std::result::Result<Self::Value, E> {
        Ok(b.into())
    }
    fn visit_i64<E>(self, n: i64) -> std::result::Result<Self::Value, E> {
        Ok(n.into())
    }
    fn visit_u64<E>(self, n: u64) -> std::result::Result<Self::Value, E> {
        Ok(n.into())
    }
    fn visit_f64<E>(self, n: f64) -> std::result::Result<Self::Value, E> {
        Ok(n.into())
    }
    fn visit_str<E>(self, s: &str) -> std::result::Result<Self::Value, E> {
        Ok(s.into())
    }
    fn visit_bytes<E>(self, b: &[u8]) -> std::result::Result<Self::Value, E> {
        Ok(serde_json::json!({ "binary": b }))
    }
    fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(ShownValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(items.into())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut record = serde_json::Map::new();
        while let Some((key, ShownValue(value))) = map.next_entry::<String, ShownValue>()? {
            record.insert(key, value);
        }
        Ok(record.into())
    }
}

// --- executing futures ---------------------------------------------------------------------

/// Wakes the thread that blocks on a future.
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `future` on this thread until it completes.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::park();
    }
}

/// Runs `future` on this thread until it completes or `timeout` passed (then `None`).
pub fn block_on_timeout<F: Future>(timeout: Duration, future: F) -> Option<F::Output> {
    let deadline = Instant::now() + timeout;
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Some(output);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        std::thread::park_timeout(left);
    }
}

/// Completes after `duration`, on any executor (a thread sleeps and wakes the task).
pub fn sleep(duration: Duration) -> Sleep {
    Sleep {
        deadline: Instant::now() + duration,
        waker: None,
    }
}

/// The future of [`sleep`].
#[derive(Debug)]
pub struct Sleep {
    deadline: Instant,
    /// Shared with the timer thread once it runs; the task's latest waker.
    waker: Option<Arc<Mutex<Waker>>>,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let deadline = self.deadline;
        if Instant::now() >= deadline {
            return Poll::Ready(());
        }
        match &self.waker {
            Some(shared) => cx
                .waker()
                .clone_into(&mut shared.lock().unwrap_or_else(PoisonError::into_inner)),
            None => {
                let shared = Arc::new(Mutex::new(cx.waker().clone()));
                let timer = Arc::clone(&shared);
                std::thread::spawn(move || {
                    std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
                    timer
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .wake_by_ref();
                });
                self.waker = Some(shared);
            }
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapter::{into_raw_sink, into_raw_source};

    #[test]
    fn payloads_become_one_chunk_events_with_index_ids() {
        let owned = TestSinkBatch::from_payloads(["ab", "", "cde"]);
        let batch = owned.batch();
        assert_eq!(batch.len(), 3);
        let chunks: Vec<Vec<&[u8]>> = batch.iter().map(|e| e.chunks().collect()).collect();
        assert_eq!(
            chunks,
            [vec![&b"ab"[..]], vec![&b""[..]], vec![&b"cde"[..]]]
        );
        let ids: Vec<u64> = batch.iter().map(|e| e.event().event_id).collect();
        assert_eq!(ids, [0, 1, 2]);
        assert!(batch.iter().all(|e| e.port() == "in" && e.meta().is_none()));
    }

    #[test]
    fn events_keep_their_chunks_meta_port_and_ids() {
        let owned = TestSinkBatch::new()
            .with(TestEvent::chunks(["a", "b"]).with_meta(r#"{"x":1}"#))
            .with(
                TestEvent::new("c")
                    .with_port("stderr")
                    .with_event_id(42)
                    .with_stream(7)
                    .with_ingest_ns(9),
            );
        let batch = owned.batch();
        let views: Vec<_> = batch.iter().collect();
        assert_eq!(views[0].chunks().collect::<Vec<_>>(), [b"a", b"b"]);
        assert_eq!(views[0].meta(), Some(&br#"{"x":1}"#[..]));
        assert_eq!(views[1].chunks().collect::<Vec<_>>(), [b"c"]);
        assert_eq!(views[1].meta(), None);
        assert_eq!(views[1].port(), "stderr");
        let e = views[1].event();
        assert_eq!((e.event_id, e.stream, e.ingest_ns), (42, 7, 9));
    }

    /// Acks what it sees, fails events whose first byte is `!`, opens the breaker on `#`.
    struct Judge;

    impl Sink for Judge {
        async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
            let mut replies = SinkReplies::ack_all();
            for (i, event) in batch.iter().enumerate() {
                match event.chunks().next().and_then(|c| c.first()) {
                    Some(b'!') => replies.push(i, EventAck::FAIL, CbAction::NONE),
                    Some(b'#') => replies.push(i, EventAck::NONE, CbAction::OPEN),
                    _ => {}
                }
            }
            Ok(replies)
        }
    }

    #[test]
    fn send_drives_sinks_directly_and_across_the_boundary() {
        let batch = TestSinkBatch::from_payloads(["ok", "!no", "#full"]);
        let want = [EventAck::ACK, EventAck::FAIL, EventAck::ACK];
        let direct = block_on(send(&mut Judge, &batch)).expect("replies");
        assert_eq!(acks(&direct, batch.len()), want);
        assert_eq!(cb_actions(&direct), [(2, CbAction::OPEN)]);
        let mut raw = into_raw_sink(Judge);
        let boxed = block_on(send(&mut raw, &batch)).expect("replies");
        assert_eq!(boxed, direct);
    }

    /// Empty once, then two lines per pull, then finished after `limit` pulls with data.
    struct Lines {
        pulls: u64,
        limit: u64,
    }

    impl Source for Lines {
        async fn pull(&mut self, pull_id: u64) -> Result<SourceReply> {
            self.pulls += 1;
            Ok(match self.pulls {
                1 => SourceReply::Empty { wait_ms: 10_000 },
                n if n > self.limit + 1 => SourceReply::Finished,
                _ => SourceReply::Data(
                    SourceBatch::bytes(
                        0,
                        vec![
                            format!("{pull_id}a").into_bytes().into(),
                            format!("{pull_id}b").into_bytes().into(),
                        ],
                    )
                    .with_meta(format!(r#"{{"pull": {pull_id}}}"#)),
                ),
            })
        }
    }

    #[test]
    fn sources_are_pulled_past_empty_replies_until_enough_chunks() {
        let mut raw = into_raw_source(Lines { pulls: 0, limit: 2 });
        let chunks = block_on_timeout(Duration::from_secs(10), take_chunks(&mut raw, 3))
            .expect("a 10 s wait is capped to a few ms")
            .expect("data");
        assert_eq!(chunks, [b"0a", b"0b", b"1a", b"1b"]);
        let end = block_on(next_batch(&mut raw, 9)).expect_err("finished");
        assert!(end.message.contains("Finished"), "{end}");
    }

    #[test]
    fn batches_are_inspected_as_bytes_and_meta() {
        let mut source = Lines { pulls: 0, limit: 1 };
        let batch = block_on(next_batch(&mut source, 4)).expect("data");
        assert_eq!(joined(&batch), b"4a4b");
        assert_eq!(
            meta_value(&batch).expect("meta"),
            serde_json::json!({"pull": 4})
        );
        let bare = SourceBatch::bytes(0, Vec::new());
        assert!(meta_value(&bare).is_err());
    }

    #[test]
    fn structured_events_read_back_as_json_with_binary_marked() {
        let meta = serde_json::json!({"a": [1, {"b": null}], "f": 1.5, "t": true});
        let event = StructuredEvent::new(&crate::Binary(b"ok"), &meta).expect("encodes");
        let (payload, read_meta) = structured_json(&event).expect("decodes");
        assert_eq!(payload, serde_json::json!({"binary": [111, 107]}));
        assert_eq!(read_meta, meta);
        let broken = StructuredEvent {
            payload: RVec::from_slice(&[0xc1]),
            meta: RVec::new(),
        };
        assert!(structured_json(&broken).is_err());
    }

    #[test]
    fn a_future_that_never_completes_times_out() {
        assert_eq!(
            block_on_timeout(Duration::from_millis(20), std::future::pending::<()>()),
            None
        );
        let started = Instant::now();
        block_on(sleep(Duration::from_millis(20)));
        assert!(started.elapsed() >= Duration::from_millis(20));
    }

    #[test]
    fn the_test_host_records_requests_and_serves_its_clock() {
        let host = TestHost::new("t");
        let ctx = host.context();
        assert_eq!(ctx.alias(), "t");
        assert_eq!(ctx.now_ns(), 0);
        host.set_now_ns(5);
        assert_eq!(ctx.now_ns(), 5);
        ctx.request_stop(1, 2, false);
        ctx.request_stop(0, 0, true);
        ctx.connection_lost();
        ctx.connection_lost();
        assert_eq!(host.exit_codes(), [1, 0]);
        assert_eq!(
            host.stop_requests()[0],
            StopRequest {
                exit_code: 1,
                delay_ns: 2,
                graceful: false
            }
        );
        assert_eq!(host.connection_losses(), 2);
        let null = null_context("n");
        null.request_stop(1, 0, true);
        assert_eq!(null.alias(), "n");
        assert!(null.now_ns() > 0, "the null host reads the wall clock");
    }

    #[test]
    fn metrics_loop_back_through_the_test_host_and_the_null_host_has_none() {
        let host = TestHost::new("m");
        let ctx = host.context();
        assert!(ctx.take_metrics().is_empty());
        assert!(ctx.publish_metric(b"{}".to_vec()));
        assert!(host.context().publish_metric(b"[]".to_vec()));
        let taken: Vec<Vec<u8>> = ctx.take_metrics().into_iter().map(RVec::into_vec).collect();
        assert_eq!(taken, [b"{}".to_vec(), b"[]".to_vec()]);
        assert!(ctx.take_metrics().is_empty());
        // The null host implements no metrics service: the defaults a host that predates it
        // gives a plugin.
        let null = null_context("n");
        assert!(!null.publish_metric(b"{}".to_vec()));
        assert!(null.take_metrics().is_empty());
    }
}
