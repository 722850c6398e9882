//! The broker: an order queue, FIFO-netted trades, cash and fills against OHLC bars.
//!
//! Fill rules follow backtesting.py 0.6.x exactly (so results can be checked against it):
//! market orders fill at the next open (or this bar's close with [`Fill::Close`]); a stop order
//! triggers when the bar's range reaches it and fills at the stop, or at the open when the bar
//! gaps through it; a limit order fills at the limit or at a better open; when a stop-limit's
//! stop and limit are both inside one bar, the limit is assumed hit first only if that is
//! possible; stop-loss / take-profit orders are contingent on their trade and the stop-loss is
//! checked first.

use crate::data::Bars;
use crate::error::{Error, Result};

use super::config::{ExecutionConfig, Fill};
use super::order::{Order, OrderRequest, Role, Trade};

/// Cash, orders and trades, stepped one bar at a time by [`super::simulate`].
#[derive(Debug)]
pub struct Broker<'a> {
    bars: &'a Bars,
    cfg: &'a ExecutionConfig,
    spread: f64,
    slippage: f64,
    leverage: f64,
    cash: f64,
    /// Index of the current bar (its close is the "last price").
    bar: usize,
    orders: Vec<Order>,
    trades: Vec<Trade>,
    closed: Vec<Trade>,
    next_id: u64,
    scratch: Vec<u64>,
}

/// `x % y` (C's `fmod`, which is exact), in a few instructions when the quotient is below
/// 2^52 instead of the software `fmod`'s loop over the quotient's bits.
fn remainder(x: f64, y: f64) -> f64 {
    let (a, b) = (x.abs(), y.abs());
    let q = (a / b).trunc();
    if !(q <= 4_503_599_627_370_496.0 && b.is_finite()) {
        return x % y; // also NaN, infinite and zero operands
    }
    // The exact remainder a - n·b (n the whole part of the exact quotient) is a float, so
    // the fused multiply-add gives it exactly. The rounded quotient is n, or n + 1 when it
    // rounds up to the next whole number, which leaves a negative remainder.
    let r = (-q).mul_add(b, a);
    let r = if r < 0.0 { (1.0 - q).mul_add(b, a) } else { r };
    r.copysign(x)
}

/// `x // y` for floats exactly as Python computes it (used for whole-unit sizing).
fn py_floordiv(x: f64, y: f64) -> f64 {
    let m = remainder(x, y);
    let mut div = (x - m) / y;
    if m != 0.0 && ((y < 0.0) != (m < 0.0)) {
        div -= 1.0;
    }
    if div != 0.0 {
        let floor = div.floor();
        if div - floor > 0.5 {
            floor + 1.0
        } else {
            floor
        }
    } else {
        (0.0f64).copysign(x / y)
    }
}

/// Writes `cash + (close * size - cost)` into `equity` for each close; returns whether any
/// of it is not positive (checked after the vectorised loop: a wipe-out is rare).
#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
fn mark(equity: &mut [f64], close: &[f64], cash: f64, size: f64, cost: f64) -> bool {
    for (e, &c) in equity.iter_mut().zip(close) {
        *e = cash + (c * size - cost);
    }
    equity.iter().fold(false, |hit, &e| hit | (e <= 0.0))
}

impl<'a> Broker<'a> {
    /// A broker with the configured starting cash, positioned before bar 0.
    pub fn new(bars: &'a Bars, cfg: &'a ExecutionConfig) -> Self {
        Broker {
            bars,
            cfg,
            spread: cfg.spread_bps / 10_000.0,
            slippage: cfg.slippage_bps / 10_000.0,
            leverage: 1.0 / cfg.margin,
            cash: cfg.cash,
            bar: 0,
            orders: Vec::new(),
            trades: Vec::new(),
            closed: Vec::new(),
            next_id: 0,
            scratch: Vec::new(),
        }
    }

    // ---- what a strategy sees -------------------------------------------------------------

    /// Index of the current bar.
    pub fn bar(&self) -> usize {
        self.bar
    }

    /// Cash (excluding open positions' value).
    pub fn cash(&self) -> f64 {
        self.cash
    }

    /// Net position in units (negative when short).
    pub fn position_size(&self) -> f64 {
        self.trades.iter().map(|t| t.size).sum()
    }

    /// Cash plus the open trades' profit at the current close.
    pub fn equity(&self) -> f64 {
        self.cash + self.unrealized_pnl()
    }

    /// Open trades, oldest first.
    pub fn trades(&self) -> &[Trade] {
        &self.trades
    }

    /// Closed trades, in the order they were closed.
    pub fn closed_trades(&self) -> &[Trade] {
        &self.closed
    }

    /// The closed and the open trades, ending the broker.
    pub(crate) fn into_trades(self) -> (Vec<Trade>, Vec<Trade>) {
        (self.closed, self.trades)
    }

    /// Number of orders waiting to fill (including stop-loss / take-profit orders).
    pub fn pending_orders(&self) -> usize {
        self.orders.len()
    }

    // ---- what a strategy does -------------------------------------------------------------

    /// Places a stand-alone order. Errors when its stop-loss / take-profit are on the wrong
    /// side of its price, or its size is not usable.
    pub fn submit(&mut self, req: &OrderRequest) -> Result<()> {
        let order = Order::from_request(self.new_id(), req);
        self.check_size(&order)?;
        self.check_brackets(&order)?;
        if self.cfg.exclusive_orders {
            self.cancel_orders();
            self.close_position(1.0);
        }
        self.orders.push(order);
        Ok(())
    }

    /// Cancels every pending order that is not a stop-loss or take-profit.
    ///
    /// Reproduces backtesting.py's removal while iterating, which skips the order right after
    /// each removed one (so two adjacent pending entries are not both cancelled).
    pub fn cancel_orders(&mut self) {
        let mut i = 0;
        while i < self.orders.len() {
            if !self.orders[i].is_contingent() {
                self.orders.remove(i);
            }
            i += 1;
        }
    }

    /// Closes `portion` (0 < p <= 1) of every open trade at market.
    pub fn close_position(&mut self, portion: f64) {
        for k in 0..self.trades.len() {
            self.close_trade(k, portion);
        }
    }

    /// Closes `portion` (0 < p <= 1) of open trade `index` at market.
    pub fn close_trade(&mut self, index: usize, portion: f64) {
        let Some(trade) = self.trades.get(index) else { return };
        let units = if self.cfg.fractional {
            trade.size.abs() * portion
        } else {
            (trade.size.abs() * portion).round_ties_even().max(1.0)
        };
        let order = Order {
            id: self.next_id,
            size: units.copysign(-trade.size),
            fraction: false,
            limit: None,
            stop: None,
            sl: None,
            tp: None,
            trade: Some(trade.id),
            role: Role::Close,
            tag: trade.tag.clone(),
        };
        self.next_id += 1;
        self.orders.insert(0, order);
    }

    /// Sets (or with `None` removes) the stop-loss of open trade `index`.
    pub fn set_stop_loss(&mut self, index: usize, price: Option<f64>) -> Result<()> {
        self.set_contingent(index, Role::StopLoss, price)
    }

    /// Sets (or with `None` removes) the take-profit of open trade `index`.
    pub fn set_take_profit(&mut self, index: usize, price: Option<f64>) -> Result<()> {
        self.set_contingent(index, Role::TakeProfit, price)
    }

    // ---- the clock ------------------------------------------------------------------------

    /// Moves to bar `i`, fills what can be filled and returns the equity at its close.
    #[inline]
    pub(crate) fn step(&mut self, i: usize) -> Result<f64> {
        self.bar = i;
        if !self.orders.is_empty() {
            self.process_orders()?;
        }
        Ok(self.equity())
    }

    /// Moves through `bars` while no order waits, writing the equity at each close into
    /// `equity` (the same values [`Broker::step`] gives). Stops before the first bar whose
    /// equity is not positive, for `step` to handle; returns where it stopped.
    pub(crate) fn mark_to_market(
        &mut self,
        bars: std::ops::Range<usize>,
        equity: &mut [f64],
    ) -> usize {
        debug_assert!(self.orders.is_empty());
        if bars.is_empty() {
            return bars.start;
        }
        let (size, cost) = self.size_and_cost();
        let marked = &mut equity[bars.clone()];
        let end = match mark(marked, &self.bars.close[bars.clone()], self.cash, size, cost) {
            false => bars.end,
            true => bars.start + marked.iter().position(|&e| e <= 0.0).unwrap_or(marked.len()),
        };
        if end > bars.start {
            self.bar = end - 1;
        }
        end
    }

    /// True when orders wait to be filled.
    pub(crate) fn has_orders(&self) -> bool {
        !self.orders.is_empty()
    }

    /// Closes every open trade at the current close and zeroes cash (equity hit zero).
    ///
    /// Like backtesting.py, it closes trades while iterating over them, so every other
    /// trade stays open; they no longer matter once the account is wiped out.
    pub(crate) fn liquidate(&mut self) {
        let price = self.last_price();
        let mut k = 0;
        while k < self.trades.len() {
            let id = self.trades[k].id;
            self.close_trade_now(id, price, self.bar);
            k += 1;
        }
        self.cash = 0.0;
    }

    /// Queues market orders closing all open trades, newest first (backtesting.py's
    /// `finalize_trades`).
    pub(crate) fn queue_final_closes(&mut self) {
        for k in (0..self.trades.len()).rev() {
            self.close_trade(k, 1.0);
        }
    }

    // ---- internals ------------------------------------------------------------------------

    fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id - 1
    }

    fn last_price(&self) -> f64 {
        self.bars.close[self.bar]
    }

    fn unrealized_pnl(&self) -> f64 {
        let (size, cost) = self.size_and_cost();
        self.last_price() * size - cost
    }

    /// The open trades' net size, and the sum of their sizes times entry prices.
    fn size_and_cost(&self) -> (f64, f64) {
        let size = self.trades.iter().map(|t| t.size).sum();
        let cost = self.trades.iter().map(|t| t.size * t.entry_price).sum();
        (size, cost)
    }

    fn margin_available(&self) -> f64 {
        let price = self.last_price();
        let used: f64 = self.trades.iter().map(|t| t.size.abs() * price / self.leverage).sum();
        (self.equity() - used).max(0.0)
    }

    fn commission(&self, size: f64, price: f64) -> f64 {
        self.cfg.fee + size.abs() * price * self.cfg.commission
    }

    /// `price` moved against the side of a fill of `size` by the configured slippage.
    fn slipped(&self, size: f64, price: f64) -> f64 {
        if self.slippage == 0.0 {
            price
        } else {
            price * (1.0 + self.slippage.copysign(size))
        }
    }

    fn check_size(&self, order: &Order) -> Result<()> {
        let s = order.size;
        let ok = s.is_finite()
            && s != 0.0
            && if order.fraction {
                s.abs() <= 1.0
            } else {
                self.cfg.fractional || s == s.round()
            };
        if ok {
            Ok(())
        } else {
            Err(Error::Run(format!(
                "bar {}: order size {s} is not usable (a fraction in (0, 1] of equity, or {} units)",
                self.bar,
                if self.cfg.fractional { "non-zero" } else { "whole" }
            )))
        }
    }

    fn check_brackets(&self, o: &Order) -> Result<()> {
        let reference = o
            .limit
            .or(o.stop)
            .unwrap_or_else(|| self.last_price() * (1.0 + self.spread.copysign(o.size)));
        let (lo, hi, lo_name, hi_name) = if o.is_long() {
            (o.sl, o.tp, "stop-loss", "take-profit")
        } else {
            (o.tp, o.sl, "take-profit", "stop-loss")
        };
        if lo.unwrap_or(f64::NEG_INFINITY) < reference && reference < hi.unwrap_or(f64::INFINITY) {
            return Ok(());
        }
        Err(Error::Run(format!(
            "bar {}: a {} order needs {lo_name} ({lo:?}) < price ({reference}) < {hi_name} ({hi:?})",
            self.bar,
            if o.is_long() { "long" } else { "short" },
        )))
    }

    fn trade_index(&self, id: u64) -> Option<usize> {
        self.trades.iter().position(|t| t.id == id)
    }

    fn order_index(&self, id: u64) -> Option<usize> {
        self.orders.iter().position(|o| o.id == id)
    }

    fn remove_order(&mut self, id: u64) {
        if let Some(k) = self.order_index(id) {
            self.orders.remove(k);
        }
    }

    fn set_contingent(&mut self, index: usize, role: Role, price: Option<f64>) -> Result<()> {
        let Some(trade) = self.trades.get(index) else {
            return Err(Error::Run(format!("bar {}: no open trade #{index}", self.bar)));
        };
        if let Some(p) = price {
            if !(p > 0.0 && p.is_finite()) {
                return Err(Error::Run(format!("bar {}: stop/limit price must be > 0, got {p}", self.bar)));
            }
        }
        let (trade_id, size, tag) = (trade.id, -trade.size, trade.tag.clone());
        let existing = match role {
            Role::StopLoss => trade.sl_order,
            _ => trade.tp_order,
        };
        if let Some(old) = existing {
            self.remove_order(old);
        }
        let new_id = price.map(|p| {
            let id = self.new_id();
            let (limit, stop) = if role == Role::StopLoss { (None, Some(p)) } else { (Some(p), None) };
            let order = Order {
                id,
                size,
                fraction: false,
                limit,
                stop,
                sl: None,
                tp: None,
                trade: Some(trade_id),
                role,
                tag,
            };
            // Stop-loss orders go first so they are checked before anything else.
            if role == Role::StopLoss {
                self.orders.insert(0, order);
            } else {
                self.orders.push(order);
            }
            id
        });
        let trade = &mut self.trades[index];
        if role == Role::StopLoss {
            trade.sl_order = new_id;
            trade.sl = price;
        } else {
            trade.tp_order = new_id;
            trade.tp = price;
        }
        Ok(())
    }

    /// Fills what the current bar allows; repeats once a market entry has attached brackets,
    /// so a stop-loss can trigger in the bar its trade was opened.
    fn process_orders(&mut self) -> Result<()> {
        loop {
            self.scratch.clear();
            self.scratch.extend(self.orders.iter().map(|o| o.id));
            let mut reprocess = false;
            for k in 0..self.scratch.len() {
                let id = self.scratch[k];
                reprocess |= self.process_order(id)?;
            }
            if !reprocess {
                return Ok(());
            }
        }
    }

    /// Tries to fill one order; returns whether the queue must be processed again.
    fn process_order(&mut self, id: u64) -> Result<bool> {
        let Some(idx) = self.order_index(id) else { return Ok(false) };
        let i = self.bar;
        let (open, high, low) = (self.bars.open[i], self.bars.high[i], self.bars.low[i]);
        let trade_on_close = self.cfg.fill == Fill::Close;
        let order = &mut self.orders[idx];
        let is_long = order.is_long();

        let stop_price = order.stop;
        if let Some(stop) = stop_price {
            let hit = if is_long { high >= stop } else { low <= stop };
            if !hit {
                return Ok(false);
            }
            // A triggered stop order becomes a market (or limit) order.
            order.stop = None;
        }

        let price = if let Some(limit) = order.limit {
            let hit = if is_long { low <= limit } else { high >= limit };
            // When stop and limit are both inside the bar, assume (pessimistically) that the
            // limit was reached before the stop whenever that is possible.
            let before_stop = hit
                && if is_long {
                    limit <= stop_price.unwrap_or(f64::NEG_INFINITY)
                } else {
                    limit >= stop_price.unwrap_or(f64::INFINITY)
                };
            if !hit || before_stop {
                return Ok(false);
            }
            let start = stop_price.unwrap_or(open);
            if is_long {
                start.min(limit)
            } else {
                start.max(limit)
            }
        } else {
            let base = if trade_on_close && !order.is_contingent() { self.bars.close[i - 1] } else { open };
            match stop_price {
                Some(stop) if is_long => base.max(stop),
                Some(stop) => base.min(stop),
                None => base,
            }
        };
        let is_market = order.limit.is_none() && stop_price.is_none();
        let time_index = if is_market && trade_on_close && !order.is_contingent() { i - 1 } else { i };
        let (order_size, parent) = (order.size, order.trade);
        let price = self.slipped(order_size, price);

        if let Some(trade_id) = parent {
            if let Some(t) = self.trade_index(trade_id) {
                let open_size = self.trades[t].size;
                let size = open_size.abs().min(order_size.abs()).copysign(order_size);
                self.reduce_trade(t, price, size, time_index);
            }
            self.remove_order(id);
            return Ok(false);
        }
        self.fill_entry(idx, price, time_index, stop_price, (high, low))
    }

    /// Fills a stand-alone order at `price`: nets it against opposite trades (FIFO), then
    /// opens a trade with what is left, if cash allows.
    fn fill_entry(
        &mut self,
        idx: usize,
        price: f64,
        time_index: usize,
        stop_price: Option<f64>,
        (high, low): (f64, f64),
    ) -> Result<bool> {
        let order = self.orders[idx].clone();
        let adjusted = price * (1.0 + self.spread.copysign(order.size));
        let cost_per_unit = adjusted + self.commission(order.size, price) / order.size.abs();

        let mut need = order.size;
        if order.fraction {
            let budget = self.margin_available() * self.leverage * order.size.abs();
            let units = if self.cfg.fractional { budget / cost_per_unit } else { py_floordiv(budget, cost_per_unit) };
            if units == 0.0 {
                self.remove_order(order.id);
                return Ok(false);
            }
            need = units.copysign(order.size);
        }

        self.scratch_trades_opposite(order.is_long(), |broker, trade_id| {
            let t = broker.trade_index(trade_id).expect("trade in book");
            let trade_size = broker.trades[t].size;
            if need.abs() >= trade_size.abs() {
                broker.close_trade_now(trade_id, price, time_index);
                need += trade_size;
            } else {
                broker.reduce_trade(t, price, need, time_index);
                need = 0.0;
            }
            need != 0.0
        });

        let available = self.margin_available() * self.leverage;
        let tolerance = if self.cfg.fractional { 1.0 + 1e-12 } else { 1.0 };
        if need.abs() * cost_per_unit > available * tolerance {
            self.remove_order(order.id);
            return Ok(false);
        }

        let mut reprocess = false;
        if need != 0.0 {
            self.open_trade(adjusted, need, &order, time_index)?;
            if order.sl.is_some() || order.tp.is_some() {
                let is_market = order.limit.is_none() && stop_price.is_none();
                // A stop entry whose take-profit (but not stop-loss) is inside the same bar
                // is unambiguous: both lie in the direction price went.
                let stop_then_tp = stop_price.is_some()
                    && order.limit.is_none()
                    && order.tp.is_some_and(|tp| {
                        if order.is_long() {
                            tp <= high && order.sl.unwrap_or(f64::NEG_INFINITY) < low
                        } else {
                            tp >= low && order.sl.unwrap_or(f64::INFINITY) > high
                        }
                    });
                reprocess = is_market || stop_then_tp;
            }
        }
        self.remove_order(order.id);
        Ok(reprocess)
    }

    /// Calls `f` with each open trade opposite to a new order's side, oldest first, while it
    /// returns true.
    fn scratch_trades_opposite(&mut self, order_is_long: bool, mut f: impl FnMut(&mut Self, u64) -> bool) {
        let ids: Vec<u64> = self
            .trades
            .iter()
            .filter(|t| t.is_long() != order_is_long)
            .map(|t| t.id)
            .collect();
        for id in ids {
            if !f(self, id) {
                break;
            }
        }
    }

    fn open_trade(&mut self, price: f64, size: f64, order: &Order, bar: usize) -> Result<()> {
        let trade = Trade {
            id: self.new_id(),
            size,
            entry_bar: bar,
            exit_bar: None,
            entry_price: price,
            exit_price: None,
            sl: None,
            tp: None,
            commission: 0.0,
            tag: order.tag.clone(),
            sl_order: None,
            tp_order: None,
        };
        self.trades.push(trade);
        self.cash -= self.commission(size, price);
        let index = self.trades.len() - 1;
        if order.tp.is_some() {
            self.set_contingent(index, Role::TakeProfit, order.tp)?;
        }
        if order.sl.is_some() {
            self.set_contingent(index, Role::StopLoss, order.sl)?;
        }
        Ok(())
    }

    /// Closes `size` (opposite sign to the trade) units of trade `t`: all of it, or a copy
    /// of the closed part while the rest stays open.
    fn reduce_trade(&mut self, t: usize, price: f64, size: f64, bar: usize) {
        let left = self.trades[t].size + size;
        let closing_id = if left == 0.0 {
            self.trades[t].id
        } else {
            let new_id = self.new_id();
            let trade = &mut self.trades[t];
            trade.size = left;
            let (sl_order, tp_order) = (trade.sl_order, trade.tp_order);
            let piece = Trade {
                id: new_id,
                size: -size,
                sl: None,
                tp: None,
                sl_order: None,
                tp_order: None,
                ..trade.clone()
            };
            for o in self.orders.iter_mut() {
                if Some(o.id) == sl_order || Some(o.id) == tp_order {
                    o.size = -left;
                }
            }
            self.trades.push(piece);
            new_id
        };
        self.close_trade_now(closing_id, price, bar);
    }

    /// Removes a trade (and its brackets), books its profit and moves it to the closed list.
    fn close_trade_now(&mut self, id: u64, price: f64, bar: usize) {
        let Some(t) = self.trade_index(id) else { return };
        let mut trade = self.trades.remove(t);
        for bracket in [trade.sl_order, trade.tp_order].into_iter().flatten() {
            self.remove_order(bracket);
        }
        trade.exit_price = Some(price);
        trade.exit_bar = Some(bar);
        let exit_commission = self.commission(trade.size, price);
        self.cash += trade.size * (price - trade.entry_price) - exit_commission;
        trade.commission = exit_commission + self.commission(trade.size, trade.entry_price);
        self.closed.push(trade);
    }
}

#[cfg(test)]
mod tests {
    use super::{py_floordiv, remainder};

    #[test]
    fn remainder_is_fmod_bit_for_bit() {
        let mut next = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15);
        let specials = [0.0, -0.0, 1.0, -1.0, 0.1, 3.0, 1e-300, 5e-324, 1e300, f64::MAX, f64::INFINITY, f64::NEG_INFINITY, f64::NAN];
        let mut pairs: Vec<(f64, f64)> = specials.iter().flat_map(|&x| specials.iter().map(move |&y| (x, y))).collect();
        for _ in 0..1_000_000 {
            // Cash-sized budgets over unit costs, and arbitrary bit patterns.
            let budget = (next() >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi((next() % 12) as i32);
            let cost = (next() >> 11) as f64 / (1u64 << 53) as f64 * 10f64.powi((next() % 8) as i32 - 2);
            pairs.push((budget, cost));
            pairs.push((f64::from_bits(next()), f64::from_bits(next())));
            // Quotients just below and above whole numbers, and at the 2^52 limit.
            let y = cost.max(1e-3);
            let n = (next() % (1 << 20)) as f64;
            pairs.push((n * y, y));
            pairs.push(((n * y).next_down(), y));
            pairs.push(((n * y).next_up(), -y));
            pairs.push((4_503_599_627_370_496.0 * y, y));
        }
        for (x, y) in pairs {
            let (got, want) = (remainder(x, y), x % y);
            assert!(got.to_bits() == want.to_bits() || got.is_nan() && want.is_nan(), "{x:e} % {y:e}: {got:e}, not {want:e}");
        }
    }

    #[test]
    fn floordiv_matches_python() {
        assert_eq!(py_floordiv(7.0, 2.0), 3.0);
        assert_eq!(py_floordiv(-7.0, 2.0), -4.0);
        // Python: 1 // 0.1 == 9.0 although 1 / 0.1 == 10.0.
        assert_eq!(py_floordiv(1.0, 0.1), 9.0);
        assert_eq!(py_floordiv(0.0, 3.0), 0.0);
    }
}
