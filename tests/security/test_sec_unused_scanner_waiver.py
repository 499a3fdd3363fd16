"""A waiver of a scanner rule (gitleaks, checkov, bandit, zizmor) that matches no finding is
reported by a whole-repo `scripts/validate` as unused, at the waiver's own line, like a policy
waiver: a fixed finding leaves no forgotten exception behind."""
from __future__ import annotations

EXCEPTIONS = "policies/exceptions.yaml"
# Files each scanner reads, and a rule of that scanner none of them breaks.
UNUSED = (
    ("gitleaks/aws-access-token", "docs/security.md"),
    ("checkov/CKV_AWS_18", "terraform/modules/network/main.tf"),
    ("bandit/B602", "scripts/marty_platform/waivers.py"),
    ("zizmor/dangerous-triggers", ".github/workflows/validate.yaml"),
)


def _waiver(rule: str, file: str) -> str:
    return (f"  - rule: {rule}\n    file: {file}\n    justification: >-\n"
            "      Kept after the finding was fixed.\n"
            "    owner: platform-tooling\n    expires: 2099-12-31\n")


def test_unused_scanner_waivers_are_reported_at_their_line(run_cli, repo_copy):
    exceptions = repo_copy / EXCEPTIONS
    text = exceptions.read_text(encoding="utf-8")
    assert text.endswith("\n")
    lines = {}
    for rule, file in UNUSED:
        lines[rule, file] = text.count("\n") + 1
        text += _waiver(rule, file)
    exceptions.write_text(text, encoding="utf-8")
    outcome = run_cli("validate", "--format", "json", cwd=repo_copy)
    assert outcome.code in (0, 1), outcome.stdout + outcome.stderr
    reported = {(f["resource"], f["line"]): f for f in outcome.findings(
        check="waivers", rule="unused-waiver", file=EXCEPTIONS)}
    for (rule, file), line in lines.items():
        unused = reported.get((file, line))
        assert unused is not None, (rule, file, line, sorted(reported))
        assert rule in unused["message"] and unused["severity"] == "warning"
    # The committed scanner waivers all match a finding: none of them is reported.
    committed = [key for key in reported if key[1] < min(lines.values())]
    assert not committed, committed
