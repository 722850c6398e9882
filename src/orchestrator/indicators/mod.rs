//! Technical indicators computed over a whole price series. Values before an indicator is
//! defined are NaN; the value at bar `t` depends only on bars up to `t`.
//!
//! Every function takes slices and returns one `Vec<f64>` per output, as long as the input
//! (for several inputs, as `close`, or the shorter one for [`crossover`]). Each runs in O(n)
//! with no allocation per value, and returns all NaN instead of panicking when a period is
//! 0 or the data is too short.
//!
//! The functions named after a TA-Lib function follow its definition (seeding, alignment,
//! guards) and, for the recursive ones, its order of operations; they agree with TA-Lib 0.8
//! to 3e-12 or better on GOOG (`tests/indicators_talib.rs`). Rolling sums (WMA, and the
//! variance behind STDDEV, BBANDS and z-score) are rebuilt from the window now and then, so
//! rounding cannot drift over long series.
//!
//! Leading NaNs are skipped, as TA-Lib's Python wrapper does: an indicator of an indicator
//! starts where its input does. A NaN later on makes NaN every window that holds it in the
//! windowed indicators, and every later value in the recursive ones (EMA, RSI, MACD, ATR),
//! as in TA-Lib. [`sma`] follows pandas instead: NaN values are left out of the window count.

mod cross;
mod momentum;
mod moving;
mod volatility;

pub use cross::{crossed_above, crossover, crossunder};
pub use momentum::{macd, momentum, roc, rsi, stochastic, Macd, Stochastic};
pub use moving::{ema, sma, wma};
pub use volatility::{atr, bollinger, stddev, volatility, zscore, Bollinger};

/// Index of the first value that is not NaN (`values.len()` when there is none).
fn first_valid(values: &[f64]) -> usize {
    values
        .iter()
        .position(|v| !v.is_nan())
        .unwrap_or(values.len())
}

/// First bar at which no series is NaN (the length of the shortest when there is none).
fn first_valid_all(series: &[&[f64]]) -> usize {
    let len = series.iter().map(|s| s.len()).min().unwrap_or(0);
    (0..len)
        .find(|&t| series.iter().all(|s| !s[t].is_nan()))
        .unwrap_or(len)
}

/// A NaN output as long as `values`, with `fill(x, out)` run on the part of both from the
/// first non-NaN value of `values` on.
fn skip_leading_nan(values: &[f64], fill: impl FnOnce(&[f64], &mut [f64])) -> Vec<f64> {
    let mut out = vec![f64::NAN; values.len()];
    let start = first_valid(values);
    fill(&values[start..], &mut out[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic random walk of `n` bars: (high, low, close).
    fn walk(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let mut state = seed;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut high, mut low, mut close) = (Vec::new(), Vec::new(), Vec::new());
        let mut price = 100.0;
        for _ in 0..n {
            price *= 1.0 + (next() - 0.5) * 0.04;
            close.push(price);
            high.push(price * (1.0 + next() * 0.02));
            low.push(price * (1.0 - next() * 0.02));
        }
        (high, low, close)
    }

    /// Every output series of every indicator, on (high, low, close).
    fn all_outputs(high: &[f64], low: &[f64], close: &[f64]) -> Vec<(&'static str, Vec<f64>)> {
        let m = macd(close, 12, 26, 9);
        let s = stochastic(high, low, close, 14, 3, 3);
        let b = bollinger(close, 20, 2.0, 1.5);
        let fast = ema(close, 5);
        vec![
            ("sma", sma(close, 10)),
            ("ema", ema(close, 10)),
            ("wma", wma(close, 10)),
            ("rsi", rsi(close, 14)),
            ("macd.line", m.line),
            ("macd.signal", m.signal),
            ("macd.hist", m.hist),
            ("roc", roc(close, 10)),
            ("momentum", momentum(close, 10)),
            ("stochastic.k", s.k),
            ("stochastic.d", s.d),
            ("bollinger.upper", b.upper),
            ("bollinger.middle", b.middle),
            ("bollinger.lower", b.lower),
            ("atr", atr(high, low, close, 14)),
            ("stddev", stddev(close, 20)),
            ("volatility", volatility(close, 20)),
            ("zscore", zscore(close, 20)),
            ("crossover", crossover(&fast, close)),
            ("crossunder", crossunder(&fast, close)),
        ]
    }

    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    #[test]
    fn no_look_ahead() {
        let (high, low, close) = walk(120, 7);
        let reference = all_outputs(&high, &low, &close);
        for t in [0, 1, 5, 13, 30, 33, 34, 60, 118] {
            for garbage in [f64::NAN, 1e6, -3.0, 0.0] {
                let spoil = |x: &[f64]| {
                    let mut x = x.to_vec();
                    for (j, v) in x.iter_mut().enumerate().skip(t + 1) {
                        *v = garbage * (j % 3) as f64 + (j % 5) as f64;
                    }
                    x
                };
                let spoiled = all_outputs(&spoil(&high), &spoil(&low), &spoil(&close));
                for ((name, full), (_, cut)) in reference.iter().zip(&spoiled) {
                    for i in 0..=t {
                        assert!(
                            same(full[i], cut[i]),
                            "{name} at bar {i} changed when bars after {t} did"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn running_sums_do_not_drift_over_long_series() {
        let (high, low, close) = walk(200_000, 13);
        let (w, sd, b, z) = (
            wma(&close, 30),
            stddev(&close, 30),
            bollinger(&close, 30, 2.0, 2.0),
            zscore(&close, 30),
        );
        let s = stochastic(&high, &low, &close, 14, 1, 1);
        for t in [29, 1000, 99_999, 150_001, 199_999] {
            let window = &close[t - 29..=t];
            let weighted: f64 = window
                .iter()
                .zip(1..=30)
                .map(|(v, j)| v * f64::from(j))
                .sum();
            let mean = window.iter().sum::<f64>() / 30.0;
            let sigma = (window.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / 30.0).sqrt();
            let near = |a: f64, e: f64| (a - e).abs() <= 1e-12 * e.abs().max(1.0);
            assert!(near(w[t], weighted / 465.0), "wma at {t}");
            assert!(
                near(sd[t], sigma) && near(b.middle[t], mean),
                "stddev at {t}"
            );
            assert!(near(z[t], (close[t] - mean) / sigma), "zscore at {t}");
            let hh = high[t - 13..=t].iter().fold(f64::MIN, |a, &b| a.max(b));
            let ll = low[t - 13..=t].iter().fold(f64::MAX, |a, &b| a.min(b));
            assert!(
                near(s.k[t], (close[t] - ll) / ((hh - ll) / 100.0)),
                "stochastic at {t}"
            );
        }
    }

    #[test]
    fn short_and_degenerate_inputs_give_nan() {
        let (high, low, close) = walk(30, 3);
        for n in 0..4 {
            let (h, l, c) = (&high[..n], &low[..n], &close[..n]);
            for (name, out) in all_outputs(h, l, c) {
                assert_eq!(out.len(), n, "{name}");
                assert!(
                    out.iter().all(|v| v.is_nan() || name.starts_with("cross")),
                    "{name} on {n} bars"
                );
            }
        }
        let outputs = [
            sma(&close, 0),
            ema(&close, 0),
            wma(&close, 0),
            rsi(&close, 0),
            macd(&close, 0, 26, 9).line,
            macd(&close, 12, 26, 0).signal,
            roc(&close, 0),
            momentum(&close, 0),
            stochastic(&high, &low, &close, 0, 3, 3).k,
            stochastic(&high, &low, &close, 14, 3, 0).d,
            bollinger(&close, 0, 2.0, 2.0).middle,
            atr(&high, &low, &close, 0),
            stddev(&close, 0),
            volatility(&close, 0),
            volatility(&close, 1),
            zscore(&close, 0),
            ema(&close, 31),
            macd(&close, 12, 26, 9).hist,
            stochastic(&high, &low, &close, 14, 10, 9).d,
        ];
        for out in outputs {
            assert_eq!(out.len(), close.len());
            assert!(out.iter().all(|v| v.is_nan()));
        }
    }

    #[test]
    fn period_one_is_defined_from_the_start() {
        let (high, low, close) = walk(10, 5);
        assert_eq!(sma(&close, 1), close);
        assert_eq!(ema(&close, 1), close);
        assert_eq!(wma(&close, 1), close);
        assert!(stddev(&close, 1).iter().all(|&v| v == 0.0));
        let b = bollinger(&close, 1, 2.0, 2.0);
        assert!(b
            .middle
            .iter()
            .zip(&close)
            .all(|(m, c)| (m - c).abs() <= 1e-14 * c));
        assert_eq!((&b.upper, &b.lower), (&b.middle, &b.middle));
        assert!(rsi(&close, 1)[1..].iter().all(|&v| v == 0.0 || v == 100.0));
        assert!(atr(&high, &low, &close, 1)[1..].iter().all(|&v| v > 0.0));
        assert!(stochastic(&high, &low, &close, 1, 1, 1)
            .k
            .iter()
            .all(|v| (0.0..=100.0).contains(v)));
    }

    #[test]
    fn leading_nans_are_skipped() {
        let (high, low, close) = walk(80, 11);
        let pad = |x: &[f64]| [vec![f64::NAN; 5], x.to_vec()].concat();
        let plain = all_outputs(&high, &low, &close);
        let padded = all_outputs(&pad(&high), &pad(&low), &pad(&close));
        for ((name, a), (_, b)) in plain.iter().zip(&padded) {
            assert_eq!(b.len(), a.len() + 5);
            assert!(b[..5].iter().all(|&v| v.is_nan() || v == 0.0), "{name}");
            assert!(a.iter().zip(&b[5..]).all(|(&x, &y)| same(x, y)), "{name}");
        }
    }
}
