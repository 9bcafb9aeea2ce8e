//! The sink part of a stream server: writes events to the connection named in their metadata.

use super::Shared;
use crate::Transport;
use serde::Deserialize;
use tremor_pdk::{CbAction, EventAck, Result, Sink, SinkBatch, SinkReplies};

/// The connection named by a metadata record: `{key: {"connection": N, ...}, ...}`.
pub fn connection_of(key: &str, meta: Option<&[u8]>) -> Option<u64> {
    #[derive(Deserialize)]
    struct ServerMeta {
        connection: Option<u64>,
    }
    crate::meta::record_of::<ServerMeta>(key, meta)?.connection
}

pub(super) struct ServerSink<T: Transport> {
    alias: String,
    shared: Shared<T>,
    /// The bytes of consecutive events for one connection, written with one call.
    out: Vec<u8>,
    /// The batch indices of the events in `out`.
    run: Vec<usize>,
}

impl<T: Transport> ServerSink<T> {
    pub(super) fn new(alias: String, shared: Shared<T>) -> Self {
        Self {
            alias,
            shared,
            out: Vec::new(),
            run: Vec::new(),
        }
    }

    fn writer(&self, id: u64) -> Result<Option<T::Stream>> {
        Ok(self.shared.writers()?.get(&id).map(|w| w.stream.clone()))
    }

    /// Writes the pending run of events to connection `id`; fails them when that fails.
    async fn write_run(
        &mut self,
        target: Option<(u64, T::Stream)>,
        replies: &mut SinkReplies,
    ) -> Result<()> {
        if let Some((id, mut stream)) = target {
            if !self.out.is_empty() {
                if let Err(e) = crate::transport::send(&mut stream, &self.out).await {
                    log::warn!(
                        "[{}] writing to connection {id} failed, closing it: {e}",
                        self.alias
                    );
                    T::shutdown(&stream);
                    self.shared.writers()?.remove(&id);
                    for &i in &self.run {
                        replies.push(i, EventAck::FAIL, CbAction::NONE);
                    }
                }
            }
        }
        self.out.clear();
        self.run.clear();
        Ok(())
    }
}

impl<T: Transport> Sink for ServerSink<T> {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        let mut replies = SinkReplies::ack_all();
        let mut unroutable = 0usize;
        // The connection of the current run and its stream (`None`: unknown connection).
        let mut current: Option<(u64, Option<T::Stream>)> = None;
        // Events of one source batch share their metadata text: parse it once.
        let mut last_meta: Option<(Option<&[u8]>, Option<u64>)> = None;
        self.out.clear();
        self.run.clear();
        for (i, event) in batch.iter().enumerate() {
            let meta = event.meta();
            let id = match last_meta {
                Some((m, id)) if m == meta => id,
                _ => {
                    let id = connection_of(self.shared.key, meta);
                    last_meta = Some((meta, id));
                    id
                }
            };
            let Some(id) = id else {
                replies.push(i, EventAck::FAIL, CbAction::NONE);
                unroutable += 1;
                continue;
            };
            if current.as_ref().map(|c| c.0) != Some(id) {
                let done = current.take().and_then(|(id, s)| s.map(|s| (id, s)));
                self.write_run(done, &mut replies).await?;
                current = Some((id, self.writer(id)?));
            }
            if current.as_ref().is_some_and(|c| c.1.is_none()) {
                replies.push(i, EventAck::FAIL, CbAction::NONE);
                unroutable += 1;
                continue;
            }
            for chunk in event.chunks() {
                self.out.extend_from_slice(chunk);
            }
            self.run.push(i);
        }
        let done = current.take().and_then(|(id, s)| s.map(|s| (id, s)));
        self.write_run(done, &mut replies).await?;
        if unroutable > 0 {
            log::warn!(
                "[{}] {unroutable} event(s) failed: no open connection named in their metadata (`{}.connection`)",
                self.alias,
                self.shared.key
            );
        }
        Ok(replies)
    }
}

#[cfg(test)]
mod tests {
    use super::connection_of;

    #[test]
    fn metadata_names_the_connection_under_the_connectors_key() {
        let of = |meta: &str| connection_of("tcp_server", Some(meta.as_bytes()));
        assert_eq!(
            of(r#"{"tcp_server": {"peer": "127.0.0.1:1", "connection": 7}}"#),
            Some(7)
        );
        assert_eq!(
            of(r#"{"other": [1, {"a": 2}], "tcp_server": {"connection": 3}}"#),
            Some(3)
        );
        assert_eq!(of(r#"{"udp_server": {}}"#), None);
        assert_eq!(of(r#"{"unix_socket_server": {"connection": 1}}"#), None);
        assert_eq!(of(r#"{"tcp_server": null}"#), None);
        assert_eq!(of(r#"{"tcp_server": {}}"#), None);
        assert_eq!(of("[1]"), None);
        assert_eq!(of("nonsense"), None);
        assert_eq!(connection_of("tcp_server", None), None);
    }
}
