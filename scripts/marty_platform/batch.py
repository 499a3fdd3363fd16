"""One env's objects, ready for the manifest checks."""
from __future__ import annotations

from dataclasses import dataclass

from marty_platform.envconfig import EnvConfig
from marty_platform.manifests import StagedBatch
from marty_platform.model import ManifestObject


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
