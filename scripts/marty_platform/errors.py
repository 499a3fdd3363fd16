"""Errors that stop a run. Everything else is a finding and the run goes on."""


class MartyError(Exception):
    """A usage, configuration or tooling error: exit code 2, one line, no traceback."""

    exit_code = 2


class UsageError(MartyError):
    pass


class ToolError(MartyError):
    """A required external tool is missing, or failed in a way that is not about the input."""
