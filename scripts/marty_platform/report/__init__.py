"""Reporters, one per output format, chosen by name."""
from marty_platform.report import github, json_format, text

REPORTERS = {"text": text.render, "json": json_format.render, "github": github.render}
