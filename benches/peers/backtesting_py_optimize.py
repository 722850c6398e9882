"""Peer benchmark: backtesting.py Backtest.optimize on the SMA-crossover grid (GOOG daily).

Full grid fast=2..100, slow=fast+1..200 is 14,751 combinations -- too slow here, so a
random subset is timed (method='grid' with a fractional max_tries, random_state=0) and
the per-combination time is extrapolated. A short serial bt.run() loop is timed too, since
optimize() fans out over a multiprocessing Pool (os.cpu_count() workers).

Run:  /tmp/bt/bin/python benches/peers/backtesting_py_optimize.py [n_tries]
Not used by any test.
"""
import json, os, platform, resource, sys, time, warnings
from pathlib import Path

import numpy as np, pandas as pd
import backtesting
from backtesting import Backtest, Strategy
from backtesting.lib import crossover
from backtesting.test import SMA

HERE = Path(__file__).resolve().parent
FULL_GRID = sum(1 for f in range(2, 101) for s in range(f + 1, 201))  # 14,751
N_TRIES = int(sys.argv[1]) if len(sys.argv) > 1 else 1500


class SmaCross(Strategy):  # backtesting.py README strategy, parameter names n1/n2
    n1, n2 = 10, 20

    def init(self):
        self.sma1 = self.I(SMA, self.data.Close, self.n1)
        self.sma2 = self.I(SMA, self.data.Close, self.n2)

    def next(self):
        if crossover(self.sma1, self.sma2):
            self.position.close(); self.buy()
        elif crossover(self.sma2, self.sma1):
            self.position.close(); self.sell()


def main():
    warnings.filterwarnings("ignore")
    data = pd.read_csv(HERE.parent.parent / "data" / "GOOG.csv", index_col=0, parse_dates=True)
    bt = Backtest(data, SmaCross, cash=10_000, commission=.002, exclusive_orders=True)

    # Fraction of the *constrained* grid, so ~N_TRIES combos are actually evaluated
    # (an integer max_tries is divided by the unconstrained 99*198 product when >10k).
    t0 = time.perf_counter()
    stats, heat = bt.optimize(n1=range(2, 101), n2=range(3, 201),
                              constraint=lambda p: p.n1 < p.n2, maximize='Sharpe Ratio',
                              max_tries=N_TRIES / FULL_GRID, random_state=0,
                              return_heatmap=True)
    t_opt = time.perf_counter() - t0
    n_opt = len(heat)

    # Serial single-process reference on a fixed sample of combos.
    rng = np.random.default_rng(0)
    combos = [(f, s) for f in range(2, 101) for s in range(f + 1, 201)]
    sample = [combos[i] for i in rng.choice(len(combos), 30, replace=False)]
    t0 = time.perf_counter()
    for f, s in sample:
        bt.run(n1=f, n2=s)
    t_serial = (time.perf_counter() - t0) / len(sample)

    per = t_opt / n_opt
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    top = heat.dropna().sort_values(ascending=False).head(5)
    out = {
        "tool": "backtesting.py", "version": backtesting.__version__,
        "python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__,
        "cpu_count": os.cpu_count(), "loadavg_1_5_15_at_end": [round(x, 2) for x in os.getloadavg()],
        "date_utc": time.strftime("%Y-%m-%d", time.gmtime()),
        "bars": len(data), "full_grid_combinations": FULL_GRID,
        "optimize_combinations_evaluated": n_opt, "optimize_seconds": round(t_opt, 3),
        "optimize_seconds_per_combination": round(per, 5),
        "optimize_extrapolated_full_grid_seconds": round(per * FULL_GRID, 1),
        "serial_run_combinations": len(sample),
        "serial_seconds_per_combination": round(t_serial, 5),
        "serial_extrapolated_full_grid_seconds": round(t_serial * FULL_GRID, 1),
        "peak_rss_mb_main": round(rss_self, 1), "peak_rss_mb_largest_worker": round(rss_child, 1),
        "best_in_subset": {"n1": int(stats._strategy.n1), "n2": int(stats._strategy.n2),
                           "sharpe": float(stats["Sharpe Ratio"]),
                           "return_pct": float(stats["Return [%]"])},
        "top5_in_subset_by_sharpe": [{"n1": int(a), "n2": int(b), "sharpe": round(float(v), 4)}
                                     for (a, b), v in top.items()],
    }
    (HERE / "results_backtesting_py.json").write_text(json.dumps(out, indent=2) + "\n")
    print(f"backtesting.py {backtesting.__version__}: optimize {n_opt} combos in {t_opt:.1f}s "
          f"({per*1e3:.1f} ms/combo, ~{per*FULL_GRID/60:.1f} min for {FULL_GRID}); serial "
          f"{t_serial*1e3:.1f} ms/combo (~{t_serial*FULL_GRID/60:.1f} min); peak RSS "
          f"{rss_self:.0f} MB main / {rss_child:.0f} MB worker")


if __name__ == "__main__":
    main()
