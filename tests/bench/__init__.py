"""Benchmarks for the performance targets named in the issues.

Run with ``make bench`` or ``python -m tests.bench [target...]``. The harness measures and
prints figures (wall time, peak memory of the measured process, ...) next to each target and
marks them OK or MISS; it never fails on a timing. Targets live in :mod:`tests.bench.targets`
(one function each, listed in ``TARGETS``); generated inputs are cached under ``data/bench/``.
"""
