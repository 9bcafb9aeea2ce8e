//! A bounded random-mutation fuzz test of the Troy front end (issue 11, finding 1): the repo's
//! own deployment files (`tests/integration/*/*.troy`, `examples/*.troy`, the integration
//! module) are mutated with a seeded RNG — bytes flipped, tokens inserted, spans deleted,
//! duplicated, or one token repeated thousands of times (long operator chains, deep brackets,
//! unary runs) — and each result is parsed and planned in-process. The test fails on any panic,
//! on a stack overflow (which aborts the test binary), or when a case takes longer than a
//! budget linear in its size. It runs for about 20 s at most, so `cargo test` (and `ci/test.sh`)
//! run it every time. Set `TROY_FUZZ_SEED` to replay or vary a run, and `TROY_FUZZ_TRACE=FILE`
//! to have each case written to FILE before it is planned (the one an abort leaves behind).

use std::{
    panic::{catch_unwind, AssertUnwindSafe},
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

/// Total time the mutation loop may use.
const TOTAL_BUDGET: Duration = Duration::from_secs(18);
/// The most cases per seed file, so that a fast machine stops early too.
const CASES_PER_FILE: usize = 400;

/// xorshift64*: small, seeded, reproducible; quality is plenty for picking mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
}

/// Fragments that steer mutations towards the interesting parts of the grammar.
const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    ";",
    ".",
    "::",
    " + ",
    " - ",
    " * ",
    " / ",
    " == ",
    " != ",
    " < ",
    " >= ",
    " and ",
    " or ",
    " not ",
    " xor ",
    " % ",
    "-",
    "1",
    "1.5",
    "\"s\"",
    "\"#{",
    "#{",
    "}\"",
    "true",
    "null",
    "event",
    "event.a",
    "args",
    "args.x",
    "nanos::from_millis(",
    "define",
    "flow",
    "pipeline",
    "connector",
    "create",
    "connect",
    "deploy",
    "end",
    "with",
    "args",
    "from",
    "into",
    "select",
    "where",
    "use",
    "/connector/",
    "/pipeline/",
    "#",
    "\n",
    "'",
    "`",
    "\\",
    "\u{0}",
    "\u{feff}",
    "é",
    "9223372036854775808",
    "1e999",
];

/// Fragments repeated many times in one place: the shapes that used to overflow the stack.
const RUNS: &[&str] = &[
    "1 + ",
    "true or ",
    "true and ",
    "(",
    "[",
    "not ",
    "-",
    "{\"a\": ",
    "\"#{",
];

fn seed_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut push_troy = |dir: &Path| {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path
                .extension()
                .is_some_and(|e| e == "troy" || e == "tremor")
            {
                files.push(path);
            }
        }
    };
    if let Ok(tests) = std::fs::read_dir(root.join("tests/integration")) {
        for dir in tests.flatten() {
            push_troy(&dir.path());
        }
    }
    push_troy(&root.join("examples"));
    push_troy(&root.join("tests/lib"));
    files.sort();
    files
}

fn mutate(rng: &mut Rng, src: &[u8]) -> Vec<u8> {
    let mut out = src.to_vec();
    for _ in 0..=rng.below(3) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 => {
                if let Some(b) = out.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                out.splice(at..at, token.iter().copied());
            }
            2 => {
                let end = (at + rng.below(40)).min(out.len());
                out.drain(at..end);
            }
            3 => {
                let end = (at + rng.below(80)).min(out.len());
                let span = out[at..end].to_vec();
                out.splice(at..at, span);
            }
            4 => {
                let run = RUNS[rng.below(RUNS.len())].as_bytes();
                let times = 1 + rng.below(30_000);
                let repeated: Vec<u8> = run
                    .iter()
                    .copied()
                    .cycle()
                    .take(run.len() * times)
                    .collect();
                out.splice(at..at, repeated);
            }
            _ => {
                let b = u8::try_from(rng.below(256)).unwrap_or(0);
                out.insert(at, b);
            }
        }
    }
    out
}

/// A case may take this long: generous per byte (debug build, shared machine) but linear, so
/// a quadratic walk over a long chain blows it.
fn case_budget(len: usize) -> Duration {
    // A blow-up guard, wide enough for a loaded machine running tests in parallel: a super-linear
    // case on these inputs takes far longer than this, a linear one milliseconds.
    Duration::from_secs(5) + Duration::from_micros(50) * u32::try_from(len).unwrap_or(u32::MAX)
}

#[test]
fn mutated_deployments_never_panic_or_blow_up() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds = seed_files(root);
    assert!(seeds.len() >= 10, "seed files found: {seeds:?}");
    let seed = std::env::var("TROY_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234_u64);
    let mut rng = Rng(seed | 1);
    let tremor_path = [root.join("tests/lib")];
    let started = Instant::now();
    let (mut cases, mut planned) = (0usize, 0usize);
    'files: for _round in 0..CASES_PER_FILE {
        for file in &seeds {
            if started.elapsed() > TOTAL_BUDGET {
                break 'files;
            }
            let original = std::fs::read(file).expect("seed file");
            let mutated = mutate(&mut rng, &original);
            let src = String::from_utf8_lossy(&mutated);
            let name = file.display().to_string();
            if let Some(trace) = std::env::var_os("TROY_FUZZ_TRACE") {
                // An abort (stack overflow) cannot be caught: keep the case that was running.
                let _ = std::fs::write(trace, &mutated);
            }
            let case_started = Instant::now();
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                tremor::troy::plan_source(&src, &name, &tremor_path)
            }));
            let took = case_started.elapsed();
            cases += 1;
            match outcome {
                Ok(Ok(_)) => planned += 1,
                Ok(Err(e)) => {
                    // Refusals must say where (the file at least) and never be empty.
                    assert!(
                        !e.message.is_empty(),
                        "empty error for a mutation of {name}"
                    );
                }
                Err(_) => {
                    let dump = std::env::temp_dir().join("troy-fuzz-panic.troy");
                    let _ = std::fs::write(&dump, &mutated);
                    panic!(
                        "planning a mutation of {name} panicked (seed {seed}, case {cases}); \
                         input saved to {}",
                        dump.display()
                    );
                }
            }
            assert!(
                took <= case_budget(mutated.len()),
                "a mutation of {name} ({} bytes) took {took:?} (seed {seed}, case {cases})",
                mutated.len()
            );
        }
    }
    eprintln!(
        "troy fuzz: {cases} mutated deployments in {:?} (seed {seed}), {planned} planned, the rest refused",
        started.elapsed()
    );
    assert!(cases >= seeds.len(), "at least one round ran");
}
