//! The host side of `tremor_pdk::HostServices`: what a connector may ask of the runtime.

use crate::{
    connectors::{
        metrics::{self, Subscriber},
        msg::{ConnectorMsg, WorldMsg},
    },
    rt::Sender,
};
use abi_stable::{
    sabi_trait::TD_Opaque,
    std_types::{RArc, RStr, RString, RVec},
};
use std::{
    cell::Cell,
    sync::{Arc, OnceLock},
};
use tremor_pdk::{ConnectorContext, HostServices, HostServices_TO, LogLevel};

#[derive(Clone)]
pub(crate) struct Host {
    alias: Arc<str>,
    world: Sender<WorldMsg>,
    connector: Sender<ConnectorMsg>,
    /// The connector's metrics subscription, made by its first `take_metrics` (only `metrics`
    /// connectors ever ask, so the others cost the hub nothing).
    metrics: Arc<OnceLock<Arc<Subscriber>>>,
}

thread_local! {
    // A builtin connector's `log` calls go straight to the host logger; only a plugin's come
    // through `HostServices::log`. Should a logger ever forward back into it (a test without a
    // logger installs the bridge into the host's own `log`), this guard breaks the loop.
    static IN_LOG: Cell<bool> = const { Cell::new(false) };
}

impl HostServices for Host {
    fn alias(&self) -> RString {
        RString::from(&*self.alias)
    }

    fn connection_lost(&self) {
        // Unbounded channel: never blocks the connector; fails only when the manager is gone.
        let _ = self.connector.try_send(ConnectorMsg::ConnectionLost);
    }

    fn request_stop(&self, exit_code: i32, delay_ns: u64, graceful: bool) {
        let _ = self.world.try_send(WorldMsg::Stop {
            exit_code,
            delay_ns,
            graceful,
            by: self.alias.to_string(),
        });
    }

    fn log(&self, level: LogLevel, target: RStr<'_>, message: RStr<'_>) {
        let Some(level) = level.to_level() else {
            return;
        };
        if IN_LOG.with(|flag| flag.replace(true)) {
            return;
        }
        log::logger().log(
            &log::Record::builder()
                .level(level)
                .target(target.as_str())
                .args(format_args!("{}", message.as_str()))
                .build(),
        );
        IN_LOG.with(|flag| flag.set(false));
    }

    fn max_log_level(&self) -> LogLevel {
        log::max_level().into()
    }

    fn now_ns(&self) -> u64 {
        crate::event::now_ns()
    }

    fn take_metrics(&self) -> RVec<RVec<u8>> {
        self.metrics
            .get_or_init(|| metrics::hub().subscribe())
            .take()
    }

    fn publish_metric(&self, record: RVec<u8>) -> bool {
        metrics::hub().publish(&record);
        true
    }
}

/// The context handed to the connector instance `alias`.
pub(crate) fn context(
    alias: &str,
    world: Sender<WorldMsg>,
    connector: Sender<ConnectorMsg>,
) -> ConnectorContext {
    let host = Host {
        alias: alias.into(),
        world,
        connector,
        metrics: Arc::default(),
    };
    ConnectorContext::new(HostServices_TO::from_ptr(RArc::new(host), TD_Opaque))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rt;

    #[test]
    fn a_context_takes_what_was_published_after_its_first_take() {
        let (world, _world_rx) = rt::unbounded();
        let (connector, _connector_rx) = rt::unbounded();
        let metrics = context("host_test::metrics", world.clone(), connector.clone());
        let other = context("host_test::other", world, connector);
        // The hub is the process's: keep only this test's records.
        let mine = |ctx: &ConnectorContext| -> Vec<Vec<u8>> {
            ctx.take_metrics()
                .into_iter()
                .map(RVec::into_vec)
                .filter(|r| r.starts_with(b"{\"host_test\""))
                .collect()
        };
        assert!(other.publish_metric(b"{\"host_test\":0}".to_vec()));
        assert!(
            mine(&metrics).is_empty(),
            "not subscribed before its first take"
        );
        assert!(other.publish_metric(b"{\"host_test\":1}".to_vec()));
        assert_eq!(mine(&metrics), [b"{\"host_test\":1}".to_vec()]);
        assert!(mine(&metrics).is_empty());
        // A clone of the context shares the subscription.
        assert!(other.publish_metric(b"{\"host_test\":2}".to_vec()));
        assert_eq!(mine(&metrics.clone()), [b"{\"host_test\":2}".to_vec()]);
    }
}
