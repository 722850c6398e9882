//! The syntax tree a parsed expression is made of.

/// One node of a parsed expression. Functions are operators too: `abs(x)` is a unary node,
/// `min(a, b)` a binary one.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    /// A number literal, or `true` (1) / `false` (0).
    Num(f64),
    /// A named input, possibly lagged.
    Var(Var),
    /// `-x`, `not x`, `abs(x)`.
    Unary(UnOp, Box<Node>),
    /// `a OP b`, `min(a, b)`, `max(a, b)`: computed bar by bar.
    Binary(BinOp, Box<Node>, Box<Node>),
    /// `crossover(a, b)` or `crossunder(a, b)`, which also read the previous bar.
    Cross(Cross, Box<Node>, Box<Node>),
}

/// A reference to a named input: `rsi`, `bb.lower`, `close[2]`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Var {
    /// The full name, with its dotted part (`macd.signal`).
    pub name: String,
    /// 1-based character column of the name's first character.
    pub column: usize,
    /// How many bars back (`x[k]`); 0 for the current bar.
    pub lag: usize,
}

/// One-operand operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UnOp {
    Neg,
    Not,
    Abs,
}

/// Two-operand operations computed bar by bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
    Min,
    Max,
}

/// Which way a line must cross the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cross {
    /// `crossover(a, b)`: `a` goes from below `b` to above it.
    Over,
    /// `crossunder(a, b)`: `a` goes from above `b` to below it.
    Under,
}

/// What a built-in function name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Function {
    Unary(UnOp),
    Binary(BinOp),
    Cross(Cross),
}

/// The built-in functions by name.
const FUNCTIONS: [(&str, Function); 5] = [
    ("crossover", Function::Cross(Cross::Over)),
    ("crossunder", Function::Cross(Cross::Under)),
    ("abs", Function::Unary(UnOp::Abs)),
    ("min", Function::Binary(BinOp::Min)),
    ("max", Function::Binary(BinOp::Max)),
];

impl Function {
    /// The function called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<Function> {
        FUNCTIONS.iter().find(|(n, _)| *n == name).map(|&(_, f)| f)
    }

    /// The names of all functions, comma-separated.
    pub fn names() -> String {
        FUNCTIONS.map(|(n, _)| n).join(", ")
    }
}

impl Node {
    /// Builds `lhs OP rhs`.
    pub fn binary(op: BinOp, lhs: Node, rhs: Node) -> Node {
        Node::Binary(op, Box::new(lhs), Box::new(rhs))
    }

    /// Calls `visit` on every variable reference, in source order.
    pub fn for_each_var<'n>(&'n self, visit: &mut impl FnMut(&'n Var)) {
        match self {
            Node::Num(_) => {}
            Node::Var(v) => visit(v),
            Node::Unary(_, x) => x.for_each_var(visit),
            Node::Binary(_, a, b) | Node::Cross(_, a, b) => {
                a.for_each_var(visit);
                b.for_each_var(visit);
            }
        }
    }

    /// How many bars back the node's value at bar `t` reads, at most.
    pub fn max_lag(&self) -> usize {
        match self {
            Node::Num(_) => 0,
            Node::Var(v) => v.lag,
            Node::Unary(_, x) => x.max_lag(),
            Node::Binary(_, a, b) => a.max_lag().max(b.max_lag()),
            Node::Cross(_, a, b) => 1 + a.max_lag().max(b.max_lag()),
        }
    }
}
