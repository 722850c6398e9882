//! The parameter space of a sweep: ranges given on the command line (`fast=5..50:1`), an
//! optional constraint (`fast < slow`), every combination in order, or a seeded random sample.

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand_pcg::Pcg64;

use crate::error::InputError;
use crate::orchestrator::expr::{truth, Expr, Operand};

/// Grids larger than this are refused before anything is enumerated.
pub const MAX_GRID: usize = 50_000_000;
/// Combinations whose constraint is evaluated at a time.
const CONSTRAINT_BLOCK: usize = 4096;

/// One swept parameter and the values it takes, in increasing order.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamRange {
    pub name: String,
    pub values: Vec<f64>,
}

impl ParamRange {
    /// Parses `name=lo..hi:step` (both ends included; step 1 when omitted), `name=a,b,c`
    /// or `name=value`.
    pub fn parse(spec: &str) -> Result<Self, InputError> {
        let err = |m: String| InputError::new("--param", format!("{m} in \"{spec}\" (expected name=lo..hi:step or name=a,b,c)"));
        let (name, rest) = spec.split_once('=').ok_or_else(|| err("missing `=`".into()))?;
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(err(format!("bad parameter name \"{name}\"")));
        }
        let number = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| err(format!("\"{}\" is not a number", s.trim())));
        let mut values = if let Some((lo, hi_step)) = rest.split_once("..") {
            let (hi, step) = hi_step.split_once(':').unwrap_or((hi_step, "1"));
            let (lo_v, hi_v, step_v) = (number(lo)?, number(hi)?, number(step)?);
            if step_v <= 0.0 {
                return Err(err(format!("step must be > 0, got {step_v}")));
            }
            if hi_v < lo_v {
                return Err(err(format!("empty range: {hi_v} < {lo_v}")));
            }
            let count = ((hi_v - lo_v) / step_v + 1e-9).floor() + 1.0;
            if count > MAX_GRID as f64 {
                return Err(err(format!("{count} values is too many")));
            }
            let decimals = [lo, step].iter().map(|s| decimals(s.trim())).max().unwrap_or(0);
            let scale = 10f64.powi(decimals as i32);
            (0..count as usize).map(|k| ((lo_v + k as f64 * step_v) * scale).round() / scale).collect()
        } else {
            rest.split(',').map(number).collect::<Result<Vec<f64>, _>>()?
        };
        values.sort_by(f64::total_cmp);
        values.dedup();
        Ok(ParamRange { name: name.to_string(), values })
    }
}

/// Digits after the decimal point of a number as written (`0.25` → 2, `5` → 0).
fn decimals(s: &str) -> usize {
    let mantissa = s.split(['e', 'E']).next().unwrap_or(s);
    mantissa.split_once('.').map_or(0, |(_, d)| d.len())
}

/// Number of combinations of `params` (None when it overflows `usize`).
fn size(params: &[ParamRange]) -> Option<usize> {
    params.iter().try_fold(1usize, |acc, p| acc.checked_mul(p.values.len()))
}

/// The swept parameters and a constraint on their combinations.
#[derive(Debug, Clone)]
pub struct Grid {
    pub params: Vec<ParamRange>,
    /// Kept combinations make this true (non-zero).
    constraint: Option<(String, Expr)>,
    /// Values of the strategy's other parameters, which the constraint may also name.
    fixed: BTreeMap<String, f64>,
}

impl Grid {
    /// A grid over `params` (each named once, each a parameter of the strategy, whose
    /// `[params]` are `strategy_params`), keeping combinations where `constraint` holds.
    pub fn new(params: Vec<ParamRange>, constraint: Option<&str>, strategy_params: &BTreeMap<String, f64>) -> Result<Self, InputError> {
        if params.is_empty() {
            return Err(InputError::new("--param", "a sweep needs at least one --param"));
        }
        for (k, p) in params.iter().enumerate() {
            if !strategy_params.contains_key(&p.name) {
                let known: Vec<&str> = strategy_params.keys().map(String::as_str).collect();
                return Err(InputError::new(
                    "--param",
                    format!("\"{}\" is not a parameter of the strategy (its [params]: {})", p.name, known.join(", ")),
                ));
            }
            if params[..k].iter().any(|q| q.name == p.name) {
                return Err(InputError::new("--param", format!("\"{}\" is given twice", p.name)));
            }
        }
        if size(&params).is_none_or(|t| t > MAX_GRID) {
            return Err(InputError::new("--param", format!("the grid has more than {MAX_GRID} combinations")));
        }
        let constraint = constraint
            .map(|src| {
                let expr = Expr::parse(src).map_err(|e| InputError::new("--constraint", format!("{e} in \"{src}\"")))?;
                if let Some((name, column)) = expr.identifiers().into_iter().find(|(n, _)| !strategy_params.contains_key(n)) {
                    return Err(InputError::new("--constraint", format!("column {column}: unknown parameter \"{name}\" in \"{src}\"")));
                }
                if expr.max_lag() > 0 {
                    let message = format!("\"{src}\" looks back (`[k]`, crossover or crossunder), but parameters have no past: compare their values");
                    return Err(InputError::new("--constraint", message));
                }
                Ok((src.to_string(), expr))
            })
            .transpose()?;
        Ok(Grid { params, constraint, fixed: strategy_params.clone() })
    }

    /// Parameter names, in the order of the values in each combination.
    pub fn names(&self) -> Vec<String> {
        self.params.iter().map(|p| p.name.clone()).collect()
    }

    /// The constraint as written.
    pub fn constraint(&self) -> Option<&str> {
        self.constraint.as_ref().map(|(src, _)| src.as_str())
    }

    /// Number of combinations before the constraint (None when it overflows `usize`).
    pub fn size(&self) -> Option<usize> {
        size(&self.params)
    }

    /// Every combination that satisfies the constraint, the first parameter varying slowest.
    pub fn combinations(&self) -> Vec<Vec<f64>> {
        let total = self.size().unwrap_or(0);
        let mut out = Vec::new();
        for start in (0..total).step_by(CONSTRAINT_BLOCK) {
            let block: Vec<Vec<f64>> = (start..total.min(start + CONSTRAINT_BLOCK)).map(|k| self.combination(k)).collect();
            let admitted = self.admitted(&block);
            out.extend(block.into_iter().zip(admitted).filter_map(|(combo, admitted)| admitted.then_some(combo)));
        }
        out
    }

    /// Combination `k` of the grid, in the order of [`Grid::combinations`] before the
    /// constraint.
    fn combination(&self, mut k: usize) -> Vec<f64> {
        let mut combo = vec![0.0; self.params.len()];
        for (value, p) in combo.iter_mut().zip(&self.params).rev() {
            *value = p.values[k % p.values.len()];
            k /= p.values.len();
        }
        combo
    }

    /// Whether each combination satisfies the constraint: the constraint evaluated once
    /// over them all, each parameter's values as a series (it does not look back, so each
    /// combination's result is its own).
    fn admitted(&self, combos: &[Vec<f64>]) -> Vec<bool> {
        let Some((_, expr)) = &self.constraint else { return vec![true; combos.len()] };
        let columns: Vec<Vec<f64>> = (0..self.params.len()).map(|k| combos.iter().map(|c| c[k]).collect()).collect();
        let lookup = |name: &str| {
            let swept = self.params.iter().position(|p| p.name == name).map(|k| Operand::Series(&columns[k]));
            swept.or_else(|| self.fixed.get(name).copied().map(Operand::Const))
        };
        let values = expr.eval_series(combos.len(), &lookup).expect("names were checked");
        values.into_iter().map(truth).collect()
    }

    /// `samples` distinct combinations drawn uniformly from those that satisfy the
    /// constraint (all of them when there are not more), in grid order. The same seed gives
    /// the same sample.
    pub fn sample(&self, samples: usize, seed: u64) -> Vec<Vec<f64>> {
        let all = self.combinations();
        if samples >= all.len() {
            return all;
        }
        let mut rng = Pcg64::seed_from_u64(seed);
        let mut picked = rand::seq::index::sample(&mut rng, all.len(), samples).into_vec();
        picked.sort_unstable();
        picked.into_iter().map(|k| all[k].clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(names: &[&str]) -> BTreeMap<String, f64> {
        names.iter().map(|n| (n.to_string(), 1.0)).collect()
    }

    #[test]
    fn ranges_lists_and_single_values() {
        assert_eq!(ParamRange::parse("fast=5..9:2").unwrap().values, [5.0, 7.0, 9.0]);
        assert_eq!(ParamRange::parse("fast=5..7").unwrap().values, [5.0, 6.0, 7.0]);
        assert_eq!(ParamRange::parse("w=0.1..0.5:0.1").unwrap().values, [0.1, 0.2, 0.3, 0.4, 0.5]);
        assert_eq!(ParamRange::parse("w = 3,1,2,2").unwrap().values, [1.0, 2.0, 3.0]);
        assert_eq!(ParamRange::parse("w=4").unwrap().values, [4.0]);
    }

    #[test]
    fn bad_ranges_say_what_is_wrong() {
        for (spec, needle) in [
            ("fast", "missing `=`"),
            ("fast=a..3", "\"a\" is not a number"),
            ("fast=5..3", "empty range"),
            ("fast=1..3:0", "step must be > 0"),
            ("f-x=1", "bad parameter name"),
        ] {
            let e = ParamRange::parse(spec).unwrap_err().to_string();
            assert!(e.contains(needle) && e.contains("--param"), "{spec}: {e}");
        }
    }

    #[test]
    fn grid_order_and_constraint() {
        let p = vec![ParamRange::parse("fast=1..3").unwrap(), ParamRange::parse("slow=2..3").unwrap()];
        let g = Grid::new(p, Some("fast < slow"), &params(&["fast", "slow"])).unwrap();
        assert_eq!(g.size(), Some(6));
        assert_eq!(g.combinations(), [[1.0, 2.0], [1.0, 3.0], [2.0, 3.0]]);
    }

    #[test]
    fn constraint_may_name_fixed_parameters_only_of_the_strategy() {
        let p = || vec![ParamRange::parse("fast=1..3").unwrap()];
        let mut fixed = params(&["fast", "slow"]);
        fixed.insert("slow".into(), 2.0);
        assert_eq!(Grid::new(p(), Some("fast <= slow"), &fixed).unwrap().combinations().len(), 2);
        let e = Grid::new(p(), Some("fast < nope"), &fixed).unwrap_err().to_string();
        assert!(e.contains("--constraint") && e.contains("unknown parameter \"nope\""), "{e}");
        let e = Grid::new(p(), Some("fast <"), &fixed).unwrap_err().to_string();
        assert!(e.contains("--constraint") && e.contains("column"), "{e}");
        for looking_back in ["fast[1] < slow", "crossover(fast, slow)"] {
            let e = Grid::new(p(), Some(looking_back), &fixed).unwrap_err().to_string();
            assert!(e.contains("--constraint") && e.contains("no past"), "{e}");
        }
        let e = Grid::new(vec![ParamRange::parse("other=1").unwrap()], None, &fixed).unwrap_err().to_string();
        assert!(e.contains("not a parameter of the strategy"), "{e}");
    }

    #[test]
    fn the_constraint_over_many_blocks_keeps_what_it_keeps_one_combination_at_a_time() {
        let p = vec![ParamRange::parse("a=1..100").unwrap(), ParamRange::parse("b=1..70").unwrap(), ParamRange::parse("c=0,1").unwrap()];
        let mut fixed = params(&["a", "b", "c", "d"]);
        fixed.insert("d".into(), 40.0);
        let src = "(a < b or c == 1) and a + b != d and b / (a - 50) >= -1";
        let g = Grid::new(p, Some(src), &fixed).unwrap();
        let expected: Vec<Vec<f64>> = (1..=100)
            .flat_map(|a| (1..=70).flat_map(move |b| [0, 1].map(|c| vec![a as f64, b as f64, c as f64])))
            .filter(|v| (v[0] < v[1] || v[2] == 1.0) && v[0] + v[1] != 40.0 && v[1] / (v[0] - 50.0) >= -1.0)
            .collect();
        assert!(g.size().unwrap() > 3 * CONSTRAINT_BLOCK);
        assert_eq!(g.combinations(), expected);
    }

    #[test]
    fn samples_are_seeded_distinct_and_in_grid_order() {
        let p = vec![ParamRange::parse("a=1..30").unwrap(), ParamRange::parse("b=1..30").unwrap()];
        let g = Grid::new(p, Some("a < b"), &params(&["a", "b"])).unwrap();
        let s = g.sample(50, 7);
        assert_eq!(s.len(), 50);
        assert_eq!(s, g.sample(50, 7));
        assert_ne!(s, g.sample(50, 8));
        let all = g.combinations();
        let positions: Vec<usize> = s.iter().map(|c| all.iter().position(|a| a == c).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(g.sample(10_000, 1), all);
    }
}
