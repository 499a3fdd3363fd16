"""The one comparison behind `diff` and `drift`: list items matched by their Kubernetes key over
both sides, quantities compared as amounts, values shown as written. Each case is one where the
diff's and drift's former walkers went wrong or disagreed."""
import copy
import json

import pytest
from ops_support import FIXTURES, git

LIVE = json.loads((FIXTURES / "live-dev.json").read_text())
POD = "spec.template.spec"


def _drift_changes(cli, tree, tmp_path, mutate):
    data = copy.deepcopy(LIVE)
    [deployment] = [i for i in data["items"] if i["kind"] == "Deployment"]
    mutate(deployment["spec"]["template"]["spec"]["containers"], deployment)
    live = tmp_path / "live.json"
    live.write_text(json.dumps(data))
    result = cli(tree, "drift", "--env", "dev", "--live", str(live), "--format", "json")
    report = json.loads(result.stdout) if result.stdout.strip() else None
    assert report is not None, result
    return result, {c["path"]: (c["git"], c["live"])
                    for m in report["modified"] for c in m["changes"]}


def _add_debug_container(containers, _):
    containers.append({"name": "debug", "image": "busybox:1.36",
                       "imagePullPolicy": "IfNotPresent",
                       "terminationMessagePath": "/dev/termination-log",
                       "terminationMessagePolicy": "File"})


def _add_admin_port(containers, _):
    containers[0]["ports"].append({"name": "admin", "containerPort": 9901, "protocol": "TCP"})


@pytest.mark.parametrize("mutate, path", [
    (_add_debug_container, f"{POD}.containers[debug]"),
    (_add_admin_port, f"{POD}.containers[web].ports[admin]"),
])
def test_an_item_added_live_is_the_only_drift(tree, cli, tmp_path, mutate, path):
    """The server's defaults on the other items of the list stay ignored: the list's items are
    matched by key even when live has more of them than git."""
    result, changes = _drift_changes(cli, tree, tmp_path, mutate)
    assert result.code == 1, result
    assert set(changes) == {path}, changes
    git_value, live_value = changes[path]
    assert git_value is None and live_value["name"] in ("debug", "admin")


def test_drift_compares_quantities_as_amounts_and_shows_them_as_written(tree, cli, tmp_path):
    def mutate(containers, _):
        resources = containers[0]["resources"]
        resources["limits"] = {"cpu": "0.5", "memory": "0.25Gi"}  # git: 500m, 256Mi
        resources["requests"]["cpu"] = "200m"  # git: 100m

    result, changes = _drift_changes(cli, tree, tmp_path, mutate)
    assert result.code == 1, result
    assert changes == {f"{POD}.containers[web].resources.requests.cpu": ("100m", "200m")}


def _edit_base(tree, old: str, new: str) -> None:
    path = tree / "base" / "web" / "deployment.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _diff_changes(cli, tree):
    result = cli(tree, "diff", "--base", "HEAD", "--format", "json")
    report = json.loads(result.stdout)
    return result, {(a["env"], c["path"]): (c["before"], c["after"])
                    for a in report["apps"] for r in a["resources"] for c in r["changes"]}


def test_diff_treats_equal_quantities_as_no_change(git_tree, cli):
    _edit_base(git_tree, "              cpu: 500m\n              memory: 256Mi\n",
               "              cpu: \"0.5\"\n              memory: 0.25Gi\n")
    result, changes = _diff_changes(cli, git_tree)
    assert result.code == 0, result
    assert changes == {}


def test_a_port_losing_its_name_is_one_change(git_tree, cli):
    """The key of a list is chosen over both sides: the ports are matched by containerPort on
    both, not by name on one side and by number on the other."""
    _edit_base(git_tree, "            - name: grpc\n              containerPort: 8080\n",
               "            - containerPort: 8080\n")
    result, changes = _diff_changes(cli, git_tree)
    assert result.code == 1, result
    assert changes == {(env, f"{POD}.containers[web].ports[8080].name"): ("grpc", None)
                       for env in ("dev", "prod", "staging")}


def test_a_map_key_starting_with_two_underscores_is_compared(git_tree, cli):
    """A ConfigMap holding a Python package: `__init__.py` is data, not a private attribute."""
    (git_tree / "base" / "web" / "configmap.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-plugins\n"
        "data:\n  __init__.py: |\n    ENABLED = False\n")
    kustomization = git_tree / "base" / "web" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text() + "  - configmap.yaml\n")
    git(git_tree, "add", "--all")
    git(git_tree, "commit", "--quiet", "-m", "plugins")
    configmap = git_tree / "base" / "web" / "configmap.yaml"
    configmap.write_text(configmap.read_text().replace("False", "True"))
    result, changes = _diff_changes(cli, git_tree)
    assert result.code == 1, result
    assert changes == {(env, 'data["__init__.py"]'): ("ENABLED = False\n", "ENABLED = True\n")
                       for env in ("dev", "prod", "staging")}
