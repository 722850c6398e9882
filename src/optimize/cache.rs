//! Sharing stage outputs across the runs of a sweep: a stage that does not depend on every
//! swept parameter computes the same series for many combinations, so it is computed once
//! per distinct key and kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::error::{Error, Result};
use crate::orchestrator::stage::Series;
use crate::strategy::Strategy;

/// Memory the kept series may take at most, in bytes; a stage whose distinct instances
/// would not fit is computed per run instead.
pub const CACHE_BUDGET: usize = 256 << 20;

type Slot = Arc<OnceLock<std::result::Result<Vec<Series>, String>>>;

/// Series of the shared stages, by stage key ([`Pipeline::stage_keys`](crate::orchestrator::graph::Pipeline::stage_keys)).
#[derive(Debug, Default)]
pub struct StageCache {
    /// Per stage index of the strategy: whether its series are kept.
    shared: Vec<bool>,
    slots: Mutex<HashMap<String, Slot>>,
}

impl StageCache {
    /// A cache keeping the stages of `base` that do not depend on every swept parameter.
    ///
    /// Which parameters a stage depends on is found by re-resolving `base` with one swept
    /// parameter changed at a time (`alternatives[p]` is another value of parameter `p`,
    /// when it has one) and seeing which stage keys change. `counts[p]` is the number of
    /// values of parameter `p`, and `bars` the bars each series spans.
    pub fn new(base: &Strategy, alternatives: &[Option<(String, f64)>], counts: &[usize], bars: usize) -> Self {
        let keys = base.pipeline.stage_keys();
        let stages = keys.len();
        // depends[k][p]: stage k's key changes with parameter p (or could not be checked).
        let mut depends = vec![vec![false; alternatives.len()]; stages];
        for (p, alt) in alternatives.iter().enumerate() {
            let Some(alt) = alt else { continue };
            let changed = base.with_params(std::slice::from_ref(alt)).map(|s| s.pipeline.stage_keys());
            for k in 0..stages {
                depends[k][p] = changed.as_ref().map_or(true, |c| c[k] != keys[k]);
            }
        }
        let varying = alternatives.iter().filter(|a| a.is_some()).count();
        let mut budget = CACHE_BUDGET;
        let shared = (0..stages)
            .map(|k| {
                let dependencies = depends[k].iter().filter(|&&d| d).count();
                let instances: usize = (0..counts.len()).filter(|&p| depends[k][p]).map(|p| counts[p]).product();
                let bytes = instances
                    .saturating_mul(bars)
                    .saturating_mul(base.pipeline.stages()[k].outputs().len())
                    .saturating_mul(8);
                let keep = dependencies < varying && bytes <= budget;
                if keep {
                    budget -= bytes;
                }
                keep
            })
            .collect();
        StageCache { shared, slots: Mutex::new(HashMap::new()) }
    }

    /// Which stages (by index) are kept.
    pub fn shared(&self) -> &[bool] {
        &self.shared
    }

    /// True when some stage is kept (so runs need their stage keys).
    pub fn is_used(&self) -> bool {
        self.shared.iter().any(|&s| s)
    }

    /// The series of stage `k` with key `key`: kept ones from the cache (computed by the
    /// first run that needs them), others by `compute`.
    pub fn fetch(&self, k: usize, key: &str, compute: &dyn Fn() -> Result<Vec<Series>>) -> Result<Vec<Series>> {
        if !self.shared.get(k).copied().unwrap_or(false) {
            return compute();
        }
        let slot = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            match slots.get(key) {
                Some(slot) => slot.clone(),
                None => slots.entry(key.to_string()).or_default().clone(),
            }
        };
        slot.get_or_init(|| compute().map_err(|e| e.to_string())).clone().map_err(Error::Run)
    }

    /// Number of distinct series sets computed and kept so far.
    pub fn len(&self) -> usize {
        self.slots.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// True when nothing is kept yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
