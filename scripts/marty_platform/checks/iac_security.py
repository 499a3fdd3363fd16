"""checkov over the Terraform modules and envs, the GitHub workflows and every env's rendered
objects; cached by content, every env's objects scanned in one checkov run.

- The checks a Rego policy already enforces are skipped (`config/checkov.yaml`, each naming the
  policy rule that keeps the concern), so one problem is reported once; so are the checks
  accepted for the whole repo, with a reason, an owner and an expiry, until that date.
- An inline `checkov:skip` comment does not hide a finding: checkov lists what such a comment
  skipped, and it is reported like any failed check. An accepted finding is waived in
  policies/exceptions.yaml.
- checkov runs offline (`--skip-download`, no platform key), in its own network namespace.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from pathlib import Path
from urllib.parse import unquote

from marty_platform.batch import EnvBatch
from marty_platform.context import RunContext
from marty_platform.errors import UsageError
from marty_platform.model import CheckResult, finding
from marty_platform.monitoring.findings import line_of
from marty_platform.rules import Rule, ScannerRules, declare
from marty_platform.security.isolate import scan_isolating
from marty_platform.security.parts import scan_in_parts
from marty_platform.security.rendered import index_of
from marty_platform.result_cache import ScanCache, content_key, scan_cached
from marty_platform.security.tree import tree_files
from marty_platform.tools.runner import Completed, Prestarted, run
from marty_platform.yamlio import load_config

CHECK = "iac-security"
RULE_PREFIX = "checkov/"
CONFIG = "config/checkov.yaml"
RULES = declare(
    CHECK, "Misconfigurations in Terraform, the GitHub workflows and the rendered objects of "
    "every env (checkov), less the checks a Rego policy keeps (config/checkov.yaml).",
    Rule("unknown-policy-rule", "config/checkov.yaml's covered-by-policy names a rule no "
         "policy declares: checkov runs that check, as nothing else keeps its concern"),
    Rule("unscannable", "checkov crashes on a rendered object (a field of a type it does not "
         "expect): the object is not scanned until it is fixed; kubeconform names what is "
         "wrong with it"),
    scanner_rules=(ScannerRules(RULE_PREFIX, "checkov's check ids (CKV_K8S_*, CKV_AWS_*, "
                                "CKV_GHA_*), https://www.checkov.io/5.Policy%20Index/all.html"),),
    module=__name__)
_FAILED = 1
_SARIF_REPORT = "results_sarif.sarif"  # what `--output sarif --output-file-path DIR` writes
# Objects per checkov run: about 6 s and 270 MiB each on this project's objects (2000: 12 s and
# 360 MiB; 4000: 23 s and 520 MiB), well inside the time limit; a run's start (~3 s) stays small
# beside it.
_PART_SIZE = 1000
_FEW_PARTS = 4
_TIMEOUT = 900
_REPO_SOURCES = {"terraform": (".tf", ".tfvars"), ".github": (".yaml", ".yml")}


def _covered(ctx: RunContext) -> list[str]:
    """The checks checkov skips."""
    return _config(ctx)[0]


def _config(ctx: RunContext) -> tuple[list[str], list[tuple[str, str]]]:
    """The checks checkov skips: those a policy keeps, and those accepted until a date that has
    not passed (an expired acceptance runs the check again); and (check, rule) of each entry of
    covered-by-policy naming no rule of the policy library, whose check is not skipped (else
    one line could silence a check nothing enforces). The file is the pull request's to edit:
    anything but that shape is one usage line naming it, never a crash of the check."""
    path = ctx.repo.root / CONFIG
    if not path.is_file():  # a tree without the config: checkov runs every check
        return [], []
    data = load_config(path, CONFIG)
    data = {} if data is None else data
    covered, accepted = (data.get("covered-by-policy") or {}, data.get("accepted") or {}) \
        if isinstance(data, dict) else (None, None)
    if not isinstance(covered, dict) or not isinstance(accepted, dict):
        raise UsageError(f"{CONFIG}: covered-by-policy and accepted must be mappings of "
                         "checkov check ids")
    rules = ctx.policies.rules
    unknown = sorted((str(check), str(rule)) for check, rule in covered.items()
                     if not isinstance(rule, str) or rule not in rules)
    kept = {str(check) for check in covered} - {check for check, _ in unknown}
    until = {str(check): _expiry(check, entry) for check, entry in accepted.items()}
    return sorted({*kept, *(check for check, expires in until.items()
                            if expires >= ctx.settings.today)}), unknown


def _expiry(check, entry) -> dt.date:
    """An accepted check's expiry; its reason and owner must be there too."""
    try:
        if all(isinstance(entry.get(key), str) and entry[key].strip()
               for key in ("reason", "owner")):
            return dt.date.fromisoformat(str(entry["expires"]))
    except (AttributeError, KeyError, ValueError):
        pass
    raise UsageError(f"{CONFIG}: accepted.{check} needs a reason, an owner and an expires date "
                     "(YYYY-MM-DD)")


def _fingerprint(ctx: RunContext, skipped: list[str]) -> str:
    pin = ctx.manifest.pytools["checkov"]
    return hashlib.sha256(f"{pin.requirement};skip={','.join(skipped)}".encode()).hexdigest()


def _run_checkov(ctx: RunContext, directory: Path, frameworks: tuple[str, ...],
                 skipped: list[str], subject: str, *output: str) -> Completed:
    """checkov over `directory`: by the checkov started at the beginning of the run (`prestart`)
    if this is the first checkov run to need one, else by a new one."""
    args = ("--directory", ".", "--framework", *frameworks, *output,
            "--compact", "--skip-download", "--skip-results-upload",
            *(["--skip-check", ",".join(skipped)] if skipped else []))
    command = ctx.toolbox.command("checkov", *args, cwd=directory, problem_codes=(_FAILED,),
                                  subject=subject, timeout=_TIMEOUT)
    prestarted = ctx.take_prestarted("checkov")
    if prestarted is None:
        return run(command)
    return prestarted.finish(command, json.dumps({"cwd": str(directory),
                                                  "argv": list(args)}).encode())


def _side_by_side(ctx: RunContext, files: dict) -> int:
    """How many parts checkov scans at once: every core for a few parts, one at a time beyond
    that. A run of that size keeps the other cores busy with kubeconform and conftest over the
    same objects, so parts side by side would only add a checkov's memory to the run's peak."""
    return ctx.options.jobs if len(files) <= _FEW_PARTS * _PART_SIZE else 1


def prestart(ctx: RunContext) -> None:
    """Start checkov at the beginning of a run that will render an overlay anew: importing
    itself takes it seconds, which then overlap with the Python checks and the rendering
    instead of following them. It is the real
    checkov of tools.toml, run by its own interpreter in the same sealed environment; the
    program below only waits for the arguments `_run_checkov` would give the command line."""
    ctx.prestart("checkov", lambda: Prestarted(ctx.toolbox.sealed_command(
        (_interpreter(ctx.toolbox.path("checkov")), "-I", "-c", _WAITING_CHECKOV),
        problem_codes=(_FAILED,), subject="checkov", timeout=_TIMEOUT)))


def _interpreter(script: str) -> str:
    """The Python of checkov's virtualenv, which its launcher script names."""
    with open(script, "rb") as handle:
        first = handle.readline(4096).decode("utf-8", "replace").strip()
    interpreter = first[2:].strip() if first.startswith("#!") else ""
    if not interpreter or " " in interpreter or not Path(interpreter).is_file():
        raise OSError(f"{script} names no interpreter")
    return interpreter


# What checkov's own launcher script does, once the arguments arrive on stdin.
_WAITING_CHECKOV = """
import json, os, sys, warnings
from checkov.main import Checkov
request = json.loads(sys.stdin.readline() or "null")
if request is None:
    sys.exit(0)
os.chdir(request["cwd"])
with warnings.catch_warnings():
    warnings.simplefilter("ignore", category=SyntaxWarning)
    sys.exit(Checkov(argv=request["argv"]).run())
"""


def _checkov(ctx: RunContext, directory: Path, frameworks: tuple[str, ...], skipped: list[str],
             subject: str) -> list[tuple[str, dict]]:
    """checkov's JSON report, which names each failed check's resource."""
    completed = _run_checkov(ctx, directory, frameworks, skipped, subject, "--output", "json")
    report = completed.json()
    reports = report if isinstance(report, list) else [report]
    found = []
    for item in reports:
        results = item.get("results") if isinstance(item, dict) else None
        if not results:  # a framework that found nothing to scan prints only its summary
            continue
        # Without --quiet, checkov lists what inline comments skipped (--skip-check ones it
        # does not run at all): each is reported as the failure it hides.
        for check, suppressed in [*((c, False) for c in results.get("failed_checks") or []),
                                  *((c, True) for c in results.get("skipped_checks") or [])]:
            lines = check.get("file_line_range") or [1, 1]
            found.append((str(check.get("file_path") or "").lstrip("/"), {
                "rule": str(check.get("check_id") or "unknown"),
                "line": int(lines[0] or 1), "resource": str(check.get("resource") or ""),
                "text": str(check.get("check_name") or ""),
                "suppressed": suppressed}))
    return list(completed.reported(found, "failed check"))


def _checkov_objects(ctx: RunContext, directory: Path, report_dir: Path, skipped: list[str],
                     subject: str) -> list[tuple[str, dict]]:
    """checkov's SARIF report over rendered objects, one per file (the object names itself, so
    no resource is needed). Its JSON report lists every passed check too, tens of megabytes
    for a large repo that checkov spends seconds writing; SARIF lists only the failed checks
    and those an inline comment skipped (`suppressions`). `report_dir` is this run's own: runs
    over parts of the objects go side by side."""
    completed = _run_checkov(ctx, directory, ("kubernetes",), skipped, subject, "--output",
                             "sarif", "--output-file-path", str(report_dir), "--quiet")
    try:
        report = json.loads((report_dir / _SARIF_REPORT).read_text(encoding="utf-8"))
        results = report["runs"][0]["results"]
    except OSError:
        raise completed.failed(f"wrote no {_SARIF_REPORT}") from None
    except (ValueError, KeyError, IndexError, TypeError):
        raise completed.failed(f"wrote an unreadable {_SARIF_REPORT}") from None
    found = []
    for item in results:
        region = item["locations"][0]["physicalLocation"]
        found.append((unquote(region["artifactLocation"]["uri"]).lstrip("/"), {
            "rule": str(item.get("ruleId") or "unknown"),
            "line": int(region.get("region", {}).get("startLine") or 1), "resource": "",
            "text": str(item.get("message", {}).get("text") or ""),
            "suppressed": bool(item.get("suppressions"))}))
    return list(completed.reported(found, "failed check"))


def _crashed(_name: str, exception: str) -> dict:
    return {"rule": "", "line": 1, "resource": "", "suppressed": False, "crashed": True,
            "text": f"checkov crashes on this object ({exception}), so it is not scanned until "
                    "it is fixed: kubeconform names what is wrong with it"}


def _message(item: dict) -> str:
    text = item["text"]
    if item["suppressed"]:
        text += " (an inline checkov:skip comment does not waive it; use policies/exceptions.yaml)"
    return text


def check(ctx: RunContext) -> list[CheckResult]:
    """Terraform and the workflows: one unit (modules reference each other), keyed by the
    content of all their files."""
    result = CheckResult(CHECK)
    skipped, unknown = _config(ctx)
    if unknown:
        text = (ctx.repo.root / CONFIG).read_text(encoding="utf-8", errors="replace")
        for check_id, rule in unknown:
            result.findings.append(finding(
                CHECK, "unknown-policy-rule",
                f"covered-by-policy: {check_id} names {rule!r}, which no policy in policies/ "
                "declares, so checkov runs the check; name the policy rule that keeps it",
                file=CONFIG, line=line_of(text, f"{check_id}:") or 1))
    files = {name: path.read_bytes() for source, suffixes in _REPO_SOURCES.items()
             for name, path in tree_files(ctx.repo, (ctx.repo.root / source,)).items()
             if name.endswith(suffixes)}
    result.stats.checked = len(files)
    if not files:
        return [result]
    fingerprint = _fingerprint(ctx, skipped)
    whole = hashlib.sha256(b"".join(content_key(fingerprint, name, content).encode()
                                    for name, content in sorted(files.items()))).hexdigest()
    cache = ScanCache(ctx.cache_dir, "checkov", "repo")
    found = cache.get(whole)
    if found is None:
        staging = ctx.scratch("checkov-repo")
        for name, content in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(content)
        found = [{**item, "file": name} for name, item in
                 _checkov(ctx, staging, ("terraform", "github_actions"), skipped,
                          "terraform/ and .github/")]
        cache.put(whole, found)
    cache.save()
    for item in found:
        result.findings.append(finding(CHECK, RULE_PREFIX + item["rule"], _message(item),
                                       file=item["file"], line=item["line"],
                                       resource=item["resource"]))
    return [result]


def check_rendered(ctx: RunContext, batch: EnvBatch) -> list[CheckResult]:
    """One env's rendered objects, one file per object, each cached by its content. checkov
    takes seconds to start, so the first env's check scans the uncached objects of every env of
    the run in one checkov run, and each env's check reports its own objects' results."""
    result = CheckResult(CHECK, env=batch.env)
    result.stats.checked = len(batch.objects)
    if not batch.objects:
        return [result]
    if ctx.batches.get(batch.env) is not batch:  # never a silent pass for an env not staged
        raise RuntimeError(f"env {batch.env} is not among the run's staged envs")
    results = ctx.shared("checkov-rendered", lambda: _scan_rendered(ctx))
    for name, items in sorted(results.get(batch.env, {}).items()):
        obj = batch.objects[index_of(name)]
        for item in items:
            rule = "unscannable" if item.get("crashed") else RULE_PREFIX + item["rule"]
            result.findings.append(finding(
                CHECK, rule, _message(item), file=obj.file, line=obj.line, env=batch.env,
                resource=str(obj.key)))
    return [result]


def _scan_rendered(ctx: RunContext) -> dict[str, dict[str, list[dict]]]:
    """env -> object file -> checkov's results, for every env of the run: `<env>/<index>.yaml`
    in one staging directory, cached per object (scoped by the run's envs, so a run of one env
    keeps nothing of another's). The uncached objects are scanned in parts of at most
    _PART_SIZE, side by side: checkov builds one graph of what it is given, and one run over
    the objects of a thousand apps outlives its time limit (security/parts.py)."""
    skipped = _covered(ctx)
    subject = "rendered objects of " + ", ".join(sorted(ctx.batches))
    numbers = itertools.count()

    def scratch() -> Path:
        return ctx.scratch(f"checkov-part-{next(numbers)}")

    def scan_part(part: Path) -> list[tuple[str, dict]]:
        return scan_isolating(
            lambda directory: _checkov_objects(ctx, directory, scratch(), skipped, subject),
            part, scratch, _crashed)

    files = {f"{env}/{name}": content for env, batch in sorted(ctx.batches.items())
             for name, content in batch.object_files.items()}
    scanned = scan_cached(ctx.cache_dir, "checkov", "rendered-" + "+".join(sorted(ctx.batches)),
                          _fingerprint(ctx, skipped), files, ctx.scratch("checkov-rendered"),
                          lambda directory: scan_in_parts(scan_part, directory, scratch,
                                                          _PART_SIZE, _side_by_side(ctx, files)))
    by_env: dict[str, dict[str, list[dict]]] = {}
    for name, items in scanned.items():
        env, _, file = name.partition("/")
        by_env.setdefault(env, {})[file] = items
    return by_env
