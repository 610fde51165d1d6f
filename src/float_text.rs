//! Floats as text, laid out exactly as std's `{}`, `{:?}` and `{:e}` lay them out, with the
//! shortest round-trip digits from zmij (serde_json's own float printer). Messages format
//! their floats through these so the wasm does not link core's float formatting (flt2dec's
//! Grisu and Dragon, bignums: about 20 KB).

use std::fmt;

/// `{}` of an f64 or f32: plain decimal, no exponent (`0.003`, `2`, `-0`, `NaN`, `inf`).
pub struct Disp<F>(pub F);
/// `{:?}`: decimal with at least one fractional digit (`2.0`), exponent form below 1e-4 and
/// from 1e16 on (`1e-5`, `1e16`).
pub struct Dbg<F>(pub F);
/// `{:e}`: `1e300`, `1.5e-7`, `0e0`.
pub struct Exp<F>(pub F);


/// An f32 or f64.
pub trait Float: zmij::Float + Copy + Into<f64> {
    /// `{:?}`'s bounds of the decimal form, 1e-4 and 1e16 in this type.
    const SMALL: f64;
    const BIG: f64;
}
impl Float for f32 {
    const SMALL: f64 = 1e-4f32 as f64;
    const BIG: f64 = 1e16f32 as f64;
}
impl Float for f64 {
    const SMALL: f64 = 1e-4;
    const BIG: f64 = 1e16;
}

/// The shortest digits of `|x|` (no leading or trailing zeros; empty for zero) and the
/// decimal point position `e`: |x| = 0.d1d2... x 10^e.
struct Digits {
    buf: [u8; 24],
    len: usize,
    e: i32,
}

impl Digits {
    fn of<F: Float>(x: F) -> Digits {
        let mut zb = zmij::Buffer::new();
        let s = zb.format_finite(x).as_bytes();
        let s = s.strip_prefix(b"-").unwrap_or(s);
        let (mant, exp) = match s.iter().position(|&c| c == b'e' || c == b'E') {
            Some(i) => (&s[..i], &s[i + 1..]),
            None => (s, &b""[..]),
        };
        let mut exp10 = 0i32;
        let (neg_exp, exp) = match exp.first() {
            Some(b'-') => (true, &exp[1..]),
            Some(b'+') => (false, &exp[1..]),
            _ => (false, exp),
        };
        for &c in exp {
            exp10 = exp10 * 10 + (c - b'0') as i32;
        }
        if neg_exp {
            exp10 = -exp10;
        }
        let mut d = Digits { buf: [0; 24], len: 0, e: exp10 };
        let mut seen_point = false;
        for &c in mant {
            if c == b'.' {
                seen_point = true;
                continue;
            }
            if !seen_point {
                d.e += 1;
            }
            if d.len == 0 && c == b'0' {
                d.e -= 1; // a leading zero
                continue;
            }
            if d.len < d.buf.len() {
                d.buf[d.len] = c;
                d.len += 1;
            }
        }
        while d.len > 0 && d.buf[d.len - 1] == b'0' {
            d.len -= 1;
        }
        if d.len > 0 && is_tie_above(x.into().abs(), &d.buf[..d.len], d.e - d.len as i32) {
            d.round_up();
        }
        d
    }

    /// Adds one unit in the last digit.
    fn round_up(&mut self) {
        let mut i = self.len;
        while i > 0 {
            i -= 1;
            if self.buf[i] == b'9' {
                self.buf[i] = b'0';
                self.len = i; // trailing zero dropped
            } else {
                self.buf[i] += 1;
                return;
            }
        }
        // 99..9 + 1 = 1 followed by zeros.
        self.buf[0] = b'1';
        self.len = 1;
        self.e += 1;
    }

    fn digits(&self) -> &str {
        // ASCII digits only.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }

    /// Plain decimal; `min_frac` fractional digits at least (0 or 1).
    fn decimal(&self, f: &mut fmt::Formatter<'_>, min_frac: usize) -> fmt::Result {
        let ds = self.digits();
        if ds.is_empty() {
            return f.write_str(if min_frac > 0 { "0.0" } else { "0" });
        }
        if self.e <= 0 {
            f.write_str("0.")?;
            zeros(f, (-self.e) as usize)?;
            f.write_str(ds)
        } else if self.e as usize >= ds.len() {
            f.write_str(ds)?;
            zeros(f, self.e as usize - ds.len())?;
            if min_frac > 0 {
                f.write_str(".0")?;
            }
            Ok(())
        } else {
            let (a, b) = ds.split_at(self.e as usize);
            f.write_str(a)?;
            f.write_str(".")?;
            f.write_str(b)
        }
    }

    fn exponential(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ds = self.digits();
        if ds.is_empty() {
            return f.write_str("0e0");
        }
        f.write_str(&ds[..1])?;
        if ds.len() > 1 {
            f.write_str(".")?;
            f.write_str(&ds[1..])?;
        }
        f.write_str("e")?;
        fmt::Display::fmt(&(self.e - 1), f)
    }
}

/// Whether `x` lies exactly halfway between the digits `ds` (an integer D, unit 10^p) and the
/// next integer: x = (D + 1/2) 10^p. zmij breaks such ties to the even digit; std's shortest
/// digits round them up.
fn is_tie_above(x: f64, ds: &[u8], p: i32) -> bool {
    if ds.len() > 18 {
        return false;
    }
    let d: u128 = ds.iter().fold(0, |a, &c| a * 10 + (c - b'0') as u128);
    let odd = 2 * d + 1;
    // x = m 2^k with m odd.
    let bits = x.to_bits();
    let (exp, frac) = ((bits >> 52) as i32 & 0x7ff, bits & ((1u64 << 52) - 1));
    let (mut m, mut k) = if exp == 0 { (frac, -1074) } else { (frac | (1u64 << 52), exp - 1075) };
    if m == 0 {
        return false;
    }
    let tz = m.trailing_zeros();
    m >>= tz;
    k += tz as i32;
    let q = p.unsigned_abs();
    if q > 27 {
        return false; // 5^q alone is beyond any D or m
    }
    let pow5 = 5u128.pow(q);
    if p >= 0 {
        // 2 m 2^k = (2D + 1) 5^p 2^p
        m as u128 == odd * pow5 && k + 1 == p
    } else {
        // 2 m 2^k 5^q 2^q = 2D + 1
        m as u128 * pow5 == odd && k + 1 + q as i32 == 0
    }
}

fn zeros(f: &mut fmt::Formatter<'_>, n: usize) -> fmt::Result {
    for _ in 0..n {
        f.write_str("0")?;
    }
    Ok(())
}

/// Writes NaN, inf or the sign; `true` when that was all.
fn special(f: &mut fmt::Formatter<'_>, x: f64) -> std::result::Result<bool, fmt::Error> {
    if x.is_nan() {
        f.write_str("NaN")?;
        return Ok(true);
    }
    if x.is_sign_negative() {
        f.write_str("-")?;
    }
    if x.is_infinite() {
        f.write_str("inf")?;
        return Ok(true);
    }
    Ok(false)
}

impl<F: Float> fmt::Display for Disp<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if special(f, self.0.into())? {
            return Ok(());
        }
        Digits::of(self.0).decimal(f, 0)
    }
}

impl<F: Float> fmt::Display for Dbg<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x: f64 = self.0.into();
        if special(f, x)? {
            return Ok(());
        }
        let d = Digits::of(self.0);
        let a = x.abs();
        if a != 0.0 && (a < F::SMALL || a >= F::BIG) {
            d.exponential(f)
        } else {
            d.decimal(f, 1)
        }
    }
}

impl<F: Float> fmt::Display for Exp<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if special(f, self.0.into())? {
            return Ok(());
        }
        Digits::of(self.0).exponential(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check64(x: f64) {
        assert_eq!(Disp(x).to_string(), format!("{x}"), "Display {x:e}");
        assert_eq!(Dbg(x).to_string(), format!("{x:?}"), "Debug {x:e}");
        assert_eq!(Exp(x).to_string(), format!("{x:e}"), "LowerExp {x:e}");
    }
    fn check32(x: f32) {
        assert_eq!(Disp(x).to_string(), format!("{x}"), "Display {x:e}");
        assert_eq!(Dbg(x).to_string(), format!("{x:?}"), "Debug {x:e}");
        assert_eq!(Exp(x).to_string(), format!("{x:e}"), "LowerExp {x:e}");
    }

    #[test]
    fn matches_std() {
        let fixed = [
            0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 0.003, 1e-8, 0.9999, 0.999999, 1e6, 1e300, -1e-300, f64::INFINITY, -f64::INFINITY,
            f64::NAN, f64::MAX, -f64::MAX, f64::MIN_POSITIVE, 5e-324, 1e-4, 9.999999999999999e-5, 1e16, 9999999999999998.0,
            1e15, 123456.789, 0.1, 0.2 + 0.1, 1.5, 1e21, 1e22, 1e23, 4294967296.0, 9007199254740993.0, 100.0, 1e-7, 10.0001,
        ];
        for x in fixed {
            check64(x);
            check32(x as f32);
        }
        // Random bit patterns.
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..50000 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            check64(f64::from_bits(s));
            check32(f32::from_bits(s as u32));
            // numbers of ordinary magnitude
            let x = (s >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi((s % 41) as i32 - 20);
            check64(x);
            check32(x as f32);
        }
    }
}
