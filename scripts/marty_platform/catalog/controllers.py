"""catalog/platform-controllers.yaml: the controllers and backends under the services, each a
pinned remote Helm chart with its values in gitops/controllers/<name>/.

Data, not code, so that every chart version is in one visible file that Renovate and reviewers
read. `load` checks the schema and the references (repositories, dependencies, value files) and
derives each controller's install order."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from marty_platform.errors import UsageError
from marty_platform.repo import Repo
from marty_platform.schema_check import validate_instance
from marty_platform.yamlio import YamlError, load_config, load_one

CONTROLLERS = "catalog/platform-controllers.yaml"
SCHEMA = "schemas/platform-controllers.schema.json"
VALUES_DIR = Path("gitops/controllers")
ENGINES = ("argocd", "flux")
# Argo CD sync waves by dependency depth, all before platform-namespaces (-20).
FIRST_WAVE = -50
WAVE_STEP = 10
LAST_WAVE = -30


@dataclass(frozen=True)
class Controller:
    name: str  # the Helm release name
    repository: str  # a key of `repositories`
    repository_url: str
    chart: str
    version: str
    app_version: str
    namespace: str
    engines: tuple[str, ...]
    depends_on: tuple[str, ...]
    value_files: tuple[str, ...]  # repo-relative
    serves: tuple[str, ...]  # group/Kind
    endpoints: tuple[str, ...]  # service.namespace:port
    wave: int


@dataclass(frozen=True)
class Controllers:
    repositories: dict[str, str]
    controllers: tuple[Controller, ...]

    def for_engine(self, engine: str) -> list[Controller]:
        return [c for c in self.controllers if engine in c.engines]

    def by_name(self, name: str) -> Controller | None:
        return next((c for c in self.controllers if c.name == name), None)

    def server_of(self, group_kind: str) -> Controller | None:
        """The controller whose CRDs serve a `group/Kind`."""
        return next((c for c in self.controllers if group_kind in c.serves), None)


def present(root: Path) -> bool:
    return (root / CONTROLLERS).is_file()


def _problem(message: str) -> UsageError:
    return UsageError(f"{CONTROLLERS}: {message}")


def _depths(raw: dict) -> dict[str, int]:
    depths: dict[str, int] = {}

    def depth(name: str, seen: tuple[str, ...]) -> int:
        if name in seen:
            raise _problem(f"dependency cycle {' -> '.join((*seen, name))}")
        if name not in depths:
            deps = raw[name].get("dependsOn") or []
            depths[name] = 1 + max((depth(d, (*seen, name)) for d in deps), default=-1)
        return depths[name]

    for name in raw:
        depth(name, ())
    return depths


def load(root: Path) -> Controllers:
    """The controllers, checked against their schema and references; a problem is a usage error
    naming the file (the schema check reports schema problems with their lines)."""
    data = load_config(root / CONTROLLERS, CONTROLLERS)
    problems = validate_instance(Repo(root), data, SCHEMA)
    if problems:
        raise _problem(f"{problems[0]} (schema {SCHEMA}); `scripts/validate catalog/` lists "
                       "every problem with its line")
    repositories, raw = data["repositories"], data["controllers"]
    named = {url: key for key, url in repositories.items()}
    for name, entry in raw.items():
        if entry["chart"]["repository"] not in named:
            raise _problem(f"{name}: repository {entry['chart']['repository']!r} is not listed "
                           "under `repositories`")
        for dep in entry.get("dependsOn") or []:
            if dep not in raw:
                raise _problem(f"{name}: dependsOn {dep!r}, which is no controller")
    depths = _depths(raw)
    controllers = []
    for name, entry in raw.items():
        wave = FIRST_WAVE + WAVE_STEP * depths[name]
        if wave > LAST_WAVE:
            raise _problem(f"{name}: dependency chain too deep (wave {wave} would not come "
                           f"before the platform overlays; at most {LAST_WAVE})")
        files = tuple((VALUES_DIR / name / f).as_posix()
                      for f in entry.get("valueFiles") or ["values.yaml"])
        chart = entry["chart"]
        controllers.append(Controller(
            name=name, repository=named[chart["repository"]],
            repository_url=chart["repository"], chart=chart["name"],
            version=str(chart["version"]), app_version=str(entry["appVersion"]),
            namespace=entry["namespace"], engines=tuple(entry.get("engines") or ENGINES),
            depends_on=tuple(entry.get("dependsOn") or ()), value_files=files,
            serves=tuple(entry.get("serves") or ()),
            endpoints=tuple(entry.get("endpoints") or ()), wave=wave))
    return Controllers(dict(repositories), tuple(controllers))


def merge(base: dict, override: dict) -> dict:
    """Helm's merge of values files: maps merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        merged[key] = merge(merged[key], value) \
            if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def read_values(root: Path, controller: Controller, generated: dict[str, dict] | None = None) \
        -> dict:
    """The controller's values: its value files merged in order, as Helm merges them.
    `generated` (repo-relative path -> values) stands in for files a generator writes."""
    values: dict = {}
    for rel in controller.value_files:
        if generated is not None and rel in generated:
            document = generated[rel]
        else:
            path = root / rel
            if not path.is_file():
                raise _problem(f"{controller.name}: values file {rel} does not exist")
            try:
                document = load_one(path) or {}
            except (OSError, YamlError) as exc:
                raise UsageError(f"{rel}: {getattr(exc, 'message', None) or exc}") from None
        if not isinstance(document, dict):
            raise UsageError(f"{rel}: values must be a mapping")
        values = merge(values, document)
    return values
