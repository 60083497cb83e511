"""Effective settings: the config file merged with command-line flags, each value with its origin.

Flags override the file: ``--fail-on`` replaces ``failOn``, ``--builtin`` /
``--no-builtin`` replace ``policies.builtin``; ``--policy`` and ``--catalog``
add to ``policies.paths`` and ``catalog``; ``--no-inline-waivers`` replaces
``inlineWaivers`` (whose default is ``base-only`` with ``--policies-from``,
else ``true``). ``greengate config show`` prints
these settings with where each one came from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from greengate.config.load import find_config, load_config
from greengate.config.model import BASE_ONLY, Config, InlineWaivers, Sourced
from greengate.errors import ConfigError, UsageError
from greengate.policy.cel import select_engine
from greengate.records.finding import Severity


@dataclass(frozen=True)
class Flags:
    """What the command line says; ``None``: the flag was not given."""

    config_file: Path | None = None
    """``--config FILE``."""
    no_config: bool = False
    policy_paths: Sequence[Path] = ()
    builtin: bool | None = None
    fail_on: Severity | None = None
    catalog_files: Sequence[Path] = ()
    inline_waivers: bool = True
    origins: Mapping[str, str] = field(default_factory=dict)
    """Where a given value came from when not from its flag (``GREENGATE_FAIL_ON environment variable``)."""
    cel_engine: str | None = None
    """``--cel-engine``: ``auto``, ``python`` or ``cpp``."""


def find_and_load(flags: Flags, paths: Sequence[Path]) -> Config | None:
    """The config to use: ``--config``, else the first found walking up from the first path."""
    if flags.no_config:
        if flags.config_file is not None:
            raise ConfigError("--config and --no-config contradict each other; give only one")
        return None
    if flags.config_file is not None:
        return load_config(flags.config_file)
    found = find_config(paths[0] if paths else Path.cwd())
    return load_config(found) if found is not None else None


@dataclass(frozen=True)
class Settings:
    config: Config | None
    fail_on: Sourced[Severity]
    builtin: Sourced[bool]
    policy_paths: tuple[Sourced[Path], ...]
    catalog_files: tuple[Sourced[Path], ...]
    inline_waivers: Sourced[InlineWaivers]
    """True, False or ``base-only`` (only the inline waivers already at the base commit count)."""
    cel_engine: Sourced[str]
    """The CEL engine chosen (``auto``, ``python``, ``cpp``); resolving selects it for the run."""

    @classmethod
    def resolve(cls, config: Config | None, flags: Flags, *, pr_mode: bool = False) -> Settings:
        """``pr_mode``: judged by a base ref (``--policies-from``), where inline waivers
        default to ``base-only``."""
        fail_on: Sourced[Severity] = Sourced(Severity.INFO)
        builtin: Sourced[bool] = Sourced(True)
        if config is not None:
            fail_on = config.fail_on or fail_on
            builtin = config.builtin or builtin
        if flags.fail_on is not None:
            fail_on = Sourced(flags.fail_on, flags.origins.get("fail_on", "--fail-on flag"))
        if flags.builtin is not None:
            builtin = Sourced(
                flags.builtin, "--builtin flag" if flags.builtin else "--no-builtin flag"
            )
        for path in flags.policy_paths:
            if not path.exists():
                raise ConfigError(
                    f"--policy {path}: no such policy file or folder in the work tree"
                    f" (from {Path.cwd()}); correct the path, or add --policies-from REF"
                    " to read it as it is at a base commit"
                )
        for path in flags.catalog_files:
            if not path.is_file():
                raise ConfigError(
                    f"--catalog {path}: no such catalog file in the work tree"
                    f" (from {Path.cwd()}); correct the path, or add --policies-from REF"
                    " to read it as it is at a base commit"
                )
        policy_paths = (
            *(config.policy_paths if config is not None else ()),
            *(Sourced(p, "--policy flag") for p in flags.policy_paths),
        )
        catalog_files = (
            *(config.catalog_files if config is not None else ()),
            *(Sourced(p, "--catalog flag") for p in flags.catalog_files),
        )
        inline: Sourced[InlineWaivers] = (
            Sourced(BASE_ONLY, "default with --policies-from") if pr_mode else Sourced(True)
        )
        if config is not None and config.inline_waivers is not None:
            inline = config.inline_waivers
        if not flags.inline_waivers:
            inline = Sourced(False, "--no-inline-waivers flag")
        engine: Sourced[str] = Sourced("auto")
        if config is not None and config.cel_engine is not None:
            engine = config.cel_engine
        if flags.cel_engine is not None:
            engine = Sourced(flags.cel_engine, "--cel-engine flag")
        try:
            select_engine(engine.value)
        except UsageError as exc:
            raise UsageError(f"{exc} ({engine.origin})") from None
        return cls(config, fail_on, builtin, policy_paths, catalog_files, inline, engine)
