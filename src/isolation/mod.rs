//! Process isolation: one connector instance in a supervised helper process.
//!
//! `isolation = "process"` (or `{"process": {"max_memory_mb": N}}`) in a connector
//! definition's `with` block runs that instance in a helper; the default, `"none"`, runs it in
//! the runtime's process. The plugin file is the same either way; `TREMOR_ISOLATE_ALL=1`
//! isolates every connector that does not say otherwise.
//!
//! * The helper is this executable: `tremor plugin-host --alias A --type T [--plugin FILE
//!   --sha256 H] [--max-memory-mb N]` ([`helper`]) loads that one plugin file (or takes the
//!   builtin of that type) and serves that one instance. It dies with the runtime
//!   (`PR_SET_PDEATHSIG`), its stderr goes to the log under the connector's alias, and with a
//!   memory limit it runs under `RLIMIT_AS`.
//! * The runtime's side is a proxy ([`proxy`]) that implements the same internal part traits
//!   as an in-process connector, so the connector, source and sink managers, and the restart
//!   and quarantine logic, are the ones every connector uses.
//! * Every call of the interface (constructor, lifecycle, `pull`, `on_batch`, `ack`, `fail`,
//!   `flush`) and every host service (log, connection lost, stop request, metrics) crosses a
//!   socketpair as one frame ([`wire`]); a source or sink batch is one frame, one write,
//!   however many events it holds: the boundary costs per batch, not per event. Neither
//!   side waits a round trip per batch: a source's helper pulls ahead (up to
//!   `wire::READ_AHEAD` batches the runtime granted, a grant crossing once per few
//!   batches) and pushes each batch; the sink manager keeps up to 8 batches in flight to an
//!   isolated sink (`SinkPart::window`/`start_batch`), takes what queued behind a full
//!   window as one batch, and routes each batch's replies (acks, fails, circuit-breaker
//!   changes) when they come, in order.
//! * The helper's death (any signal, any exit) is the connector's failure: the proxy's reader
//!   reports it to the connector manager, which restarts a fresh instance — a fresh helper —
//!   per the reconnect policy or quarantines it; every batch in flight is failed back.
//!
//! Not done: payloads cross by copy through the socket (one write per batch), not through a
//! shared-memory ring; in a profile the copies are a small share of the cost and the
//! wake-ups between the threads of the two processes the larger one. A helper that hangs
//! (rather than dies) is not detected. The helpers of a deployment start one after another.

pub mod config;
pub mod helper;
pub(crate) mod proxy;
pub mod running;
pub(crate) mod spawn;
pub(crate) mod wire;

use crate::connectors::{
    host,
    msg::{ConnectorMsg, WorldMsg},
    parts::ConnectorPart,
    registry::{ConnectorType, Factory, Origin},
};
use crate::rt::Sender;
pub use config::Isolation;
use tremor_pdk::ConnectorError;

/// Creates an instance of `ty` named `name` from its `config` (JSON text): in this process, or
/// in a helper when `isolation` (or [`config::ISOLATE_ALL_ENV`]) says so.
pub(crate) fn instantiate(
    ty: &ConnectorType,
    isolation: Isolation,
    name: &str,
    world: Sender<WorldMsg>,
    ctrl: Sender<ConnectorMsg>,
    config: &str,
) -> Result<Box<dyn ConnectorPart>, ConnectorError> {
    let ctx = host::context(name, world, ctrl.clone());
    let Isolation::Process { max_memory_mb } = isolation.effective() else {
        return ty.instantiate(ctx, config);
    };
    let plugin = match (&ty.factory, &ty.origin) {
        (Factory::Module(_), Origin::Plugin { path, sha256 }) => {
            Some((path.clone(), sha256.clone()))
        }
        (Factory::Module(_), Origin::Builtin) => None,
        _ => {
            log::warn!(
                "[{name}] connector type `{}` ({}) cannot run in a helper process; it runs in this one",
                ty.name(),
                ty.origin
            );
            return ty.instantiate(ctx, config);
        }
    };
    let command = spawn::HelperCommand {
        alias: name.to_string(),
        connector_type: ty.name().to_string(),
        plugin,
        max_memory_mb,
    };
    let proxy = proxy::start(command, ctx, ctrl, config)?;
    let limit = max_memory_mb.map_or(String::new(), |mb| format!(", max_memory_mb {mb}"));
    log::info!(
        "[{name}] isolated: helper process {} runs `{}` from {}{limit}",
        proxy.pid(),
        ty.name(),
        ty.origin
    );
    Ok(Box::new(proxy))
}
