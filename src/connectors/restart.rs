//! Restarting a failed connector with a fresh instance built from the same config.
//!
//! The source and sink managers keep their channels and links across a restart; only the
//! parts behind them change. They are given [`RestartableSource`] / [`RestartableSink`]
//! wrappers: the connector manager puts the fresh instance's parts into their [`Slot`]s while
//! the managers are paused, and each wrapper swaps it in at its next call. The check costs one
//! atomic load per call (per batch, not per event); connectors whose reconnect policy never
//! retries are not wrapped at all.

use super::{
    msg::{ConnectorMsg, WorldMsg},
    parts::{ConnectorPart, LateReplies, SinkPart, SourcePart},
    reconnect::Reconnect,
    registry::ConnectorType,
};
use crate::{isolation::Isolation, rt::Sender};
use async_trait::async_trait;
use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc, Mutex, PoisonError,
};
use tremor_pdk::{ConnectorError, SinkBatch, SinkReplies, SourceReply};

/// A fresh instance of a connector and its parts.
pub(crate) struct Rebuilt {
    /// The control plane.
    pub(crate) connector: Box<dyn ConnectorPart>,
    /// Its source part, if it has one.
    pub(crate) source: Option<Box<dyn SourcePart>>,
    /// Its sink part, if it has one.
    pub(crate) sink: Option<Box<dyn SinkPart>>,
}

/// Builds a fresh instance from the connector's type and config (kept by the caller).
pub(crate) type Rebuild = Box<dyn FnMut() -> Result<Rebuilt, ConnectorError> + Send>;

/// Where a fresh part waits for the wrapper's next call.
pub(crate) struct Slot<P: ?Sized> {
    part: Mutex<Option<Box<P>>>,
    filled: AtomicBool,
}

impl<P: ?Sized> Slot<P> {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            part: Mutex::new(None),
            filled: AtomicBool::new(false),
        })
    }

    /// Leaves `part` for the wrapper; a part left earlier and never picked up is dropped.
    pub(crate) fn put(&self, part: Box<P>) {
        *self.part.lock().unwrap_or_else(PoisonError::into_inner) = Some(part);
        self.filled.store(true, Ordering::Release);
    }

    fn take(&self) -> Option<Box<P>> {
        if !self.filled.load(Ordering::Acquire) {
            return None;
        }
        self.filled.store(false, Ordering::Release);
        self.part
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

/// A part (source or sink) that can be replaced by a fresh instance's: each call first takes
/// up a replacement left in its slot, then goes to the current part.
pub(crate) struct Restartable<P: ?Sized> {
    current: Box<P>,
    next: Arc<Slot<P>>,
}

/// A source part that can be replaced by a fresh instance's.
pub(crate) type RestartableSource = Restartable<dyn SourcePart>;
/// A sink part that can be replaced by a fresh instance's.
pub(crate) type RestartableSink = Restartable<dyn SinkPart>;

impl<P: ?Sized> Restartable<P> {
    /// Wraps `part`; the slot takes its replacements.
    pub(crate) fn new(part: Box<P>) -> (Self, Arc<Slot<P>>) {
        let next = Slot::new();
        (
            Self {
                current: part,
                next: next.clone(),
            },
            next,
        )
    }

    fn swap(&mut self) {
        if let Some(fresh) = self.next.take() {
            self.current = fresh;
        }
    }
}

#[async_trait]
impl SourcePart for RestartableSource {
    async fn pull(&mut self, pull_id: u64) -> Result<SourceReply, ConnectorError> {
        self.swap();
        self.current.pull(pull_id).await
    }
    fn ack(&mut self, stream: u64, pull_id: u64) -> Result<(), ConnectorError> {
        self.swap();
        self.current.ack(stream, pull_id)
    }
    fn fail(&mut self, stream: u64, pull_id: u64) -> Result<(), ConnectorError> {
        self.swap();
        self.current.fail(stream, pull_id)
    }
}

#[async_trait]
impl SinkPart for RestartableSink {
    async fn on_batch<'a>(
        &'a mut self,
        batch: SinkBatch<'a>,
    ) -> Result<SinkReplies, ConnectorError> {
        self.swap();
        self.current.on_batch(batch).await
    }
    async fn flush(&mut self) -> Result<(), ConnectorError> {
        self.swap();
        self.current.flush().await
    }
    fn window(&self) -> usize {
        self.current.window()
    }
    fn start_batch(&mut self, batch: SinkBatch<'_>) -> Result<LateReplies, ConnectorError> {
        self.swap();
        self.current.start_batch(batch)
    }
}

/// What the connector manager needs to restart a connector.
pub(crate) struct Restarter {
    /// Builds the fresh instance.
    pub(crate) rebuild: Rebuild,
    /// Where its source part goes (when the connector has one).
    pub(crate) source: Option<Arc<Slot<dyn SourcePart>>>,
    /// Where its sink part goes (when the connector has one).
    pub(crate) sink: Option<Arc<Slot<dyn SinkPart>>>,
}

impl Restarter {
    /// Builds a fresh instance, leaves its parts in the slots and returns its control plane.
    pub(crate) fn restart(&mut self) -> Result<Box<dyn ConnectorPart>, ConnectorError> {
        let fresh = (self.rebuild)()?;
        if let (Some(slot), Some(part)) = (&self.source, fresh.source) {
            slot.put(part);
        }
        if let (Some(slot), Some(part)) = (&self.sink, fresh.sink) {
            slot.put(part);
        }
        Ok(fresh.connector)
    }
}

/// How a connector of type `ty` named `name` is built again from its `config` (JSON text),
/// with a fresh context talking to the same world and connector manager (and, when it runs
/// isolated, in a fresh helper process).
pub(crate) fn rebuild_from(
    ty: ConnectorType,
    isolation: Isolation,
    name: String,
    world: Sender<WorldMsg>,
    ctrl: Sender<ConnectorMsg>,
    config: String,
) -> Rebuild {
    Box::new(move || {
        let mut connector = crate::isolation::instantiate(
            &ty,
            isolation,
            &name,
            world.clone(),
            ctrl.clone(),
            &config,
        )?;
        let source = connector.create_source()?;
        let sink = connector.create_sink()?;
        Ok(Rebuilt {
            connector,
            source,
            sink,
        })
    })
}

/// The parts as the managers get them, and the connector manager's [`Restarter`]: wrapped
/// only when the reconnect policy may retry (a connector that is never restarted pays
/// nothing).
pub(crate) fn prepare(
    rebuild: Rebuild,
    reconnect: &Reconnect,
    source: Option<Box<dyn SourcePart>>,
    sink: Option<Box<dyn SinkPart>>,
) -> Prepared {
    if matches!(reconnect, Reconnect::None) {
        return Prepared {
            source,
            sink,
            restarter: None,
        };
    }
    let (source, source_slot) = match source {
        Some(part) => {
            let (wrapped, slot) = RestartableSource::new(part);
            (Some(Box::new(wrapped) as Box<dyn SourcePart>), Some(slot))
        }
        None => (None, None),
    };
    let (sink, sink_slot) = match sink {
        Some(part) => {
            let (wrapped, slot) = RestartableSink::new(part);
            (Some(Box::new(wrapped) as Box<dyn SinkPart>), Some(slot))
        }
        None => (None, None),
    };
    let restarter = Restarter {
        rebuild,
        source: source_slot,
        sink: sink_slot,
    };
    Prepared {
        source,
        sink,
        restarter: Some(restarter),
    }
}

/// What [`prepare`] hands back.
pub(crate) struct Prepared {
    /// The source part for the source manager.
    pub(crate) source: Option<Box<dyn SourcePart>>,
    /// The sink part for the sink manager.
    pub(crate) sink: Option<Box<dyn SinkPart>>,
    /// For the connector manager; `None` when the connector is never restarted.
    pub(crate) restarter: Option<Restarter>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rt;

    /// A source that answers every pull with `Empty { wait_ms: ID }`.
    struct Numbered(u64);

    #[async_trait]
    impl SourcePart for Numbered {
        async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply, ConnectorError> {
            Ok(SourceReply::Empty { wait_ms: self.0 })
        }
        fn ack(&mut self, _stream: u64, _pull_id: u64) -> Result<(), ConnectorError> {
            Ok(())
        }
        fn fail(&mut self, _stream: u64, _pull_id: u64) -> Result<(), ConnectorError> {
            Ok(())
        }
    }

    async fn answer(source: &mut RestartableSource) -> u64 {
        match source.pull(0).await {
            Ok(SourceReply::Empty { wait_ms }) => wait_ms,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_part_left_in_the_slot_answers_from_the_next_call_on() {
        rt::block_on(async {
            let (mut source, slot) = RestartableSource::new(Box::new(Numbered(1)));
            assert_eq!(answer(&mut source).await, 1);
            slot.put(Box::new(Numbered(2)));
            assert_eq!(answer(&mut source).await, 2);
            assert_eq!(answer(&mut source).await, 2);
        });
    }

    #[test]
    fn only_connectors_that_may_retry_are_wrapped() {
        let rebuild = || -> Rebuild { Box::new(|| Err(ConnectorError::other("unused"))) };
        let prepared = prepare(
            rebuild(),
            &Reconnect::None,
            Some(Box::new(Numbered(1))),
            None,
        );
        assert!(prepared.restarter.is_none());
        let retry = Reconnect::Retry {
            interval_ms: 1,
            growth_rate: 1.0,
            max_retries: Some(1),
            randomized: false,
        };
        let prepared = prepare(rebuild(), &retry, Some(Box::new(Numbered(1))), None);
        let restarter = prepared.restarter.expect("wrapped");
        assert!(restarter.source.is_some() && restarter.sink.is_none());
    }
}
