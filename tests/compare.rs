//! `tradeorch compare`: the table matches each strategy's own backtest, and finished runs
//! can be compared too.

use tradeorch::commands::{self, BacktestOptions, Benchmark, CompareOptions, BUILTIN_STRATEGIES};

#[test]
fn compare_of_the_shipped_strategies_matches_their_own_backtests() {
    let tmp = tempfile::tempdir().unwrap();
    let names: Vec<String> = BUILTIN_STRATEGIES.iter().map(|(n, _)| n.to_string()).collect();
    let opts = CompareOptions { strategies: names.clone(), out: Some(tmp.path().join("cmp")), ..Default::default() };
    let c = commands::compare(&opts).unwrap();
    assert_eq!(c.names, names);
    for (name, stats) in names.iter().zip(&c.stats) {
        let own = commands::backtest(&BacktestOptions {
            strategy: Some(name.clone()),
            out: Some(tmp.path().join(name)),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(stats, &own.backtest.stats, "{name}");
    }
    // The benchmark is buy and hold of GOOG from the first bar.
    let closes = &c.records[0].equity;
    let bh = (closes.last().unwrap().close / closes[0].close - 1.0) * 100.0;
    assert!((c.benchmark.return_pct - bh).abs() < 1e-9);
    // Correlations: a symmetric matrix with a unit diagonal, one row per run plus the benchmark.
    assert_eq!(c.correlation.len(), names.len() + 1);
    for (i, row) in c.correlation.iter().enumerate() {
        assert!((row[i] - 1.0).abs() < 1e-12);
        for (j, v) in row.iter().enumerate() {
            assert!((v - c.correlation[j][i]).abs() < 1e-12 && v.abs() <= 1.0 + 1e-12);
        }
    }
    let best = c.stats.iter().map(|s| s.sharpe_ratio).fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(c.stats[c.best].sharpe_ratio, best);
    assert_eq!(c.tests.len(), names.len() - 1);
    assert!(c.verdict.starts_with(&format!("{} has the highest Sharpe ratio", names[c.best])), "{}", c.verdict);
    for f in [
        "comparison.json",
        "comparison.csv",
        "correlation.csv",
        "report.html",
        "charts/compare_equity.png",
        "charts/compare_drawdown.svg",
        "runs/sma_cross/stats.json",
        "runs/sma_cross/report.html",
    ] {
        assert!(c.dir.join(f).is_file(), "{f}");
    }
    let html = std::fs::read_to_string(c.dir.join("report.html")).unwrap();
    assert!(html.contains("href=\"runs/ensemble_vote/report.html\"") && html.contains("Correlation of per-bar returns"));
    assert!(html.matches("<svg").count() >= 2 && !html.contains("http://") && !html.contains("https://"));
    let table = std::fs::read_to_string(c.dir.join("comparison.csv")).unwrap();
    assert!(table.starts_with("statistic,sma_cross,rsi_mean_reversion,macd_trend,bollinger_breakout,ensemble_vote,benchmark\n"));
}

#[test]
fn finished_runs_compare_like_fresh_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let fresh = commands::compare(&CompareOptions {
        strategies: vec!["sma_cross".into(), "macd_trend".into()],
        out: Some(tmp.path().join("fresh")),
        ..Default::default()
    })
    .unwrap();
    let runs = vec![tmp.path().join("fresh/runs/sma_cross"), tmp.path().join("fresh/runs/macd_trend")];
    let again = commands::compare(&CompareOptions { runs, out: Some(tmp.path().join("again")), ..Default::default() }).unwrap();
    assert_eq!(again.stats, fresh.stats);
    assert_eq!(again.correlation, fresh.correlation);
    assert_eq!(again.verdict, fresh.verdict);
}

#[test]
fn a_benchmark_file_is_bought_and_held() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bench.csv");
    std::fs::write(&file, "date,open,high,low,close\n2004-01-02,1,1,1,1\n2010-01-04,2,2,2,2\n").unwrap();
    let c = commands::compare(&CompareOptions {
        strategies: vec!["sma_cross".into()],
        benchmark: Benchmark::File(file),
        out: Some(tmp.path().join("cmp")),
        ..Default::default()
    })
    .unwrap();
    assert!((c.benchmark.return_pct - 100.0).abs() < 1e-9, "{}", c.benchmark.return_pct);
}
