//! The serde schema of a strategy file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::data::PriceField;
use crate::engine::ExecutionSpec;

/// A strategy file as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyFile {
    /// Short name (used in report folder names).
    pub name: String,
    /// One or two sentences on what the strategy does.
    #[serde(default)]
    pub description: String,
    /// Named numbers that stage settings and policy expressions can refer to.
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    /// Data to run on when none is given on the command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<DataSpec>,
    /// The model stages.
    #[serde(default)]
    pub stages: Vec<StageSpec>,
    /// How stage outputs become orders.
    pub policy: PolicySpec,
    /// Limits applied to the policy's proposals.
    #[serde(default)]
    pub risk: RiskSpec,
    /// Costs, fills and sizing.
    #[serde(default)]
    pub execution: ExecutionSpec,
}

/// Which data a strategy file runs on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    /// CSV or Parquet file.
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// First date/time to use (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Last date/time to use (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// A number given directly, or the name of a `[params]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Number(f64),
    Name(String),
}

fn close() -> String {
    "close".to_string()
}

/// One `[[stages]]` entry. `input` is a price field (`close`, default) or another stage's
/// output (`rsi`, `macd.hist`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StageSpec {
    /// Simple moving average.
    Sma { id: String, #[serde(default = "close")] input: String, period: ParamValue },
    /// Exponential moving average (seeded with the SMA of the first `period` values).
    Ema { id: String, #[serde(default = "close")] input: String, period: ParamValue },
    /// Linearly weighted moving average.
    Wma { id: String, #[serde(default = "close")] input: String, period: ParamValue },
    /// Wilder's relative strength index (0..100).
    Rsi { id: String, #[serde(default = "close")] input: String, period: ParamValue },
    /// MACD: outputs `id.line`, `id.signal`, `id.hist`.
    Macd { id: String, #[serde(default = "close")] input: String, fast: ParamValue, slow: ParamValue, signal: ParamValue },
    /// Bollinger bands: outputs `id.upper`, `id.middle`, `id.lower`.
    Bollinger { id: String, #[serde(default = "close")] input: String, period: ParamValue, width: ParamValue },
    /// Wilder's average true range (reads high, low, close).
    Atr { id: String, period: ParamValue },
    /// Stochastic oscillator (reads high, low, close): outputs `id.k`, `id.d`.
    Stochastic { id: String, k_period: ParamValue, k_smooth: ParamValue, d_period: ParamValue },
    /// Rate of change in percent over `period` bars.
    Roc { id: String, #[serde(default = "close")] input: String, period: ParamValue },
    /// Difference over `period` bars.
    Momentum { id: String, #[serde(default = "close")] input: String, period: ParamValue },
    /// Rolling standard deviation of log returns over `period` returns.
    Volatility { id: String, #[serde(default = "close")] input: String, period: ParamValue },
    /// `(x - SMA) / standard deviation` over `period` bars.
    Zscore { id: String, #[serde(default = "close")] input: String, period: ParamValue },
    /// 1 on bars where `a` crosses above `b`, else 0.
    Crossover { id: String, a: String, b: String },
    /// 1 on bars where `a` crosses below `b`, else 0.
    Crossunder { id: String, a: String, b: String },
    /// News sentiment: the documents of a CSV file (time and text columns) published over the
    /// trailing `window_days`, scored with positive/negative word lists (defaults built in).
    Sentiment {
        id: String,
        documents: String,
        window_days: ParamValue,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        positive: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        negative: Option<Vec<String>>,
    },
    /// A stand-in for a model under development: a constant `value`, or a column replayed
    /// from a CSV file with a time column (each bar takes the latest row at or before it).
    Stub {
        id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<ParamValue>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        column: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confidence_column: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        explanation_column: Option<String>,
    },
}

impl StageSpec {
    /// The stage's id.
    pub fn id(&self) -> &str {
        match self {
            StageSpec::Sma { id, .. }
            | StageSpec::Ema { id, .. }
            | StageSpec::Wma { id, .. }
            | StageSpec::Rsi { id, .. }
            | StageSpec::Macd { id, .. }
            | StageSpec::Bollinger { id, .. }
            | StageSpec::Atr { id, .. }
            | StageSpec::Stochastic { id, .. }
            | StageSpec::Roc { id, .. }
            | StageSpec::Momentum { id, .. }
            | StageSpec::Volatility { id, .. }
            | StageSpec::Zscore { id, .. }
            | StageSpec::Crossover { id, .. }
            | StageSpec::Crossunder { id, .. }
            | StageSpec::Sentiment { id, .. }
            | StageSpec::Stub { id, .. } => id,
        }
    }
}

/// One weighted signal of the `weighted` policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightedSignal {
    /// Expression giving a vote in [-1, 1] (clamped); e.g. `"rsi < 30"` or `"(50 - rsi) / 50"`.
    pub expr: String,
    pub weight: f64,
    /// Multiply the vote by this stage output's confidence (e.g. `"sentiment"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence_of: Option<String>,
}

/// The `[policy]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PolicySpec {
    /// Entry/exit conditions as expressions over stage outputs, prices and params. An entry
    /// closes an opposite position first; exits only close.
    Rules {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        entry_long: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exit_long: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        entry_short: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exit_short: Option<String>,
    },
    /// A weighted vote of signals: the score `Σ wᵢ·vᵢ / Σ|wᵢ|` above `threshold` targets a
    /// long position, below `-threshold` a short one (flat when `long_only`), else flat.
    Weighted {
        threshold: ParamValue,
        #[serde(default)]
        long_only: bool,
        signals: Vec<WeightedSignal>,
    },
}

/// The `[risk]` table: limits the risk stage applies to every proposal.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskSpec {
    /// Largest position, as a fraction of equity (caps the entry size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_position: Option<f64>,
    /// Largest sum of absolute position values, as a fraction of equity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_gross_exposure: Option<f64>,
    /// Stop-loss attached to each entry, as a fraction below (long) / above (short) the
    /// decision bar's close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_loss: Option<f64>,
    /// Take-profit attached to each entry, as a fraction of the decision bar's close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub take_profit: Option<f64>,
    /// Kill-switch: once equity falls this fraction below its peak, close everything and
    /// stop trading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_drawdown: Option<f64>,
}
