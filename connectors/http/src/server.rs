//! `http_server`: every request becomes an event; the pipeline's answer (an event carrying the
//! request's `$http_server.request_id`) becomes its response.
//!
//! * Source: an event per request, its body decoded by the codec of its `content-type` (see
//!   [`crate::codec`]; an empty body is `null`), with the metadata
//!   `$http_server = {"request": {headers, method, protocol, uri, version}, "request_id": N}`.
//!   A body that cannot be decoded is answered `400 Bad Request` at once and reported on `err`.
//! * Sink: events are grouped by `$http_server.request_id`; each group is the body of that
//!   request's response, one event per chunk. `$http_server.response` sets `status` (default:
//!   201 for POST, 204 for DELETE, 200 else) and `headers`; with `transfer-encoding: chunked`
//!   the body goes out chunked, else with a length. The codec follows the response's
//!   `content-type` (or `*/*`), and the `content-type` the codec when none is set. An event
//!   whose request is unknown (answered already, or never seen) fails.
//! * Requests wait for their answer while their connection stays open; when the connector
//!   stops, waiting requests get `503 Service Unavailable`.
//!
//! Config: `url` (where to listen; `https` with `tls`), `tls = {"cert": PATH, "key": PATH}`,
//! `mime_mapping` (0.12: `custom_codecs`) and 0.12's connector-level `codec` (see
//! [`crate::codec`]).

use crate::{
    body::Frames,
    codec::{parse_config, Codec, MimeMap},
    endpoint::Endpoint,
    meta::{append_headers, connector_meta, content_type, is_chunked, request_record},
    rt::{AsyncIoTimer, HyperIo, Spawner, Tasks},
};
use async_channel::{Receiver, Sender};
use http_body_util::BodyExt;
use hyper::{body::Incoming, service::service_fn, Request, Response, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};
use std::{
    collections::HashMap,
    convert::Infallible,
    sync::{Arc, Mutex},
    time::Duration,
};
use tremor_connector_net::{lock, tcp_listen, Tcp, TcpSocketOptions, TlsServerConfig, Transport};
use tremor_pdk::{
    into_raw_sink, into_raw_source, io::IoResultExt, CodecRequirement, Connector, ConnectorContext,
    EventAck, RawSinkBox, RawSourceBox, Result, Sink, SinkBatch, SinkReplies, Source, SourceReply,
};

/// The connector type name (Tremor's).
pub const CONNECTOR_TYPE: &str = "http_server";

/// How long a client has to send a request's head before the connection is closed.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// `http_server`'s config record, without the body-codec keys
/// (`mime_mapping`, `custom_codecs`, `codec`: [`crate::codec::parse_config`] reads those).
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct HttpServerConfig {
    /// Where to listen: `http://host:port` (`https://…` with `tls`).
    #[serde(default = "default_url")]
    pub url: String,
    /// TLS: `{"cert": PATH, "key": PATH}` (PEM files); absent, `null` or `false`: plain.
    #[serde(default)]
    pub tls: Option<Value>,
}

fn default_url() -> String {
    "http://localhost:80/".into()
}

/// A request waiting in the source part.
struct Pending {
    body: bytes::Bytes,
    request: Value,
    content_type: Option<String>,
    reply: Sender<Response<Frames>>,
}

/// Responders of the requests the pipeline has not answered yet, by request id.
type Inflight = Arc<Mutex<HashMap<u64, Sender<Response<Frames>>>>>;

/// The connector: the listener, and the channels between its connections and its parts.
pub struct HttpServer {
    ctx: ConnectorContext,
    endpoint: Endpoint,
    transport: Tcp,
    mime: Arc<MimeMap>,
    inflight: Inflight,
    requests: (Sender<Pending>, Receiver<Pending>),
    tasks: Option<Tasks>,
    local_addr: Option<std::net::SocketAddr>,
}

impl HttpServer {
    /// The address the listener is bound to, once connected (port 0 in `url` picks one).
    pub fn local_addr(&self) -> Option<std::net::SocketAddr> {
        self.local_addr
    }
}

/// Builds an `http_server` from its config record (JSON text).
pub fn new_connector(ctx: ConnectorContext, config: &str) -> Result<HttpServer> {
    let (config, mime): (HttpServerConfig, MimeMap) = parse_config(CONNECTOR_TYPE, config)?;
    let endpoint = Endpoint::parse(CONNECTOR_TYPE, &config.url)?;
    let tls = TlsServerConfig::from_field(CONNECTOR_TYPE, config.tls.as_ref())?;
    if tls.is_some() != endpoint.is_https() {
        return Err(tremor_pdk::config::invalid(
            CONNECTOR_TYPE,
            "an `https` url needs `tls` and `tls` needs an `https` url",
        ));
    }
    let acceptor = tls.map(|t| t.acceptor(CONNECTOR_TYPE)).transpose()?;
    Ok(HttpServer {
        ctx,
        endpoint,
        transport: Tcp {
            nodelay: true,
            tls: acceptor,
        },
        mime: Arc::new(mime),
        inflight: Arc::default(),
        requests: async_channel::bounded(128),
        tasks: None,
        local_addr: None,
    })
}

impl Connector for HttpServer {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::STRUCTURED
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(into_raw_source(ServerSource {
            requests: self.requests.1.clone(),
            inflight: self.inflight.clone(),
            mime: self.mime.clone(),
            next_request_id: 1,
        })))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        Ok(Some(into_raw_sink(ServerSink {
            inflight: self.inflight.clone(),
            mime: self.mime.clone(),
        })))
    }

    /// Binds the listener and starts serving; a reconnect keeps a running listener.
    async fn connect(&mut self, _attempt: u64) -> Result<bool> {
        if self.tasks.is_some() {
            return Ok(true);
        }
        let address = self.endpoint.address();
        let listener = tcp_listen(&address, &TcpSocketOptions::default(), 1024)
            .await
            .with_io_context(|| format!("cannot listen on {address}"))?;
        self.local_addr = listener.local_addr().ok();
        let local = self
            .local_addr
            .map_or_else(|| address.clone(), |a| a.to_string());
        log::info!("[{}] listening on {local}", self.ctx.alias());
        let tasks = Tasks::start(CONNECTOR_TYPE)
            .io_context("cannot start the thread of the connections")?;
        let serving = Serving {
            alias: self.ctx.alias().into(),
            transport: self.transport.clone(),
            protocol: if self.endpoint.is_https() {
                "https"
            } else {
                "http"
            },
            requests: self.requests.0.clone(),
            spawner: tasks.spawner(),
        };
        tasks.spawn(serving.accept_loop(listener));
        self.tasks = Some(tasks);
        Ok(true)
    }

    /// Stops listening; connections close and waiting requests get 503.
    async fn on_stop(&mut self) -> Result<()> {
        if self.tasks.take().is_some() {
            log::info!("[{}] stopped listening", self.ctx.alias());
        }
        self.requests.1.close();
        lock(&self.inflight, "the waiting requests")?.clear();
        Ok(())
    }
}

/// What the accept loop and the connections share.
#[derive(Clone)]
struct Serving {
    alias: Arc<str>,
    transport: Tcp,
    protocol: &'static str,
    requests: Sender<Pending>,
    spawner: Spawner,
}

impl Serving {
    async fn accept_loop(self, listener: async_net::TcpListener) {
        let mut listener = listener;
        loop {
            let (back, accepted) = Tcp::accept(listener).await;
            listener = back;
            match accepted {
                Ok((stream, peer)) => {
                    let serving = self.clone();
                    self.spawner.spawn(async move {
                        serving.serve(stream, peer).await;
                    });
                }
                Err(e) => {
                    log::warn!("[{}] accepting a connection failed: {e}", self.alias);
                    async_io::Timer::after(Duration::from_millis(100)).await;
                }
            }
        }
    }

    async fn serve(self, stream: tremor_connector_net::TcpConnection, peer: std::net::SocketAddr) {
        if let Err(e) = self.transport.configure(&stream) {
            log::debug!("[{}] {peer}: {e}", self.alias);
        }
        let stream = match self.transport.establish(stream).await {
            Ok(stream) => stream,
            // A client that connects and closes without a word (a port probe) is no failure.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                log::debug!("[{}] {peer} closed before a TLS handshake: {e}", self.alias);
                return;
            }
            Err(e) => {
                log::warn!("[{}] TLS handshake with {peer} failed: {e}", self.alias);
                return;
            }
        };
        let protocol = self.protocol;
        let requests = self.requests.clone();
        let service = service_fn(move |request: Request<Incoming>| {
            let requests = requests.clone();
            async move { Ok::<_, Infallible>(answer(request, protocol, requests).await) }
        });
        let served = hyper::server::conn::http1::Builder::new()
            .timer(AsyncIoTimer)
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .keep_alive(true)
            .serve_connection(HyperIo(stream), service)
            .await;
        if let Err(e) = served {
            log::debug!("[{}] connection from {peer}: {e}", self.alias);
        }
    }
}

/// A response with a plain-text body.
fn plain(status: StatusCode, text: impl Into<String>) -> Response<Frames> {
    let mut response = Response::new(Frames::text(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain"),
    );
    response
}

/// Hands a request to the source part and waits for the pipeline's response.
async fn answer(
    request: Request<Incoming>,
    protocol: &str,
    requests: Sender<Pending>,
) -> Response<Frames> {
    let record = request_record(&request, protocol);
    let content_type = content_type(request.headers()).map(str::to_owned);
    let body = match request.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(e) => {
            return plain(
                StatusCode::BAD_REQUEST,
                format!("cannot read the body: {e}"),
            )
        }
    };
    let (reply, response) = async_channel::bounded(1);
    let pending = Pending {
        body,
        request: record,
        content_type,
        reply,
    };
    if requests.send(pending).await.is_err() {
        return plain(StatusCode::SERVICE_UNAVAILABLE, "the server is stopping");
    }
    response.recv().await.unwrap_or_else(|_| {
        plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "the server stopped before it answered",
        )
    })
}

/// Turns waiting requests into events.
struct ServerSource {
    requests: Receiver<Pending>,
    inflight: Inflight,
    mime: Arc<MimeMap>,
    next_request_id: u64,
}

impl Source for ServerSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        let Ok(pending) = self.requests.recv().await else {
            return Ok(SourceReply::Empty { wait_ms: 100 });
        };
        let request_id = self.next_request_id;
        self.next_request_id += 1;
        let codec = self
            .mime
            .codec_for(pending.content_type.as_deref())
            .unwrap_or(Codec::Binary);
        let meta = json!({
            CONNECTOR_TYPE: {"request": pending.request, "request_id": request_id}
        });
        let event = match codec.body_event(&pending.body, &meta) {
            Ok(event) => event,
            Err(why) => {
                let message = format!("request {request_id}: cannot decode its body: {why}");
                let _ = pending
                    .reply
                    .try_send(plain(StatusCode::BAD_REQUEST, message.clone()));
                return Ok(SourceReply::Error {
                    stream: 0,
                    message: message.into(),
                });
            }
        };
        lock(&self.inflight, "the waiting requests")?.insert(request_id, pending.reply);
        Ok(event)
    }
}

/// Turns the pipeline's events into responses.
struct ServerSink {
    inflight: Inflight,
    mime: Arc<MimeMap>,
}

/// The events of one batch that answer one request.
struct Answer {
    request_id: u64,
    record: Value,
    events: Vec<usize>,
    docs: Vec<Vec<u8>>,
}

impl Sink for ServerSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        let mut replies = SinkReplies::ack_all();
        let mut answers: Vec<Answer> = Vec::new();
        for (index, event) in batch.iter().enumerate() {
            let (record, _) = connector_meta(event.meta(), CONNECTOR_TYPE);
            let Some(request_id) = record.get("request_id").and_then(Value::as_u64) else {
                log::warn!("an event without `$http_server.request_id` cannot be a response");
                replies.push(index, EventAck::FAIL, tremor_pdk::CbAction::NONE);
                continue;
            };
            let doc: Vec<u8> = event.chunks().flatten().copied().collect();
            match answers.iter_mut().find(|a| a.request_id == request_id) {
                Some(answer) => {
                    answer.events.push(index);
                    answer.docs.push(doc);
                }
                None => answers.push(Answer {
                    request_id,
                    record,
                    events: vec![index],
                    docs: vec![doc],
                }),
            }
        }
        for answer in answers {
            let reply = lock(&self.inflight, "the waiting requests")?.remove(&answer.request_id);
            let delivered = match reply {
                Some(reply) => {
                    let response = respond(&answer.record, &answer.docs, &self.mime)
                        .unwrap_or_else(|why| {
                            log::warn!("request {}: {why}", answer.request_id);
                            plain(StatusCode::INTERNAL_SERVER_ERROR, why)
                        });
                    // The client may have gone: nothing to deliver to any more.
                    reply.try_send(response).is_ok()
                }
                None => {
                    log::warn!(
                        "no request {} is waiting for a response (answered already, or unknown)",
                        answer.request_id
                    );
                    false
                }
            };
            if !delivered {
                for index in answer.events {
                    replies.push(index, EventAck::FAIL, tremor_pdk::CbAction::NONE);
                }
            }
        }
        Ok(replies)
    }
}

/// The response for the events `docs` whose (first) `$http_server` record is `record`.
fn respond(
    record: &Value,
    docs: &[Vec<u8>],
    mime: &MimeMap,
) -> std::result::Result<Response<Frames>, String> {
    let response_meta = record.get("response");
    let status = match response_meta.and_then(|r| r.get("status")) {
        Some(status) => status
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .and_then(|s| StatusCode::from_u16(s).ok())
            .ok_or_else(|| format!("`$http_server.response.status` {status} is no HTTP status"))?,
        None => default_status(record),
    };
    let mut response = Response::new(Frames::empty());
    *response.status_mut() = status;
    append_headers(
        response.headers_mut(),
        response_meta.and_then(|r| r.get("headers")),
    )?;
    let headers = response.headers_mut();
    let codec = mime.outgoing_codec(headers);
    let chunked = is_chunked(headers);
    if chunked {
        // hyper writes the chunked framing itself for a body without a length.
        headers.remove(hyper::header::CONTENT_LENGTH);
    }
    let frames = docs
        .iter()
        .map(|doc| codec.encode(doc))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    *response.body_mut() = Frames::new(frames, chunked);
    Ok(response)
}

/// Tremor's status when the pipeline sets none: 201 for POST, 204 for DELETE, else 200.
fn default_status(record: &Value) -> StatusCode {
    let method = record
        .get("request")
        .and_then(|r| r.get("method"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if method.eq_ignore_ascii_case("post") {
        StatusCode::CREATED
    } else if method.eq_ignore_ascii_case("delete") {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::OK
    }
}
