//! `tremor::system`: the host, the instance and time; and `std::win::cardinality`, the other
//! function that only reads the call's environment.

use super::env::CallEnv;
use super::function::{Function, Res};
use tremor_value::Value;

pub(super) const FUNCTIONS: &[Function] = table!("tremor::system::";
    hostname 0, ingest_ns 0, instance 0, nanotime 0, version 0,
);

/// The machine's host name (`/proc/sys/kernel/hostname`, then `$HOSTNAME`, else `localhost`).
fn hostname(_: &mut CallEnv<'_>, _: &[&Value<'_>]) -> Res {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".to_string());
    Ok(Value::from(name))
}

/// `std::win::cardinality()`: how many groups the current windowed `select` has (0 outside
/// one). The declaration names one parameter, the function ignores it, as in Tremor.
pub(super) const WINDOW: &[Function] = &[Function::new("std::win::cardinality", 0, 1, cardinality)];

fn cardinality(env: &mut CallEnv<'_>, _: &[&Value<'_>]) -> Res {
    Ok(Value::from(env.cardinality))
}

fn ingest_ns(env: &mut CallEnv<'_>, _: &[&Value<'_>]) -> Res {
    Ok(Value::from(env.ingest_ns))
}

/// The runtime's instance name: Tremor's default, `tremor` (its stdlib tests expect it).
fn instance(_: &mut CallEnv<'_>, _: &[&Value<'_>]) -> Res {
    Ok(Value::from("tremor"))
}

/// The wall clock in ns since the UNIX epoch; prefer `ingest_ns`, as Tremor warns.
fn nanotime(_: &mut CallEnv<'_>, _: &[&Value<'_>]) -> Res {
    let ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    Ok(Value::from(ns))
}

fn version(_: &mut CallEnv<'_>, _: &[&Value<'_>]) -> Res {
    Ok(Value::from(env!("CARGO_PKG_VERSION")))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::call;
    use super::super::{lookup, CallEnv};
    use tremor_value::Value;

    #[test]
    fn system_values() {
        let ingest = lookup("tremor::system::ingest_ns").expect("ingest_ns");
        let mut env = CallEnv {
            ingest_ns: 42,
            ..CallEnv::default()
        };
        assert_eq!(ingest.invoke(&mut env, &[]).ok(), Some(Value::from(42)));
        let groups = lookup("std::win::cardinality").expect("win::cardinality");
        let mut env = CallEnv {
            cardinality: 5,
            ..CallEnv::default()
        };
        assert_eq!(groups.invoke(&mut env, &[]).ok(), Some(Value::from(5)));
        let t = call("tremor::system::nanotime", &[])
            .ok()
            .and_then(|v| v.as_u64());
        assert!(t.is_some_and(|t| t > 1_600_000_000_000_000_000));
        let host = call("tremor::system::hostname", &[]).ok();
        assert!(host
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(|h| !h.is_empty()));
        assert_eq!(
            call("tremor::system::instance", &[]).ok(),
            Some(Value::from("tremor"))
        );
        assert!(call("tremor::system::version", &[]).is_ok_and(|v| v.is_str()));
    }
}
