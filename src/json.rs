//! Reading config and saved-state JSON without serde's derived `Deserialize`: serde_json parses
//! the text into a small tree (`J`, one visitor), and the readers in config.rs and trainer.rs
//! take their fields from it by hand, with serde's messages and the field path of every
//! error. The derived visitors (one set per type, plus serde_json's typed paths and serde's
//! float-printing `Unexpected`) cost about 60 KB of wasm.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// A parsed JSON value. Numbers keep serde_json's kinds (so integer fields reject `1.5` and
/// u64 words stay exact); an array of float literals is stored flat (8 bytes a number: saved
/// parameters are written as float literals).
#[derive(Debug, Clone, PartialEq)]
pub enum J {
    Null,
    Bool(bool),
    U(u64),
    I(i64),
    F(f64),
    Str(String),
    Arr(Vec<J>),
    F64s(Vec<f64>),
    /// Entries in document order, duplicates kept.
    Obj(Vec<(String, J)>),
}

impl<'de> Deserialize<'de> for J {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<J, D::Error> {
        d.deserialize_any(JVisitor)
    }
}

struct JVisitor;

impl<'de> Visitor<'de> for JVisitor {
    type Value = J;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<J, E> {
        Ok(J::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<J, E> {
        Ok(J::U(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<J, E> {
        Ok(J::I(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<J, E> {
        Ok(J::F(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<J, E> {
        Ok(J::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<J, E> {
        Ok(J::Str(v))
    }
    fn visit_unit<E>(self) -> Result<J, E> {
        Ok(J::Null)
    }
    fn visit_none<E>(self) -> Result<J, E> {
        Ok(J::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<J, A::Error> {
        let mut nums = Vec::new();
        let mut items = Vec::new();
        while let Some(j) = seq.next_element::<J>()? {
            match j {
                J::F(x) if items.is_empty() => nums.push(x),
                j => {
                    items.extend(nums.drain(..).map(J::F));
                    items.push(j);
                }
            }
        }
        Ok(if items.is_empty() && !nums.is_empty() { J::F64s(nums) } else { J::Arr(items) })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<J, A::Error> {
        let mut entries = Vec::new();
        while let Some(e) = map.next_entry::<String, J>()? {
            entries.push(e);
        }
        Ok(J::Obj(entries))
    }
}

/// Parses JSON text (what follows the first value is not read, as before); a syntax error
/// comes with the field path where it happened (`model.depth`, `params[3]`).
pub fn parse(s: &str) -> Result<J, (String, String)> {
    let de = &mut serde_json::Deserializer::from_str(s);
    J::deserialize(de).map_err(|e| (crate::config::json_path_at(s, &e), e.to_string()))
}

/// An error: (field path, message).
pub type Res<T> = Result<T, (String, String)>;

/// `path.key` (or `key` at the top).
pub fn sub(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// serde_json's words for what was found (floats as zmij prints them: `1e+300`).
fn unexpected(j: &J) -> String {
    match j {
        J::Null => "null".into(),
        J::Bool(b) => format!("boolean `{b}`"),
        J::U(u) => format!("integer `{u}`"),
        J::I(i) => format!("integer `{i}`"),
        J::F(x) => format!("floating point `{}`", zmij::Buffer::new().format(*x)),
        J::Str(s) => format!("string {s:?}"),
        J::Arr(_) | J::F64s(_) => "sequence".into(),
        J::Obj(_) => "map".into(),
    }
}

pub fn invalid_type<T>(path: &str, j: &J, expected: &str) -> Res<T> {
    Err((path.to_string(), format!("invalid type: {}, expected {expected}", unexpected(j))))
}

pub fn f64_of(path: &str, j: &J) -> Res<f64> {
    match *j {
        J::U(u) => Ok(u as f64),
        J::I(i) => Ok(i as f64),
        J::F(x) => Ok(x),
        _ => invalid_type(path, j, "f64"),
    }
}

pub fn f32_of(path: &str, j: &J) -> Res<f32> {
    match *j {
        J::U(u) => Ok(u as f32),
        J::I(i) => Ok(i as f32),
        J::F(x) => Ok(x as f32),
        _ => invalid_type(path, j, "f32"),
    }
}

/// An unsigned integer up to `max`; `what` names the type (`usize`, `u32`, `u64`).
pub fn uint_of(path: &str, j: &J, max: u64, what: &str) -> Res<u64> {
    let bad = |v: &dyn fmt::Display| Err((path.to_string(), format!("invalid value: integer `{v}`, expected {what}")));
    match *j {
        J::U(u) if u <= max => Ok(u),
        J::U(u) => bad(&u),
        J::I(i) => bad(&i),
        _ => invalid_type(path, j, what),
    }
}

pub fn usize_of(path: &str, j: &J) -> Res<usize> {
    uint_of(path, j, usize::MAX as u64, "usize").map(|u| u as usize)
}

pub fn bool_of(path: &str, j: &J) -> Res<bool> {
    match *j {
        J::Bool(b) => Ok(b),
        _ => invalid_type(path, j, "a boolean"),
    }
}

pub fn string_of(path: &str, j: &J) -> Res<String> {
    match j {
        J::Str(s) => Ok(s.clone()),
        _ => invalid_type(path, j, "a string"),
    }
}

/// "`a`, `b`" (serde's list of what is allowed).
fn one_of(names: &[&str]) -> String {
    match names {
        [] => "there are none".into(),
        [one] => format!("`{one}`"),
        [a, b] => format!("`{a}` or `{b}`"),
        _ => format!("one of {}", names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")),
    }
}

/// A unit enum: its name, or serde's `{"name": null}`.
pub fn enum_of<T: Copy>(path: &str, j: &J, names: &[&str], all: &[T]) -> Res<T> {
    enum_index(path, j, names).map(|k| all[k])
}

/// The index in `names` of a unit enum's variant (not generic: one copy in the wasm).
#[inline(never)]
pub fn enum_index(path: &str, j: &J, names: &[&str]) -> Res<usize> {
    let (name, value) = match j {
        J::Str(s) => (s, &J::Null),
        J::Obj(e) if e.len() == 1 => (&e[0].0, &e[0].1),
        // serde_json's word for anything else where an enum goes.
        _ => return Err((path.to_string(), "expected value".into())),
    };
    let Some(k) = names.iter().position(|n| n == name) else {
        return Err((path.to_string(), format!("unknown variant `{name}`, expected {}", one_of(names))));
    };
    if *value != J::Null {
        return invalid_type(path, value, "unit");
    }
    Ok(k)
}

/// The elements of an array (a flat float array as `J::F` items, one at a time).
pub fn each(path: &str, j: &J, mut f: impl FnMut(&str, &J) -> Res<()>) -> Res<usize> {
    match j {
        J::Arr(items) => {
            for (i, x) in items.iter().enumerate() {
                f(&format!("{path}[{i}]"), x)?;
            }
            Ok(items.len())
        }
        J::F64s(xs) => {
            for (i, &x) in xs.iter().enumerate() {
                f(&format!("{path}[{i}]"), &J::F(x))?;
            }
            Ok(xs.len())
        }
        _ => invalid_type(path, j, "a sequence"),
    }
}

pub fn vec_f32(path: &str, j: &J) -> Res<Vec<f32>> {
    if let J::F64s(xs) = j {
        return Ok(xs.iter().map(|&x| x as f32).collect());
    }
    let mut out = Vec::new();
    each(path, j, |p, x| Ok(out.push(f32_of(p, x)?)))?;
    Ok(out)
}

pub fn vec_f64(path: &str, j: &J) -> Res<Vec<f64>> {
    if let J::F64s(xs) = j {
        return Ok(xs.clone());
    }
    let mut out = Vec::new();
    each(path, j, |p, x| Ok(out.push(f64_of(p, x)?)))?;
    Ok(out)
}

pub fn vec_u32(path: &str, j: &J) -> Res<Vec<u32>> {
    let mut out = Vec::new();
    each(path, j, |p, x| Ok(out.push(uint_of(p, x, u32::MAX as u64, "u32")? as u32)))?;
    Ok(out)
}

/// An optional value: `null` (or a missing field) is `None`.
pub fn opt<T>(path: &str, j: Option<&J>, f: impl FnOnce(&str, &J) -> Res<T>) -> Res<Option<T>> {
    match j {
        None | Some(J::Null) => Ok(None),
        Some(j) => f(path, j).map(Some),
    }
}

/// The fields of a struct named `what` (`struct Config`): `f(k, path, value)` for each field
/// present, `k` its index in `names`. A JSON array fills the fields in order (as serde
/// reads a struct from a sequence; `all_needed_in_seq`: all of them, for a struct without
/// defaults). Unknown keys are an error with `deny_unknown`, skipped
/// otherwise; a key given twice is an error. Returns which fields were present.
pub fn fields(path: &str, j: &J, what: &str, names: &[&str], deny_unknown: bool, all_needed_in_seq: bool, mut f: impl FnMut(usize, &str, &J) -> Res<()>) -> Res<Vec<bool>> {
    let mut seen = vec![false; names.len()];
    match j {
        J::Obj(entries) => {
            for (key, v) in entries {
                let p = sub(path, key);
                match names.iter().position(|n| n == key) {
                    Some(k) if seen[k] => return Err((p, format!("duplicate field `{key}`"))),
                    Some(k) => {
                        seen[k] = true;
                        f(k, &p, v)?;
                    }
                    None if deny_unknown => return Err((p, format!("unknown field `{key}`, expected {}", one_of(names)))),
                    None => {}
                }
            }
        }
        J::Arr(_) | J::F64s(_) => {
            let n = each(path, j, |_, v| {
                // serde_json's word for elements past the struct's fields
                let k = seen.iter().position(|s| !s).ok_or_else(|| (path.to_string(), "trailing characters".to_string()))?;
                seen[k] = true;
                f(k, &sub(path, names[k]), v)
            })?;
            if all_needed_in_seq && n < names.len() {
                let s = if names.len() == 1 { "" } else { "s" };
                return Err((path.to_string(), format!("invalid length {n}, expected {what} with {} element{s}", names.len())));
            }
        }
        _ => return invalid_type(path, j, what),
    }
    Ok(seen)
}

/// serde's error for a required field that is not there.
pub fn require(path: &str, seen: &[bool], names: &[&str]) -> Res<()> {
    match seen.iter().position(|s| !s) {
        Some(k) => Err((path.to_string(), format!("missing field `{}`", names[k]))),
        None => Ok(()),
    }
}
