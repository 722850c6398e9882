//! The serde schema of a strategy file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
    /// Named numbers that stage settings can refer to (and sweeps can vary).
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

/// Which price series a stage reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PriceField {
    Open,
    High,
    Low,
    #[default]
    Close,
}

/// One `[[stages]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StageSpec {
    /// Simple moving average.
    Sma {
        id: String,
        #[serde(default)]
        input: PriceField,
        period: ParamValue,
    },
}

/// The `[policy]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PolicySpec {
    /// Reverse (or exit, when `long_only`) on crossovers of two stage outputs.
    Crossover {
        fast: String,
        slow: String,
        #[serde(default)]
        long_only: bool,
    },
}
