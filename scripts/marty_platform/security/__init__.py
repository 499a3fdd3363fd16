"""The security scanners: gitleaks (secrets), bandit (the tooling's Python), zizmor (workflows),
checkov (Terraform, workflows, rendered objects), pip-audit (dependencies), licences and coverage;
one findings model and one waiver file for all of them. `scripts/validate` runs the offline ones
(checks/secrets.py, checks/python_security.py, checks/workflow_security.py,
checks/iac_security.py); `scripts/scan` the licences, coverage, history, online and SBOM parts
(scan.py). See docs/security.md."""
