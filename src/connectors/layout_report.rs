//! What differs between the host's and a plugin's interface layout, in words.
//!
//! abi_stable's report of a layout mismatch is long (100 kB for one widened field) and starts
//! with the root module, not the difference; the loader's message leads with the first
//! difference: the path of fields down to it, the field and its type, and both sides.

use abi_stable::{
    abi_stability::abi_checking::{AbiInstability, AbiInstabilityErrors, ExpectedFound},
    type_layout::TLFieldOrFunction,
};
use std::fmt;

/// The first difference in one line (where, which field, what: host vs plugin), and the
/// complete report.
pub(crate) fn describe(errors: &AbiInstabilityErrors) -> (String, String) {
    // abi_stable lists one entry per level it descended through; most say "0 error(s)".
    let first = errors
        .errors
        .iter()
        .find(|error| !error.errs.is_empty())
        .map(|error| {
            let steps: Vec<&TLFieldOrFunction> = error
                .stack_trace
                .iter()
                .map(|step| &step.expected)
                .collect();
            let what = error
                .errs
                .iter()
                .map(describe_instability)
                .collect::<Vec<_>>()
                .join("; ");
            match steps.as_slice() {
                [] => format!("in the root module itself: {what}"),
                [.., last] => {
                    let mut path: Vec<&str> = steps.iter().map(|step| step_name(step)).collect();
                    // A function pointer field and its function carry the same name.
                    path.dedup();
                    let container = match steps.len().checked_sub(2).map(|i| steps[i]) {
                        Some(TLFieldOrFunction::Field(parent)) => {
                            format!(" of type `{}`", parent.full_type())
                        }
                        _ => String::new(),
                    };
                    format!(
                        "first difference at `{}`, {}{container}: {what}",
                        path.join(" → "),
                        describe_step(last)
                    )
                }
            }
        })
        .unwrap_or_else(|| "no details from abi_stable".to_string());
    (first, errors.to_string().trim_end().to_string())
}

fn step_name(step: &TLFieldOrFunction) -> &'static str {
    match step {
        TLFieldOrFunction::Field(field) => field.name(),
        TLFieldOrFunction::Function(function) => function.name.as_str(),
    }
}

fn describe_step(step: &TLFieldOrFunction) -> String {
    match step {
        TLFieldOrFunction::Field(field) => {
            format!("field `{}: {}`", field.name(), field.full_type())
        }
        TLFieldOrFunction::Function(function) => format!("fn `{}`", function.name),
    }
}

fn describe_instability(error: &AbiInstability) -> String {
    fn both<T: fmt::Display>(what: &str, v: &ExpectedFound<T>) -> String {
        format!("{what}: host has {}, plugin has {}", v.expected, v.found)
    }
    fn both_debug<T: fmt::Debug>(what: &str, v: &ExpectedFound<T>) -> String {
        format!(
            "{what}: host has {:?}, plugin has {:?}",
            v.expected, v.found
        )
    }
    match error {
        AbiInstability::Name(v) => both("another type", v),
        AbiInstability::Package(v) => both("another package", v),
        AbiInstability::PackageVersion(v) => both("incompatible package versions", v),
        AbiInstability::Size(v) => both("another size (bytes)", v),
        AbiInstability::Alignment(v) => both("another alignment (bytes)", v),
        AbiInstability::FieldCountMismatch(v) => both("another number of fields", v),
        AbiInstability::UnexpectedField(v) => format!(
            "another field: host has `{}: {}`, plugin has `{}: {}`",
            v.expected.name(),
            v.expected.full_type(),
            v.found.name(),
            v.found.full_type()
        ),
        AbiInstability::TooManyVariants(v) => both("another number of variants", v),
        AbiInstability::UnexpectedVariant(v) => both("another variant", v),
        AbiInstability::MismatchedPrefixSize(v) => both("another prefix length", v),
        AbiInstability::MismatchedPrimitive(v) => both_debug("another primitive", v),
        AbiInstability::TLDataDiscriminant(v) => both_debug("another kind of type", v),
        AbiInstability::ReprAttr(v) => both_debug("another repr", v),
        AbiInstability::EnumDiscriminant(v) => both_debug("another discriminant", v),
        other => format!("{other:?}"),
    }
}
