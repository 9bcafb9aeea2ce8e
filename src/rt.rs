//! The runtime's executor, in one place.
//!
//! async-std is deprecated upstream; every use of it in the runtime goes through this module so
//! that moving to another executor touches one file. Connectors never use it: they build on
//! executor-independent crates (async-io, blocking) and are driven through pdk futures.

use std::{future::Future, time::Duration};

pub use async_std::channel::{bounded, unbounded, Receiver, Sender, TryRecvError};

/// A handle to a spawned task; awaiting it yields the task's output.
pub type JoinHandle<T> = async_std::task::JoinHandle<T>;

/// Runs a task in the background on the shared executor.
pub fn spawn<F>(name: impl Into<String>, fut: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    async_std::task::Builder::new()
        .name(name.into())
        .spawn(fut)
        .expect("spawning a task only fails when the OS refuses a thread at start-up")
}

/// Runs a future to completion on the current thread (the CLI's entry into async code).
pub fn block_on<F: Future>(fut: F) -> F::Output {
    async_std::task::block_on(fut)
}

/// Waits for `duration`.
pub async fn sleep(duration: Duration) {
    async_std::task::sleep(duration).await;
}

/// Runs `fut` for at most `duration`; `None` when the time ran out first.
pub async fn timeout<F: Future>(duration: Duration, fut: F) -> Option<F::Output> {
    async_std::future::timeout(duration, fut).await.ok()
}

/// Whichever of two futures completes first; the other is dropped.
pub async fn race<T>(a: impl Future<Output = T>, b: impl Future<Output = T>) -> T {
    futures_lite::future::or(a, b).await
}
