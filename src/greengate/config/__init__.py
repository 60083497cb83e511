"""The repository config file, ``.greengate.yaml``: how a team tunes greengate to its repo.

Reading it (:func:`find_config`, :func:`load_config`) and the model
(:class:`Config`). Merging it with command-line flags lives in
:mod:`greengate.config.settings`; what it changes about policies, in
:mod:`greengate.config.select`.
"""

from __future__ import annotations

from greengate.config.load import CONFIG_NAMES, find_config, load_config
from greengate.config.model import Config, Sourced
from greengate.enrich.defaults import DefaultFact, DefaultsEntry
from greengate.records.deployment import DEFAULT_FIELDS

__all__ = [
    "CONFIG_NAMES",
    "DEFAULT_FIELDS",
    "Config",
    "DefaultFact",
    "DefaultsEntry",
    "Sourced",
    "find_config",
    "load_config",
]
