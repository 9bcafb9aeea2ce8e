//! `match` inside expressions and the patterns of `case`: which case matches, what it binds,
//! and the value of its body.

use super::eval::{Ctx, EvalError, Val};
use super::expr::{BinOp, ElemTest, Expr, Extract, FieldTest, Match, Pattern};
use super::extractors::Extracted;
use super::ops;
use tremor_value::{StaticNode, Value};

/// Locals a pattern binds, in order.
pub(crate) type Bindings<'v> = Vec<(usize, Value<'v>)>;

impl<'a, 'v> Ctx<'a, 'v> {
    /// The value of the first case that matches, or Tremor's error when none does.
    pub(crate) fn eval_match(&self, m: &'a Match<Expr>) -> Result<Val<'a, 'v>, EvalError> {
        let target = self.eval(&m.target)?;
        let Some((case, binds)) = self.select_case(m, target.get())? else {
            return Err(EvalError::new(
                m.pos,
                "A match expression executed but no clause matched",
            ));
        };
        let body = &m.cases[case].body;
        if binds.is_empty() {
            return self.block(body);
        }
        let value = self.with_bindings(&binds, |inner| inner.block(body).map(Val::into_static))?;
        Ok(Val::Own(value))
    }

    /// Evaluates a case body; the last value is the result.
    pub(crate) fn block(&self, body: &'a [Expr]) -> Result<Val<'a, 'v>, EvalError> {
        let mut last = Val::Own(Value::null());
        for e in body {
            last = self.eval(e)?;
        }
        Ok(last)
    }

    /// The index of the first case of `m` whose pattern and guard hold for `target`, with what
    /// its pattern binds.
    pub(crate) fn select_case<B>(
        &self,
        m: &'a Match<B>,
        target: &Value<'v>,
    ) -> Result<Option<(usize, Bindings<'v>)>, EvalError> {
        for (i, case) in m.cases.iter().enumerate() {
            let mut binds = Vec::new();
            if !self.test(&case.pattern, target, &mut binds)? {
                continue;
            }
            let Some(guard) = &case.guard else {
                return Ok(Some((i, binds)));
            };
            let holds = if binds.is_empty() {
                self.guard(guard)?
            } else {
                self.with_bindings(&binds, |inner| inner.guard(guard))?
            };
            if holds {
                return Ok(Some((i, binds)));
            }
        }
        Ok(None)
    }

    /// A guard (or any condition): it must be a boolean.
    pub(crate) fn guard(&self, e: &Expr) -> Result<bool, EvalError> {
        let v = self_shorten(self).eval(e)?;
        match v.get() {
            Value::Static(StaticNode::Bool(b)) => Ok(*b),
            other => Err(EvalError::new(
                e.pos,
                format!("Type error: Expected bool, found {}", ops::type_name(other)),
            )),
        }
    }

    /// Whether `v` matches `pattern`; what it binds goes to `binds`.
    pub(crate) fn test(
        &self,
        pattern: &Pattern,
        v: &Value<'v>,
        binds: &mut Bindings<'v>,
    ) -> Result<bool, EvalError> {
        match pattern {
            Pattern::Any => Ok(true),
            Pattern::Expr(e) => {
                let expected = self_shorten(self).eval(e)?;
                Ok(expected.get() == v)
            }
            Pattern::Assign(slot, inner) => {
                let mut inner_binds = Vec::new();
                let extracted = match &**inner {
                    Pattern::Extract(x) => match self.extract(x, v, true)? {
                        Some(found) => Some(found),
                        None => return Ok(false),
                    },
                    Pattern::Array(items) => {
                        match self.array_matches(items, v, &mut inner_binds)? {
                            Some(found) => Some(found),
                            None => return Ok(false),
                        }
                    }
                    Pattern::Record(tests) => {
                        match self.record_result(tests, v, &mut inner_binds, true)? {
                            Some(found) => Some(found),
                            None => return Ok(false),
                        }
                    }
                    p => {
                        if !self.test(p, v, &mut inner_binds)? {
                            return Ok(false);
                        }
                        None
                    }
                };
                binds.extend(inner_binds);
                binds.push((*slot, extracted.unwrap_or_else(|| v.clone())));
                Ok(true)
            }
            Pattern::Extract(x) => Ok(self.extract(x, v, false)?.is_some()),
            Pattern::Record(tests) => self.record_matches(tests, v, binds),
            Pattern::Array(items) => Ok(self.array_matches(items, v, binds)?.is_some()),
            Pattern::Tuple { items, open } => {
                let Value::Array(a) = v else { return Ok(false) };
                if a.len() < items.len() || (!open && a.len() != items.len()) {
                    return Ok(false);
                }
                for (t, e) in items.iter().zip(a) {
                    if !self.elem_matches(t, e, binds)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
        }
    }

    fn record_matches(
        &self,
        tests: &[FieldTest],
        v: &Value<'v>,
        binds: &mut Bindings<'v>,
    ) -> Result<bool, EvalError> {
        Ok(self.record_result(tests, v, binds, false)?.is_some())
    }

    /// `%{ ... }` on `v`: `None` when it does not match; else (when `want`) the record of what
    /// the tests found: present fields, extractor results and nested patterns' results, as
    /// Tremor binds it to `name = %{...}`.
    fn record_result(
        &self,
        tests: &[FieldTest],
        v: &Value<'v>,
        binds: &mut Bindings<'v>,
        want: bool,
    ) -> Result<Option<Value<'v>>, EvalError> {
        let Value::Object(o) = v else {
            return Ok(None);
        };
        let mut acc = tremor_value::Object::new();
        for t in tests {
            let key = match t {
                FieldTest::Present(k)
                | FieldTest::Absent(k)
                | FieldTest::Cmp(k, ..)
                | FieldTest::Nested(k, _)
                | FieldTest::Extract(k, _) => k.as_str(),
            };
            let field = o.get(key);
            let found = match (t, field) {
                (FieldTest::Absent(_), None) => continue,
                (FieldTest::Absent(_), Some(_)) | (_, None) => return Ok(None),
                (FieldTest::Present(_), Some(f)) => Some(f.clone()),
                (FieldTest::Cmp(_, op, e), Some(f)) => {
                    let rhs = self_shorten(self).eval(e)?;
                    if !cmp_holds(*op, f, rhs.get()) {
                        return Ok(None);
                    }
                    None
                }
                (FieldTest::Nested(_, p), Some(f)) => match &**p {
                    Pattern::Record(inner) => match self.record_result(inner, f, binds, want)? {
                        Some(r) => Some(r),
                        None => return Ok(None),
                    },
                    Pattern::Array(items) => match self.array_matches(items, f, binds)? {
                        Some(r) => Some(r),
                        None => return Ok(None),
                    },
                    p => {
                        if !self.test(p, f, binds)? {
                            return Ok(None);
                        }
                        Some(f.clone())
                    }
                },
                (FieldTest::Extract(_, x), Some(f)) => match self.extract(x, f, want)? {
                    Some(r) => Some(r),
                    None => return Ok(None),
                },
            };
            if let (true, Some(found)) = (want, found) {
                acc.insert(beef::Cow::owned(key.to_string()), found);
            }
        }
        Ok(Some(if want {
            Value::Object(Box::new(acc))
        } else {
            Value::null()
        }))
    }

    /// `%[ ... ]`: the `[index, value]` pairs of the elements the tests match; `None` when a
    /// test matches no element (an empty pattern matches any array).
    fn array_matches(
        &self,
        items: &[ElemTest],
        v: &Value<'v>,
        binds: &mut Bindings<'v>,
    ) -> Result<Option<Value<'v>>, EvalError> {
        let Value::Array(a) = v else { return Ok(None) };
        if items.is_empty() {
            return Ok(Some(Value::Array(Vec::new())));
        }
        // Every test must match some element; the result lists, test by test, each element
        // a test matched as `[index, what it found]`. As in Tremor, `_` matches when there is
        // an element and adds nothing to the result.
        let mut found = Vec::new();
        for t in items {
            if matches!(t, ElemTest::Any) {
                if a.is_empty() {
                    return Ok(None);
                }
                continue;
            }
            let before = found.len();
            for (i, e) in a.iter().enumerate() {
                if let Some(value) = self.elem_result(t, e, binds)? {
                    found.push(Value::Array(vec![Value::from(i), value]));
                }
            }
            if found.len() == before {
                return Ok(None);
            }
        }
        Ok(Some(Value::Array(found)))
    }

    fn elem_matches(
        &self,
        t: &ElemTest,
        e: &Value<'v>,
        binds: &mut Bindings<'v>,
    ) -> Result<bool, EvalError> {
        match t {
            ElemTest::Any => Ok(true),
            ElemTest::Expr(x) => Ok(self_shorten(self).eval(x)?.get() == e),
            ElemTest::Record(tests) => self.record_matches(tests, e, binds),
            ElemTest::Extract(x) => Ok(self.extract(x, e, false)?.is_some()),
            ElemTest::Rebind(slot, x) => match self.extract(x, e, true)? {
                Some(found) => {
                    binds.push((*slot, found));
                    Ok(true)
                }
                None => Ok(false),
            },
        }
    }

    /// What an element test found in `e` (for `%[...]` results): a record pattern's record,
    /// an extractor's result, else the element itself.
    fn elem_result(
        &self,
        t: &ElemTest,
        e: &Value<'v>,
        binds: &mut Bindings<'v>,
    ) -> Result<Option<Value<'v>>, EvalError> {
        match t {
            ElemTest::Extract(x) => self.extract(x, e, true),
            ElemTest::Record(tests) => self.record_result(tests, e, binds, true),
            t => Ok(self.elem_matches(t, e, binds)?.then(|| e.clone())),
        }
    }

    /// Runs an extractor; `Some` with its result (or the value itself) when it matches.
    pub(crate) fn extract(
        &self,
        x: &Extract,
        v: &Value<'v>,
        want: bool,
    ) -> Result<Option<Value<'v>>, EvalError> {
        Ok(match x.compiled.extract_at(v, want, self.ingest_ns) {
            Extracted::NoMatch => None,
            Extracted::Match => Some(v.clone()),
            Extracted::MatchValue(found) => Some(found),
        })
    }
}

/// A context borrowed for less than `'a` (patterns are tested with borrows as long as the call).
fn self_shorten<'s, 'v>(c: &'s Ctx<'_, 'v>) -> Ctx<'s, 'v> {
    *c
}

fn cmp_holds(op: BinOp, a: &Value<'_>, b: &Value<'_>) -> bool {
    matches!(
        ops::binary(op, a, b),
        Ok(Value::Static(StaticNode::Bool(true)))
    )
}
