//! `tremor run FILE`: runs a query (`.trickle`) or a script (`.tremor`) over the events of a file
//! or stdin and writes what it emits, as Tremor's CLI does: the runtime's codecs and processors
//! at both ends, the pipeline logic in between, no connectors and no actors.
//!
//! Like Tremor: input is read in chunks, each chunk stamped with the wall clock, cut by the
//! preprocessor and decoded; every event on a port other than `err` is encoded and
//! postprocessed, while `err` events are written as one line of JSON each. Unlike Tremor, a last
//! line without a line end is still read (Tremor drops it), and `--port` really selects the port
//! that is written (Tremor 0.13 accepts the flag and ignores it).

use crate::{
    codec::{self, Codec},
    event::{now_ns, Event, EventPayload},
    pipeline::PipelineCore,
    ports::{ERR, IN},
    postprocessor::{self, Postprocessor},
    preprocessor::{self, Preprocessor},
    script::{Outcome, RunContext, Script},
};
use abi_stable::std_types::RVec;
use std::{
    io::{BufWriter, Read, Write},
    path::{Path, PathBuf},
};
use tremor_value::Value;

/// `tremor run`
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The query (`.trickle`), script (`.tremor`) or deployment (`.troy`) to run the data
    /// through.
    #[arg(value_name = "SCRIPT")]
    pub script: PathBuf,
    /// Also print every event read and written to stderr.
    #[arg(long)]
    pub interactive: bool,
    /// Pretty-print what `--interactive` shows.
    #[arg(long)]
    pub pretty: bool,
    /// The codec that encodes what is written.
    #[arg(short, long, default_value = "json")]
    pub encoder: String,
    /// The codec that decodes what is read.
    #[arg(short, long, default_value = "json")]
    pub decoder: String,
    /// The input file; `-` is stdin.
    #[arg(short, long, default_value = "-")]
    pub infile: String,
    /// The output file; `-` is stdout.
    #[arg(short, long, default_value = "-")]
    pub outfile: String,
    /// The preprocessor that cuts the input into events.
    #[arg(long, default_value = "separate")]
    pub preprocessor: String,
    /// The postprocessor applied to every encoded event.
    #[arg(long, default_value = "separate")]
    pub postprocessor: String,
    /// Write only the events of this output port (default: every port).
    #[arg(short, long)]
    pub port: Option<String>,
    /// Stamp each event with its number in the input (1, 2, ...) as `ingest_ns` instead of
    /// the wall clock, so that time-dependent output can be compared.
    #[arg(long)]
    pub ingest_ns_from_line: bool,
}

/// What a failed run says on stderr before exiting with 1.
#[derive(Debug)]
pub struct Failure(pub String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type Done<T = ()> = Result<T, Failure>;

/// What `tremor run` can run: events go in on `in`, come out on named ports.
pub trait Runnable {
    /// Processes `event`, appending what it emits to `out` in order. Errors that concern only
    /// this event are reported by the runnable (as events on `err`, or on stderr) and do not
    /// stop the run.
    fn process(&mut self, event: Event, out: &mut Vec<(&'static str, Event)>);
}

/// A query: the body of a pipeline.
struct Query(PipelineCore);

impl Runnable for Query {
    fn process(&mut self, event: Event, out: &mut Vec<(&'static str, Event)>) {
        if let Err(e) = self.0.process(IN, event, out) {
            // As Tremor: a select's runtime error is shown and the next event runs.
            eprintln!("{e}");
        }
    }
}

/// A script: its state is kept from event to event, its metadata starts empty for each.
struct ScriptRun {
    script: Script,
    state: Value<'static>,
}

impl Runnable for ScriptRun {
    fn process(&mut self, event: Event, out: &mut Vec<(&'static str, Event)>) {
        let mut value = event.payload.value().clone_static();
        let mut meta = Value::object();
        let mut ctx = RunContext {
            event: &mut value,
            meta: &mut meta,
            state: &mut self.state,
            ingest_ns: event.ingest_ns,
            origin: None,
        };
        let intern = crate::connectors::intern_port;
        let (port, emitted) = match self.script.run(&mut ctx) {
            Ok(Outcome::Drop) => return,
            Ok(Outcome::Emit { port, value }) => (intern(port), value.clone_static()),
            Ok(Outcome::EmitEvent { port }) => (intern(port), value),
            Err(e) => {
                // As Tremor: the error is shown and the next event runs.
                let report = e.to_string();
                let lines = report.split_once('\n').map_or("", |(_, rest)| rest);
                eprintln!(
                    "Error in {}:{}:{}\n{lines}",
                    e.file, e.pos.line, e.pos.column
                );
                return;
            }
        };
        out.push((port, event.with_payload(EventPayload::from_value(emitted))));
    }
}

/// The kinds of file `tremor run` knows, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// `.trickle`: a query.
    Query,
    /// `.tremor`: a script.
    Script,
    /// `.troy`: a deployment, run as `tremor server run` would.
    Deployment,
}

impl SourceKind {
    /// The kind of `path`, from its extension.
    #[must_use]
    pub fn of(path: &Path) -> Option<Self> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("trickle") => Some(Self::Query),
            Some("tremor") => Some(Self::Script),
            Some("troy") => Some(Self::Deployment),
            _ => None,
        }
    }
}

/// Runs a query or script file as `args` say; returns the exit code (deployments are run by
/// the caller).
#[must_use]
pub fn run(args: &Args) -> i32 {
    match run_file(args) {
        Ok(()) => 0,
        Err(Failure(message)) => {
            eprintln!("{message}");
            1
        }
    }
}

fn run_file(args: &Args) -> Done {
    let name = args.script.display().to_string();
    let source = std::fs::read_to_string(&args.script)
        .map_err(|e| Failure(format!("Error processing file {name}: {e}")))?;
    let mut runnable: Box<dyn Runnable> = match SourceKind::of(&args.script) {
        Some(SourceKind::Query) => {
            let alias = query_alias(&args.script);
            let plan = crate::troy::plan_query(&source, &name, &alias)
                .map_err(|e| Failure(format!("Error: {e}")))?;
            Box::new(Query(PipelineCore::new(alias, &plan)))
        }
        Some(SourceKind::Script) => {
            let script = Script::compile(&source, &name, &Value::object())
                .map_err(|e| Failure(e.to_string()))?;
            Box::new(ScriptRun {
                script,
                state: Value::null(),
            })
        }
        Some(SourceKind::Deployment) | None => {
            return Err(Failure(format!("Error: Unable to execute source: {name}")))
        }
    };
    let mut ingress = Ingress::from_args(args)?;
    let mut egress = Egress::from_args(args)?;
    let mut emitted = Vec::new();
    // Someone typing events wants to see each result at once.
    let flush_each = args.infile == "-";
    ingress.for_each(args, |event| {
        runnable.process(event, &mut emitted);
        for (port, event) in emitted.drain(..) {
            egress.write(port, &event)?;
        }
        if flush_each {
            egress.flush()?;
        }
        Ok(())
    })?;
    egress.flush()
}

/// The alias a query's error events name: its file name without the extension.
fn query_alias(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "query".to_string(), |s| s.to_string_lossy().into_owned())
}

fn open_input(infile: &str) -> Done<Box<dyn Read>> {
    if infile == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    std::fs::File::open(infile)
        .map(|f| Box::new(f) as Box<dyn Read>)
        .map_err(|e| Failure(format!("Error: cannot open {infile}: {e}")))
}

fn open_output(outfile: &str) -> Done<Box<dyn Write>> {
    if outfile == "-" {
        return Ok(Box::new(BufWriter::new(std::io::stdout())));
    }
    std::fs::File::create(outfile)
        .map(|f| Box::new(BufWriter::new(f)) as Box<dyn Write>)
        .map_err(|e| Failure(format!("Error: cannot create {outfile}: {e}")))
}

/// Tremor's words for a codec or processor name that it does not know (or whose defaults do
/// not work).
fn not_found<'n, E>(what: &'static str, name: &'n str) -> impl FnOnce(E) -> Failure + 'n {
    move |_| Failure(format!("Error {what} {name} not found error."))
}

fn codec_named(name: &str) -> Done<Box<dyn Codec>> {
    codec::lookup(name, &Value::object()).map_err(not_found("Codec", name))
}

/// The input side: bytes, preprocessor, decoder.
struct Ingress {
    input: Box<dyn Read>,
    preprocessor: Box<dyn Preprocessor>,
    codec: Box<dyn Codec>,
}

impl Ingress {
    fn from_args(args: &Args) -> Done<Self> {
        let codec = codec_named(&args.decoder)?;
        let preprocessor = preprocessor::lookup(&args.preprocessor, &Value::object())
            .map_err(not_found("Preprocessor", &args.preprocessor))?();
        Ok(Self {
            input: open_input(&args.infile)?,
            preprocessor,
            codec,
        })
    }

    /// Reads the input to its end, handing every decoded event to `handle`.
    fn for_each(&mut self, args: &Args, mut handle: impl FnMut(Event) -> Done) -> Done {
        let mut buf = vec![0_u8; 64 * 1024];
        let mut chunks = Vec::new();
        let mut count = 0_u64;
        loop {
            let n = match self.input.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Failure(format!("Error: cannot read the input: {e}"))),
            };
            let mut at = now_ns();
            self.preprocessor
                .process_at(RVec::from(&buf[..n]), &mut chunks, &mut at)
                .map_err(|e| Failure(format!("Error: {e}")))?;
            self.decode_all(&mut chunks, at, &mut count, args, &mut handle)?;
        }
        self.preprocessor
            .finish(&mut chunks)
            .map_err(|e| Failure(format!("Error: {e}")))?;
        self.decode_all(&mut chunks, now_ns(), &mut count, args, &mut handle)
    }

    fn decode_all(
        &mut self,
        chunks: &mut Vec<RVec<u8>>,
        at: u64,
        count: &mut u64,
        args: &Args,
        handle: &mut impl FnMut(Event) -> Done,
    ) -> Done {
        for chunk in chunks.drain(..) {
            *count += 1;
            let ingest_ns = if args.ingest_ns_from_line { *count } else { at };
            let payload = match self.codec.decode(chunk, ingest_ns) {
                Ok(Some(payload)) => payload,
                Ok(None) => continue,
                Err(e) => return Err(Failure(format!("Error: {e}"))),
            };
            if args.interactive {
                eprintln!(
                    "ingress> [codec: {}], [preprocessor: {}]",
                    self.codec.name(),
                    args.preprocessor
                );
                show(args.pretty, payload.value());
            }
            handle(Event {
                id: *count - 1,
                ingest_ns,
                origin: None,
                transactional: false,
                meta: None,
                payload,
                is_batch: false,
                trail: Vec::new(),
            })?;
        }
        Ok(())
    }
}

/// `--interactive`'s view of a value on stderr.
fn show(pretty: bool, value: &Value<'_>) {
    let json = tremor_value::to_json(value);
    if pretty {
        match serde_json::from_str::<serde_json::Value>(&json)
            .and_then(|v| serde_json::to_string_pretty(&v))
        {
            Ok(text) => eprintln!("{text}"),
            Err(_) => eprintln!("{json}"),
        }
    } else {
        eprintln!("{json}");
    }
}

/// The output side: encoder, postprocessor, bytes.
struct Egress {
    output: Box<dyn Write>,
    codec: Box<dyn Codec>,
    postprocessor: Box<dyn Postprocessor>,
    postprocessor_name: String,
    port: Option<String>,
    interactive: bool,
    pretty: bool,
    buf: Vec<u8>,
}

impl Egress {
    fn from_args(args: &Args) -> Done<Self> {
        let codec = codec_named(&args.encoder)?;
        let postprocessor = postprocessor::lookup(&args.postprocessor, &Value::object())
            .map_err(not_found("Postprocessor", &args.postprocessor))?;
        Ok(Self {
            output: open_output(&args.outfile)?,
            codec,
            postprocessor,
            postprocessor_name: args.postprocessor.clone(),
            port: args.port.clone(),
            interactive: args.interactive,
            pretty: args.pretty,
            buf: Vec::new(),
        })
    }

    fn write(&mut self, port: &str, event: &Event) -> Done {
        if self.port.as_deref().is_some_and(|wanted| wanted != port) {
            return Ok(());
        }
        let value = event.payload.value();
        self.buf.clear();
        if port == ERR {
            // Tremor writes errors as they are, whatever the encoder.
            self.buf
                .extend_from_slice(tremor_value::to_json(value).as_bytes());
            self.buf.push(b'\n');
        } else {
            if self.interactive {
                eprintln!(
                    "egress> [codec: {}], [postprocessor: {}]",
                    self.codec.name(),
                    self.postprocessor_name
                );
                show(self.pretty, value);
            }
            self.codec
                .encode(value, &mut self.buf)
                .map_err(|e| Failure(format!("Error: {e}")))?;
            self.postprocessor
                .process(&mut self.buf, 0, event.ingest_ns)
                .map_err(|e| Failure(format!("Error: {e}")))?;
        }
        self.output
            .write_all(&self.buf)
            .map_err(|e| Failure(format!("Error: cannot write the output: {e}")))
    }

    fn flush(&mut self) -> Done {
        self.output
            .flush()
            .map_err(|e| Failure(format!("Error: cannot write the output: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_kinds_by_extension() {
        assert_eq!(
            SourceKind::of(Path::new("a/q.trickle")),
            Some(SourceKind::Query)
        );
        assert_eq!(
            SourceKind::of(Path::new("s.tremor")),
            Some(SourceKind::Script)
        );
        assert_eq!(
            SourceKind::of(Path::new("d.troy")),
            Some(SourceKind::Deployment)
        );
        assert_eq!(SourceKind::of(Path::new("x.json")), None);
        assert_eq!(query_alias(Path::new("dir/q.trickle")), "q");
    }
}
