"""Every dependency pinned in pyproject.toml is used: imported by the product (scripts/) or its
tests, run as `python -m <module>` by them or by the Makefile, or, for a pytest plugin, enabled
by its option on the Makefile's pytest command line; a distribution that installs a program and
no module (zizmor's wheel) is used when the product runs that program by name. A pin nothing
uses fails here.

The modules a distribution provides come from its installed metadata, not from a list kept here.
"""
import ast
import importlib.metadata
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("scripts", "tests")
# A pytest plugin is used through its command-line option; every pinned plugin must be named
# here with the option that enables it.
PLUGIN_OPTIONS = {"pytest-xdist": "-n"}
# `.venv/bin/python -m pytest` in the Makefile, `[sys.executable, "-m", "ruff", ...]` in Python.
_RUN_AS_MODULE = re.compile(r"""(?:python3?|executable)\W{0,6}-m(?:["'],\s*["']|\s+)([A-Za-z_][\w.]*)""")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = [*project["dependencies"], *project.get("optional-dependencies", {}).get("test", [])]
    names = [re.split(r"[=<>!~\[;\s]", spec, maxsplit=1)[0] for spec in specs]
    assert all("==" in spec for spec in specs), f"every dependency is pinned exactly: {specs}"
    return names


def _provided_modules() -> dict[str, set[str]]:
    """Normalised distribution name -> the top-level modules it installs."""
    result: dict[str, set[str]] = {}
    for module, distributions in importlib.metadata.packages_distributions().items():
        for distribution in distributions:
            result.setdefault(_normalise(distribution), set()).add(module)
    return result


def _python_files():
    for source in SOURCES:
        yield from (ROOT / source).rglob("*.py")


def _imported_modules() -> set[str]:
    modules = set()
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules


def _modules_run() -> set[str]:
    """Modules started as `python -m <module>` by the tests, the product or the Makefile."""
    texts = [path.read_text() for path in _python_files()] + [(ROOT / "Makefile").read_text()]
    return {match.split(".")[0] for text in texts for match in _RUN_AS_MODULE.findall(text)}


def _plugin_enabled(option: str) -> bool:
    makefile = (ROOT / "Makefile").read_text()
    return any(re.search(rf"-m pytest\b.*\s{re.escape(option)}\s", line + " ")
               for line in makefile.splitlines())


def _programs_only(name: str) -> set[str]:
    """The programs a distribution installs into bin/, when it installs no Python module."""
    files = importlib.metadata.distribution(name).files or []
    if any(f.suffix == ".py" or f.name == "top_level.txt" for f in files):
        return set()
    return {f.name for f in files if f.parent.name == "bin"}


def _programs_run() -> set[str]:
    """Programs the product starts by name: `program(toolbox, "<name>", ...)`."""
    texts = [path.read_text() for path in (ROOT / "scripts").rglob("*.py")]
    return {match for text in texts
            for match in re.findall(r"""\bprogram\(\s*[\w.]+,\s*["']([\w.-]+)["']""", text)}


def _is_pytest_plugin(name: str) -> bool:
    return any(ep.group == "pytest11" for ep in importlib.metadata.distribution(name).entry_points)


def test_every_pinned_dependency_is_used():
    provided, imported, run = _provided_modules(), _imported_modules(), _modules_run()
    unused = []
    for name in _pins():
        programs = _programs_only(name)
        if programs:
            if not programs & _programs_run():
                unused.append(f"{name} (installs {', '.join(sorted(programs))})")
            continue
        modules = provided.get(_normalise(name))
        assert modules, f"{name} is pinned but not installed (make bootstrap)"
        if modules & (imported | run):
            continue
        if _is_pytest_plugin(name):
            assert name in PLUGIN_OPTIONS, f"pytest plugin {name}: name the option that enables it"
            if _plugin_enabled(PLUGIN_OPTIONS[name]):
                continue
        unused.append(f"{name} (provides {', '.join(sorted(modules))})")
    assert not unused, f"pinned in pyproject.toml, used nowhere: {'; '.join(unused)}"

