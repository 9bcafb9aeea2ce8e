//! Runs every case of `tests/queries/` (windows, group by, having, aggregates, `$` in selects)
//! through `tremor run` with the binary of this build (the case layout is described in
//! `tests/common/corpus.rs`). Time windows use `--ingest-ns-from-line`, so each event's time is
//! its line number.

#[path = "common/corpus.rs"]
mod corpus;

#[test]
fn query_corpus() {
    corpus::run_corpus("tests/queries");
}
