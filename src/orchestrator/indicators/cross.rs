//! Crossings of two series.

/// True at bar `i` when `a` crossed above `b`: `a[i-1] < b[i-1]` and `a[i] > b[i]`.
pub fn crossed_above(a: &[f64], b: &[f64], i: usize) -> bool {
    i >= 1 && a[i - 1] < b[i - 1] && a[i] > b[i]
}

/// 1.0 at each bar where `a` crosses above `b` ([`crossed_above`]: `a[t-1] < b[t-1]` and
/// `a[t] > b[t]`), 0.0 elsewhere, including bar 0 and bars where either side of the test
/// is NaN. Touching without crossing is not a cross. No TA-Lib counterpart.
///
/// The output has the length of the shorter input.
pub fn crossover(a: &[f64], b: &[f64]) -> Vec<f64> {
    let len = a.len().min(b.len());
    (0..len)
        .map(|t| if crossed_above(a, b, t) { 1.0 } else { 0.0 })
        .collect()
}

/// 1.0 at each bar where `a` crosses below `b` (`a[t-1] > b[t-1]` and `a[t] < b[t]`), 0.0
/// elsewhere: `crossunder(a, b) == crossover(b, a)`.
pub fn crossunder(a: &[f64], b: &[f64]) -> Vec<f64> {
    crossover(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossover_needs_strict_cross() {
        let a = [1.0, 2.0, 3.0];
        let b = [2.0, 2.0, 2.0];
        assert!(!crossed_above(&a, &b, 1)); // touches, does not cross
        assert!(!crossed_above(&a, &b, 2)); // previous bar was equal
        assert!(crossed_above(&[1.0, 3.0], &b, 1));
        assert!(!crossed_above(&a, &b, 0));
    }

    #[test]
    fn crossover_and_crossunder_series() {
        let a = [1.0, 3.0, 1.0, f64::NAN, 3.0, 1.0, 3.0];
        let b = [2.0; 7];
        assert_eq!(crossover(&a, &b), vec![0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
        assert_eq!(crossunder(&a, &b), vec![0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0]);
        assert_eq!(crossunder(&a, &b), crossover(&b, &a));
        assert_eq!(crossover(&[3.0], &[1.0]), vec![0.0]);
        assert!(crossover(&[], &b).is_empty());
    }
}
