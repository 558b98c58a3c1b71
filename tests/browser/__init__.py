"""Browser tests (Playwright, Debian Chromium). A package, so its module names do not clash
with tests/ of the same name (tests/reports/test_privacy_officer.py)."""
