//! The `tremor` binary.

fn main() {
    std::process::exit(tremor::cli::main());
}
