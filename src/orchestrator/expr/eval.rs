//! Vectorised evaluation. The tree is first compiled into a plan, resolving every name once and
//! folding constant parts; the plan then runs over blocks of bars, each node computing a whole
//! block at a time into a small reused buffer, so intermediate values stay in cache however
//! many bars there are. Every operation reads bar `t` or earlier bars only, so the value at `t`
//! never depends on later inputs.

use super::ast::{BinOp, Cross, Node, UnOp};
use super::truths::{pack, truth, Truths};
use super::{Operand, ParseError};

/// Bars computed at a time: the few buffers of this many values a plan needs fit in cache.
const BLOCK: usize = 1024;

/// Evaluates `node` over `len` bars, resolving names through `lookup`.
pub(super) fn eval<'a>(
    node: &Node,
    len: usize,
    lookup: &dyn Fn(&str) -> Option<Operand<'a>>,
) -> Result<Vec<f64>, ParseError> {
    let plan = compile(node, len, lookup)?;
    let mut out = vec![0.0; len];
    let mut pool = Pool::default();
    for (k, block) in out.chunks_mut(BLOCK).enumerate() {
        plan.fill(k * BLOCK, block, &mut pool);
    }
    Ok(out)
}

/// Evaluates `node` over `len` bars as truths when it is a `crossover` or `crossunder`
/// (true or false at every bar, with no number per bar made); None for any other node.
pub(super) fn eval_truths<'a>(
    node: &Node,
    len: usize,
    lookup: &dyn Fn(&str) -> Option<Operand<'a>>,
) -> Result<Option<Truths>, ParseError> {
    let Node::Cross(direction, a, b) = node else { return Ok(None) };
    let (a, b) = (compile(a, len, lookup)?, compile(b, len, lookup)?);
    let mut words = vec![0u64; len.div_ceil(64)];
    let (mut x_buf, mut y_buf, mut pool) = (Vec::new(), Vec::new(), Pool::default());
    for (k, block) in words.chunks_mut(BLOCK / 64).enumerate() {
        let start = k * BLOCK;
        let n = BLOCK.min(len - start);
        // The operands from the bar before the block, when there is one.
        let from = start.saturating_sub(1);
        let (x, y) = (a.values(from, start + n - from, &mut x_buf, &mut pool), b.values(from, start + n - from, &mut y_buf, &mut pool));
        match direction {
            Cross::Over => crossover_truths(block, n, x, y),
            Cross::Under => crossover_truths(block, n, y, x),
        }
    }
    Ok(Some(Truths::from_words(words, len)))
}

/// A node ready to run, its names resolved to their values.
enum Plan<'a> {
    Const(f64),
    /// An input, some bars back (NaN before the first bar).
    Input(Operand<'a>, usize),
    Unary(UnOp, Box<Plan<'a>>),
    Binary(BinOp, Box<Plan<'a>>, Box<Plan<'a>>),
    Cross(Cross, Box<Plan<'a>>, Box<Plan<'a>>),
}

/// Resolves the names in `node` (in source order) and folds operations on constants.
fn compile<'a>(
    node: &Node,
    len: usize,
    lookup: &dyn Fn(&str) -> Option<Operand<'a>>,
) -> Result<Plan<'a>, ParseError> {
    let plan = |node: &Node| compile(node, len, lookup).map(Box::new);
    Ok(match node {
        Node::Num(x) => Plan::Const(*x),
        Node::Var(var) => match lookup(&var.name) {
            None => {
                let message = format!("unknown name `{}`", var.name);
                return Err(ParseError { column: var.column, message });
            }
            Some(Operand::Series(s)) if s.len() != len => {
                let message = format!("`{}` has {} values but {len} bars are evaluated", var.name, s.len());
                return Err(ParseError { column: var.column, message });
            }
            Some(Operand::Const(c)) if var.lag == 0 => Plan::Const(c),
            Some(operand) => Plan::Input(operand, var.lag),
        },
        Node::Unary(op, x) => match *plan(x)? {
            Plan::Const(c) => {
                let mut v = [c];
                unary(*op, &mut v);
                Plan::Const(v[0])
            }
            x => Plan::Unary(*op, Box::new(x)),
        },
        Node::Binary(op, a, b) => match (*plan(a)?, *plan(b)?) {
            (Plan::Const(x), Plan::Const(y)) => {
                let mut v = [x];
                binary(*op, &mut v, Other::Right(y));
                Plan::Const(v[0])
            }
            (a, b) => Plan::Binary(*op, Box::new(a), Box::new(b)),
        },
        Node::Cross(direction, a, b) => Plan::Cross(*direction, plan(a)?, plan(b)?),
    })
}

/// Spare block buffers, reused from node to node and block to block.
#[derive(Default)]
struct Pool(Vec<Vec<f64>>);

impl Pool {
    /// A spare buffer (of any length, contents unspecified).
    fn take(&mut self) -> Vec<f64> {
        self.0.pop().unwrap_or_default()
    }

    fn give(&mut self, v: Vec<f64>) {
        self.0.push(v);
    }
}

impl Plan<'_> {
    /// The values at bars `start..start + n`: straight from the input for an input read
    /// without lag, else computed into `buf`.
    fn values<'s>(&'s self, start: usize, n: usize, buf: &'s mut Vec<f64>, pool: &mut Pool) -> &'s [f64] {
        if let Plan::Input(Operand::Series(s), 0) = self {
            return &s[start..start + n];
        }
        if buf.len() < n {
            buf.resize(n, 0.0);
        }
        self.fill(start, &mut buf[..n], pool);
        &buf[..n]
    }

    /// Writes the values at bars `start..start + out.len()` into `out`.
    fn fill(&self, start: usize, out: &mut [f64], pool: &mut Pool) {
        let n = out.len();
        match self {
            Plan::Const(c) => out.fill(*c),
            Plan::Input(operand, lag) => {
                let nan = lag.saturating_sub(start).min(n);
                out[..nan].fill(f64::NAN);
                let from = (start + nan).saturating_sub(*lag);
                match operand {
                    Operand::Series(s) => out[nan..].copy_from_slice(&s[from..from + n - nan]),
                    Operand::Const(c) => out[nan..].fill(*c),
                }
            }
            Plan::Unary(op, x) => {
                x.fill(start, out, pool);
                unary(*op, out);
            }
            Plan::Binary(op, a, b) => match (&**a, &**b) {
                (Plan::Const(c), b) => {
                    b.fill(start, out, pool);
                    binary(*op, out, Other::Left(*c));
                }
                (a, Plan::Const(c)) => {
                    a.fill(start, out, pool);
                    binary(*op, out, Other::Right(*c));
                }
                (a, b) => {
                    a.fill(start, out, pool);
                    let mut tmp = pool.take();
                    binary(*op, out, Other::Slice(b.values(start, n, &mut tmp, pool)));
                    pool.give(tmp);
                }
            },
            Plan::Cross(direction, a, b) => {
                // The operands from the bar before the block, when there is one.
                let from = start.saturating_sub(1);
                let m = start + n - from;
                let (mut x_buf, mut y_buf) = (pool.take(), pool.take());
                let x = a.values(from, m, &mut x_buf, pool);
                let y = b.values(from, m, &mut y_buf, pool);
                match direction {
                    Cross::Over => crossover(out, x, y),
                    Cross::Under => crossover(out, y, x),
                }
                pool.give(x_buf);
                pool.give(y_buf);
            }
        }
    }
}

/// 1.0 for true, 0.0 for false.
fn flag(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// NaN if either side is NaN, else `f(x, y)`.
fn nan_or(x: f64, y: f64, f: impl Fn(f64, f64) -> f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else {
        f(x, y)
    }
}

/// `out[i] = OP out[i]`.
#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
fn unary(op: UnOp, out: &mut [f64]) {
    match op {
        UnOp::Neg => out.iter_mut().for_each(|x| *x = -*x),
        UnOp::Not => out.iter_mut().for_each(|x| *x = flag(!truth(*x))),
        UnOp::Abs => out.iter_mut().for_each(|x| *x = x.abs()),
    }
}

/// What `out` is combined with in [`binary`].
enum Other<'s> {
    /// A constant on the left of the operator: `c OP out[i]`.
    Left(f64),
    /// A constant on the right: `out[i] OP c`.
    Right(f64),
    /// Values on the right: `out[i] OP s[i]`.
    Slice(&'s [f64]),
}

/// Sets `out[i]` to the operation applied to `out[i]` and `other`.
#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
fn binary(op: BinOp, out: &mut [f64], other: Other<'_>) {
    match op {
        BinOp::Add => zip(out, other, |x, y| x + y),
        BinOp::Sub => zip(out, other, |x, y| x - y),
        BinOp::Mul => zip(out, other, |x, y| x * y),
        BinOp::Div => zip(out, other, |x, y| x / y),
        BinOp::Lt => zip(out, other, |x, y| flag(x < y)),
        BinOp::Le => zip(out, other, |x, y| flag(x <= y)),
        BinOp::Gt => zip(out, other, |x, y| flag(x > y)),
        BinOp::Ge => zip(out, other, |x, y| flag(x >= y)),
        BinOp::Eq => zip(out, other, |x, y| flag(x == y)),
        // `x != y` would be true for NaN; comparisons involving NaN are false.
        BinOp::Ne => zip(out, other, |x, y| flag((x < y) | (x > y))),
        BinOp::And => zip(out, other, |x, y| flag(truth(x) & truth(y))),
        BinOp::Or => zip(out, other, |x, y| flag(truth(x) | truth(y))),
        BinOp::Min => zip(out, other, |x, y| nan_or(x, y, f64::min)),
        BinOp::Max => zip(out, other, |x, y| nan_or(x, y, f64::max)),
    }
}

/// [`binary`] for one operation `f`, monomorphised so the loops vectorise.
fn zip(out: &mut [f64], other: Other<'_>, f: impl Fn(f64, f64) -> f64) {
    match other {
        Other::Left(c) => out.iter_mut().for_each(|x| *x = f(c, *x)),
        Other::Right(c) => out.iter_mut().for_each(|x| *x = f(*x, c)),
        Other::Slice(s) => out.iter_mut().zip(s).for_each(|(x, &y)| *x = f(*x, y)),
    }
}

/// `out[i]` = 1 where `a` goes from below `b` to above it, else 0. `a` and `b` hold the bar
/// before `out`'s first one too, unless `out` starts at the first bar (which is then 0).
#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
fn crossover(out: &mut [f64], a: &[f64], b: &[f64]) {
    mark_crossings(out, a, b, flag);
}

/// [`crossover`] over `n` bars (at most [`BLOCK`]) as truths, 64 bars to a word of `out`.
#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
fn crossover_truths(out: &mut [u64], n: usize, a: &[f64], b: &[f64]) {
    let mut bytes = [0u8; BLOCK];
    mark_crossings(&mut bytes[..n], a, b, u8::from);
    let (blocks, _) = bytes.as_chunks::<64>();
    for (word, block) in out.iter_mut().zip(blocks) {
        *word = pack(block);
    }
}

/// Sets `out[i]` to `mark(crossed)`, for whether `a` goes from below `b` to above it at
/// `out`'s bar `i` (as [`crossover`] takes `a` and `b`); inlined into each compiled variant.
#[inline(always)]
fn mark_crossings<T: Copy>(out: &mut [T], a: &[f64], b: &[f64], mark: impl Fn(bool) -> T) {
    let first = out.len() + 1 - a.len();
    out[..first].fill(mark(false));
    let (a0, a1, b0, b1) = (&a[..a.len() - 1], &a[1..], &b[..b.len() - 1], &b[1..]);
    let pairs = a0.iter().zip(a1).zip(b0.iter().zip(b1));
    for (o, ((a0, a1), (b0, b1))) in out[first..].iter_mut().zip(pairs) {
        *o = mark((a0 < b0) & (a1 > b1));
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::super::{Expr, Truths};
    use super::*;

    const NAN: f64 = f64::NAN;

    /// Evaluates `src` over `len` bars with the given series and constants.
    fn run(src: &str, len: usize, series: &[(&str, &[f64])], consts: &[(&str, f64)]) -> Vec<f64> {
        let expr = Expr::parse(src).unwrap_or_else(|e| panic!("`{src}`: {e}"));
        let lookup = |name: &str| {
            let s = series.iter().find(|(n, _)| *n == name).map(|&(_, s)| Operand::Series(s));
            s.or_else(|| consts.iter().find(|(n, _)| *n == name).map(|&(_, c)| Operand::Const(c)))
        };
        expr.eval_series(len, &lookup).unwrap_or_else(|e| panic!("`{src}`: {e}"))
    }

    /// Asserts equal values, any NaN equal to any NaN.
    fn assert_values(src: &str, got: &[f64], want: &[f64]) {
        let same = got.len() == want.len() && got.iter().zip(want).all(|(g, w)| g == w || g.is_nan() && w.is_nan());
        assert!(same, "`{src}`: got {got:?}, want {want:?}");
    }

    /// Checks `src` over one series `x` (and constant `p = 2`).
    fn check(src: &str, x: &[f64], want: &[f64]) {
        assert_values(src, &run(src, x.len(), &[("x", x)], &[("p", 2.0)]), want);
    }

    /// Checks `src` over series `a`, `b`, `c` of equal length.
    fn check3(src: &str, [a, b, c]: [&[f64]; 3], want: &[f64]) {
        assert_values(src, &run(src, a.len(), &[("a", a), ("b", b), ("c", c)], &[]), want);
    }

    #[test]
    fn precedence_shows_in_values() {
        check("1 + 2 * 3", &[0.0; 2], &[7.0; 2]);
        check("-2 * 3", &[0.0], &[-6.0]);
        check("2 - 3 - 4", &[0.0], &[-5.0]);
        check("8 / 4 / 2", &[0.0], &[1.0]);
        check("-x * p + 1", &[3.0, -1.0], &[-5.0, 3.0]);
        // Every combination of three booleans.
        let a = [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        let b = [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0];
        let c = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0];
        check3("a or b and c", [&a, &b, &c], &[0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
        check3("not a and b", [&a, &b, &c], &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
        check3("not (a and b) or c", [&a, &b, &c], &[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0]);
        check3("a + b * 2 > c + 2", [&a, &b, &c], &[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn comparisons_and_truth() {
        let x = [1.0, 2.0, 3.0];
        check("x < p", &x, &[1.0, 0.0, 0.0]);
        check("x <= p", &x, &[1.0, 1.0, 0.0]);
        check("x > p", &x, &[0.0, 0.0, 1.0]);
        check("x >= p", &x, &[0.0, 1.0, 1.0]);
        check("x == p", &x, &[0.0, 1.0, 0.0]);
        check("x != p", &x, &[1.0, 0.0, 1.0]);
        // Any nonzero value is true.
        check("x - 2 and true", &x, &[1.0, 0.0, 1.0]);
        check("not (x - 2)", &x, &[0.0, 1.0, 0.0]);
        check("false or x > 2", &x, &[0.0, 0.0, 1.0]);
    }

    #[test]
    fn lag() {
        let x = [1.0, 2.0, 3.0, 4.0];
        check("x[0]", &x, &x);
        check("x[1]", &x, &[NAN, 1.0, 2.0, 3.0]);
        check("x[3]", &x, &[NAN, NAN, NAN, 1.0]);
        check("x[10]", &x, &[NAN; 4]);
        check("x - x[1]", &x, &[NAN, 1.0, 1.0, 1.0]);
        check("p[2]", &x, &[NAN, NAN, 2.0, 2.0]);
        check("x[1] > 1", &x, &[0.0, 0.0, 1.0, 1.0]);
        check("x[2] + x", &[], &[]);
    }

    #[test]
    fn functions() {
        check("abs(x - p)", &[0.0, 2.0, 5.0], &[2.0, 0.0, 3.0]);
        check("min(x, p)", &[1.0, 2.0, 3.0], &[1.0, 2.0, 2.0]);
        check("max(x, p)", &[1.0, 2.0, 3.0], &[2.0, 2.0, 3.0]);
        check("max(x, -x) == abs(x)", &[-3.0, 0.0, 4.0], &[1.0; 3]);
        check("min(1, 2) + max(3, 4) + abs(-5)", &[0.0; 2], &[10.0; 2]);
        check("crossover(x, p)", &[1.0, 3.0, 1.0, 3.0], &[0.0, 1.0, 0.0, 1.0]);
        check("crossunder(x, p)", &[1.0, 3.0, 1.0, 3.0], &[0.0, 0.0, 1.0, 0.0]);
        check("crossover(x, p + 0.5)", &[2.0, 2.6, 2.4, 2.5, 2.6], &[0.0, 1.0, 0.0, 0.0, 0.0]);
        check("crossover(p, 1)", &[0.0; 3], &[0.0; 3]);
    }

    #[test]
    fn crossovers_as_truths_are_their_values_and_other_expressions_are_not_truths() {
        let mut next = crate::testing::xorshift(0xc0ff_ee00_1234_5678);
        for len in [0, 1, 2, 63, 64, 65, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK + 77] {
            // Values that often touch and cross, with NaN now and then.
            let mut draw = || (0..len).map(|_| if next().is_multiple_of(17) { NAN } else { (next() % 5) as f64 }).collect::<Vec<f64>>();
            let (a, b) = (draw(), draw());
            let series: [(&str, &[f64]); 2] = [("a", &a), ("b", &b)];
            let lookup = |name: &str| series.iter().find(|(n, _)| *n == name).map(|&(_, s)| Operand::Series(s)).or((name == "p").then_some(Operand::Const(2.0)));
            for src in ["crossover(a, b)", "crossunder(a, b)", "crossover(a[3], b + 1)", "crossunder(a, p)", "crossover(p, 1)"] {
                let expr = Expr::parse(src).unwrap();
                let truths = expr.eval_truths(len, &lookup).unwrap().expect("a crossover");
                assert_eq!(truths, Truths::of_values(&expr.eval_series(len, &lookup).unwrap()), "`{src}` over {len} bars");
            }
            for src in ["a > b", "crossover(a, b) and a > 1", "a", "not crossover(a, b)"] {
                assert!(Expr::parse(src).unwrap().eval_truths(len, &lookup).unwrap().is_none(), "`{src}`");
            }
        }
        let unknown = Expr::parse("crossover(a, nope)").unwrap().eval_truths(3, &|_| None);
        assert!(unknown.is_err());
    }

    #[test]
    fn crossover_on_a_hand_made_pair() {
        let fast = [1.0, 2.0, 3.0, 3.0, 2.0, 1.0, 2.0, 4.0];
        let slow = [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0];
        let series: [(&str, &[f64]); 2] = [("fast", &fast), ("slow", &slow)];
        let up = run("crossover(fast, slow)", 8, &series, &[]);
        let down = run("crossunder(fast, slow)", 8, &series, &[]);
        // Touching is not crossing: the line must be strictly on one side, then the other.
        assert_eq!(up, [0.0; 8]);
        assert_eq!(down, [0.0; 8]);
        let fast = [1.0, 3.0, 3.0, 1.0, 4.0, NAN, 4.0, 1.0];
        let series: [(&str, &[f64]); 2] = [("fast", &fast), ("slow", &slow)];
        let up = run("crossover(fast, slow)", 8, &series, &[]);
        let down = run("crossunder(fast, slow)", 8, &series, &[]);
        assert_eq!(up, [0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]);
        assert_eq!(down, [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn nan_behaviour() {
        let x = [NAN, 1.0];
        // Arithmetic, abs, min and max propagate NaN.
        check("x + 1", &x, &[NAN, 2.0]);
        check("-x * 2 / 1", &x, &[NAN, -2.0]);
        check("abs(x)", &x, &[NAN, 1.0]);
        check("min(x, 5)", &x, &[NAN, 1.0]);
        check("max(5, x)", &x, &[NAN, 5.0]);
        check("0 / 0 + x", &x, &[NAN, NAN]);
        // Every comparison with NaN is false, `!=` included.
        for op in ["<", "<=", ">", ">=", "==", "!="] {
            check(&format!("x {op} 1"), &x, &[0.0, if op.contains('=') && op != "!=" { 1.0 } else { 0.0 }]);
            check(&format!("1 {op} x[1]"), &x, &[0.0, 0.0]);
        }
        // `and`, `or`, `not` treat NaN as false.
        check("x and true", &x, &[0.0, 1.0]);
        check("x or false", &x, &[0.0, 1.0]);
        check("x or true", &x, &[1.0, 1.0]);
        check("not x", &x, &[1.0, 0.0]);
        check("crossover(x, 0.5)", &x, &[0.0, 0.0]);
    }

    #[test]
    fn unknown_name_is_an_error_at_its_column() {
        let expr = Expr::parse("x > 1 and rsi[1] < p").unwrap();
        let x = [1.0, 2.0];
        let lookup = |name: &str| (name == "x").then_some(Operand::Series(&x[..]));
        let err = expr.eval_series(2, &lookup).unwrap_err();
        assert_eq!(err, ParseError { column: 11, message: "unknown name `rsi`".into() });
    }

    #[test]
    fn series_of_the_wrong_length_is_an_error() {
        let expr = Expr::parse("1 + x").unwrap();
        let x = [1.0, 2.0];
        let err = expr.eval_series(3, &|_| Some(Operand::Series(&x[..]))).unwrap_err();
        assert_eq!(err, ParseError { column: 5, message: "`x` has 2 values but 3 bars are evaluated".into() });
    }

    #[test]
    fn lookup_is_called_once_per_occurrence() {
        let calls = Cell::new(0);
        let x = vec![1.0; 1000];
        let lookup = |_: &str| {
            calls.set(calls.get() + 1);
            Some(Operand::Series(&x[..]))
        };
        let expr = Expr::parse("crossover(x, y) and x[1] > z or abs(y) < 3").unwrap();
        expr.eval_series(1000, &lookup).unwrap();
        assert_eq!(calls.get(), 5);
    }

    /// Three pseudo-random series over `len` bars that often cross each other, with a few NaN
    /// and some repeated whole values.
    fn random_series(len: usize) -> [Vec<f64>; 3] {
        let mut word = crate::testing::xorshift(0x2545_f491_4f6c_dd1d);
        let mut next = move || (word() % 1000) as f64 / 100.0;
        let mut a: Vec<f64> = (0..len).map(|_| next()).collect();
        let b: Vec<f64> = (0..len).map(|_| next()).collect();
        let c: Vec<f64> = (0..len).map(|_| next().floor()).collect();
        for i in (17..len).step_by(101) {
            a[i] = NAN;
        }
        [a, b, c]
    }

    /// Expressions exercising every operation, lags beyond a block and nested crossovers.
    const SOURCES: [&str; 11] = [
        "crossover(a, b) and c < 7",
        "crossunder(a + 1, b[2]) or not (c[1] >= 3)",
        "crossover(crossover(a, b), 0.5) or crossunder(a[1023], b[1025])",
        "abs(a - b) / max(a, 1) > min(c, 2) and a[3] != b",
        "-a * b + c[5] - a[1] / (b + 1)",
        "p[1500] + a - p",
        "c == 3 or 2 * p <= c and a > b",
        "min(a[2000], 5) + max(-b, c[1])",
        "a[5000] + 1",
        "crossover(p, a) or crossunder(p, b[1])",
        "1 + 2 * p - abs(-p)",
    ];

    /// A plain bar-by-bar evaluation of the tree, to check the block-wise one against.
    fn reference<'a>(node: &Node, t: usize, inputs: &dyn Fn(&str) -> Operand<'a>) -> f64 {
        let at = |node: &Node, t: usize| reference(node, t, inputs);
        let b = |b: bool| if b { 1.0 } else { 0.0 };
        match node {
            Node::Num(x) => *x,
            Node::Var(v) if t < v.lag => NAN,
            Node::Var(v) => match inputs(&v.name) {
                Operand::Series(s) => s[t - v.lag],
                Operand::Const(c) => c,
            },
            Node::Unary(op, x) => {
                let x = at(x, t);
                match op {
                    UnOp::Neg => -x,
                    UnOp::Not => b(!truth(x)),
                    UnOp::Abs => x.abs(),
                }
            }
            Node::Binary(op, l, r) => {
                let (x, y) = (at(l, t), at(r, t));
                let nan = x.is_nan() || y.is_nan();
                match op {
                    BinOp::Add => x + y,
                    BinOp::Sub => x - y,
                    BinOp::Mul => x * y,
                    BinOp::Div => x / y,
                    BinOp::Lt => b(x < y),
                    BinOp::Le => b(x <= y),
                    BinOp::Gt => b(x > y),
                    BinOp::Ge => b(x >= y),
                    BinOp::Eq => b(x == y),
                    BinOp::Ne => b(!nan && x != y),
                    BinOp::And => b(truth(x) && truth(y)),
                    BinOp::Or => b(truth(x) || truth(y)),
                    BinOp::Min if nan => NAN,
                    BinOp::Max if nan => NAN,
                    BinOp::Min => x.min(y),
                    BinOp::Max => x.max(y),
                }
            }
            Node::Cross(_, _, _) if t == 0 => 0.0,
            Node::Cross(direction, l, r) => {
                let (mut x, mut y) = ([at(l, t - 1), at(l, t)], [at(r, t - 1), at(r, t)]);
                if *direction == Cross::Under {
                    std::mem::swap(&mut x, &mut y);
                }
                b(x[0] < y[0] && x[1] > y[1])
            }
        }
    }

    #[test]
    fn block_wise_evaluation_matches_bar_by_bar() {
        for len in [0, 1, 5, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK + 555] {
            let [a, b, c] = random_series(len);
            let inputs = |name: &str| match name {
                "a" => Operand::Series(&a),
                "b" => Operand::Series(&b),
                "c" => Operand::Series(&c),
                _ => Operand::Const(2.0),
            };
            for src in SOURCES {
                let expr = Expr::parse(src).unwrap();
                let got = expr.eval_series(len, &|name| Some(inputs(name))).unwrap();
                let want: Vec<f64> = (0..len).map(|t| reference(&expr.root, t, &inputs)).collect();
                assert_values(&format!("{src} over {len} bars"), &got, &want);
            }
        }
    }

    #[test]
    fn values_at_a_bar_ignore_later_inputs() {
        let len = 2 * BLOCK + 555;
        let series = random_series(len);
        let noise = random_series(len);
        for src in SOURCES {
            let eval = |s: &[Vec<f64>; 3]| run(src, len, &[("a", &s[0]), ("b", &s[1]), ("c", &s[2])], &[("p", 2.0)]);
            let full = eval(&series);
            for t in [0, 1, 5, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, len - 2] {
                let mut changed = series.clone();
                for (s, noise) in changed.iter_mut().zip(&noise) {
                    for (i, v) in s.iter_mut().enumerate().skip(t + 1) {
                        *v = if i % 3 == 0 { NAN } else { -7.0 * noise[i] };
                    }
                }
                assert_values(src, &eval(&changed)[..=t], &full[..=t]);
            }
        }
    }
}
