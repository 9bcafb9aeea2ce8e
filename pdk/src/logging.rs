//! The logging bridge: `log` calls in a plugin reach the host's logger.
//!
//! A cdylib carries its own copy of the `log` crate, whose global logger is unset. The module
//! macro installs a forwarding logger there on the first connector construction. In a builtin
//! connector the host's logger is already installed, installation fails, and `log` calls go
//! straight to the host.

use crate::context::ConnectorContext;
use std::sync::Once;

open_set! {
    /// A `log::Level` that can cross the boundary (`0` = off ... `5` = trace).
    #[derive(PartialOrd, Ord)]
    pub struct LogLevel;
    /// Logging disabled.
    OFF = 0;
    /// `log::Level::Error`.
    ERROR = 1;
    /// `log::Level::Warn`.
    WARN = 2;
    /// `log::Level::Info`.
    INFO = 3;
    /// `log::Level::Debug`.
    DEBUG = 4;
    /// `log::Level::Trace`.
    TRACE = 5;
}

impl LogLevel {
    /// The `log` level, `None` for [`LogLevel::OFF`] (and anything above trace maps to trace).
    pub fn to_level(self) -> Option<log::Level> {
        match self.0 {
            0 => None,
            1 => Some(log::Level::Error),
            2 => Some(log::Level::Warn),
            3 => Some(log::Level::Info),
            4 => Some(log::Level::Debug),
            _ => Some(log::Level::Trace),
        }
    }

    /// The level filter with the same verbosity.
    pub fn to_filter(self) -> log::LevelFilter {
        self.to_level()
            .map_or(log::LevelFilter::Off, |l| l.to_level_filter())
    }
}

impl From<log::Level> for LogLevel {
    fn from(level: log::Level) -> Self {
        Self(level as u8)
    }
}

impl From<log::LevelFilter> for LogLevel {
    fn from(filter: log::LevelFilter) -> Self {
        Self(filter as u8)
    }
}

struct BridgeLogger {
    ctx: ConnectorContext,
}

impl log::Log for BridgeLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        LogLevel::from(metadata.level()) <= self.ctx.max_log_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let message = record.args().to_string();
            self.ctx
                .log(record.level().into(), record.target(), &message);
        }
    }

    fn flush(&self) {}
}

static INSTALL: Once = Once::new();

/// Installs the forwarding logger into this copy of `log`, once. A no-op where a logger is
/// installed already (builtins share the host's `log`).
pub(crate) fn install(ctx: &ConnectorContext) {
    INSTALL.call_once(|| {
        let max = ctx.max_log_level().to_filter();
        if log::set_boxed_logger(Box::new(BridgeLogger { ctx: ctx.clone() })).is_ok() {
            log::set_max_level(max);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_round_trip() {
        for level in [
            log::Level::Error,
            log::Level::Warn,
            log::Level::Info,
            log::Level::Debug,
            log::Level::Trace,
        ] {
            assert_eq!(LogLevel::from(level).to_level(), Some(level));
        }
        assert_eq!(LogLevel::OFF.to_filter(), log::LevelFilter::Off);
        assert_eq!(LogLevel::from(log::LevelFilter::Info), LogLevel::INFO);
    }
}
