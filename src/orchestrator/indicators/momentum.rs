//! Momentum oscillators: RSI, MACD, rate of change, momentum and the stochastic.

use super::moving::{ema_into, sma};
use super::{first_valid, first_valid_all, skip_leading_nan};

/// Relative strength index with Wilder's smoothing, as TA-Lib `RSI` (no unstable period).
///
/// With `d[t] = x[t] - x[t-1]`, the first averages are plain means over the first `period`
/// changes, `gain = Σ max(d, 0) / period`, `loss = Σ max(-d, 0) / period`, giving the first
/// value at bar `period`; then `gain = (gain·(period-1) + max(d[t], 0)) / period` (same for
/// `loss`) and `rsi = 100·gain / (gain + loss)`, 0 when there was no change at all.
///
/// Leading NaNs are skipped, as TA-Lib's Python wrapper does. All NaN when `period` is 0 or
/// the data has no more than `period` values.
pub fn rsi(values: &[f64], period: usize) -> Vec<f64> {
    skip_leading_nan(values, |x, out| {
        if period == 0 || x.len() <= period {
            return;
        }
        let n = period as f64;
        let keep = (period - 1) as f64;
        let (mut gain, mut loss) = (0.0, 0.0);
        for w in x[..=period].windows(2) {
            add_change(w[1] - w[0], &mut gain, &mut loss);
        }
        gain /= n;
        loss /= n;
        out[period] = rsi_value(gain, loss);
        for t in period + 1..x.len() {
            gain *= keep;
            loss *= keep;
            add_change(x[t] - x[t - 1], &mut gain, &mut loss);
            gain /= n;
            loss /= n;
            out[t] = rsi_value(gain, loss);
        }
    })
}

/// Adds a price change to the running gain (rises) or loss (falls, as a positive number).
fn add_change(d: f64, gain: &mut f64, loss: &mut f64) {
    if d < 0.0 {
        *loss -= d;
    } else {
        *gain += d;
    }
}

fn rsi_value(gain: f64, loss: f64) -> f64 {
    let total = gain + loss;
    if total != 0.0 {
        100.0 * (gain / total)
    } else {
        0.0
    }
}

/// MACD line, signal line and histogram; see [`macd`].
#[derive(Debug, Clone)]
pub struct Macd {
    pub line: Vec<f64>,
    pub signal: Vec<f64>,
    pub hist: Vec<f64>,
}

/// Moving average convergence/divergence, as TA-Lib `MACD`.
///
/// `line = EMA(x, fast) - EMA(x, slow)`, `signal = EMA(line, signal)`, `hist = line - signal`,
/// with TA-Lib's alignment: both EMAs start at bar `slow-1`, the slow one seeded with the mean
/// of the first `slow` values and the fast one with the mean of the `fast` values ending at
/// that same bar; the signal EMA is seeded with the mean of the first `signal` line values.
/// All three outputs start at bar `slow + signal - 2`, where the signal is first defined
/// (TA-Lib reports no line value before it either). As in TA-Lib, `fast` and `slow` are
/// swapped when `slow < fast`.
///
/// Leading NaNs are skipped, as TA-Lib's Python wrapper does. All NaN when a period is 0 or
/// the data is shorter than `slow + signal - 1`.
pub fn macd(values: &[f64], fast: usize, slow: usize, signal: usize) -> Macd {
    let len = values.len();
    let mut m = Macd {
        line: vec![f64::NAN; len],
        signal: vec![f64::NAN; len],
        hist: vec![f64::NAN; len],
    };
    let (fast, slow) = if slow < fast {
        (slow, fast)
    } else {
        (fast, slow)
    };
    let start = first_valid(values);
    let x = &values[start..];
    if fast == 0 || signal == 0 || x.len() + 1 < slow + signal {
        return m;
    }
    let line = &mut m.line[start..];
    let (k_fast, k_slow) = (2.0 / (fast + 1) as f64, 2.0 / (slow + 1) as f64);
    let mut slow_ema = x[..slow].iter().fold(0.0, |sum, &v| sum + v) / slow as f64;
    let mut fast_ema = x[slow - fast..slow].iter().fold(0.0, |sum, &v| sum + v) / fast as f64;
    line[slow - 1] = fast_ema - slow_ema;
    for t in slow..x.len() {
        slow_ema = (x[t] - slow_ema) * k_slow + slow_ema;
        fast_ema = (x[t] - fast_ema) * k_fast + fast_ema;
        line[t] = fast_ema - slow_ema;
    }
    let sig = &mut m.signal[start..];
    ema_into(&line[slow - 1..], signal, &mut sig[slow - 1..]);
    let first = slow + signal - 2;
    line[..first].fill(f64::NAN);
    for t in first..x.len() {
        m.hist[start + t] = line[t] - sig[t];
    }
    m
}

/// Rate of change in percent, as TA-Lib `ROC`: `roc[t] = (x[t] / x[t-period] - 1)·100`,
/// and 0 where `x[t-period]` is 0 (TA-Lib's guard). NaN for the first `period` bars; all NaN
/// when `period` is 0.
pub fn roc(values: &[f64], period: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; values.len()];
    if period == 0 {
        return out;
    }
    for (t, o) in out.iter_mut().enumerate().skip(period) {
        let prev = values[t - period];
        *o = if prev != 0.0 {
            (values[t] / prev - 1.0) * 100.0
        } else {
            0.0
        };
    }
    out
}

/// Momentum, as TA-Lib `MOM`: `momentum[t] = x[t] - x[t-period]`. NaN for the first `period`
/// bars; all NaN when `period` is 0.
pub fn momentum(values: &[f64], period: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; values.len()];
    if period == 0 {
        return out;
    }
    for (t, o) in out.iter_mut().enumerate().skip(period) {
        *o = values[t] - values[t - period];
    }
    out
}

/// Slow stochastic %K and %D; see [`stochastic`].
#[derive(Debug, Clone)]
pub struct Stochastic {
    pub k: Vec<f64>,
    pub d: Vec<f64>,
}

/// Stochastic oscillator, as TA-Lib `STOCH` with simple moving averages (matype 0); the
/// usual setting is 14, 3, 3.
///
/// Raw `%K[t] = 100·(close[t] - LL) / (HH - LL)` with `HH`/`LL` the highest high / lowest low
/// of the last `fastk` bars (0 when `HH == LL`; computed as TA-Lib does,
/// `(close - LL) / ((HH - LL) / 100)`), `k = SMA(raw %K, slowk)`, `d = SMA(k, slowd)`. Both
/// outputs start at bar `fastk + slowk + slowd - 3`, where `d` is first defined (TA-Lib
/// reports no `k` before it either).
///
/// Leading bars where any input is NaN are skipped, as TA-Lib's Python wrapper does; a NaN
/// high or low after that is left out of `HH`/`LL`. The outputs have the length of `close`;
/// bars beyond a shorter `high` or `low` are NaN. All NaN when a period is 0 or the data is
/// too short.
pub fn stochastic(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    fastk: usize,
    slowk: usize,
    slowd: usize,
) -> Stochastic {
    let len = close.len();
    let end = len.min(high.len()).min(low.len());
    let start = first_valid_all(&[&high[..end], &low[..end], &close[..end]]);
    if fastk == 0 || slowk == 0 || slowd == 0 || end - start + 3 < fastk + slowk + slowd {
        return Stochastic {
            k: vec![f64::NAN; len],
            d: vec![f64::NAN; len],
        };
    }
    let (h, l, c) = (&high[start..end], &low[start..end], &close[start..end]);
    // Highest high / lowest low of the window ending at t, as van Herk / Gil-Werman: within
    // blocks of `fastk` bars, the extremes from each bar to its block's end (`suffix`) and
    // from its block's start (running); a window spans at most two blocks.
    let mut suffix = vec![(0.0, 0.0); h.len()];
    for ((hs, ls), out) in h
        .chunks(fastk)
        .zip(l.chunks(fastk))
        .zip(suffix.chunks_mut(fastk))
    {
        let (mut hh, mut ll) = (f64::NEG_INFINITY, f64::INFINITY);
        for ((&hv, &lv), o) in hs.iter().zip(ls).zip(out).rev() {
            hh = hh.max(hv);
            ll = ll.min(lv);
            *o = (hh, ll);
        }
    }
    let mut raw = vec![f64::NAN; len];
    let (mut block_high, mut block_low) = (f64::NEG_INFINITY, f64::INFINITY);
    let mut block_left = 0;
    for t in 0..h.len() {
        if block_left == 0 {
            (block_high, block_low, block_left) = (f64::NEG_INFINITY, f64::INFINITY, fastk);
        }
        block_left -= 1;
        block_high = block_high.max(h[t]);
        block_low = block_low.min(l[t]);
        if t + 1 >= fastk {
            let (suffix_high, suffix_low) = suffix[t + 1 - fastk];
            let (hh, ll) = (suffix_high.max(block_high), suffix_low.min(block_low));
            let diff = (hh - ll) / 100.0;
            raw[start + t] = if diff != 0.0 { (c[t] - ll) / diff } else { 0.0 };
        }
    }
    let mut k = sma(&raw, slowk);
    let d = sma(&k, slowd);
    k[..start + fastk + slowk + slowd - 3].fill(f64::NAN);
    Stochastic { k, d }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(actual: &[f64], expected: &[f64]) {
        assert_eq!(actual.len(), expected.len());
        for (t, (a, e)) in actual.iter().zip(expected).enumerate() {
            assert!(
                (a.is_nan() && e.is_nan()) || (a - e).abs() < 1e-12,
                "bar {t}: {a} vs {e}"
            );
        }
    }

    const NAN: f64 = f64::NAN;

    #[test]
    fn rsi_uses_wilder_smoothing() {
        // Changes +1, +1, -1, +1. Seed over 2 changes: gain 1, loss 0 -> 100.
        // Then gain (1+0)/2 = 0.5, loss (0+1)/2 = 0.5 -> 50; gain (0.5+1)/2, loss 0.25 -> 75.
        assert_close(
            &rsi(&[1.0, 2.0, 3.0, 2.0, 3.0], 2),
            &[NAN, NAN, 100.0, 50.0, 75.0],
        );
        assert_close(&rsi(&[5.0; 4], 2), &[NAN, NAN, 0.0, 0.0]);
        assert!(rsi(&[1.0, 2.0], 2).iter().all(|v| v.is_nan()));
    }

    #[test]
    fn macd_aligns_fast_and_slow_like_talib() {
        // On a ramp EMA(p) lags by (p-1)/2, so line = 1 - 0.5; it starts at slow+signal-2.
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        let m = macd(&x, 2, 3, 2);
        let mut expected = vec![0.5; 10];
        expected[..3].fill(NAN);
        assert_close(&m.line, &expected);
        assert_close(&m.signal, &expected);
        expected[3..].fill(0.0);
        assert_close(&m.hist, &expected);
        let swapped = macd(&x, 3, 2, 2);
        assert_close(&swapped.line, &m.line);
        assert_close(&swapped.hist, &m.hist);
        // Fast EMA seeded on x[1..3] = 1.5, slow on x[0..3] = 1: line[2] = 0.5; then
        // slow (9-1)/2+1 = 5, fast (9-1.5)·2/3+1.5 = 6.5.
        let short = macd(&[0.0, 1.0, 2.0, 9.0], 2, 3, 1);
        assert_close(&short.line, &[NAN, NAN, 0.5, 1.5]);
        assert_close(&short.signal, &short.line);
        assert!(macd(&[0.0, 1.0, 2.0], 2, 3, 2)
            .line
            .iter()
            .all(|v| v.is_nan()));
    }

    #[test]
    fn roc_and_momentum() {
        let x = [10.0, 11.0, 12.1, 0.0, 5.0];
        assert_close(&momentum(&x, 1), &[NAN, 1.0, 1.1, -12.1, 5.0]);
        assert_close(&roc(&x, 1), &[NAN, 10.0, 10.0, -100.0, 0.0]);
        assert_close(
            &roc(&x, 2),
            &[NAN, NAN, 21.0, -100.0, (5.0 / 12.1 - 1.0) * 100.0],
        );
        assert!(roc(&x, 0)
            .iter()
            .chain(&momentum(&x, 0))
            .all(|v| v.is_nan()));
    }

    #[test]
    fn stochastic_of_known_values() {
        let high = [10.0, 12.0, 11.0, 13.0, 12.0];
        let low = [8.0, 9.0, 9.0, 10.0, 11.0];
        let close = [9.0, 11.0, 10.0, 12.0, 11.0];
        // Raw %K over 2 bars: (11-8)/(12-8), (10-9)/(12-9), (12-9)/(13-9), (11-10)/(13-10).
        let raw = [75.0, 100.0 / 3.0, 75.0, 100.0 / 3.0];
        let s = stochastic(&high, &low, &close, 2, 1, 1);
        assert_close(&s.k, &[NAN, raw[0], raw[1], raw[2], raw[3]]);
        assert_close(&s.d, &s.k);
        let s = stochastic(&high, &low, &close, 2, 2, 2);
        let k = [
            (raw[0] + raw[1]) / 2.0,
            (raw[1] + raw[2]) / 2.0,
            (raw[2] + raw[3]) / 2.0,
        ];
        assert_close(&s.k, &[NAN, NAN, NAN, k[1], k[2]]);
        assert_close(
            &s.d,
            &[NAN, NAN, NAN, (k[0] + k[1]) / 2.0, (k[1] + k[2]) / 2.0],
        );
        // Every window position against a direct scan, for several block sizes.
        let hi: Vec<f64> = (0..40)
            .map(|i| 20.0 + (f64::from(i) * 1.3).sin() * 3.0 + f64::from(i % 4))
            .collect();
        let lo: Vec<f64> = hi
            .iter()
            .enumerate()
            .map(|(i, h)| h - 1.0 - (i % 3) as f64)
            .collect();
        let cl: Vec<f64> = hi
            .iter()
            .zip(&lo)
            .map(|(h, l)| (h + 2.0 * l) / 3.0)
            .collect();
        for fastk in 1..7 {
            let s = stochastic(&hi, &lo, &cl, fastk, 1, 1);
            for t in fastk - 1..40 {
                let hh = hi[t + 1 - fastk..=t]
                    .iter()
                    .fold(f64::MIN, |a, &b| a.max(b));
                let ll = lo[t + 1 - fastk..=t]
                    .iter()
                    .fold(f64::MAX, |a, &b| a.min(b));
                assert_eq!(
                    s.k[t],
                    (cl[t] - ll) / ((hh - ll) / 100.0),
                    "fastk {fastk}, bar {t}"
                );
            }
        }
        let flat = stochastic(&[1.0; 3], &[1.0; 3], &[1.0; 3], 2, 1, 1);
        assert_close(&flat.k, &[NAN, 0.0, 0.0]);
        assert!(stochastic(&high, &low, &close, 3, 2, 3)
            .k
            .iter()
            .all(|v| v.is_nan()));
    }
}
