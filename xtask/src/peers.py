"""The lecture's Python for the workloads of `cargo xtask bench --peers`, timed in the
same run as the Rust benchmarks. Not part of the course: it runs only when a Python with
NumPy and Numba is found, and prints one JSON object per line.

- correlation: np.corrcoef of 2,520 daily returns x 500 assets (a one-factor model, seed 3;
  the lecture gives no data), OpenBLAS on all its threads; median of 20 runs after a warm-up.
- european: the lecture's Numba `option_price_mc` (Session 13, "Numba Example: Option
  Pricing") with `prange` and a reduction, 10 million paths; median of 3 runs after the
  compilation; reported per path per core (time x threads / paths).
"""
import json
import math
import statistics
import time

import numpy as np
from numba import get_num_threads, njit, prange


def median_time(f, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def correlation():
    days, assets = 2520, 500
    rng = np.random.default_rng(3)
    beta = rng.uniform(0.5, 1.5, assets)
    r = np.outer(rng.normal(0, 0.01, days), beta) + rng.normal(0, 0.02, (days, assets))
    np.corrcoef(r, rowvar=False)
    t = median_time(lambda: np.corrcoef(r, rowvar=False), 20)
    return {"workload": "correlation", "variant": "np.corrcoef (OpenBLAS)", "ms": t * 1e3,
            "numpy": np.__version__}


@njit(parallel=True)
def option_price_mc_par(S, K, T, r, sigma, n_sims):
    total = 0.0
    for _ in prange(n_sims):
        Z = np.random.randn()
        ST = S * np.exp((r - 0.5*sigma**2)*T + sigma*np.sqrt(T)*Z)
        total += max(ST - K, 0)
    return np.exp(-r * T) * total / n_sims


def european():
    args = dict(S=150.0, K=155.0, T=0.25, r=0.05, sigma=0.3)
    option_price_mc_par(n_sims=10, **args)
    n = 10_000_000
    t = median_time(lambda: option_price_mc_par(n_sims=n, **args), 3)
    threads = get_num_threads()
    return {"workload": "european", "variant": f"Numba @njit(parallel=True) prange, {threads} threads",
            "ns_per_path_per_core": t * threads / n * 1e9, "threads": threads}


if __name__ == "__main__":
    for f in (correlation, european):
        print(json.dumps(f()), flush=True)
