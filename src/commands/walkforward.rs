//! `tradeorch walkforward`: optimise on rolling or anchored training windows, trade the
//! choice on the test window after each, and report in-sample against out-of-sample.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use serde_json::json;

use super::sweep::{Search, SearchOptions};
use crate::error::{Error, Result};
use crate::optimize::{walk_forward, walkforward, Span, WalkForward};
use crate::report::charts::ChartOptions;
use crate::report::{self, efficiency_sentence, write_text, RunRecord, TradeRow, WalkForwardPage};

/// Options of `tradeorch walkforward`.
#[derive(Debug, Clone)]
pub struct WalkForwardOptions {
    pub search: SearchOptions,
    /// Training window: `3y`, `6m`, `2w`, `30d`, or a number of bars.
    pub train: String,
    /// Test window, in the same units.
    pub test: String,
    /// Train on everything before each test window instead of a rolling window.
    pub anchored: bool,
    /// Output folder; default `reports/walkforward-<strategy>-<data>`.
    pub out: Option<PathBuf>,
}

/// What `tradeorch walkforward` produced.
#[derive(Debug, Clone)]
pub struct WalkForwardOutcome {
    pub dir: PathBuf,
    pub names: Vec<String>,
    pub result: WalkForward,
}

/// Runs `tradeorch walkforward`.
pub fn walkforward(opts: &WalkForwardOptions, stop: &AtomicBool) -> Result<WalkForwardOutcome> {
    let train = Span::parse("--train", &opts.train)?;
    let test = Span::parse("--test", &opts.test)?;
    let search = Search::prepare(&opts.search)?;
    let windows = walkforward::windows(&search.bars.time, train, test, opts.anchored);
    let values = search.values();
    let bar = crate::progress::bar(windows.len() as u64, "walking forward");
    let result = walk_forward(
        &search.strategy,
        &search.exec,
        &search.bars,
        &windows,
        &search.combos,
        &values,
        &search.names,
        &search.maximize,
        stop,
        Some(&bar),
    );
    bar.finish_and_clear();
    let result = result.map_err(|e| match e {
        Error::Run(m) if m.contains("no walk-forward window") => {
            crate::error::InputError::new("--train", m).into()
        }
        e => e,
    })?;
    let dir = opts
        .out
        .clone()
        .unwrap_or_else(|| search.default_dir("walkforward"));
    let names = &search.names;
    let method = format!(
        "{} windows: train {}, test {}; on each training window, {} ({} combinations), maximising {}; each window's run starts flat and closes its trades at its end.",
        if opts.anchored { "Anchored" } else { "Rolling" },
        opts.train,
        opts.test,
        search.description,
        search.combos.len(),
        search.maximize
    );
    report::write_atomically(&dir, |tmp| {
        let time = &search.bars.time;
        let day = |i: usize| crate::metrics::format_time(time[i])[..10].to_string();
        let csv_error = |e: csv::Error| Error::Run(format!("writing windows.csv: {e}"));
        let mut csv = csv::Writer::from_path(tmp.join("windows.csv")).map_err(csv_error)?;
        let mut header = vec![
            "window".to_string(),
            "train_start".into(),
            "train_end".into(),
            "test_start".into(),
            "test_end".into(),
        ];
        header.extend(names.iter().cloned());
        header.extend(
            [
                "trials",
                "is_return_ann_pct",
                "is_sharpe_ratio",
                "oos_return_ann_pct",
                "oos_sharpe_ratio",
                "oos_max_drawdown_pct",
                "oos_trades",
                "efficiency",
            ]
            .map(String::from),
        );
        csv.write_record(&header).map_err(csv_error)?;
        for (k, w) in result.windows.iter().enumerate() {
            let win = w.window;
            let mut row = vec![
                (k + 1).to_string(),
                day(win.train_start),
                day(win.test_start - 1),
                day(win.test_start),
                day(win.test_end - 1),
            ];
            row.extend(w.params.iter().map(|v| v.to_string()));
            row.push(w.trials.to_string());
            let (is, oos) = (&w.in_sample, &w.out_of_sample);
            let efficiency = walkforward::efficiency(oos.return_ann_pct, is.return_ann_pct);
            for v in [
                is.return_ann_pct,
                is.sharpe_ratio,
                oos.return_ann_pct,
                oos.sharpe_ratio,
                oos.max_drawdown_pct,
                oos.trades as f64,
                efficiency,
            ] {
                row.push(if v.is_nan() {
                    String::new()
                } else {
                    v.to_string()
                });
            }
            csv.write_record(&row).map_err(csv_error)?;
        }
        csv.flush()
            .map_err(|e| Error::io("writing windows.csv".to_string(), e))?;

        // The stitched out-of-sample run as a run folder of its own.
        let trades = result.trades.iter().map(|t| TradeRow::new(&result.bars, t));
        let config = toml::to_string(&search.strategy.file)
            .map_err(|e| Error::Run(format!("cannot write config.toml: {e}")))?;
        let record = RunRecord::new(
            "out-of-sample",
            &result.bars,
            &result.stats,
            &result.equity,
            trades,
            config,
            &[],
        );
        let oos_dir = tmp.join("oos");
        report::create_subfolder(&oos_dir)?;
        record.write_files(&oos_dir)?;
        let charts = report::write_report(&record, &oos_dir, &ChartOptions::default())?;
        let charts: Vec<_> = charts
            .into_iter()
            .filter(|c| c.id == "equity" || c.id == "drawdown")
            .collect();

        let windows_json: Vec<_> = result
            .windows
            .iter()
            .map(|w| {
                let params: serde_json::Map<String, serde_json::Value> = names.iter().cloned().zip(w.params.iter().map(|&v| json!(v))).collect();
                json!({
                    "train": [day(w.window.train_start), day(w.window.test_start - 1)],
                    "test": [day(w.window.test_start), day(w.window.test_end - 1)],
                    "params": params,
                    "trials": w.trials,
                    "in_sample": w.in_sample,
                    "out_of_sample": w.out_of_sample,
                    "efficiency": walkforward::efficiency(w.out_of_sample.return_ann_pct, w.in_sample.return_ann_pct),
                })
            })
            .collect();
        let summary = json!({
            "strategy": search.strategy.name(),
            "data": search.data_spec,
            "method": method,
            "maximize": search.maximize,
            "windows": windows_json,
            "out_of_sample": result.stats,
            "efficiency": result.efficiency,
            "efficiency_meaning": efficiency_sentence(result.efficiency),
        });
        let text = serde_json::to_string_pretty(&summary)
            .map_err(|e| Error::Run(format!("cannot write summary.json: {e}")))?;
        write_text(&tmp.join("summary.json"), &(text + "\n"))?;
        let data_text = search.data_text();
        let page = WalkForwardPage {
            strategy: search.strategy.name(),
            data: &data_text,
            method: &method,
            names,
            time,
            result: &result,
            charts: &charts,
            oos_report: "oos/report.html",
        };
        write_text(&tmp.join("report.html"), &report::render_walkforward(&page))
    })?;
    Ok(WalkForwardOutcome {
        dir,
        names: search.names.clone(),
        result,
    })
}

/// The windows and the overall result, as text for the terminal.
pub fn walkforward_table(outcome: &WalkForwardOutcome) -> String {
    use std::fmt::Write as _;
    let r = &outcome.result;
    let mut out = String::new();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header = vec!["window".to_string(), "test".into()];
    header.extend(outcome.names.iter().cloned());
    header.extend(["IS ann %", "IS sharpe", "OOS ann %", "OOS sharpe"].map(String::from));
    rows.push(header);
    for (k, w) in r.windows.iter().enumerate() {
        let mut row = vec![
            (k + 1).to_string(),
            format!(
                "{} – {}",
                &w.out_of_sample.start[..10],
                &w.out_of_sample.end[..10]
            ),
        ];
        row.extend(w.params.iter().map(|v| v.to_string()));
        for v in [
            w.in_sample.return_ann_pct,
            w.in_sample.sharpe_ratio,
            w.out_of_sample.return_ann_pct,
            w.out_of_sample.sharpe_ratio,
        ] {
            row.push(format!("{v:.2}"));
        }
        rows.push(row);
    }
    out.push_str(&report::aligned_rows(&rows));
    let s = &r.stats;
    let _ = writeln!(
        out,
        "\nOut of sample {} – {}: return {:.2} %, annualised {:.2} %, Sharpe {:.3}, max drawdown {:.2} %, {} trades.",
        &s.start[..10],
        &s.end[..10],
        s.return_pct,
        s.return_ann_pct,
        s.sharpe_ratio,
        s.max_drawdown_pct,
        s.trades
    );
    let _ = writeln!(out, "{}", efficiency_sentence(r.efficiency));
    out
}
