"""Example configuration shipped with Wijkhub (privacy rules, partners, settings).

`wijkhub init` copies these into the data directory; edit the copies, not these files.
"""
