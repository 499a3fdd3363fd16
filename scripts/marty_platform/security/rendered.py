"""Rendered objects as the scanners read them: one YAML file per object, so a finding maps back
to its object and multi-line values (a PEM key) stay multi-line. libyaml's dumper when PyYAML
has it: the warm path of a validation dumps every object of every env."""
from __future__ import annotations

import yaml

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def object_files(objects) -> dict[str, bytes]:
    """`<index>.yaml` → the object's YAML, in the order of `objects`."""
    return {f"{index:06d}.yaml": yaml.dump(obj.data, Dumper=_DUMPER, sort_keys=False,
                                           allow_unicode=True).encode("utf-8")
            for index, obj in enumerate(objects)}


def index_of(name: str) -> int:
    return int(name.split(".")[0])
