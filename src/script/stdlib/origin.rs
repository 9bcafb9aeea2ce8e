//! `tremor::origin`: where the current event came from (`null` where no connector said).

use super::env::{CallEnv, OriginUri};
use super::function::{Function, Res};
use std::fmt::Write;
use tremor_value::Value;

pub(super) const FUNCTIONS: &[Function] = table!("tremor::origin::";
    scheme 0, host 0, port 0, path 0, as_uri_string 0, as_uri_record 0,
);

fn with_origin(env: &CallEnv<'_>, f: impl FnOnce(&OriginUri) -> Value<'static>) -> Res {
    Ok(env.origin.map_or_else(Value::null, f))
}

fn path_value(uri: &OriginUri) -> Value<'static> {
    uri.path.iter().map(|p| Value::from(p.clone())).collect()
}

fn scheme(env: &mut CallEnv<'_>, _: &[&Value<'_>]) -> Res {
    with_origin(env, |u| Value::from(u.scheme.clone()))
}
fn host(env: &mut CallEnv<'_>, _: &[&Value<'_>]) -> Res {
    with_origin(env, |u| Value::from(u.host.clone()))
}
fn port(env: &mut CallEnv<'_>, _: &[&Value<'_>]) -> Res {
    with_origin(env, |u| {
        u.port
            .map_or_else(Value::null, |p| Value::from(u64::from(p)))
    })
}
fn path(env: &mut CallEnv<'_>, _: &[&Value<'_>]) -> Res {
    with_origin(env, path_value)
}

/// `scheme://host[:port]/seg/seg`, Tremor's `EventOriginUri` display.
fn as_uri_string(env: &mut CallEnv<'_>, _: &[&Value<'_>]) -> Res {
    with_origin(env, |u| {
        let mut s = format!("{}://{}", u.scheme, u.host);
        if let Some(port) = u.port {
            let _ = write!(s, ":{port}");
        }
        if !u.path.is_empty() {
            let _ = write!(s, "/{}", u.path.join("/"));
        }
        Value::from(s)
    })
}

fn as_uri_record(env: &mut CallEnv<'_>, _: &[&Value<'_>]) -> Res {
    with_origin(env, |u| {
        let port = u
            .port
            .map_or_else(Value::null, |p| Value::from(u64::from(p)));
        [
            ("scheme", Value::from(u.scheme.clone())),
            ("host", Value::from(u.host.clone())),
            ("port", port),
            ("path", path_value(u)),
        ]
        .into_iter()
        .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::outcome;
    use super::super::{lookup, CallEnv, OriginUri};

    #[test]
    fn reads_the_events_origin() {
        let uri = OriginUri {
            scheme: "tremor-udp".into(),
            host: "localhost".into(),
            port: Some(8080),
            path: vec!["snot".into(), "badger".into()],
        };
        let cases = [
            ("tremor::origin::scheme", r#""tremor-udp""#),
            ("tremor::origin::host", r#""localhost""#),
            ("tremor::origin::port", "8080"),
            ("tremor::origin::path", r#"["snot","badger"]"#),
            (
                "tremor::origin::as_uri_string",
                r#""tremor-udp://localhost:8080/snot/badger""#,
            ),
            (
                "tremor::origin::as_uri_record",
                r#"{"host":"localhost","path":["snot","badger"],"port":8080,"scheme":"tremor-udp"}"#,
            ),
        ];
        for (name, want) in cases {
            let f = lookup(name).expect("origin function");
            let mut env = CallEnv {
                origin: Some(&uri),
                ..CallEnv::default()
            };
            assert_eq!(outcome(f.invoke(&mut env, &[])), want, "{name}");
            assert_eq!(
                outcome(f.invoke(&mut CallEnv::default(), &[])),
                "null",
                "{name}"
            );
        }
        let bare = OriginUri {
            scheme: "file".into(),
            host: "h".into(),
            ..OriginUri::default()
        };
        let f = lookup("tremor::origin::as_uri_string").expect("as_uri_string");
        let mut env = CallEnv {
            origin: Some(&bare),
            ..CallEnv::default()
        };
        assert_eq!(outcome(f.invoke(&mut env, &[])), r#""file://h""#);
    }
}
