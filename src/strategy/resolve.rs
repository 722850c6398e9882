//! Resolving a strategy file: stage parameters, the stage graph, policy expressions, risk.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::file::{ParamValue, PolicySpec, PriceField, RiskSpec, StageSpec, StrategyFile};
use crate::error::InputError;
use crate::orchestrator::expr::Expr;
use crate::orchestrator::graph::{GraphError, Pipeline};
use crate::orchestrator::policy::{Policy, Signal, WeightedSignal};
use crate::orchestrator::stage::{Input, Stage};
use crate::data::{load_documents, Document};
use crate::orchestrator::stages::{Indicator, IndicatorStage, SentimentStage, StubStage, NEGATIVE, POSITIVE};
use crate::orchestrator::stages::stub::{Replay, ReplayColumns, StubSource};

fn key_error(path: &Path, key: impl Into<String>, message: impl Into<String>) -> InputError {
    InputError::new(path, message).at(format!("key {}", key.into()))
}

/// Resolves numeric parameters of stage `k`.
struct Params<'a> {
    params: &'a BTreeMap<String, f64>,
    path: &'a Path,
    stage: usize,
}

impl Params<'_> {
    fn number(&self, key: &str, value: &ParamValue) -> Result<f64, InputError> {
        match value {
            ParamValue::Number(v) => Ok(*v),
            ParamValue::Name(name) => self.params.get(name).copied().ok_or_else(|| {
                let known: Vec<&str> = self.params.keys().map(String::as_str).collect();
                key_error(
                    self.path,
                    format!("stages[{}].{key}", self.stage),
                    format!("unknown parameter \"{name}\" (params: {})", known.join(", ")),
                )
            }),
        }
    }

    /// A whole number >= 1.
    fn period(&self, key: &str, value: &ParamValue) -> Result<usize, InputError> {
        let v = self.number(key, value)?;
        if v >= 1.0 && v.fract() == 0.0 && v < 1e9 {
            Ok(v as usize)
        } else {
            Err(key_error(self.path, format!("stages[{}].{key}", self.stage), format!("must be a whole number >= 1, got {v}")))
        }
    }
}

fn input(name: &str) -> Input {
    PriceField::from_name(name).map_or_else(|| Input::Stage(name.to_string()), Input::Price)
}

/// The files a strategy's stages read — document sources and stub replays — and the policy
/// expressions it parsed, kept so that the strategy can be resolved again with other
/// parameters without reading or parsing them again (a sweep does so per combination).
#[derive(Debug, Clone, Default)]
pub struct LoadedFiles {
    /// Document sources by name (as the stages give it).
    documents: Arc<BTreeMap<String, Vec<Document>>>,
    /// Stub replays by file and columns.
    replays: BTreeMap<String, Arc<Replay>>,
    /// Parsed expressions by source text (parameters are read by name when evaluated, so
    /// the parse does not depend on their values).
    expressions: Arc<BTreeMap<String, Expr>>,
}

fn stub(spec: &StageSpec, p: &Params, base: &Path, files: &mut LoadedFiles) -> Result<StubSource, InputError> {
    let StageSpec::Stub { value, file, column, confidence_column, explanation_column, .. } = spec else {
        unreachable!("called for stub stages only")
    };
    let key = |k: &str| format!("stages[{}].{k}", p.stage);
    match (value, file) {
        (Some(v), None) => Ok(StubSource::Constant(p.number("value", v)?)),
        (None, Some(f)) => {
            let column = column
                .as_deref()
                .ok_or_else(|| key_error(p.path, key("column"), "a replayed stub needs `column`"))?;
            let file_path = base.join(f);
            let cols = ReplayColumns {
                value: column,
                confidence: confidence_column.as_deref(),
                explanation: explanation_column.as_deref(),
            };
            let key = format!("{f}|{column}|{confidence_column:?}|{explanation_column:?}");
            if let Some(replay) = files.replays.get(&key) {
                return Ok(StubSource::Replay(replay.clone()));
            }
            let replay = Arc::new(Replay::load(&file_path, cols)?);
            files.replays.insert(key, replay.clone());
            Ok(StubSource::Replay(replay))
        }
        _ => Err(key_error(p.path, key("value"), "a stub needs exactly one of `value` or `file`")),
    }
}

/// Builds the stage objects and orders them into a pipeline, reading the files the stages
/// need unless `files` already holds them.
pub fn pipeline(file: &StrategyFile, path: &Path, files: &mut LoadedFiles) -> Result<Pipeline, InputError> {
    let base = path.parent().unwrap_or(Path::new("."));
    let mut stages: Vec<Arc<dyn Stage>> = Vec::with_capacity(file.stages.len());
    for (k, spec) in file.stages.iter().enumerate() {
        let p = Params { params: &file.params, path, stage: k };
        let ind = |input_name: &str, indicator: Indicator| -> Arc<dyn Stage> {
            Arc::new(IndicatorStage { id: spec.id().to_string(), input: input(input_name), indicator })
        };
        let stage: Arc<dyn Stage> = match spec {
            StageSpec::Sma { input: i, period, .. } => ind(i, Indicator::Sma(p.period("period", period)?)),
            StageSpec::Ema { input: i, period, .. } => ind(i, Indicator::Ema(p.period("period", period)?)),
            StageSpec::Wma { input: i, period, .. } => ind(i, Indicator::Wma(p.period("period", period)?)),
            StageSpec::Rsi { input: i, period, .. } => ind(i, Indicator::Rsi(p.period("period", period)?)),
            StageSpec::Macd { input: i, fast, slow, signal, .. } => ind(
                i,
                Indicator::Macd {
                    fast: p.period("fast", fast)?,
                    slow: p.period("slow", slow)?,
                    signal: p.period("signal", signal)?,
                },
            ),
            StageSpec::Bollinger { input: i, period, width, .. } => {
                ind(i, Indicator::Bollinger { period: p.period("period", period)?, width: p.number("width", width)? })
            }
            StageSpec::Atr { period, .. } => ind("close", Indicator::Atr(p.period("period", period)?)),
            StageSpec::Stochastic { k_period, k_smooth, d_period, .. } => ind(
                "close",
                Indicator::Stochastic {
                    k_period: p.period("k_period", k_period)?,
                    k_smooth: p.period("k_smooth", k_smooth)?,
                    d_period: p.period("d_period", d_period)?,
                },
            ),
            StageSpec::Roc { input: i, period, .. } => ind(i, Indicator::Roc(p.period("period", period)?)),
            StageSpec::Momentum { input: i, period, .. } => ind(i, Indicator::Momentum(p.period("period", period)?)),
            StageSpec::Volatility { input: i, period, .. } => ind(i, Indicator::Volatility(p.period("period", period)?)),
            StageSpec::Zscore { input: i, period, .. } => ind(i, Indicator::Zscore(p.period("period", period)?)),
            StageSpec::Crossover { a, b, .. } => ind(a, Indicator::Crossover(input(b))),
            StageSpec::Crossunder { a, b, .. } => ind(a, Indicator::Crossunder(input(b))),
            StageSpec::Stub { id, .. } => Arc::new(StubStage { id: id.clone(), source: stub(spec, &p, base, files)? }),
            StageSpec::Sentiment { id, documents: source, window_days, positive, negative } => {
                if !files.documents.contains_key(source) {
                    let docs = load_documents(&base.join(source))?;
                    Arc::make_mut(&mut files.documents).insert(source.clone(), docs);
                }
                let words = |given: &Option<Vec<String>>, default: &[&str]| match given {
                    Some(list) => list.iter().map(|w| w.to_lowercase()).collect(),
                    None => default.iter().map(|w| w.to_string()).collect(),
                };
                let window_days = p.number("window_days", window_days)?;
                if window_days.is_nan() || window_days <= 0.0 {
                    return Err(key_error(path, format!("stages[{k}].window_days"), format!("must be > 0, got {window_days}")));
                }
                Arc::new(SentimentStage {
                    id: id.clone(),
                    source: source.clone(),
                    window_days,
                    positive: words(positive, &POSITIVE),
                    negative: words(negative, &NEGATIVE),
                })
            }
        };
        stages.push(stage);
    }
    Pipeline::with_documents(stages, files.documents.clone()).map_err(|e| graph_error(file, path, e))
}

/// The key that names a stage's inputs, for error messages.
fn input_key(spec: &StageSpec, name: &str) -> &'static str {
    match spec {
        StageSpec::Crossover { a, .. } | StageSpec::Crossunder { a, .. } => {
            if a == name {
                "a"
            } else {
                "b"
            }
        }
        _ => "input",
    }
}

fn graph_error(file: &StrategyFile, path: &Path, e: GraphError) -> InputError {
    match e {
        GraphError::DuplicateOutput { stage, name } => {
            key_error(path, format!("stages[{stage}].id"), format!("output \"{name}\" is produced by two stages"))
        }
        GraphError::UnknownInput { stage, name, known } => key_error(
            path,
            format!("stages[{stage}].{}", input_key(&file.stages[stage], &name)),
            format!("unknown input \"{name}\" (prices: open, high, low, close; stage outputs: {})", known.join(", ")),
        ),
        GraphError::UnknownDocuments { stage, source } => {
            key_error(path, format!("stages[{stage}].documents"), format!("document source \"{source}\" was not loaded"))
        }
        GraphError::Cycle { stages } => {
            let ids: Vec<&str> = stages.iter().map(|&k| file.stages[k].id()).collect();
            key_error(
                path,
                format!("stages[{}].input", stages[0]),
                format!("dependency cycle: {} -> {}", ids.join(" -> "), ids[0]),
            )
        }
    }
}

/// Parses an expression (or takes it from `files`, keeping it there) and checks that every
/// name in it exists.
fn expression(src: &str, key: &str, known: &[String], path: &Path, files: &mut LoadedFiles) -> Result<Expr, InputError> {
    let expr = match files.expressions.get(src) {
        Some(parsed) => parsed.clone(),
        None => {
            let parsed = Expr::parse(src).map_err(|e| key_error(path, key, format!("{e} in \"{src}\"")))?;
            Arc::make_mut(&mut files.expressions).insert(src.to_string(), parsed.clone());
            parsed
        }
    };
    for (name, column) in expr.identifiers() {
        if !known.contains(&name) {
            return Err(key_error(
                path,
                key,
                format!("column {column}: unknown name \"{name}\" in \"{src}\" (known: {})", known.join(", ")),
            ));
        }
    }
    Ok(expr)
}

/// Compiles the policy, checking its expressions against stage outputs, prices and params.
pub fn policy(file: &StrategyFile, pipeline: &Pipeline, path: &Path, files: &mut LoadedFiles) -> Result<Policy, InputError> {
    let mut known: Vec<String> = pipeline.stages().iter().flat_map(|s| s.outputs()).collect();
    known.extend(["open", "high", "low", "close", "volume"].map(String::from));
    known.extend(file.params.keys().cloned());
    match &file.policy {
        PolicySpec::Rules { entry_long, exit_long, entry_short, exit_short } => {
            let mut rules = Vec::new();
            let specs = [
                (Signal::EntryLong, entry_long),
                (Signal::ExitLong, exit_long),
                (Signal::EntryShort, entry_short),
                (Signal::ExitShort, exit_short),
            ];
            for (signal, src) in specs {
                if let Some(src) = src {
                    rules.push((signal, expression(src, &format!("policy.{}", signal.name()), &known, path, files)?));
                }
            }
            if !rules.iter().any(|(s, _)| matches!(s, Signal::EntryLong | Signal::EntryShort)) {
                return Err(key_error(path, "policy", "a rules policy needs entry_long or entry_short"));
            }
            Ok(Policy::Rules(rules))
        }
        PolicySpec::Weighted { threshold, long_only, signals } => {
            let threshold = Params { params: &file.params, path, stage: 0 }
                .number("threshold", threshold)
                .map_err(|e| InputError { location: Some("key policy.threshold".into()), ..e })?;
            if signals.is_empty() || signals.iter().all(|s| s.weight == 0.0) {
                return Err(key_error(path, "policy.signals", "a weighted policy needs signals with non-zero weights"));
            }
            let mut compiled = Vec::with_capacity(signals.len());
            for (k, s) in signals.iter().enumerate() {
                let key = format!("policy.signals[{k}]");
                if let Some(c) = &s.confidence_of {
                    if !known.contains(c) {
                        return Err(key_error(path, format!("{key}.confidence_of"), format!("unknown stage output \"{c}\"")));
                    }
                }
                compiled.push(WeightedSignal {
                    expr: expression(&s.expr, &format!("{key}.expr"), &known, path, files)?,
                    source: s.expr.clone(),
                    weight: s.weight,
                    confidence_of: s.confidence_of.clone(),
                });
            }
            Ok(Policy::Weighted { threshold, long_only: *long_only, signals: compiled })
        }
    }
}

/// Checks that every risk limit is a fraction in (0, 1] (exposure limits may exceed 1).
pub fn check_risk(risk: &RiskSpec, path: &Path) -> Result<(), InputError> {
    let fractions = [("stop_loss", risk.stop_loss), ("take_profit", risk.take_profit), ("max_drawdown", risk.max_drawdown)];
    for (key, v) in fractions {
        if let Some(v) = v {
            if !(v > 0.0 && v < 1.0) {
                return Err(key_error(path, format!("risk.{key}"), format!("must be a fraction in (0, 1), got {v}")));
            }
        }
    }
    for (key, v) in [("max_position", risk.max_position), ("max_gross_exposure", risk.max_gross_exposure)] {
        if let Some(v) = v {
            if !(v > 0.0 && v.is_finite()) {
                return Err(key_error(path, format!("risk.{key}"), format!("must be > 0, got {v}")));
            }
        }
    }
    Ok(())
}
