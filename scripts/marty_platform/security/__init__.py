"""The security scanners: gitleaks (secrets), bandit (the tooling's Python), zizmor (workflows),
pip-audit (dependencies), licences and coverage; one findings model and one waiver file for all
of them. `scripts/validate` runs the offline ones (checks/secrets.py, checks/code_scan.py);
`scripts/scan` the history, online and SBOM parts (scan.py). See docs/security.md."""
