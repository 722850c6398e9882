//! A finished run as stored in its folder, loadable again without re-running it.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::data::{parse_timestamp, Bars};
use crate::engine::Trade;
use crate::error::{Error, InputError, Result};
use crate::metrics::calendar::DAY_NS;
use crate::metrics::{drawdown, format_time, Stats};
use crate::orchestrator::audit::DecisionRecord;

/// One row of `trades.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TradeRow {
    pub size: f64,
    pub entry_bar: usize,
    pub exit_bar: Option<usize>,
    pub entry_time: String,
    pub exit_time: Option<String>,
    pub entry_price: f64,
    pub exit_price: Option<f64>,
    pub sl: Option<f64>,
    pub tp: Option<f64>,
    /// Net of commissions; for open trades, marked at the last close.
    pub pnl: f64,
    /// In percent.
    pub return_pct: f64,
    pub commission: f64,
    pub duration_days: f64,
    pub tag: Option<String>,
    /// `closed` or `open`.
    pub status: String,
}

impl TradeRow {
    /// The row of a trade; open trades are marked at the last close.
    pub fn new(bars: &Bars, t: &Trade) -> Self {
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
            tag: t.tag.clone(),
            status: if t.exit_bar.is_some() { "closed" } else { "open" }.to_string(),
        }
    }
}

/// One row of `equity.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EquityRow {
    pub time: String,
    pub close: f64,
    pub equity: f64,
    /// Drawdown from the running peak, in percent (<= 0).
    pub drawdown_pct: f64,
}

/// Everything in a run folder.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// The run's name (its folder name).
    pub name: String,
    pub stats: Stats,
    pub equity: Vec<EquityRow>,
    /// Closed trades, then open ones.
    pub trades: Vec<TradeRow>,
    /// The resolved strategy (`config.toml`) as text.
    pub config: String,
    /// The audit trail (`decisions.jsonl`), one JSON object per decision.
    pub decisions: Vec<Value>,
}

impl RunRecord {
    /// The record of a run that just finished.
    pub fn new(
        name: &str,
        bars: &Bars,
        stats: &Stats,
        equity: &[f64],
        trades: impl IntoIterator<Item = TradeRow>,
        config: String,
        decisions: &[DecisionRecord],
    ) -> Self {
        let dd = drawdown::drawdown(equity);
        let equity = (0..bars.len())
            .map(|i| EquityRow {
                time: format_time(bars.time[i]),
                close: bars.close[i],
                equity: equity[i],
                drawdown_pct: 0.0 - dd[i] * 100.0,
            })
            .collect();
        RunRecord {
            name: name.to_string(),
            stats: stats.clone(),
            equity,
            trades: trades.into_iter().collect(),
            config,
            decisions: decisions.iter().map(|d| serde_json::to_value(d).expect("records serialize")).collect(),
        }
    }

    /// Bar timestamps (ns since epoch) of the equity rows.
    pub fn times(&self) -> Vec<i64> {
        self.equity.iter().map(|r| parse_timestamp(&r.time).unwrap_or(0)).collect()
    }

    /// Reads a run folder written by [`RunRecord::write_files`].
    pub fn load(dir: &Path) -> Result<Self> {
        let read = |file: &str| {
            let path = dir.join(file);
            fs::read_to_string(&path).map_err(|e| InputError::new(&path, format!("cannot read: {e}")))
        };
        let stats_path = dir.join("stats.json");
        let stats: Stats = serde_json::from_str(&read("stats.json")?)
            .map_err(|e| InputError::new(&stats_path, e.to_string()).at(format!("line {}", e.line())))?;
        let decisions = match fs::read_to_string(dir.join("decisions.jsonl")) {
            Ok(text) => text
                .lines()
                .enumerate()
                .map(|(k, l)| {
                    serde_json::from_str(l).map_err(|e| {
                        InputError::new(dir.join("decisions.jsonl"), e.to_string()).at(format!("line {}", k + 1))
                    })
                })
                .collect::<Result<_, _>>()?,
            Err(_) => Vec::new(),
        };
        Ok(RunRecord {
            name: dir.file_name().map_or_else(|| "run".to_string(), |n| n.to_string_lossy().into_owned()),
            stats,
            equity: read_csv(&dir.join("equity.csv"))?,
            trades: read_csv(&dir.join("trades.csv"))?,
            config: read("config.toml")?,
            decisions,
        })
    }

    /// Writes `stats.json`, `trades.csv`, `equity.csv`, `config.toml` and
    /// `decisions.jsonl` into `dir`.
    pub fn write_files(&self, dir: &Path) -> Result<()> {
        let stats = serde_json::to_string_pretty(&self.stats).expect("stats serialize");
        write_text(&dir.join("stats.json"), &(stats + "\n"))?;
        write_csv(&dir.join("trades.csv"), &self.trades)?;
        write_csv(&dir.join("equity.csv"), &self.equity)?;
        let mut jsonl = String::new();
        for record in &self.decisions {
            jsonl += &record.to_string();
            jsonl.push('\n');
        }
        write_text(&dir.join("decisions.jsonl"), &jsonl)?;
        write_text(&dir.join("config.toml"), &self.config)
    }
}

fn read_csv<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| InputError::new(path, e.to_string()))?;
    reader
        .deserialize()
        .enumerate()
        .map(|(k, row)| row.map_err(|e| InputError::new(path, e.to_string()).at(format!("line {}", k + 2)).into()))
        .collect()
}

fn write_csv<T: Serialize>(path: &Path, rows: &[T]) -> Result<()> {
    let err = |e: csv::Error| Error::io(format!("writing {}", path.display()), e.into());
    let mut w = csv::Writer::from_path(path).map_err(err)?;
    for row in rows {
        w.serialize(row).map_err(err)?;
    }
    w.flush().map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

/// Writes a text file.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).map_err(|e| Error::io(format!("writing {}", path.display()), e))
}
