//! Config and saved-state JSON without serde: a small parser builds a tree (`J`) with
//! serde_json's number kinds, messages and error positions, the readers in config.rs and
//! trainer.rs take their fields from it by hand (serde's messages, the field path of every
//! error), and `W` writes JSON as serde_json did (compact, shortest float digits by zmij,
//! non-finite numbers as `null`). Floats are read correctly rounded (float_text.rs, checked
//! against `str::parse`), so saved state round-trips bit for bit. serde_json and the derived code cost
//! about 60 KB of wasm.

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

/// A syntax error: serde_json's words for it and the byte offset its line and column come from.
type SynErr = (&'static str, usize);

const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_STRING: &str = "EOF while parsing a string";
const EOF_VALUE: &str = "EOF while parsing a value";
const BAD_NUMBER: &str = "invalid number";
const BAD_ESCAPE: &str = "invalid escape";
const LONE_SURROGATE: &str = "lone leading surrogate in hex escape";

/// serde_json's parser (`deserialize_any` on a `&str`), step for step where it matters for
/// which error it reports and where: the same grammar, whitespace, nesting limit (127) and
/// number kinds.
struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    depth: u8,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// An error about a byte already read (serde_json's `error`).
    fn err<T>(&self, m: &'static str) -> Result<T, SynErr> {
        Err((m, self.i))
    }

    /// An error about the next byte (serde_json's `peek_error`).
    fn peek_err<T>(&self, m: &'static str) -> Result<T, SynErr> {
        Err((m, (self.i + 1).min(self.b.len())))
    }

    fn ws(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.i += 1;
        }
        self.peek()
    }

    fn ident(&mut self, rest: &[u8], j: J) -> Result<J, SynErr> {
        self.i += 1;
        for &c in rest {
            let Some(next) = self.peek() else { return self.err(EOF_VALUE) };
            self.i += 1;
            if next != c {
                return self.err("expected ident");
            }
        }
        Ok(j)
    }

    fn value(&mut self) -> Result<J, SynErr> {
        let Some(c) = self.ws() else { return self.peek_err(EOF_VALUE) };
        match c {
            b'n' => self.ident(b"ull", J::Null),
            b't' => self.ident(b"rue", J::Bool(true)),
            b'f' => self.ident(b"alse", J::Bool(false)),
            b'-' => {
                self.i += 1;
                self.number(false)
            }
            b'0'..=b'9' => self.number(true),
            b'"' => {
                self.i += 1;
                self.string().map(J::Str)
            }
            b'[' | b'{' => {
                self.depth -= 1;
                if self.depth == 0 {
                    return self.peek_err("recursion limit exceeded");
                }
                self.i += 1;
                let j = if c == b'[' { self.seq() } else { self.map() }?;
                self.depth += 1;
                self.i += 1; // the closing bracket
                Ok(j)
            }
            _ => self.peek_err("expected value"),
        }
    }

    /// The elements of an array up to its `]`; float literals stored flat while there is
    /// nothing else.
    fn seq(&mut self) -> Result<J, SynErr> {
        let mut nums = Vec::new();
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.ws() else { return self.peek_err(EOF_LIST) };
            if c == b']' {
                break;
            }
            if !first {
                if c != b',' {
                    return self.peek_err("expected `,` or `]`");
                }
                self.i += 1;
                match self.ws() {
                    Some(b']') => return self.peek_err("trailing comma"),
                    Some(_) => {}
                    None => return self.peek_err(EOF_VALUE),
                }
            }
            first = false;
            match self.value()? {
                J::F(x) if items.is_empty() => nums.push(x),
                j => {
                    items.extend(nums.drain(..).map(J::F));
                    items.push(j);
                }
            }
        }
        Ok(if items.is_empty() && !nums.is_empty() { J::F64s(nums) } else { J::Arr(items) })
    }

    /// The entries of an object up to its `}`.
    fn map(&mut self) -> Result<J, SynErr> {
        let mut entries = Vec::new();
        loop {
            let Some(c) = self.ws() else { return self.peek_err(EOF_OBJECT) };
            if c == b'}' {
                break;
            }
            if !entries.is_empty() {
                if c != b',' {
                    return self.peek_err("expected `,` or `}`");
                }
                self.i += 1;
                match self.ws() {
                    Some(b'"') => {}
                    Some(b'}') => return self.peek_err("trailing comma"),
                    Some(_) => return self.peek_err("key must be a string"),
                    None => return self.peek_err(EOF_VALUE),
                }
            } else if c != b'"' {
                return self.peek_err("key must be a string");
            }
            self.i += 1;
            let key = self.string()?;
            match self.ws() {
                Some(b':') => self.i += 1,
                Some(_) => return self.peek_err("expected `:`"),
                None => return self.peek_err(EOF_OBJECT),
            }
            entries.push((key, self.value()?));
        }
        Ok(J::Obj(entries))
    }

    /// A string's contents after its opening quote, escapes decoded (surrogates must pair).
    fn string(&mut self) -> Result<String, SynErr> {
        let mut out = Vec::new();
        let mut start = self.i;
        loop {
            let Some(c) = self.peek() else { return self.err(EOF_STRING) };
            self.i += 1;
            match c {
                b'"' => {
                    out.extend_from_slice(&self.b[start..self.i - 1]);
                    // Only whole UTF-8 sequences of a &str and encoded chars went in.
                    return String::from_utf8(out).or_else(|_| self.err("invalid unicode code point"));
                }
                b'\\' => {
                    out.extend_from_slice(&self.b[start..self.i - 1]);
                    self.escape(&mut out)?;
                    start = self.i;
                }
                0..=0x1f => return self.err("control character (\\u0000-\\u001F) found while parsing a string"),
                _ => {}
            }
        }
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), SynErr> {
        let Some(c) = self.peek() else { return self.err(EOF_STRING) };
        self.i += 1;
        let ch = match c {
            b'"' | b'\\' | b'/' => c as char,
            b'b' => '\x08',
            b'f' => '\x0c',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let n = self.hex4()?;
                let n = match n {
                    0xDC00..=0xDFFF => return self.err(LONE_SURROGATE),
                    0xD800..=0xDBFF => {
                        for want in [b'\\', b'u'] {
                            let Some(c) = self.peek() else { return self.err(EOF_STRING) };
                            self.i += 1;
                            if c != want {
                                return self.err("unexpected end of hex escape");
                            }
                        }
                        let n2 = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&n2) {
                            return self.err(LONE_SURROGATE);
                        }
                        (((n - 0xD800) << 10) | (n2 - 0xDC00)) + 0x1_0000
                    }
                    n => n,
                };
                char::from_u32(n).unwrap_or(char::REPLACEMENT_CHARACTER)
            }
            _ => return self.err(BAD_ESCAPE),
        };
        out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, SynErr> {
        let Some(h) = self.b.get(self.i..self.i + 4) else {
            self.i = self.b.len();
            return self.err(EOF_STRING);
        };
        self.i += 4;
        let mut n = 0;
        for &c in h {
            n = n * 16 + match (c as char).to_digit(16) {
                Some(d) => d,
                None => return self.err(BAD_ESCAPE),
            };
        }
        Ok(n)
    }

    fn digits(&mut self) -> bool {
        let from = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i > from
    }

    /// A number after its sign. Integers that fit are `U` (or `I` when negative, -0 and below
    /// i64::MIN excepted); everything else is an f64, correctly rounded (`decimal_to_f64`).
    fn number(&mut self, positive: bool) -> Result<J, SynErr> {
        let start = self.i;
        let Some(c) = self.peek() else { return self.err(EOF_VALUE) };
        self.i += 1;
        match c {
            b'0' if matches!(self.peek(), Some(b'0'..=b'9')) => return self.peek_err(BAD_NUMBER),
            b'0' => {}
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return self.err(BAD_NUMBER),
        }
        let int_end = self.i;
        let mut zero = self.b[start..int_end].iter().all(|&c| c == b'0');
        let mut frac = int_end..int_end;
        if self.peek() == Some(b'.') {
            self.i += 1;
            let from = self.i;
            if !self.digits() {
                return self.peek_err(if self.peek().is_some() { BAD_NUMBER } else { EOF_VALUE });
            }
            frac = from..self.i;
            zero &= self.b[frac.clone()].iter().all(|&c| c == b'0');
        }
        let mut exp = 0i32;
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            let positive_exp = match self.peek() {
                Some(b'-') => {
                    self.i += 1;
                    false
                }
                Some(b'+') => {
                    self.i += 1;
                    true
                }
                _ => true,
            };
            let Some(c) = self.peek() else { return self.err(EOF_VALUE) };
            self.i += 1;
            if !c.is_ascii_digit() {
                return self.err(BAD_NUMBER);
            }
            exp = (c - b'0') as i32;
            while let Some(c @ b'0'..=b'9') = self.peek() {
                self.i += 1;
                let d = (c - b'0') as i32;
                if exp >= i32::MAX / 10 && (exp > i32::MAX / 10 || d > i32::MAX % 10) {
                    // An exponent beyond i32: out of range, or zero.
                    if !zero && positive_exp {
                        return self.err("number out of range");
                    }
                    self.digits();
                    return Ok(J::F(if positive { 0.0 } else { -0.0 }));
                }
                exp = exp * 10 + d;
            }
            if !positive_exp {
                exp = -exp;
            }
        } else if self.i == int_end {
            // An integer: exact when it fits in 64 bits.
            let u = self.b[start..int_end].iter().try_fold(0u64, |a, &c| a.checked_mul(10)?.checked_add((c - b'0') as u64));
            if let Some(u) = u {
                return Ok(if positive {
                    J::U(u)
                } else {
                    match (u as i64).wrapping_neg() {
                        n if n >= 0 => J::F(-(u as f64)), // -0, and below i64::MIN
                        n => J::I(n),
                    }
                });
            }
        }
        match crate::float_text::decimal_to_f64(&self.b[start..int_end], &self.b[frac], exp as i64) {
            x if x.is_finite() => Ok(J::F(if positive { x } else { -x })),
            _ => self.err("number out of range"),
        }
    }
}

/// serde_json's line (1-based) and column (bytes from the line's start) of byte offset `i`.
fn line_column(b: &[u8], i: usize) -> (usize, usize) {
    let line_start = b[..i].iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
    (1 + b[..line_start].iter().filter(|&&c| c == b'\n').count(), i - line_start)
}

/// Parses JSON text (what follows the first value is not read, as before); a syntax error
/// comes with the field path where it happened (`model.depth`, `params[3]`) and serde_json's
/// message, position included.
pub fn parse(s: &str) -> Result<J, (String, String)> {
    let mut p = Parser { b: s.as_bytes(), i: 0, depth: 128 };
    p.value().map_err(|(m, i)| {
        let (line, column) = line_column(p.b, i);
        (crate::config::json_path_at(s, i), format!("{m} at line {line} column {column}"))
    })
}

/// JSON text as serde_json writes it: compact, fields in order, floats in zmij's shortest
/// round-trip digits (`0.003`, `1e-8`, `2.0`), NaN and infinities as `null`.
#[derive(Default)]
pub struct W(pub String);

impl W {
    /// `{`; fields follow with `key`, then `end`.
    pub fn open(&mut self) {
        self.0.push('{');
    }
    pub fn end(&mut self) {
        self.0.push('}');
    }
    /// `"k":`, after a comma unless it is the object's first field.
    #[inline(never)]
    pub fn key(&mut self, k: &str) {
        if !self.0.ends_with('{') {
            self.0.push(',');
        }
        self.str(k);
        self.0.push(':');
    }
    #[inline(never)]
    pub fn str(&mut self, s: &str) {
        self.0.push('"');
        for c in s.chars() {
            match c {
                '"' => self.0.push_str("\\\""),
                '\\' => self.0.push_str("\\\\"),
                '\x08' => self.0.push_str("\\b"),
                '\x0c' => self.0.push_str("\\f"),
                '\n' => self.0.push_str("\\n"),
                '\r' => self.0.push_str("\\r"),
                '\t' => self.0.push_str("\\t"),
                c if (c as u32) < 0x20 => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    self.0.push_str("\\u00");
                    self.0.push(HEX[c as usize >> 4] as char);
                    self.0.push(HEX[c as usize & 15] as char);
                }
                c => self.0.push(c),
            }
        }
        self.0.push('"');
    }
    pub fn f64(&mut self, x: f64) {
        self.float(x)
    }
    pub fn f32(&mut self, x: f32) {
        self.float(x)
    }
    fn float<F: zmij::Float + Into<f64>>(&mut self, x: F) {
        if x.into().is_finite() {
            self.0.push_str(zmij::Buffer::new().format_finite(x));
        } else {
            self.0.push_str("null");
        }
    }
    pub fn uint(&mut self, x: u64) {
        use fmt::Write;
        let _ = write!(self.0, "{x}");
    }
    pub fn bool(&mut self, b: bool) {
        self.0.push_str(if b { "true" } else { "false" });
    }
    pub fn null(&mut self) {
        self.0.push_str("null");
    }
    /// `"k":v` for a number, boolean or string.
    pub fn field(&mut self, k: &str, v: impl Put) {
        self.key(k);
        v.put(self);
    }
    /// `[a,b,...]`, each element by `f`.
    pub fn arr<T: Copy>(&mut self, xs: &[T], mut f: impl FnMut(&mut W, T)) {
        self.0.push('[');
        for (i, &x) in xs.iter().enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            f(self, x);
        }
        self.0.push(']');
    }
}

/// A value `W::field` writes in one piece.
pub trait Put {
    fn put(self, w: &mut W);
}
impl Put for f64 {
    fn put(self, w: &mut W) {
        w.f64(self)
    }
}
impl Put for u64 {
    fn put(self, w: &mut W) {
        w.uint(self)
    }
}
impl Put for bool {
    fn put(self, w: &mut W) {
        w.bool(self)
    }
}
impl Put for &str {
    fn put(self, w: &mut W) {
        w.str(self)
    }
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
    each_dyn(path, j, &mut f)
}

/// `each`, one copy in the wasm.
#[inline(never)]
fn each_dyn(path: &str, j: &J, f: &mut dyn FnMut(&str, &J) -> Res<()>) -> Res<usize> {
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
    fields_dyn(path, j, what, names, deny_unknown, all_needed_in_seq, &mut f)
}

/// `fields`, one copy in the wasm.
#[inline(never)]
fn fields_dyn(path: &str, j: &J, what: &str, names: &[&str], deny_unknown: bool, all_needed_in_seq: bool, f: &mut dyn FnMut(usize, &str, &J) -> Res<()>) -> Res<Vec<bool>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

    /// The reference: serde_json's parser through the one visitor this module used before.
    struct Ref(J);

    impl<'de> Deserialize<'de> for Ref {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ref, D::Error> {
            d.deserialize_any(RefVisitor).map(Ref)
        }
    }

    struct RefVisitor;

    impl<'de> Visitor<'de> for RefVisitor {
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
        fn visit_unit<E>(self) -> Result<J, E> {
            Ok(J::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<J, A::Error> {
            let mut nums = Vec::new();
            let mut items = Vec::new();
            while let Some(Ref(j)) = seq.next_element::<Ref>()? {
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
            while let Some((k, Ref(v))) = map.next_entry::<String, Ref>()? {
                entries.push((k, v));
            }
            Ok(J::Obj(entries))
        }
    }

    /// serde_json's result, with the path computed as `parse` did from serde_json's position.
    fn reference(s: &str) -> Result<J, (String, String)> {
        let de = &mut serde_json::Deserializer::from_str(s);
        Ref::deserialize(de).map(|r| r.0).map_err(|e| {
            let b = s.as_bytes();
            let mut start = 0;
            for _ in 1..e.line() {
                match b[start..].iter().position(|&c| c == b'\n') {
                    Some(i) => start += i + 1,
                    None => break,
                }
            }
            (crate::config::json_path_at(s, start + e.column()), e.to_string())
        })
    }

    /// Equal, floats bit for bit (-0.0 is not 0.0).
    fn same(a: &J, b: &J) -> bool {
        match (a, b) {
            (J::F(x), J::F(y)) => x.to_bits() == y.to_bits(),
            (J::F64s(x), J::F64s(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| x.to_bits() == y.to_bits()),
            (J::Arr(x), J::Arr(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
            (J::Obj(x), J::Obj(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| x.0 == y.0 && same(&x.1, &y.1)),
            _ => a == b,
        }
    }

    fn check(texts: &[String]) {
        let mut differ = Vec::new();
        for t in texts {
            let (new, old) = (parse(t), reference(t));
            let ok = match (&new, &old) {
                (Ok(a), Ok(b)) => same(a, b),
                (Err(a), Err(b)) => a == b,
                _ => false,
            };
            if !ok && differ.len() < 20 {
                let short: String = t.chars().take(80).collect();
                differ.push(format!("{short:?}\n  serde_json: {:?}\n  parse:      {:?}", old.map(|_| ()), new.map(|_| ())));
            }
        }
        assert!(differ.is_empty(), "differ from serde_json:\n{}", differ.join("\n"));
    }

    const TOKENS: &[&str] = &[
        "0", "-0", "01", "-", "-a", "1.", "1.e5", "1e", "1e+", "1e-", "1ea", "1E5", "1e+5", "1e400", "-1e400", "1e-400", "1e99999999999",
        "0e99999999999", "-0.0e99999999999", "1e-99999999999", "-1e-99999999999", "0.000e2147483648", "1e2147483647", "1e2147483646",
        "0.1e2147483647", "1e-2147483648", "18446744073709551615", "18446744073709551616", "-18446744073709551615",
        "-18446744073709551616", "9223372036854775807", "-9223372036854775808", "-9223372036854775809", "123456789012345678901234567890",
        "-1234567890123456789012.5e-3", "18446744073709551615.5", "18446744073709551616.", "184467440737095516160e", "0.1", "-2.5",
        "2.2250738585072011e-308", "4.9e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "1.7976931348623157e308",
        "1.7976931348623158e308", "1.7976931348623159e308", "9007199254740993", "9007199254740993.0", "3.4028235e38", "1.00000017881393432617187499",
        "0.30000000000000004440892098500626161694526672363281250000001", "0.0000000000000000000000000000000000000000000000000000001e56",
        "\"abc\"", "\"a\\u00e9\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"\\ud83dx\"", "\"\\ud83d\\x\"", "\"\\ud83d\\u0041\"", "\"\\ude00\"",
        "\"\\u12\"", "\"\\u12g4\"", "\"\\uABCD\"", "\"\\q\"", "\"a\nb\"", "\"\t\"", "\"é ü €\"", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"unterminated",
        "\"\\", "\"\\u", "\"\\ud83d\\", "\"\\ud83d\\u", "[]", "[1,]", "[1 2]", "[,1]", "[1,,2]", "{}", "{\"a\":1,}", "{\"a\" 1}", "{1:2}",
        "{\"a\":1 \"b\":2}", "[1,2", "{\"a\"", "{\"a\":", "{\"a\":1", "{,}", "{\"a\":1,\"a\":2}", "nul", "nulx", "null", "true", "tru",
        "false", "fals", "[true,fals]", "  \n [1,\n 2,\n x]", "\r\n\t{\"k\"\n:\n[0.5,\n1.5,\"s\",2]}", "[0.5,1,2.5]", "[0.5,2.5]", "[1,0.5]",
        "[[0.5],[1]]", "x", "", " ", "{\"a\":[1,{\"b\":[2,3,{\"c\":}]}]}", "[1]x", "{}}", "\u{feff}1",
    ];

    #[test]
    fn parse_matches_serde_json_on_tokens() {
        let mut texts: Vec<String> = TOKENS.iter().map(|t| t.to_string()).collect();
        for t in TOKENS {
            texts.push(format!("[{t}]"));
            texts.push(format!("{{\"model\":{{\"depth\":{t}}}}}"));
            texts.push(format!("{{\"params\":[0.5,1.5,{t},2.5]}}"));
            texts.push(format!("[\n  0.25,\n  {t}\n]"));
        }
        for depth in [126, 127, 128, 200] {
            texts.push("[".repeat(depth) + &"]".repeat(depth));
            texts.push("{\"a\":".repeat(depth) + "1" + &"}".repeat(depth));
        }
        check(&texts);
    }

    /// Every prefix of real documents (saved state with custom data and a divergence, the
    /// default config), and every byte replaced by each of a few others.
    #[test]
    fn parse_matches_serde_json_on_edited_documents() {
        let mut c = crate::Config::default();
        c.model.depth = 1;
        c.model.width = 2;
        c.model.norm = crate::config::NormKind::Batch;
        c.data.n = 8;
        c.batch_size = 2;
        let mut t = crate::Trainer::new(c).unwrap();
        t.set_data(vec![0.5, -1.25, 3.0, 1e-7, 2.5, 0.0, -0.0, 7.0], vec![0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0], 1).unwrap();
        t.train(3);
        let docs = [t.to_json().unwrap(), {
            let mut w = W::default();
            crate::Config::default().write_json(&mut w);
            w.0
        }];
        let mut texts = Vec::new();
        for d in &docs {
            for i in 0..=d.len() {
                if d.is_char_boundary(i) {
                    texts.push(d[..i].to_string());
                }
            }
            let b = d.as_bytes();
            for i in 0..b.len() {
                for r in [b',', b']', b'}', b'"', b'x', b'1', b'-', b'.', b'e', b'\\', b' ', b'\n', b'{', b'[', b':', b'0', 0x01] {
                    let mut e = b.to_vec();
                    e[i] = r;
                    if let Ok(s) = String::from_utf8(e) {
                        texts.push(s);
                    }
                }
            }
        }
        check(&texts);
    }

    /// Random strings over JSON's alphabet.
    #[test]
    fn parse_matches_serde_json_on_random_text() {
        const ALPHABET: &[&str] = &[
            "[", "]", "{", "}", ",", ":", "\"", "\\", "u", "d83d", "dc00", "0", "1", "9", "-", "+", ".", "e", "E", "n", "null", "true",
            "false", " ", "\n", "\t", "\"k\"", "\"k\":", "123456789012", "é", "\u{1}", "a", "f",
        ];
        let mut rng = crate::rng::Rng::new(0x2545_F491_4F6C_DD1D);
        let mut next = move || rng.next_u64();
        let mut texts = Vec::new();
        for _ in 0..30000 {
            let n = 1 + next() % 24;
            let t: String = (0..n).map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize]).collect();
            texts.push(t);
        }
        check(&texts);
    }

    /// Floats written by `W` read back bit for bit.
    #[test]
    fn floats_round_trip() {
        let mut rng = crate::rng::Rng::new(0x9E37_79B9_7F4A_7C15);
        for _ in 0..100000 {
            let s = rng.next_u64();
            for x in [f64::from_bits(s), f32::from_bits(s as u32) as f64] {
                let mut w = W::default();
                w.f64(x);
                match parse(&w.0).unwrap() {
                    J::F(y) => assert_eq!(x.to_bits(), y.to_bits(), "{x:e}"),
                    J::Null => assert!(!x.is_finite()),
                    j => panic!("{x:e}: {j:?}"),
                }
            }
            let x = f32::from_bits(s as u32);
            let mut w = W::default();
            w.f32(x);
            match parse(&w.0).unwrap() {
                J::F(y) => assert_eq!(x.to_bits(), (y as f32).to_bits(), "{x:e}"),
                J::Null => assert!(!x.is_finite()),
                j => panic!("{x:e}: {j:?}"),
            }
        }
    }
}
