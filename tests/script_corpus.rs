//! Runs every case of `tests/scripts/` through `tremor run` with the binary of this build (the
//! case layout is described in `tests/common/corpus.rs`).

#[path = "common/corpus.rs"]
mod corpus;

#[test]
fn script_corpus() {
    corpus::run_corpus("tests/scripts");
}
