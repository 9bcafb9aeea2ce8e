//! `group by`: the groups one event belongs to, as Tremor computes them. An expression adds
//! its value to every group so far; `each(ARRAY)` multiplies the groups by the elements;
//! `set(a, b, ...)` applies its items in order. A group is identified by the sorted JSON of
//! its values, which `group` also carries as its last element.

use super::exprs::Reads;
use crate::script::eval::EvalError;
use crate::script::ops;
use crate::troy::plan::GroupBy;
use tremor_value::Value;

/// The groups (each a list of dimension values) `event` belongs to; no group at all when an
/// `each` meets an empty array.
///
/// # Errors
/// When an expression fails, or `each` gets something other than an array.
pub(super) fn groups_of(
    group_by: &GroupBy,
    reads: &Reads<'_, '_>,
) -> Result<Vec<Vec<Value<'static>>>, EvalError> {
    let mut groups = Vec::new();
    extend(group_by, reads, &mut groups)?;
    Ok(groups)
}

fn extend(
    group_by: &GroupBy,
    reads: &Reads<'_, '_>,
    groups: &mut Vec<Vec<Value<'static>>>,
) -> Result<(), EvalError> {
    match group_by {
        GroupBy::Expr(e) => {
            let v = reads.eval(e)?;
            if groups.is_empty() {
                groups.push(vec![v]);
            } else {
                groups.iter_mut().for_each(|g| g.push(v.clone()));
            }
        }
        GroupBy::Set(items) => {
            for item in items {
                extend(item, reads, groups)?;
            }
        }
        GroupBy::Each(e) => {
            let v = reads.eval(e)?;
            let Some(elements) = v.as_array() else {
                return Err(EvalError {
                    message: format!("Expected type array but got {}", ops::type_name(&v)),
                    pos: e.pos,
                });
            };
            if groups.is_empty() {
                groups.extend(elements.iter().map(|x| vec![x.clone()]));
            } else {
                let mut multiplied = Vec::with_capacity(groups.len() * elements.len());
                for g in groups.drain(..) {
                    for x in elements {
                        let mut g = g.clone();
                        g.push(x.clone());
                        multiplied.push(g);
                    }
                }
                *groups = multiplied;
            }
        }
    }
    Ok(())
}

/// A group's key: the sorted JSON of its values.
pub(super) fn key_of(dims: &[Value<'static>]) -> String {
    tremor_value::to_json_sorted(&Value::Array(dims.to_vec()))
}

/// A new group's `group` value: its values followed by its key.
pub(super) fn group_value(mut dims: Vec<Value<'static>>, key: &str) -> Value<'static> {
    dims.push(Value::from(key.to_string()));
    Value::Array(dims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::expr_parser::parse_expr;

    fn groups(group_by: &GroupBy, event: &str) -> String {
        let mut bytes = event.as_bytes().to_vec();
        let event = tremor_value::parse_json(&mut bytes).expect("json");
        let null = Value::null();
        let reads = Reads {
            event: &event,
            meta: &null,
            args: &null,
            locals: &[],
            ingest_ns: 0,
            cardinality: 0,
            fns: &[],
        };
        let found = groups_of(group_by, &reads).expect("groups");
        tremor_value::to_json(&Value::Array(found.into_iter().map(Value::Array).collect()))
    }

    #[test]
    fn set_each_and_expressions_combine_as_in_tremor() {
        let e = |src: &str| parse_expr(src, "t").expect("parses");
        let event = r#"{"m": 7, "ks": ["a", "b"], "ns": [1, 2], "none": []}"#;
        let cases = [
            (GroupBy::Expr(e("event.m")), "[[7]]"),
            (
                GroupBy::Set(vec![
                    GroupBy::Expr(e("event.m")),
                    GroupBy::Each(e("event.ks")),
                ]),
                r#"[[7,"a"],[7,"b"]]"#,
            ),
            (
                GroupBy::Set(vec![
                    GroupBy::Each(e("event.ks")),
                    GroupBy::Expr(e("event.m")),
                ]),
                r#"[["a",7],["b",7]]"#,
            ),
            (
                GroupBy::Set(vec![
                    GroupBy::Each(e("event.ks")),
                    GroupBy::Each(e("event.ns")),
                ]),
                r#"[["a",1],["a",2],["b",1],["b",2]]"#,
            ),
            (GroupBy::Each(e("event.none")), "[]"),
        ];
        for (group_by, want) in cases {
            assert_eq!(groups(&group_by, event), want, "{group_by:?}");
        }
        let dims = vec![Value::from("a")];
        let key = key_of(&dims);
        let value = group_value(dims, &key);
        assert_eq!(key, r#"["a"]"#);
        assert_eq!(tremor_value::to_json(&value), r#"["a","[\"a\"]"]"#);
    }
}
