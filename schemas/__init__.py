"""The partner-neutral contract: pydantic models shared by the hub, the policy and the plugins.

Nothing in this package does I/O. `wijkhub schemas export` writes the JSON Schemas of the
public models into `schemas/json/`; a test fails when those files are stale.
"""
