//! `tradeorch strategies` and `tradeorch strategies show NAME`.

use std::path::Path;

use super::{load_strategy, BUILTIN_STRATEGIES};
use crate::error::{InputError, Result};
use crate::strategy::Strategy;

/// A strategy's name, description and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrategyInfo {
    pub name: String,
    pub description: String,
    /// `built-in`, or the file it was read from.
    pub source: String,
}

/// The built-in strategies, then any other `*.toml` file in `dir` (when it exists), by name.
/// A file with a built-in's name is listed as that file (it takes precedence).
pub fn list_strategies(dir: &Path) -> Result<Vec<StrategyInfo>> {
    let mut infos: Vec<StrategyInfo> = Vec::new();
    for (name, text) in BUILTIN_STRATEGIES {
        let s = Strategy::parse(text, Path::new(&format!("strategies/{name}.toml")))?;
        infos.push(StrategyInfo { name: s.name().into(), description: s.file.description.clone(), source: "built-in".into() });
    }
    let mut files: Vec<_> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => Vec::new(),
    };
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    for path in files {
        let s = Strategy::load(&path)?;
        let text = std::fs::read_to_string(&path).map_err(|e| InputError::new(&path, e.to_string()))?;
        let info = StrategyInfo { name: s.name().into(), description: s.file.description.clone(), source: path.display().to_string() };
        match infos.iter_mut().find(|i| i.name == info.name) {
            // The shipped file of a built-in strategy: same text, keep it listed as built-in.
            Some(existing) if BUILTIN_STRATEGIES.iter().any(|(n, t)| *n == info.name && *t == text) => {
                existing.description = info.description;
            }
            Some(existing) => *existing = info,
            None => infos.push(info),
        }
    }
    Ok(infos)
}

/// A strategy as TOML with every default filled in (execution settings resolved).
pub fn show_strategy(spec: &str) -> Result<String> {
    let strategy = load_strategy(spec)?;
    let mut file = strategy.file.clone();
    file.execution = strategy.execution(&Default::default())?.to_spec();
    Ok(toml::to_string(&file).expect("a strategy file serializes"))
}
