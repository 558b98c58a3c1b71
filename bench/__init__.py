"""Benchmarks: the hub measured beside this machine's own limits, in one run.

`wijkhub bench --quick` (seconds) or `wijkhub bench` (the full run, ~10 minutes on 2 cores);
`--pg URL` adds the PostgreSQL figures. From a checkout `python -m bench` is the same. Installed,
this folder is the package `wijkhub.bench`. See README.md, "Benchmarks".
"""
