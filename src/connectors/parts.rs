//! The runtime's internal connector interface: what the managers call.
//!
//! Every connector the runtime runs — builtin or plugin — comes through `tremor_pdk`'s
//! stable-ABI trait objects, adapted here. The traits exist so that the managers do not depend on
//! how a connector is reached: `benches/` implements them directly (no stable-ABI layer) to
//! measure what the boundary costs, the "native" baseline.

use async_trait::async_trait;
use tremor_pdk::{
    CodecRequirement, ConnectorError, RawConnectorBox, RawSinkBox, RawSourceBox, SinkBatch,
    SinkReplies, SourceReply,
};

/// A connector's control plane.
#[async_trait]
pub trait ConnectorPart: Send {
    /// What the connector needs from codecs.
    fn codec_requirement(&self) -> CodecRequirement;
    /// The source part, if any (called once).
    fn create_source(&mut self) -> Result<Option<Box<dyn SourcePart>>, ConnectorError>;
    /// The sink part, if any (called once).
    fn create_sink(&mut self) -> Result<Option<Box<dyn SinkPart>>, ConnectorError>;
    /// Connects; `Ok(false)`: not now.
    async fn connect(&mut self, attempt: u64) -> Result<bool, ConnectorError>;
    /// A lifecycle transition.
    async fn lifecycle(&mut self, step: Lifecycle) -> Result<(), ConnectorError>;
}

/// The lifecycle calls of `tremor_pdk::RawConnector` besides `connect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    /// `on_start`
    Start,
    /// `on_pause`
    Pause,
    /// `on_resume`
    Resume,
    /// `on_drain`
    Drain,
    /// `on_stop`
    Stop,
}

/// A connector's source part.
#[async_trait]
pub trait SourcePart: Send {
    /// The next batch (see `tremor_pdk::Source::pull`).
    async fn pull(&mut self, pull_id: u64) -> Result<SourceReply, ConnectorError>;
    /// Delivery confirmed.
    fn ack(&mut self, stream: u64, pull_id: u64) -> Result<(), ConnectorError>;
    /// Delivery failed.
    fn fail(&mut self, stream: u64, pull_id: u64) -> Result<(), ConnectorError>;
}

/// A connector's sink part.
#[async_trait]
pub trait SinkPart: Send {
    /// Writes a batch (see `tremor_pdk::Sink::on_batch`).
    async fn on_batch<'a>(
        &'a mut self,
        batch: SinkBatch<'a>,
    ) -> Result<SinkReplies, ConnectorError>;
    /// Writes out what is buffered.
    async fn flush(&mut self) -> Result<(), ConnectorError>;
    /// How many batches may be in flight before the sink manager waits for the replies of the
    /// oldest: 1 (the default) writes each batch with [`SinkPart::on_batch`] and waits for its
    /// replies; more (a connector in a helper process, where each reply is a round trip
    /// between processes) writes them with [`SinkPart::start_batch`].
    fn window(&self) -> usize {
        1
    }
    /// Writes a batch (taking a copy: `batch` may be reused once this returns) and returns its
    /// replies to come; only called when [`SinkPart::window`] is above 1.
    fn start_batch(&mut self, _batch: SinkBatch<'_>) -> Result<LateReplies, ConnectorError> {
        Err(ConnectorError::other(
            "this sink part writes one batch at a time",
        ))
    }
}

/// The replies of a batch written with [`SinkPart::start_batch`], once they come.
pub type LateReplies = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<SinkReplies, ConnectorError>> + Send>,
>;

#[async_trait]
impl ConnectorPart for RawConnectorBox {
    fn codec_requirement(&self) -> CodecRequirement {
        tremor_pdk::RawConnector::codec_requirement(self)
    }
    fn create_source(&mut self) -> Result<Option<Box<dyn SourcePart>>, ConnectorError> {
        let source = tremor_pdk::RawConnector::create_source(self).into_result()?;
        Ok(source
            .into_option()
            .map(|s| Box::new(s) as Box<dyn SourcePart>))
    }
    fn create_sink(&mut self) -> Result<Option<Box<dyn SinkPart>>, ConnectorError> {
        let sink = tremor_pdk::RawConnector::create_sink(self).into_result()?;
        Ok(sink.into_option().map(|s| Box::new(s) as Box<dyn SinkPart>))
    }
    async fn connect(&mut self, attempt: u64) -> Result<bool, ConnectorError> {
        tremor_pdk::RawConnector::connect(self, attempt)
            .await
            .into_result()
    }
    async fn lifecycle(&mut self, step: Lifecycle) -> Result<(), ConnectorError> {
        use tremor_pdk::RawConnector as C;
        let call = match step {
            Lifecycle::Start => C::on_start(self),
            Lifecycle::Pause => C::on_pause(self),
            Lifecycle::Resume => C::on_resume(self),
            Lifecycle::Drain => C::on_drain(self),
            Lifecycle::Stop => C::on_stop(self),
        };
        call.await.into_result()
    }
}

#[async_trait]
impl SourcePart for RawSourceBox {
    async fn pull(&mut self, pull_id: u64) -> Result<SourceReply, ConnectorError> {
        let reply = tremor_pdk::RawSource::pull(self, pull_id)
            .await
            .into_result()?;
        Ok(reply.into_enum().unwrap_or_else(|unknown| {
            log::warn!(
                "a source sent a reply this runtime does not know ({unknown:?}); is the plugin newer than the runtime?"
            );
            SourceReply::Empty { wait_ms: 100 }
        }))
    }
    fn ack(&mut self, stream: u64, pull_id: u64) -> Result<(), ConnectorError> {
        tremor_pdk::RawSource::ack(self, stream, pull_id).into_result()
    }
    fn fail(&mut self, stream: u64, pull_id: u64) -> Result<(), ConnectorError> {
        tremor_pdk::RawSource::fail(self, stream, pull_id).into_result()
    }
}

#[async_trait]
impl SinkPart for RawSinkBox {
    async fn on_batch<'a>(
        &'a mut self,
        batch: SinkBatch<'a>,
    ) -> Result<SinkReplies, ConnectorError> {
        tremor_pdk::RawSink::on_batch(self, batch)
            .await
            .into_result()
    }
    async fn flush(&mut self) -> Result<(), ConnectorError> {
        tremor_pdk::RawSink::flush(self).await.into_result()
    }
}
