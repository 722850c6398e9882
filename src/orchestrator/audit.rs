//! The audit trail: one record per decision, written to `decisions.jsonl`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::policy::{Signals, Target};
use super::stage::Outputs;

/// Everything that went into one decision and what came out of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionRecord {
    pub bar: usize,
    pub time: String,
    pub close: f64,
    /// Signed position (units) and equity when the decision was taken.
    pub position: f64,
    pub equity: f64,
    /// Every stage output at this bar (`null` where undefined).
    pub outputs: BTreeMap<String, Option<f64>>,
    /// Confidence of the outputs that have one.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub confidence: BTreeMap<String, Option<f64>>,
    /// Explanations of the outputs that have one.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub explanations: BTreeMap<String, String>,
    /// The policy's signals at this bar.
    pub signals: BTreeMap<String, Option<f64>>,
    /// What the policy proposed, and which rule made it.
    pub proposal: Target,
    pub reason: String,
    /// What was decided after the risk stage.
    pub decision: Target,
    /// Why the risk stage changed anything.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub risk: Vec<String>,
    /// Orders placed.
    pub orders: Vec<String>,
}

fn defined(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}

/// The stage outputs, confidences and explanations at bar `i`.
#[allow(clippy::type_complexity)]
pub fn snapshot(
    outputs: &Outputs,
    signals: &Signals,
    i: usize,
) -> (BTreeMap<String, Option<f64>>, BTreeMap<String, Option<f64>>, BTreeMap<String, String>, BTreeMap<String, Option<f64>>) {
    let mut values = BTreeMap::new();
    let mut confidence = BTreeMap::new();
    let mut explanations = BTreeMap::new();
    for s in outputs.iter() {
        values.insert(s.name.clone(), defined(s.values[i]));
        if let Some(c) = &s.confidence {
            confidence.insert(s.name.clone(), defined(c[i]));
        }
        if let Some(e) = &s.explanation {
            if !e[i].is_empty() {
                explanations.insert(s.name.clone(), e[i].clone());
            }
        }
    }
    let sig = signals.series.iter().map(|(s, v)| (s.name().to_string(), defined(v.at(i)))).collect();
    (values, confidence, explanations, sig)
}
