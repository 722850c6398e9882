//! Comparing strategies: return correlations and the significance of a Sharpe difference.

use serde::Serialize;

use super::sample::{covariance, mean, ratios};

/// Per-bar simple returns of an equity curve (`e[t] / e[t-1] - 1`).
pub fn returns(equity: &[f64]) -> Vec<f64> {
    let mut returns = ratios(equity);
    returns.iter_mut().for_each(|r| *r -= 1.0);
    returns
}

/// Pearson correlation of two equally long series (NaN when either is constant).
pub fn correlation(a: &[f64], b: &[f64]) -> f64 {
    covariance(a, b) / (covariance(a, a) * covariance(b, b)).sqrt()
}

/// The Jobson-Korkie test of two Sharpe ratios, with Memmel's (2003) correction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SharpeTest {
    /// Per-period (not annualised) Sharpe ratios `mean / std` of the two return series.
    pub sharpe_a: f64,
    pub sharpe_b: f64,
    /// Correlation of the two return series.
    pub correlation: f64,
    /// `(SR_a - SR_b) / sqrt(θ)`, `θ = (2 - 2ρ + ½(SR_a² + SR_b² - 2·SR_a·SR_b·ρ²)) / T`.
    pub z: f64,
    /// One-sided p-value of "a's Sharpe ratio is above b's": `1 - Φ(z)`.
    pub p_value: f64,
}

/// Standard normal cumulative distribution function.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Tests whether return series `a` has a higher Sharpe ratio than `b` (same periods).
pub fn sharpe_difference(a: &[f64], b: &[f64]) -> SharpeTest {
    let t = a.len() as f64;
    let (sa, sb) = (mean(a) / covariance(a, a).sqrt(), mean(b) / covariance(b, b).sqrt());
    let rho = correlation(a, b);
    let theta = (2.0 - 2.0 * rho + 0.5 * (sa * sa + sb * sb - 2.0 * sa * sb * rho * rho)) / t;
    let z = (sa - sb) / theta.sqrt();
    SharpeTest { sharpe_a: sa, sharpe_b: sb, correlation: rho, z, p_value: 1.0 - normal_cdf(z) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlation_of_known_series() {
        assert!((correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]) - 1.0).abs() < 1e-15);
        assert!((correlation(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-15);
        assert!(correlation(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]).is_nan());
    }

    #[test]
    fn normal_cdf_values() {
        assert_eq!(normal_cdf(0.0), 0.5);
        assert!((normal_cdf(1.959963984540054) - 0.975).abs() < 1e-12);
    }
}
