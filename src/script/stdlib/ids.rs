//! Random OpenTelemetry / Google Cloud Logging ids (`cncf::otel`, `google::cloud::logging`):
//! span ids are 8 random bytes, trace ids 16, as lowercase hex, a binary or an array of bytes.

use super::env::CallEnv;
use super::function::{Function, Res};
use std::fmt::Write;
use tremor_value::Value;

const SPAN: usize = 8;
const TRACE: usize = 16;

pub(super) const FUNCTIONS: &[Function] = &[
    Function::new("cncf::otel::gen_span_id_string", 0, 0, |e, _| hex(e, SPAN)),
    Function::new("cncf::otel::gen_span_id_bytes", 0, 0, |e, _| {
        binary(e, SPAN)
    }),
    Function::new("cncf::otel::gen_span_id_array", 0, 0, |e, _| array(e, SPAN)),
    Function::new("cncf::otel::gen_trace_id_string", 0, 0, |e, _| {
        hex(e, TRACE)
    }),
    Function::new("cncf::otel::gen_trace_id_bytes", 0, 0, |e, _| {
        binary(e, TRACE)
    }),
    Function::new("cncf::otel::gen_trace_id_array", 0, 0, |e, _| {
        array(e, TRACE)
    }),
    Function::new(
        "google::cloud::logging::gen_span_id_string",
        0,
        0,
        |e, _| hex(e, SPAN),
    ),
    Function::new(
        "google::cloud::logging::gen_trace_id_string",
        0,
        0,
        |e, _| hex(e, TRACE),
    ),
];

fn random_bytes(env: &mut CallEnv<'_>, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let take = (n - out.len()).min(8);
        out.extend_from_slice(&env.random.next_u64().to_le_bytes()[..take]);
    }
    out
}

fn hex(env: &mut CallEnv<'_>, n: usize) -> Res {
    let mut out = String::with_capacity(2 * n);
    for b in random_bytes(env, n) {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    Ok(Value::from(out))
}

fn binary(env: &mut CallEnv<'_>, n: usize) -> Res {
    Ok(Value::bytes(random_bytes(env, n)))
}

fn array(env: &mut CallEnv<'_>, n: usize) -> Res {
    Ok(random_bytes(env, n)
        .into_iter()
        .map(|b| Value::from(u64::from(b)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::call;

    #[test]
    fn ids_have_their_sizes() {
        let cases = [
            ("cncf::otel::gen_span_id_string", 16),
            ("cncf::otel::gen_trace_id_string", 32),
            ("google::cloud::logging::gen_span_id_string", 16),
            ("google::cloud::logging::gen_trace_id_string", 32),
        ];
        for (path, len) in cases {
            let id = call(path, &[]).ok();
            let id = id
                .as_ref()
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            assert!(
                id.len() == len && id.chars().all(|c| c.is_ascii_hexdigit()),
                "{path}: {id}"
            );
        }
        let bytes_len = |path: &str| call(path, &[]).ok()?.as_bytes().map(<[u8]>::len);
        assert_eq!(bytes_len("cncf::otel::gen_trace_id_bytes"), Some(16));
        assert_eq!(bytes_len("cncf::otel::gen_span_id_bytes"), Some(8));
        let array_len = |path: &str| call(path, &[]).ok()?.as_array().map(Vec::len);
        assert_eq!(array_len("cncf::otel::gen_span_id_array"), Some(8));
        assert_eq!(array_len("cncf::otel::gen_trace_id_array"), Some(16));
    }
}
