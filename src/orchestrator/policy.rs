//! Decision policies: turn stage outputs into a wanted position at each decision time.
//!
//! Policies here are path-independent: their signals are computed for the whole timeline
//! before the trading loop, which then only reads them along with the current position.

use super::expr::{truth, Expr, Operand, ParseError, Truths};
use super::stage::Outputs;
use crate::data::Bars;
use crate::strategy::PriceField;
use std::collections::BTreeMap;

/// The position a policy (or the risk stage) wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Long,
    Short,
    Flat,
    /// Keep whatever is held.
    Hold,
}

/// A named signal series of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    EntryLong,
    ExitLong,
    EntryShort,
    ExitShort,
    /// The weighted policy's score.
    Score,
}

impl Signal {
    /// The name used in strategy files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Signal::EntryLong => "entry_long",
            Signal::ExitLong => "exit_long",
            Signal::EntryShort => "entry_short",
            Signal::ExitShort => "exit_short",
            Signal::Score => "score",
        }
    }
}

/// Why a policy wants what it wants at a bar, worked out into words only for the audit
/// record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reason {
    /// Nothing to do.
    None,
    /// This rule fired.
    Rule(Signal),
    /// The weighted vote's score against its threshold.
    Score { score: f64, threshold: f64 },
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::None => Ok(()),
            Reason::Rule(signal) => f.write_str(signal.name()),
            Reason::Score { score, threshold } => write!(f, "score {score:.4} vs threshold {threshold}"),
        }
    }
}

/// A compiled policy.
#[derive(Debug, Clone, PartialEq)]
pub enum Policy {
    /// Entry and exit rules (each optional), as `(name, expression)`.
    Rules(Vec<(Signal, Expr)>),
    /// A weighted vote of signals against a threshold.
    Weighted { threshold: f64, long_only: bool, signals: Vec<WeightedSignal> },
}

/// One compiled weighted signal.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedSignal {
    pub expr: Expr,
    pub source: String,
    pub weight: f64,
    pub confidence_of: Option<String>,
}

/// The policy's signals over the whole timeline, by name (`entry_long`, …, or `score`).
#[derive(Debug, Clone, PartialEq)]
pub struct Signals {
    pub series: Vec<(Signal, SignalValues)>,
    /// Position in `series` of the first series of each signal, by `Signal as usize`.
    slots: [Option<usize>; 5],
}

/// A signal's value at every bar.
#[derive(Debug, Clone, PartialEq)]
pub enum SignalValues {
    Numbers(Vec<f64>),
    /// A rule that is only ever true or false (a crossover): 1 or 0, packed.
    Truths(Truths),
}

impl SignalValues {
    /// Number of bars.
    pub fn len(&self) -> usize {
        match self {
            SignalValues::Numbers(v) => v.len(),
            SignalValues::Truths(t) => t.len(),
        }
    }

    /// True when there are no bars.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at bar `i` (1 or 0 for truths).
    pub fn at(&self, i: usize) -> f64 {
        match self {
            SignalValues::Numbers(v) => v[i],
            SignalValues::Truths(t) => f64::from(u8::from(t.get(i))),
        }
    }

    /// Every value, as numbers.
    pub fn to_numbers(&self) -> Vec<f64> {
        match self {
            SignalValues::Numbers(v) => v.clone(),
            SignalValues::Truths(t) => t.to_numbers(),
        }
    }

    /// Whether the signal fires (is nonzero and not NaN) at bar `i`.
    fn fires(&self, i: usize) -> bool {
        match self {
            SignalValues::Numbers(v) => truth(v[i]),
            SignalValues::Truths(t) => t.get(i),
        }
    }

    /// The values from bar `from` on.
    pub fn from_bar(&self, from: usize) -> Self {
        match self {
            SignalValues::Numbers(v) => SignalValues::Numbers(v[from..].to_vec()),
            SignalValues::Truths(t) => SignalValues::Truths(t.from_bar(from)),
        }
    }
}

impl Signals {
    /// Signals from their series.
    pub fn new(series: Vec<(Signal, SignalValues)>) -> Self {
        let mut slots = [None; 5];
        for (k, (s, _)) in series.iter().enumerate() {
            slots[*s as usize].get_or_insert(k);
        }
        Signals { series, slots }
    }

    /// Every signal cut to the bars from `from` on.
    pub fn from_bar(&self, from: usize) -> Signals {
        Signals::new(self.series.iter().map(|(s, v)| (*s, v.from_bar(from))).collect())
    }

    fn get(&self, signal: Signal) -> Option<&SignalValues> {
        self.slots[signal as usize].map(|k| &self.series[k].1)
    }
}

/// Resolves a name in an expression: a stage output, a price column, or a parameter.
pub fn lookup<'a>(name: &str, outputs: &'a Outputs, bars: &'a Bars, params: &BTreeMap<String, f64>) -> Option<Operand<'a>> {
    if let Some(s) = outputs.get(name) {
        return Some(Operand::Series(&s.values));
    }
    if let Some(field) = PriceField::from_name(name) {
        return Some(Operand::Series(bars.price(field)));
    }
    if name == "volume" {
        return bars.volume.as_deref().map(Operand::Series);
    }
    params.get(name).map(|&v| Operand::Const(v))
}

impl Policy {
    /// Computes the policy's signals over all bars.
    pub fn signals(&self, outputs: &Outputs, bars: &Bars, params: &BTreeMap<String, f64>) -> Result<Signals, ParseError> {
        let n = bars.len();
        let find = |name: &str| lookup(name, outputs, bars, params);
        let series = match self {
            // Crossovers as truths: no number per bar to make, and their bars found by words.
            Policy::Rules(rules) => rules
                .iter()
                .map(|(name, expr)| {
                    let values = match expr.eval_truths(n, &find)? {
                        Some(truths) => SignalValues::Truths(truths),
                        None => SignalValues::Numbers(expr.eval_series(n, &find)?),
                    };
                    Ok((*name, values))
                })
                .collect::<Result<Vec<_>, ParseError>>()?,
            Policy::Weighted { signals, .. } => {
                let total: f64 = signals.iter().map(|s| s.weight.abs()).sum();
                let mut score = vec![0.0; n];
                for s in signals {
                    let votes = s.expr.eval_series(n, &find)?;
                    let confidence = s.confidence_of.as_deref().and_then(|c| outputs.get(c)).and_then(|c| c.confidence.as_deref());
                    for (i, v) in votes.iter().enumerate() {
                        let vote = if v.is_nan() { 0.0 } else { v.clamp(-1.0, 1.0) };
                        let c = confidence.map_or(1.0, |c| if c[i].is_nan() { 0.0 } else { c[i] });
                        score[i] += s.weight * vote * c / total;
                    }
                }
                vec![(Signal::Score, SignalValues::Numbers(score))]
            }
        };
        Ok(Signals::new(series))
    }

    /// The bars (in increasing order) where [`Policy::decide`] may want something other
    /// than [`Target::Hold`], whatever the position: for rules, where any rule fires. None
    /// when that cannot be known without the position (the weighted vote).
    pub fn active_bars(&self, signals: &Signals) -> Option<Vec<usize>> {
        match self {
            Policy::Rules(_) => {
                // Per 64 bars, a bit mask of the bars where a rule fires (no branch per bar).
                let n = signals.series.first().map_or(0, |(_, v)| v.len());
                let mut masks = vec![0u64; n.div_ceil(64)];
                for (_, values) in &signals.series {
                    let packed;
                    let truths = match values {
                        SignalValues::Truths(t) => t,
                        SignalValues::Numbers(v) => {
                            packed = Truths::of_values(v);
                            &packed
                        }
                    };
                    for (mask, word) in masks.iter_mut().zip(truths.words()) {
                        *mask |= word;
                    }
                }
                let mut active = Vec::new();
                for (block, &mask) in masks.iter().enumerate() {
                    let mut fired = mask;
                    while fired != 0 {
                        active.push(block * 64 + fired.trailing_zeros() as usize);
                        fired &= fired - 1;
                    }
                }
                Some(active)
            }
            Policy::Weighted { .. } => None,
        }
    }

    /// The wanted position at bar `i`, given the signed current position, with the reason.
    pub fn decide(&self, signals: &Signals, i: usize, position: f64) -> (Target, Reason) {
        match self {
            Policy::Rules(_) => {
                let fired = |signal: Signal| signals.get(signal).is_some_and(|s| s.fires(i));
                let (target, signal) = if position <= 0.0 && fired(Signal::EntryLong) {
                    (Target::Long, Signal::EntryLong)
                } else if position >= 0.0 && fired(Signal::EntryShort) {
                    (Target::Short, Signal::EntryShort)
                } else if position > 0.0 && fired(Signal::ExitLong) {
                    (Target::Flat, Signal::ExitLong)
                } else if position < 0.0 && fired(Signal::ExitShort) {
                    (Target::Flat, Signal::ExitShort)
                } else {
                    return (Target::Hold, Reason::None);
                };
                (target, Reason::Rule(signal))
            }
            Policy::Weighted { threshold, long_only, .. } => {
                let score = signals.get(Signal::Score).map_or(0.0, |s| s.at(i));
                let target = if score > *threshold {
                    Target::Long
                } else if score < -*threshold && !long_only {
                    Target::Short
                } else {
                    Target::Flat
                };
                let held = if position > 0.0 {
                    Target::Long
                } else if position < 0.0 {
                    Target::Short
                } else {
                    Target::Flat
                };
                if target == held {
                    (Target::Hold, Reason::None)
                } else {
                    (target, Reason::Score { score, threshold: *threshold })
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_bars_are_where_any_rule_fires_across_64_bar_masks() {
        let n = 130;
        let series = |fired: &[usize]| -> Vec<f64> { (0..n).map(|i| if fired.contains(&i) { 1.0 } else if i % 7 == 0 { f64::NAN } else { 0.0 }).collect() };
        let policy = Policy::Rules(Vec::new());
        let (long, short) = (series(&[0, 63, 100]), series(&[63, 64, 129]));
        // Numbers, truths, or one of each: the same bars.
        let as_numbers = |v: &[f64]| SignalValues::Numbers(v.to_vec());
        let as_truths = |v: &[f64]| SignalValues::Truths(Truths::of_values(v));
        for (a, b) in [(as_numbers(&long), as_numbers(&short)), (as_truths(&long), as_truths(&short)), (as_truths(&long), as_numbers(&short))] {
            let signals = Signals::new(vec![(Signal::EntryLong, a), (Signal::EntryShort, b)]);
            assert_eq!(policy.active_bars(&signals), Some(vec![0, 63, 64, 100, 129]));
            assert_eq!(policy.active_bars(&signals.from_bar(64)), Some(vec![0, 36, 65]));
        }
        assert_eq!(policy.active_bars(&Signals::new(Vec::new())), Some(Vec::new()));
        // Every bit position, against a plain filter.
        let mut state = 0x9e37_79b9_u64;
        let mut value = || {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            [0.0, 1.0, f64::NAN, -2.5][(state >> 62) as usize]
        };
        let (a, b): (Vec<f64>, Vec<f64>) = (0..301).map(|_| (value(), value())).unzip();
        let expected: Vec<usize> = (0..301).filter(|&i| truth(a[i]) || truth(b[i])).collect();
        let signals = Signals::new(vec![(Signal::EntryLong, as_numbers(&a)), (Signal::ExitLong, as_truths(&b))]);
        assert_eq!(policy.active_bars(&signals), Some(expected));
    }

    #[test]
    fn reasons_read_as_the_audit_records_them() {
        assert_eq!(Reason::Rule(Signal::ExitShort).to_string(), "exit_short");
        assert_eq!(Reason::Score { score: 0.123_456, threshold: 0.1 }.to_string(), "score 0.1235 vs threshold 0.1");
        assert_eq!(Reason::None.to_string(), "");
    }

    #[test]
    fn a_rule_fires_the_same_as_numbers_or_as_truths() {
        let rule = [0.0, 1.0, f64::NAN, -2.5, 0.0];
        let rules = Policy::Rules(Vec::new());
        for (position, wanted) in [(0.0, [Target::Hold, Target::Long, Target::Hold, Target::Long, Target::Hold]), (1.0, [Target::Hold; 5])] {
            for values in [SignalValues::Numbers(rule.to_vec()), SignalValues::Truths(Truths::of_values(&rule))] {
                let signals = Signals::new(vec![(Signal::EntryLong, values)]);
                let got: Vec<Target> = (0..rule.len()).map(|i| rules.decide(&signals, i, position).0).collect();
                assert_eq!(got, wanted);
            }
        }
    }
}
