//! Per-group memory of windowed selects is bounded: a million distinct group keys pass a
//! window with a small `max_groups` and the `tremor run` process's resident memory stays flat.
//! Keys seen once stay open until `max_groups` is reached and later ones are refused (Tremor's
//! error); keys seen twice close their window and are forgotten, so they never pile up.

use std::{
    io::{BufWriter, Write},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

/// The query: windows of 2 events per key, at most 64 keys open at once.
const QUERY: &str = "define window two from tumbling with size = 2, max_groups = 64 end;\n\
     select [group[0], aggr::stats::count()] from in[two] group by event.k into out;\n";

/// How much the resident set may grow between the first sample and the last (allocator
/// slack, buffers), in kB; a leak of one group per key would be hundreds of MB.
const ALLOWED_GROWTH_KB: u64 = 16 * 1024;

/// The process may take this long (a debug build handles about 100k events/s here).
const LIMIT: Duration = Duration::from_secs(240);

fn resident_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in kB")
}

fn write_keys(to: &mut impl Write, keys: std::ops::Range<u64>, times: usize) {
    for k in keys {
        for _ in 0..times {
            writeln!(to, "{{\"k\":{k}}}").expect("tremor reads its input");
        }
    }
    to.flush().expect("tremor reads its input");
}

#[test]
fn a_million_group_keys_keep_memory_flat() {
    let dir = std::env::temp_dir().join(format!("window_memory_{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let query = dir.join("groups.trickle");
    std::fs::write(&query, QUERY).expect("query file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tremor"))
        .arg("run")
        .arg(&query)
        .args(["-i", "-", "-p", "out"])
        .env("RUST_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tremor starts");
    let pid = child.id();
    let started = Instant::now();
    let mut input = BufWriter::new(child.stdin.take().expect("piped"));
    // Warm up: the first keys fill the 64 groups, the rest are refused.
    write_keys(&mut input, 0..100_000, 1);
    let first = resident_kb(pid);
    // 700k more keys seen once (refused), then 100k keys seen twice (opened and closed).
    write_keys(&mut input, 100_000..800_000, 1);
    write_keys(&mut input, 800_000..900_000, 2);
    let last = resident_kb(pid);
    drop(input);
    while child.try_wait().expect("waitable").is_none() {
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("tremor run did not finish within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        last <= first + ALLOWED_GROWTH_KB,
        "resident memory grew from {first} kB to {last} kB over a million group keys"
    );
}
