//! The orchestrator pipeline: shipped strategies, stage concurrency, the audit trail,
//! look-ahead detection, and strategy-file errors.

mod common;

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tradeorch::commands::{self, BacktestOptions, DataChoice, LookaheadOptions, BUILTIN_STRATEGIES};
use tradeorch::orchestrator::graph::Pipeline;
use tradeorch::orchestrator::lookahead;
use tradeorch::orchestrator::stage::{Input, Series, Stage, View};
use tradeorch::strategy::{PriceField, Strategy};
use tradeorch::{orchestrator, Result};

use common::goog;

fn run(strategy: &str, out: &Path) -> commands::BacktestOutcome {
    let opts = BacktestOptions { strategy: Some(strategy.into()), out: Some(out.to_path_buf()), ..Default::default() };
    commands::backtest(&opts).expect("backtest runs")
}

#[test]
fn every_shipped_strategy_runs_on_the_default_data_and_trades() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, _) in BUILTIN_STRATEGIES {
        let outcome = run(name, &tmp.path().join(name));
        let s = &outcome.backtest.stats;
        assert!(s.trades >= 5, "{name}: {} trades", s.trades);
        assert!(s.equity_final.is_finite() && s.equity_final > 0.0, "{name}");
        println!("{name}: {} trades, return {:.2} %, Sharpe {:.3}", s.trades, s.return_pct, s.sharpe_ratio);
    }
}

#[test]
fn runs_with_and_without_an_audit_trail_are_identical() {
    // Without an audit, bars where no rule fires skip the decision step entirely.
    let bars = goog();
    for (name, _) in BUILTIN_STRATEGIES {
        let strategy = commands::load_strategy(name).unwrap();
        let exec = strategy.execution(&Default::default()).unwrap();
        let audited = orchestrator::backtest(&strategy, &bars, &exec, true).unwrap();
        let plain = orchestrator::backtest(&strategy, &bars, &exec, false).unwrap();
        assert_eq!(audited.simulation, plain.simulation, "{name}");
        assert_eq!(serde_json::to_string(&audited.stats).unwrap(), serde_json::to_string(&plain.stats).unwrap(), "{name}");
    }
}

#[test]
fn shipped_strategy_files_match_the_built_in_copies() {
    for (name, text) in BUILTIN_STRATEGIES {
        let file = fs::read_to_string(common::repo_path(&format!("strategies/{name}.toml"))).unwrap();
        assert_eq!(file, text, "{name}");
    }
}

#[test]
fn audit_trail_has_a_record_per_decision_and_explain_reads_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let outcome = run("sma_cross", &dir);
    let lines = fs::read_to_string(dir.join("decisions.jsonl")).unwrap();
    let n = outcome.bars.len() - (outcome.backtest.warmup + 1);
    assert_eq!(lines.lines().count(), n);
    // The first trade's entry was decided the bar before it filled.
    let first = &outcome.backtest.simulation.closed_trades[0];
    let decided = outcome.bars.time[first.entry_bar - 1];
    let date = tradeorch::metrics::format_time(decided)[..10].to_string();
    let text = commands::explain(&dir, &date).unwrap();
    assert!(text.contains("proposal: short (entry_short)"), "{text}");
    assert!(text.contains("sell 99.99999999999997% of equity at market"), "{text}");
    assert!(text.contains("fast") && text.contains("slow") && text.contains("entry_long"), "{text}");
    let missing = commands::explain(&dir, "1999-01-01").unwrap_err().to_string();
    assert!(missing.contains("decisions run from"), "{missing}");
}

#[test]
fn risk_stage_changes_are_recorded_with_their_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(common::repo_path("strategies/ensemble_vote.toml"))
        .unwrap()
        .replace("max_drawdown = 0.35", "max_drawdown = 0.05");
    let path = tmp.path().join("tight.toml");
    fs::write(&path, text).unwrap();
    let outcome = run(path.to_str().unwrap(), &tmp.path().join("run"));
    let notes: Vec<&String> = outcome.backtest.decisions.iter().flat_map(|d| &d.risk).collect();
    assert!(notes.iter().any(|n| n.contains("kill-switch: drawdown")), "{notes:?}");
    assert!(notes.iter().any(|n| n.contains("capped to 0.95 by max_position")), "{notes:?}");
    // After the kill-switch nothing is held.
    let halted = outcome.backtest.decisions.iter().position(|d| d.risk.iter().any(|n| n.contains("kill-switch: drawdown"))).unwrap();
    assert!(outcome.backtest.decisions[halted + 2..].iter().all(|d| d.position == 0.0));
}

/// A stage that records how many probes run at once.
#[derive(Debug)]
struct Probe {
    id: String,
    running: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
    log: Arc<Mutex<Vec<String>>>,
    input: Option<String>,
}

impl Stage for Probe {
    fn id(&self) -> &str {
        &self.id
    }
    fn inputs(&self) -> Vec<Input> {
        self.input.iter().map(|i| Input::Stage(i.clone())).collect()
    }
    fn outputs(&self) -> Vec<String> {
        vec![self.id.clone()]
    }
    fn compute(&self, view: &View) -> Result<Vec<Series>> {
        self.log.lock().unwrap().push(format!("start {}", self.id));
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        // Wait (bounded) for a sibling to start, so overlap is observed if it is possible.
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.input.is_none() && self.most.load(Ordering::SeqCst) < 2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        self.running.fetch_sub(1, Ordering::SeqCst);
        self.log.lock().unwrap().push(format!("end {}", self.id));
        Ok(vec![Series::new(self.id.clone(), vec![0.0; view.len()])])
    }
}

#[test]
fn independent_stages_run_concurrently_and_dependents_after() {
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let log = Arc::new(Mutex::new(Vec::new()));
    let probe = |id: &str, input: Option<&str>| -> Arc<dyn Stage> {
        Arc::new(Probe {
            id: id.into(),
            running: running.clone(),
            most: most.clone(),
            log: log.clone(),
            input: input.map(String::from),
        })
    };
    let pipeline = Pipeline::new(vec![probe("a", None), probe("b", None), probe("c", Some("a"))]).unwrap();
    assert_eq!(pipeline.layers(), &[vec![0, 1], vec![2]]);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let outputs = pool.install(|| pipeline.compute(&goog())).unwrap();
    assert_eq!(most.load(Ordering::SeqCst), 2, "a and b overlapped");
    let log = log.lock().unwrap();
    let pos = |e: &str| log.iter().position(|l| l == e).unwrap();
    assert!(pos("start c") > pos("end a") && pos("start c") > pos("end b"), "{log:?}");
    let names: Vec<&str> = outputs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "c"]);
}

/// A deliberately leaky stage: its value at bar t is the close of bar t + 1.
#[derive(Debug)]
struct NextClose;

impl Stage for NextClose {
    fn id(&self) -> &str {
        "next_close"
    }
    fn inputs(&self) -> Vec<Input> {
        vec![Input::Price(PriceField::Close)]
    }
    fn outputs(&self) -> Vec<String> {
        vec!["next_close".into()]
    }
    fn compute(&self, view: &View) -> Result<Vec<Series>> {
        let c = view.price(PriceField::Close);
        let values = (0..c.len()).map(|t| c.get(t + 1).copied().unwrap_or(f64::NAN)).collect();
        Ok(vec![Series::new("next_close", values)])
    }
}

#[test]
fn a_leaky_stage_is_caught_and_honest_ones_pass() {
    let strategy = commands::load_strategy("ensemble_vote").unwrap();
    let mut stages: Vec<Arc<dyn Stage>> = strategy.pipeline.stages().to_vec();
    stages.push(Arc::new(NextClose));
    let pipeline = Pipeline::new(stages).unwrap();
    let bars = goog();
    let cutoffs = lookahead::sample_cutoffs(bars.len(), 10);
    let report = lookahead::check(&bars, &cutoffs, |b| pipeline.compute(b)).unwrap();
    let leaky: Vec<&str> = report.leaks.iter().map(|l| l.output.as_str()).collect();
    assert_eq!(leaky, ["next_close", "next_close"], "only the leaky stage, by both tests");
    let leak = &report.leaks[0];
    assert_eq!(leak.bar, leak.cutoff, "it changes exactly at the cut-off");
}

#[test]
fn every_shipped_strategy_passes_the_lookahead_check() {
    for (name, _) in BUILTIN_STRATEGIES {
        let opts = LookaheadOptions { strategy: name.into(), data: DataChoice::default(), samples: 8 };
        let report = commands::check_lookahead(&opts).unwrap();
        assert!(report.leaks.is_empty(), "{name}: {:?}", report.leaks);
        assert!(report.outputs.iter().any(|o| o.starts_with("policy.")), "{name} checks policy signals");
    }
}

#[test]
fn stub_stage_replays_a_csv_column_as_of_each_bar() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("views.csv"),
        "date,view,conf,why\n2004-09-01,1,0.8,earnings beat\n2004-09-03 12:00,-1,0.6,guidance cut\n",
    )
    .unwrap();
    let toml = r#"
name = "stub_replay"
[[stages]]
id = "llm"
kind = "stub"
file = "views.csv"
column = "view"
confidence_column = "conf"
explanation_column = "why"
[policy]
kind = "weighted"
threshold = 0.5
signals = [{ expr = "llm", weight = 1.0, confidence_of = "llm" }]
"#;
    let path = tmp.path().join("s.toml");
    fs::write(&path, toml).unwrap();
    let strategy = Strategy::load(&path).unwrap();
    let bars = goog();
    let (outputs, signals) = orchestrator::prepare(&strategy, &bars).unwrap();
    let llm = outputs.get("llm").unwrap();
    let day = |d: &str| bars.time.iter().position(|&t| tradeorch::metrics::format_time(t).starts_with(d)).unwrap();
    assert!(llm.values[day("2004-08-31")].is_nan());
    assert_eq!(llm.values[day("2004-09-01")], 1.0);
    assert_eq!(llm.values[day("2004-09-03")], 1.0, "the 12:00 row is not visible at midnight");
    assert_eq!(llm.values[day("2004-09-07")], -1.0);
    assert_eq!(llm.explanation.as_ref().unwrap()[day("2004-09-02")], "earnings beat");
    let score = &signals.series[0].1;
    assert!((score.at(day("2004-09-02")) - 0.8).abs() < 1e-12, "vote weighted by confidence");
}

/// Loads a strategy from text and returns its error message.
fn strategy_error(toml: &str) -> String {
    Strategy::parse(toml, Path::new("bad.toml")).unwrap_err().to_string()
}

const STAGES: &str = "name = \"x\"\n[params]\nn = 10\n[[stages]]\nid = \"a\"\nkind = \"sma\"\nperiod = \"n\"\n";

#[test]
fn bad_strategy_files_name_the_file_and_key() {
    let rules = "[policy]\nkind = \"rules\"\nentry_long = \"a > 1\"\n";
    let e = strategy_error(&format!("{}{rules}", STAGES.replace("kind = \"sma\"", "kind = \"smaa\"")));
    assert!(e.starts_with("bad.toml: line 6, key kind") && e.contains("unknown variant `smaa`"), "{e}");
    let e = strategy_error(&format!("{}{rules}", STAGES.replace("period = \"n\"\n", "")));
    assert!(e.starts_with("bad.toml") && e.contains("missing field `period`"), "{e}");
    let e = strategy_error(&format!("{}{rules}", STAGES.replace("period = \"n\"", "period = \"m\"")));
    assert!(e.contains("key stages[0].period") && e.contains("unknown parameter \"m\""), "{e}");
    let cycle = "name = \"x\"\n[[stages]]\nid = \"a\"\nkind = \"sma\"\ninput = \"b\"\nperiod = 3\n[[stages]]\nid = \"b\"\nkind = \"ema\"\ninput = \"a\"\nperiod = 3\n";
    let e = strategy_error(&format!("{cycle}{rules}"));
    assert!(e.contains("key stages[0].input") && e.contains("dependency cycle: a -> b -> a"), "{e}");
    let e = strategy_error(&format!("{STAGES}[policy]\nkind = \"rules\"\nentry_long = \"a > (1\"\n"));
    assert!(e.contains("key policy.entry_long") && e.contains("column"), "{e}");
    let e = strategy_error(&format!("{STAGES}[policy]\nkind = \"rules\"\nentry_long = \"close > sma20\"\n"));
    assert!(e.contains("key policy.entry_long") && e.contains("column 9: unknown name \"sma20\""), "{e}");
    let e = strategy_error(&format!("{}{rules}", STAGES.replace("period = \"n\"", "period = \"n\"\ninput = \"rsi\"")));
    assert!(e.contains("key stages[0].input") && e.contains("unknown input \"rsi\""), "{e}");
}

#[test]
fn strategies_are_listed_and_shown_with_defaults() {
    let infos = commands::list_strategies(&common::repo_path("strategies")).unwrap();
    let names: Vec<&str> = infos.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["sma_cross", "rsi_mean_reversion", "macd_trend", "bollinger_breakout", "ensemble_vote"]);
    assert!(infos.iter().all(|i| i.source == "built-in" && !i.description.is_empty()));
    let shown = commands::show_strategy("rsi_mean_reversion").unwrap();
    assert!(shown.contains("entry_long = \"rsi < oversold\"") && shown.contains("cash = 10000.0"), "{shown}");
    Strategy::parse(&shown, Path::new("shown.toml")).expect("what is shown is a valid strategy file");
}

#[test]
fn sentiment_stage_reads_only_documents_published_so_far() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("news.csv"),
        "published,headline\n\
         2004-09-01 08:00,Google beats estimates as ad growth surges\n\
         2004-09-02 09:00,Analyst downgrade: margins weak\n\
         2004-09-20 10:00,\"Lawsuit filed, shares drop\"\n",
    )
    .unwrap();
    let toml = r#"
name = "news"
[[stages]]
id = "news"
kind = "sentiment"
documents = "news.csv"
window_days = 3
[policy]
kind = "weighted"
threshold = 0.2
signals = [{ expr = "news", weight = 1.0, confidence_of = "news" }]
"#;
    let path = tmp.path().join("s.toml");
    fs::write(&path, toml).unwrap();
    let strategy = Strategy::load(&path).unwrap();
    let bars = goog();
    let (outputs, _) = orchestrator::prepare(&strategy, &bars).unwrap();
    let news = outputs.get("news").unwrap();
    let day = |d: &str| bars.time.iter().position(|&t| tradeorch::metrics::format_time(t).starts_with(d)).unwrap();
    // Bars are stamped at midnight: a headline of 08:00 is first seen the next day.
    assert_eq!(news.values[day("2004-09-01")], 0.0);
    assert_eq!(news.values[day("2004-09-02")], 1.0, "beats, growth, surges");
    assert_eq!(news.confidence.as_ref().unwrap()[day("2004-09-02")], 0.6);
    // Both headlines inside the 3-day window: 3 positive, 2 negative words.
    assert!((news.values[day("2004-09-03")] - 0.2).abs() < 1e-12);
    let why = &news.explanation.as_ref().unwrap()[day("2004-09-03")];
    assert_eq!(why, "Analyst downgrade: margins weak (+1 more)");
    assert_eq!(news.values[day("2004-09-21")], -1.0, "lawsuit, drop");
    assert_eq!(news.values[day("2004-09-28")], 0.0, "nothing in the window");
    // A view of the first bars serves only the documents published by its last bar.
    let docs = std::collections::BTreeMap::from([("news.csv".to_string(), tradeorch::data::load_documents(&tmp.path().join("news.csv")).unwrap())]);
    let first = lookahead::truncate(&bars, day("2004-09-02") + 1);
    let upstream = tradeorch::orchestrator::stage::Outputs::default();
    assert_eq!(View::new(&first, &upstream, &docs).documents("news.csv").len(), 1);
    assert_eq!(View::new(&bars, &upstream, &docs).documents("news.csv").len(), 3);
    // Truncating the bars hides later documents; nothing changes up to any cut-off.
    let cutoffs = lookahead::sample_cutoffs(60, 12);
    let report = lookahead::check(&bars, &cutoffs, |b| strategy.pipeline.compute(b)).unwrap();
    assert!(report.leaks.is_empty(), "{:?}", report.leaks);
}

#[test]
fn with_params_equals_the_file_with_those_values() {
    // Rules keep their policy (shared); the weighted vote's threshold is re-read.
    for (name, values) in [("sma_cross", vec![("fast", 7.0), ("slow", 31.0)]), ("ensemble_vote", vec![("threshold", 0.55)])] {
        let base = commands::load_strategy(name).unwrap();
        let values: Vec<(String, f64)> = values.into_iter().map(|(n, v)| (n.to_string(), v)).collect();
        let changed = base.with_params(&values).unwrap();
        let mut file = base.file.clone();
        for (n, v) in &values {
            file.params.insert(n.clone(), *v);
        }
        let fresh = Strategy::resolve(file, &base.path).unwrap();
        assert_eq!(*changed.policy, *fresh.policy, "{name}");
        assert_eq!(changed.pipeline.stage_keys(), fresh.pipeline.stage_keys(), "{name}");
        assert_eq!(Arc::ptr_eq(&changed.policy, &base.policy), name == "sma_cross", "{name}");
        let bars = goog();
        let exec = fresh.execution(&Default::default()).unwrap();
        let run = |s: &Strategy| orchestrator::backtest(s, &bars, &exec, false).unwrap().stats;
        assert_eq!(run(&changed), run(&fresh), "{name}");
    }
}
