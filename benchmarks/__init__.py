"""Performance benchmarks: `python -m benchmarks [--only D,M,L]` prints the figures of issue 7.

Parity's full engine against vectorbt's Portfolio.from_orders on the same fills and a bare numba
loop applying those fills (the floor), on seeded synthetic workloads; the live step; the paper
runner's memory; `parity backtest` end to end. Figures are printed, never asserted (the one test,
tests/benchmarks/test_bench_smoke.py, only checks the harness on a tiny workload).
"""
