//! What hyper needs to run without tokio and without the host's executor: its I/O traits over
//! futures-io streams ([`HyperIo`]), a timer on async-io ([`AsyncIoTimer`]), and an executor of
//! the connector instance's own ([`Tasks`]) for the tasks that outlive one call from the host
//! (the accept loop, one task per connection, the client's requests).
//!
//! Why an executor of its own: an HTTP server answers requests while the host is not calling the
//! connector at all, and a client keeps several requests in flight while the host's `on_batch`
//! has long returned. Those tasks must run somewhere; a plugin may not spawn onto the host's
//! executor (it has its own copy of every static, DESIGN.md), so each connector instance owns
//! one small async-executor on one thread. The sockets are async-io's (the reactor thread of
//! async-io in this copy of the crate), so the I/O itself is executor-independent.

use futures_lite::{AsyncRead, AsyncWrite};
use std::{
    future::Future,
    io,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::{Duration, Instant},
};

/// hyper's `rt::Read`/`rt::Write` over a futures-io stream (plain TCP or TLS).
pub struct HyperIo<S>(pub S);

impl<S: AsyncRead + Unpin> hyper::rt::Read for HyperIo<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        // SAFETY: `as_mut` hands out the unfilled part of the buffer, possibly uninitialized;
        // it is zeroed before it is read into, and `advance` counts only bytes the stream wrote.
        let unfilled = unsafe { buf.as_mut() };
        for byte in unfilled.iter_mut() {
            byte.write(0);
        }
        // SAFETY: every byte of `unfilled` was initialized just above.
        let slice = unsafe { &mut *(std::ptr::from_mut(unfilled) as *mut [u8]) };
        match Pin::new(&mut self.0).poll_read(cx, slice) {
            Poll::Ready(Ok(n)) => {
                // SAFETY: the stream wrote `n` bytes into the buffer (n <= its length).
                unsafe { buf.advance(n) };
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncWrite + Unpin> hyper::rt::Write for HyperIo<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_close(cx)
    }
}

/// hyper's timer (header read timeouts) on async-io.
#[derive(Clone, Copy, Debug, Default)]
pub struct AsyncIoTimer;

struct Sleep(async_io::Timer);

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(|_| ())
    }
}

impl hyper::rt::Sleep for Sleep {}

impl hyper::rt::Timer for AsyncIoTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(Sleep(async_io::Timer::after(duration)))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(Sleep(async_io::Timer::at(deadline)))
    }
}

/// An executor with one thread of its own, for the tasks of one connector instance. Dropping
/// the last handle stops the thread and cancels every task still running (connections close).
#[derive(Clone)]
pub struct Tasks {
    inner: Arc<TasksInner>,
}

struct TasksInner {
    executor: Arc<async_executor::Executor<'static>>,
    stop: async_channel::Sender<()>,
}

impl Drop for TasksInner {
    fn drop(&mut self) {
        self.stop.close();
    }
}

impl Tasks {
    /// Starts the thread (named after the connector type).
    pub fn start(name: &str) -> io::Result<Self> {
        let executor = Arc::new(async_executor::Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let runs = executor.clone();
        std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                async_io::block_on(runs.run(async move {
                    let _ = stopped.recv().await;
                }));
                // Dropping the executor here (the last reference once the handles are gone)
                // cancels the tasks on this thread.
            })?;
        Ok(Self {
            inner: Arc::new(TasksInner { executor, stop }),
        })
    }

    /// Runs `task` until it ends or the executor stops.
    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        self.inner.executor.spawn(task).detach();
    }

    /// A handle for tasks that spawn tasks: it does not keep the executor alive (a task
    /// holding a [`Tasks`] would keep its own executor running forever).
    pub fn spawner(&self) -> Spawner {
        Spawner(Arc::downgrade(&self.inner.executor))
    }
}

/// Spawns onto a [`Tasks`] executor while it runs; see [`Tasks::spawner`].
#[derive(Clone)]
pub struct Spawner(std::sync::Weak<async_executor::Executor<'static>>);

impl Spawner {
    /// Runs `task` on the executor; nothing when it has stopped.
    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        if let Some(executor) = self.0.upgrade() {
            executor.spawn(task).detach();
        }
    }
}

/// `future`, or `None` when it took longer than `limit`.
pub async fn timeout<T>(limit: Duration, future: impl Future<Output = T>) -> Option<T> {
    futures_lite::future::or(async { Some(future.await) }, async {
        async_io::Timer::after(limit).await;
        None
    })
    .await
}
