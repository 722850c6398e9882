//! Strategy files (TOML): which stages to run with which parameters, the decision policy,
//! risk limits and execution settings. A new strategy needs no recompilation.

mod file;
mod resolve;

pub use resolve::LoadedFiles;
pub use file::{DataSpec, ParamValue, PolicySpec, PriceField, RiskSpec, StageSpec, StrategyFile, WeightedSignal};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine::{ExecutionConfig, ExecutionSpec};
use crate::error::InputError;
use crate::orchestrator::graph::Pipeline;
use crate::orchestrator::policy::Policy;

/// A strategy file checked and resolved, ready to run.
#[derive(Debug, Clone)]
pub struct Strategy {
    /// Where it was read from (for messages).
    pub path: PathBuf,
    /// The file as written (kept to write the resolved config of a run).
    pub file: StrategyFile,
    /// The stages, in dependency order.
    pub pipeline: Pipeline,
    /// Shared by the strategies [`Strategy::with_params`] makes when it does not depend on
    /// the parameters' values.
    pub policy: Arc<Policy>,
    pub risk: RiskSpec,
    /// The files the stages read (kept for [`Strategy::with_params`]).
    files: LoadedFiles,
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

    /// Checks a parsed file: parameters exist and are valid, every reference names a stage
    /// output, the stages have no dependency cycle, expressions parse.
    pub fn resolve(file: StrategyFile, path: &Path) -> Result<Self, InputError> {
        Self::resolve_with(file, path, LoadedFiles::default(), None)
    }

    /// Resolves `file`; with `policy`, takes that as its policy instead of resolving it.
    fn resolve_with(file: StrategyFile, path: &Path, mut files: LoadedFiles, policy: Option<Arc<Policy>>) -> Result<Self, InputError> {
        let pipeline = resolve::pipeline(&file, path, &mut files)?;
        let policy = match policy {
            Some(p) => p,
            None => Arc::new(resolve::policy(&file, &pipeline, path, &mut files)?),
        };
        resolve::check_risk(&file.risk, path)?;
        ExecutionConfig::resolve(&file.execution, path)?;
        Ok(Strategy { path: path.to_path_buf(), risk: file.risk.clone(), file, pipeline, policy, files })
    }

    /// The same strategy with some `[params]` set to other values (as if the file said so),
    /// reusing the files already read. Errors name an unknown parameter, or a value its stage
    /// rejects.
    pub fn with_params(&self, values: &[(String, f64)]) -> Result<Self, InputError> {
        let mut file = self.file.clone();
        for (name, value) in values {
            match file.params.get_mut(name) {
                Some(v) => *v = *value,
                None => {
                    let known: Vec<&str> = self.file.params.keys().map(String::as_str).collect();
                    return Err(InputError::new(&self.path, format!("unknown parameter \"{name}\" (params: {})", known.join(", ")))
                        .at("[params]"));
                }
            }
        }
        // Rules read parameters by name when evaluated, and other values cannot change the
        // names they may use (stage outputs, prices, parameters): they stay as they are.
        let policy = matches!(*self.policy, Policy::Rules(_)).then(|| self.policy.clone());
        Self::resolve_with(file, &self.path, self.files.clone(), policy)
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
