//! `http_client`: every event becomes a request; its response becomes an event on `out`, a
//! request that fails (no connection, a broken one, a timeout) an error event on `err`.
//!
//! * Sink: the request goes to `url` with `method` (default POST) and the `headers` of the
//!   config; an event's `$http_client.request` (0.12: `$request`) overrides `method`, `url`
//!   and adds `headers`. The body is the event encoded by the codec of the request's
//!   `content-type` (or `*/*`; json when nothing matches), which is set from the codec when
//!   absent; with `transfer-encoding: chunked` it is sent chunked. At most `concurrency`
//!   requests are in flight (default 4): `on_batch` waits for a free slot, so the pipeline
//!   slows down to what the server takes. Events are acked when their request is sent off.
//! * Source: the response, decoded by the codec of its `content-type`, with
//!   `$http_client = {"request": …, "request_id": N, "response": {status, headers, version},
//!   "content-length": BYTES}` and the request's `$correlation`. Every status is a response
//!   (4xx and 5xx too, as in Tremor); the status is in the metadata.
//! * Connections are kept alive and reused (a pool per host); `timeout` (nanoseconds) limits
//!   each request from sending to the last byte of the response.
//!
//! Config: `url`, `method`, `headers`, `concurrency`, `timeout`, `tls` (`true` or
//! `{"cafile", "domain", "cert", "key"}`, needed for `https`), `mime_mapping` (0.12:
//! `custom_codecs`) and 0.12's connector-level `codec` (see [`crate::codec`]), `auth` (`"none"` or `{"basic": {"username", "password"}}`).

use crate::{
    body::Frames,
    codec::{parse_config, Codec, MimeMap},
    endpoint::Endpoint,
    meta::{
        append_headers, connector_meta, content_type, is_chunked, request_record, response_record,
    },
    rt::{timeout, HyperIo, Spawner, Tasks},
};
use async_channel::{Receiver, Sender};
use base64::Engine;
use http_body_util::BodyExt;
use hyper::{client::conn::http1::SendRequest, Method, Request};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};
use tremor_connector_net::{lock, tcp_connect, TcpConnection, TcpSocketOptions, TlsClientConfig};
use tremor_pdk::{
    config::invalid, into_raw_sink, into_raw_source, io::IoResultExt, CodecRequirement, Connector,
    ConnectorContext, RawSinkBox, RawSourceBox, Result, Sink, SinkBatch, SinkReplies, Source,
    SourceReply,
};

/// The connector type name (Tremor's).
pub const CONNECTOR_TYPE: &str = "http_client";

/// How long `connect` waits for the url's port to take a connection (see
/// [`HttpClient`]'s `connect`).
const STARTUP_GRACE: Duration = Duration::from_secs(2);

/// How long a request may take when the config sets no `timeout` (Tremor's).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// `http_client`'s config record, without the body-codec keys
/// (`mime_mapping`, `custom_codecs`, `codec`: [`crate::codec::parse_config`] reads those).
#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct HttpClientConfig {
    /// Where requests go: `http://host:port/path` (`https://…` needs `tls`).
    #[serde(default = "default_url")]
    pub url: String,
    /// The method of requests whose metadata names none (default POST; any case).
    #[serde(default = "default_method")]
    pub method: String,
    /// Headers of every request: `{NAME: VALUE or [VALUES]}`.
    #[serde(default)]
    pub headers: Map<String, Value>,
    /// Requests in flight at most (default 4).
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// The limit per request in nanoseconds (default 60 s).
    #[serde(default)]
    pub timeout: Option<u64>,
    /// TLS: `true` (Mozilla's roots) or `{"cafile", "domain", "cert", "key"}`.
    #[serde(default)]
    pub tls: Option<Value>,
    /// `"none"` or `{"basic": {"username": …, "password": …}}`.
    #[serde(default)]
    pub auth: Option<Value>,
}

fn default_url() -> String {
    "http://localhost:80/".into()
}

fn default_method() -> String {
    "POST".into()
}

fn default_concurrency() -> usize {
    4
}

/// What every request shares: the resolved config.
struct Settings {
    endpoint: Endpoint,
    method: Method,
    headers: hyper::HeaderMap,
    authorization: Option<String>,
    limit: Duration,
    tls: Option<(TlsClientConfig, tremor_connector_net::TlsConnector)>,
    mime: MimeMap,
}

/// Builds an `http_client` from its config record (JSON text).
pub fn new_connector(ctx: ConnectorContext, config: &str) -> Result<HttpClient> {
    let (config, mime): (HttpClientConfig, MimeMap) = parse_config(CONNECTOR_TYPE, config)?;
    let endpoint = Endpoint::parse(CONNECTOR_TYPE, &config.url)?;
    let method = parse_method(&config.method).map_err(|why| invalid(CONNECTOR_TYPE, why))?;
    let mut headers = hyper::HeaderMap::new();
    append_headers(&mut headers, Some(&Value::Object(config.headers.clone())))
        .map_err(|why| invalid(CONNECTOR_TYPE, format!("`headers`: {why}")))?;
    if config.concurrency == 0 {
        return Err(invalid(CONNECTOR_TYPE, "`concurrency` must be at least 1"));
    }
    let tls = TlsClientConfig::from_field(CONNECTOR_TYPE, config.tls.as_ref())?;
    if endpoint.is_https() && tls.is_none() {
        return Err(invalid(
            CONNECTOR_TYPE,
            "an `https` url needs `tls` (`true` or a record)",
        ));
    }
    let tls = tls
        .map(|t| t.connector(CONNECTOR_TYPE).map(|c| (t, c)))
        .transpose()?;
    let settings = Settings {
        endpoint,
        method,
        headers,
        authorization: authorization(config.auth.as_ref())?,
        limit: config.timeout.map_or(DEFAULT_TIMEOUT, Duration::from_nanos),
        tls,
        mime,
    };
    let (responses, received) = async_channel::unbounded();
    let (slots, slots_rx) = async_channel::bounded(config.concurrency);
    Ok(HttpClient {
        ctx,
        settings: Arc::new(settings),
        responses,
        received,
        slots,
        slots_rx,
        tasks: None,
    })
}

fn parse_method(name: &str) -> std::result::Result<Method, String> {
    Method::from_bytes(name.to_ascii_uppercase().as_bytes())
        .map_err(|_| format!("`{name}` is no HTTP method"))
}

/// The `authorization` header of `auth`.
fn authorization(auth: Option<&Value>) -> Result<Option<String>> {
    match auth {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(none)) if none == "none" => Ok(None),
        Some(Value::Object(record)) if record.contains_key("basic") => {
            let basic = &record["basic"];
            let field = |name: &str| basic.get(name).and_then(Value::as_str);
            let (Some(user), Some(password)) = (field("username"), field("password")) else {
                return Err(invalid(
                    CONNECTOR_TYPE,
                    "`auth.basic` needs `username` and `password`",
                ));
            };
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            Ok(Some(format!("Basic {token}")))
        }
        Some(other) => Err(invalid(
            CONNECTOR_TYPE,
            format!("`auth` {other}: only \"none\" and {{\"basic\": …}} are supported"),
        )),
    }
}

/// The connector: settings, the pool's executor and the channel of responses.
pub struct HttpClient {
    ctx: ConnectorContext,
    settings: Arc<Settings>,
    responses: Sender<SourceReply>,
    received: Receiver<SourceReply>,
    /// A token per request in flight; its capacity is `concurrency`.
    slots: Sender<()>,
    slots_rx: Receiver<()>,
    tasks: Option<Tasks>,
}

impl Connector for HttpClient {
    fn codec_requirement(&self) -> CodecRequirement {
        CodecRequirement::STRUCTURED
    }

    fn create_source(&mut self) -> Result<Option<RawSourceBox>> {
        Ok(Some(into_raw_source(ClientSource {
            received: self.received.clone(),
        })))
    }

    fn create_sink(&mut self) -> Result<Option<RawSinkBox>> {
        let tasks = match &self.tasks {
            Some(tasks) => tasks.clone(),
            None => {
                let tasks = Tasks::start(CONNECTOR_TYPE)
                    .io_context("cannot start the thread of the requests")?;
                self.tasks = Some(tasks.clone());
                tasks
            }
        };
        Ok(Some(into_raw_sink(ClientSink {
            alias: self.ctx.alias().into(),
            settings: self.settings.clone(),
            pool: Arc::default(),
            responses: self.responses.clone(),
            slots: self.slots.clone(),
            slots_rx: self.slots_rx.clone(),
            spawner: tasks.spawner(),
            _tasks: tasks,
            next_request_id: 1,
        })))
    }

    /// Requests connect when they are sent (as Tremor's client does), so this always succeeds;
    /// but a server deployed beside the client may still be binding its port: give the url's
    /// port up to [`STARTUP_GRACE`] to take a connection before events start flowing.
    async fn connect(&mut self, attempt: u64) -> Result<bool> {
        if attempt > 1 {
            return Ok(true);
        }
        let address = self.settings.endpoint.address();
        let deadline = std::time::Instant::now() + STARTUP_GRACE;
        let options = TcpSocketOptions::default();
        loop {
            let dial = tcp_connect(&address, &options, true);
            match timeout(STARTUP_GRACE, dial).await {
                Some(Ok(_)) => break,
                _ if std::time::Instant::now() >= deadline => {
                    log::warn!(
                        "[{}] {address} takes no connections yet; requests to it will fail until it does",
                        self.ctx.alias()
                    );
                    break;
                }
                _ => async_io::Timer::after(Duration::from_millis(50)).await,
            };
        }
        Ok(true)
    }

    async fn on_stop(&mut self) -> Result<()> {
        self.tasks = None;
        Ok(())
    }
}

/// Hands responses and errors to the runtime.
struct ClientSource {
    received: Receiver<SourceReply>,
}

impl Source for ClientSource {
    async fn pull(&mut self, _pull_id: u64) -> Result<SourceReply> {
        Ok(self
            .received
            .recv()
            .await
            .unwrap_or(SourceReply::Empty { wait_ms: 100 }))
    }
}

/// Idle keep-alive connections by `scheme://host:port`.
type Pool = Arc<Mutex<HashMap<String, Vec<SendRequest<Frames>>>>>;

/// Sends each event as a request.
struct ClientSink {
    alias: Arc<str>,
    settings: Arc<Settings>,
    pool: Pool,
    responses: Sender<SourceReply>,
    slots: Sender<()>,
    slots_rx: Receiver<()>,
    spawner: Spawner,
    /// Keeps the executor running while the sink exists.
    _tasks: Tasks,
    next_request_id: u64,
}

/// One request, ready to go.
struct Outgoing {
    request_id: u64,
    request: Request<Frames>,
    endpoint: Endpoint,
    correlation: Option<Value>,
}

impl Sink for ClientSink {
    async fn on_batch(&mut self, batch: SinkBatch<'_>) -> Result<SinkReplies> {
        for event in batch.iter() {
            let request_id = self.next_request_id;
            self.next_request_id += 1;
            let doc: Vec<Vec<u8>> = event.chunks().map(<[u8]>::to_vec).collect();
            let outgoing = match build_request(&self.settings, request_id, event.meta(), &doc) {
                Ok(outgoing) => outgoing,
                Err(why) => {
                    let message = format!("request {request_id}: {why}");
                    let _ = self.responses.try_send(error_reply(message));
                    continue;
                }
            };
            // Waits while `concurrency` requests are in flight.
            if self.slots.send(()).await.is_err() {
                break;
            }
            let exchange = Exchange {
                alias: self.alias.clone(),
                settings: self.settings.clone(),
                pool: self.pool.clone(),
                responses: self.responses.clone(),
                slots: self.slots_rx.clone(),
                spawner: self.spawner.clone(),
            };
            self.spawner.spawn(exchange.run(outgoing));
        }
        Ok(SinkReplies::ack_all())
    }
}

fn error_reply(message: String) -> SourceReply {
    SourceReply::Error {
        stream: 0,
        message: message.into(),
    }
}

/// The request for one event: config, then the event's `$http_client.request`, then its body.
fn build_request(
    settings: &Settings,
    request_id: u64,
    meta: Option<&[u8]>,
    chunks: &[Vec<u8>],
) -> std::result::Result<Outgoing, String> {
    let (record, correlation) = connector_meta(meta, CONNECTOR_TYPE);
    let overrides = record.get("request");
    let method = match overrides.and_then(|r| r.get("method")) {
        Some(Value::String(name)) => parse_method(name)?,
        Some(other) => return Err(format!("`method` {other} is no HTTP method")),
        None => settings.method.clone(),
    };
    let endpoint = match overrides.and_then(|r| r.get("url")) {
        Some(Value::String(url)) => {
            Endpoint::parse(CONNECTOR_TYPE, url).map_err(|e| e.message.to_string())?
        }
        Some(other) => return Err(format!("`url` {other} is no URL")),
        None => settings.endpoint.clone(),
    };
    if endpoint.is_https() && settings.tls.is_none() {
        return Err(format!(
            "{} is https, but the connector has no `tls`",
            endpoint.uri
        ));
    }
    let mut request = Request::new(Frames::empty());
    *request.method_mut() = method;
    *request.uri_mut() = endpoint.uri.clone();
    let headers = request.headers_mut();
    headers.extend(settings.headers.clone());
    append_headers(headers, overrides.and_then(|r| r.get("headers")))?;
    if let Some(auth) = &settings.authorization {
        let value = hyper::header::HeaderValue::from_str(auth).map_err(|e| e.to_string())?;
        headers.insert(hyper::header::AUTHORIZATION, value);
    }
    if !headers.contains_key(hyper::header::HOST) {
        let host = match endpoint.uri.port_u16() {
            Some(port) => format!("{}:{port}", endpoint.host),
            None => endpoint.host.clone(),
        };
        let value = hyper::header::HeaderValue::from_str(&host).map_err(|e| e.to_string())?;
        headers.insert(hyper::header::HOST, value);
    }
    let codec = settings.mime.outgoing_codec(headers);
    let chunked = is_chunked(headers);
    let frames = chunks
        .iter()
        .map(|doc| codec.encode(doc))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    *request.body_mut() = Frames::new(frames, chunked);
    Ok(Outgoing {
        request_id,
        request,
        endpoint,
        correlation,
    })
}

/// One request and its response, on the connector's executor.
struct Exchange {
    alias: Arc<str>,
    settings: Arc<Settings>,
    pool: Pool,
    responses: Sender<SourceReply>,
    slots: Receiver<()>,
    spawner: Spawner,
}

impl Exchange {
    async fn run(self, outgoing: Outgoing) {
        let request_id = outgoing.request_id;
        let uri = outgoing.endpoint.uri.to_string();
        let limit = self.settings.limit;
        let reply = match timeout(limit, self.exchange(outgoing)).await {
            Some(Ok(reply)) => reply,
            Some(Err(why)) => error_reply(format!("request {request_id} to {uri} failed: {why}")),
            None => error_reply(format!(
                "request {request_id} to {uri} timed out after {} ms",
                limit.as_millis()
            )),
        };
        if let SourceReply::Error { message, .. } = &reply {
            log::warn!("[{}] {message}", self.alias);
        }
        let _ = self.responses.send(reply).await;
        // Frees the slot taken for this request.
        let _ = self.slots.try_recv();
    }

    async fn exchange(&self, outgoing: Outgoing) -> std::result::Result<SourceReply, String> {
        let Outgoing {
            request_id,
            request,
            endpoint,
            correlation,
        } = outgoing;
        let mut request = request;
        let request_meta = request_record(&request, &endpoint.scheme);
        // On the wire the target is the path (origin form); the metadata keeps the full url.
        let target = endpoint
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .parse()
            .map_err(|e| format!("bad request target: {e}"))?;
        *request.uri_mut() = target;
        let key = format!("{}://{}", endpoint.scheme, endpoint.address());
        let mut sender = self.connection(&key, &endpoint).await?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| e.to_string())?;
        let response_meta = response_record(&response);
        let codec = self
            .settings
            .mime
            .codec_for(content_type(response.headers()))
            .unwrap_or(Codec::Json { sorted: false });
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("cannot read the response body: {e}"))?
            .to_bytes();
        if !sender.is_closed() {
            lock(&self.pool, "the connection pool")
                .map_err(|e| e.message.to_string())?
                .entry(key)
                .or_default()
                .push(sender);
        }
        let mut meta = json!({
            CONNECTOR_TYPE: {
                "request": request_meta,
                "request_id": request_id,
                "response": response_meta,
                "content-length": body.len(),
            }
        });
        if let Some(correlation) = correlation {
            meta["correlation"] = correlation;
        }
        codec
            .body_event(&body, &meta)
            .map_err(|why| format!("cannot decode the response body: {why}"))
    }

    /// An idle connection of the pool that is still open, or a new one.
    async fn connection(
        &self,
        key: &str,
        endpoint: &Endpoint,
    ) -> std::result::Result<SendRequest<Frames>, String> {
        loop {
            let idle = lock(&self.pool, "the connection pool")
                .map_err(|e| e.message.to_string())?
                .get_mut(key)
                .and_then(Vec::pop);
            match idle {
                Some(mut sender) if !sender.is_closed() => {
                    if sender.ready().await.is_ok() {
                        return Ok(sender);
                    }
                }
                Some(_) => {}
                None => break,
            }
        }
        let address = endpoint.address();
        let tcp = tcp_connect(&address, &TcpSocketOptions::default(), true)
            .await
            .map_err(|e| format!("cannot connect to {address}: {e}"))?;
        let stream = match &self.settings.tls {
            Some((config, connector)) => {
                let name = config
                    .server_name(CONNECTOR_TYPE, &endpoint.host)
                    .map_err(|e| e.message.to_string())?;
                let session = connector
                    .connect(name, tcp)
                    .await
                    .map_err(|e| format!("TLS handshake with {address} failed: {e}"))?;
                TcpConnection::tls(session)
            }
            None => TcpConnection::Plain(tcp),
        };
        let (sender, connection) = hyper::client::conn::http1::handshake(HyperIo(stream))
            .await
            .map_err(|e| e.to_string())?;
        let alias = self.alias.clone();
        self.spawner.spawn(async move {
            if let Err(e) = connection.await {
                log::debug!("[{alias}] connection to {address}: {e}");
            }
        });
        Ok(sender)
    }
}
