//! Writing `stats.json`, `trades.csv`, `equity.csv` and `config.toml` atomically.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::data::Bars;
use crate::engine::Trade;
use crate::error::{Error, Result};
use crate::metrics::{drawdown, format_time, Stats};
use crate::orchestrator::audit::DecisionRecord;
use crate::metrics::calendar::DAY_NS;
use crate::strategy::StrategyFile;

/// What goes into a run folder.
#[derive(Debug, Clone, Copy)]
pub struct RunFiles<'a> {
    pub bars: &'a Bars,
    pub stats: &'a Stats,
    /// Closed trades, then any still open.
    pub closed_trades: &'a [Trade],
    pub open_trades: &'a [Trade],
    pub equity: &'a [f64],
    /// The audit trail, one record per decision.
    pub decisions: &'a [DecisionRecord],
    /// The fully resolved strategy (with its data and execution settings filled in).
    pub config: &'a StrategyFile,
}

/// One row of `trades.csv`.
#[derive(Serialize)]
struct TradeRow<'a> {
    size: f64,
    entry_bar: usize,
    exit_bar: Option<usize>,
    entry_time: String,
    exit_time: Option<String>,
    entry_price: f64,
    exit_price: Option<f64>,
    sl: Option<f64>,
    tp: Option<f64>,
    pnl: f64,
    return_pct: f64,
    commission: f64,
    duration_days: f64,
    tag: Option<&'a str>,
    status: &'static str,
}

#[derive(Serialize)]
struct EquityRow {
    time: String,
    equity: f64,
    drawdown_pct: f64,
}

fn trade_row<'a>(bars: &Bars, t: &'a Trade, status: &'static str) -> TradeRow<'a> {
    let last = bars.len() - 1;
    let mark = bars.close[last];
    let exit_bar = t.exit_bar.unwrap_or(last);
    TradeRow {
        size: t.size,
        entry_bar: t.entry_bar,
        exit_bar: t.exit_bar,
        entry_time: format_time(bars.time[t.entry_bar]),
        exit_time: t.exit_bar.map(|b| format_time(bars.time[b])),
        entry_price: t.entry_price,
        exit_price: t.exit_price,
        sl: t.sl,
        tp: t.tp,
        pnl: t.pnl_at(mark),
        return_pct: t.return_at(mark) * 100.0,
        commission: t.commission,
        duration_days: (bars.time[exit_bar] - bars.time[t.entry_bar]) as f64 / DAY_NS as f64,
        tag: t.tag.as_deref(),
        status,
    }
}

fn write_csv<T: Serialize>(path: &Path, rows: impl IntoIterator<Item = T>) -> Result<()> {
    let err = |e: csv::Error| Error::io(format!("writing {}", path.display()), e.into());
    let mut w = csv::Writer::from_path(path).map_err(err)?;
    for row in rows {
        w.serialize(row).map_err(err)?;
    }
    w.flush().map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

fn write_text(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

fn write_contents(dir: &Path, run: &RunFiles) -> Result<()> {
    let stats = serde_json::to_string_pretty(run.stats).expect("stats serialize");
    write_text(&dir.join("stats.json"), &(stats + "\n"))?;
    let closed = run.closed_trades.iter().map(|t| trade_row(run.bars, t, "closed"));
    let open = run.open_trades.iter().map(|t| trade_row(run.bars, t, "open"));
    write_csv(&dir.join("trades.csv"), closed.chain(open))?;
    let dd = drawdown::drawdown(run.equity);
    let rows = run.bars.time.iter().zip(run.equity).zip(&dd).map(|((&t, &e), &d)| EquityRow {
        time: format_time(t),
        equity: e,
        drawdown_pct: 0.0 - d * 100.0,
    });
    write_csv(&dir.join("equity.csv"), rows)?;
    let mut jsonl = String::new();
    for record in run.decisions {
        jsonl += &serde_json::to_string(record).expect("decision records serialize");
        jsonl.push('\n');
    }
    write_text(&dir.join("decisions.jsonl"), &jsonl)?;
    let config = toml::to_string(run.config).map_err(|e| Error::Run(format!("cannot write config.toml: {e}")))?;
    write_text(&dir.join("config.toml"), &config)
}

/// Writes a run folder at `dir`, replacing any previous one only once the new one is
/// complete. Returns the folder's path.
pub fn write_run(dir: &Path, run: &RunFiles) -> Result<PathBuf> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
    let tmp = tempfile::Builder::new()
        .prefix(".tradeorch-run-")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(format!("creating a temporary folder in {}", parent.display()), e))?;
    write_contents(tmp.path(), run)?;
    // The previous run (if any) is moved aside, and deleted when `_previous` is dropped.
    let _previous = if dir.exists() {
        let old = tempfile::Builder::new()
            .prefix(".tradeorch-old-")
            .tempdir_in(&parent)
            .map_err(|e| Error::io(format!("creating a temporary folder in {}", parent.display()), e))?;
        fs::rename(dir, old.path().join("run"))
            .map_err(|e| Error::io(format!("replacing {}", dir.display()), e))?;
        Some(old)
    } else {
        None
    };
    let kept = tmp.keep();
    fs::rename(&kept, dir).map_err(|e| {
        let _ = fs::remove_dir_all(&kept);
        Error::io(format!("moving the report into {}", dir.display()), e)
    })?;
    Ok(dir.to_path_buf())
}
