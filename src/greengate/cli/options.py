"""Options shared by several commands, each defined once with one help text.

A command that takes ``--catalog`` or ``--format`` uses the decorator here,
so the flag means the same everywhere and ``--help`` says so in the same words.
"""

from __future__ import annotations

import datetime
import functools
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from greengate.app.check import utc_today
from greengate.app.rule_choice import RuleChoice
from greengate.config.settings import Flags
from greengate.load import MAX_FILE_BYTES
from greengate.policy.cel import ENGINES
from greengate.records.finding import Severity

F = TypeVar("F", bound=Callable[..., Any])


SEVERITIES = click.Choice([s.value for s in Severity])
REPORT_PATH = click.Path(dir_okay=False, writable=True, path_type=Path)
"""A report file to write (``--output``, ``--report``, ``--output-FORMAT``)."""


def format_option(
    choices: Sequence[str],
    *,
    default: str = "text",
    what: str = "the output",
    envvar: str | None = None,
) -> Callable[[F], F]:
    """``--format``: one of ``choices``, for ``what`` the command prints (``envvar`` may set it)."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        envvar=envvar,
        show_envvar=envvar is not None,
        help=f"Format of {what}.",
    )


def catalog_option(dest: str = "catalog_files", *, must_exist: bool = True) -> Callable[[F], F]:
    """``--catalog FILE`` (repeatable): a catalog extension file whose rows override the built-in ones.

    ``must_exist=False`` where the settings check it instead (with
    ``--policies-from`` the file is read at the base, where a change cannot
    have deleted it).
    """
    return click.option(
        "--catalog",
        dest,
        multiple=True,
        type=click.Path(exists=must_exist, dir_okay=False, path_type=Path),
        help="Catalog extension file, YAML or CSV named after its table (repeatable); its rows override the built-in ones, and later files win.",
    )


def config_options(func: F) -> F:
    """``--config FILE`` and ``--no-config``."""
    func = click.option(
        "--no-config",
        is_flag=True,
        help="Ignore any .greengate.yaml / .greengate.yml (defaults and flags only).",
    )(func)
    return click.option(
        "--config",
        "config_file",
        envvar=CONFIG_ENV,
        show_envvar=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Config file to use instead of the .greengate.yaml found by walking up from the first PATH (or the current folder).",
    )(func)


_SETTINGS_OPTIONS = (
    "config_file",
    "no_config",
    "policy_paths",
    "builtin",
    "catalog_files",
    "inline_waivers",
    "cel_engine",
)


def _env_origins(*names: tuple[str, str]) -> dict[str, str]:
    """For each (parameter, variable) the current command took from the environment: its origin."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return {}
    return {
        name: f"{variable} environment variable"
        for name, variable in names
        if ctx.get_parameter_source(name) is ParameterSource.ENVIRONMENT
    }


def settings_options(func: F) -> F:
    """The options that choose what a check runs; the command gets them as ``flags`` (a Flags).

    ``--fail-on`` (added separately, below this decorator, by the commands
    that have it) goes into ``flags`` too.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _SETTINGS_OPTIONS}
        fail_on = kwargs.pop("fail_on", None)
        origins = _env_origins(("fail_on", FAIL_ON_ENV), ("config_file", CONFIG_ENV))
        flags = Flags(
            config_file=values["config_file"],
            no_config=values["no_config"],
            policy_paths=values["policy_paths"],
            builtin=values["builtin"],
            catalog_files=values["catalog_files"],
            inline_waivers=not values["inline_waivers"],
            cel_engine=values["cel_engine"],
            fail_on=Severity(fail_on) if fail_on else None,
            origins=origins,
        )
        return func(*args, flags=flags, **kwargs)

    decorated: Callable[..., Any] = wrapper
    for option in reversed(
        (
            click.option(
                "--policy",
                "policy_paths",
                multiple=True,
                type=click.Path(path_type=Path),
                help="Policy file or folder to add to the config's policies.paths (repeatable); with --policies-from REF it is read as it is at REF.",
            ),
            click.option(
                "--builtin/--no-builtin",
                default=None,
                help="Run the built-in policy pack, or leave it out (default: policies.builtin of the config, else run it).",
            ),
            catalog_option(must_exist=False),
            click.option(
                "--no-inline-waivers",
                "inline_waivers",
                is_flag=True,
                help="Ignore waivers written in manifests (greengate.dev/waive-* annotations); only the config's waivers apply.",
            ),
            click.option(
                "--cel-engine",
                type=click.Choice(ENGINES),
                default=None,
                help="CEL engine: python (cel-python), cpp (cel-cpp, pip install 'greengate[fast]') or auto, cpp when installed (default: policies.celEngine of the config, else auto).",
            ),
        )
    ):
        decorated = option(decorated)
    return config_options(decorated)  # type: ignore[return-value]


FAIL_ON_ENV = "GREENGATE_FAIL_ON"
CONFIG_ENV = "GREENGATE_CONFIG"
FORMAT_ENV = "GREENGATE_FORMAT"
JOBS_ENV = "GREENGATE_JOBS"
"""Settings from the environment: flags win over them, they win over the config file."""

fail_on_option = click.option(
    "--fail-on",
    type=SEVERITIES,
    default=None,
    envvar=FAIL_ON_ENV,
    show_envvar=True,
    help="Lowest severity of a failing finding that fails the run (default: failOn of the config, else info).",
)
max_file_size_option = click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=MAX_FILE_BYTES,
    show_default=True,
    help="Files larger than this many bytes are reported, not parsed.",
)
today_option = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Judge waiver expiry as of this day instead of today (UTC), e.g. to see which waivers will have expired by then.",
)


def day(value: datetime.datetime | None) -> datetime.date:
    """The ``--today`` value as a date (today, UTC, when not given)."""
    return value.date() if value is not None else utc_today()


def rule_options(func: F) -> F:
    """``--rule``, ``--skip-rule`` and ``--policy-name``; the command gets them as ``choice``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        choice = RuleChoice(
            only=tuple(kwargs.pop("only_rules")),
            skip=tuple(kwargs.pop("skip_rules")),
            policies=tuple(kwargs.pop("policy_names")),
        )
        return func(*args, choice=choice, **kwargs)

    decorated: Callable[..., Any] = wrapper
    for option in reversed(
        (
            click.option(
                "--rule",
                "only_rules",
                multiple=True,
                metavar="ID|GLOB|SEVERITY",
                help="Run only these rules (repeatable): an id (GG201), a glob (GG30*) or a severity (high: that severity and above).",
            ),
            click.option(
                "--skip-rule",
                "skip_rules",
                multiple=True,
                metavar="ID|GLOB|SEVERITY",
                help="Never run these rules (repeatable): an id, a glob, or a severity (low: that severity and below).",
            ),
            click.option(
                "--policy-name",
                "policy_names",
                multiple=True,
                metavar="NAME|GLOB",
                help="Run only the policies with these names (repeatable; globs allowed).",
            ),
        )
    ):
        decorated = option(decorated)
    return decorated  # type: ignore[return-value]


def format_paths(
    ctx: click.Context,
    param: click.Parameter,
    values: Sequence[str],
    formats: Sequence[str],
    example: str,
) -> list[tuple[str, Path]]:
    """``--report FORMAT=PATH`` values as (format, path); a bad one is a usage error naming the formats."""
    valid = f"valid formats: {', '.join(formats)}"
    out = []
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not name or not path:
            raise click.BadParameter(
                f"{value!r} is not FORMAT=PATH (e.g. {example}); {valid}", ctx, param
            )
        if name not in formats:
            raise click.BadParameter(f"unknown format {name!r} in {value!r}; {valid}", ctx, param)
        out.append((name, Path(os.fsdecode(REPORT_PATH.convert(path, param, ctx)))))
    return out
