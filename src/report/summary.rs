//! The statistics table printed in the terminal.

use crate::metrics::Stats;

fn number(v: f64, decimals: usize) -> String {
    if v.is_nan() {
        "-".to_string()
    } else {
        format!("{v:.decimals$}")
    }
}

fn days(v: f64) -> String {
    if v.is_nan() {
        "-".to_string()
    } else if v.fract() == 0.0 {
        format!("{v:.0} days")
    } else {
        format!("{v:.2} days")
    }
}

/// Label/value rows of the statistics, labelled as backtesting.py labels them.
pub fn summary_rows(s: &Stats) -> Vec<(&'static str, String)> {
    vec![
        ("Start", s.start.clone()),
        ("End", s.end.clone()),
        ("Duration", days(s.duration_days)),
        ("Exposure Time [%]", number(s.exposure_time_pct, 5)),
        ("Equity Final [$]", number(s.equity_final, 2)),
        ("Equity Peak [$]", number(s.equity_peak, 2)),
        ("Commissions [$]", number(s.commissions, 2)),
        ("Return [%]", number(s.return_pct, 5)),
        ("Buy & Hold Return [%]", number(s.buy_hold_return_pct, 5)),
        ("Return (Ann.) [%]", number(s.return_ann_pct, 5)),
        ("Volatility (Ann.) [%]", number(s.volatility_ann_pct, 5)),
        ("CAGR [%]", number(s.cagr_pct, 5)),
        ("Sharpe Ratio", number(s.sharpe_ratio, 5)),
        ("Sortino Ratio", number(s.sortino_ratio, 5)),
        ("Calmar Ratio", number(s.calmar_ratio, 5)),
        ("Alpha [%]", number(s.alpha_pct, 5)),
        ("Beta", number(s.beta, 5)),
        ("Max. Drawdown [%]", number(s.max_drawdown_pct, 5)),
        ("Avg. Drawdown [%]", number(s.avg_drawdown_pct, 5)),
        ("Max. Drawdown Duration", days(s.max_drawdown_duration_days)),
        ("Avg. Drawdown Duration", days(s.avg_drawdown_duration_days)),
        ("# Trades", s.trades.to_string()),
        ("Win Rate [%]", number(s.win_rate_pct, 5)),
        ("Best Trade [%]", number(s.best_trade_pct, 5)),
        ("Worst Trade [%]", number(s.worst_trade_pct, 5)),
        ("Avg. Trade [%]", number(s.avg_trade_pct, 5)),
        ("Max. Trade Duration", days(s.max_trade_duration_days)),
        ("Avg. Trade Duration", days(s.avg_trade_duration_days)),
        ("Profit Factor", number(s.profit_factor, 5)),
        ("Expectancy [%]", number(s.expectancy_pct, 5)),
        ("SQN", number(s.sqn, 5)),
        ("Kelly Criterion", number(s.kelly_criterion, 5)),
    ]
}

/// Rows of cells as text, each column right-aligned to its widest cell, two spaces apart.
pub fn aligned_rows(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..columns).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|cell| cell.chars().count()).max().unwrap_or(0)).collect();
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, &w)| format!("{cell:>w$}")).collect();
            cells.join("  ") + "\n"
        })
        .collect()
}

/// The statistics as an aligned two-column table.
pub fn summary_table(s: &Stats) -> String {
    let rows = summary_rows(s);
    let width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    let value_width = rows.iter().map(|(_, v)| v.len()).max().unwrap_or(0);
    rows.iter()
        .map(|(label, value)| format!("{label:<width$}  {value:>value_width$}\n"))
        .collect()
}
