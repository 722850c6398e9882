//! `tradeorch sweep`: every combination of some strategy parameters (or a seeded random
//! sample of them), in parallel, written to `reports/sweep-<name>/`.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use serde_json::{json, Value};

use super::backtest::run_name;
use super::{load_run_data, load_strategy, DataChoice, DEFAULT_STRATEGY};
use crate::data::Bars;
use crate::engine::{ExecutionConfig, ExecutionSpec};
use crate::strategy::{DataSpec, Strategy};
use crate::error::{Error, InputError, Result};
use crate::metrics::overfitting::{splits_allowed, MAX_SPLITS};
use crate::metrics::NUMBER_NAMES;
use crate::optimize::{self, Grid, ParamRange, Runner, SweepResult, SweepSettings, TrialRow};
use crate::progress;
use crate::report::charts::{self, Chart, ParamMap};
use crate::report::{self, dsr_sentence, pbo_sentence, write_text, ResultsWriter, SweepPage};

/// A parameter search: what `tradeorch sweep` and `tradeorch walkforward` share.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    pub strategy: Option<String>,
    pub data: DataChoice,
    pub overrides: ExecutionSpec,
    /// `name=lo..hi:step`, `name=a,b,c` or `name=value`, one per swept parameter.
    pub params: Vec<String>,
    /// Combinations kept must make this expression over the parameters true.
    pub constraint: Option<String>,
    /// The statistic to maximise (a statistics key, or an alias such as `sharpe`).
    pub maximize: String,
    /// Random search: this many combinations drawn with `seed` instead of all.
    pub samples: Option<usize>,
    pub seed: u64,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            strategy: None,
            data: DataChoice::default(),
            overrides: ExecutionSpec::default(),
            params: Vec::new(),
            constraint: None,
            maximize: "sharpe_ratio".into(),
            samples: None,
            seed: 0,
        }
    }
}

/// Options of `tradeorch sweep`.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub search: SearchOptions,
    /// Rows of the top table.
    pub top: usize,
    /// Splits of PBO (even); chosen from the sweep's size when None.
    pub pbo_splits: Option<usize>,
    /// The two parameters of the heatmap (default: the first two swept).
    pub heatmap: Option<(String, String)>,
    /// Output folder; default `reports/sweep-<strategy>-<data>`.
    pub out: Option<PathBuf>,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions { search: SearchOptions::default(), top: 10, pbo_splits: None, heatmap: None, out: None }
    }
}

/// A search checked and ready: the strategy, its data, and the combinations to run.
pub(crate) struct Search {
    pub strategy: Strategy,
    pub exec: ExecutionConfig,
    pub maximize: String,
    pub grid: Grid,
    pub names: Vec<String>,
    pub combos: Vec<Vec<f64>>,
    pub bars: Bars,
    pub data_spec: DataSpec,
    /// The search in words (grid or random sample, constraint).
    pub description: String,
}

impl Search {
    /// Checks the options (parameters, values, constraint, statistic), loads the strategy
    /// and the data, and lists the combinations.
    pub fn prepare(opts: &SearchOptions) -> Result<Self> {
        let strategy = load_strategy(opts.strategy.as_deref().unwrap_or(DEFAULT_STRATEGY))?;
        let exec = strategy.execution(&opts.overrides)?;
        let maximize = metric_name(&opts.maximize)?;
        let ranges = opts.params.iter().map(|p| ParamRange::parse(p)).collect::<Result<Vec<_>, _>>()?;
        let grid = Grid::new(ranges, opts.constraint.as_deref(), &strategy.file.params)?;
        for p in &grid.params {
            for &v in &p.values {
                strategy
                    .with_params(&[(p.name.clone(), v)])
                    .map_err(|e| InputError::new("--param", format!("{}={v} is not a valid value: {e}", p.name)))?;
            }
        }
        let combos = match opts.samples {
            Some(n) => grid.sample(n, opts.seed),
            None => grid.combinations(),
        };
        if combos.is_empty() {
            let what = opts.constraint.as_deref().map_or("the grid".to_string(), |c| format!("\"{c}\""));
            return Err(InputError::new("--constraint", format!("no combination satisfies {what}")).into());
        }
        let (bars, data_spec) = load_run_data(&opts.data, &strategy)?;
        let description = match opts.samples {
            Some(n) => format!("random search: {} of the combinations drawn with seed {}", n.min(combos.len()), opts.seed),
            None => "every combination of the grid".to_string(),
        };
        let description = match grid.constraint() {
            Some(c) => format!("{description}, keeping those where {c}"),
            None => description,
        };
        let names = grid.names();
        Ok(Search { strategy, exec, maximize, grid, names, combos, bars, data_spec, description })
    }

    /// The values each swept parameter takes.
    pub fn values(&self) -> Vec<Vec<f64>> {
        self.grid.params.iter().map(|p| p.values.clone()).collect()
    }

    /// `reports/<prefix>-<strategy>-<data>`.
    pub fn default_dir(&self, prefix: &str) -> PathBuf {
        let name = run_name(&self.strategy, &self.bars, &self.data_spec);
        Path::new("reports").join(format!("{prefix}-{name}"))
    }

    /// The data as `path (symbol)`.
    pub fn data_text(&self) -> String {
        match &self.bars.symbol {
            Some(s) => format!("{} ({s})", self.data_spec.path),
            None => self.data_spec.path.clone(),
        }
    }
}

/// What `tradeorch sweep` produced.
#[derive(Debug, Clone)]
pub struct SweepOutcome {
    pub dir: PathBuf,
    pub names: Vec<String>,
    pub maximize: String,
    pub result: SweepResult,
    /// True when interrupted before every combination ran.
    pub partial: bool,
    /// Stages computed once and shared by the combinations.
    pub shared_stages: usize,
}

/// Short names accepted for `--maximize`.
const ALIASES: [(&str, &str); 9] = [
    ("sharpe", "sharpe_ratio"),
    ("sortino", "sortino_ratio"),
    ("calmar", "calmar_ratio"),
    ("return", "return_pct"),
    ("cagr", "cagr_pct"),
    ("win_rate", "win_rate_pct"),
    ("max_drawdown", "max_drawdown_pct"),
    ("equity", "equity_final"),
    ("expectancy", "expectancy_pct"),
];

/// The statistic `--maximize` names.
pub fn metric_name(given: &str) -> Result<String, InputError> {
    let name = ALIASES.iter().find(|(a, _)| *a == given).map_or(given, |(_, n)| *n);
    if NUMBER_NAMES.contains(&name) {
        return Ok(name.to_string());
    }
    let aliases: Vec<&str> = ALIASES.iter().map(|(a, _)| *a).collect();
    Err(InputError::new(
        "--maximize",
        format!("unknown statistic \"{given}\" (use {} or a statistics key: {})", aliases.join(", "), NUMBER_NAMES.join(", ")),
    ))
}

/// The heatmap of `names[x]` against `names[y]`: each cell the best score over any other
/// parameters.
fn param_map(grid: &Grid, combos: &[Vec<f64>], scores: &[f64], x: usize, y: usize, metric: &str) -> ParamMap {
    let (xs, ys) = (&grid.params[x].values, &grid.params[y].values);
    let mut cells = vec![vec![f64::NAN; xs.len()]; ys.len()];
    // A parameter's values are sorted (by `total_cmp`) and distinct.
    let position = |values: &[f64], v: f64| values.binary_search_by(|w| w.total_cmp(&v)).expect("a grid value");
    for (combo, &score) in combos.iter().zip(scores) {
        if score.is_nan() {
            continue;
        }
        let cell = &mut cells[position(ys, combo[y])][position(xs, combo[x])];
        if cell.is_nan() || score > *cell {
            *cell = score;
        }
    }
    ParamMap {
        metric: metric.to_string(),
        x_name: grid.params[x].name.clone(),
        y_name: grid.params[y].name.clone(),
        others: grid.params.iter().enumerate().filter(|&(k, _)| k != x && k != y).map(|(_, p)| p.name.clone()).collect(),
        x: xs.clone(),
        y: ys.clone(),
        cells,
    }
}

fn heatmap_axes(opts: &SweepOptions, names: &[String]) -> Result<Option<(usize, usize)>, InputError> {
    let index = |n: &str| {
        names.iter().position(|m| m == n).ok_or_else(|| {
            InputError::new("--heatmap", format!("\"{n}\" is not a swept parameter (swept: {})", names.join(", ")))
        })
    };
    match &opts.heatmap {
        Some((x, y)) if x == y => Err(InputError::new("--heatmap", format!("needs two different parameters, got {x} twice"))),
        Some((x, y)) => Ok(Some((index(x)?, index(y)?))),
        None if names.len() >= 2 => Ok(Some((0, 1))),
        None => Ok(None),
    }
}

fn row_json(names: &[String], row: &TrialRow) -> Value {
    let params: serde_json::Map<String, Value> = names.iter().cloned().zip(row.params.iter().map(|&v| json!(v))).collect();
    json!({ "params": params, "stats": row.stats })
}

/// `name = lo … hi (n values)` for each swept parameter.
fn grid_lines(grid: &Grid) -> Vec<String> {
    grid.params
        .iter()
        .map(|p| match (p.values.first(), p.values.last()) {
            (Some(lo), Some(hi)) if p.values.len() > 1 => format!("{} = {lo} … {hi} ({} values)", p.name, p.values.len()),
            (Some(v), _) => format!("{} = {v}", p.name),
            _ => format!("{} (no values)", p.name),
        })
        .collect()
}

/// Runs `tradeorch sweep`; stops early with a partial result when `stop` becomes true.
pub fn sweep(opts: &SweepOptions, stop: &AtomicBool) -> Result<SweepOutcome> {
    if opts.pbo_splits.is_some_and(|s| !splits_allowed(s)) {
        return Err(InputError::new("--pbo-splits", format!("must be even, from 2 to {MAX_SPLITS}")).into());
    }
    let search = Search::prepare(&opts.search)?;
    let axes = heatmap_axes(opts, &search.names)?;
    let Search { strategy, exec, maximize, grid, names, combos, bars, data_spec, .. } = &search;
    let runner = Runner::new(strategy, exec.clone(), bars, 0..bars.len(), &search.values(), names);
    let settings = SweepSettings { maximize: maximize.clone(), top: opts.top, pbo_splits: opts.pbo_splits, overfitting: true };
    let dir = opts.out.clone().unwrap_or_else(|| search.default_dir("sweep"));
    let shared_stages = runner.cache().shared().iter().filter(|&&s| s).count();
    let data_text = search.data_text();

    let mut outcome = None;
    report::write_atomically(&dir, |tmp| {
        let mut writer = ResultsWriter::create(tmp, names)?;
        let bar = progress::bar(combos.len() as u64, "sweeping");
        // The heatmap is drawn while the overfitting statistics are worked out.
        let heatmap = |completed: usize, scores: &[f64]| -> Result<Vec<Chart>> {
            match axes {
                Some((x, y)) if completed > 0 => {
                    let map = param_map(grid, combos, scores, x, y, maximize);
                    Ok(vec![charts::write_param_heatmap(&map, &tmp.join("charts"))?])
                }
                _ => Ok(Vec::new()),
            }
        };
        let result = optimize::sweep_then(&runner, combos, &settings, Some(&bar), stop, &mut |rows| writer.write(rows), heatmap);
        bar.finish_and_clear();
        let (result, charts) = result?;
        if result.completed == 0 {
            return Err(Error::Interrupted);
        }
        writer.finish()?;
        let charts = charts?;
        let partial = result.completed < result.total;
        let period = format!("{} – {}", &result.top[0].stats.start[..10], &result.top[0].stats.end[..10]);
        let overfitting = result.overfitting.as_ref().map(|o| {
            json!({
                "trials": o.trials,
                "observations_per_trial": o.observations,
                "best_sharpe_per_bar": o.best_sharpe,
                "best_skew": o.skew,
                "best_kurtosis": o.kurtosis,
                "sharpe_variance": o.sharpe_variance,
                "expected_max_sharpe_per_bar": o.expected_max_sharpe,
                "deflated_sharpe_ratio": o.deflated_sharpe,
                "pbo_splits": o.splits,
                "pbo": o.pbo.as_ref().map(|p| p.pbo),
                "pbo_combinations": o.pbo.as_ref().map(|p| p.combinations),
                "dsr_meaning": dsr_sentence(o),
                "pbo_meaning": pbo_sentence(o),
            })
        });
        let summary = json!({
            "strategy": strategy.name(),
            "data": data_spec,
            "bars": bars.len(),
            "params": grid.params.iter().map(|p| json!({"name": p.name, "values": p.values})).collect::<Vec<_>>(),
            "constraint": grid.constraint(),
            "search": match opts.search.samples {
                Some(n) => json!({"mode": "random", "samples": n, "seed": opts.search.seed}),
                None => json!({"mode": "grid"}),
            },
            "maximize": maximize,
            "combinations": result.total,
            "completed": result.completed,
            "partial": partial,
            "shared_stages": shared_stages,
            "top": result.top.iter().map(|r| row_json(names, r)).collect::<Vec<_>>(),
            "overfitting": overfitting,
        });
        let text = serde_json::to_string_pretty(&summary).map_err(|e| Error::Run(format!("cannot write summary.json: {e}")))?;
        write_text(&tmp.join("summary.json"), &(text + "\n"))?;
        if partial {
            let note = format!(
                "This sweep was interrupted: results.csv and results.parquet hold the {} of {} combinations that finished (the first {} in grid order).\n",
                result.completed, result.total, result.completed
            );
            write_text(&tmp.join("PARTIAL.txt"), &note)?;
        }
        let grid_text = grid_lines(grid);
        let page = SweepPage {
            strategy: strategy.name(),
            data: &data_text,
            period: &period,
            grid: &grid_text,
            search: &search.description,
            maximize,
            names,
            completed: result.completed,
            total: result.total,
            partial,
            top: &result.top,
            overfitting: result.overfitting.as_ref(),
            charts: &charts,
        };
        write_text(&tmp.join("report.html"), &report::render_sweep(&page))?;
        outcome = Some(SweepOutcome { dir: dir.clone(), names: names.clone(), maximize: maximize.clone(), result, partial, shared_stages });
        Ok(())
    })?;
    Ok(outcome.expect("set when the folder was written"))
}

/// The best combinations and the overfitting statistics, as text for the terminal.
pub fn sweep_table(outcome: &SweepOutcome) -> String {
    use std::fmt::Write as _;
    let r = &outcome.result;
    let mut out = format!("{} of {} combinations, best by {}:\n\n", r.completed, r.total, outcome.maximize);
    let columns = ["return_pct", "sharpe_ratio", "max_drawdown_pct", "trades"];
    let mut header: Vec<String> = vec!["rank".into()];
    header.extend(outcome.names.iter().cloned());
    header.extend(columns.iter().map(|c| c.to_string()));
    let mut rows = vec![header];
    for (k, row) in r.top.iter().enumerate() {
        let mut cells = vec![(k + 1).to_string()];
        cells.extend(row.params.iter().map(|v| v.to_string()));
        cells.extend(columns.iter().map(|c| {
            let v = row.stats.number(c).unwrap_or(f64::NAN);
            if *c == "trades" { format!("{v}") } else { format!("{v:.3}") }
        }));
        rows.push(cells);
    }
    out.push_str(&report::aligned_rows(&rows));
    if let Some(o) = &r.overfitting {
        let _ = writeln!(out, "\n{}\n\n{}", dsr_sentence(o), pbo_sentence(o));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn param_map_keeps_each_cells_best_score() {
        let params = ["a=-2,0.5,3", "b=1..3", "c=7,8"].map(|p| ParamRange::parse(p).unwrap()).to_vec();
        let strategy_params: BTreeMap<String, f64> = [("a", 0.0), ("b", 0.0), ("c", 0.0)].map(|(n, v)| (n.to_string(), v)).into();
        let grid = Grid::new(params, Some("a < b"), &strategy_params).unwrap();
        let combos = grid.combinations();
        // A score from each combination's values, NaN for one of them.
        let scores: Vec<f64> = combos.iter().map(|c| if c == &[0.5, 2.0, 8.0] { f64::NAN } else { c[0] * 10.0 + c[1] - c[2] }).collect();
        let map = param_map(&grid, &combos, &scores, 1, 0, "score");
        assert_eq!((map.x.clone(), map.y.clone()), (vec![1.0, 2.0, 3.0], vec![-2.0, 0.5, 3.0]));
        assert_eq!(map.others, ["c"]);
        let expected = |a: f64, b: f64, c: f64| a * 10.0 + b - c;
        assert_eq!(map.cells[0], [expected(-2.0, 1.0, 7.0), expected(-2.0, 2.0, 7.0), expected(-2.0, 3.0, 7.0)]);
        // (0.5, 2) ran with c = 7 only; a = 3 never satisfies a < b.
        assert_eq!(map.cells[1], [expected(0.5, 1.0, 7.0), expected(0.5, 2.0, 7.0), expected(0.5, 3.0, 7.0)]);
        assert!(map.cells[2].iter().all(|v| v.is_nan()));
    }
}
