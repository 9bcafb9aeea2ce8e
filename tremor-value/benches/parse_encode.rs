//! Throughput of `tremor-value` parsing and encoding, with simd-json's `BorrowedValue` as the
//! reference. No criterion: plain loops timed with `Instant`.
//!
//! Usage: `cargo bench -p tremor-value --bench parse_encode [-- [FILE.ndjson] [PASSES]]`
//!
//! * `FILE.ndjson`: newline-delimited JSON to use instead of the generated log lines
//!   (`-` or an empty argument keeps the generated data);
//! * `PASSES`: how often each measurement walks the whole data set (also settable with the
//!   `TREMOR_BENCH_PASSES` environment variable; default 60 passes over 10,000 lines).

use std::hint::black_box;
use std::time::{Duration, Instant};
use tremor_value::{write_json, write_json_sorted, JsonParser, Value};

/// Number of generated log lines.
const LINES: usize = 10_000;
/// Default number of passes over the data per measurement.
const DEFAULT_PASSES: usize = 60;

/// A tiny deterministic linear congruential generator.
struct Lcg(u64);

impl Lcg {
    /// The next pseudo-random number (upper bits of the state).
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// One element of `items`.
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let len = u64::try_from(items.len()).unwrap_or(1);
        let idx = usize::try_from(self.below(len)).unwrap_or(0);
        items.get(idx).copied().unwrap_or("")
    }
    /// `n` lower-case hex digits.
    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[(self.next() & 15) as usize]))
            .collect()
    }
}

/// One realistic structured log line (~600 bytes, nested records, arrays, numbers, some
/// escaped strings).
fn log_line(rng: &mut Lcg, i: usize) -> String {
    let level = rng.pick(&["DEBUG", "INFO", "INFO", "INFO", "WARN", "ERROR"]);
    let service = rng.pick(&["checkout", "search", "auth", "inventory", "payments"]);
    let method = rng.pick(&["GET", "GET", "POST", "PUT", "DELETE"]);
    let path = rng.pick(&[
        "/api/v1/orders",
        "/api/v1/users",
        "/healthz",
        "/api/v2/search",
    ]);
    let status = rng.pick(&["200", "200", "200", "201", "204", "400", "404", "500"]);
    let agent = rng.pick(&[
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",
        "curl/8.5.0",
        "Go-http-client/1.1",
    ]);
    let country = rng.pick(&["DE", "US", "FR", "JP", "BR"]);
    let message = if rng.below(10) == 0 {
        format!(
            "request failed: \\\"upstream timeout\\\" after {}ms\\n\\tat handler.rs:{}",
            rng.below(5000),
            rng.below(900)
        )
    } else {
        format!("{method} {path}/{} completed", rng.below(100_000))
    };
    let error = if level == "ERROR" {
        format!(
            r#"{{"kind":"Timeout","code":{},"retry":true}}"#,
            rng.below(600)
        )
    } else {
        "null".to_string()
    };
    format!(
        concat!(
            r#"{{"timestamp":"2024-05-{:02}T{:02}:{:02}:{:02}.{:03}Z","ts_ns":{},"level":"{}","#,
            r#""host":"web-{:02}.eu-central-1.internal","service":"{}","seq":{},"message":"{}","#,
            r#""http":{{"method":"{}","path":"{}","status":{},"latency_ms":{}.{},"bytes":{},"#,
            r#""headers":{{"user-agent":"{}","accept":"application/json"}}}},"#,
            r#""user":{{"id":{},"name":"user{}","roles":["reader","{}"],"#,
            r#""geo":{{"lat":{}.{:04},"lon":-{}.{:04},"country":"{}"}}}},"#,
            r#""trace":{{"trace_id":"{}","span_id":"{}","sampled":{}}},"#,
            r#""tags":["prod","{}","v{}.{}"],"error":{}}}"#
        ),
        rng.below(28) + 1,
        rng.below(24),
        rng.below(60),
        rng.below(60),
        rng.below(1000),
        1_714_000_000_000_000_000 + rng.next(),
        level,
        rng.below(40),
        service,
        i,
        message,
        method,
        path,
        status,
        rng.below(2000),
        rng.below(1000),
        rng.below(1 << 20),
        agent,
        rng.below(10_000_000),
        rng.below(100_000),
        rng.pick(&["writer", "admin", "auditor"]),
        rng.below(90),
        rng.below(10_000),
        rng.below(180),
        rng.below(10_000),
        country,
        rng.hex(32),
        rng.hex(16),
        rng.below(2) == 0,
        service,
        rng.below(5),
        rng.below(20),
        error,
    )
}

/// Prints one result line.
fn report(name: &str, bytes: usize, docs: usize, elapsed: Duration) {
    let secs = elapsed.as_secs_f64().max(1e-9);
    #[allow(clippy::cast_precision_loss)]
    let (mb, n) = (bytes as f64 / 1e6, docs as f64);
    println!(
        "{name}: {:.1} MB/s ({:.0} docs/s)  [{:.3} s]",
        mb / secs,
        n / secs,
        secs
    );
}

/// Runs `f` on every line once (warm-up), then `passes` times over all lines; returns the
/// time of the passes.
fn time_lines(lines: &[Vec<u8>], passes: usize, mut f: impl FnMut(&[u8])) -> Duration {
    for line in lines {
        f(line);
    }
    let start = Instant::now();
    for _ in 0..passes {
        for line in lines {
            f(line);
        }
    }
    start.elapsed()
}

/// Reads the lines of `path`, skipping empty ones.
fn read_lines(path: &str) -> std::io::Result<Vec<Vec<u8>>> {
    let data = std::fs::read(path)?;
    Ok(data
        .split(|b| *b == b'\n')
        .filter(|l| l.iter().any(|b| !b.is_ascii_whitespace()))
        .map(<[u8]>::to_vec)
        .collect())
}

fn main() {
    // `cargo bench` passes `--bench`; ignore flags
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let passes = args
        .get(1)
        .cloned()
        .or_else(|| std::env::var("TREMOR_BENCH_PASSES").ok())
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(DEFAULT_PASSES)
        .max(1);
    let lines: Vec<Vec<u8>> = match args.first().map(String::as_str) {
        Some(path) if !path.is_empty() && path != "-" => match read_lines(path) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("cannot read {path}: {e}");
                std::process::exit(1);
            }
        },
        _ => {
            let mut rng = Lcg(0x5eed);
            (0..LINES)
                .map(|i| log_line(&mut rng, i).into_bytes())
                .collect()
        }
    };

    // keep only lines both parsers accept
    let mut parser = JsonParser::new();
    let valid: Vec<Vec<u8>> = lines
        .into_iter()
        .filter(|line| {
            let (mut a, mut b) = (line.clone(), line.clone());
            parser.parse(&mut a).is_ok() && simd_json::to_borrowed_value(&mut b).is_ok()
        })
        .collect();
    // parse every line once (from fresh copies: parsing rewrites escapes in place) for the
    // encode benchmarks
    let mut buffers: Vec<Vec<u8>> = valid.clone();
    let values: Vec<Value<'_>> = buffers
        .iter_mut()
        .filter_map(|b| parser.parse(b).ok())
        .collect();
    // sanity check: the encoders' output parses back to the same values
    for v in values.iter().take(100) {
        for text in [tremor_value::to_json(v), tremor_value::to_json_sorted(v)] {
            let mut text = text.into_bytes();
            let back = parser.parse(&mut text).map(|b| b == *v);
            assert!(matches!(back, Ok(true)), "round trip failed for {v}");
        }
    }
    if valid.is_empty() {
        eprintln!("no valid JSON lines");
        std::process::exit(1);
    }
    let bytes_per_pass: usize = valid.iter().map(Vec::len).sum();
    let docs = valid.len() * passes;
    let bytes = bytes_per_pass * passes;
    println!(
        "{} lines, avg {} bytes, {passes} passes per measurement",
        valid.len(),
        bytes_per_pass / valid.len()
    );

    let mut scratch: Vec<u8> = Vec::with_capacity(64 * 1024);

    // copy only: the cost both parse loops include
    let elapsed = time_lines(&valid, passes, |line| {
        scratch.clear();
        scratch.extend_from_slice(line);
        black_box(&mut scratch);
    });
    report("copy only (included below)", bytes, docs, elapsed);

    let elapsed = time_lines(&valid, passes, |line| {
        scratch.clear();
        scratch.extend_from_slice(line);
        black_box(parser.parse(&mut scratch).is_ok());
    });
    report("tremor-value parse", bytes, docs, elapsed);

    let mut sj_buffers = simd_json::Buffers::default();
    let elapsed = time_lines(&valid, passes, |line| {
        scratch.clear();
        scratch.extend_from_slice(line);
        black_box(simd_json::to_borrowed_value_with_buffers(&mut scratch, &mut sj_buffers).is_ok());
    });
    report("simd-json borrowed parse (reference)", bytes, docs, elapsed);

    for (name, sorted) in [
        ("tremor-value write_json", false),
        ("tremor-value write_json_sorted", true),
    ] {
        let mut out_bytes = 0;
        let start = Instant::now();
        for _ in 0..passes {
            for v in &values {
                scratch.clear();
                if sorted {
                    write_json_sorted(v, &mut scratch);
                } else {
                    write_json(v, &mut scratch);
                }
                out_bytes += black_box(&scratch).len();
            }
        }
        report(name, out_bytes, values.len() * passes, start.elapsed());
    }
}
