//! Benchmarks (criterion): `cargo bench --bench backtest`.
//!
//! Targets: the engine loop of the GOOG SMA crossover (2,148 bars) under 50 µs (issue #2);
//! every shipped strategy on GOOG under 20 ms in the engine (issue #3); stages over
//! 10,000 symbols × 2,500 bars at over 100 M indicator values/s on 2 cores (issue #3).
//! All charts and the HTML of a 10-year daily run under 300 ms, and `compare` of the five
//! shipped strategies under 1 s wall time (issue #4).
//! The SMA-crossover sweep of issue #5 (fast 2..100 × slow fast+1..200, 14,751
//! combinations, 0.2 % commission) in-process, and its parts: one combination, re-resolving
//! the strategy, the statistics, the PBO of its 14,751 trials. The whole `tradeorch sweep` process and the peers
//! (vectorbt, backtesting.py) are timed by `benches/sweep.sh` and `benches/peers/`.
//! The whole `tradeorch backtest` process is timed by `benches/process.sh`.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rayon::prelude::*;
use tradeorch::commands::{self, load_strategy, BacktestOptions, CompareOptions, BUILTIN_STRATEGIES};
use tradeorch::report::charts::ChartOptions;
use tradeorch::report::{self, RunRecord};
use tradeorch::data::{load_bars, Bars, LoadOptions};
use tradeorch::orchestrator;

fn goog() -> Bars {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/GOOG.csv");
    load_bars(&path, &LoadOptions::default()).expect("GOOG loads")
}

fn goog_sma_cross(c: &mut Criterion) {
    let bars = goog();
    let strategy = load_strategy("sma_cross").expect("built-in strategy");
    let exec = strategy.execution(&Default::default()).expect("execution settings");
    let (outputs, signals) = orchestrator::prepare(&strategy, &bars).unwrap();

    c.bench_function("engine_loop_goog_sma_cross", |b| {
        b.iter(|| orchestrator::trade(&strategy, black_box(&bars), &exec, &outputs, &signals, None).unwrap())
    });
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/GOOG.csv");
    c.bench_function("load_goog_csv", |b| {
        b.iter(|| load_bars(black_box(&path), &LoadOptions::default()).unwrap())
    });
}

fn shipped_strategies(c: &mut Criterion) {
    let bars = goog();
    let mut group = c.benchmark_group("strategy_goog");
    for (name, _) in BUILTIN_STRATEGIES {
        let strategy = load_strategy(name).unwrap();
        let exec = strategy.execution(&Default::default()).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| orchestrator::backtest(&strategy, black_box(&bars), &exec, false).unwrap())
        });
    }
    group.finish();
}

/// `symbols` deterministic random-walk bar series of `len` bars.
fn universe(symbols: usize, len: usize) -> Vec<Bars> {
    (0..symbols)
        .into_par_iter()
        .map(|s| {
            let mut state = (s as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut price = 100.0;
            let mut close = Vec::with_capacity(len);
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                price *= 1.0 + ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.04;
                close.push(price);
            }
            Bars {
                symbol: None,
                time: (0..len as i64).collect(),
                open: close.clone(),
                high: close.iter().map(|c| c * 1.01).collect(),
                low: close.iter().map(|c| c * 0.99).collect(),
                close,
                volume: None,
            }
        })
        .collect()
}

fn stages_over_many_symbols(c: &mut Criterion) {
    const SYMBOLS: usize = 10_000;
    const BARS: usize = 2_500;
    let data = universe(SYMBOLS, BARS);
    // Every stage of every shipped strategy: SMAs, EMA, RSI, MACD (3), Bollinger (3) …
    let strategy = load_strategy("ensemble_vote").unwrap();
    let outputs_per_symbol = strategy.pipeline.stages().iter().map(|s| s.outputs().len()).sum::<usize>();
    let mut group = c.benchmark_group("stages_10k_symbols_x_2500_bars");
    group.sample_size(10);
    group.throughput(Throughput::Elements((SYMBOLS * BARS * outputs_per_symbol) as u64));
    group.bench_function("ensemble_vote_stages", |b| {
        b.iter(|| {
            data.par_iter()
                .map(|bars| strategy.pipeline.compute(bars).unwrap().len())
                .sum::<usize>()
        })
    });
    group.finish();
}

fn reports(c: &mut Criterion) {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let opts = BacktestOptions { out: Some(run.clone()), ..Default::default() };
    commands::backtest(&opts).unwrap();
    let record = RunRecord::load(&run).unwrap();
    let mut group = c.benchmark_group("reports");
    group.sample_size(20);
    group.bench_function("charts_and_html_goog_10y", |b| {
        b.iter(|| report::write_report(black_box(&record), &run, &ChartOptions::default()).unwrap())
    });
    let names: Vec<String> = BUILTIN_STRATEGIES.iter().map(|(n, _)| n.to_string()).collect();
    let compare = CompareOptions { strategies: names, out: Some(tmp.path().join("cmp")), ..Default::default() };
    group.bench_function("compare_five_shipped_strategies", |b| b.iter(|| commands::compare(&compare).unwrap()));
    group.finish();
}

fn sweep_grid(c: &mut Criterion) {
    use std::sync::atomic::AtomicBool;
    use tradeorch::engine::ExecutionSpec;
    use tradeorch::metrics::overfitting::{pbo_from_blocks, BlockSums};
    use tradeorch::metrics::StatsContext;
    use tradeorch::optimize::{sweep, Grid, ParamRange, Runner, SweepSettings};

    let bars = goog();
    let strategy = load_strategy("sma_cross").expect("built-in strategy");
    let exec = strategy.execution(&ExecutionSpec { commission: Some(0.002), ..Default::default() }).unwrap();
    let ranges = vec![ParamRange::parse("fast=2..100").unwrap(), ParamRange::parse("slow=3..200").unwrap()];
    let grid = Grid::new(ranges, Some("fast < slow"), &strategy.file.params).unwrap();
    let combos = grid.combinations();
    assert_eq!(combos.len(), 14_751);
    let values: Vec<Vec<f64>> = grid.params.iter().map(|p| p.values.clone()).collect();
    let settings = SweepSettings { maximize: "sharpe_ratio".into(), top: 10, pbo_splits: None, overfitting: true };
    let mut group = c.benchmark_group("sweep");
    group.sample_size(10);
    group.bench_function("sma_grid_14751_goog", |b| {
        b.iter(|| {
            let runner = Runner::new(&strategy, exec.clone(), &bars, 0..bars.len(), &values, &grid.names());
            sweep(&runner, &combos, &settings, None, &AtomicBool::new(false), &mut |_| Ok(())).unwrap()
        })
    });
    group.finish();
    let runner = Runner::new(&strategy, exec.clone(), &bars, 0..bars.len(), &values, &grid.names());
    c.bench_function("sweep_one_combination", |b| b.iter(|| runner.run(black_box(&[10.0, 20.0])).unwrap()));
    let pairs = vec![("fast".to_string(), 10.0), ("slow".to_string(), 20.0)];
    c.bench_function("strategy_with_params", |b| b.iter(|| strategy.with_params(black_box(&pairs)).unwrap()));
    let run = runner.run(&[10.0, 20.0]).unwrap();
    // PBO of the sweep: 14,751 trials' block sums, C(12, 6) = 924 block sets.
    let blocks: Vec<BlockSums> = (0..14_751)
        .map(|k| {
            let returns: Vec<f64> = (0..2_147)
                .map(|i| ((i * 7 + k * 13) % 101) as f64 * 1e-4 - 5e-3)
                .collect();
            BlockSums::new(&returns, 12)
        })
        .collect();
    c.bench_function("pbo_14751_trials_12_splits", |b| {
        b.iter(|| pbo_from_blocks(black_box(&blocks)).unwrap())
    });
    let context = StatsContext::new(&bars.time, &bars.close);
    // With the equity's bar-to-bar ratios, as a backtest works them out.
    c.bench_function("statistics_one_run", |b| {
        b.iter(|| {
            let ratios = tradeorch::metrics::ratios(black_box(&run.simulation.equity));
            orchestrator::statistics(black_box(&bars), &context, &run.simulation, &ratios, 20)
        })
    });
}

criterion_group!(benches, sweep_grid, goog_sma_cross, shipped_strategies, stages_over_many_symbols, reports);
criterion_main!(benches);
