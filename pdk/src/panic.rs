//! Catching panics on the connector's side of the boundary.
//!
//! A panic that unwinds into an abi_stable shim aborts the whole process; one inside an FFI
//! future re-panics in the host's task. Both would let one bad connector kill every flow, so
//! every entry point of a connector runs inside `catch_unwind` here, in the connector's copy of
//! this crate, and a panic becomes a [`ConnectorError`] of kind [`ErrorKind::PANIC`].

use crate::error::{ConnectorError, ErrorKind};
use std::{
    any::Any,
    future::Future,
    panic::{catch_unwind, AssertUnwindSafe},
    pin::Pin,
    task::{Context, Poll},
};

/// Called by [`crate::connector_module!`]'s export, in plugin builds only: a plugin has its own
/// copy of the standard library, whose default hook would print every panic — caught here and
/// reported by the runtime anyway — to stderr. This hook logs where it happened through the
/// logging bridge instead, at debug level (the runtime logs the error itself, naming the
/// connector). A builtin never calls it: the host's hook is the host's business.
pub fn install_plugin_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            log::debug!(target: "tremor_pdk::panic", "connector {info}");
        }));
    });
}

/// The message of a caught panic payload.
pub(crate) fn panic_error(payload: Box<dyn Any + Send>) -> ConnectorError {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-string payload".to_string());
    ConnectorError::new(ErrorKind::PANIC, format!("connector panicked: {what}"))
}

/// Runs `f`, turning a panic into an error.
pub(crate) fn catch<T>(f: impl FnOnce() -> Result<T, ConnectorError>) -> Result<T, ConnectorError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(panic_error(p)))
}

/// A future that turns a panic during `poll` into an error.
pub(crate) struct CatchUnwind<F> {
    inner: F,
}

impl<F> CatchUnwind<F> {
    pub(crate) fn new(inner: F) -> Self {
        Self { inner }
    }
}

impl<T, F> Future for CatchUnwind<F>
where
    F: Future<Output = Result<T, ConnectorError>>,
{
    type Output = Result<T, ConnectorError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: structural pinning of the only field; `CatchUnwind` has no `Drop` impl and
        // never moves `inner` out.
        let inner = unsafe { self.map_unchecked_mut(|s| &mut s.inner) };
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => Poll::Ready(Err(panic_error(payload))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catch_turns_panics_into_errors() {
        let r: Result<(), _> = catch(|| panic!("boom"));
        let e = r.expect_err("must be an error");
        assert_eq!(e.kind, ErrorKind::PANIC);
        assert!(e.message.contains("boom"), "{e}");
        let r = catch(|| Ok(3));
        assert_eq!(r, Ok(3));
    }
}
