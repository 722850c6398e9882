//! Moving averages: simple, exponential and linearly weighted.

use super::skip_leading_nan;

/// Simple moving average over `period` values, bit-for-bit as pandas' `rolling(period).mean()`:
/// a running Kahan-compensated sum (separate compensation for values entering and leaving
/// the window), and the exact value when the window holds one repeated value.
///
/// `sma[t] = (x[t-period+1] + … + x[t]) / period`; it agrees with TA-Lib `SMA` to rounding.
/// NaN inputs are skipped like pandas does: the value is defined once the window holds
/// `period` non-NaN values.
pub fn sma(values: &[f64], period: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; values.len()];
    if period == 0 {
        return out;
    }
    let mut window = RollingSum::default();
    for (i, &v) in values.iter().enumerate() {
        if i >= period {
            window.remove(values[i - period]);
        }
        window.add(v);
        if window.count >= period {
            out[i] = window.mean();
        }
    }
    out
}

/// pandas' rolling-mean accumulator (`add_mean` / `remove_mean` / `calc_mean`).
#[derive(Debug, Default)]
struct RollingSum {
    count: usize,
    negatives: usize,
    sum: f64,
    add_compensation: f64,
    remove_compensation: f64,
    same_value_run: usize,
    last_added: Option<f64>,
}

impl RollingSum {
    fn add(&mut self, v: f64) {
        if v.is_nan() {
            return;
        }
        self.count += 1;
        let y = v - self.add_compensation;
        let t = self.sum + y;
        self.add_compensation = t - self.sum - y;
        self.sum = t;
        if v.is_sign_negative() {
            self.negatives += 1;
        }
        self.same_value_run = if self.last_added == Some(v) {
            self.same_value_run + 1
        } else {
            1
        };
        self.last_added = Some(v);
    }

    fn remove(&mut self, v: f64) {
        if v.is_nan() {
            return;
        }
        self.count -= 1;
        let y = -v - self.remove_compensation;
        let t = self.sum + y;
        self.remove_compensation = t - self.sum - y;
        self.sum = t;
        if v.is_sign_negative() {
            self.negatives -= 1;
        }
    }

    fn mean(&self) -> f64 {
        let mean = self.sum / self.count as f64;
        match self.last_added {
            Some(v) if self.same_value_run >= self.count => v,
            _ if self.negatives == 0 && mean < 0.0 => 0.0,
            _ if self.negatives == self.count && mean > 0.0 => 0.0,
            _ => mean,
        }
    }
}

/// Exponential moving average, as TA-Lib `EMA` (default compatibility): the first value, at
/// bar `period-1`, is the simple average of the first `period` values; after that
/// `ema[t] = (x[t] - ema[t-1])·k + ema[t-1]` with `k = 2 / (period + 1)`.
///
/// Leading NaNs are skipped (the average starts at the first non-NaN value), as TA-Lib's
/// Python wrapper does. All NaN when `period` is 0 or longer than the data.
pub fn ema(values: &[f64], period: usize) -> Vec<f64> {
    skip_leading_nan(values, |x, out| ema_into(x, period, out))
}

/// TA-Lib's EMA of `x` (no leading NaN) into `out` (same length, pre-filled with NaN).
pub(super) fn ema_into(x: &[f64], period: usize, out: &mut [f64]) {
    if period == 0 || x.len() < period {
        return;
    }
    let k = 2.0 / (period + 1) as f64;
    let mut prev = x[..period].iter().fold(0.0, |sum, &v| sum + v) / period as f64;
    out[period - 1] = prev;
    for (o, &v) in out[period..].iter_mut().zip(&x[period..]) {
        prev = (v - prev) * k + prev;
        *o = prev;
    }
}

/// Linearly weighted moving average, as TA-Lib `WMA`: the newest value weighs `period`, the
/// oldest 1, `wma[t] = Σ_{j=1..period} j·x[t-period+j] / (period·(period+1)/2)`.
///
/// Updated with TA-Lib's running sums (the weighted sum loses the plain window sum at each
/// step), which are rebuilt from the window every `4·period` bars so that rounding cannot
/// drift over a long series, and on each bar after a NaN.
///
/// Leading NaNs are skipped, as TA-Lib's Python wrapper does. All NaN when `period` is 0 or
/// longer than the data.
pub fn wma(values: &[f64], period: usize) -> Vec<f64> {
    skip_leading_nan(values, |x, out| {
        if period == 0 || x.len() < period {
            return;
        }
        if period == 1 {
            out.copy_from_slice(x);
            return;
        }
        let divider = (period * (period + 1) / 2) as f64;
        let weight = period as f64;
        // Before bar t: plain = Σ x[t-period..t] and weighted = Σ_{j=1..period-1} j·x[t-period+j],
        // with x[-1] = 0 before the first bar.
        let weigh = |window: &[f64]| {
            window
                .iter()
                .zip(1..)
                .fold(0.0, |sum, (&v, j)| sum + v * f64::from(j))
        };
        let mut plain = x[..period - 1].iter().fold(0.0, |sum, &v| sum + v);
        let mut weighted = weigh(&x[..period - 1]);
        let mut trailing = 0.0;
        let mut until_rebuild = 4 * period;
        for t in period - 1..x.len() {
            if t >= period && (until_rebuild == 0 || weighted.is_nan()) {
                until_rebuild = 4 * period;
                plain = x[t - period..t].iter().fold(0.0, |sum, &v| sum + v);
                weighted = weigh(&x[t + 1 - period..t]);
            }
            until_rebuild -= 1;
            let v = x[t];
            plain += v;
            plain -= trailing;
            weighted += v * weight;
            trailing = x[t + 1 - period];
            out[t] = weighted / divider;
            weighted -= plain;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sma_of_known_values() {
        let s = sma(&[1.0, 2.0, 3.0, 4.0, 5.0], 3);
        assert!(s[0].is_nan() && s[1].is_nan());
        assert_eq!(&s[2..], &[2.0, 3.0, 4.0]);
    }

    #[test]
    fn sma_of_a_constant_is_exact() {
        let s = sma(&[0.1; 50], 7);
        assert!(s[6..].iter().all(|&v| v == 0.1));
    }

    #[test]
    fn sma_longer_than_data_is_undefined() {
        assert!(sma(&[1.0, 2.0], 3).iter().all(|v| v.is_nan()));
    }

    #[test]
    fn ema_is_seeded_with_the_simple_average() {
        // Seed (1+2+3)/3 = 2, then k = 0.5: (4-2)/2+2 = 3, (5-3)/2+3 = 4.
        let e = ema(&[1.0, 2.0, 3.0, 4.0, 5.0], 3);
        assert!(e[0].is_nan() && e[1].is_nan());
        assert_eq!(&e[2..], &[2.0, 3.0, 4.0]);
    }

    #[test]
    fn ema_skips_leading_nans() {
        let e = ema(&[f64::NAN, f64::NAN, 1.0, 2.0, 3.0, 4.0, 5.0], 3);
        assert!(e[..4].iter().all(|v| v.is_nan()));
        assert_eq!(&e[4..], &[2.0, 3.0, 4.0]);
    }

    #[test]
    fn ema_of_period_one_is_the_input() {
        assert_eq!(ema(&[3.0, 1.0, 2.0], 1), vec![3.0, 1.0, 2.0]);
    }

    #[test]
    fn wma_weighs_recent_values_more() {
        // (1·1 + 2·2 + 3·3)/6 and (1·2 + 2·3 + 3·4)/6.
        let w = wma(&[1.0, 2.0, 3.0, 4.0], 3);
        assert!(w[0].is_nan() && w[1].is_nan());
        assert_eq!(&w[2..], &[14.0 / 6.0, 20.0 / 6.0]);
        assert_eq!(wma(&[3.0, 1.0, 2.0], 1), vec![3.0, 1.0, 2.0]);
    }
}
