//! Reading below a path root: fields, indexes and ranges, by reference where the value already
//! exists; and `present` (the same walk, answering whether it gets to the end).

use super::error::Pos;
use super::eval::{Ctx, EvalError, Val};
use super::expr::{PathRoot, Segment};
use super::ops::type_name;
use tremor_value::Value;

/// The word Tremor uses for a root in "Trying to access a non existing ... key".
fn root_word(root: PathRoot) -> &'static str {
    match root {
        PathRoot::Event => "event",
        PathRoot::Meta => "global",
        PathRoot::State => "state",
        PathRoot::Local(_) => "local",
        PathRoot::Args => "args",
    }
}

/// One step from `cur`; `None` when the step leads nowhere (missing key, index out of range,
/// wrong type). Ranges are handled by the caller.
fn step<'a, 'v>(cur: &'a Value<'v>, key: &Value<'_>) -> Option<&'a Value<'v>> {
    match (cur, key) {
        (Value::Object(o), Value::String(k)) => o.get(&**k),
        (Value::Array(a), k) => k.as_usize().and_then(|i| a.get(i)),
        _ => None,
    }
}

impl<'a, 'v> Ctx<'a, 'v> {
    /// `base` followed by `segs`.
    pub(crate) fn segments(
        &self,
        base: Val<'a, 'v>,
        root: PathRoot,
        segs: &'a [Segment],
        pos: Pos,
    ) -> Result<Val<'a, 'v>, EvalError> {
        match base {
            Val::Ref(v) => self.walk(v, root, segs, pos),
            Val::Own(v) => {
                // A computed value: walk it, then keep what was reached.
                let found = self.walk(&v, root, segs, pos)?.into_static();
                Ok(Val::Own(found))
            }
        }
    }

    fn walk<'b>(
        &self,
        base: &'b Value<'v>,
        root: PathRoot,
        segs: &'a [Segment],
        pos: Pos,
    ) -> Result<Val<'b, 'v>, EvalError>
    where
        'a: 'b,
    {
        let mut cur = base;
        for (i, seg) in segs.iter().enumerate() {
            cur = match seg {
                Segment::Field(f) => match cur {
                    Value::Object(o) => o.get(f.as_str()).ok_or_else(|| missing(root, f, pos))?,
                    other => return Err(EvalError::new(pos, format!("Trying to access a non existing {} key `{f}` (the value is of type `{}`)", root_word(root), type_name(other)))),
                },
                Segment::Index(e) => {
                    let k = self.eval(e)?;
                    match (cur, k.get()) {
                        (Value::Object(o), Value::String(s)) => o.get(&**s).ok_or_else(|| missing(root, s, pos))?,
                        (Value::Array(a), k) if k.as_i64().is_some() || k.as_u64().is_some() => {
                            let idx = k.as_usize().filter(|i| *i < a.len());
                            let Some(idx) = idx else {
                                return Err(EvalError::new(e.pos, format!("Bad array index, got `{}` but expected an index in the range 0:{}", tremor_value::to_json(k), a.len())));
                            };
                            &a[idx]
                        }
                        (c, k) => return Err(EvalError::new(e.pos, format!("The value of type `{}` cannot be indexed with a value of type `{}`", type_name(c), type_name(k)))),
                    }
                }
                Segment::Range(start, end) => {
                    let Value::Array(a) = cur else {
                        return Err(EvalError::new(pos, format!("Type error: Expected array, found {}", type_name(cur))));
                    };
                    let (s, e) = (self.index_of(start)?, self.index_of(end)?);
                    if e < s {
                        return Err(EvalError::new(start.pos, format!("A range's end cannot be smaller than its start, {s}:{e} is invalid")));
                    }
                    if e > a.len() {
                        return Err(EvalError::new(end.pos, format!("Array index out of bounds, got index range {s}:{e} but expected a subrange of 0:{}", a.len())));
                    }
                    let slice = Value::Array(a[s..e].iter().map(Value::clone_static).collect());
                    return self.walk_owned(slice, root, &segs[i + 1..], pos);
                }
            };
        }
        Ok(Val::Ref(cur))
    }

    fn walk_owned<'b>(
        &self,
        v: Value<'static>,
        root: PathRoot,
        segs: &'a [Segment],
        pos: Pos,
    ) -> Result<Val<'b, 'v>, EvalError> {
        if segs.is_empty() {
            return Ok(Val::Own(v));
        }
        let found = self.walk(&v, root, segs, pos)?.into_static();
        Ok(Val::Own(found))
    }

    fn index_of(&self, e: &'a super::expr::Expr) -> Result<usize, EvalError> {
        let v = self.eval(e)?;
        v.get().as_usize().ok_or_else(|| {
            EvalError::new(
                e.pos,
                format!("Type error: Expected integer, found {}", type_name(v.get())),
            )
        })
    }

    /// `present PATH`: whether every step of the path exists.
    pub(crate) fn present(
        &self,
        root: PathRoot,
        segs: &'a [Segment],
        pos: Pos,
    ) -> Result<bool, EvalError> {
        let Some(mut cur) = (match root {
            PathRoot::Local(slot) => self.local(slot),
            PathRoot::Event => Some(self.event),
            PathRoot::Meta => Some(self.meta),
            PathRoot::State => Some(self.state),
            PathRoot::Args => Some(self.args),
        }) else {
            return Ok(false);
        };
        for seg in segs {
            let next = match seg {
                Segment::Field(f) => step(cur, &Value::from(f.as_str())),
                Segment::Index(e) => {
                    let k = self.eval(e)?;
                    step(cur, k.get())
                }
                Segment::Range(..) => {
                    // Ranges build values: read the whole path and see whether that works.
                    let base = self.root(root, pos)?;
                    return Ok(self.segments(Val::Ref(base), root, segs, pos).is_ok());
                }
            };
            match next {
                Some(n) => cur = n,
                None => return Ok(false),
            }
        }
        Ok(true)
    }
}

fn missing(root: PathRoot, key: &str, pos: Pos) -> EvalError {
    if root == PathRoot::Args {
        // Troy's definitions name their arguments: say which one is missing.
        return EvalError::new(pos, format!("unknown argument `{key}`"));
    }
    EvalError::new(
        pos,
        format!(
            "Trying to access a non existing {} key `{key}`",
            root_word(root)
        ),
    )
}
