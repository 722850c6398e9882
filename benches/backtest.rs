//! GOOG daily SMA-crossover benchmarks: the engine loop alone, the whole in-process
//! backtest (stages + loop + statistics), and loading the data file.
//!
//! Run with `cargo bench --bench backtest`. Targets (issue #2): engine loop for 2,148 bars
//! under 50 µs; the whole `tradeorch backtest` process under 100 ms (`benches/process.sh`).

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use tradeorch::commands::load_strategy;
use tradeorch::data::{load_bars, LoadOptions};
use tradeorch::orchestrator;

fn goog_sma_cross(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/GOOG.csv");
    let bars = load_bars(&path, &LoadOptions::default()).expect("GOOG loads");
    let strategy = load_strategy("sma_cross").expect("built-in strategy");
    let exec = strategy.execution(&Default::default()).expect("execution settings");
    let outputs = orchestrator::compute_stages(&strategy, &bars);

    c.bench_function("engine_loop_goog_sma_cross", |b| {
        b.iter(|| orchestrator::trade(&strategy, black_box(&bars), &exec, &outputs).unwrap())
    });
    c.bench_function("backtest_goog_sma_cross", |b| {
        b.iter(|| orchestrator::backtest(&strategy, black_box(&bars), &exec).unwrap())
    });
    c.bench_function("load_goog_csv", |b| {
        b.iter(|| load_bars(black_box(&path), &LoadOptions::default()).unwrap())
    });
}

criterion_group!(benches, goog_sma_cross);
criterion_main!(benches);
