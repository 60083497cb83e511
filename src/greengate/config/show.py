"""``greengate config show``: the effective settings, each with where it came from."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from greengate.config.model import DEFAULT_ORIGIN, Sourced
from greengate.config.settings import Settings
from greengate.records.deployment import DEFAULT_FIELDS
from greengate.records.text import dumps, printable
from greengate.sources.files import display_path


@dataclass(frozen=True)
class Row:
    key: str
    value: Any
    origin: str


def rows(settings: Settings, today: datetime.date) -> list[Row]:
    config = settings.config
    out = [_row("failOn", settings.fail_on, lambda s: s.value.value)]
    if config is None or not config.include:
        out.append(Row("include", "(every manifest found)", DEFAULT_ORIGIN))
    out.extend(_row(f"include[{i}]", g) for i, g in enumerate(config.include if config else ()))
    out.extend(_row(f"exclude[{i}]", g) for i, g in enumerate(config.exclude if config else ()))
    out.append(_row("policies.builtin", settings.builtin))
    out.extend(_row(f"policies.paths[{i}]", p, _path) for i, p in enumerate(settings.policy_paths))
    if config is not None:
        out.extend(_row(f"policies.disable[{i}]", p) for i, p in enumerate(config.disable_policies))
        if config.budget is not None:
            out.append(_row("policies.budgetSeconds", config.budget))
    out.append(_row("policies.celEngine", settings.cel_engine))
    if config is not None:
        out.extend(_row(f"rules.disable[{i}]", r) for i, r in enumerate(config.disable_rules))
        out.extend(
            _row(f"rules.severity.{name}", s, lambda s: s.value.value)
            for name, s in config.severity
        )
        out.extend(_row(f"params.{name}", p) for name, p in config.params)
    out.extend(_row(f"catalog[{i}]", c, _path) for i, c in enumerate(settings.catalog_files))
    if config is not None and config.baseline is not None:
        out.append(_row("baseline", config.baseline, _path))
    for entry in config.defaults if config else ():
        key = f"defaults[{entry.index}]"
        out.append(
            Row(
                f"{key}.paths", list(entry.paths), _origin(entry.location.file, entry.location.line)
            )
        )
        keys = {name: key for key, name in DEFAULT_FIELDS.items()}
        for fact in entry.facts:
            shown = fact.written if fact.written is not None else fact.value
            out.append(
                Row(
                    f"{key}.{keys[fact.field]}",
                    shown,
                    _origin(fact.location.file, fact.location.line),
                )
            )
    for index, waiver in enumerate(config.waivers if config else ()):
        parts = [waiver.rule]
        if waiver.target is not None:
            parts.append(f"target {waiver.target}")
        if waiver.deployment is not None:
            parts.append(f"deployment {waiver.deployment}")
        if waiver.owner:
            parts.append(f"owner {waiver.owner}")
        if waiver.expires is not None:
            state = "EXPIRED" if waiver.expired(today) else "until"
            parts.append(f"{state} {waiver.expires.isoformat()}")
        parts.append(f"reason: {waiver.reason}")
        out.append(Row(f"waivers[{index}]", ", ".join(parts), waiver.where))
    out.append(_row("inlineWaivers", settings.inline_waivers))
    return out


def _origin(file: str, line: int) -> str:
    return f"{file}:{line}"


def _path(sourced: Sourced[Any]) -> str:
    return display_path(Path(sourced.value))


def _row(key: str, sourced: Sourced[Any], value: Any = None) -> Row:
    shown = value(sourced) if value is not None else sourced.value
    return Row(key, shown, sourced.origin)


def header(settings: Settings) -> tuple[str | None, str | None]:
    config = settings.config
    if config is None:
        return None, None
    return config.display, display_path(config.root)


def render_text(settings: Settings, today: datetime.date) -> str:
    file, root = header(settings)
    lines = [
        f"config file: {printable(file)} (paths and globs are relative to {printable(root)})"
        if file
        else "config file: none (defaults and flags only)"
    ]
    table = rows(settings, today)
    key_width = max(len(r.key) for r in table)
    value_width = min(max(len(_text(r.value)) for r in table), 60)
    lines.extend(
        f"{printable(r.key):<{key_width}}  {_text(r.value):<{value_width}}  {printable(r.origin)}".rstrip()
        for r in table
    )
    return "\n".join(lines) + "\n"


def render_json(settings: Settings, today: datetime.date) -> str:
    file, root = header(settings)
    data = {
        "configFile": file,
        "root": root,
        "settings": [
            {"key": r.key, "value": r.value, "from": r.origin} for r in rows(settings, today)
        ],
    }
    return dumps(data, indent=2, default=str) + "\n"


def _text(value: Any) -> str:
    """A value as the table shows it, escaped: a config can quote anything (a waiver reason)."""
    if isinstance(value, str):
        return printable(value)
    return printable(json.dumps(value, ensure_ascii=False, default=str))
