//! Statistics that discount a backtest for the search that produced it: the probabilistic
//! and deflated Sharpe ratios, and the probability of backtest overfitting (CSCV).
//!
//! All Sharpe ratios here are per period (not annualised): mean / standard deviation
//! (ddof = 1) of the per-period returns.
//!
//! References:
//! * D. H. Bailey and M. López de Prado (2012), "The Sharpe Ratio Efficient Frontier",
//!   Journal of Risk 15(2) — the probabilistic Sharpe ratio.
//! * D. H. Bailey and M. López de Prado (2014), "The Deflated Sharpe Ratio: Correcting for
//!   Selection Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio
//!   Management 40(5).
//! * D. H. Bailey, J. M. Borwein, M. López de Prado and Q. J. Zhu (2015), "The Probability
//!   of Backtest Overfitting", Journal of Computational Finance 20(4).
//!
//! `tests/fixtures/overfitting/make_fixtures.py` recomputes everything with numpy/scipy.

use super::compare::normal_cdf;
use super::sample::{combine_lanes, for_each_lane, highest, LANES};

/// The Euler–Mascheroni constant γ.
const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

/// Sample moments of a return series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    pub mean: f64,
    /// Sample standard deviation (ddof = 1).
    pub std: f64,
    /// Adjusted Fisher–Pearson skewness `G1 = g1 · sqrt(n(n-1)) / (n-2)`, with
    /// `g1 = m3 / m2^1.5` and `m_k` the biased central moments
    /// (`scipy.stats.skew(x, bias=False)`).
    pub skew: f64,
    /// Bias-corrected, non-excess kurtosis (normal = 3):
    /// `((n²-1) m4/m2² - 3(n-1)²) / ((n-2)(n-3)) + 3`
    /// (`scipy.stats.kurtosis(x, fisher=False, bias=False)`).
    pub kurtosis: f64,
}

/// Mean, standard deviation (ddof = 1), skewness and kurtosis of `returns`; see [`Moments`]
/// for the exact estimators. A moment that is undefined — `std` with fewer than 2 values,
/// `skew` with fewer than 3, `kurtosis` with fewer than 4, skew and kurtosis of a constant
/// series — is NaN (the mean of an empty slice is NaN too).
pub fn sample_moments(returns: &[f64]) -> Moments {
    let n = returns.len() as f64;
    let mean = returns.iter().sum::<f64>() / n;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for r in returns {
        let d = r - mean;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    let std = if returns.len() >= 2 {
        (m2 / (n - 1.0)).sqrt()
    } else {
        f64::NAN
    };
    let (m2, m3, m4) = (m2 / n, m3 / n, m4 / n);
    let skew = if returns.len() >= 3 && m2 > 0.0 {
        m3 / m2.powf(1.5) * (n * (n - 1.0)).sqrt() / (n - 2.0)
    } else {
        f64::NAN
    };
    let kurtosis = if returns.len() >= 4 && m2 > 0.0 {
        ((n * n - 1.0) * m4 / (m2 * m2) - 3.0 * (n - 1.0) * (n - 1.0)) / ((n - 2.0) * (n - 3.0))
            + 3.0
    } else {
        f64::NAN
    };
    Moments {
        mean,
        std,
        skew,
        kurtosis,
    }
}

/// Inverse of the standard normal CDF, Φ⁻¹(p).
///
/// P. J. Acklam's rational approximation (relative error < 1.15e-9) refined by one Halley
/// step on `Φ(x) - p`, with Φ from `erfc`, which brings it to about 1e-15 relative. Only the
/// lower half is computed directly; for `p > 0.5` it returns `-Φ⁻¹(1 - p)` (`1 - p` is exact
/// there), so the result is exactly antisymmetric. `p = 0` gives −∞, `p = 1` gives +∞, and
/// `p` outside [0, 1] or NaN gives NaN.
pub fn normal_quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p > 0.5 {
        return -normal_quantile(1.0 - p);
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.024_25;
    let x = if p < P_LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    // Halley step: u = (Φ(x) - p) / φ(x). In the far tail exp(x²/2) can overflow; the
    // approximation is then kept as it is.
    let e = normal_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (0.5 * x * x).exp();
    if u.is_finite() {
        x - u / (1.0 + 0.5 * x * u)
    } else {
        x
    }
}

/// Expected maximum of `trials` independent Sharpe ratio estimates under the null of zero
/// true Sharpe (Bailey & López de Prado 2014, eq. 6, from the false strategy theorem):
///
/// `SR0 = sqrt(V) · ((1 - γ) Φ⁻¹(1 - 1/N) + γ Φ⁻¹(1 - 1/(N e)))`
///
/// with `V = sr_variance` the variance across the trials of their (per-period) Sharpe
/// ratios, `N = trials` and γ the Euler–Mascheroni constant. With a single trial there is no
/// selection and `SR0 = 0`; zero trials give NaN.
pub fn expected_max_sharpe(trials: usize, sr_variance: f64) -> f64 {
    match trials {
        0 => f64::NAN,
        1 => 0.0,
        _ => {
            let n = trials as f64;
            sr_variance.sqrt()
                * ((1.0 - EULER_GAMMA) * normal_quantile(1.0 - 1.0 / n)
                    + EULER_GAMMA * normal_quantile(1.0 - 1.0 / (n * std::f64::consts::E)))
        }
    }
}

/// Probabilistic Sharpe ratio (Bailey & López de Prado 2012): the probability that the true
/// Sharpe ratio exceeds `sr_benchmark`, given the observed per-period Sharpe ratio `sr`
/// measured over `n_obs` returns with skewness `skew` and non-excess kurtosis `kurtosis`
/// (normal = 3):
///
/// `PSR = Φ( (SR - SR*) · sqrt(T - 1) / sqrt(1 - skew · SR + (kurtosis - 1)/4 · SR²) )`
pub fn probabilistic_sharpe_ratio(
    sr: f64,
    sr_benchmark: f64,
    n_obs: usize,
    skew: f64,
    kurtosis: f64,
) -> f64 {
    let denom = (1.0 - skew * sr + (kurtosis - 1.0) / 4.0 * sr * sr).sqrt();
    normal_cdf((sr - sr_benchmark) * (n_obs as f64 - 1.0).sqrt() / denom)
}

/// Deflated Sharpe ratio (Bailey & López de Prado 2014): the probabilistic Sharpe ratio of
/// the best of `trials` strategies, measured against the Sharpe ratio that the best of
/// `trials` skill-less strategies would be expected to reach, [`expected_max_sharpe`]:
///
/// `DSR = PSR(SR0) = Φ( (SR - SR0) · sqrt(T - 1) / sqrt(1 - skew · SR + (kurtosis - 1)/4 · SR²) )`
///
/// `sr` is the selected strategy's per-period Sharpe ratio over `n_obs` returns, `skew` and
/// `kurtosis` (non-excess) are its returns' moments (see [`sample_moments`]), and
/// `sr_variance` is the variance of the per-period Sharpe ratios across all trials.
pub fn deflated_sharpe_ratio(
    sr: f64,
    trials: usize,
    sr_variance: f64,
    n_obs: usize,
    skew: f64,
    kurtosis: f64,
) -> f64 {
    probabilistic_sharpe_ratio(
        sr,
        expected_max_sharpe(trials, sr_variance),
        n_obs,
        skew,
        kurtosis,
    )
}

/// Result of [`probability_of_backtest_overfitting`].
#[derive(Debug, Clone, PartialEq)]
pub struct Pbo {
    /// Fraction of the combinations whose logit is ≤ 0, i.e. where the in-sample winner ranks
    /// in the bottom half out of sample.
    pub pbo: f64,
    /// The logit λ of every combination, in lexicographic order of the in-sample block sets.
    pub logits: Vec<f64>,
    /// Number of combinations, C(S, S/2).
    pub combinations: usize,
}

/// Probability of backtest overfitting by combinatorially symmetric cross-validation (CSCV;
/// Bailey, Borwein, López de Prado & Zhu 2015).
///
/// `returns[k]` is the per-period return series of trial k; all must have the same length T.
/// The T rows are cut into `splits` (S, even) contiguous blocks — the first `T % S` blocks
/// one row longer, like `numpy.array_split`. For each of the C(S, S/2) sets of S/2 blocks,
/// taken as in-sample in lexicographic order (the rest, in order, being out of sample):
///
/// * every trial's Sharpe ratio (mean / std, ddof = 1; 0 when the std is 0) is computed on
///   the concatenated in-sample and on the concatenated out-of-sample rows;
/// * n* = the trial with the highest in-sample Sharpe ratio (ties: the lowest index);
/// * its out-of-sample rank r ∈ 1..=N, ascending, ties sharing the lowest rank
///   (r = 1 + the number of trials with a strictly lower out-of-sample Sharpe ratio);
/// * ω = r / (N + 1) and λ = ln(ω / (1 - ω)).
///
/// PBO = #{λ ≤ 0} / C(S, S/2).
///
/// Errors: fewer than 2 trials, `splits` zero or odd, series of different lengths, or
/// fewer rows than `splits`.
pub fn probability_of_backtest_overfitting(
    returns: &[Vec<f64>],
    splits: usize,
) -> Result<Pbo, String> {
    let t = returns.first().map_or(0, Vec::len);
    if let Some(k) = returns.iter().position(|r| r.len() != t) {
        return Err(format!(
            "trial {k} has {} returns, trial 0 has {t}",
            returns[k].len()
        ));
    }
    check_splits(t, splits)?;
    let blocks: Vec<BlockSums> = returns.iter().map(|r| BlockSums::new(r, splits)).collect();
    pbo_from_blocks(&blocks)
}

/// The most splits PBO takes: C(20, 10) = 184,756 block sets (the paper uses 16).
pub const MAX_SPLITS: usize = 20;

/// Whether PBO takes `splits` splits: an even number from 2 to [`MAX_SPLITS`].
pub fn splits_allowed(splits: usize) -> bool {
    splits > 0 && splits.is_multiple_of(2) && splits <= MAX_SPLITS
}

fn check_splits(len: usize, splits: usize) -> Result<(), String> {
    if !splits_allowed(splits) {
        return Err(format!(
            "PBO needs an even number of splits from 2 to {MAX_SPLITS}, got {splits}"
        ));
    }
    if len < splits {
        return Err(format!(
            "PBO with {splits} splits needs at least {splits} returns per trial, got {len}"
        ));
    }
    Ok(())
}

/// What CSCV needs of one trial's returns: per block (cut as [`probability_of_backtest_overfitting`]
/// describes), the count, sum and sum of squares of the returns less the trial's first return.
/// The shift keeps `sum of squares - sum² / n` accurate, and makes a constant series exactly
/// zero-variance. Kept instead of the returns, a sweep's memory does not grow with the bars.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockSums {
    shift: f64,
    /// `(count, sum, sum of squares)` per block, in time order.
    blocks: Vec<(f64, f64, f64)>,
    /// The same over all blocks.
    total: (f64, f64, f64),
}

impl BlockSums {
    /// The block sums of `returns` cut into `splits` blocks (`splits <= returns.len()`).
    pub fn new(returns: &[f64], splits: usize) -> Self {
        let shift = returns.first().copied().unwrap_or(0.0);
        let (size, extra) = (returns.len() / splits, returns.len() % splits);
        let blocks = (0..splits)
            .map(|b| {
                let start = b * size + b.min(extra);
                let rows = &returns[start..start + size + usize::from(b < extra)];
                let (sum, squares) = shifted_sums(rows, shift);
                (rows.len() as f64, sum, squares)
            })
            .collect::<Vec<_>>();
        let total = blocks
            .iter()
            .fold((0.0, 0.0, 0.0), |(n, s, q), b| (n + b.0, s + b.1, q + b.2));
        BlockSums {
            shift,
            blocks,
            total,
        }
    }

    /// The Sharpe ratio (mean / std, ddof = 1; 0 when the variance is not positive) of all
    /// the returns.
    pub fn sharpe(&self) -> f64 {
        let (n, s, q) = self.total;
        SharpeOfSize::new(n).of(s, q, self.shift)
    }
}

/// The sums of `r - shift` and of its squares over `rows`, in [`LANES`] partial sums.
#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
fn shifted_sums(rows: &[f64], shift: f64) -> (f64, f64) {
    let (mut sum, mut squares) = ([0.0; LANES], [0.0; LANES]);
    for_each_lane(rows, |k, r| {
        sum[k] += r - shift;
        squares[k] += (r - shift) * (r - shift);
    });
    let add = |a, b| a + b;
    (combine_lanes(sum, add), combine_lanes(squares, add))
}

/// Sharpe ratios (mean / std, ddof = 1; 0 when the variance is not positive) of samples of
/// one size: with its reciprocals worked out once, each costs one division and one root.
#[derive(Debug, Clone, Copy)]
struct SharpeOfSize {
    inv_n: f64,
    inv_dof: f64,
}

impl SharpeOfSize {
    fn new(n: f64) -> Self {
        SharpeOfSize {
            inv_n: 1.0 / n,
            inv_dof: 1.0 / (n - 1.0),
        }
    }

    /// The Sharpe ratio of returns whose sum and sum of squares, less `shift` each, are `s`
    /// and `q`.
    fn of(self, s: f64, q: f64, shift: f64) -> f64 {
        let mean = s * self.inv_n;
        let var = (q - s * mean) * self.inv_dof;
        // Both sides are computed and one chosen, so that loops of this vectorise.
        let sharpe = (mean + shift) / var.sqrt();
        if var > 0.0 {
            sharpe
        } else {
            0.0
        }
    }
}

/// [`probability_of_backtest_overfitting`] from the trials' block sums (all cut into the
/// same blocks).
///
/// A block set's sums over a trial's rows are its blocks in the first half of the S blocks
/// added in block order, plus its blocks in the second half added in block order. So each
/// half's 2^(S/2) subsets are summed once per tile of trials, and a block set then costs one
/// addition per sum. Two passes over the tiles (in parallel) find each set's best trial in
/// sample, then count the trials below it out of sample.
pub fn pbo_from_blocks(trials: &[BlockSums]) -> Result<Pbo, String> {
    use rayon::prelude::*;
    let n = trials.len();
    if n < 2 {
        return Err(format!("PBO needs at least 2 trials, got {n}"));
    }
    let splits = trials[0].blocks.len();
    let rows = |t: &BlockSums| t.blocks.iter().map(|b| b.0).collect::<Vec<_>>();
    let first = rows(&trials[0]);
    if trials
        .iter()
        .any(|t| t.blocks.len() != splits || rows(t) != first)
    {
        return Err("trials cut into different blocks".into());
    }
    check_splits(splits, splits)?;
    let columns = Columns::new(trials);
    let sets = BlockSet::all(&first);
    let tiles: Vec<std::ops::Range<usize>> = (0..n).step_by(TILE).map(|s| s..n.min(s + TILE)).collect();
    let workspace = || Halves::new(splits / 2);

    // Pass 1: each set's first trial with the highest in-sample Sharpe ratio (NaN never
    // wins, and a NaN first trial is never beaten).
    let tops: Vec<Vec<(f64, usize)>> = tiles
        .par_iter()
        .map_init(workspace, |halves, tile| {
            halves.fill(&columns, tile.clone());
            sets.iter().map(|set| halves.highest_in(set.in_sample, &columns, tile.clone())).collect()
        })
        .collect();
    let best: Vec<usize> = sets
        .iter()
        .enumerate()
        .map(|(k, set)| first_best(columns.sharpe(0, set.in_sample), tops.iter().map(|tile| tile[k])))
        .collect();

    // Pass 2: the trials with a lower out-of-sample Sharpe ratio than each set's best.
    let targets: Vec<f64> = sets.iter().zip(&best).map(|(set, &b)| columns.sharpe(b, set.out_of_sample)).collect();
    let below: Vec<usize> = tiles
        .par_iter()
        .map_init(workspace, |halves, tile| {
            halves.fill(&columns, tile.clone());
            let counts = sets.iter().zip(&targets);
            counts.map(|(set, &target)| halves.count_below(set.out_of_sample, target, &columns, tile.clone())).collect()
        })
        .reduce(|| vec![0; sets.len()], |a, b| a.iter().zip(&b).map(|(x, y)| x + y).collect());

    let logits: Vec<f64> = below
        .iter()
        .map(|&below| {
            let w = (1 + below) as f64 / (n + 1) as f64;
            (w / (1.0 - w)).ln()
        })
        .collect();
    let overfit = logits.iter().filter(|&&l| l <= 0.0).count();
    Ok(Pbo {
        pbo: overfit as f64 / logits.len() as f64,
        combinations: logits.len(),
        logits,
    })
}

/// The trials' block sums as columns (one value per trial, contiguous), so that the work on
/// a tile of trials is passes over flat arrays that the compiler turns into vector
/// instructions.
struct Columns {
    /// Per block: every trial's shifted sum, and shifted sum of squares.
    sums: Vec<Vec<f64>>,
    squares: Vec<Vec<f64>>,
    /// Per trial: its shift.
    shift: Vec<f64>,
}

impl Columns {
    fn new(trials: &[BlockSums]) -> Self {
        let column = |f: &dyn Fn(&BlockSums) -> f64| trials.iter().map(f).collect::<Vec<f64>>();
        let blocks = 0..trials[0].blocks.len();
        Columns {
            sums: blocks.clone().map(|b| column(&|t| t.blocks[b].1)).collect(),
            squares: blocks.map(|b| column(&|t| t.blocks[b].2)).collect(),
            shift: column(&|t| t.shift),
        }
    }

    /// Trial `trial`'s Sharpe ratio over `blocks`, one at a time, as [`Halves`] works it
    /// out for a tile.
    fn sharpe(&self, trial: usize, blocks: Blocks) -> f64 {
        let half = |mask: usize, first: usize| {
            let blocks = (0..usize::BITS as usize).filter(|j| mask >> j & 1 == 1).map(|j| first + j);
            blocks.fold((-0.0, -0.0), |(s, q), b| (s + self.sums[b][trial], q + self.squares[b][trial]))
        };
        let ((s_low, q_low), (s_high, q_high)) = (half(blocks.low, 0), half(blocks.high, self.sums.len() / 2));
        blocks.sharpe.of(s_low + s_high, q_low + q_high, self.shift[trial])
    }
}

/// Some of the S blocks: those of the first half (bit j of `low` for block j) and of the
/// second (bit j of `high` for block S/2 + j), with the Sharpe ratio of their row count.
#[derive(Debug, Clone, Copy)]
struct Blocks {
    low: usize,
    high: usize,
    sharpe: SharpeOfSize,
}

/// A block set in sample, and its complement out of sample.
struct BlockSet {
    in_sample: Blocks,
    out_of_sample: Blocks,
}

impl BlockSet {
    /// The C(S, S/2) sets of S/2 blocks, in lexicographic order, for blocks of `rows` rows.
    fn all(rows: &[f64]) -> Vec<BlockSet> {
        let (splits, half) = (rows.len(), rows.len() / 2);
        let blocks = |chosen: &dyn Fn(usize) -> bool| {
            let mask = |first: usize| (0..half).filter(|&j| chosen(first + j)).fold(0, |m, j| m | 1 << j);
            let count: f64 = (0..splits).filter(|&b| chosen(b)).map(|b| rows[b]).sum();
            Blocks { low: mask(0), high: mask(half), sharpe: SharpeOfSize::new(count) }
        };
        let mut sets = Vec::new();
        let mut chosen: Vec<usize> = (0..half).collect();
        loop {
            let in_sample = blocks(&|b| chosen.contains(&b));
            let out_of_sample = blocks(&|b| !chosen.contains(&b));
            sets.push(BlockSet { in_sample, out_of_sample });
            if !next_combination(&mut chosen, splits) {
                return sets;
            }
        }
    }
}

/// Trials worked on at a time: their sums over every subset of each half of the blocks
/// (4 · 2^(S/2) arrays of this length) stay in the L2 cache for all the block sets.
const TILE: usize = 256;

/// Work space for a tile of trials: their sums over each subset of each half of the blocks.
struct Halves {
    /// `[subset][trial in tile]` for the first half's subsets, then the second half's.
    sums: Vec<[f64; TILE]>,
    squares: Vec<[f64; TILE]>,
    /// Subsets per half.
    subsets: usize,
    /// A tile's Sharpe ratios for one block set.
    sharpes: [f64; TILE],
}

impl Halves {
    fn new(half: usize) -> Self {
        let subsets = 1 << half;
        Halves { sums: vec![[0.0; TILE]; 2 * subsets], squares: vec![[0.0; TILE]; 2 * subsets], subsets, sharpes: [0.0; TILE] }
    }

    /// Sums over every subset of each half for the trials of `tile`: a subset's sums are
    /// those of the subset without its last block plus that block's, so in block order.
    fn fill(&mut self, columns: &Columns, tile: std::ops::Range<usize>) {
        let half = self.subsets.trailing_zeros() as usize;
        for (first, offset) in [(0, 0), (half, self.subsets)] {
            self.sums[offset].fill(-0.0);
            self.squares[offset].fill(-0.0);
            for subset in 1..self.subsets {
                let last = usize::BITS as usize - 1 - subset.leading_zeros() as usize;
                let without = offset + (subset ^ 1 << last);
                let block = first + last;
                for (table, column) in [(&mut self.sums, &columns.sums), (&mut self.squares, &columns.squares)] {
                    // `without` comes before `offset + subset`.
                    let (before, rest) = table.split_at_mut(offset + subset);
                    add_into(&mut rest[0][..tile.len()], &before[without][..tile.len()], &column[block][tile.clone()]);
                }
            }
        }
    }

    /// The tile's Sharpe ratios over `blocks`, in `self.sharpes` (its first `len`).
    fn sharpes(&mut self, blocks: Blocks, columns: &Columns, tile: std::ops::Range<usize>) -> &[f64] {
        let len = tile.len();
        let (low, high) = (blocks.low, self.subsets + blocks.high);
        sharpe_ratios(
            [&self.sums[low][..len], &self.sums[high][..len]],
            [&self.squares[low][..len], &self.squares[high][..len]],
            &columns.shift[tile],
            blocks.sharpe,
            &mut self.sharpes[..len],
        );
        &self.sharpes[..len]
    }

    /// The [`tile_top`] of the Sharpe ratios over `blocks`.
    fn highest_in(&mut self, blocks: Blocks, columns: &Columns, tile: std::ops::Range<usize>) -> (f64, usize) {
        let start = tile.start;
        tile_top(self.sharpes(blocks, columns, tile), start)
    }

    /// The trials of the tile whose Sharpe ratio over `blocks` is below `target`.
    fn count_below(&mut self, blocks: Blocks, target: f64, columns: &Columns, tile: std::ops::Range<usize>) -> usize {
        count_below(self.sharpes(blocks, columns, tile), target)
    }
}

/// The highest of the values of a tile whose first trial is `start` (NaN ignored; -∞ for
/// none), and the first trial with it (found by a vectorised maximum, then its position).
fn tile_top(values: &[f64], start: usize) -> (f64, usize) {
    let top = highest(values);
    (top, start + values.iter().position(|&x| x == top).unwrap_or(0))
}

/// The first trial with the highest value, from the [`tile_top`] of each tile in order and
/// the first trial's value: NaN never wins, and a NaN first trial is never beaten.
fn first_best(first: f64, tops: impl Iterator<Item = (f64, usize)>) -> usize {
    tops.fold((first, 0), |best, top| if top.0 > best.0 { top } else { best }).1
}

/// `to = before + column`, element by element.
#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
fn add_into(to: &mut [f64], before: &[f64], column: &[f64]) {
    for ((x, a), b) in to.iter_mut().zip(before).zip(column) {
        *x = a + b;
    }
}

/// Sharpe ratios from sums and sums of squares each in two parts (first half + second half).
#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
fn sharpe_ratios(sums: [&[f64]; 2], squares: [&[f64]; 2], shift: &[f64], of_size: SharpeOfSize, out: &mut [f64]) {
    let sums = sums[0].iter().zip(sums[1]);
    let squares = squares[0].iter().zip(squares[1]);
    for (sr, (((s0, s1), (q0, q1)), &shift)) in out.iter_mut().zip(sums.zip(squares).zip(shift)) {
        *sr = of_size.of(s0 + s1, q0 + q1, shift);
    }
}

#[multiversion::multiversion(targets("x86_64+avx512f", "x86_64+avx2"))]
fn count_below(xs: &[f64], target: f64) -> usize {
    xs.iter().map(|&x| usize::from(x < target)).sum()
}

/// Advances `c` (strictly increasing indices below `n`) to the next combination in
/// lexicographic order; false after the last one.
fn next_combination(c: &mut [usize], n: usize) -> bool {
    let k = c.len();
    let Some(i) = (0..k).rev().find(|&i| c[i] < n - k + i) else {
        return false;
    };
    c[i] += 1;
    for j in i + 1..k {
        c[j] = c[j - 1] + 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trial's Sharpe ratio over some blocks by the definition: the sums of its blocks
    /// in the first half in block order, plus those of its blocks in the second half in
    /// block order, then [`SharpeOfSize`].
    fn sharpe_by_definition(t: &BlockSums, blocks: &[usize]) -> f64 {
        let splits = t.blocks.len();
        let rows: f64 = blocks.iter().map(|&b| t.blocks[b].0).sum();
        let half = |in_half: &dyn Fn(usize) -> bool| {
            let (mut s, mut q) = (-0.0, -0.0);
            for &b in blocks.iter().filter(|&&b| in_half(b)) {
                s += t.blocks[b].1;
                q += t.blocks[b].2;
            }
            (s, q)
        };
        let ((s0, q0), (s1, q1)) = (half(&|b| b < splits / 2), half(&|b| b >= splits / 2));
        SharpeOfSize::new(rows).of(s0 + s1, q0 + q1, t.shift)
    }

    /// Every set of `splits / 2` blocks in lexicographic order, with the other blocks.
    fn sets_by_definition(splits: usize) -> Vec<(Vec<usize>, Vec<usize>)> {
        let mut set: Vec<usize> = (0..splits / 2).collect();
        let mut sets = Vec::new();
        loop {
            sets.push((set.clone(), (0..splits).filter(|b| !set.contains(b)).collect()));
            if !next_combination(&mut set, splits) {
                return sets;
            }
        }
    }

    /// The CSCV logits by the definition, one block set and one trial at a time, from the
    /// same block sums and with the same Sharpe ratio arithmetic as [`pbo_from_blocks`].
    fn logits_by_definition(trials: &[BlockSums]) -> Vec<f64> {
        let splits = trials[0].blocks.len();
        let logits = sets_by_definition(splits).into_iter().map(|(set, rest)| {
            let ratios: Vec<(f64, f64)> = trials
                .iter()
                .map(|t| (sharpe_by_definition(t, &set), sharpe_by_definition(t, &rest)))
                .collect();
            let mut best = 0;
            for k in 1..ratios.len() {
                if ratios[k].0 > ratios[best].0 {
                    best = k;
                }
            }
            let below = ratios.iter().filter(|r| r.1 < ratios[best].1).count();
            let w = (1 + below) as f64 / (trials.len() + 1) as f64;
            (w / (1.0 - w)).ln()
        });
        logits.collect()
    }

    /// Return series with exact ties, NaN returns and more trials than a tile.
    fn cases() -> Vec<Vec<Vec<f64>>> {
        let mut seed = 7u64;
        let mut noise = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let base: Vec<Vec<f64>> = (0..300)
            .map(|k| (0..240).map(|_| noise() * 0.02 + k as f64 * 1e-6).collect())
            .collect();
        let mut cases = vec![base.clone()];
        // Exact ties: a copy, constant series, and series with a NaN return, whose Sharpe
        // ratio is 0 (its variance is not positive), in trial 0 and after a clear winner.
        let mut ties = base.clone();
        ties[205] = ties[3].clone();
        ties[100] = vec![0.001; 240];
        ties[101] = vec![0.001; 240];
        cases.push(ties.clone());
        ties[150] = ties[150].iter().map(|r| r + 0.01).collect();
        ties[250][0] = f64::NAN;
        ties[0][1] = f64::NAN;
        cases.push(ties);
        // More trials than one tile (the last one partial), with a tie across tiles.
        let mut many: Vec<Vec<f64>> = (0..2 * TILE + 300)
            .map(|k| (0..48).map(|_| noise() * 0.02 + k as f64 * 1e-7).collect())
            .collect();
        many[2 * TILE + 7] = many[5].clone();
        cases.push(many);
        cases
    }

    #[test]
    fn pbo_equals_the_definition_with_ties() {
        for (c, returns) in cases().iter().enumerate() {
            let blocks: Vec<BlockSums> = returns.iter().map(|r| BlockSums::new(r, 8)).collect();
            let logits = pbo_from_blocks(&blocks).unwrap().logits;
            let expected = logits_by_definition(&blocks);
            assert_eq!(logits.len(), 70);
            for (a, b) in logits.iter().zip(&expected) {
                assert_eq!(a.to_bits(), b.to_bits(), "case {c}");
            }
        }
    }

    /// The ranks seldom show a sum added in another order; the Sharpe ratios always do.
    #[test]
    fn each_block_sets_sharpe_ratios_are_the_definitions_bit_for_bit() {
        for returns in cases() {
            for splits in [2, 8, 12] {
                let trials: Vec<BlockSums> = returns.iter().map(|r| BlockSums::new(r, splits)).collect();
                let columns = Columns::new(&trials);
                let rows: Vec<f64> = trials[0].blocks.iter().map(|b| b.0).collect();
                let sets = BlockSet::all(&rows);
                let expected = sets_by_definition(splits);
                assert_eq!(sets.len(), expected.len());
                let mut halves = Halves::new(splits / 2);
                for start in (0..trials.len()).step_by(TILE) {
                    let tile = start..trials.len().min(start + TILE);
                    halves.fill(&columns, tile.clone());
                    for (set, (chosen, rest)) in sets.iter().zip(&expected) {
                        for (blocks, numbers) in [(set.in_sample, chosen), (set.out_of_sample, rest)] {
                            let got = halves.sharpes(blocks, &columns, tile.clone()).to_vec();
                            for (trial, sharpe) in tile.clone().zip(got) {
                                let want = sharpe_by_definition(&trials[trial], numbers).to_bits();
                                assert_eq!(sharpe.to_bits(), want, "trial {trial}, blocks {numbers:?}");
                                assert_eq!(columns.sharpe(trial, blocks).to_bits(), want, "trial {trial}, blocks {numbers:?}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_best_trial_from_tiles_is_the_first_highest_as_a_plain_scan_finds_it() {
        let plain = |values: &[f64]| {
            let mut best = 0;
            for k in 1..values.len() {
                if values[k] > values[best] {
                    best = k;
                }
            }
            best
        };
        const NAN: f64 = f64::NAN;
        let cases: [&[f64]; 7] = [
            &[NAN, 1.0, 2.0, 2.0],
            &[1.0, NAN, 3.0, NAN, 3.0, 0.5],
            &[1.0, NAN, NAN, NAN, 0.5],
            &[-0.0, 0.0, -1.0],
            &[0.0, -0.0, -1.0],
            &[f64::NEG_INFINITY; 5],
            &[0.3, 0.1, 0.7, 0.2, 0.7, 0.7, 0.1, 0.0, 0.7, 0.65, 0.7, 0.2, 0.1, 0.5, 0.7, 0.1, 0.9, 0.9, 0.2],
        ];
        for values in cases {
            for size in [1, 2, 3, values.len()] {
                let tops = values.chunks(size).enumerate().map(|(k, tile)| tile_top(tile, k * size));
                assert_eq!(first_best(values[0], tops), plain(values), "{values:?} in tiles of {size}");
            }
        }
    }

    #[test]
    fn normal_quantile_known_values() {
        assert_eq!(normal_quantile(0.5), 0.0);
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-14);
        assert!((normal_quantile(0.025) + 1.959_963_984_540_054).abs() < 1e-14);
        assert!((normal_quantile(0.841_344_746_068_542_9) - 1.0).abs() < 1e-13);
        // scipy.stats.norm.ppf(1e-12)
        let q = normal_quantile(1e-12);
        assert!((q / -7.034_483_825_301_131 - 1.0).abs() < 1e-13, "{q}");
        // 1 - 1e-12 rounds to 1 - 1.0000889e-12 in f64; scipy.stats.norm.ppf(1 - 1e-12)
        assert!((normal_quantile(1.0 - 1e-12) / 7.034_486_910_047_836 - 1.0).abs() < 1e-13);
    }

    #[test]
    fn normal_quantile_is_antisymmetric_and_inverts_the_cdf() {
        for i in 1..1000 {
            let p = i as f64 / 1000.0;
            if p >= 0.5 {
                // 1 - p is exact for p in [0.5, 1].
                assert_eq!(normal_quantile(p), -normal_quantile(1.0 - p), "{p}");
            }
            let back = normal_cdf(normal_quantile(p));
            assert!((back - p).abs() < 1e-15, "{p} {back}");
        }
        for e in 1..300 {
            let p = 10f64.powi(-e);
            let back = normal_cdf(normal_quantile(p));
            assert!((back / p - 1.0).abs() < 1e-12, "{p} {back}");
        }
    }

    #[test]
    fn normal_quantile_edges() {
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
        assert!(
            normal_quantile(-0.1).is_nan()
                && normal_quantile(1.1).is_nan()
                && normal_quantile(f64::NAN).is_nan()
        );
        assert!(normal_quantile(f64::MIN_POSITIVE).is_finite());
    }

    #[test]
    fn deflated_sharpe_ratio_paper_example() {
        // Bailey & López de Prado (2014), section 6: annualised SR 2.5 over 5 years of daily
        // returns (T = 1250), skew -3, kurtosis 10, 100 trials with annualised Sharpe variance
        // 0.5: SR0 ≈ 0.1132 per day and DSR ≈ 0.9004.
        let sr0 = expected_max_sharpe(100, 0.5 / 250.0);
        assert!((sr0 - 0.1132).abs() < 1e-4, "{sr0}");
        let dsr = deflated_sharpe_ratio(2.5 / 250f64.sqrt(), 100, 0.5 / 250.0, 1250, -3.0, 10.0);
        assert!((dsr - 0.9004).abs() < 1e-4, "{dsr}");
        assert_eq!(
            dsr,
            probabilistic_sharpe_ratio(2.5 / 250f64.sqrt(), sr0, 1250, -3.0, 10.0)
        );
        assert_eq!(expected_max_sharpe(1, 0.3), 0.0);
        assert!(expected_max_sharpe(0, 0.3).is_nan());
    }

    #[test]
    fn moments_of_small_series() {
        let m = sample_moments(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!((m.mean, m.skew), (2.5, 0.0));
        assert!((m.std - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert!((m.kurtosis - 1.8).abs() < 1e-12, "{}", m.kurtosis);
        let c = sample_moments(&[2.0; 5]);
        assert_eq!(c.std, 0.0);
        assert!(c.skew.is_nan() && c.kurtosis.is_nan());
        assert!(sample_moments(&[1.0, 2.0, 4.0]).kurtosis.is_nan());
    }

    #[test]
    fn combinations_in_lexicographic_order() {
        let mut c = vec![0, 1];
        let mut all = vec![c.clone()];
        while next_combination(&mut c, 4) {
            all.push(c.clone());
        }
        assert_eq!(all, [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
    }

    #[test]
    fn pbo_rejects_bad_input() {
        let r = vec![vec![0.01, -0.02, 0.03, 0.0]; 3];
        assert!(probability_of_backtest_overfitting(&r[..1], 2).is_err());
        assert!(probability_of_backtest_overfitting(&r, 0).is_err());
        assert!(probability_of_backtest_overfitting(&r, 3).is_err());
        assert!(probability_of_backtest_overfitting(&r, 6).is_err());
        let long = vec![[0.01, -0.02, 0.03, 0.0].repeat(10); 3];
        assert!(probability_of_backtest_overfitting(&long, MAX_SPLITS + 2).unwrap_err().contains("from 2 to 20"));
        let mut uneven = r.clone();
        uneven[2].pop();
        assert!(probability_of_backtest_overfitting(&uneven, 2).is_err());
        let ok = probability_of_backtest_overfitting(&r, 2).unwrap();
        assert_eq!(ok.combinations, 2);
    }
}
