//! `tradeorch walkforward`: each window picks the best combination of its training window,
//! the out-of-sample curve is the test windows chained, later data changes nothing in
//! earlier windows, and the files are identical on a rerun.

mod common;

use std::path::Path;
use std::sync::atomic::AtomicBool;

use common::{goog, snapshot, tradeorch};
use tradeorch::commands::{self, load_strategy, SearchOptions, WalkForwardOptions};
use tradeorch::data::Bars;
use tradeorch::engine::ExecutionSpec;
use tradeorch::optimize::walkforward::windows;
use tradeorch::optimize::{walk_forward, Grid, ParamRange, Runner, Span, WalkForward};
use tradeorch::orchestrator::lookahead::scramble_after;

fn analyse(bars: &Bars, anchored: bool) -> (WalkForward, Vec<Vec<f64>>) {
    let strategy = load_strategy("sma_cross").unwrap();
    let exec = strategy.execution(&ExecutionSpec { commission: Some(0.002), ..Default::default() }).unwrap();
    let ranges = vec![ParamRange::parse("fast=5..20:5").unwrap(), ParamRange::parse("slow=20..60:10").unwrap()];
    let grid = Grid::new(ranges, Some("fast < slow"), &strategy.file.params).unwrap();
    let combos = grid.combinations();
    let values: Vec<Vec<f64>> = grid.params.iter().map(|p| p.values.clone()).collect();
    let ws = windows(&bars.time, Span::Months(24), Span::Months(12), anchored);
    let wf = walk_forward(&strategy, &exec, bars, &ws, &combos, &values, &grid.names(), "sharpe_ratio", &AtomicBool::new(false), None).unwrap();
    (wf, combos)
}

#[test]
fn each_window_trades_the_best_combination_of_its_training_window() {
    let bars = goog();
    let (wf, combos) = analyse(&bars, false);
    assert!(wf.windows.len() >= 5);
    let strategy = load_strategy("sma_cross").unwrap();
    let exec = strategy.execution(&ExecutionSpec { commission: Some(0.002), finalize_trades: Some(true), ..Default::default() }).unwrap();
    let names = vec!["fast".to_string(), "slow".to_string()];
    let values = vec![vec![5.0, 10.0, 15.0, 20.0], vec![20.0, 30.0, 40.0, 50.0, 60.0]];
    for w in &wf.windows {
        let win = w.window;
        let train = Runner::new(&strategy, exec.clone(), &bars, win.train_start..win.test_start, &values, &names);
        let sharpes: Vec<f64> = combos.iter().map(|c| train.run(c).unwrap().stats.sharpe_ratio).collect();
        let best = sharpes.iter().cloned().filter(|s| !s.is_nan()).fold(f64::NEG_INFINITY, f64::max);
        let first_best = combos[sharpes.iter().position(|&s| s == best).unwrap()].clone();
        assert_eq!(w.params, first_best, "window {win:?}");
        assert_eq!(w.in_sample.sharpe_ratio, best);
        assert_eq!(w.trials, combos.len());
        // Trading starts in the test window, never before.
        assert_eq!(w.out_of_sample.start, tradeorch::metrics::format_time(bars.time[win.test_start]));
    }
}

#[test]
fn the_out_of_sample_curve_chains_the_test_windows() {
    let bars = goog();
    let (wf, _) = analyse(&bars, false);
    assert_eq!(wf.equity.len(), wf.bars.len());
    let first = wf.windows[0].window.test_start;
    assert_eq!(wf.bars.time[0], bars.time[first]);
    assert_eq!(*wf.bars.time.last().unwrap(), bars.time[wf.windows.last().unwrap().window.test_end - 1]);
    // Consecutive test windows, no gap, no overlap.
    assert!(wf.windows.windows(2).all(|p| p[0].window.test_end == p[1].window.test_start));
    // Compounding each window's return gives the whole return.
    let growth: f64 = wf.windows.iter().map(|w| 1.0 + w.out_of_sample.return_pct / 100.0).product();
    assert!((growth - (1.0 + wf.stats.return_pct / 100.0)).abs() < 1e-9, "{growth} vs {}", wf.stats.return_pct);
    // Trades are re-indexed onto the stitched bars and count the same.
    let trades: usize = wf.windows.iter().map(|w| w.out_of_sample.trades).sum();
    assert_eq!(wf.trades.len(), trades);
    assert_eq!(wf.stats.trades, trades);
    let mean_is = wf.windows.iter().map(|w| w.in_sample.return_ann_pct).sum::<f64>() / wf.windows.len() as f64;
    assert_eq!(wf.efficiency, wf.stats.return_ann_pct / mean_is);
}

#[test]
fn anchored_windows_train_from_the_start() {
    let bars = goog();
    let (rolling, _) = analyse(&bars, false);
    let (anchored, _) = analyse(&bars, true);
    assert_eq!(rolling.windows.len(), anchored.windows.len());
    assert!(anchored.windows.iter().all(|w| w.window.train_start == 0));
    assert!(rolling.windows.iter().skip(1).all(|w| w.window.train_start > 0));
}

#[test]
fn later_data_changes_nothing_in_earlier_windows() {
    let bars = goog();
    let (wf, _) = analyse(&bars, false);
    let k = 2;
    let cut = wf.windows[k].window.test_end;
    let (changed, _) = analyse(&scramble_after(&bars, cut - 1), false);
    for (a, b) in wf.windows.iter().zip(&changed.windows).take(k + 1) {
        assert_eq!(a.window, b.window);
        assert_eq!(a.params, b.params);
        assert_eq!(serde_json::to_string(&a.in_sample).unwrap(), serde_json::to_string(&b.in_sample).unwrap());
        assert_eq!(serde_json::to_string(&a.out_of_sample).unwrap(), serde_json::to_string(&b.out_of_sample).unwrap());
    }
    // The scrambling is not a no-op: something later differs.
    let later = |w: &WalkForward| w.windows.iter().skip(k + 1).map(|x| x.out_of_sample.return_pct).collect::<Vec<_>>();
    assert_ne!(later(&wf), later(&changed));
}

fn options(out: &Path) -> WalkForwardOptions {
    WalkForwardOptions {
        search: SearchOptions {
            params: vec!["fast=5..20:5".into(), "slow=20..60:10".into()],
            constraint: Some("fast < slow".into()),
            ..SearchOptions::default()
        },
        train: "500".into(),
        test: "250".into(),
        anchored: false,
        out: Some(out.to_path_buf()),
    }
}

#[test]
fn the_same_analysis_writes_identical_files() {
    let tmp = tempfile::tempdir().unwrap();
    let a = commands::walkforward(&options(&tmp.path().join("a")), &AtomicBool::new(false)).unwrap();
    commands::walkforward(&options(&tmp.path().join("b")), &AtomicBool::new(false)).unwrap();
    // 500 training bars, then test windows of 250 bars over the remaining 1,648: six
    // whole ones and a last one of 148.
    assert_eq!(a.result.windows.len(), 7);
    assert_eq!(a.result.windows[6].window.test_end - a.result.windows[6].window.test_start, 148);
    assert_eq!(a.result.windows[0].window.test_start, 500);
    let files = snapshot(&tmp.path().join("a"));
    let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    for f in ["windows.csv", "summary.json", "report.html", "oos/equity.csv", "oos/stats.json", "oos/report.html", "oos/charts/equity.png"] {
        assert!(names.contains(&f.to_string()), "{f} missing: {names:?}");
    }
    assert!(files == snapshot(&tmp.path().join("b")));
    let html = std::fs::read_to_string(tmp.path().join("a/report.html")).unwrap();
    assert!(html.contains("Walk-forward efficiency") && html.contains("window-table"));
}

#[test]
fn bad_window_lengths_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    for (args, needle) in [
        (["--train", "3q", "--test", "6m"], "--train"),
        (["--train", "3y", "--test", "0"], "--test"),
        (["--train", "30y", "--test", "6m"], "no walk-forward window"),
    ] {
        let mut all = vec!["walkforward", "-q", "--param", "fast=5..10:5", "--out", "w"];
        all.extend(args);
        let out = tradeorch(&all, tmp.path());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!tmp.path().join("w").exists());
    }
}
