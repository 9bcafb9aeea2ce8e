//! A deterministic generator of realistic newline-delimited JSON log records.
//!
//! Records look like what a log shipper sends: timestamps, levels, hosts, an HTTP request with
//! nested headers, tags, numbers and free text with the occasional escape, about 600 bytes each.
//! The same seed always gives the same file, so runs compare.

use std::io::Write;

/// A small, fast, deterministic PRNG (64-bit LCG, high bits).
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const LEVELS: &[&str] = &["INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"];
const SERVICES: &[&str] = &[
    "checkout",
    "search",
    "auth",
    "inventory",
    "payments",
    "gateway",
];
const METHODS: &[&str] = &["GET", "GET", "GET", "POST", "PUT", "DELETE"];
const PATHS: &[&str] = &[
    "/api/v1/orders",
    "/api/v1/users/me",
    "/search?q=red+shoes&page=2",
    "/api/v2/cart/items",
    "/healthz",
    "/static/app.3f9c1.js",
];
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "curl/8.5.0",
    "Go-http-client/2.0",
    "okhttp/4.12.0",
];
const WORDS: &[&str] = &[
    "request",
    "completed",
    "upstream",
    "timeout",
    "retrying",
    "cache",
    "miss",
    "hit",
    "user",
    "session",
    "renewed",
    "\"quoted\"",
    "path\\with\\backslashes",
    "données",
    "tab\tseparated",
];

/// One record (no trailing newline).
pub fn record(rng: &mut Lcg, i: u64) -> String {
    let ts = 1_700_000_000_000_000_000u64 + i * 1_000_003 + rng.below(1000);
    let status = [200, 200, 200, 201, 204, 301, 404, 500, 503][rng.below(9) as usize];
    let words: Vec<&str> = (0..6 + rng.below(6)).map(|_| rng.pick(WORDS)).collect();
    let message = words
        .join(" ")
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\t', "\\t");
    format!(
        concat!(
            r#"{{"timestamp":{ts},"level":"{level}","host":"node-{host:03}.eu-west-1.internal","#,
            r#""service":"{service}","pid":{pid},"message":"{message}","#,
            r#""http":{{"method":"{method}","path":"{path}","status":{status},"latency_ms":{lat}.{latf},"#,
            r#""bytes_out":{bytes},"headers":{{"user-agent":"{agent}","x-request-id":"{rid:016x}","accept":"application/json"}}}},"#,
            r#""tags":["{service}","{level_lc}","canary-{canary}"],"#,
            r#""user":{{"id":{uid},"plan":"{plan}","beta":{beta}}},"trace":{{"trace_id":"{t1:016x}{t2:016x}","span":{span}}}}}"#
        ),
        ts = ts,
        level = LEVELS[(i % LEVELS.len() as u64) as usize],
        host = rng.below(200),
        service = rng.pick(SERVICES),
        pid = 1000 + rng.below(30000),
        message = message,
        method = rng.pick(METHODS),
        path = rng.pick(PATHS),
        status = status,
        lat = rng.below(900),
        latf = rng.below(1000),
        bytes = rng.below(1 << 20),
        agent = rng.pick(AGENTS),
        rid = rng.next() << 20 | rng.next(),
        level_lc = LEVELS[(i % LEVELS.len() as u64) as usize].to_lowercase(),
        canary = rng.below(2) == 0,
        uid = rng.below(10_000_000),
        plan = ["free", "pro", "enterprise"][rng.below(3) as usize],
        beta = rng.below(4) == 0,
        t1 = rng.next() << 31 | rng.next(),
        t2 = rng.next() << 31 | rng.next(),
        span = rng.below(64),
    )
}

/// Writes `lines` records to `path`; returns the number of bytes written.
pub fn generate(path: &std::path::Path, lines: u64, seed: u64) -> std::io::Result<u64> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut rng = Lcg::new(seed);
    let mut bytes = 0;
    for i in 0..lines {
        let line = record(&mut rng, i);
        bytes += line.len() as u64 + 1;
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(bytes)
}
