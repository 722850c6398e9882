//! The stage graph: orders stages by their dependencies and computes each layer of
//! independent stages in parallel.

use std::collections::{BTreeMap, HashMap};

use std::sync::Arc;

use rayon::prelude::*;

use super::stage::{Input, Outputs, Series, Stage, View};
use crate::data::{Bars, Document};
use crate::error::Result;

/// Why stages cannot form a pipeline. Indices are positions in the declared stage list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphError {
    /// Two stages declare the same output name.
    DuplicateOutput { stage: usize, name: String },
    /// A stage reads an output no stage produces.
    UnknownInput { stage: usize, name: String, known: Vec<String> },
    /// A stage reads a document source that was not loaded.
    UnknownDocuments { stage: usize, source: String },
    /// Stages depend on each other in a cycle (the stages involved, in order).
    Cycle { stages: Vec<usize> },
}

/// Stages in dependency order: each layer only reads outputs of earlier layers.
#[derive(Debug, Clone)]
pub struct Pipeline {
    stages: Vec<Arc<dyn Stage>>,
    /// Document sources the stages read, by source name.
    documents: Arc<BTreeMap<String, Vec<Document>>>,
    /// For each stage, the stages whose outputs it reads.
    deps: Vec<Vec<usize>>,
    layers: Vec<Vec<usize>>,
}

/// Supplies the series of stage `k`: given `k` and a function that computes them, returns
/// them — computed, or taken from where they were kept.
pub type StageFetch<'a> = dyn Fn(usize, &dyn Fn() -> Result<Vec<Series>>) -> Result<Vec<Series>> + Sync + 'a;

impl Pipeline {
    /// Orders stages into layers, checking that every input exists and there is no cycle.
    pub fn new(stages: Vec<Arc<dyn Stage>>) -> Result<Self, GraphError> {
        Self::with_documents(stages, Arc::default())
    }

    /// As [`Pipeline::new`], for stages that also read the given document sources.
    pub fn with_documents(
        stages: Vec<Arc<dyn Stage>>,
        documents: Arc<BTreeMap<String, Vec<Document>>>,
    ) -> Result<Self, GraphError> {
        let mut producer: HashMap<String, usize> = HashMap::new();
        for (k, s) in stages.iter().enumerate() {
            for name in s.outputs() {
                if producer.insert(name.clone(), k).is_some() {
                    return Err(GraphError::DuplicateOutput { stage: k, name });
                }
            }
        }
        let mut deps: Vec<Vec<usize>> = Vec::with_capacity(stages.len());
        for (k, s) in stages.iter().enumerate() {
            let mut d = Vec::new();
            for input in s.inputs() {
                if let Input::Documents(source) = &input {
                    if !documents.contains_key(source) {
                        return Err(GraphError::UnknownDocuments { stage: k, source: source.clone() });
                    }
                }
                if let Input::Stage(name) = input {
                    match producer.get(&name) {
                        Some(&p) => d.push(p),
                        None => {
                            let mut known: Vec<String> = producer.keys().cloned().collect();
                            known.sort();
                            return Err(GraphError::UnknownInput { stage: k, name, known });
                        }
                    }
                }
            }
            deps.push(d);
        }
        let layers = layers(&deps)?;
        Ok(Pipeline { stages, documents, deps, layers })
    }

    /// The stages, in declaration order.
    pub fn stages(&self) -> &[Arc<dyn Stage>] {
        &self.stages
    }

    /// Groups of stage indices that can run together, in run order.
    pub fn layers(&self) -> &[Vec<usize>] {
        &self.layers
    }

    /// For each stage, in declaration order, a key that is equal for two stages (of this or
    /// another pipeline) that compute equal outputs from equal bars: its own
    /// [`Stage::cache_key`] together with the keys of the stages it reads.
    pub fn stage_keys(&self) -> Vec<String> {
        let mut keys = vec![String::new(); self.stages.len()];
        for &k in self.layers.iter().flatten() {
            let mut key = self.stages[k].cache_key();
            for &d in &self.deps[k] {
                key.push_str(" <- (");
                key.push_str(&keys[d]);
                key.push(')');
            }
            keys[k] = key;
        }
        keys
    }

    /// Computes every stage over all bars: layer by layer, the stages of a layer in
    /// parallel. Outputs are in declaration order whatever the schedule.
    pub fn compute(&self, bars: &Bars) -> Result<Outputs> {
        self.compute_with(bars, &|_, compute| compute(), true)
    }

    /// As [`Pipeline::compute`], with each stage's series supplied by `fetch` (which may
    /// keep and share them, e.g. across the runs of a sweep), the stages of a layer in
    /// parallel only when `parallel` (a sweep is parallel across its runs instead).
    pub fn compute_with(&self, bars: &Bars, fetch: &StageFetch, parallel: bool) -> Result<Outputs> {
        let mut by_stage: Vec<Option<Vec<Series>>> = vec![None; self.stages.len()];
        let mut outputs = Outputs::default();
        for (l, layer) in self.layers.iter().enumerate() {
            let view = View::new(bars, &outputs, &self.documents);
            let run = |&k: &usize| (k, fetch(k, &|| self.stages[k].compute(&view)));
            let results: Vec<(usize, Result<Vec<_>>)> =
                if parallel { layer.par_iter().map(run).collect() } else { layer.iter().map(run).collect() };
            let read_later = l + 1 < self.layers.len();
            for (k, r) in results {
                let series = r?;
                if read_later {
                    series.iter().for_each(|s| outputs.insert(s.clone()));
                }
                by_stage[k] = Some(series);
            }
        }
        let mut ordered = Outputs::default();
        for series in by_stage.into_iter().flatten().flatten() {
            ordered.insert(series);
        }
        Ok(ordered)
    }
}

/// Kahn's algorithm by levels; a leftover means a cycle.
fn layers(deps: &[Vec<usize>]) -> Result<Vec<Vec<usize>>, GraphError> {
    let n = deps.len();
    let mut level: Vec<Option<usize>> = vec![None; n];
    let mut done = 0;
    let mut layers: Vec<Vec<usize>> = Vec::new();
    while done < n {
        let ready: Vec<usize> = (0..n)
            .filter(|&k| level[k].is_none() && deps[k].iter().all(|&d| level[d].is_some_and(|l| l < layers.len())))
            .collect();
        if ready.is_empty() {
            return Err(GraphError::Cycle { stages: cycle(deps, &level) });
        }
        for &k in &ready {
            level[k] = Some(layers.len());
        }
        done += ready.len();
        layers.push(ready);
    }
    Ok(layers)
}

/// One cycle among the unscheduled stages, found by following dependencies.
fn cycle(deps: &[Vec<usize>], level: &[Option<usize>]) -> Vec<usize> {
    let start = (0..deps.len()).find(|&k| level[k].is_none()).expect("an unscheduled stage");
    let mut path = vec![start];
    let mut current = start;
    loop {
        let next = *deps[current].iter().find(|&&d| level[d].is_none()).expect("unscheduled dependency");
        if let Some(pos) = path.iter().position(|&p| p == next) {
            return path[pos..].to_vec();
        }
        path.push(next);
        current = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn independent_stages_share_a_layer() {
        let deps = vec![vec![], vec![], vec![0, 1], vec![2]];
        assert_eq!(layers(&deps).unwrap(), vec![vec![0, 1], vec![2], vec![3]]);
    }

    #[test]
    fn cycles_are_reported_with_their_stages() {
        let deps = vec![vec![], vec![2], vec![3], vec![1]];
        match layers(&deps) {
            Err(GraphError::Cycle { stages }) => {
                let mut s = stages.clone();
                s.sort();
                assert_eq!(s, vec![1, 2, 3]);
            }
            other => panic!("expected a cycle, got {other:?}"),
        }
    }
}
