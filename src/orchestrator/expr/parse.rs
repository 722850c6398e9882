//! The parser: a recursive-descent grammar (one function per precedence level) built from
//! `winnow` token parsers over a location-tracking input, so every error knows its offset.

use winnow::ascii::{digit0, digit1, multispace0};
use winnow::combinator::{alt, not, opt, separated};
use winnow::error::{ErrMode, ModalResult, ParserError};
use winnow::stream::{LocatingSlice, Location, Stateful, Stream};
use winnow::token::{one_of, take_till, take_while};
use winnow::Parser;

use super::ast::{BinOp, Function, Node, UnOp, Var};
use super::ParseError;

/// The input: the rest of the source, tracking offsets, with the whole source as state.
type In<'i> = Stateful<LocatingSlice<&'i str>, &'i str>;
type PResult<O> = ModalResult<O, Fail>;

/// Parses a whole expression.
pub(super) fn parse(src: &str) -> Result<Node, ParseError> {
    if src.trim().is_empty() {
        return Err(ParseError { column: 1, message: "empty expression".into() });
    }
    let mut input = Stateful { input: LocatingSlice::new(src), state: src };
    let parsed = whole(&mut input).map_err(|e| match e {
        ErrMode::Backtrack(f) | ErrMode::Cut(f) => f,
        ErrMode::Incomplete(_) => Fail { offset: src.len(), kind: Kind::Expected("more input") },
    });
    parsed.map_err(|f| f.into_parse_error(src))
}

/// Why parsing failed, at a byte offset; turned into a [`ParseError`] once the source is at hand.
#[derive(Debug)]
struct Fail {
    offset: usize,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// "expected WHAT, found …".
    Expected(&'static str),
    /// A bracket opened at byte `open` was not closed where `expected` was.
    Unclosed { open: usize, expected: &'static str },
    /// A complete message.
    Message(String),
}

impl Fail {
    fn into_parse_error(self, src: &str) -> ParseError {
        let found = found(&src[self.offset..]);
        let message = match self.kind {
            Kind::Expected(what) => format!("expected {what}, found {found}"),
            Kind::Unclosed { open, expected } => format!(
                "expected {expected} to close the `{}` at column {}, found {found}",
                &src[open..=open],
                column(src, open)
            ),
            Kind::Message(m) => m,
        };
        ParseError { column: column(src, self.offset), message }
    }
}

impl ParserError<In<'_>> for Fail {
    type Inner = Self;

    fn from_input(input: &In<'_>) -> Self {
        Fail { offset: input.current_token_start(), kind: Kind::Expected("a valid token") }
    }

    fn into_inner(self) -> Result<Self, Self> {
        Ok(self)
    }
}

/// 1-based character column of byte `offset` in `src`.
fn column(src: &str, offset: usize) -> usize {
    src[..offset].chars().count() + 1
}

/// Describes the token at the start of `rest` for error messages.
fn found(rest: &str) -> String {
    let word: String = rest.chars().take_while(|&c| is_ident_char(c)).collect();
    match rest.chars().next() {
        None => "end of expression".into(),
        Some(_) if !word.is_empty() => format!("`{word}`"),
        Some(c) => format!("`{c}`"),
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// An unrecoverable error at `offset`.
fn cut<O>(offset: usize, kind: Kind) -> PResult<O> {
    Err(ErrMode::Cut(Fail { offset, kind }))
}

/// Skips whitespace and returns the offset of the next token.
fn ws(i: &mut In<'_>) -> PResult<usize> {
    multispace0.parse_next(i)?;
    Ok(i.current_token_start())
}

/// Consumes `close` (after whitespace), or fails saying the bracket at `open` is unclosed.
fn close(i: &mut In<'_>, close: char, open: usize, expected: &'static str) -> PResult<()> {
    let at = ws(i)?;
    match opt(close).parse_next(i)? {
        Some(_) => Ok(()),
        None => cut(at, Kind::Unclosed { open, expected }),
    }
}

/// Consumes the keyword `kw` if it comes next as a whole word.
fn keyword(i: &mut In<'_>, kw: &'static str) -> PResult<bool> {
    ws(i)?;
    Ok(opt((kw, not(one_of(is_ident_char)))).parse_next(i)?.is_some())
}

fn whole(i: &mut In<'_>) -> PResult<Node> {
    let node = or_expr(i)?;
    let at = ws(i)?;
    if i.eof_offset() > 0 {
        return cut(at, Kind::Expected("an operator or the end of the expression"));
    }
    Ok(node)
}

/// Parses `operand (OP operand)*` into a left-associative chain, `op` reading the operators.
fn left_assoc(
    i: &mut In<'_>,
    operand: fn(&mut In<'_>) -> PResult<Node>,
    op: fn(&mut In<'_>) -> PResult<Option<BinOp>>,
) -> PResult<Node> {
    let mut lhs = operand(i)?;
    while let Some(op) = op(i)? {
        lhs = Node::binary(op, lhs, operand(i)?);
    }
    Ok(lhs)
}

fn or_expr(i: &mut In<'_>) -> PResult<Node> {
    left_assoc(i, and_expr, |i| Ok(keyword(i, "or")?.then_some(BinOp::Or)))
}

fn and_expr(i: &mut In<'_>) -> PResult<Node> {
    left_assoc(i, not_expr, |i| Ok(keyword(i, "and")?.then_some(BinOp::And)))
}

fn not_expr(i: &mut In<'_>) -> PResult<Node> {
    if keyword(i, "not")? {
        Ok(Node::Unary(UnOp::Not, Box::new(not_expr(i)?)))
    } else {
        comparison(i)
    }
}

fn comparison_op(i: &mut In<'_>) -> PResult<Option<BinOp>> {
    ws(i)?;
    opt(alt((
        "<=".value(BinOp::Le),
        ">=".value(BinOp::Ge),
        "==".value(BinOp::Eq),
        "!=".value(BinOp::Ne),
        "<".value(BinOp::Lt),
        ">".value(BinOp::Gt),
    )))
    .parse_next(i)
}

/// `sum (CMP sum)?`: comparisons do not chain.
fn comparison(i: &mut In<'_>) -> PResult<Node> {
    let lhs = sum(i)?;
    let Some(op) = comparison_op(i)? else { return Ok(lhs) };
    let rhs = sum(i)?;
    let at = ws(i)?;
    if comparison_op(i)?.is_some() {
        let message = "comparisons cannot be chained; join them with `and` (`a < b and b < c`)";
        return cut(at, Kind::Message(message.into()));
    }
    Ok(Node::binary(op, lhs, rhs))
}

fn sum(i: &mut In<'_>) -> PResult<Node> {
    left_assoc(i, product, |i| {
        ws(i)?;
        opt(alt(('+'.value(BinOp::Add), '-'.value(BinOp::Sub)))).parse_next(i)
    })
}

fn product(i: &mut In<'_>) -> PResult<Node> {
    left_assoc(i, unary, |i| {
        ws(i)?;
        opt(alt(('*'.value(BinOp::Mul), '/'.value(BinOp::Div)))).parse_next(i)
    })
}

fn unary(i: &mut In<'_>) -> PResult<Node> {
    ws(i)?;
    if opt('-').parse_next(i)?.is_some() {
        Ok(Node::Unary(UnOp::Neg, Box::new(unary(i)?)))
    } else {
        primary(i)
    }
}

/// `1.5e3`, `.5`, `7`.
fn number<'i>(i: &mut In<'i>) -> PResult<&'i str> {
    (
        alt(((digit1, opt(('.', digit0))).void(), ('.', digit1).void())),
        opt((one_of(['e', 'E']), opt(one_of(['+', '-'])), digit1)),
    )
        .take()
        .parse_next(i)
}

/// `[A-Za-z_][A-Za-z0-9_]*`.
fn name<'i>(i: &mut In<'i>) -> PResult<&'i str> {
    (one_of(|c: char| c.is_ascii_alphabetic() || c == '_'), take_while(0.., is_ident_char))
        .take()
        .parse_next(i)
}

/// A number, `true`/`false`, a parenthesised expression, a function call or a (lagged) name.
fn primary(i: &mut In<'_>) -> PResult<Node> {
    let start = ws(i)?;
    if opt('(').parse_next(i)?.is_some() {
        let inner = or_expr(i)?;
        close(i, ')', start, "`)`")?;
        return Ok(inner);
    }
    if let Some(text) = opt(number).parse_next(i)? {
        return match text.parse() {
            Ok(x) => Ok(Node::Num(x)),
            Err(_) => cut(start, Kind::Message(format!("invalid number `{text}`"))),
        };
    }
    let Some(first) = opt(name).parse_next(i)? else {
        return cut(start, Kind::Expected("a value"));
    };
    match first {
        "true" => return Ok(Node::Num(1.0)),
        "false" => return Ok(Node::Num(0.0)),
        "and" | "or" | "not" => return cut(start, Kind::Expected("a value")),
        _ => {}
    }
    let mut full = first.to_string();
    if opt('.').parse_next(i)?.is_some() {
        let Some(field) = opt(name).parse_next(i)? else {
            return cut(i.current_token_start(), Kind::Expected("an output name after `.`"));
        };
        full = format!("{first}.{field}");
    }
    let open = ws(i)?;
    if opt('(').parse_next(i)?.is_some() {
        return call(i, &full, start, open);
    }
    let open = ws(i)?;
    let lag = if opt('[').parse_next(i)?.is_some() { lag(i, open)? } else { 0 };
    Ok(Node::Var(Var { name: full, column: column(i.state, start), lag }))
}

/// The arguments of `name(` (already consumed) up to the closing `)`.
fn call(i: &mut In<'_>, name: &str, start: usize, open: usize) -> PResult<Node> {
    let Some(func) = Function::from_name(name) else {
        let message = format!("unknown function `{name}` (functions: {})", Function::names());
        return cut(start, Kind::Message(message));
    };
    ws(i)?;
    let args: Vec<Node> = if opt(')').parse_next(i)?.is_some() {
        Vec::new()
    } else {
        let args = separated(1.., or_expr, (multispace0, ',')).parse_next(i)?;
        close(i, ')', open, "`,` or `)`")?;
        args
    };
    let wrong_arity = |arity: usize, got: usize| {
        let s = if arity == 1 { "" } else { "s" };
        cut(start, Kind::Message(format!("`{name}` takes {arity} argument{s}, got {got}")))
    };
    match func {
        Function::Unary(op) => match <[Node; 1]>::try_from(args) {
            Ok([x]) => Ok(Node::Unary(op, Box::new(x))),
            Err(args) => wrong_arity(1, args.len()),
        },
        Function::Binary(op) => match <[Node; 2]>::try_from(args) {
            Ok([a, b]) => Ok(Node::binary(op, a, b)),
            Err(args) => wrong_arity(2, args.len()),
        },
        Function::Cross(direction) => match <[Node; 2]>::try_from(args) {
            Ok([a, b]) => Ok(Node::Cross(direction, Box::new(a), Box::new(b))),
            Err(args) => wrong_arity(2, args.len()),
        },
    }
}

/// The lag inside `[` (already consumed) up to the closing `]`.
fn lag(i: &mut In<'_>, open: usize) -> PResult<usize> {
    let at = ws(i)?;
    let text = take_till(0.., |c: char| c == ']').parse_next(i)?.trim_end();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        let message = match text {
            "" => "expected a lag (a non-negative integer) inside `[]`".to_string(),
            _ => format!("a lag must be a non-negative integer literal, found `{text}`"),
        };
        return cut(at, Kind::Message(message));
    }
    let Ok(k) = text.parse() else {
        return cut(at, Kind::Message(format!("lag `{text}` is too large")));
    };
    close(i, ']', open, "`]`")?;
    Ok(k)
}

#[cfg(test)]
mod tests {
    use super::super::ast::Cross;
    use super::*;

    fn ast(src: &str) -> Node {
        parse(src).unwrap_or_else(|e| panic!("`{src}`: {e}"))
    }

    /// The tree with every column set to 0, to compare groupings written differently.
    fn shape(node: Node) -> Node {
        match node {
            Node::Num(_) => node,
            Node::Var(v) => Node::Var(Var { column: 0, ..v }),
            Node::Unary(op, x) => Node::Unary(op, Box::new(shape(*x))),
            Node::Binary(op, a, b) => Node::binary(op, shape(*a), shape(*b)),
            Node::Cross(c, a, b) => Node::Cross(c, Box::new(shape(*a)), Box::new(shape(*b))),
        }
    }

    /// Asserts that `src` parses to the same tree as the fully parenthesised `grouped`.
    fn same(src: &str, grouped: &str) {
        assert_eq!(shape(ast(src)), shape(ast(grouped)), "`{src}` should group as `{grouped}`");
    }

    fn differ(a: &str, b: &str) {
        assert_ne!(shape(ast(a)), shape(ast(b)), "`{a}` should not group as `{b}`");
    }

    fn error(src: &str) -> ParseError {
        parse(src).expect_err(src)
    }

    fn var(name: &str, column: usize, lag: usize) -> Node {
        Node::Var(Var { name: name.into(), column, lag })
    }

    #[test]
    fn multiplication_binds_tighter_than_addition() {
        same("1 + 2 * 3", "1 + (2 * 3)");
        same("1 * 2 + 3", "(1 * 2) + 3");
        same("a - b / c", "a - (b / c)");
        differ("1 + 2 * 3", "(1 + 2) * 3");
    }

    #[test]
    fn unary_minus_binds_tightest() {
        same("-2 * 3", "(-2) * 3");
        differ("-2 * 3", "-(2 * 3)");
        same("a - -b", "a - (-b)");
        same("--a", "-(-a)");
        same("-x[1] + 1", "(-(x[1])) + 1");
    }

    #[test]
    fn arithmetic_is_left_associative() {
        same("a - b - c", "(a - b) - c");
        same("a / b / c", "(a / b) / c");
        same("a - b + c", "(a - b) + c");
        differ("a - b - c", "a - (b - c)");
    }

    #[test]
    fn and_binds_tighter_than_or() {
        same("a or b and c", "a or (b and c)");
        same("a and b or c and d", "(a and b) or (c and d)");
        same("a or b or c", "(a or b) or c");
        differ("a or b and c", "(a or b) and c");
    }

    #[test]
    fn not_sits_between_and_and_comparisons() {
        same("not a and b", "(not a) and b");
        same("not a < b", "not (a < b)");
        same("not not a", "not (not a)");
        differ("not a and b", "not (a and b)");
    }

    #[test]
    fn comparisons_sit_between_boolean_and_arithmetic_operators() {
        same("a < b + 1 and c", "(a < (b + 1)) and c");
        same("rsi[1] > 80 or close < bb.lower", "(rsi[1] > 80) or (close < bb.lower)");
        for op in ["<", "<=", ">", ">=", "==", "!="] {
            same(&format!("a + 1 {op} b * 2"), &format!("(a + 1) {op} (b * 2)"));
        }
    }

    #[test]
    fn literals_names_and_lags() {
        assert_eq!(ast("70"), Node::Num(70.0));
        assert_eq!(ast("0.5"), Node::Num(0.5));
        assert_eq!(ast(".5"), Node::Num(0.5));
        assert_eq!(ast("1e-3"), Node::Num(1e-3));
        assert_eq!(ast("2.5E+2"), Node::Num(250.0));
        assert_eq!(ast("true"), Node::Num(1.0));
        assert_eq!(ast("false"), Node::Num(0.0));
        assert_eq!(ast("  macd.signal "), var("macd.signal", 3, 0));
        assert_eq!(ast("rsi[1]"), var("rsi", 1, 1));
        assert_eq!(ast("rsi[ 12 ]"), var("rsi", 1, 12));
        assert_eq!(ast("bb.lower[0]"), var("bb.lower", 1, 0));
        // Keywords are whole words only.
        assert_eq!(ast("order"), var("order", 1, 0));
        assert_eq!(ast("nota"), var("nota", 1, 0));
        assert_eq!(ast("_x1"), var("_x1", 1, 0));
        // A function name without parentheses is an ordinary name.
        assert_eq!(ast("abs"), var("abs", 1, 0));
    }

    #[test]
    fn function_calls_take_any_expressions() {
        let call = ast("crossover(close, sma + 2)");
        let expected = Node::Cross(
            Cross::Over,
            Box::new(var("close", 11, 0)),
            Box::new(Node::binary(BinOp::Add, var("sma", 18, 0), Node::Num(2.0))),
        );
        assert_eq!(call, expected);
        assert_eq!(ast("abs (x)"), Node::Unary(UnOp::Abs, Box::new(var("x", 6, 0))));
        same("min(a, max(b, 1)) < 2", "(min(a, (max(b, 1)))) < 2");
        same("crossunder(a,b)", "crossunder(a, b)");
    }

    #[test]
    fn whitespace_is_insignificant() {
        same("\ta<b\nand\r\nc", "(a < b) and c");
        same("x*-1", "x * (-1)");
    }

    #[test]
    fn unbalanced_parentheses() {
        let e = error("(rsi < 70");
        assert_eq!(e.column, 10);
        assert_eq!(e.message, "expected `)` to close the `(` at column 1, found end of expression");
        let e = error("rsi < 70)");
        assert_eq!(e.column, 9);
        assert_eq!(e.message, "expected an operator or the end of the expression, found `)`");
        assert_eq!(error("min(a, b").column, 9);
        assert_eq!(error("((a)").column, 5);
    }

    #[test]
    fn dangling_operator() {
        let e = error("rsi <");
        assert_eq!(e, ParseError { column: 6, message: "expected a value, found end of expression".into() });
        assert_eq!(error("a +").column, 4);
        assert_eq!(error("a and").column, 6);
        assert_eq!(error("not").column, 4);
        assert_eq!(error("a * * b").column, 5);
        assert_eq!(error("min(a, )").column, 8);
    }

    #[test]
    fn chained_comparison() {
        let e = error("1 < 2 < 3");
        assert_eq!(e.column, 7);
        assert!(e.message.contains("cannot be chained"), "{}", e.message);
        assert_eq!(error("a == b != c").column, 8);
    }

    #[test]
    fn unknown_function() {
        let e = error("cross(a, b)");
        assert_eq!(e.column, 1);
        assert_eq!(e.message, "unknown function `cross` (functions: crossover, crossunder, abs, min, max)");
        assert_eq!(error("x and cross(a, b)").column, 7);
        assert_eq!(error("bb.lower(1)").column, 1);
    }

    #[test]
    fn wrong_arity() {
        let e = error("abs(a, b)");
        assert_eq!(e, ParseError { column: 1, message: "`abs` takes 1 argument, got 2".into() });
        let e = error("x + min(a)");
        assert_eq!(e, ParseError { column: 5, message: "`min` takes 2 arguments, got 1".into() });
        assert_eq!(error("max()").column, 1);
        assert_eq!(error("crossover(a, b, c)").column, 1);
    }

    #[test]
    fn bad_lag() {
        let e = error("x[-1]");
        assert_eq!(e.column, 3);
        assert_eq!(e.message, "a lag must be a non-negative integer literal, found `-1`");
        assert_eq!(error("x[1.5]").column, 3);
        assert_eq!(error("a + x[ y ]").column, 8);
        assert_eq!(error("x[]").column, 3);
        assert_eq!(error("x[99999999999999999999999]").column, 3);
        let e = error("x[1");
        assert_eq!(e.column, 4);
        assert_eq!(e.message, "expected `]` to close the `[` at column 2, found end of expression");
    }

    #[test]
    fn empty_expression() {
        assert_eq!(error(""), ParseError { column: 1, message: "empty expression".into() });
        assert_eq!(error("  \t").column, 1);
    }

    #[test]
    fn other_mistakes() {
        assert_eq!(error("a and and b").message, "expected a value, found `and`");
        assert_eq!(error("a and and b").column, 7);
        assert_eq!(error("rsi = 70").column, 5);
        assert_eq!(error("bb.").column, 4);
        assert_eq!(error("min(a b)").column, 7);
        assert_eq!(error("a b").column, 3);
        assert_eq!(error("1.5.2").column, 4);
    }
}
