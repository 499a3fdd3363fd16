"""The checks `scripts/validate` runs.

Two kinds:
- repo checks look at files in the repository (YAML syntax, config schemas, charts, monitoring,
  Terraform, policy unit tests). Each is a callable `(RunContext) -> list[CheckResult]`.
- manifest checks look at one env's rendered objects (kubeconform, conftest). Each is a callable
  `(RunContext, EnvBatch) -> list[CheckResult]`.
Adding a check means writing one module named after the check id it reports under, declaring
its rules in it (`RULES = declare(...)`, see rules.py) and listing it here.
"""
from marty_platform.checks import (
    amtool_template,
    catalog,
    delivery,
    generated,
    gitops,
    helm,
    iac_security,
    kubeconform,
    monitoring,
    otelcol,
    policy,
    python_security,
    schema,
    secrets,
    server,
    size,
    terraform,
    terraform_alignment,
    terraform_lock,
    tflint,
    tracing,
    workflow_security,
    yaml,
    zero_config,
)

# Cheap, pure-Python checks run first, in the calling thread.
PYTHON_REPO_CHECKS = [yaml.check, schema.check, catalog.check, terraform_alignment.check,
                      terraform_lock.check, tracing.check]
# Checks that run external tools are submitted to the shared pool.
TOOL_REPO_CHECKS = [helm.check, monitoring.check, terraform.check, tflint.check, policy.verify,
                    generated.check, gitops.check, otelcol.check, amtool_template.check,
                    secrets.check, python_security.check, workflow_security.check,
                    iac_security.check]
MANIFEST_CHECKS = [kubeconform.check, policy.check, delivery.check, size.check,
                   monitoring.check_rendered, terraform_alignment.check_rendered,
                   zero_config.check, secrets.check_rendered, iac_security.check_rendered]
# Manifest checks whose tool scans every env's objects in one run (RunContext.shared): the
# engine starts the first env's first and the others' last (they only collect the results).
EVERY_ENV_CHECKS = [iac_security.check_rendered]
# Called at the start of a run that will render an overlay anew, so that a tool slow to start
# (a Python scanner importing itself) starts beside the rendering (RunContext.prestart). A run
# whose renders all come from the cache starts nothing: its objects' results are cached too.
PRESTARTS = [iac_security.prestart]
# Only with `validate --server` (an API server to dry-run against).
SERVER_CHECKS = [server.check]


def check_id(check) -> str:
    """A check's id: the name of its module (`_` for `-`, which a module name cannot hold), which
    is the check id the module declares (`RULES`) and reports its findings under (policy.verify
    is "policy")."""
    return check.__module__.rsplit(".", 1)[-1].replace("_", "-")
