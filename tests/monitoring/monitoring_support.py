"""Paths shared by the monitoring tests (fixtures are in conftest.py)."""
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
