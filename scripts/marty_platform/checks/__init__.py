"""The checks `scripts/validate` runs.

Two kinds:
- repo checks look at files in the repository (YAML syntax, config schemas, charts, monitoring,
  Terraform, policy unit tests). Each is a callable `(RunContext) -> list[CheckResult]`.
- manifest checks look at one env's rendered objects (kubeconform, conftest). Each is a callable
  `(RunContext, EnvBatch) -> list[CheckResult]`.
Adding a check means writing one module, declaring its rules in it (`RULES = declare(...)`,
see rules.py) and listing it here.
"""
import sys

from marty_platform.checks import (
    catalog,
    charts,
    delivery_access,
    files,
    generated,
    gitops,
    iac_security,
    kubeconform,
    monitoring,
    object_size,
    policy,
    python_security,
    repo_config,
    secrets,
    terraform,
    workflow_security,
)

# Cheap, pure-Python checks run first, in the calling thread.
PYTHON_REPO_CHECKS = [files.check, repo_config.check, catalog.check]
# Checks that run external tools are submitted to the shared pool.
TOOL_REPO_CHECKS = [charts.check, monitoring.check, terraform.check, policy.verify,
                    generated.check, gitops.check, secrets.check,
                    python_security.check, workflow_security.check, iac_security.check]
MANIFEST_CHECKS = [kubeconform.check, policy.check, delivery_access.check, object_size.check,
                   monitoring.check_rendered, secrets.check_rendered,
                   iac_security.check_rendered]


def name_of(check) -> str:
    """A check's name in path mode's selection: its module's (policy.verify is "policy")."""
    return check.__module__.rsplit(".", 1)[-1]


def check_id(check) -> str:
    """The check id its module declares (`RULES`), under which its findings are reported; the
    module's name for a callable that declares none."""
    declared = getattr(sys.modules.get(check.__module__), "RULES", None)
    return declared.check if declared else check.__module__.rsplit(".", 1)[-1]
