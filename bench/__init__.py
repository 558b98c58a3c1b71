"""Benchmarks: the hub measured beside this machine's own limits, in one run.

`python -m bench --quick` (seconds) or `python -m bench` (the full run, ~10 minutes on
2 cores); `--pg URL` adds the PostgreSQL figures. See README.md, "Benchmarks".
"""
