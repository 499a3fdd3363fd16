"""bandit over scripts/ and zizmor over .github/ in scripts/validate: a planted shell=True call and
a pull_request_target workflow checking out the pull request's head are found at their line; a
`# nosec` comment, a zizmor ignore comment or config does not hide them."""
from __future__ import annotations

SHELL_TOOL = "scripts/marty_platform/shell_helper.py"
WORKFLOW = ".github/workflows/pr-target.yaml"
PINNED_CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"


def test_subprocess_with_a_shell_in_the_tooling_is_found(run_cli, repo_copy):
    (repo_copy / SHELL_TOOL).write_text(
        '"""Runs a command line."""\nimport subprocess\n\n\n'
        "def run(command: str) -> None:\n"
        "    subprocess.run(command, shell=True, check=True)  # nosec\n")
    outcome = run_cli("validate", "--format", "json", SHELL_TOOL, cwd=repo_copy)
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    [shell] = outcome.findings(check="python-security", rule="bandit/B602")
    assert (shell["file"], shell["line"], shell["severity"]) == (SHELL_TOOL, 6, "error")


def test_pull_request_target_checking_out_the_head_is_found(run_cli, repo_copy):
    (repo_copy / WORKFLOW).write_text(
        "name: pr-target\n"
        "on: pull_request_target\n"
        "permissions:\n  contents: read\n"
        "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
        f"      - uses: {PINNED_CHECKOUT} # v4.2.2 zizmor: ignore[dangerous-triggers]\n"
        "        with:\n"
        "          ref: ${{ github.event.pull_request.head.sha }}\n"
        "          persist-credentials: false\n"
        "      - run: make test\n")
    (repo_copy / ".github/zizmor.yml").write_text("rules:\n  dangerous-triggers:\n    disable: true\n")
    outcome = run_cli("validate", "--format", "json", WORKFLOW, cwd=repo_copy)
    assert outcome.code == 1, outcome.stdout + outcome.stderr
    found = {(f["rule"], f["line"]) for f in outcome.findings(check="workflow-security",
                                                             file=WORKFLOW)}
    assert ("zizmor/dangerous-triggers", 2) in found, found
    errors = outcome.findings(check="workflow-security", file=WORKFLOW, severity="error")
    assert errors, outcome.stdout


def test_the_committed_workflows_and_tooling_are_clean_or_waived(run_cli):
    outcome = run_cli("validate", "--format", "json", "scripts/", ".github/")
    assert outcome.code == 0, outcome.stdout + outcome.stderr
    checks = {f["check"] for f in outcome.json["findings"]}
    assert {"python-security", "workflow-security"} <= checks  # the waived ones, as info
    assert all(f["severity"] == "info" for f in outcome.json["findings"])
