//! `tradeorch compare`: several strategies on the same data (in parallel), or finished runs,
//! side by side, with return correlations and a test of the best Sharpe ratio.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::backtest::{run_and_write, slug};
use super::{load_run_data, load_strategy, DataChoice};
use crate::data::{load_bars, LoadOptions};
use crate::engine::ExecutionSpec;
use crate::error::{Error, InputError, Result};
use crate::metrics::compare::{correlation, returns, sharpe_difference, SharpeTest};
use crate::metrics::{self, Stats, StatsInput};
use crate::progress;
use crate::report::charts::{self, ChartOptions, Curve};
use crate::report::{self, ComparisonPage, RunRecord};

/// What the strategies are measured against.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Benchmark {
    /// Buying the traded data at the first bar and holding it.
    #[default]
    BuyAndHold,
    /// Buying and holding the close of another data file, aligned by time.
    File(PathBuf),
}

impl std::str::FromStr for Benchmark {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(if s == "buy-and-hold" { Benchmark::BuyAndHold } else { Benchmark::File(PathBuf::from(s)) })
    }
}

/// Options of `tradeorch compare`.
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    /// Strategy files or built-in names to run.
    pub strategies: Vec<String>,
    /// Finished run folders to compare instead.
    pub runs: Vec<PathBuf>,
    pub data: DataChoice,
    pub overrides: ExecutionSpec,
    pub benchmark: Benchmark,
    /// Output folder; default `reports/compare-<names>`.
    pub out: Option<PathBuf>,
}

/// The best strategy's Sharpe ratio tested against another's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairTest {
    pub other: String,
    #[serde(flatten)]
    pub test: SharpeTest,
}

/// The comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Run names, in the order given.
    pub names: Vec<String>,
    pub stats: Vec<Stats>,
    /// The benchmark's statistics (no trades).
    pub benchmark: Stats,
    /// Correlations of per-bar returns; the last row/column is the benchmark.
    pub correlation: Vec<Vec<f64>>,
    /// Index of the run with the highest Sharpe ratio.
    pub best: usize,
    /// The best run's Sharpe ratio against each other run's.
    pub tests: Vec<PairTest>,
    /// The test's result in plain words.
    pub verdict: String,
    /// Folder written.
    #[serde(skip)]
    pub dir: PathBuf,
    /// The runs compared (kept for charts and the HTML report).
    #[serde(skip)]
    pub records: Vec<RunRecord>,
    /// Equity of each run and of the benchmark, and the bar times (ns).
    #[serde(skip)]
    pub equities: Vec<Vec<f64>>,
    #[serde(skip)]
    pub benchmark_equity: Vec<f64>,
    #[serde(skip)]
    pub times: Vec<i64>,
}

fn default_name(names: &[String]) -> String {
    let mut joined = names.iter().map(|n| slug(n)).collect::<Vec<_>>().join("_");
    joined.truncate(80);
    format!("compare-{joined}")
}

/// The benchmark's equity at each of `times`, starting from `cash`.
fn benchmark_equity(benchmark: &Benchmark, times: &[i64], closes: &[f64], cash: f64) -> Result<Vec<f64>> {
    let aligned: Vec<f64> = match benchmark {
        Benchmark::BuyAndHold => closes.to_vec(),
        Benchmark::File(path) => {
            let b = load_bars(path, &LoadOptions::default())?;
            // Each time takes the benchmark's latest close at or before it.
            let mut k = 0;
            let mut out = Vec::with_capacity(times.len());
            for &t in times {
                while k < b.len() && b.time[k] <= t {
                    k += 1;
                }
                out.push(if k == 0 { f64::NAN } else { b.close[k - 1] });
            }
            let first = out.iter().position(|v| !v.is_nan()).ok_or_else(|| {
                InputError::new(path, "the benchmark has no data before the end of the compared runs")
            })?;
            let first_value = out[first];
            out[..first].fill(first_value);
            out
        }
    };
    Ok(aligned.iter().map(|c| cash * c / aligned[0]).collect())
}

/// The plain-words result of the Sharpe test.
fn verdict(names: &[String], stats: &[Stats], best: usize, tests: &[PairTest]) -> String {
    let mut text = format!(
        "{} has the highest Sharpe ratio ({:.3} annualised).",
        names[best], stats[best].sharpe_ratio
    );
    for t in tests {
        let significant = t.test.p_value < 0.05;
        text += &format!(
            " Against {}: z = {:.2}, one-sided p = {:.3} — {}.",
            t.other,
            t.test.z,
            t.test.p_value,
            if significant {
                "significantly higher at the 5 % level"
            } else {
                "not significant at the 5 % level; the difference could well be luck"
            }
        );
    }
    text + " (Jobson-Korkie test of per-bar Sharpe ratios with Memmel's correction.)"
}

/// The output folder: `--out`, else `reports/compare-<names>`.
fn output_dir(opts: &CompareOptions, names: &[String]) -> PathBuf {
    opts.out.clone().unwrap_or_else(|| Path::new("reports").join(default_name(names)))
}

/// Runs every strategy on the same bars in parallel, each writing its run folder under
/// `<dir>/runs/`; returns the runs, the close prices and the output folder.
fn run_strategies(opts: &CompareOptions) -> Result<(Vec<RunRecord>, Vec<f64>, PathBuf)> {
    let strategies = opts.strategies.iter().map(|s| load_strategy(s)).collect::<Result<Vec<_>, _>>()?;
    let names: Vec<String> = strategies.iter().map(|s| s.name().to_string()).collect();
    let dir = output_dir(opts, &names);
    let (bars, data_spec) = load_run_data(&opts.data, &strategies[0])?;
    let bar = progress::bar(strategies.len() as u64, "backtests");
    let records = strategies
        .par_iter()
        .map(|s| {
            let run_dir = dir.join("runs").join(slug(s.name()));
            let record = run_and_write(s, &bars, &data_spec, &opts.overrides, &run_dir, &ChartOptions::default()).map(|(_, r)| r);
            bar.inc(1);
            record
        })
        .collect::<Result<Vec<_>>>()?;
    bar.finish_and_clear();
    Ok((records, bars.close, dir))
}

/// Loads finished runs; returns them, the close prices of the first and the output folder.
fn load_runs(opts: &CompareOptions) -> Result<(Vec<RunRecord>, Vec<f64>, PathBuf)> {
    let records = opts.runs.iter().map(|d| RunRecord::load(d)).collect::<Result<Vec<_>>>()?;
    let names: Vec<String> = records.iter().map(|r| r.name.clone()).collect();
    let closes = records[0].equity.iter().map(|r| r.close).collect();
    Ok((records, closes, output_dir(opts, &names)))
}

/// Runs `tradeorch compare` and writes its folder.
pub fn compare(opts: &CompareOptions) -> Result<Comparison> {
    let (records, closes, dir) = match (opts.strategies.is_empty(), opts.runs.is_empty()) {
        (false, true) => run_strategies(opts)?,
        (true, false) => load_runs(opts)?,
        _ => return Err(InputError::new("compare", "give strategies or --runs, not both (nor neither)").into()),
    };
    let names: Vec<String> = records.iter().map(|r| r.name.clone()).collect();
    let times = records[0].times();
    for r in &records[1..] {
        if r.times() != times {
            return Err(InputError::new(
                "--runs",
                format!("runs {} and {} cover different bars; compare runs made on the same data", records[0].name, r.name),
            )
            .into());
        }
    }
    let cash = records[0].equity[0].equity;
    let bench = benchmark_equity(&opts.benchmark, &times, &closes, cash)?;
    let bench_stats = metrics::compute(StatsInput { time: &times, close: &closes, equity: &bench, trades: &[], first_trading_bar: 0 });

    let equities: Vec<Vec<f64>> = records.iter().map(|r| r.equity.iter().map(|e| e.equity).collect()).collect();
    let mut series: Vec<Vec<f64>> = equities.iter().map(|e| returns(e)).collect();
    series.push(returns(&bench));
    let correlation = series.iter().map(|a| series.iter().map(|b| correlation(a, b)).collect()).collect();
    let stats: Vec<Stats> = records.iter().map(|r| r.stats.clone()).collect();
    let best = (0..stats.len())
        .max_by(|&a, &b| stats[a].sharpe_ratio.total_cmp(&stats[b].sharpe_ratio))
        .expect("at least one run");
    let tests: Vec<PairTest> = (0..records.len())
        .filter(|&k| k != best)
        .map(|k| PairTest { other: names[k].clone(), test: sharpe_difference(&series[best], &series[k]) })
        .collect();
    let verdict = verdict(&names, &stats, best, &tests);
    let comparison = Comparison {
        names,
        stats,
        benchmark: bench_stats,
        correlation,
        best,
        tests,
        verdict,
        dir: dir.clone(),
        records,
        equities,
        benchmark_equity: bench,
        times,
    };
    write_comparison(&comparison, &dir)?;
    Ok(comparison)
}

/// The equity curves of the runs, then the benchmark's.
pub fn curves(c: &Comparison) -> Vec<Curve<'_>> {
    let mut curves: Vec<Curve> = c
        .records
        .iter()
        .zip(&c.equities)
        .map(|(r, e)| Curve { name: &r.name, equity: e, reference: false })
        .collect();
    curves.push(Curve { name: "benchmark", equity: &c.benchmark_equity, reference: true });
    curves
}

/// Writes `comparison.json`, `comparison.csv`, `correlation.csv` and the overlay charts
/// into `dir`.
fn write_comparison(c: &Comparison, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let curves = curves(c);
    let svgs = charts::write_overlay_charts(&c.times, &curves, &dir.join("charts"))?;
    // Runs made by this comparison sit in `runs/`; link their reports.
    let reports: Vec<String> = c
        .names
        .iter()
        .map(|n| {
            let rel = format!("runs/{}/report.html", slug(n));
            if dir.join(&rel).is_file() { rel } else { String::new() }
        })
        .collect();
    let page = ComparisonPage {
        names: &c.names,
        reports: &reports,
        stats: &c.stats,
        benchmark: &c.benchmark,
        correlation: &c.correlation,
        verdict: &c.verdict,
        charts: &svgs,
    };
    report::write_text(&dir.join("report.html"), &report::render_comparison(&page))?;
    let json = serde_json::to_string_pretty(c).expect("comparison serializes");
    report::write_text(&dir.join("comparison.json"), &(json + "\n"))?;
    let mut table = String::from("statistic");
    for n in &c.names {
        table += &format!(",{}", csv_cell(n));
    }
    table += ",benchmark\n";
    let rows: Vec<Vec<(&str, String)>> = c.stats.iter().chain([&c.benchmark]).map(report::summary_rows).collect();
    for (k, (label, _)) in rows[0].iter().enumerate() {
        table += &csv_cell(label);
        for r in &rows {
            table += &format!(",{}", csv_cell(&r[k].1));
        }
        table.push('\n');
    }
    report::write_text(&dir.join("comparison.csv"), &table)?;
    let mut corr = String::from("run");
    let labels: Vec<String> = c.names.iter().cloned().chain(["benchmark".to_string()]).collect();
    for n in &labels {
        corr += &format!(",{}", csv_cell(n));
    }
    corr.push('\n');
    for (n, row) in labels.iter().zip(&c.correlation) {
        corr += &csv_cell(n);
        for v in row {
            corr += &format!(",{v}");
        }
        corr.push('\n');
    }
    report::write_text(&dir.join("correlation.csv"), &corr)
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The side-by-side statistics as a terminal table.
pub fn comparison_table(c: &Comparison) -> String {
    let rows: Vec<Vec<(&str, String)>> = c.stats.iter().chain([&c.benchmark]).map(report::summary_rows).collect();
    let headers: Vec<String> = c.names.iter().cloned().chain(["benchmark".to_string()]).collect();
    let label_width = rows[0].iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    let widths: Vec<usize> = headers
        .iter()
        .zip(&rows)
        .map(|(h, r)| r.iter().map(|(_, v)| v.len()).max().unwrap_or(0).max(h.len()))
        .collect();
    let mut out = format!("{:<label_width$}", "");
    for (h, w) in headers.iter().zip(&widths) {
        out += &format!("  {h:>w$}");
    }
    out.push('\n');
    for k in 0..rows[0].len() {
        out += &format!("{:<label_width$}", rows[0][k].0);
        for (r, w) in rows.iter().zip(&widths) {
            out += &format!("  {:>w$}", r[k].1);
        }
        out.push('\n');
    }
    out
}
