//! Shared code of the `http_server` and `http_client` connectors (Tremor's http connectors);
//! connectors/http_server and connectors/http_client register one type each (a plugin file
//! exports one root module). Not a connector itself: no `plugin` feature.
//!
//! * [`server`]: requests become events, the pipeline's answers their responses.
//! * [`client`]: events become requests, responses events.
//! * [`codec`]: codecs per mime type (`mime_mapping`).
//! * [`meta`]: Tremor's request/response metadata records.
//! * [`rt`]: hyper 1.x without tokio: its I/O traits over futures-io streams (plain TCP or TLS
//!   from tremor-connector-net), a timer on async-io, and an executor thread per connector
//!   instance for connections and requests in flight (never the host's executor).
//!
//! HTTP/1.1 only (hyper's `http1`); TLS with rustls through tremor-connector-net, as tcp's.

pub mod body;
pub mod client;
pub mod codec;
pub mod endpoint;
pub mod meta;
pub mod rt;
pub mod server;
#[cfg(test)]
mod tests;
