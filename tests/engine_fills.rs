//! Fill rules of each order type on hand-made bars: gaps, same-bar stop/limit conflicts,
//! brackets, costs and sizing.

use tradeorch::data::Bars;
use tradeorch::engine::{self, Broker, Compat, ExecutionConfig, Fill, OrderRequest, Simulation, Size};
use tradeorch::Result;

const DAY: i64 = 86_400_000_000_000;

/// Bars from (open, high, low, close), one per day.
fn bars(ohlc: &[(f64, f64, f64, f64)]) -> Bars {
    Bars {
        symbol: None,
        time: (0..ohlc.len() as i64).map(|i| i * DAY).collect(),
        open: ohlc.iter().map(|b| b.0).collect(),
        high: ohlc.iter().map(|b| b.1).collect(),
        low: ohlc.iter().map(|b| b.2).collect(),
        close: ohlc.iter().map(|b| b.3).collect(),
        volume: None,
    }
}

fn cfg() -> ExecutionConfig {
    ExecutionConfig::preset(Compat::Tradeorch)
}

/// Submits `order` at the decision of bar `at` and runs to the end.
fn run_one(b: &Bars, cfg: &ExecutionConfig, at: usize, order: OrderRequest) -> Simulation {
    run(b, cfg, |i, broker| {
        if i == at {
            broker.submit(&order)?;
        }
        Ok(())
    })
}

fn run(b: &Bars, cfg: &ExecutionConfig, decide: impl FnMut(usize, &mut Broker) -> Result<()>) -> Simulation {
    engine::simulate(b, cfg, 1, decide).expect("simulation runs")
}

fn units(n: f64) -> OrderRequest {
    OrderRequest::market(Size::Units(n))
}

const FLAT: (f64, f64, f64, f64) = (100.0, 101.0, 99.0, 100.0);

#[test]
fn market_order_fills_at_next_open() {
    let b = bars(&[FLAT, FLAT, (102.0, 104.0, 101.0, 103.0), FLAT]);
    let sim = run_one(&b, &cfg(), 1, units(10.0));
    let t = &sim.closed_trades[0];
    assert_eq!((t.entry_bar, t.entry_price), (2, 102.0));
    // finalize_trades closes at the last bar's open.
    assert_eq!((t.exit_bar, t.exit_price), (Some(3), Some(100.0)));
    assert_eq!(sim.equity[2], 10_000.0 + 10.0 * (103.0 - 102.0));
}

#[test]
fn market_order_with_fill_close_fills_at_decision_close() {
    let b = bars(&[FLAT, (100.0, 106.0, 99.0, 105.0), (102.0, 104.0, 101.0, 103.0), FLAT]);
    let c = ExecutionConfig { fill: Fill::Close, ..cfg() };
    let sim = run_one(&b, &c, 1, units(10.0));
    let t = &sim.closed_trades[0];
    assert_eq!((t.entry_bar, t.entry_price), (1, 105.0));
}

#[test]
fn limit_buy_waits_for_price_then_fills_at_limit() {
    let b = bars(&[FLAT, FLAT, (99.0, 100.0, 96.0, 98.0), (97.0, 98.0, 94.0, 96.0), FLAT]);
    let order = OrderRequest { limit: Some(95.0), ..units(1.0) };
    let t = &run_one(&b, &cfg(), 1, order).closed_trades[0];
    assert_eq!((t.entry_bar, t.entry_price), (3, 95.0));
}

#[test]
fn limit_buy_gapped_through_fills_at_the_better_open() {
    let b = bars(&[FLAT, FLAT, (90.0, 92.0, 89.0, 91.0), FLAT]);
    let order = OrderRequest { limit: Some(95.0), ..units(1.0) };
    let t = &run_one(&b, &cfg(), 1, order).closed_trades[0];
    assert_eq!((t.entry_bar, t.entry_price), (2, 90.0));
}

#[test]
fn sell_limit_fills_at_limit_or_better_open() {
    let b = bars(&[FLAT, FLAT, (101.0, 106.0, 100.0, 104.0), (110.0, 111.0, 108.0, 109.0), FLAT]);
    let at_limit = OrderRequest { limit: Some(105.0), ..units(-1.0) };
    let t = &run_one(&b, &cfg(), 1, at_limit).closed_trades[0];
    assert_eq!((t.entry_bar, t.entry_price, t.size), (2, 105.0, -1.0));
    let gapped = OrderRequest { limit: Some(107.0), ..units(-1.0) };
    let t = &run_one(&b, &cfg(), 2, gapped).closed_trades[0];
    assert_eq!((t.entry_bar, t.entry_price), (3, 110.0));
}

#[test]
fn stop_buy_fills_at_stop_or_at_a_gapped_open() {
    let b = bars(&[FLAT, FLAT, (101.0, 106.0, 100.0, 104.0), (108.0, 109.0, 107.0, 108.0), FLAT]);
    let at_stop = OrderRequest { stop: Some(105.0), ..units(1.0) };
    let t = &run_one(&b, &cfg(), 1, at_stop).closed_trades[0];
    assert_eq!((t.entry_bar, t.entry_price), (2, 105.0));
    let gapped = OrderRequest { stop: Some(107.0), ..units(1.0) };
    let t = &run_one(&b, &cfg(), 2, gapped).closed_trades[0];
    assert_eq!((t.entry_bar, t.entry_price), (3, 108.0));
}

#[test]
fn sell_stop_gapped_down_fills_at_open() {
    let b = bars(&[FLAT, FLAT, (90.0, 91.0, 88.0, 89.0), FLAT]);
    let order = OrderRequest { stop: Some(95.0), ..units(-1.0) };
    let t = &run_one(&b, &cfg(), 1, order).closed_trades[0];
    assert_eq!((t.entry_bar, t.entry_price), (2, 90.0));
}

#[test]
fn stop_limit_with_limit_above_stop_fills_in_the_trigger_bar() {
    let b = bars(&[FLAT, FLAT, (101.0, 107.0, 100.0, 104.0), FLAT]);
    let order = OrderRequest { stop: Some(105.0), limit: Some(106.0), ..units(1.0) };
    let t = &run_one(&b, &cfg(), 1, order).closed_trades[0];
    assert_eq!((t.entry_bar, t.entry_price), (2, 105.0));
}

#[test]
fn stop_limit_conflict_in_one_bar_waits_for_a_later_bar() {
    // Stop 105 and limit 103 are both inside bar 2's range, but the limit can only count after
    // the stop triggered; the limit is assumed touched first, so the fill waits for bar 3.
    let b = bars(&[FLAT, FLAT, (101.0, 107.0, 100.0, 104.0), (104.0, 105.0, 102.0, 103.0), FLAT]);
    let order = OrderRequest { stop: Some(105.0), limit: Some(103.0), ..units(1.0) };
    let t = &run_one(&b, &cfg(), 1, order).closed_trades[0];
    assert_eq!((t.entry_bar, t.entry_price), (3, 103.0));
}

#[test]
fn stop_loss_and_take_profit_in_the_same_bar_stop_loss_wins() {
    let b = bars(&[FLAT, FLAT, FLAT, (100.0, 111.0, 94.0, 100.0), FLAT]);
    let order = OrderRequest { sl: Some(95.0), tp: Some(110.0), ..units(1.0) };
    let t = &run_one(&b, &cfg(), 1, order).closed_trades[0];
    assert_eq!((t.exit_bar, t.exit_price), (Some(3), Some(95.0)));
    assert_eq!((t.sl, t.tp), (Some(95.0), Some(110.0)));
}

#[test]
fn stop_loss_gapped_through_fills_at_the_open() {
    let b = bars(&[FLAT, FLAT, FLAT, (90.0, 92.0, 89.0, 91.0), FLAT]);
    let order = OrderRequest { sl: Some(95.0), ..units(1.0) };
    let t = &run_one(&b, &cfg(), 1, order).closed_trades[0];
    assert_eq!((t.exit_bar, t.exit_price), (Some(3), Some(90.0)));
}

#[test]
fn take_profit_of_a_short_fills_at_limit() {
    let b = bars(&[FLAT, FLAT, FLAT, (98.0, 99.0, 89.0, 92.0), FLAT]);
    let order = OrderRequest { sl: Some(110.0), tp: Some(90.0), ..units(-2.0) };
    let t = &run_one(&b, &cfg(), 1, order).closed_trades[0];
    assert_eq!((t.exit_bar, t.exit_price), (Some(3), Some(90.0)));
    assert_eq!(t.pnl_at(f64::NAN), 2.0 * (100.0 - 90.0));
}

#[test]
fn stop_loss_can_trigger_in_the_entry_bar_of_a_market_order() {
    let b = bars(&[FLAT, FLAT, (100.0, 101.0, 94.0, 96.0), FLAT]);
    let order = OrderRequest { sl: Some(95.0), ..units(1.0) };
    let t = &run_one(&b, &cfg(), 1, order).closed_trades[0];
    assert_eq!((t.entry_bar, t.exit_bar, t.exit_price), (2, Some(2), Some(95.0)));
}

#[test]
fn brackets_on_the_wrong_side_are_rejected() {
    let b = bars(&[FLAT, FLAT, FLAT]);
    let order = OrderRequest { sl: Some(105.0), ..units(1.0) };
    let err = engine::simulate(&b, &cfg(), 1, |_, broker| broker.submit(&order)).unwrap_err();
    assert!(err.to_string().contains("stop-loss"), "{err}");
}

#[test]
fn commission_and_fee_are_charged_at_entry_and_exit() {
    let b = bars(&[FLAT, FLAT, (100.0, 101.0, 99.0, 100.0), (110.0, 111.0, 109.0, 110.0)]);
    let c = ExecutionConfig { commission: 0.001, fee: 1.0, ..cfg() };
    let sim = run_one(&b, &c, 1, units(10.0));
    let t = &sim.closed_trades[0];
    let expected_commission = (1.0 + 10.0 * 100.0 * 0.001) + (1.0 + 10.0 * 110.0 * 0.001);
    assert!((t.commission - expected_commission).abs() < 1e-12);
    assert!((sim.cash - (10_000.0 + 100.0 - expected_commission)).abs() < 1e-9);
}

#[test]
fn spread_is_paid_at_entry_and_slippage_on_every_fill() {
    let b = bars(&[FLAT, FLAT, (100.0, 101.0, 99.0, 100.0), (110.0, 111.0, 109.0, 110.0)]);
    let spread = ExecutionConfig { spread_bps: 10.0, ..cfg() };
    let t = run_one(&b, &spread, 1, units(1.0)).closed_trades[0].clone();
    assert!((t.entry_price - 100.1).abs() < 1e-12);
    assert_eq!(t.exit_price, Some(110.0));
    let slip = ExecutionConfig { slippage_bps: 10.0, ..cfg() };
    let t = run_one(&b, &slip, 1, units(1.0)).closed_trades[0].clone();
    assert!((t.entry_price - 100.1).abs() < 1e-12);
    assert!((t.exit_price.unwrap() - 109.89).abs() < 1e-12);
}

#[test]
fn fraction_sizing_uses_whole_units_unless_fractional() {
    let b = bars(&[FLAT, FLAT, (300.0, 301.0, 299.0, 300.0), FLAT]);
    let whole = run_one(&b, &cfg(), 1, OrderRequest::market(Size::Fraction(1.0)));
    assert_eq!(whole.closed_trades[0].size, 33.0);
    let frac = ExecutionConfig { fractional: true, ..cfg() };
    let sim = run_one(&b, &frac, 1, OrderRequest::market(Size::Fraction(1.0)));
    assert!((sim.closed_trades[0].size - 10_000.0 / 300.0).abs() < 1e-9);
}

#[test]
fn an_order_larger_than_cash_is_cancelled() {
    let b = bars(&[FLAT, FLAT, FLAT, FLAT]);
    let sim = run_one(&b, &cfg(), 1, units(101.0));
    assert!(sim.closed_trades.is_empty() && sim.open_trades.is_empty());
}

#[test]
fn opposite_order_nets_fifo_against_open_trades() {
    let b = bars(&[FLAT, FLAT, FLAT, (105.0, 106.0, 104.0, 105.0), FLAT]);
    let sim = run(&b, &cfg(), |i, broker| {
        match i {
            1 => broker.submit(&units(10.0))?,
            2 => broker.submit(&units(-4.0))?,
            _ => {}
        }
        Ok(())
    });
    let first = &sim.closed_trades[0];
    assert_eq!((first.size, first.exit_bar, first.exit_price), (4.0, Some(3), Some(105.0)));
    let rest = &sim.closed_trades[1];
    assert_eq!((rest.size, rest.entry_price), (6.0, 100.0));
}

#[test]
fn a_wiped_out_account_stops_the_run_with_zero_equity() {
    let b = bars(&[FLAT, FLAT, FLAT, (250.0, 260.0, 240.0, 250.0), FLAT, FLAT]);
    let sim = run_one(&b, &cfg(), 1, OrderRequest::market(Size::Fraction(-1.0)));
    assert!(sim.wiped_out);
    assert_eq!(&sim.equity[3..], &[0.0, 0.0, 0.0]);
    assert_eq!(sim.cash, 0.0);
}

#[test]
fn deciding_only_at_active_bars_gives_the_every_bar_run() {
    // A short entered at bar 1 is wiped out at bar 5, between decisions at bars 1 and 7;
    // another run reverses at bar 3 and survives.
    let rising = [
        FLAT,
        FLAT,
        FLAT,
        (110.0, 111.0, 109.0, 110.0),
        FLAT,
        (250.0, 260.0, 240.0, 250.0),
        FLAT,
        FLAT,
        FLAT,
    ];
    let b = bars(&rising);
    for (decisions, orders) in [
        (vec![1, 7], vec![(1, -1.0)]),
        (vec![1, 3, 7], vec![(1, -1.0), (3, 1.0)]),
    ] {
        let decide = |i: usize, broker: &mut Broker| {
            if let Some(&(_, fraction)) = orders.iter().find(|(at, _)| *at == i) {
                broker.submit(&OrderRequest::market(Size::Fraction(fraction)))?;
            }
            Ok(())
        };
        let every = engine::simulate(&b, &cfg(), 1, decide).unwrap();
        let some = engine::simulate_active(&b, &cfg(), 1, Some(&decisions), decide).unwrap();
        assert_eq!(some, every, "decisions at {decisions:?}");
    }
    let wiped = engine::simulate(&b, &cfg(), 1, |i, broker| {
        if i == 1 {
            broker.submit(&OrderRequest::market(Size::Fraction(-1.0)))?;
        }
        Ok(())
    })
    .unwrap();
    assert!(wiped.wiped_out && wiped.equity[5] == 0.0 && wiped.equity[4] > 0.0);
}
