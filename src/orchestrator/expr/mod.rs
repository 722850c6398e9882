//! The expression language of the `rules` decision policy: conditions such as
//! `crossover(fast, slow) and rsi < 70` over stage outputs, prices and parameters, evaluated
//! for every bar at once.
//!
//! # Grammar
//!
//! ```text
//! expr       = or
//! or         = and { "or" and }
//! and        = not { "and" not }
//! not        = "not" not | comparison
//! comparison = sum [ ("<" | "<=" | ">" | ">=" | "==" | "!=") sum ]
//! sum        = product { ("+" | "-") product }
//! product    = unary { ("*" | "/") unary }
//! unary      = "-" unary | primary
//! primary    = number | "true" | "false" | "(" expr ")"
//!            | function "(" expr { "," expr } ")"
//!            | name [ "[" lag "]" ]
//! name       = ident [ "." ident ]            e.g. rsi, bb.lower, macd.signal
//! ident      = [A-Za-z_][A-Za-z0-9_]*          (not and, or, not, true, false)
//! number     = 70 | 0.5 | .5 | 1e-3 | 2.5E+2
//! lag        = a non-negative integer literal
//! function   = crossover | crossunder | abs | min | max
//! ```
//!
//! Precedence, loosest first: `or` < `and` < `not` < comparisons < `+ -` < `* /` < unary `-`.
//! `+ - * /`, `and` and `or` group left to right; comparisons do not chain (`1 < 2 < 3` is an
//! error: write `1 < 2 and 2 < 3`). Whitespace between tokens is ignored.
//!
//! # Meaning
//!
//! - Every value is a number per bar; `true`/`false` and the results of comparisons and
//!   `and`/`or`/`not` are 1 and 0, and any nonzero value counts as true.
//! - `x[k]` is `x` as it was `k` bars ago (`x[0]` is `x`); before the first bar it is NaN.
//! - `crossover(a, b)` is true at bar `t` when `a[1] < b[1]` and `a > b` (`a` crossed above
//!   `b`); `crossunder(a, b)` is `crossover(b, a)`. Both are false at the first bar.
//!   `abs(x)`, `min(a, b)` and `max(a, b)` are as usual. Arguments may be any expressions.
//! - NaN (an input not yet defined, a lag before the first bar, `0 / 0`) flows through
//!   arithmetic, `abs`, `min` and `max`; every comparison involving NaN is false (`!=`
//!   included), and `and`, `or`, `not` treat NaN as false.
//! - The value at bar `t` depends only on inputs at bars up to `t`.
//!
//! Errors name the 1-based character column they are at: `column 5: expected a value, found
//! end of expression`.

mod ast;
mod eval;
mod parse;
mod truths;

pub use truths::{truth, Truths};

use std::collections::HashSet;

use ast::Node;

/// A problem in an expression, at a 1-based character column. Displayed as
/// `column N: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct ParseError {
    /// 1-based character column of the problem in the expression.
    pub column: usize,
    /// What is wrong, in plain words.
    pub message: String,
}

/// A parsed expression, ready to be evaluated over any number of bars.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    root: Node,
}

/// What a name in an expression stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Operand<'a> {
    /// One value per bar (as many as the bars evaluated).
    Series(&'a [f64]),
    /// The same value at every bar (a parameter).
    Const(f64),
}

impl Expr {
    /// Parses an expression written in the language described in the [module docs](self).
    ///
    /// # Errors
    ///
    /// A [`ParseError`] at the column of the first problem: a character or token out of place,
    /// an unclosed bracket, a chained comparison, an unknown function or a wrong number of
    /// arguments (at the function's name), a lag that is not a non-negative integer.
    pub fn parse(src: &str) -> Result<Expr, ParseError> {
        parse::parse(src).map(|root| Expr { root })
    }

    /// Every name referenced, with the column where it first appears, in order of
    /// appearance, each once (`bb.lower` is one name).
    #[must_use]
    pub fn identifiers(&self) -> Vec<(String, usize)> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        self.root.for_each_var(&mut |v| {
            if seen.insert(v.name.as_str()) {
                out.push((v.name.clone(), v.column));
            }
        });
        out
    }

    /// How many bars back the expression reads at most: the largest lag, where
    /// `crossover`/`crossunder` add one bar to the look-back of their arguments
    /// (`crossover(a, b)` is 1, `crossover(a[2], b)` is 3).
    #[must_use]
    pub fn max_lag(&self) -> usize {
        self.root.max_lag()
    }

    /// The expression's value at every bar `0..len`.
    ///
    /// `lookup` resolves a name to a series of `len` values or a constant; it is called once
    /// per occurrence of a name, before any bar is computed.
    ///
    /// # Errors
    ///
    /// A [`ParseError`] at the column of a name that `lookup` does not know (returns `None`
    /// for), or that it resolves to a series whose length is not `len`.
    pub fn eval_series<'a>(
        &self,
        len: usize,
        lookup: &dyn Fn(&str) -> Option<Operand<'a>>,
    ) -> Result<Vec<f64>, ParseError> {
        eval::eval(&self.root, len, lookup)
    }

    /// As [`Expr::eval_series`], as truths (1 and 0 being true and false), when the
    /// expression is a `crossover` or `crossunder`: it is then made without a number per
    /// bar. None for other expressions.
    ///
    /// # Errors
    ///
    /// As [`Expr::eval_series`].
    pub fn eval_truths<'a>(
        &self,
        len: usize,
        lookup: &dyn Fn(&str) -> Option<Operand<'a>>,
    ) -> Result<Option<Truths>, ParseError> {
        eval::eval_truths(&self.root, len, lookup)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_in_order_of_appearance_deduplicated() {
        let e = Expr::parse("crossover(fast, slow) and rsi < 70 or fast[1] > bb.lower").unwrap();
        let ids = e.identifiers();
        let expected = [("fast", 11), ("slow", 17), ("rsi", 27), ("bb.lower", 49)];
        assert_eq!(ids, expected.map(|(n, c)| (n.to_string(), c)));
    }

    #[test]
    fn error_at_a_non_ascii_character() {
        let err = Expr::parse("a + é").unwrap_err();
        assert_eq!(err, ParseError { column: 5, message: "expected a value, found `é`".into() });
    }

    #[test]
    fn max_lag_counts_lags_and_crossovers() {
        let lag = |s: &str| Expr::parse(s).unwrap().max_lag();
        assert_eq!(lag("close > 1"), 0);
        assert_eq!(lag("rsi[1] > 80 or close[5] < 3"), 5);
        assert_eq!(lag("crossover(a, b)"), 1);
        assert_eq!(lag("crossunder(a, b[2]) and c[2]"), 3);
    }

    #[test]
    fn evaluates_through_the_public_api() {
        let close = [1.0, 2.0, 3.0, 4.0];
        let e = Expr::parse("close > limit").unwrap();
        let lookup = |name: &str| match name {
            "close" => Some(Operand::Series(&close[..])),
            "limit" => Some(Operand::Const(2.5)),
            _ => None,
        };
        assert_eq!(e.eval_series(4, &lookup).unwrap(), [0.0, 0.0, 1.0, 1.0]);
    }

    #[test]
    fn display_is_column_then_message() {
        let err = ParseError { column: 3, message: "oops".into() };
        assert_eq!(err.to_string(), "column 3: oops");
    }
}
