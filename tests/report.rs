//! Run folders: what `backtest` writes can be loaded back exactly.

use tradeorch::commands::{self, BacktestOptions};
use tradeorch::report::RunRecord;

#[test]
fn a_run_folder_loads_back_to_the_same_record() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    // sma_cross in the backtesting.py preset leaves its last trade open.
    let opts = BacktestOptions { strategy: Some("sma_cross".into()), out: Some(dir.clone()), ..Default::default() };
    let outcome = commands::backtest(&opts).unwrap();
    let loaded = RunRecord::load(&dir).unwrap();
    assert_eq!(loaded.name, "run");
    assert_eq!(loaded.stats, outcome.backtest.stats);
    assert_eq!(loaded.equity.len(), outcome.bars.len());
    assert_eq!(loaded.equity[100].close, outcome.bars.close[100]);
    assert_eq!(loaded.trades.len(), 94);
    assert_eq!(loaded.trades.last().unwrap().status, "open");
    assert_eq!(loaded.decisions.len(), outcome.backtest.decisions.len());
    // Writing it again gives the same bytes.
    let again = tmp.path().join("again");
    std::fs::create_dir(&again).unwrap();
    loaded.write_files(&again).unwrap();
    for f in ["stats.json", "trades.csv", "equity.csv", "config.toml", "decisions.jsonl"] {
        assert_eq!(std::fs::read(dir.join(f)).unwrap(), std::fs::read(again.join(f)).unwrap(), "{f}");
    }
}

#[test]
fn undefined_statistics_survive_the_round_trip_as_nan() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    // No trades at all: trade statistics are undefined.
    let opts = BacktestOptions {
        strategy: Some("sma_cross".into()),
        data: commands::DataChoice { from: Some("2004-08-19".into()), to: Some("2004-09-10".into()), ..Default::default() },
        out: Some(dir.clone()),
        ..Default::default()
    };
    commands::backtest(&opts).unwrap();
    let loaded = RunRecord::load(&dir).unwrap();
    assert_eq!(loaded.stats.trades, 0);
    assert!(loaded.stats.win_rate_pct.is_nan() && loaded.stats.sqn.is_nan());
}
