"""``greengate config show --format json`` is valid JSON whatever a setting holds."""

from __future__ import annotations

import datetime
import json
from typing import Any, cast

from greengate.config import show
from greengate.config.model import Sourced
from greengate.config.settings import Settings
from greengate.records.finding import Severity


def test_a_non_finite_value_is_null() -> None:
    settings = Settings(
        config=None,
        fail_on=Sourced(Severity.INFO),
        builtin=cast(Any, Sourced(float("nan"))),
        policy_paths=(),
        catalog_files=(),
        inline_waivers=cast(Any, Sourced(float("inf"))),
    )

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    data = json.loads(show.render_json(settings, datetime.date(2026, 1, 1)), parse_constant=refuse)
    values = {row["key"]: row["value"] for row in data["settings"]}
    assert values["policies.builtin"] is None
    assert values["inlineWaivers"] is None
