//! The remaining expression constructs: `for` comprehensions, `patch`, `merge`, binary
//! literals and function calls.

use super::bytes::{encode_part, BitWriter};
use super::comprehend::{accumulate, iteration, merge_values};
use super::error::Pos;
use super::eval::{Ctx, EvalError, Val, MAX_CALL_DEPTH};
use super::expr::{BytesPart, Callee, Comprehension, Expr, PatchOp};
use super::ops;
use super::stdlib::CallEnv;
use tremor_value::Value;

impl<'a, 'v> Ctx<'a, 'v> {
    pub(crate) fn comprehension(
        &self,
        c: &'a Comprehension<Expr>,
    ) -> Result<Val<'a, 'v>, EvalError> {
        let target = self.eval(&c.target)?;
        let mut acc = match &c.initial {
            Some(i) => self.eval(i)?.into_static(),
            None => Value::array(),
        };
        for (k, v) in iteration(target.get(), c.pos)? {
            for case in &c.cases {
                let binds = [(case.key, k.clone()), (case.value, v.clone())];
                let result = self.with_bindings(&binds, |inner| {
                    if let Some(g) = &case.guard {
                        if !inner.guard(g)? {
                            return Ok(None);
                        }
                    }
                    inner.block(&case.body).map(|v| Some(v.into_static()))
                })?;
                if let Some(result) = result {
                    accumulate(&mut acc, result, c.fold, c.pos)?;
                    break;
                }
            }
        }
        Ok(Val::Own(acc))
    }

    pub(crate) fn patch(&self, p: &'a super::expr::Patch) -> Result<Val<'a, 'v>, EvalError> {
        let mut target = self.eval(&p.target)?.into_static();
        if !target.is_object() {
            return Err(EvalError::new(
                p.target.pos,
                format!(
                    "Type error: Expected record, found {}",
                    ops::type_name(&target)
                ),
            ));
        }
        for op in &p.ops {
            self.patch_op(&mut target, op)?;
        }
        Ok(Val::Own(target))
    }

    fn key(&self, e: &'a Expr) -> Result<String, EvalError> {
        let k = self.eval(e)?;
        k.get().as_str().map(str::to_string).ok_or_else(|| {
            EvalError::new(
                e.pos,
                format!(
                    "Type error: Expected string, found {}",
                    ops::type_name(k.get())
                ),
            )
        })
    }

    fn patch_op(&self, target: &mut Value<'static>, op: &'a PatchOp) -> Result<(), EvalError> {
        let Value::Object(obj) = target else {
            return Ok(());
        };
        match op {
            PatchOp::Insert(k, v, pos) => {
                let key = self.key(k)?;
                if obj.contains_key(key.as_str()) {
                    return Err(EvalError::new(
                        *pos,
                        format!("The key that is supposed to be written to already exists: {key}"),
                    ));
                }
                obj.insert(key.into(), self.eval(v)?.into_static());
            }
            PatchOp::Upsert(k, v) => {
                let key = self.key(k)?;
                obj.insert(key.into(), self.eval(v)?.into_static());
            }
            PatchOp::Update(k, v, pos) => {
                let key = self.key(k)?;
                if !obj.contains_key(key.as_str()) {
                    return Err(EvalError::new(
                        *pos,
                        format!("The key that is supposed to be updated does not exists: {key}"),
                    ));
                }
                obj.insert(key.into(), self.eval(v)?.into_static());
            }
            PatchOp::Erase(k) => {
                let key = self.key(k)?;
                obj.remove(key.as_str());
            }
            PatchOp::Copy(from, to, _) | PatchOp::Move(from, to, _) => {
                let (from, to) = (self.key(from)?, self.key(to)?);
                if let Some(v) = obj.get(from.as_str()).cloned() {
                    if matches!(op, PatchOp::Move(..)) {
                        obj.remove(from.as_str());
                    }
                    obj.insert(to.into(), v);
                }
            }
            PatchOp::Merge(None, v, pos) => {
                let v = self.eval(v)?;
                if !v.get().is_object() {
                    return Err(EvalError::new(
                        *pos,
                        format!(
                            "Type error: Expected record, found {}",
                            ops::type_name(v.get())
                        ),
                    ));
                }
                merge_values(target, v.get());
            }
            PatchOp::Merge(Some(k), v, pos) => {
                let key = self.key(k)?;
                let v = self.eval(v)?;
                let slot = obj.entry(key.clone().into()).or_insert_with(Value::object);
                if !slot.is_object() {
                    return Err(EvalError::new(*pos, format!("Merge can only be performed on keys that either do not exist or are records but the key '{key}' has the type {}", ops::type_name(slot))));
                }
                merge_values(slot, v.get());
            }
            PatchOp::Default(None, v, pos) => {
                let v = self.eval(v)?;
                let Value::Object(defaults) = v.get() else {
                    return Err(EvalError::new(
                        *pos,
                        format!(
                            "Type error: Expected record, found {}",
                            ops::type_name(v.get())
                        ),
                    ));
                };
                default_values(obj, defaults);
            }
            PatchOp::Default(Some(k), v, _) => {
                let key = self.key(k)?;
                if !obj.contains_key(key.as_str()) {
                    obj.insert(key.into(), self.eval(v)?.into_static());
                }
            }
        }
        Ok(())
    }

    pub(crate) fn merge(
        &self,
        target: &'a Expr,
        value: &'a Expr,
        pos: Pos,
    ) -> Result<Val<'a, 'v>, EvalError> {
        let t = self.eval(target)?;
        let v = self.eval(value)?;
        if !t.get().is_object() || !v.get().is_object() {
            return Err(EvalError::new(
                pos,
                format!(
                    "Conflicting types, got {} but expected record",
                    ops::type_name(if t.get().is_object() {
                        v.get()
                    } else {
                        t.get()
                    })
                ),
            ));
        }
        let mut out = t.into_static();
        merge_values(&mut out, v.get());
        Ok(Val::Own(out))
    }

    pub(crate) fn bytes(
        &self,
        parts: &'a [BytesPart],
        _pos: Pos,
    ) -> Result<Val<'a, 'v>, EvalError> {
        let mut w = BitWriter::default();
        for part in parts {
            let v = self.eval(&part.data)?;
            encode_part(part, v.get(), &mut w).map_err(|m| EvalError::new(part.data.pos, m))?;
        }
        Ok(Val::Own(Value::Bytes(w.finish().into())))
    }

    /// Calls a standard-library function with the run's ingest time, origin and random source.
    fn call_std(
        &self,
        f: &'static super::stdlib::Function,
        args: &[&Value<'_>],
        pos: Pos,
    ) -> Result<Val<'a, 'v>, EvalError> {
        let mut env = CallEnv {
            ingest_ns: self.ingest_ns,
            origin: self.origin,
            cardinality: self.cardinality,
            ..CallEnv::default()
        };
        if let Some(r) = self.random {
            env.random = r.take();
        }
        let result = f.invoke(&mut env, args);
        if let Some(r) = self.random {
            r.set(env.random);
        }
        result
            .map(Val::Own)
            .map_err(|e| EvalError::new(pos, e.to_string()))
    }

    pub(crate) fn invoke(
        &self,
        callee: Callee,
        args: &'a [Expr],
        pos: Pos,
    ) -> Result<Val<'a, 'v>, EvalError> {
        if self.depth >= MAX_CALL_DEPTH {
            return Err(EvalError::new(pos, "Recursion limit Reached"));
        }
        match callee {
            // Up to three arguments go on the stack: no allocation per call.
            Callee::Std(f) => match args {
                [] => self.call_std(f, &[], pos),
                [a] => self.call_std(f, &[self.eval(a)?.get()], pos),
                [a, b] => {
                    let (a, b) = (self.eval(a)?, self.eval(b)?);
                    self.call_std(f, &[a.get(), b.get()], pos)
                }
                [a, b, c] => {
                    let (a, b, c) = (self.eval(a)?, self.eval(b)?, self.eval(c)?);
                    self.call_std(f, &[a.get(), b.get(), c.get()], pos)
                }
                _ => {
                    let vals = args
                        .iter()
                        .map(|a| self.eval(a))
                        .collect::<Result<Vec<_>, _>>()?;
                    let refs: Vec<&Value<'_>> = vals.iter().map(Val::get).collect();
                    self.call_std(f, &refs, pos)
                }
            },
            Callee::Script(index) => {
                let values = args
                    .iter()
                    .map(|a| self.eval(a).map(Val::into_value))
                    .collect::<Result<Vec<_>, _>>()?;
                super::exec::call_fn(self, index, values, pos).map(Val::Own)
            }
        }
    }
}

/// `default => record`: sets every key of `defaults` that `obj` lacks; where both have a record,
/// the same one level down.
fn default_values(obj: &mut tremor_value::Object<'static>, defaults: &tremor_value::Object<'_>) {
    for (k, dv) in defaults.iter() {
        match (obj.get_mut(&**k), dv) {
            (None, _) => {
                obj.insert(beef::Cow::owned(k.to_string()), dv.clone_static());
            }
            (Some(Value::Object(inner)), Value::Object(more)) => default_values(inner, more),
            (Some(_), _) => {}
        }
    }
}
