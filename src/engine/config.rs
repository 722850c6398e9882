//! Execution settings: costs, fills, sizing, and the presets that fill in their defaults.

use serde::{Deserialize, Serialize};

use crate::error::InputError;

/// When a market order placed at bar `t`'s decision is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fill {
    /// At the open of bar `t + 1` (the default: no look-ahead).
    NextOpen,
    /// At the close of bar `t` (the decision is assumed to be made just before the close).
    Close,
}

impl std::str::FromStr for Fill {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "next-open" => Ok(Fill::NextOpen),
            "close" => Ok(Fill::Close),
            other => Err(format!("unknown fill \"{other}\", expected next-open or close")),
        }
    }
}

/// A set of conventions that fills in the execution defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Compat {
    /// tradeorch's own defaults.
    #[serde(rename = "tradeorch")]
    Tradeorch,
    /// backtesting.py 0.6.x conventions, for checking results against it.
    #[serde(rename = "backtesting.py")]
    BacktestingPy,
}

/// The `[execution]` table of a strategy file: every field optional, defaults from `compat`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecutionSpec {
    /// Preset providing defaults for the fields left out (`tradeorch` when absent).
    pub compat: Option<Compat>,
    /// Starting cash.
    pub cash: Option<f64>,
    /// Commission as a fraction of traded notional, charged at entry and at exit.
    pub commission: Option<f64>,
    /// Fixed fee per fill, charged at entry and at exit.
    pub fee: Option<f64>,
    /// Bid-ask spread in basis points, paid in full when a trade is entered.
    pub spread_bps: Option<f64>,
    /// Slippage in basis points, applied against the trader on every fill.
    pub slippage_bps: Option<f64>,
    /// When market orders fill.
    pub fill: Option<Fill>,
    /// Fraction of available equity committed by an entry order (0 < size <= 1).
    pub size: Option<f64>,
    /// Trade fractional units instead of whole units.
    pub fractional: Option<bool>,
    /// A new entry order cancels pending orders and closes open trades first.
    pub exclusive_orders: Option<bool>,
    /// Close trades still open at the end, so they count in the statistics.
    pub finalize_trades: Option<bool>,
    /// Margin requirement (1 = no leverage, 0.5 = 2x leverage).
    pub margin: Option<f64>,
}

/// Fully resolved execution settings used by the broker.
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionConfig {
    pub compat: Compat,
    pub cash: f64,
    /// Commission rate (fraction of notional).
    pub commission: f64,
    /// Fixed fee per fill.
    pub fee: f64,
    /// Bid-ask spread in basis points, paid in full at entry.
    pub spread_bps: f64,
    /// Slippage in basis points, against the trader on every fill.
    pub slippage_bps: f64,
    pub fill: Fill,
    pub size: f64,
    pub fractional: bool,
    pub exclusive_orders: bool,
    pub finalize_trades: bool,
    pub margin: f64,
}

/// backtesting.py's default order size: `1 - sys.float_info.epsilon` of available margin.
pub const BACKTESTING_PY_FULL_EQUITY: f64 = 1.0 - f64::EPSILON;

impl ExecutionConfig {
    /// The defaults of a preset.
    pub fn preset(compat: Compat) -> Self {
        let native = ExecutionConfig {
            compat,
            cash: 10_000.0,
            commission: 0.0,
            fee: 0.0,
            spread_bps: 0.0,
            slippage_bps: 0.0,
            fill: Fill::NextOpen,
            size: 1.0,
            fractional: false,
            exclusive_orders: false,
            finalize_trades: true,
            margin: 1.0,
        };
        match compat {
            Compat::Tradeorch => native,
            Compat::BacktestingPy => ExecutionConfig {
                size: BACKTESTING_PY_FULL_EQUITY,
                finalize_trades: false,
                ..native
            },
        }
    }

    /// Resolves a spec against its preset, checking every value's range.
    /// `file` names where the spec came from, for error messages.
    pub fn resolve(spec: &ExecutionSpec, file: &std::path::Path) -> Result<Self, InputError> {
        let base = Self::preset(spec.compat.unwrap_or(Compat::Tradeorch));
        let cfg = ExecutionConfig {
            compat: base.compat,
            cash: spec.cash.unwrap_or(base.cash),
            commission: spec.commission.unwrap_or(base.commission),
            fee: spec.fee.unwrap_or(base.fee),
            spread_bps: spec.spread_bps.unwrap_or(base.spread_bps),
            slippage_bps: spec.slippage_bps.unwrap_or(base.slippage_bps),
            fill: spec.fill.unwrap_or(base.fill),
            size: spec.size.unwrap_or(base.size),
            fractional: spec.fractional.unwrap_or(base.fractional),
            exclusive_orders: spec.exclusive_orders.unwrap_or(base.exclusive_orders),
            finalize_trades: spec.finalize_trades.unwrap_or(base.finalize_trades),
            margin: spec.margin.unwrap_or(base.margin),
        };
        cfg.check(file)?;
        Ok(cfg)
    }

    fn check(&self, file: &std::path::Path) -> Result<(), InputError> {
        let bad = |key: &str, msg: String| {
            Err(InputError::new(file, msg).at(format!("key execution.{key}")))
        };
        if !(self.cash.is_finite() && self.cash > 0.0) {
            return bad("cash", format!("cash must be > 0, got {}", self.cash));
        }
        if !(-0.1..0.1).contains(&self.commission) {
            return bad(
                "commission",
                format!("commission must be a rate in [-0.1, 0.1), got {}", self.commission),
            );
        }
        if !(self.fee.is_finite() && self.fee >= 0.0) {
            return bad("fee", format!("fee must be >= 0, got {}", self.fee));
        }
        for (key, bps) in [("spread_bps", self.spread_bps), ("slippage_bps", self.slippage_bps)] {
            if !(0.0..1000.0).contains(&bps) {
                return bad(key, format!("{key} must be in [0, 1000), got {bps}"));
            }
        }
        if !(self.size > 0.0 && self.size <= 1.0) {
            return bad("size", format!("size must be in (0, 1], got {}", self.size));
        }
        if !(self.margin > 0.0 && self.margin <= 1.0) {
            return bad("margin", format!("margin must be in (0, 1], got {}", self.margin));
        }
        Ok(())
    }

    /// The spec that reproduces this config exactly (written to a run's `config.toml`).
    pub fn to_spec(&self) -> ExecutionSpec {
        ExecutionSpec {
            compat: Some(self.compat),
            cash: Some(self.cash),
            commission: Some(self.commission),
            fee: Some(self.fee),
            spread_bps: Some(self.spread_bps),
            slippage_bps: Some(self.slippage_bps),
            fill: Some(self.fill),
            size: Some(self.size),
            fractional: Some(self.fractional),
            exclusive_orders: Some(self.exclusive_orders),
            finalize_trades: Some(self.finalize_trades),
            margin: Some(self.margin),
        }
    }
}
