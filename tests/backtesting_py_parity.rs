//! Parity with backtesting.py 0.6.6 under the `compat = "backtesting.py"` preset.
//!
//! Reference numbers come from `tests/fixtures/backtesting_py/make_fixtures.py` (see the
//! README there): every statistic, every trade and the whole equity curve must agree to a
//! relative tolerance of 1e-6.

mod common;

use std::path::Path;

use serde_json::Value;
use tradeorch::engine::{self, Compat, ExecutionConfig, Fill, OrderRequest, Size};
use tradeorch::metrics::{self, StatsInput};
use tradeorch::orchestrator;
use tradeorch::strategy::Strategy;

use common::{goog, rel_diff, repo_path};

const TOLERANCE: f64 = 1e-6;

/// backtesting.py's statistic labels and our `stats.json` keys.
const LABELS: [(&str, &str); 31] = [
    ("Duration", "duration_days"),
    ("Exposure Time [%]", "exposure_time_pct"),
    ("Equity Final [$]", "equity_final"),
    ("Equity Peak [$]", "equity_peak"),
    ("Return [%]", "return_pct"),
    ("Buy & Hold Return [%]", "buy_hold_return_pct"),
    ("Return (Ann.) [%]", "return_ann_pct"),
    ("Volatility (Ann.) [%]", "volatility_ann_pct"),
    ("CAGR [%]", "cagr_pct"),
    ("Sharpe Ratio", "sharpe_ratio"),
    ("Sortino Ratio", "sortino_ratio"),
    ("Calmar Ratio", "calmar_ratio"),
    ("Alpha [%]", "alpha_pct"),
    ("Beta", "beta"),
    ("Max. Drawdown [%]", "max_drawdown_pct"),
    ("Avg. Drawdown [%]", "avg_drawdown_pct"),
    ("Max. Drawdown Duration", "max_drawdown_duration_days"),
    ("Avg. Drawdown Duration", "avg_drawdown_duration_days"),
    ("# Trades", "trades"),
    ("Win Rate [%]", "win_rate_pct"),
    ("Best Trade [%]", "best_trade_pct"),
    ("Worst Trade [%]", "worst_trade_pct"),
    ("Avg. Trade [%]", "avg_trade_pct"),
    ("Max. Trade Duration", "max_trade_duration_days"),
    ("Avg. Trade Duration", "avg_trade_duration_days"),
    ("Profit Factor", "profit_factor"),
    ("Expectancy [%]", "expectancy_pct"),
    ("SQN", "sqn"),
    ("Kelly Criterion", "kelly_criterion"),
    ("Commissions [$]", "commissions"),
    ("Start", "start"),
];

fn load_case(name: &str) -> Value {
    let path = repo_path(&format!("tests/fixtures/backtesting_py/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("fixture json")
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn opt(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn exec_config(case: &Value) -> ExecutionConfig {
    let s = &case["settings"];
    let spread = num(&s["spread"]);
    ExecutionConfig {
        cash: num(&s["cash"]),
        commission: num(&s["commission_rate"]),
        fee: num(&s["commission_fixed"]),
        spread_bps: (spread * 1e4 * 1e9).round() / 1e9,
        fill: if s["trade_on_close"].as_bool().unwrap() { Fill::Close } else { Fill::NextOpen },
        exclusive_orders: s["exclusive_orders"].as_bool().unwrap(),
        finalize_trades: s["finalize_trades"].as_bool().unwrap(),
        margin: num(&s["margin"]),
        ..ExecutionConfig::preset(Compat::BacktestingPy)
    }
}

/// Compares stats, trades and equity; returns the largest relative difference seen.
fn compare(case: &Value, stats: &tradeorch::metrics::Stats, trades: &[engine::Trade], equity: &[f64]) -> f64 {
    let name = case["case"].as_str().unwrap();
    let ours = serde_json::to_value(stats).unwrap();
    let mut worst = 0.0f64;
    let mut check = |what: String, a: f64, b: f64| {
        let d = rel_diff(a, b);
        assert!(d <= TOLERANCE, "{name}: {what}: ours {a} vs backtesting.py {b} (rel diff {d:e})");
        worst = worst.max(d);
    };
    for (label, key) in LABELS {
        let theirs = &case["stats"][label];
        match key {
            "start" => assert_eq!(ours["start"], case["stats"]["Start"], "{name}: Start"),
            // backtesting.py leaves Commissions out when they are zero.
            "commissions" if theirs.is_null() => check(label.into(), num(&ours[key]), 0.0),
            _ => check(label.into(), num(&ours[key]), num(theirs)),
        }
    }
    assert_eq!(ours["end"], case["stats"]["End"], "{name}: End");

    let expected = case["trades"].as_array().unwrap();
    assert_eq!(trades.len(), expected.len(), "{name}: number of trades");
    for (k, (t, e)) in trades.iter().zip(expected).enumerate() {
        assert_eq!(t.entry_bar as u64, e["entry_bar"].as_u64().unwrap(), "{name}: trade {k} entry bar");
        assert_eq!(t.exit_bar.map(|b| b as u64), e["exit_bar"].as_u64(), "{name}: trade {k} exit bar");
        assert_eq!(t.tag.as_deref(), e["tag"].as_str(), "{name}: trade {k} tag");
        assert_eq!(t.sl, opt(&e["sl"]), "{name}: trade {k} sl");
        assert_eq!(t.tp, opt(&e["tp"]), "{name}: trade {k} tp");
        check(format!("trade {k} size"), t.size, num(&e["size"]));
        check(format!("trade {k} entry price"), t.entry_price, num(&e["entry_price"]));
        check(format!("trade {k} exit price"), t.exit_price.unwrap(), num(&e["exit_price"]));
        check(format!("trade {k} pnl"), t.pnl_at(f64::NAN), num(&e["pnl"]));
        check(format!("trade {k} commission"), t.commission, num(&e["commission"]));
        check(format!("trade {k} return"), t.return_at(f64::NAN), num(&e["return_pct"]));
    }
    let expected_equity: Vec<f64> = case["equity"].as_array().unwrap().iter().map(num).collect();
    assert_eq!(equity.len(), expected_equity.len(), "{name}: equity length");
    for (i, (a, b)) in equity.iter().zip(&expected_equity).enumerate() {
        check(format!("equity[{i}]"), *a, *b);
    }
    worst
}

/// Replays a scripted case's actions through the broker.
fn run_scripted(name: &str) {
    let case = load_case(name);
    let all = goog();
    let d = &case["data"];
    let bars = all.slice(d["start_row"].as_u64().unwrap() as usize..d["end_row"].as_u64().unwrap() as usize);
    let cfg = exec_config(&case);
    let actions = case["strategy"]["actions"].as_array().unwrap().clone();
    let sim = engine::simulate(&bars, &cfg, 1, |i, broker| {
        for a in actions.iter().filter(|a| a["bar"].as_u64() == Some(i as u64)) {
            let index = a["index"].as_u64().unwrap_or(0) as usize;
            match a["op"].as_str().unwrap() {
                op @ ("buy" | "sell") => {
                    let raw = num(&a["size"]);
                    let signed = if op == "buy" { raw } else { -raw };
                    let size = if raw < 1.0 { Size::Fraction(signed) } else { Size::Units(signed) };
                    broker.submit(&OrderRequest {
                        size,
                        limit: opt(&a["limit"]),
                        stop: opt(&a["stop"]),
                        sl: opt(&a["sl"]),
                        tp: opt(&a["tp"]),
                        tag: a["tag"].as_str().map(String::from),
                    })?;
                }
                "close_position" => broker.close_position(num(&a["portion"])),
                "close_trade" => broker.close_trade(index, num(&a["portion"])),
                "cancel_orders" => broker.cancel_orders(),
                "set_sl" => broker.set_stop_loss(index, opt(&a["price"]))?,
                "set_tp" => broker.set_take_profit(index, opt(&a["price"]))?,
                other => panic!("unknown op {other}"),
            }
        }
        Ok(())
    })
    .expect("simulation runs");
    let stats = metrics::compute(StatsInput {
        time: &bars.time,
        close: &bars.close,
        equity: &sim.equity,
        trades: &sim.closed_trades,
        first_trading_bar: 0,
    });
    let worst = compare(&case, &stats, &sim.closed_trades, &sim.equity);
    println!("{name}: worst relative difference {worst:e}");
}

/// Runs an SMA-crossover case through a strategy file and the orchestrator.
fn run_sma_case(name: &str) {
    let case = load_case(name);
    let st = &case["strategy"];
    let toml = format!(
        "name = \"{name}\"\n[params]\nfast = {}\nslow = {}\n\
         [[stages]]\nid = \"fast\"\nkind = \"sma\"\nperiod = \"fast\"\n\
         [[stages]]\nid = \"slow\"\nkind = \"sma\"\nperiod = \"slow\"\n\
         [policy]\nkind = \"rules\"\nentry_long = \"crossover(fast, slow)\"\nentry_short = \"crossunder(fast, slow)\"\n",
        st["fast"], st["slow"]
    );
    let strategy = Strategy::parse(&toml, Path::new("case.toml")).expect("strategy parses");
    let bars = goog();
    let run = orchestrator::backtest(&strategy, &bars, &exec_config(&case), false).expect("backtest runs");
    let worst = compare(&case, &run.stats, &run.simulation.closed_trades, &run.simulation.equity);
    println!("{name}: worst relative difference {worst:e}");
}

#[test]
fn compute_stats_case_sma_10_30() {
    run_sma_case("compute_stats");
}

#[test]
fn readme_case_sma_10_20_with_commission_and_exclusive_orders() {
    run_sma_case("readme_sma_cross");
}

#[test]
fn sma_cross_trade_on_close_fixed_fee_and_spread() {
    run_sma_case("sma_cross_trade_on_close");
}

macro_rules! scripted {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            run_scripted(concat!("scripted_", stringify!($name)));
        }
    )*};
}

scripted!(
    limit_buy,
    stop_buy,
    stop_limit_buy,
    sl_tp_long,
    sl_tp_short,
    contingent_entry_bar,
    short_limit_stop,
    partial_close,
    fifo_netting,
    exclusive_orders,
    exclusive_orders_skip_quirk,
    trade_on_close,
    insufficient_cash,
    commission_spread,
    set_sl_tp,
    finalize_last_bar,
);
