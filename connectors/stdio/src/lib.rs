//! `stdio`: the process's standard streams.
//!
//! Source: standard input, one stream, in chunks as they arrive (frame lines with the
//! `separate` preprocessor). At end of input the stream ends and the source finishes.
//! Sink: events arriving on port `in` or `stdout` go to standard output, on port `stderr` to
//! standard error.

use blocking::Unblock;
use futures_lite::{AsyncReadExt, AsyncWriteExt};
use serde::Deserialize;
use std::io::{Stderr, Stdin, Stdout};
use tremor_pdk::{
    parts::PartsConnector, CodecRequirement, ConnectorContext, ConnectorError, Result, Sink,
    SinkBatch, SinkReplies, Source, SourceBatch, SourceReply,
};

/// The connector type name.
pub const CONNECTOR_TYPE: &str = "stdio";

tremor_pdk::connector_module!(
    CONNECTOR_TYPE,
    new_connector,
    input_ports = ["in", "stdout", "stderr"]
);

const READ_SIZE: usize = 64 * 1024;

/// Configuration of stdio: it has no options. An empty record is all that is accepted, so
/// that typos do not pass silently.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct StdioConfig {}

fn new_connector(_ctx: ConnectorContext, config: &str) -> Result<PartsConnector, ConnectorError> {
    let StdioConfig {} = tremor_pdk::config::parse(CONNECTOR_TYPE, config)?;
    Ok(PartsConnector::new(CodecRequirement::optional("string"))
        .with_source(|| {
            Ok(StdinSource {
                stdin: Unblock::new(std::io::stdin()),
                ended: false,
            })
        })
        .with_sink(|| {
            Ok(StdioSink {
                stdout: Unblock::new(std::io::stdout()),
                stderr: Unblock::new(std::io::stderr()),
            })
        }))
}

struct StdinSource {
    // `Unblock` keeps a read that was started in the background, so a cancelled pull loses
    // nothing.
    stdin: Unblock<Stdin>,
    ended: bool,
}

impl Source for StdinSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        if self.ended {
            return Ok(SourceReply::Finished);
        }
        let mut buf = vec![0u8; READ_SIZE];
        let n = self.stdin.read(&mut buf).await?;
        if n == 0 {
            self.ended = true;
            return Ok(SourceReply::EndStream { stream: 0 });
        }
        buf.truncate(n);
        Ok(SourceReply::Data(SourceBatch::bytes(0, vec![buf.into()])))
    }
}

struct StdioSink {
    stdout: Unblock<Stdout>,
    stderr: Unblock<Stderr>,
}

impl Sink for StdioSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        let (mut out, mut err) = (false, false);
        for event in batch.iter() {
            let to_stderr = event.port() == "stderr";
            for chunk in event.chunks() {
                if to_stderr {
                    self.stderr.write_all(chunk).await?;
                } else {
                    self.stdout.write_all(chunk).await?;
                }
            }
            err |= to_stderr;
            out |= !to_stderr;
        }
        // Console output is read by people and by tests as it happens: flush every batch.
        if out {
            self.stdout.flush().await?;
        }
        if err {
            self.stderr.flush().await?;
        }
        Ok(SinkReplies::ack_all())
    }

    async fn flush(&mut self) -> Result<()> {
        self.stdout.flush().await?;
        self.stderr.flush().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_must_be_empty() {
        let ctx = tremor_pdk::testing::null_context("s");
        assert!(new_connector(ctx.clone(), "{}").is_ok());
        let err = new_connector(ctx, r#"{"path": "x"}"#).err().expect("error");
        assert!(
            err.message
                .starts_with("invalid stdio config: unknown field `path`"),
            "{err}"
        );
    }

    #[test]
    fn the_module_exports_the_type_the_ports_and_the_config_check() {
        let module = connector_module();
        assert_eq!(module.connector_type().as_str(), CONNECTOR_TYPE);
        let ports = module.input_ports().expect("declared");
        let ports: Vec<&str> = ports.iter().map(|p| p.as_str()).collect();
        assert_eq!(ports, ["in", "stdout", "stderr"]);
        let ctx = tremor_pdk::testing::null_context("s");
        let err = tremor_pdk::testing::instantiate(module, ctx, r#"{"x": 1}"#)
            .err()
            .expect("refused");
        assert_eq!(err.kind, tremor_pdk::ErrorKind::CONFIG);
    }
}
