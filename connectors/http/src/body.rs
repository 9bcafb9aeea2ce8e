//! The bodies this crate sends: every byte is known when the request or response is built
//! (the events of one batch), one frame per encoded event.

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use std::{
    collections::VecDeque,
    convert::Infallible,
    pin::Pin,
    task::{Context, Poll},
};

/// A body of frames. With `chunked` it does not announce its length, so hyper sends it with
/// `transfer-encoding: chunked`, one chunk per frame; else with a `content-length`.
#[derive(Debug, Default)]
pub struct Frames {
    frames: VecDeque<Bytes>,
    remaining: u64,
    chunked: bool,
}

impl Frames {
    /// A body of `frames`, chunked or with a length.
    pub fn new(frames: Vec<Vec<u8>>, chunked: bool) -> Self {
        let frames: VecDeque<Bytes> = frames
            .into_iter()
            .filter(|f| !f.is_empty())
            .map(Bytes::from)
            .collect();
        let remaining = frames.iter().map(|f| f.len() as u64).sum();
        Self {
            frames,
            remaining,
            chunked,
        }
    }

    /// An empty body.
    pub fn empty() -> Self {
        Self::default()
    }

    /// One frame, with a length.
    pub fn text(text: impl Into<String>) -> Self {
        Self::new(vec![text.into().into_bytes()], false)
    }
}

impl Body for Frames {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let frame = self.frames.pop_front();
        if let Some(f) = &frame {
            self.remaining -= f.len() as u64;
        }
        Poll::Ready(frame.map(|f| Ok(Frame::data(f))))
    }

    fn is_end_stream(&self) -> bool {
        self.frames.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        if self.chunked {
            SizeHint::default()
        } else {
            SizeHint::with_exact(self.remaining)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[test]
    fn frames_come_out_in_order_and_announce_their_length_unless_chunked() {
        let body = Frames::new(vec![b"ab".to_vec(), vec![], b"c".to_vec()], false);
        assert_eq!(body.size_hint().exact(), Some(3));
        let bytes = futures_lite::future::block_on(body.collect())
            .expect("infallible")
            .to_bytes();
        assert_eq!(&bytes[..], b"abc");
        let chunked = Frames::new(vec![b"x".to_vec()], true);
        assert_eq!(chunked.size_hint().exact(), None);
        assert!(Frames::empty().is_end_stream());
    }
}
