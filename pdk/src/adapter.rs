//! The traits connector authors implement, and their adapters to the boundary types.
//!
//! The adapters run in the connector's copy of this crate (inside the plugin for a plugin) and
//! catch every panic there, so the host only ever sees errors.

use crate::{
    connector::{CodecRequirement, RawConnector, RawConnectorBox, RawConnector_TO},
    error::{ConnectorError, Result},
    panic::{catch, CatchUnwind},
    sink::{RawSink, RawSinkBox, RawSink_TO, SinkBatch, SinkReplies},
    source::{RawSource, RawSourceBox, RawSource_TO, SourceReply, SourceReply_NE},
};
use abi_stable::{
    sabi_trait::TD_Opaque,
    std_types::{ROption, RResult},
};
use async_ffi::BorrowingFfiFuture;
use std::future::Future;

/// A connector's control plane. Every method has a sensible default except
/// [`Connector::codec_requirement`].
///
/// Futures returned here are the control plane: each call may allocate one future.
pub trait Connector: Send + 'static {
    /// What the connector needs from the runtime's codecs.
    fn codec_requirement(&self) -> CodecRequirement;

    /// The source part, if the connector reads (wrap it with [`into_raw_source`]). Called once.
    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(None)
    }

    /// The sink part, if the connector writes (wrap it with [`into_raw_sink`]). Called once.
    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(None)
    }

    /// Connects to the outside world; `attempt` starts at 1. `Ok(false)`: retry per policy.
    fn connect(&mut self, _attempt: u64) -> impl Future<Output = Result<bool>> + Send {
        async { Ok(true) }
    }

    /// Connected, and the deployment starts.
    fn on_start(&mut self) -> impl Future<Output = Result<()>> + Send {
        async { Ok(()) }
    }

    /// The runtime paused the connector.
    fn on_pause(&mut self) -> impl Future<Output = Result<()>> + Send {
        async { Ok(()) }
    }

    /// The runtime resumed the connector.
    fn on_resume(&mut self) -> impl Future<Output = Result<()>> + Send {
        async { Ok(()) }
    }

    /// A graceful stop begins: stop taking in new data.
    fn on_drain(&mut self) -> impl Future<Output = Result<()>> + Send {
        async { Ok(()) }
    }

    /// The connector stops for good.
    fn on_stop(&mut self) -> impl Future<Output = Result<()>> + Send {
        async { Ok(()) }
    }
}

/// A connector's source part: produces batches of data.
pub trait Source: Send + 'static {
    /// Produces the next batch; `pull_id` names its events in `ack` / `fail`.
    ///
    /// The future may be dropped before it completes (pause, stop): keep data already taken
    /// from the outside world in `self`, so that nothing is lost.
    fn pull(&mut self, pull_id: u64) -> impl Future<Output = Result<SourceReply>> + Send;

    /// The events of `pull_id` on `stream` were delivered (transactional batches only).
    fn ack(&mut self, _stream: u64, _pull_id: u64) -> Result<()> {
        Ok(())
    }

    /// An event of `pull_id` on `stream` was not delivered (transactional batches only).
    fn fail(&mut self, _stream: u64, _pull_id: u64) -> Result<()> {
        Ok(())
    }
}

/// A connector's sink part: takes batches of encoded events.
pub trait Sink: Send + 'static {
    /// Writes the events of `batch` and says which were delivered.
    fn on_batch(
        &mut self,
        batch: SinkBatch<'_>,
    ) -> impl Future<Output = Result<SinkReplies>> + Send;

    /// Writes out anything buffered (drain, stop).
    fn flush(&mut self) -> impl Future<Output = Result<()>> + Send {
        async { Ok(()) }
    }
}

/// Wraps a future for the boundary, catching panics in its `poll`.
fn ffi_future<'a, T: 'a>(
    fut: impl Future<Output = Result<T>> + Send + 'a,
) -> BorrowingFfiFuture<'a, RResult<T, ConnectorError>> {
    let fut = CatchUnwind::new(fut);
    BorrowingFfiFuture::new(async move { fut.await.into() })
}

/// Calls `make` (which may panic before returning its future) and wraps the future.
fn guarded<'a, T: 'a, F>(
    make: impl FnOnce() -> F,
) -> BorrowingFfiFuture<'a, RResult<T, ConnectorError>>
where
    F: Future<Output = Result<T>> + Send + 'a,
{
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(make)) {
        Ok(fut) => ffi_future(fut),
        Err(payload) => {
            let err = crate::panic::panic_error(payload);
            BorrowingFfiFuture::new(async move { RResult::RErr(err) })
        }
    }
}

struct ConnectorAdapter<C>(C);

impl<C: Connector> RawConnector for ConnectorAdapter<C> {
    fn codec_requirement(&self) -> CodecRequirement {
        // A panic here cannot be reported as an error; requiring a codec is the safe answer.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.0.codec_requirement()))
            .unwrap_or(CodecRequirement::REQUIRED)
    }
    fn create_source(&mut self) -> RResult<ROption<RawSourceBox>, ConnectorError> {
        catch(|| self.0.create_source()).map(ROption::from).into()
    }
    fn create_sink(&mut self) -> RResult<ROption<RawSinkBox>, ConnectorError> {
        catch(|| self.0.create_sink()).map(ROption::from).into()
    }
    fn connect(&mut self, attempt: u64) -> BorrowingFfiFuture<'_, RResult<bool, ConnectorError>> {
        guarded(|| self.0.connect(attempt))
    }
    fn on_start(&mut self) -> BorrowingFfiFuture<'_, RResult<(), ConnectorError>> {
        guarded(|| self.0.on_start())
    }
    fn on_pause(&mut self) -> BorrowingFfiFuture<'_, RResult<(), ConnectorError>> {
        guarded(|| self.0.on_pause())
    }
    fn on_resume(&mut self) -> BorrowingFfiFuture<'_, RResult<(), ConnectorError>> {
        guarded(|| self.0.on_resume())
    }
    fn on_drain(&mut self) -> BorrowingFfiFuture<'_, RResult<(), ConnectorError>> {
        guarded(|| self.0.on_drain())
    }
    fn on_stop(&mut self) -> BorrowingFfiFuture<'_, RResult<(), ConnectorError>> {
        guarded(|| self.0.on_stop())
    }
}

struct SourceAdapter<S>(S);

impl<S: Source> RawSource for SourceAdapter<S> {
    fn pull(
        &mut self,
        pull_id: u64,
    ) -> BorrowingFfiFuture<'_, RResult<SourceReply_NE, ConnectorError>> {
        let source = &mut self.0;
        guarded(move || {
            let fut = source.pull(pull_id);
            async move { fut.await.map(SourceReply::into_ne) }
        })
    }
    fn ack(&mut self, stream: u64, pull_id: u64) -> RResult<(), ConnectorError> {
        catch(|| self.0.ack(stream, pull_id)).into()
    }
    fn fail(&mut self, stream: u64, pull_id: u64) -> RResult<(), ConnectorError> {
        catch(|| self.0.fail(stream, pull_id)).into()
    }
}

struct SinkAdapter<S>(S);

impl<S: Sink> RawSink for SinkAdapter<S> {
    fn on_batch<'a>(
        &'a mut self,
        batch: SinkBatch<'a>,
    ) -> BorrowingFfiFuture<'a, RResult<SinkReplies, ConnectorError>> {
        guarded(|| self.0.on_batch(batch))
    }
    fn flush(&mut self) -> BorrowingFfiFuture<'_, RResult<(), ConnectorError>> {
        guarded(|| self.0.flush())
    }
}

/// Wraps a [`Connector`] for the boundary.
pub fn into_raw_connector<C: Connector>(connector: C) -> RawConnectorBox {
    RawConnector_TO::from_value(ConnectorAdapter(connector), TD_Opaque)
}

/// Wraps a [`Source`] for the boundary (return it from [`Connector::create_source`]).
pub fn into_raw_source<S: Source>(source: S) -> RawSourceBox {
    RawSource_TO::from_value(SourceAdapter(source), TD_Opaque)
}

/// Wraps a [`Sink`] for the boundary (return it from [`Connector::create_sink`]).
pub fn into_raw_sink<S: Sink>(sink: S) -> RawSinkBox {
    RawSink_TO::from_value(SinkAdapter(sink), TD_Opaque)
}
