//! A news-sentiment stage: scores the documents published over a trailing window with a
//! word list (lexicon), the simplest honest NLP baseline to stand in for a model.

use std::collections::HashSet;

use crate::error::Result;
use crate::metrics::calendar::DAY_NS;
use crate::orchestrator::stage::{Input, Series, Stage, View};

/// Default positive words (finance news).
pub const POSITIVE: [&str; 24] = [
    "beat", "beats", "growth", "surge", "surges", "record", "upgrade", "upgraded", "strong", "profit", "gain", "gains",
    "rally", "raises", "raised", "bullish", "outperform", "exceeds", "soar", "soars", "boost", "approval", "buyback", "optimistic",
];
/// Default negative words (finance news).
pub const NEGATIVE: [&str; 24] = [
    "miss", "misses", "loss", "losses", "decline", "declines", "drop", "drops", "fall", "falls", "downgrade", "downgraded",
    "weak", "lawsuit", "probe", "recall", "cut", "cuts", "bearish", "underperform", "plunge", "slump", "warning", "layoffs",
];

/// Sentiment of the documents of one source.
#[derive(Debug, Clone, PartialEq)]
pub struct SentimentStage {
    pub id: String,
    /// The document source (file) it reads.
    pub source: String,
    /// Trailing window in days: a bar at time T scores documents published in (T - window, T].
    pub window_days: f64,
    pub positive: HashSet<String>,
    pub negative: HashSet<String>,
}

/// Positive and negative word hits of one text (case-insensitive, whole words).
fn hits(text: &str, positive: &HashSet<String>, negative: &HashSet<String>) -> (u32, u32) {
    let mut counts = (0, 0);
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let word = word.to_lowercase();
        if positive.contains(&word) {
            counts.0 += 1;
        } else if negative.contains(&word) {
            counts.1 += 1;
        }
    }
    counts
}

/// A document's text cut to a short explanation.
fn headline(text: &str) -> String {
    const MAX: usize = 120;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

impl Stage for SentimentStage {
    fn id(&self) -> &str {
        &self.id
    }

    fn inputs(&self) -> Vec<Input> {
        vec![Input::Documents(self.source.clone())]
    }

    fn outputs(&self) -> Vec<String> {
        vec![self.id.clone()]
    }

    /// The value is `(positive - negative) / (positive + negative)` word hits over the
    /// window (0 without hits), the confidence `min(1, hits / 5)`, the explanation the
    /// latest headline in the window.
    fn compute(&self, view: &View) -> Result<Vec<Series>> {
        let docs = view.documents(&self.source);
        let counts: Vec<(u32, u32)> = docs.iter().map(|d| hits(&d.text, &self.positive, &self.negative)).collect();
        let window = (self.window_days * DAY_NS as f64) as i64;
        let n = view.len();
        let (mut values, mut confidence, mut explanation) = (vec![0.0; n], vec![0.0; n], vec![String::new(); n]);
        let (mut start, mut end, mut pos, mut neg) = (0, 0, 0u32, 0u32);
        for (t, &now) in view.time().iter().enumerate() {
            while end < docs.len() && docs[end].time <= now {
                (pos, neg) = (pos + counts[end].0, neg + counts[end].1);
                end += 1;
            }
            while start < end && docs[start].time <= now - window {
                (pos, neg) = (pos - counts[start].0, neg - counts[start].1);
                start += 1;
            }
            let total = pos + neg;
            if total > 0 {
                values[t] = (pos as f64 - neg as f64) / total as f64;
                confidence[t] = (total as f64 / 5.0).min(1.0);
            }
            if end > start {
                let more = end - start - 1;
                explanation[t] = headline(&docs[end - 1].text) + &if more > 0 { format!(" (+{more} more)") } else { String::new() };
            }
        }
        Ok(vec![Series { name: self.id.clone(), values: values.into(), confidence: Some(confidence), explanation: Some(explanation) }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(words: &[&str]) -> HashSet<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn counts_whole_words_case_insensitively() {
        let (p, n) = (set(&POSITIVE), set(&NEGATIVE));
        assert_eq!(hits("Google BEATS estimates; shares surge", &p, &n), (2, 0));
        assert_eq!(hits("Profit warning: ad sales decline, beaten down", &p, &n), (1, 2));
    }

    #[test]
    fn long_headlines_are_cut() {
        assert_eq!(headline(&"x".repeat(200)).chars().count(), 121);
        assert_eq!(headline("short"), "short");
    }
}
