"""One env's objects, ready for the manifest checks."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from marty_platform.check_inputs import object_digest
from marty_platform.envconfig import EnvConfig
from marty_platform.manifests import StagedBatch
from marty_platform.model import ManifestObject
from marty_platform.security.rendered import object_files


@dataclass
class EnvBatch:
    config: EnvConfig
    staged: StagedBatch

    @property
    def env(self) -> str:
        return self.config.name

    @property
    def objects(self) -> list[ManifestObject]:
        return self.staged.objects

    @cached_property
    def digests(self) -> tuple[str, ...]:
        """Every object's digest, then "context" and every context object's: part of the result
        cache key of each of the env's checks, so computed once for all of them."""
        return (*map(object_digest, self.objects), "context",
                *map(object_digest, self.staged.context))

    @cached_property
    def object_files(self) -> dict[str, bytes]:
        """Every object as the scanners read it (security/rendered.py), dumped once for all the
        scanners of the env: dumping is most of what a scanner's check costs when every
        object's result is cached."""
        return object_files(self.objects)
