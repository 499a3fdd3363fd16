"""The developer environment: `make help` lists every Makefile target from its `##` comment, the
dev container sets up with the README's setup command and recommends the same extensions as
.vscode/extensions.json, and .editorconfig is there."""
from __future__ import annotations

import json
import re
import subprocess

from harness import ROOT

MAKEFILE = ROOT / "Makefile"
# A rule line: `name: prerequisites ## what it does` (not a variable assignment, not .PHONY).
RULE = re.compile(r"^([A-Za-z0-9_-]+):(?!=)(.*)$", re.M)
REQUIRED_EXTENSIONS = {"redhat.vscode-yaml", "tsandall.opa", "hashicorp.terraform",
                       "ms-python.python"}


def _targets() -> dict[str, str]:
    return {name: rest for name, rest in RULE.findall(MAKEFILE.read_text(encoding="utf-8"))}


def test_every_makefile_target_has_a_help_comment():
    targets = _targets()
    assert {"validate", "test", "bootstrap", "help"} <= set(targets)
    missing = [name for name, rest in targets.items() if " ## " not in f" {rest}"]
    assert not missing, f"targets without a `## ` comment: {missing}"
    phony = re.search(r"^\.PHONY:(.*)$", MAKEFILE.read_text(encoding="utf-8"), re.M)
    assert set(phony.group(1).split()) == set(targets)


def test_make_help_lists_every_target_once():
    proc = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    listed = [line.split()[1] for line in proc.stdout.splitlines() if line.strip()]
    assert sorted(listed) == sorted(_targets()), proc.stdout
    for name, rest in _targets().items():
        doc = rest.split("## ", 1)[1].strip()
        assert re.search(rf"^  make {re.escape(name)} +{re.escape(doc)}$", proc.stdout, re.M), name


def _setup_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Editor setup\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"\*\*Setup command:\*\* `([^`]+)`", section).group(1)


def test_the_dev_container_runs_the_readme_setup_command():
    container = json.loads((ROOT / ".devcontainer" / "devcontainer.json").read_text())
    assert container["postCreateCommand"] == _setup_command()
    target = _setup_command().removeprefix("make ")
    assert target in _targets()


def test_the_recommended_extensions_agree():
    container = json.loads((ROOT / ".devcontainer" / "devcontainer.json").read_text())
    in_container = container["customizations"]["vscode"]["extensions"]
    recommended = json.loads((ROOT / ".vscode" / "extensions.json").read_text())["recommendations"]
    assert in_container == recommended
    assert REQUIRED_EXTENSIONS <= set(recommended)


def test_editorconfig_is_the_root_config():
    text = (ROOT / ".editorconfig").read_text(encoding="utf-8")
    assert re.search(r"^root = true$", text, re.M)
    assert re.search(r"^\[\*\.py\]\nindent_size = 4$", text, re.M)
