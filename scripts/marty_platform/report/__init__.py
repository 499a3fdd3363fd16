"""Reporters for every command and format: see report/registry.py, the one table of them."""
