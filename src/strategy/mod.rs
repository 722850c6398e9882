//! Strategy files (TOML): which stages to run with which parameters, the decision policy,
//! and the execution settings. A new strategy needs no recompilation.

mod file;

pub use file::{DataSpec, ParamValue, PolicySpec, PriceField, StageSpec, StrategyFile};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::engine::{ExecutionConfig, ExecutionSpec};
use crate::error::InputError;

/// A stage with its parameters resolved to numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum Stage {
    /// Simple moving average of a price field.
    Sma { id: String, input: PriceField, period: usize },
}

impl Stage {
    /// The name other parts of the strategy refer to this stage's output by.
    pub fn id(&self) -> &str {
        match self {
            Stage::Sma { id, .. } => id,
        }
    }
}

/// The decision policy, with references checked against the stages.
#[derive(Debug, Clone, PartialEq)]
pub enum Policy {
    /// Go long when `fast` crosses above `slow`, short (or flat when `long_only`) when it
    /// crosses below; each signal first closes the open position.
    Crossover { fast: usize, slow: usize, long_only: bool },
}

/// A strategy file checked and resolved, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Strategy {
    /// Where it was read from (for messages).
    pub path: PathBuf,
    /// The file as written (kept to write the resolved config of a run).
    pub file: StrategyFile,
    pub stages: Vec<Stage>,
    pub policy: Policy,
}

impl Strategy {
    /// Reads and resolves a strategy file.
    pub fn load(path: &Path) -> Result<Self, InputError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| InputError::new(path, format!("cannot read strategy file: {e}")))?;
        Self::parse(&text, path)
    }

    /// Parses and resolves strategy TOML text; `path` is used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, InputError> {
        let file: StrategyFile = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        Self::resolve(file, path)
    }

    /// Checks a parsed file: parameters exist and are valid, references name stages.
    pub fn resolve(file: StrategyFile, path: &Path) -> Result<Self, InputError> {
        let err = |key: String, msg: String| InputError::new(path, msg).at(format!("key {key}"));
        let mut stages: Vec<Stage> = Vec::with_capacity(file.stages.len());
        for (k, spec) in file.stages.iter().enumerate() {
            let stage = match spec {
                StageSpec::Sma { id, input, period } => Stage::Sma {
                    id: id.clone(),
                    input: *input,
                    period: period_param(&file.params, period)
                        .map_err(|m| err(format!("stages[{k}].period"), m))?,
                },
            };
            if stages.iter().any(|s| s.id() == stage.id()) {
                return Err(err(format!("stages[{k}].id"), format!("duplicate stage id \"{}\"", stage.id())));
            }
            stages.push(stage);
        }
        let stage_index = |key: &str, name: &str| {
            stages.iter().position(|s| s.id() == name).ok_or_else(|| {
                let known: Vec<&str> = stages.iter().map(Stage::id).collect();
                err(format!("policy.{key}"), format!("unknown stage \"{name}\" (stages: {})", known.join(", ")))
            })
        };
        let policy = match &file.policy {
            PolicySpec::Crossover { fast, slow, long_only } => Policy::Crossover {
                fast: stage_index("fast", fast)?,
                slow: stage_index("slow", slow)?,
                long_only: *long_only,
            },
        };
        ExecutionConfig::resolve(&file.execution, path)?;
        Ok(Strategy { path: path.to_path_buf(), file, stages, policy })
    }

    /// The strategy's name.
    pub fn name(&self) -> &str {
        &self.file.name
    }

    /// Resolved execution settings, after applying `overrides` on top of the file's.
    pub fn execution(&self, overrides: &ExecutionSpec) -> Result<ExecutionConfig, InputError> {
        let e = &self.file.execution;
        let o = overrides;
        let merged = ExecutionSpec {
            compat: o.compat.or(e.compat),
            cash: o.cash.or(e.cash),
            commission: o.commission.or(e.commission),
            fee: o.fee.or(e.fee),
            spread_bps: o.spread_bps.or(e.spread_bps),
            slippage_bps: o.slippage_bps.or(e.slippage_bps),
            fill: o.fill.or(e.fill),
            size: o.size.or(e.size),
            fractional: o.fractional.or(e.fractional),
            exclusive_orders: o.exclusive_orders.or(e.exclusive_orders),
            finalize_trades: o.finalize_trades.or(e.finalize_trades),
            margin: o.margin.or(e.margin),
        };
        ExecutionConfig::resolve(&merged, &self.path)
    }
}

/// A period parameter: a whole number >= 1, given directly or by a `[params]` name.
fn period_param(params: &BTreeMap<String, f64>, value: &ParamValue) -> Result<usize, String> {
    let v = match value {
        ParamValue::Number(v) => *v,
        ParamValue::Name(name) => *params.get(name).ok_or_else(|| {
            let known: Vec<&str> = params.keys().map(String::as_str).collect();
            format!("unknown parameter \"{name}\" (params: {})", known.join(", "))
        })?,
    };
    if v >= 1.0 && v.fract() == 0.0 && v < 1e9 {
        Ok(v as usize)
    } else {
        Err(format!("a period must be a whole number >= 1, got {v}"))
    }
}

/// Turns a TOML error into a one-line error naming the line and, when the error points
/// into a `key = value` line, the key.
fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> InputError {
    let message = e.message().trim().replace('\n', " ");
    let Some(span) = e.span() else {
        return InputError::new(path, message);
    };
    let start = span.start.min(text.len());
    let line = text[..start].matches('\n').count() + 1;
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    let location = match line_text.split_once('=') {
        Some((key, _)) if !key.trim().is_empty() && !key.trim_start().starts_with('[') => {
            format!("line {line}, key {}", key.trim())
        }
        _ => format!("line {line}"),
    };
    InputError::new(path, message).at(location)
}
