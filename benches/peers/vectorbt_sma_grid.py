"""Peer benchmark: vectorbt SMA-crossover parameter grid on GOOG daily.

Grid: fast=2..100, slow=fast+1..200 -> 14,751 combinations, 2,148 bars.
Signals on the close of bar t (ma_crossed_above/below), filled at the open of bar t+1
(signals forward-shifted one bar, price=Open); long/short reversal via direction='both'
+ upon_opposite_entry='reverse'; all cash (size=inf), whole units (size_granularity=1),
fees=0.002 per order, init_cash=10,000. Per combination: total return and Sharpe.

Run:  /tmp/vbt/bin/python benches/peers/vectorbt_sma_grid.py [--cold]
Times the whole grid twice in one process. vectorbt's numba functions use cache=True, so
run 1 includes JIT compilation only when the on-disk cache is empty: --cold deletes the
*.nbi/*.nbc cache files inside the installed vectorbt package first (throwaway venv only).
Not used by any test.
"""
import gc, json, os, platform, resource, sys, time, warnings
from pathlib import Path

import numba, numpy as np, pandas as pd
import vectorbt as vbt

HERE = Path(__file__).resolve().parent
VBT_DIR = Path(vbt.__file__).parent


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def grid(data):
    fast = [f for f in range(2, 101) for s in range(f + 1, 201)]
    slow = [s for f in range(2, 101) for s in range(f + 1, 201)]
    fast_ma = vbt.MA.run(data.Close, fast, short_name="fast")
    slow_ma = vbt.MA.run(data.Close, slow, short_name="slow")
    long_sig = fast_ma.ma_crossed_above(slow_ma).vbt.fshift(1, fill_value=False)
    short_sig = fast_ma.ma_crossed_below(slow_ma).vbt.fshift(1, fill_value=False)
    pf = vbt.Portfolio.from_signals(
        data.Close, entries=long_sig, short_entries=short_sig,
        price=data.Open, direction="both", upon_opposite_entry="reverse",
        size=np.inf, size_granularity=1, fees=0.002, init_cash=10_000, freq="1D")
    return pd.DataFrame({"total_return": pf.total_return(), "sharpe": pf.sharpe_ratio()})


def main():
    warnings.filterwarnings("ignore")
    vbt.settings.returns["year_freq"] = "252 days"  # daily bars, trading-day annualisation
    data = pd.read_csv(HERE.parent.parent / "data" / "GOOG.csv", index_col=0, parse_dates=True)
    if "--cold" in sys.argv:
        for f in [*VBT_DIR.rglob("*.nbi"), *VBT_DIR.rglob("*.nbc")]:
            f.unlink()
    cache_before = sum(1 for _ in VBT_DIR.rglob("*.nbi"))

    times, rss = [], []
    for _ in range(2):
        t0 = time.perf_counter()
        res = grid(data)
        times.append(time.perf_counter() - t0)
        rss.append(rss_mb())
        gc.collect()

    top = res.sort_values("sharpe", ascending=False).head(5)
    out = {
        "tool": "vectorbt", "version": vbt.__version__, "numba": numba.__version__,
        "numpy": np.__version__, "pandas": pd.__version__, "python": platform.python_version(),
        "cpu_count": os.cpu_count(), "loadavg_1_5_15_at_end": [round(x, 2) for x in os.getloadavg()],
        "date_utc": time.strftime("%Y-%m-%d", time.gmtime()),
        "bars": len(data), "combinations": len(res),
        "numba_disk_cache_files_before": cache_before,
        "run1_seconds": round(times[0], 3), "run2_warm_seconds": round(times[1], 3),
        "peak_rss_mb_after_run1": round(rss[0], 1), "peak_rss_mb": round(rss[1], 1),
        "top5_by_sharpe": [{"fast": int(f), "slow": int(s), "sharpe": round(float(r.sharpe), 4),
                            "total_return_pct": round(100 * float(r.total_return), 2)}
                           for (f, s), r in top.iterrows()],
    }
    (HERE / "results_vectorbt.json").write_text(json.dumps(out, indent=2) + "\n")
    print(f"vectorbt {vbt.__version__} (numba {numba.__version__}): {len(res)} combos; "
          f"run1 {times[0]:.1f}s (numba cache files before: {cache_before}), warm {times[1]:.1f}s; "
          f"peak RSS {rss[1]:.0f} MB; best {top.index[0]} sharpe {top.sharpe.iloc[0]:.3f}")


if __name__ == "__main__":
    main()
