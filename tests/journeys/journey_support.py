"""Helpers the journey tests import: the git identity and a git runner for journey repos.

They live here, not in conftest.py, because every test folder has a conftest.py and
`from conftest import ...` would pick whichever was imported first.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Journey Test", "GIT_AUTHOR_EMAIL": "journey@example.invalid",
    "GIT_COMMITTER_NAME": "Journey Test", "GIT_COMMITTER_EMAIL": "journey@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, env={**os.environ, **GIT_IDENTITY},
                          capture_output=True, text=True, check=True)
    return proc.stdout

# A catalog entry the add-a-service journeys append to catalog/services.yaml.
NEW_SERVICE = """  - name: visa-engine
    description: Issues visa data for e-visa credentials.
    protocol: grpc
    port: 8092
    team: credentials
    database: true
    dependencies: [document-signer, kafka, postgresql]
"""
