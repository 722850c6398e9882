//! The risk stage: adjusts each proposal to the strategy's limits and says why.

use super::policy::Target;
use crate::strategy::RiskSpec;

/// What the trading loop knows when the risk stage reviews a proposal.
#[derive(Debug, Clone, Copy)]
pub struct Account {
    /// Equity at the decision (NaN when no one needs it; see [`RiskStage::needs_equity`]).
    pub equity: f64,
    /// Signed position in units.
    pub position: f64,
    /// The decision bar's close.
    pub close: f64,
}

/// A proposal after review: what to do, at what size, with which brackets.
#[derive(Debug, Clone, PartialEq)]
pub struct Reviewed {
    pub target: Target,
    /// Fraction of available equity an entry commits.
    pub size: f64,
    pub stop_loss: Option<f64>,
    pub take_profit: Option<f64>,
    /// Why anything was changed (empty when nothing was).
    pub notes: Vec<String>,
}

/// The risk stage with its running state (equity peak, kill-switch).
#[derive(Debug, Clone)]
pub struct RiskStage {
    spec: RiskSpec,
    /// True when no limit is set: proposals pass unchanged.
    passive: bool,
    size: f64,
    peak: f64,
    halted: bool,
}

impl RiskStage {
    /// A risk stage for entries of `size` (fraction of equity) under `spec`.
    pub fn new(spec: &RiskSpec, size: f64) -> Self {
        RiskStage { spec: spec.clone(), passive: *spec == RiskSpec::default(), size, peak: f64::NEG_INFINITY, halted: false }
    }

    /// True when no limit is set, so every proposal passes unchanged.
    pub fn is_passive(&self) -> bool {
        self.passive
    }

    /// Whether reviews read `Account::equity` (the drawdown kill-switch does).
    pub fn needs_equity(&self) -> bool {
        self.spec.max_drawdown.is_some()
    }

    /// Reviews a proposal.
    pub fn review(&mut self, target: Target, account: Account) -> Reviewed {
        let mut notes = Vec::new();
        if self.passive {
            return Reviewed { target, size: self.size, stop_loss: None, take_profit: None, notes };
        }
        self.peak = self.peak.max(account.equity);
        let drawdown = 1.0 - account.equity / self.peak;
        if let Some(limit) = self.spec.max_drawdown {
            if !self.halted && drawdown >= limit {
                self.halted = true;
                notes.push(format!(
                    "kill-switch: drawdown {:.2}% reached the {:.2}% limit; closing and halting trading",
                    drawdown * 100.0,
                    limit * 100.0
                ));
            }
        }
        let mut target = target;
        if self.halted {
            let wanted = if account.position != 0.0 { Target::Flat } else { Target::Hold };
            if target != wanted && notes.is_empty() && matches!(target, Target::Long | Target::Short) {
                notes.push("kill-switch active: entry blocked".to_string());
            }
            target = wanted;
        }
        let mut size = self.size;
        for (limit, name) in [(self.spec.max_position, "max_position"), (self.spec.max_gross_exposure, "max_gross_exposure")] {
            if let Some(limit) = limit {
                if size > limit && matches!(target, Target::Long | Target::Short) {
                    notes.push(format!("size {size} capped to {limit} by {name}"));
                    size = limit;
                }
            }
        }
        let sign = match target {
            Target::Long => 1.0,
            Target::Short => -1.0,
            _ => 0.0,
        };
        let bracket = |fraction: Option<f64>, direction: f64| {
            fraction.filter(|_| sign != 0.0).map(|f| account.close * (1.0 + direction * sign * f))
        };
        Reviewed {
            target,
            size,
            stop_loss: bracket(self.spec.stop_loss, -1.0),
            take_profit: bracket(self.spec.take_profit, 1.0),
            notes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(equity: f64, position: f64) -> Account {
        Account { equity, position, close: 100.0 }
    }

    #[test]
    fn caps_size_and_attaches_brackets() {
        let spec = RiskSpec { max_position: Some(0.5), stop_loss: Some(0.05), take_profit: Some(0.1), ..Default::default() };
        let mut risk = RiskStage::new(&spec, 1.0);
        let r = risk.review(Target::Short, account(10_000.0, 0.0));
        assert_eq!(r.size, 0.5);
        assert_eq!(r.stop_loss, Some(105.0));
        assert!((r.take_profit.unwrap() - 90.0).abs() < 1e-12);
        assert_eq!(r.notes.len(), 1);
    }

    #[test]
    fn kill_switch_closes_and_blocks_entries() {
        let spec = RiskSpec { max_drawdown: Some(0.2), ..Default::default() };
        let mut risk = RiskStage::new(&spec, 1.0);
        assert_eq!(risk.review(Target::Hold, account(10_000.0, 5.0)).target, Target::Hold);
        let hit = risk.review(Target::Hold, account(7_900.0, 5.0));
        assert_eq!(hit.target, Target::Flat);
        assert!(hit.notes[0].contains("kill-switch"));
        let later = risk.review(Target::Long, account(8_000.0, 0.0));
        assert_eq!(later.target, Target::Hold);
        assert_eq!(later.notes, vec!["kill-switch active: entry blocked".to_string()]);
    }
}
