//! The look-ahead check: a stage output at time `t` must not change when data after `t`
//! changes. Stages are re-run on data truncated at sampled cut-offs, and on data whose
//! future is scrambled, and their outputs up to each cut-off are compared.

use serde::Serialize;

use super::stage::Outputs;
use crate::data::Bars;
use crate::error::Result;

/// A stage output that changed at or before a cut-off when the future changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Leak {
    /// The output's full name.
    pub output: String,
    /// How the future was changed: `truncated` or `scrambled`.
    pub test: &'static str,
    /// The cut-off bar and the first bar at or before it whose value changed.
    pub cutoff: usize,
    pub bar: usize,
    pub full_value: f64,
    pub changed_value: f64,
}

/// The check's findings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LookaheadReport {
    pub cutoffs: Vec<usize>,
    pub outputs: Vec<String>,
    /// At most one leak per output and test (the first found).
    pub leaks: Vec<Leak>,
}

/// `samples` cut-offs spread evenly over the bars (excluding the last bar, which has no future).
pub fn sample_cutoffs(len: usize, samples: usize) -> Vec<usize> {
    if len < 2 || samples == 0 {
        return Vec::new();
    }
    let mut cuts: Vec<usize> = (1..=samples).map(|k| k * (len - 1) / (samples + 1)).collect();
    cuts.dedup();
    cuts
}

/// The bars with everything after `cutoff` replaced: prices of the future are reversed in
/// time and scaled by a deterministic wobble, keeping every bar valid (positive, high >= low).
pub fn scramble_after(bars: &Bars, cutoff: usize) -> Bars {
    let mut out = bars.clone();
    let n = bars.len();
    let future = cutoff + 1..n;
    for (k, i) in future.clone().enumerate() {
        let src = n - 1 - k;
        let factor = 1.0 + 0.37 * (((i * 7919) % 101) as f64 / 101.0 - 0.5);
        let scaled = |v: f64| v * factor;
        out.open[i] = scaled(bars.open[src]);
        out.high[i] = scaled(bars.high[src]);
        out.low[i] = scaled(bars.low[src]);
        out.close[i] = scaled(bars.close[src]);
        if let (Some(v), Some(orig)) = (out.volume.as_mut(), bars.volume.as_ref()) {
            v[i] = orig[src] * factor;
        }
    }
    out
}

fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Records, per output, the first bar `<= cutoff` where `changed` differs from `full`.
fn compare(full: &Outputs, changed: &Outputs, cutoff: usize, test: &'static str, leaks: &mut Vec<Leak>) {
    for s in full.iter() {
        if leaks.iter().any(|l| l.output == s.name && l.test == test) {
            continue;
        }
        let Some(other) = changed.get(&s.name) else { continue };
        let upto = cutoff.min(other.values.len().saturating_sub(1));
        if let Some(bar) = (0..=upto).find(|&i| !same(s.values[i], other.values[i])) {
            leaks.push(Leak {
                output: s.name.clone(),
                test,
                cutoff,
                bar,
                full_value: s.values[bar],
                changed_value: other.values[bar],
            });
        }
    }
}

/// The first `len` bars.
pub fn truncate(bars: &Bars, len: usize) -> Bars {
    bars.slice(0..len)
}

/// Runs the check over the given cut-offs; `compute` produces the outputs to check (stage
/// outputs, and policy signals) from a set of bars.
pub fn check(bars: &Bars, cutoffs: &[usize], compute: impl Fn(&Bars) -> Result<Outputs>) -> Result<LookaheadReport> {
    let full = compute(bars)?;
    let mut leaks = Vec::new();
    for &cutoff in cutoffs {
        compare(&full, &compute(&truncate(bars, cutoff + 1))?, cutoff, "truncated", &mut leaks);
        compare(&full, &compute(&scramble_after(bars, cutoff))?, cutoff, "scrambled", &mut leaks);
    }
    Ok(LookaheadReport {
        cutoffs: cutoffs.to_vec(),
        outputs: full.iter().map(|s| s.name.clone()).collect(),
        leaks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs_are_spread_and_inside() {
        assert_eq!(sample_cutoffs(11, 4), vec![2, 4, 6, 8]);
        assert!(sample_cutoffs(1, 4).is_empty());
    }
}
