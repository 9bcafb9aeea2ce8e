//! The `await` conditions of a before-process, as Tremor's runner checks them: every 100 ms
//! all conditions are evaluated; the test goes on once all hold at the same time, and fails
//! when `max-await-secs` pass first. `min-await-secs` is an extra pause after that.

use super::spec::ProcessSpec;
use std::{
    io::{Read, Write},
    net::{SocketAddr, TcpStream, ToSocketAddrs},
    path::Path,
    process::Child,
    time::{Duration, Instant},
};

/// `max-await-secs` when a spec has conditions but no bound.
const DEFAULT_MAX_AWAIT: Duration = Duration::from_secs(15);
/// Pause between two evaluations of the conditions.
const POLL: Duration = Duration::from_millis(100);
/// Bound for one connection attempt or one HTTP exchange.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Waits until every condition of `spec` holds for the process `child` started at `started`
/// in `workdir`; then sleeps `min-await-secs`. The error names the conditions that did not hold.
pub(super) fn await_conditions(
    spec: &ProcessSpec,
    child: &mut Child,
    workdir: &Path,
    started: Instant,
) -> Result<(), String> {
    let conditions = &spec.await_;
    if !conditions.is_empty() {
        let max = spec
            .max_await_secs
            .map_or(DEFAULT_MAX_AWAIT, Duration::from_secs);
        loop {
            let unmet = unmet_conditions(spec, child, workdir, started)?;
            if unmet.is_empty() {
                break;
            }
            if started.elapsed() >= max {
                return Err(format!(
                    "did not fulfil {} within {} s",
                    unmet.join(", "),
                    max.as_secs()
                ));
            }
            std::thread::sleep(POLL);
        }
    }
    if let Some(secs) = spec.min_await_secs.filter(|s| *s > 0) {
        std::thread::sleep(Duration::from_secs(secs));
    }
    Ok(())
}

/// The conditions that do not hold now, by Tremor's names; an error when one never can.
fn unmet_conditions(
    spec: &ProcessSpec,
    child: &mut Child,
    workdir: &Path,
    started: Instant,
) -> Result<Vec<String>, String> {
    let conditions = &spec.await_;
    let mut unmet = Vec::new();
    if let Some(first) = conditions.wait_for_ms.first() {
        let ms = number(first, "wait-for-ms")?;
        if started.elapsed() < Duration::from_millis(u64::try_from(ms).unwrap_or(0)) {
            unmet.push(format!("wait-for-ms {first}"));
        }
    }
    for port in &conditions.port_open {
        let port = u16::try_from(number(port, "port-open")?)
            .map_err(|_| format!("port-open: {port} is no port"))?;
        if !port_open(port) {
            unmet.push(format!("port-open {port}"));
        }
    }
    for url in &conditions.http_ok {
        if let Err(why) = http_get_ok(url) {
            unmet.push(format!("http-ok {url} ({why})"));
        }
    }
    for file in &conditions.file_exists {
        if !workdir.join(file).exists() {
            unmet.push(format!("file-exists {file}"));
        }
    }
    if let Some(first) = conditions.status.first() {
        let expected = number(first, "status")?;
        match child.try_wait() {
            Ok(Some(status)) => {
                let code = status
                    .code()
                    .map_or_else(|| "a signal".into(), |c| c.to_string());
                if status.code().map(i64::from) != Some(expected) {
                    return Err(format!("exited with {code}, expected status {expected}"));
                }
            }
            Ok(None) => unmet.push(format!("status {expected} (still running)")),
            Err(e) => return Err(format!("cannot wait for it: {e}")),
        }
    }
    Ok(unmet)
}

fn number(value: &super::spec::StringOrNumber, condition: &str) -> Result<i64, String> {
    value
        .as_i64()
        .ok_or_else(|| format!("{condition}: {value} is no number"))
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
pub(super) fn port_open(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, PROBE_TIMEOUT).is_ok()
}

/// A blocking HTTP/1.1 GET of an `http://` URL; `Ok` for a 2xx answer, else why not.
pub(super) fn http_get_ok(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs can be awaited")?;
    let (authority, path) = rest.find('/').map_or((rest, "/"), |i| rest.split_at(i));
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let addrs: Vec<SocketAddr> = authority
        .to_socket_addrs()
        .or_else(|_| (authority.trim_matches(['[', ']']), 80).to_socket_addrs())
        .map_err(|e| format!("cannot resolve {authority}: {e}"))?
        .collect();
    let addr = addrs.first().ok_or(format!("{authority} has no address"))?;
    let mut stream = TcpStream::connect_timeout(addr, PROBE_TIMEOUT).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(PROBE_TIMEOUT))
        .and_then(|()| stream.set_write_timeout(Some(PROBE_TIMEOUT)))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nAccept: */*\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    // The status line is all we need: "HTTP/1.1 200 OK".
    let mut head = Vec::with_capacity(64);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n") && head.len() < 1024 {
        match stream.read(&mut byte) {
            Ok(0) => break,
            Ok(_) => head.push(byte[0]),
            Err(e) => return Err(e.to_string()),
        }
    }
    let line = String::from_utf8_lossy(&head);
    let code = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| format!("no HTTP status line: {:?}", line.trim_end()))?;
    if (200..300).contains(&code) {
        Ok(())
    } else {
        Err(format!("status {code}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::process::Command;

    /// Starts `sh -c script` in `dir` and awaits the conditions of `spec_yaml` for it.
    fn await_sh(dir: &Path, script: &str, spec_yaml: &str) -> (Result<(), String>, Duration) {
        let spec: ProcessSpec = serde_yaml::from_str(spec_yaml).expect("valid spec");
        let started = Instant::now();
        let mut child = Command::new("sh")
            .args(["-c", script])
            .current_dir(dir)
            .spawn()
            .expect("sh runs");
        let result = await_conditions(&spec, &mut child, dir, started);
        let _ = child.kill();
        let _ = child.wait();
        (result, started.elapsed())
    }

    #[test]
    fn conditions_hold_together_or_fail_naming_why() {
        let ok = || Ok(());
        let err = |e: &str| Err(e.to_string());
        // (script, conditions, outcome, minimum and maximum milliseconds it takes)
        type Case = (&'static str, &'static str, Result<(), String>, u64, u64);
        let cases: [Case; 4] = [
            (
                "sleep 0.2; touch made; exit 2",
                "await:\n  file-exists: [made]\n  status: [\"2\"]\n  wait-for-ms: [\"400\"]",
                ok(),
                400,
                5000,
            ),
            (
                "exit 1",
                "await:\n  status: [0]",
                err("exited with 1, expected status 0"),
                0,
                5000,
            ),
            (
                "sleep 5",
                "await:\n  file-exists: [never]\nmax-await-secs: 1",
                err("did not fulfil file-exists never within 1 s"),
                1000,
                4000,
            ),
            ("sleep 5", "min-await-secs: 1", ok(), 1000, 4000),
        ];
        for (script, conditions, expected, min_ms, max_ms) in cases {
            let dir = tempfile::tempdir().expect("tempdir");
            let yaml = format!("cmd: sh\n{conditions}\n");
            let (result, took) = await_sh(dir.path(), script, &yaml);
            assert_eq!(result, expected, "{conditions}");
            let (min, max) = (Duration::from_millis(min_ms), Duration::from_millis(max_ms));
            assert!(took >= min && took < max, "{conditions}: {took:?}");
        }
    }

    /// Serves `answers` (one per connection) on a fresh port; returns the port.
    fn serve(answers: &'static [&'static str]) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        std::thread::spawn(move || {
            for answer in answers {
                let Ok((mut conn, _)) = listener.accept() else {
                    return;
                };
                let mut request = [0u8; 1024];
                let _ = conn.read(&mut request);
                let _ = conn.write_all(answer.as_bytes());
            }
        });
        port
    }

    #[test]
    fn http_ok_wants_a_2xx_status() {
        let port = serve(&[
            "HTTP/1.1 204 No Content\r\n\r\n",
            "HTTP/1.1 503 Service Unavailable\r\n\r\n",
            "garbage",
        ]);
        let url = format!("http://127.0.0.1:{port}/health");
        assert_eq!(http_get_ok(&url), Ok(()));
        assert_eq!(http_get_ok(&url), Err("status 503".into()));
        assert!(http_get_ok(&url).is_err());
        assert!(http_get_ok("https://127.0.0.1/").is_err());
        let closed = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = closed.local_addr().expect("addr").port();
        drop(closed);
        assert!(http_get_ok(&format!("http://localhost:{port}")).is_err());
        assert!(!port_open(port));
    }
}
