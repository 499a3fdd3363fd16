"""terraform/: formatting, policies, module layout and documentation, with the real binaries.

`terraform fmt` and `conftest` are the pinned tools from `.tools/bin` (or `$MARTY_TOOLS_BIN`).
HCL is read through `conftest parse --parser hcl2`, the same parser the policies see, never with
regular expressions. No provider is ever downloaded: `terraform init` needs the registry.
"""
from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import pinned_tool

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = ROOT / "terraform"
MODULES_DIR = TERRAFORM_DIR / "modules"
POLICIES = ROOT / "policies"
POLICY_DATA = POLICIES / "data"

MODULES = ["network", "cluster", "storage", "security", "platform"]
# The building blocks; `platform` composes them and the roots call only `platform`.
COMPONENTS = ["network", "cluster", "storage", "security"]
COMPOSITION = "platform"
ENVS = ["dev", "staging", "prod"]
MODULE_FILES = ["main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"]
TERRAFORM_RULES = {
    "terraform.encryption-required", "terraform.no-public-bucket", "terraform.no-open-admin-port",
    "terraform.required-tags", "terraform.provider-version-pinned",
    "terraform.module-version-pinned",
}
EXACT_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def _tool(name: str) -> str:
    return str(pinned_tool(name))


def _tf_files(root: Path = TERRAFORM_DIR) -> list[Path]:
    return sorted(p for p in root.rglob("*.tf") if ".terraform" not in p.parts)


@functools.lru_cache(maxsize=None)
def _parse(path: Path) -> dict:
    """One .tf file as conftest's HCL2 parser sees it."""
    conftest = _tool("conftest")
    proc = subprocess.run([conftest, "parse", "--parser", "hcl2", str(path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"conftest parse {path}: {proc.stderr}"
    return json.loads(proc.stdout)


def _policy_failures(files: list[Path], cwd: Path = ROOT) -> list[tuple[str, str, str]]:
    """(file, rule, message) for every failure of the terraform.* policies."""
    conftest = _tool("conftest")
    proc = subprocess.run(
        [conftest, "test", "--no-color", "--parser", "hcl2", "--all-namespaces",
         "--policy", str(POLICIES), "--data", str(POLICY_DATA), "--output", "json",
         *map(str, files)],
        cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode in (0, 1), f"conftest test crashed:\n{proc.stdout}\n{proc.stderr}"
    failures = []
    for report in json.loads(proc.stdout):
        for item in report.get("failures") or []:
            rule = (item.get("metadata") or {}).get("rule", "?")
            failures.append((report["filename"], rule, item.get("msg", "")))
    return failures


def _blocks(parsed: dict, kind: str) -> dict[str, dict]:
    """{name: body} of the `variable`/`output` blocks of a parsed file."""
    return {name: bodies[0] for name, bodies in (parsed.get(kind) or {}).items()}


# --- the tree ------------------------------------------------------------------------------

def test_tree_has_modules_examples_and_envs():
    assert (TERRAFORM_DIR / "README.md").is_file()
    assert sorted(p.name for p in MODULES_DIR.iterdir() if p.is_dir()) == sorted(MODULES)
    examples = list((TERRAFORM_DIR / "examples").glob("*/main.tf"))
    assert examples, "no example under terraform/examples/"
    for env in ENVS:
        for name in ("main.tf", "versions.tf"):
            assert (TERRAFORM_DIR / "envs" / env / name).is_file(), f"envs/{env}/{name} missing"


@pytest.mark.parametrize("module", MODULES)
def test_module_has_standard_files(module):
    missing = [f for f in MODULE_FILES if not (MODULES_DIR / module / f).is_file()]
    assert not missing, f"modules/{module} lacks {missing}"


# --- formatting and policies -----------------------------------------------------------------

def test_terraform_fmt_clean():
    terraform = _tool("terraform")
    proc = subprocess.run([terraform, "fmt", "-check", "-recursive", "-list=true", "-no-color",
                           str(TERRAFORM_DIR)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, f"not in canonical format:\n{proc.stdout}{proc.stderr}"


def test_policies_clean():
    files = _tf_files()
    assert files
    failures = _policy_failures([f.relative_to(ROOT) for f in files])
    assert not failures, "\n".join(f"{f}: {rule}: {msg}" for f, rule, msg in failures)


def test_policies_are_the_terraform_rules():
    """The rules this tree is checked against exist (guards against a renamed policy)."""
    text = "".join(p.read_text() for p in POLICIES.glob("terraform-*/metadata.yaml"))
    for rule in TERRAFORM_RULES:
        assert f"id: {rule}" in text, rule


def _broken_copy(tmp_path: Path, module: str, pattern: str, replacement: str) -> Path:
    """A copy of a module with the first match of `pattern` in main.tf replaced."""
    target = tmp_path / module
    shutil.copytree(MODULES_DIR / module, target)
    main = target / "main.tf"
    text, count = re.subn(pattern, replacement, main.read_text(), count=1)
    assert count == 1, f"{pattern!r} not in modules/{module}/main.tf"
    main.write_text(text)
    return main


def test_unencrypted_bucket_is_caught(tmp_path):
    # The bucket's encryption configuration, gone (renamed to a type that is not one).
    main = _broken_copy(tmp_path, "storage",
                        r'resource "aws_s3_bucket_server_side_encryption_configuration"',
                        'resource "aws_s3_bucket_notification"')
    rules = {rule for _, rule, _ in _policy_failures([main])}
    assert "terraform.encryption-required" in rules


def test_open_admin_port_is_caught(tmp_path):
    # The operators' API rule (443 from private CIDRs) turned into 6443 from anywhere.
    main = _broken_copy(tmp_path, "cluster",
                        r"from_port\s*=\s*443\s+to_port\s*=\s*443\s+cidr_ipv4\s*=\s*each\.value",
                        'from_port = 6443\n  to_port = 6443\n  cidr_ipv4 = "0.0.0.0/0"')
    rules = {rule for _, rule, _ in _policy_failures([main])}
    assert "terraform.no-open-admin-port" in rules


def test_provider_range_is_caught(tmp_path):
    versions = tmp_path / "versions.tf"
    versions.write_text(re.sub(r'version\s*=\s*"[0-9.]+"', 'version = "~> 5.82"',
                               (MODULES_DIR / "network" / "versions.tf").read_text()))
    rules = {rule for _, rule, _ in _policy_failures([versions])}
    assert "terraform.provider-version-pinned" in rules


# --- variables, outputs, versions ------------------------------------------------------------

@pytest.mark.parametrize("module", MODULES)
def test_every_variable_has_type_and_description(module):
    variables = _blocks(_parse(MODULES_DIR / module / "variables.tf"), "variable")
    assert variables, f"modules/{module}/variables.tf declares no variable"
    for name, body in variables.items():
        assert body.get("type"), f"{module}: variable {name} has no type"
        assert str(body.get("description", "")).strip(), f"{module}: {name}: no description"
        for validation in body.get("validation", []):
            assert validation.get("condition") and validation.get("error_message"), (module, name)


@pytest.mark.parametrize("module", MODULES)
def test_variables_are_validated(module):
    variables = _blocks(_parse(MODULES_DIR / module / "variables.tf"), "variable")
    validated = {n for n, b in variables.items() if b.get("validation")}
    assert "tags" in validated, f"{module}: tags must validate the required keys"
    assert validated & {"name", "bucket_name"}, f"{module}: its name must be validated"


@pytest.mark.parametrize("module", MODULES)
def test_only_variables_tf_declares_variables(module):
    for path in (MODULES_DIR / module).glob("*.tf"):
        if path.name != "variables.tf":
            assert "variable" not in _parse(path), f"{path.name} declares variables"
        if path.name != "outputs.tf":
            assert "output" not in _parse(path), f"{path.name} declares outputs"


@pytest.mark.parametrize("module", MODULES)
def test_every_output_has_description(module):
    outputs = _blocks(_parse(MODULES_DIR / module / "outputs.tf"), "output")
    assert outputs, f"modules/{module}/outputs.tf declares no output"
    for name, body in outputs.items():
        assert str(body.get("description", "")).strip(), f"{module}: {name}: no description"


@pytest.mark.parametrize("module", MODULES)
def test_readme_documents_inputs_and_outputs(module):
    readme = (MODULES_DIR / module / "README.md").read_text()
    assert "## Inputs" in readme and "## Outputs" in readme
    variables = _blocks(_parse(MODULES_DIR / module / "variables.tf"), "variable")
    outputs = _blocks(_parse(MODULES_DIR / module / "outputs.tf"), "output")
    inputs_part, outputs_part = readme.split("## Inputs", 1)[1].split("## Outputs", 1)
    undocumented = [n for n in variables if f"| `{n}` |" not in inputs_part]
    undocumented += [n for n in outputs if f"| `{n}` |" not in outputs_part]
    assert not undocumented, f"modules/{module}/README.md does not list {undocumented}"
    stale = set(re.findall(r"^\| `([a-z0-9_]+)` \|", inputs_part, re.M)) - set(variables)
    stale |= set(re.findall(r"^\| `([a-z0-9_]+)` \|", outputs_part, re.M)) - set(outputs)
    assert not stale, f"modules/{module}/README.md lists removed inputs/outputs {sorted(stale)}"


def _version_files() -> list[Path]:
    return [p for p in _tf_files() if p.name == "versions.tf"]


def test_versions_are_exact_and_identical():
    files = _version_files()
    assert len(files) >= len(MODULES) + len(ENVS)
    pins: dict[str, set[str]] = {}
    for path in files:
        blocks = _parse(path).get("terraform") or []
        assert blocks, f"{path}: no terraform block"
        required_version = next(
            (b["required_version"] for b in blocks if "required_version" in b), "")
        assert EXACT_VERSION.match(required_version), f"{path}: required_version {required_version}"
        pins.setdefault("terraform", set()).add(required_version)
        providers = [rp for b in blocks for rp in b.get("required_providers", [])]
        assert providers, f"{path}: no required_providers"
        for rp in providers:
            for name, spec in rp.items():
                assert EXACT_VERSION.match(spec.get("version", "")), f"{path}: {name} {spec}"
                pins.setdefault(name, set()).add(spec["version"])
    drift = {name: sorted(v) for name, v in pins.items() if len(v) > 1}
    assert not drift, f"pins differ between versions.tf files: {drift}"


def test_terraform_pin_matches_tools_toml():
    tools = (ROOT / "tools.toml").read_text()
    pinned = re.search(r'\[tools\.terraform\][^\[]*?version\s*=\s*"v?([0-9.]+)"', tools, re.S)
    assert pinned, "tools.toml does not pin terraform"
    for path in _version_files():
        blocks = _parse(path)["terraform"]
        assert any(b.get("required_version") == pinned.group(1) for b in blocks), path


# --- composition ------------------------------------------------------------------------------

def _roots() -> list[Path]:
    """The root modules: one per environment and every example."""
    return ([TERRAFORM_DIR / "envs" / env for env in ENVS]
            + sorted(p.parent for p in (TERRAFORM_DIR / "examples").glob("*/main.tf")))


def _calls_in(directory: Path) -> list[tuple[Path, str, dict]]:
    calls = []
    for path in _tf_files(directory):
        for name, bodies in (_parse(path).get("module") or {}).items():
            calls.extend((path, name, body) for body in bodies)
    return calls


def _module_calls() -> list[tuple[Path, str, dict]]:
    """Every module call: the roots' and the composition module's."""
    calls = _calls_in(MODULES_DIR / COMPOSITION)
    for root in _roots():
        calls.extend(_calls_in(root))
    return calls


def test_roots_call_local_modules_that_exist():
    calls = _module_calls()
    assert calls
    for path, name, body in calls:
        source = body.get("source", "")
        assert source.startswith("../"), f"{path}: module {name} source {source!r} is not local"
        assert (path.parent / source / "main.tf").resolve().is_file(), f"{path}: {source} missing"


def test_roots_pass_only_declared_inputs_and_all_required_ones():
    declared = {m: _blocks(_parse(MODULES_DIR / m / "variables.tf"), "variable") for m in MODULES}
    for path, name, body in _module_calls():
        module = Path(body["source"]).name
        variables = declared[module]
        passed = set(body) - {"source", "providers", "depends_on", "count", "for_each"}
        unknown = passed - set(variables)
        assert not unknown, f"{path}: module {name} passes undeclared inputs {sorted(unknown)}"
        required = {n for n, b in variables.items() if "default" not in b}
        assert required <= passed, f"{path}: module {name} misses {sorted(required - passed)}"


def test_every_env_configures_tags_and_encrypted_state():
    for env in ENVS:
        parsed = _parse(TERRAFORM_DIR / "envs" / env / "versions.tf")
        s3 = [body for b in parsed["terraform"] for body in (b.get("backend") or {}).get("s3", [])]
        assert s3 and s3[0].get("encrypt") is True, f"envs/{env}: s3 backend without encrypt = true"
        assert env in s3[0].get("key", ""), f"envs/{env}: state key does not name the env"
        tags = parsed["provider"]["aws"][0]["default_tags"][0]["tags"]
        assert tags.get("environment") == env
        assert {"team", "environment", "managed-by"} <= set(tags)


def test_roots_call_only_the_platform_module():
    """The composition lives once, in modules/platform; an env root (and examples/complete) holds
    one call with its sizes. The other examples each show one building block on its own."""
    for root in [*(TERRAFORM_DIR / "envs" / env for env in ENVS), TERRAFORM_DIR / "examples" / "complete"]:
        calls = _calls_in(root)
        assert [(name, body["source"]) for _, name, body in calls] == [
            (COMPOSITION, f"../../modules/{COMPOSITION}")], f"{root}: {calls}"
    for root in _roots():
        for path in _tf_files(root):
            assert "resource" not in _parse(path), f"{path}: resources belong in the modules"


def test_every_module_has_an_example():
    for module in MODULES:
        example = "complete" if module == COMPOSITION else module
        calls = _calls_in(TERRAFORM_DIR / "examples" / example)
        assert [body["source"] for _, _, body in calls] == [f"../../modules/{module}"], example


def test_platform_composes_every_component_once():
    calls = _calls_in(MODULES_DIR / COMPOSITION)
    assert sorted(body["source"] for _, _, body in calls) == sorted(f"../{m}" for m in COMPONENTS)
    assert sorted(name for _, name, _ in calls) == sorted(COMPONENTS)
    for module in COMPONENTS:
        assert not _calls_in(MODULES_DIR / module), f"modules/{module} calls another module"


def test_envs_keep_their_sizes():
    """Each env's call carries its own sizes; a copy-paste of another env's values fails here."""
    calls = {env: _calls_in(TERRAFORM_DIR / "envs" / env)[0][2] for env in ENVS}
    for key in ("name", "vpc_cidr", "tags"):
        values = [json.dumps(calls[env][key], sort_keys=True) for env in ENVS]
        assert len(set(values)) == len(ENVS), f"envs share {key}: {values}"
    for env in ENVS:
        assert calls[env]["tags"]["environment"] == env
        assert calls[env]["name"] == f"marty-{env}"
    assert calls["prod"]["node_groups"]["workloads"]["max_size"] == 12
    assert calls["dev"]["single_nat_gateway"] is True
    assert all(calls[env].get("single_nat_gateway") is False for env in ("staging", "prod"))
