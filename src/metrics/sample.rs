//! Sample statistics shared by the metrics: mean, and covariance/variance with ddof = 1.

/// Arithmetic mean (NaN when empty).
pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Sample covariance (ddof = 1), two-pass.
pub fn covariance(a: &[f64], b: &[f64]) -> f64 {
    let (mean_a, mean_b) = (mean(a), mean(b));
    a.iter().zip(b).map(|(x, y)| (x - mean_a) * (y - mean_b)).sum::<f64>() / (a.len() as f64 - 1.0)
}

/// Sample variance (ddof = 1), two-pass.
pub fn variance(xs: &[f64]) -> f64 {
    covariance(xs, xs)
}
