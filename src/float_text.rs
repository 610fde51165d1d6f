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

/// The f64 nearest to the decimal `int.frac x 10^exp` (ASCII digits; ties to even; infinity
/// beyond f64::MAX), as `str::parse::<f64>` gives it, without core's table of 651 128-bit
/// powers of five (10 KB of wasm): exact in f64 arithmetic where that is exact (Clinger's fast
/// path: at most 2^53 and 10^0..10^22), else exactly with a small big integer.
pub fn decimal_to_f64(int: &[u8], frac: &[u8], exp: i64) -> f64 {
    // The significant digits: no leading or trailing zeros; value = D x 10^e.
    let mut ds: Vec<u8> = int.iter().chain(frac).map(|c| c - b'0').skip_while(|&d| d == 0).collect();
    let mut e = exp.saturating_sub(frac.len() as i64);
    while ds.last() == Some(&0) {
        ds.pop();
        e += 1;
    }
    let nd = ds.len() as i64;
    if nd == 0 || nd + e < -324 {
        return 0.0; // below 10^-325: under half the smallest subnormal
    }
    if nd - 1 + e > 309 {
        return f64::INFINITY;
    }
    // 800 digits decide the rounding (a halfway point has at most 767): a nonzero digit past
    // them only counts as being there.
    if ds.len() > 800 {
        let rest_nonzero = ds[800..].iter().any(|&d| d != 0);
        e += ds.len() as i64 - 800;
        ds.truncate(800);
        if rest_nonzero {
            ds.push(1);
            e -= 1;
        }
    }
    if ds.len() <= 15 && e.abs() <= 22 {
        let d = ds.iter().fold(0u64, |a, &c| a * 10 + c as u64) as f64;
        let p = 10f64.powi(e.abs() as i32); // exact up to 10^22
        return if e < 0 { d / p } else { d * p };
    }
    // Up to 19 digits: exactly in u128 where 10^e or 5^-e allow it.
    if ds.len() <= 19 {
        let d = ds.iter().fold(0u64, |a, &c| a * 10 + c as u64);
        if e >= 0 {
            if let Some(v) = (0..e).try_fold(d as u128, |a, _| a.checked_mul(10)) {
                return round(v, 0, false);
            }
        } else if e >= -27 {
            // d / (5^k 2^k) with d moved to the top of 64 bits: a quotient of 65 bits or more.
            let k = -e;
            let five = 5u128.pow(k as u32);
            let z = d.leading_zeros();
            let num = ((d << z) as u128) << 64;
            return round(num / five, -64 - z as i64 - k, num % five != 0);
        }
    }
    let mut n = Big(vec![0]);
    for &d in &ds {
        n.mul_add(10, d as u32);
    }
    // value = q x 2^e2, q truncated to at most 120 bits, `sticky` for what was cut off.
    let (q, e2, sticky) = if e >= 0 {
        for _ in 0..e {
            n.mul_add(10, 0);
        }
        n.top(false, 0)
    } else {
        // value = n / (5^k 2^k): divide n 2^t by 5^k to 66 or more quotient bits.
        let k = -e;
        let mut b = Big(vec![1]);
        for _ in 0..k {
            b.mul_add(5, 0);
        }
        let t = (66 + b.bits() as i64 - n.bits() as i64).max(0);
        n.shl(t as usize);
        let (quot, rem) = n.div(&b);
        quot.top(rem, -t - k)
    };
    round(q, e2, sticky)
}

/// The f64 nearest to (q + s) 2^e2, 0 < s < 1 if `sticky` else s = 0.
fn round(q: u128, e2: i64, sticky: bool) -> f64 {
    // At least 64 bits (exactly), so there is always a bit to round at.
    let z = q.leading_zeros().saturating_sub(64);
    let (q, e2) = (q << z, e2 - z as i64);
    let len = 128 - q.leading_zeros() as i64;
    let top = e2 + len - 1; // 2^top <= value < 2^(top + 1)
    if top > 1023 {
        return f64::INFINITY;
    }
    // Mantissa bits: 53, fewer for subnormals (unit 2^-1074).
    let bits = 53 - (-1022 - top).max(0);
    if bits < 0 {
        return 0.0;
    }
    let drop = (len - bits) as u32; // >= 1: q has at least 54 bits here
    let mut keep = q >> drop;
    let rem = q - (keep << drop);
    let half = 1u128 << (drop - 1);
    if rem > half || (rem == half && (sticky || keep & 1 == 1)) {
        keep += 1;
    }
    if top < -1022 {
        // keep x 2^-1074; a carry to 2^52 is the smallest normal, same bits.
        return f64::from_bits(keep as u64);
    }
    let (keep, top) = if keep >> 53 != 0 { (keep >> 1, top + 1) } else { (keep, top) };
    if top > 1023 {
        return f64::INFINITY;
    }
    f64::from_bits((((top + 1023) as u64) << 52) | (keep as u64 & ((1 << 52) - 1)))
}

/// An unsigned big integer, little-endian 32-bit limbs.
struct Big(Vec<u32>);

impl Big {
    /// self = self x m + a.
    fn mul_add(&mut self, m: u32, a: u32) {
        let mut carry = a as u64;
        for x in self.0.iter_mut() {
            let t = *x as u64 * m as u64 + carry;
            *x = t as u32;
            carry = t >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
    }

    fn bits(&self) -> usize {
        match self.0.iter().rposition(|&x| x != 0) {
            Some(i) => 32 * i + 32 - self.0[i].leading_zeros() as usize,
            None => 0,
        }
    }

    fn bit(&self, i: usize) -> bool {
        self.0.get(i / 32).is_some_and(|&x| x >> (i % 32) & 1 == 1)
    }

    fn shl(&mut self, n: usize) {
        let (limbs, b) = (n / 32, n % 32);
        let mut out = vec![0u32; self.0.len() + limbs + 1];
        for (i, &x) in self.0.iter().enumerate() {
            let wide = (x as u64) << b;
            out[i + limbs] |= wide as u32;
            out[i + limbs + 1] |= (wide >> 32) as u32;
        }
        self.0 = out;
    }

    /// (self / d, whether the remainder is nonzero), by shifting and subtracting; self >= d > 0.
    fn div(mut self, d: &Big) -> (Big, bool) {
        let n = self.bits() - d.bits();
        let mut d = Big(d.0.clone());
        d.shl(n);
        d.0.resize(self.0.len().max(d.0.len()), 0);
        self.0.resize(d.0.len(), 0);
        let mut q = Big(vec![0; n / 32 + 1]);
        for i in (0..=n).rev() {
            if self.0.iter().rev().cmp(d.0.iter().rev()) != std::cmp::Ordering::Less {
                let mut borrow = 0i64;
                for (x, &y) in self.0.iter_mut().zip(&d.0) {
                    let t = *x as i64 - y as i64 - borrow;
                    *x = t as u32;
                    borrow = (t < 0) as i64;
                }
                q.0[i / 32] |= 1 << (i % 32);
            }
            // d >>= 1
            let mut carry = 0;
            for x in d.0.iter_mut().rev() {
                let next = *x & 1;
                *x = (*x >> 1) | (carry << 31);
                carry = next;
            }
        }
        let rem = self.0.iter().any(|&x| x != 0);
        (q, rem)
    }

    /// The top 120 bits (all if fewer) as (q, e2, sticky): self x 2^scale = (q + s) 2^e2.
    fn top(&self, sticky: bool, scale: i64) -> (u128, i64, bool) {
        let len = self.bits();
        let cut = len.saturating_sub(120);
        let q = (cut..len).rev().fold(0u128, |a, i| a << 1 | self.bit(i) as u128);
        (q, scale + cut as i64, sticky || (0..cut).any(|i| self.bit(i)))
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
        let mut rng = crate::rng::Rng::new(0x9E37_79B9_7F4A_7C15);
        for _ in 0..50000 {
            let s = rng.next_u64();
            check64(f64::from_bits(s));
            check32(f32::from_bits(s as u32));
            // numbers of ordinary magnitude
            let x = (s >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi((s % 41) as i32 - 20);
            check64(x);
            check32(x as f32);
        }
    }

    fn check_parse(text: &str) {
        let want: f64 = text.parse().unwrap();
        let (mant, exp) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], text[i + 1..].parse::<i64>().unwrap()),
            None => (text, 0),
        };
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        let got = decimal_to_f64(int.as_bytes(), frac.as_bytes(), exp);
        assert_eq!(got.to_bits(), want.to_bits(), "{text}: {got:e} vs std {want:e}");
    }

    /// The exact decimal digits of f64 values and of the points halfway between neighbours.
    fn exact(x: f64) -> String {
        format!("{x:.1100e}")
    }

    /// (a + b) / 2 of two decimals `d.ddd...e±x` with the same exponent and number of digits.
    fn halfway(a: &str, b: &str) -> String {
        let (ma, ea) = a.split_once('e').unwrap();
        let (mb, eb) = b.split_once('e').unwrap();
        let (da, db): (Vec<u8>, Vec<u8>) = (ma.bytes().filter(|c| *c != b'.').collect(), mb.bytes().filter(|c| *c != b'.').collect());
        let mut e: i64 = ea.parse().unwrap();
        let (da, db) = if ea == eb {
            (da, db)
        } else {
            // b is a power of ten above: write a with one more leading digit
            assert_eq!(eb.parse::<i64>().unwrap(), e + 1);
            e += 1;
            let mut a2 = vec![b'0'];
            a2.extend(&da[..da.len() - 1]);
            assert_eq!(da[da.len() - 1], b'0');
            (a2, db)
        };
        // sum, then halve (sum x 5, one more digit)
        let mut sum = vec![0u32; da.len() + 1];
        let mut carry = 0;
        for i in (0..da.len()).rev() {
            let t = (da[i] - b'0') as u32 + (db[i] - b'0') as u32 + carry;
            sum[i + 1] = t % 10;
            carry = t / 10;
        }
        sum[0] = carry;
        let mut out = vec![0u32; sum.len() + 1];
        let mut carry = 0;
        for i in (0..sum.len()).rev() {
            let t = sum[i] * 5 + carry;
            out[i + 1] = t % 10;
            carry = t / 10;
        }
        out[0] = carry;
        // out = (a + b) x 5 with the point after digit 2 (two leading places); e shifts by 1 for the /10
        let digits: String = out.iter().map(|&d| char::from(b'0' + d as u8)).collect();
        format!("{}.{}e{}", &digits[..2], &digits[2..], e)
    }

    #[test]
    fn decimal_to_f64_matches_std() {
        for t in [
            "0", "0.0", "1", "1.5", "0.1", "123456789012345678901234567890", "1e308", "1.7976931348623157e308", "1.7976931348623158e308",
            "1.7976931348623159e308", "2e308", "4.9e-324", "5e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "2.47e-324",
            "1e-324", "3e-324", "2.2250738585072011e-308", "2.2250738585072014e-308", "2.225073858507201e-308", "9007199254740993",
            "9007199254740992.5", "9007199254740993.0000000000000000000001", "1e22", "1e23", "8.98846567431158e307", "1e-400", "1e400",
            "0.000000000000000000000000000000000000000000001", "3.4028235e38", "1.4e-45", "1.1754943e-38", "123.456e-30", "7e-10",
        ] {
            check_parse(t);
        }
        let mut rng = crate::rng::Rng::new(0x9E37_79B9_7F4A_7C15);
        let mut next = move || rng.next_u64();
        for i in 0..100000 {
            let bits = next();
            let x = f64::from_bits(bits >> 1); // positive
            let y = f32::from_bits((bits >> 33) as u32);
            if x.is_finite() {
                check_parse(zmij::Buffer::new().format_finite(x));
            }
            if y.is_finite() {
                check_parse(zmij::Buffer::new().format_finite(y));
            }
            // random digits, point and exponent
            let nd = 1 + next() % if i % 10 == 0 { 120 } else { 25 };
            let mut t: String = (0..nd).map(|_| (b'0' + (next() % 10) as u8) as char).collect();
            let point = (next() % (nd + 1)) as usize;
            t.insert(point, '.');
            if t.starts_with('.') {
                t.insert(0, '0');
            }
            if t.ends_with('.') {
                t.push('0');
            }
            let e = (next() % 760) as i64 - 380;
            check_parse(&format!("{t}e{e}"));
            if i % 10 == 0 {
                // Halfway between x and its neighbour above, exactly, and just above and below.
                let x = f64::from_bits((bits >> 2) | (next() % 2) << 62);
                let up = f64::from_bits(x.to_bits() + 1);
                if up.is_finite() {
                    let mid = halfway(&exact(x), &exact(up));
                    check_parse(&mid);
                    let (m, e) = mid.split_once('e').unwrap();
                    check_parse(&format!("{m}1e{e}"));
                    let last = m.trim_end_matches('0');
                    let below = format!("{}{}e{e}", &last[..last.len() - 1], (last.as_bytes()[last.len() - 1] - 1) as char);
                    check_parse(&below);
                }
            }
        }
    }
}

