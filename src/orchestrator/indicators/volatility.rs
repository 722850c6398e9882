//! Dispersion: Bollinger bands, average true range, standard deviation, volatility of
//! log returns and z-score.

use super::{first_valid, first_valid_all, skip_leading_nan};

/// Calls `emit(t, mean, variance)` for each full window `x[t+1-period..=t]`, with the
/// population variance (divided by `period`).
///
/// O(1) per bar and free of the cancellation of `E[x²] - E[x]²` on prices (within ~1e-15 of
/// the exact variance on GOOG, where TA-Lib 0.8.1's STDDEV is up to 2.4e-12 off): the running sums hold
/// deviations from a shift taken from the window, and are rebuilt from the window against a
/// fresh shift (its newest value) every `4·period` bars, and sooner when their rounding error
/// could show: when the variance falls below 1e-6 of the mean squared deviation (stale shift),
/// when the sum of squared deviations falls below 1e-3 of its peak since the last rebuild
/// (volatility collapse, an outlier leaving), or while the window holds a NaN (NaN out, and
/// exact values again once the NaN has left). A window of identical values has variance
/// exactly 0.
fn rolling_moments(x: &[f64], period: usize, mut emit: impl FnMut(usize, f64, f64)) {
    if period == 0 || x.len() < period {
        return;
    }
    let inv = 1.0 / period as f64;
    let mut shift = x[period - 1];
    let (mut s1, mut s2) = (0.0, 0.0);
    for &v in &x[..period - 1] {
        let d = v - shift;
        s1 += d;
        s2 += d * d;
    }
    let mut peak = 0.0;
    let mut since_rebuild = 0;
    for t in period - 1..x.len() {
        let d = x[t] - shift;
        s1 += d;
        s2 += d * d;
        if s2 > peak {
            peak = s2;
        }
        let mut mean = s1 * inv;
        let mut var = s2 * inv - mean * mean;
        since_rebuild += 1;
        let accurate = var >= 1e-6 * (s2 * inv) && s2 >= 1e-3 * peak;
        if !accurate || since_rebuild >= 4 * period {
            since_rebuild = 0;
            shift = x[t];
            (s1, s2) = (0.0, 0.0);
            for &v in &x[t + 1 - period..=t] {
                let d = v - shift;
                s1 += d;
                s2 += d * d;
            }
            peak = s2;
            mean = s1 * inv;
            var = s2 * inv - mean * mean;
            if var < 1e-12 * (s2 * inv) {
                var = 0.0;
            }
        }
        emit(t, shift + mean, var);
        let d = x[t + 1 - period] - shift;
        s1 -= d;
        s2 -= d * d;
    }
}

/// Standard deviation over `period` values, as TA-Lib `STDDEV` with `nbdev = 1`: the
/// population deviation `sqrt(Σ (x - mean)² / period)` of the window ending at each bar.
///
/// Leading NaNs are skipped, as TA-Lib's Python wrapper does. All NaN when `period` is 0 or
/// longer than the data.
pub fn stddev(values: &[f64], period: usize) -> Vec<f64> {
    skip_leading_nan(values, |x, out| {
        rolling_moments(x, period, |t, _, var| out[t] = var.sqrt())
    })
}

/// Bollinger bands; see [`bollinger`].
#[derive(Debug, Clone)]
pub struct Bollinger {
    pub upper: Vec<f64>,
    pub middle: Vec<f64>,
    pub lower: Vec<f64>,
}

/// Bollinger bands, as TA-Lib `BBANDS` with a simple moving average (matype 0):
/// `middle = SMA(x, period)`, `upper = middle + k_up·σ`, `lower = middle - k_down·σ`, with σ
/// the population standard deviation of the same window ([`stddev`]). The usual setting is
/// 20, 2, 2.
///
/// Leading NaNs are skipped, as TA-Lib's Python wrapper does. All NaN when `period` is 0 or
/// longer than the data.
pub fn bollinger(values: &[f64], period: usize, k_up: f64, k_down: f64) -> Bollinger {
    let len = values.len();
    let mut b = Bollinger {
        upper: vec![f64::NAN; len],
        middle: vec![f64::NAN; len],
        lower: vec![f64::NAN; len],
    };
    let start = first_valid(values);
    rolling_moments(&values[start..], period, |t, mean, var| {
        let sd = var.sqrt();
        b.upper[start + t] = mean + sd * k_up;
        b.middle[start + t] = mean;
        b.lower[start + t] = mean - sd * k_down;
    });
    b
}

/// Z-score of each value against its trailing window: `(x[t] - SMA(x, period)[t]) /
/// STDDEV(x, period)[t]` (population deviation, as [`stddev`]); NaN where the deviation is 0.
/// No single TA-Lib function; it agrees with TA-Lib `SMA` and `STDDEV` combined.
///
/// Leading NaNs are skipped. All NaN when `period` is 0 or longer than the data.
pub fn zscore(values: &[f64], period: usize) -> Vec<f64> {
    skip_leading_nan(values, |x, out| {
        rolling_moments(x, period, |t, mean, var| {
            if var > 0.0 {
                out[t] = (x[t] - mean) / var.sqrt();
            }
        })
    })
}

/// Rolling volatility: the sample standard deviation (divided by `period - 1`) of the last
/// `period` log returns `r[t] = ln(x[t] / x[t-1])`, in units of the bar (per bar, not
/// annualised: multiply by √252 for daily bars). Same as pandas'
/// `np.log(x).diff().rolling(period).std()`; no TA-Lib counterpart.
///
/// The first value is at bar `period` (it needs `period + 1` prices). Prices must be
/// positive. Leading NaNs are skipped. All NaN when `period` < 2 or the data is too short.
pub fn volatility(values: &[f64], period: usize) -> Vec<f64> {
    skip_leading_nan(values, |x, out| {
        if period < 2 || x.len() <= period {
            return;
        }
        let returns: Vec<f64> = x.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
        let bessel = period as f64 / (period - 1) as f64;
        rolling_moments(&returns, period, |t, _, var| {
            out[t + 1] = (var * bessel).sqrt()
        });
    })
}

/// Average true range with Wilder's smoothing, as TA-Lib `ATR` (no unstable period).
///
/// True range `TR[t] = max(high[t] - low[t], |close[t-1] - high[t]|, |close[t-1] - low[t]|)`
/// from bar 1; the first ATR, at bar `period`, is the mean of `TR[1..=period]`, then
/// `atr[t] = (atr[t-1]·(period-1) + TR[t]) / period`. With `period == 1` it is the true range.
///
/// Leading bars where any input is NaN are skipped, as TA-Lib's Python wrapper does. The
/// output has the length of `close`; bars beyond a shorter `high` or `low` are NaN. All NaN
/// when `period` is 0 or the data has no more than `period` bars.
pub fn atr(high: &[f64], low: &[f64], close: &[f64], period: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; close.len()];
    let end = close.len().min(high.len()).min(low.len());
    let start = first_valid_all(&[&high[..end], &low[..end], &close[..end]]);
    if period == 0 || end - start <= period {
        return out;
    }
    let true_range = |t: usize| {
        let (h, l, prev) = (high[t], low[t], close[t - 1]);
        let mut greatest = h - l;
        let up = (prev - h).abs();
        if up > greatest {
            greatest = up;
        }
        let down = (prev - l).abs();
        if down > greatest {
            greatest = down;
        }
        greatest
    };
    let n = period as f64;
    let keep = (period - 1) as f64;
    let mut prev = (start + 1..=start + period).fold(0.0, |sum, t| sum + true_range(t)) / n;
    out[start + period] = prev;
    for (t, o) in out
        .iter_mut()
        .enumerate()
        .take(end)
        .skip(start + period + 1)
    {
        prev *= keep;
        prev += true_range(t);
        prev /= n;
        *o = prev;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAN: f64 = f64::NAN;

    fn assert_close(actual: &[f64], expected: &[f64]) {
        assert_eq!(actual.len(), expected.len());
        for (t, (a, e)) in actual.iter().zip(expected).enumerate() {
            assert!(
                (a.is_nan() && e.is_nan()) || (a - e).abs() < 1e-12,
                "bar {t}: {a} vs {e}"
            );
        }
    }

    #[test]
    fn stddev_is_the_population_deviation() {
        let s = stddev(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0], 8);
        assert_close(&s, &[NAN, NAN, NAN, NAN, NAN, NAN, NAN, 2.0]);
        assert_close(&stddev(&[1.0, 3.0, 3.0, 7.0], 2), &[NAN, 1.0, 0.0, 2.0]);
        assert_close(&stddev(&[4.0, 5.0], 1), &[0.0, 0.0]);
    }

    #[test]
    fn stddev_of_a_flat_stretch_is_exactly_zero() {
        let mut x: Vec<f64> = (0..40)
            .map(|i| 1000.0 + f64::from(i).sin() * 30.0)
            .collect();
        x.extend([1234.56789; 30]);
        let s = stddev(&x, 10);
        assert!(s[49..].iter().all(|&v| v == 0.0), "{:?}", &s[49..]);
        assert!(zscore(&x, 10)[49..].iter().all(|v| v.is_nan()));
    }

    #[test]
    fn stddev_survives_a_large_outlier() {
        let mut x: Vec<f64> = (0..60).map(|i| 100.0 + f64::from(i % 7) * 0.01).collect();
        x[20] = 1e9;
        let s = stddev(&x, 5);
        for t in 25..60 {
            let w = &x[t - 4..=t];
            let mean = w.iter().sum::<f64>() / 5.0;
            let exact = (w.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / 5.0).sqrt();
            assert!(
                (s[t] - exact).abs() <= 1e-12 * exact,
                "bar {t}: {} vs {exact}",
                s[t]
            );
        }
    }

    #[test]
    fn bollinger_bands_around_the_mean() {
        let b = bollinger(&[1.0, 2.0, 3.0, 5.0], 3, 2.0, 1.0);
        let (sd1, sd2) = ((2.0f64 / 3.0).sqrt(), (14.0f64 / 9.0).sqrt());
        assert_close(&b.middle, &[NAN, NAN, 2.0, 10.0 / 3.0]);
        assert_close(
            &b.upper,
            &[NAN, NAN, 2.0 + 2.0 * sd1, 10.0 / 3.0 + 2.0 * sd2],
        );
        assert_close(&b.lower, &[NAN, NAN, 2.0 - sd1, 10.0 / 3.0 - sd2]);
    }

    #[test]
    fn zscore_of_known_values() {
        let z = zscore(&[1.0, 2.0, 3.0, 3.0], 3);
        assert_close(
            &z,
            &[
                NAN,
                NAN,
                1.5f64.sqrt(),
                (3.0 - 8.0 / 3.0) / (2.0f64 / 9.0).sqrt(),
            ],
        );
    }

    #[test]
    fn volatility_is_the_sample_deviation_of_log_returns() {
        let x = [1.0, 0.1f64.exp(), 0.3f64.exp(), 0.3f64.exp()];
        // Returns 0.1, 0.2, 0: sample deviations of (0.1, 0.2) and (0.2, 0).
        let v = volatility(&x, 2);
        assert_close(&v, &[NAN, NAN, 0.005f64.sqrt(), 0.02f64.sqrt()]);
        assert!(volatility(&x, 1)
            .iter()
            .chain(&volatility(&x, 3)[..3])
            .all(|v| v.is_nan()));
        assert!(volatility(&x, 4).iter().all(|v| v.is_nan()));
    }

    #[test]
    fn atr_of_known_values() {
        let high = [10.0, 12.0, 11.0, 15.0];
        let low = [8.0, 9.0, 7.0, 13.0];
        let close = [9.0, 11.0, 8.0, 14.0];
        // TR from bar 1: max(3, 3, 0) = 3, max(4, 0, 4) = 4, max(2, 7, 5) = 7.
        assert_close(
            &atr(&high, &low, &close, 2),
            &[NAN, NAN, 3.5, (3.5 + 7.0) / 2.0],
        );
        assert_close(&atr(&high, &low, &close, 1), &[NAN, 3.0, 4.0, 7.0]);
        assert!(atr(&high, &low, &close, 4).iter().all(|v| v.is_nan()));
        assert_eq!(atr(&high[..2], &low, &close, 1).len(), 4);
    }
}
