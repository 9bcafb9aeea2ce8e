//! Test fixture: connector type `crash`, a source that takes its whole process down after a
//! number of events — the failures no panic handler catches, which only process isolation
//! survives.
//!
//! Config: `{"crash": HOW, "after": N, "count": C, "interval_ms": MS}` with HOW one of
//! `segfault` (a write through a null pointer), `abort`, `allocate` (allocates and touches
//! memory without bound: under `max_memory_mb` the allocator's failure aborts), `exit` (exits
//! with code 7) or `none` (default). Every instance emits events `{"instance": I, "n": N}`
//! (`I` counts instances in this process from 1; an isolated instance has a process of its
//! own, so it is always 1) one per pull, `interval_ms` apart (default 5), crashes instead of
//! emitting event `after` (never when not given), and finishes after `count` events
//! (default 10).

use serde::Deserialize;
use std::sync::atomic::{AtomicU64, Ordering};
use tremor_pdk::{
    into_raw_source, CodecRequirement, Connector, ConnectorContext, ConnectorError, RawSourceBox,
    Result, Source, SourceBatch, SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "crash";

tremor_pdk::connector_module!(CONNECTOR_TYPE, new_connector);

/// Instances created in this process.
static INSTANCES: AtomicU64 = AtomicU64::new(0);

/// How to take the process down.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// Not at all.
    #[default]
    None,
    /// A write through a null pointer (SIGSEGV).
    Segfault,
    /// `std::process::abort` (SIGABRT).
    Abort,
    /// Allocate and touch memory until the allocator fails.
    Allocate,
    /// `std::process::exit(7)`.
    Exit,
}

/// The fixture's config.
#[derive(Deserialize, Debug, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct CrashConfig {
    /// How to crash.
    #[serde(default)]
    pub crash: How,
    /// Crash instead of emitting this event (0-based); never when not given.
    #[serde(default)]
    pub after: Option<u64>,
    /// Events of an instance before it finishes.
    #[serde(default = "default_count")]
    pub count: u64,
    /// Pause before each event, in milliseconds.
    #[serde(default = "default_interval_ms")]
    pub interval_ms: u64,
}

fn default_count() -> u64 {
    10
}

fn default_interval_ms() -> u64 {
    5
}

fn new_connector(_ctx: ConnectorContext, config: &str) -> Result<Crash, ConnectorError> {
    let config: CrashConfig = tremor_pdk::config::parse(CONNECTOR_TYPE, config)?;
    let instance = INSTANCES.fetch_add(1, Ordering::SeqCst) + 1;
    Ok(Crash { config, instance })
}

/// The connector.
pub struct Crash {
    config: CrashConfig,
    instance: u64,
}

impl Connector for Crash {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::STRUCTURED
    }
    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(into_raw_source(CrashSource {
            config: self.config,
            instance: self.instance,
            sent: 0,
        })))
    }
}

struct CrashSource {
    config: CrashConfig,
    instance: u64,
    sent: u64,
}

impl Source for CrashSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        if self.sent >= self.config.count {
            return Ok(SourceReply::Finished);
        }
        // A blocking pause keeps the fixture free of timers; it only delays this source.
        std::thread::sleep(std::time::Duration::from_millis(self.config.interval_ms));
        if self.config.after == Some(self.sent) {
            crash(self.config.crash);
        }
        let event = format!("{{\"instance\":{},\"n\":{}}}", self.instance, self.sent);
        self.sent += 1;
        Ok(SourceReply::Data(SourceBatch::json(
            0,
            vec![event.into_bytes().into()],
        )))
    }
}

fn crash(how: How) {
    match how {
        How::None => {}
        How::Segfault => {
            // SAFETY: none; this is the point. A volatile write so that it is not optimized
            // away or turned into a trap of another kind.
            unsafe { std::ptr::write_volatile(std::ptr::null_mut::<u64>(), 1) };
        }
        How::Abort => std::process::abort(),
        How::Exit => std::process::exit(7),
        How::Allocate => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                // Touch every page, so that the memory is really used, not only reserved.
                hoard.push(vec![1u8; 16 << 20]);
                std::hint::black_box(&hoard);
            }
        }
    }
}
