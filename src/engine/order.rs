//! Orders waiting to fill, and trades (open or closed) that fills produce.

use serde::Serialize;

/// How many units an order is for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Size {
    /// A signed fraction (0 < |f| <= 1) of the margin available when the order fills.
    Fraction(f64),
    /// A signed number of units.
    Units(f64),
}

impl Size {
    fn signed(self) -> f64 {
        match self {
            Size::Fraction(f) | Size::Units(f) => f,
        }
    }
}

/// A new stand-alone order: market, limit, stop or stop-limit, with optional
/// stop-loss / take-profit prices attached to the trade it opens.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRequest {
    /// Positive to buy, negative to sell.
    pub size: Size,
    /// Fill only at this price or better.
    pub limit: Option<f64>,
    /// Becomes active (market, or limit if `limit` is set) once price trades through this.
    pub stop: Option<f64>,
    /// Stop-loss price of the resulting trade.
    pub sl: Option<f64>,
    /// Take-profit price of the resulting trade.
    pub tp: Option<f64>,
    /// Free text carried to the trade.
    pub tag: Option<String>,
}

impl OrderRequest {
    /// A market order.
    pub fn market(size: Size) -> Self {
        OrderRequest { size, limit: None, stop: None, sl: None, tp: None, tag: None }
    }

    /// True for a buy.
    pub fn is_long(&self) -> bool {
        self.size.signed() > 0.0
    }
}

/// Why an order exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Opens (or, netting against opposite trades, reduces) a position.
    Entry,
    /// Closes all or part of one trade at market.
    Close,
    /// The stop-loss of one trade.
    StopLoss,
    /// The take-profit of one trade.
    TakeProfit,
}

/// An order in the broker's queue.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Order {
    pub id: u64,
    /// Signed: a fraction of available margin when `fraction`, else units.
    pub size: f64,
    pub fraction: bool,
    pub limit: Option<f64>,
    pub stop: Option<f64>,
    pub sl: Option<f64>,
    pub tp: Option<f64>,
    /// The trade a close / stop-loss / take-profit order belongs to.
    pub trade: Option<u64>,
    pub role: Role,
    pub tag: Option<String>,
}

impl Order {
    pub fn is_long(&self) -> bool {
        self.size > 0.0
    }

    /// Stop-loss and take-profit orders: cancelled with their trade, filled at the open.
    pub fn is_contingent(&self) -> bool {
        matches!(self.role, Role::StopLoss | Role::TakeProfit)
    }

    pub fn from_request(id: u64, req: &OrderRequest) -> Self {
        let (size, fraction) = match req.size {
            Size::Fraction(f) => (f, true),
            Size::Units(u) => (u, false),
        };
        Order {
            id,
            size,
            fraction,
            limit: req.limit,
            stop: req.stop,
            sl: req.sl,
            tp: req.tp,
            trade: None,
            role: Role::Entry,
            tag: req.tag.clone(),
        }
    }
}

/// A position opened by one fill; closed trades carry their exit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trade {
    #[serde(skip)]
    pub(crate) id: u64,
    /// Units, negative for a short trade.
    pub size: f64,
    pub entry_bar: usize,
    pub exit_bar: Option<usize>,
    /// Entry price including the spread.
    pub entry_price: f64,
    pub exit_price: Option<f64>,
    /// Stop-loss price in force (at exit, for closed trades).
    pub sl: Option<f64>,
    /// Take-profit price in force (at exit, for closed trades).
    pub tp: Option<f64>,
    /// Entry plus exit commissions (set at exit).
    pub commission: f64,
    pub tag: Option<String>,
    #[serde(skip)]
    pub(crate) sl_order: Option<u64>,
    #[serde(skip)]
    pub(crate) tp_order: Option<u64>,
}

impl Trade {
    /// True for a long trade.
    pub fn is_long(&self) -> bool {
        self.size > 0.0
    }

    /// Profit or loss in cash, net of commissions, at the exit (or at `price` while open).
    pub fn pnl_at(&self, price: f64) -> f64 {
        let price = self.exit_price.unwrap_or(price);
        self.size * (price - self.entry_price) - self.commission
    }

    /// Return as a fraction of the entry value, net of commissions, at the exit
    /// (or at `price` while open).
    pub fn return_at(&self, price: f64) -> f64 {
        let price = self.exit_price.unwrap_or(price);
        let gross = self.size.signum() * (price / self.entry_price - 1.0);
        gross - self.commission / (self.size.abs() * self.entry_price)
    }
}
