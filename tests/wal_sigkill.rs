//! The wal connector's promise, end to end: file → wal → tcp_client, the process killed with
//! SIGKILL while the downstream is slow, then started again: the downstream receives every
//! event (at least once).
//!
//! This test is the downstream server: it reads nothing until the wal has stored every event
//! (its debug log says so), reads slowly afterwards, and kills the first process after
//! a part arrived. A connection's data already sent by the killed process still arrives, so
//! what is missing after the kill can only come from the wal's replay in the second process.

mod common;

use std::{
    collections::BTreeSet,
    io::{BufRead, BufReader, Read},
    net::TcpListener,
    process::{Child, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

const EVENTS: u64 = 10_000;
/// Each event is about 1 KiB, so that the events do not all fit in the sockets' buffers.
const PADDING: usize = 1000;
const TEST_LIMIT: Duration = Duration::from_secs(50);

/// Kills the process when dropped, so that a failing test leaves nothing running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn deployment(port: u16, with_input: bool) -> String {
    let input = if with_input {
        r#"
  define connector input from file
  with
    codec = "json", preprocessors = ["separate"], config = {"path": "in.json", "mode": "read"}
  end;
  create connector input;
  create pipeline to_wal from pipelines::passthrough;
  connect /connector/input to /pipeline/to_wal;
  connect /pipeline/to_wal to /connector/wal;"#
    } else {
        ""
    };
    format!(
        r#"define flow main
flow
  use tremor::pipelines;
  define connector wal from wal
  with
    config = {{"path": "wal", "chunk_size": 1048576, "max_chunks": 100}}
  end;
  define connector client from tcp_client
  with
    codec = "json", postprocessors = ["separate"], config = {{"url": "127.0.0.1:{port}"}},
    reconnect = {{"retry": {{"interval_ms": 100, "growth_rate": 1, "max_retries": 100, "randomized": false}}}}
  end;
  create connector wal;
  create connector client;
  create pipeline from_wal from pipelines::passthrough;
  connect /connector/wal to /pipeline/from_wal;
  connect /pipeline/from_wal to /connector/client;{input}
end;
deploy flow main;
"#
    )
}

/// Starts `tremor server run FILE` in `dir`; `stored` is set once the wal has stored the last
/// event (its debug log line).
fn start(dir: &std::path::Path, file: &str, stored: Arc<AtomicBool>) -> Running {
    let mut command = common::tremor();
    command
        .env("RUST_LOG", "info,tremor_connector_wal=debug")
        .current_dir(dir)
        .args(["server", "run", file])
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("tremor starts");
    let stderr = child.stderr.take().expect("piped stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains(&format!("up to index {}", EVENTS - 1)) {
                stored.store(true, Ordering::SeqCst);
            }
            if line.contains("ERROR") || line.contains("panicked") {
                eprintln!("tremor: {line}");
            }
        }
    });
    Running(child)
}

/// The downstream server: every id received, in order of arrival; reads only while `open`
/// is set, slowly while `slow` is set.
fn serve(
    listener: TcpListener,
    received: Arc<Mutex<Vec<u64>>>,
    open: Arc<AtomicBool>,
    slow: Arc<AtomicBool>,
) {
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let mut reader = BufReader::with_capacity(64 * 1024, stream);
            let mut line = String::new();
            let mut since_pause = 0;
            loop {
                while !open.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(10));
                }
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => since_pause += n,
                }
                // The last line of a killed process's connection may be cut short.
                let id = serde_json::from_str::<serde_json::Value>(&line)
                    .ok()
                    .and_then(|event| event["id"].as_u64());
                match id {
                    Some(id) => received.lock().expect("not poisoned").push(id),
                    None => eprintln!("not an event: {line:?}"),
                }
                if slow.load(Ordering::SeqCst) && since_pause >= 64 * 1024 {
                    since_pause = 0;
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            // what may still be buffered after an error is of no interest
            let _ = reader.read_to_end(&mut Vec::new());
        }
    });
}

fn wait_for(what: &str, deadline: Instant, mut done: impl FnMut() -> bool) {
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn nothing_is_lost_when_the_process_is_killed_and_started_again() {
    let deadline = Instant::now() + TEST_LIMIT;
    let dir = tempfile::tempdir().expect("tempdir");
    let padding = "x".repeat(PADDING);
    let input: String = (0..EVENTS)
        .map(|id| format!("{{\"id\":{id},\"pad\":\"{padding}\"}}\n"))
        .collect();
    std::fs::write(dir.path().join("in.json"), input).expect("write in.json");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::fs::write(dir.path().join("first.troy"), deployment(port, true)).expect("write");
    std::fs::write(dir.path().join("second.troy"), deployment(port, false)).expect("write");

    let received = Arc::new(Mutex::new(Vec::new()));
    let open = Arc::new(AtomicBool::new(false));
    let slow = Arc::new(AtomicBool::new(true));
    serve(listener, received.clone(), open.clone(), slow.clone());
    let count = || received.lock().expect("not poisoned").len();

    let stored = Arc::new(AtomicBool::new(false));
    let mut first = start(dir.path(), "first.troy", stored.clone());
    wait_for("the wal to store every event", deadline, || {
        stored.load(Ordering::SeqCst)
    });
    open.store(true, Ordering::SeqCst);
    wait_for("the first 1000 events", deadline, || count() >= 1000);
    first.0.kill().expect("SIGKILL");
    first.0.wait().expect("killed");
    // what the killed process had sent still arrives; then the connection ends
    slow.store(false, Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(500));
    let before_restart = count();
    eprintln!("received before the restart: {before_restart} of {EVENTS}");
    assert!(
        (before_restart as u64) < EVENTS,
        "everything arrived before the kill: the test did not test the replay"
    );

    let _second = start(dir.path(), "second.troy", Arc::new(AtomicBool::new(false)));
    let all: BTreeSet<u64> = (0..EVENTS).collect();
    let missing = || -> Vec<u64> {
        let got: BTreeSet<u64> = received
            .lock()
            .expect("not poisoned")
            .iter()
            .copied()
            .collect();
        all.difference(&got).copied().collect()
    };
    loop {
        let gone = missing();
        if gone.is_empty() {
            break;
        }
        if Instant::now() >= deadline {
            let kept = dir.keep();
            panic!(
                "{} of {EVENTS} events never arrived after the restart ({} received in all), first {:?}, last {:?}; wal kept in {kept:?}",
                gone.len(),
                count(),
                gone.first(),
                gone.last()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let total = count();
    eprintln!(
        "received {total} events for {EVENTS} ids ({} repeated by the replay)",
        total as u64 - EVENTS
    );
}
