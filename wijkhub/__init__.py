"""Wijkhub."""
