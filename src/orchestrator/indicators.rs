//! Technical indicators computed over a whole price series. Values before an indicator is
//! defined are NaN; the value at bar `t` depends only on bars up to `t`.

/// Simple moving average over `period` values, bit-for-bit as pandas' `rolling(period).mean()`:
/// a running Kahan-compensated sum (separate compensation for values entering and leaving
/// the window), and the exact value when the window holds one repeated value.
pub fn sma(values: &[f64], period: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; values.len()];
    if period == 0 {
        return out;
    }
    let mut window = RollingSum::default();
    for (i, &v) in values.iter().enumerate() {
        if i >= period {
            window.remove(values[i - period]);
        }
        window.add(v);
        if window.count >= period {
            out[i] = window.mean();
        }
    }
    out
}

/// pandas' rolling-mean accumulator (`add_mean` / `remove_mean` / `calc_mean`).
#[derive(Debug, Default)]
struct RollingSum {
    count: usize,
    negatives: usize,
    sum: f64,
    add_compensation: f64,
    remove_compensation: f64,
    same_value_run: usize,
    last_added: Option<f64>,
}

impl RollingSum {
    fn add(&mut self, v: f64) {
        if v.is_nan() {
            return;
        }
        self.count += 1;
        let y = v - self.add_compensation;
        let t = self.sum + y;
        self.add_compensation = t - self.sum - y;
        self.sum = t;
        if v.is_sign_negative() {
            self.negatives += 1;
        }
        self.same_value_run = if self.last_added == Some(v) { self.same_value_run + 1 } else { 1 };
        self.last_added = Some(v);
    }

    fn remove(&mut self, v: f64) {
        if v.is_nan() {
            return;
        }
        self.count -= 1;
        let y = -v - self.remove_compensation;
        let t = self.sum + y;
        self.remove_compensation = t - self.sum - y;
        self.sum = t;
        if v.is_sign_negative() {
            self.negatives -= 1;
        }
    }

    fn mean(&self) -> f64 {
        let mean = self.sum / self.count as f64;
        match self.last_added {
            Some(v) if self.same_value_run >= self.count => v,
            _ if self.negatives == 0 && mean < 0.0 => 0.0,
            _ if self.negatives == self.count && mean > 0.0 => 0.0,
            _ => mean,
        }
    }
}

/// True at bar `i` when `a` crossed above `b`: `a[i-1] < b[i-1]` and `a[i] > b[i]`.
pub fn crossed_above(a: &[f64], b: &[f64], i: usize) -> bool {
    i >= 1 && a[i - 1] < b[i - 1] && a[i] > b[i]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sma_of_known_values() {
        let s = sma(&[1.0, 2.0, 3.0, 4.0, 5.0], 3);
        assert!(s[0].is_nan() && s[1].is_nan());
        assert_eq!(&s[2..], &[2.0, 3.0, 4.0]);
    }

    #[test]
    fn sma_of_a_constant_is_exact() {
        let s = sma(&[0.1; 50], 7);
        assert!(s[6..].iter().all(|&v| v == 0.1));
    }

    #[test]
    fn sma_longer_than_data_is_undefined() {
        assert!(sma(&[1.0, 2.0], 3).iter().all(|v| v.is_nan()));
    }

    #[test]
    fn crossover_needs_strict_cross() {
        let a = [1.0, 2.0, 3.0];
        let b = [2.0, 2.0, 2.0];
        assert!(!crossed_above(&a, &b, 1)); // touches, does not cross
        assert!(!crossed_above(&a, &b, 2)); // previous bar was equal
        assert!(crossed_above(&[1.0, 3.0], &b, 1));
        assert!(!crossed_above(&a, &b, 0));
    }
}
