"""The names an expression can read, checked when a policy loads.

``deployment`` is the fact schema: every field of
:data:`~greengate.records.deployment.FIELDS` (the facts of the native format,
what the catalog adds and ``estimate.*``), the maps on the way to them
(``deployment.cloud``), and what every deployment carries besides:
``kind``, ``format``, ``file`` and the ``labels`` and ``annotations`` maps,
whose keys are the manifest's own. ``catalog`` is the view the engine binds
(:data:`CATALOG_FIELDS`). A typo (``deployment.replica.max``) is refused at
load with the closest known name, instead of failing every deployment at run
time as a fact to declare.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from greengate.records.deployment import FIELDS

ALWAYS = ("kind", "format", "file")
"""Values every deployment has, whatever its format."""
OPEN_MAPS = ("labels", "annotations")
"""Maps whose keys come from the manifest: any key may be read."""
CATALOG_FIELDS = ("architectures",)
"""What ``catalog`` holds (``catalog.architectures[vendor][architecture]`` = generation)."""


def _leaves() -> frozenset[str]:
    return frozenset((*FIELDS, *ALWAYS))


def _maps() -> frozenset[str]:
    """Every proper prefix of a field: a map an expression may select from."""
    maps: set[str] = set(OPEN_MAPS)
    for name in FIELDS:
        parts = name.split(".")
        maps.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return frozenset(maps)


def deployment_problem(path: Sequence[str]) -> tuple[int, str] | None:
    """Why ``deployment.<path>`` names no fact: (index of the first wrong name, the reason)."""
    leaves, maps = _leaves(), _maps()
    for i in range(len(path)):
        head = ".".join(path[: i + 1])
        if head in OPEN_MAPS:
            return None  # labels.<key>: the manifest's own keys
        if head in leaves:
            if i + 1 < len(path):
                return (
                    i + 1,
                    f"deployment.{head} is a value, not a map: it has no field '{path[i + 1]}'",
                )
            return None
        if head not in maps:
            dotted = ".".join(path)
            return (
                i,
                f"deployment.{dotted} is not a fact greengate provides{suggest(dotted, [*leaves, *maps])}",
            )
    return None


def suggest(name: str, known: Iterable[str]) -> str:
    """`` (did you mean replicas.max?)`` for the closest known name, or nothing."""
    guess = difflib.get_close_matches(name, sorted(set(known)), n=1, cutoff=0.6)
    return f" (did you mean {guess[0]}?)" if guess else ""


def fact_table() -> str:
    """The Markdown table of every ``deployment.*`` field (docs/writing-policies.md holds it)."""
    rows = ["| field | where it comes from |", "| --- | --- |"]
    rows += [f"| `{name}` | {where} |" for name, where in FIELDS.items()]
    rows += [
        "| `kind` | the manifest's kind (`AIDeployment`, `InferenceService`, `Deployment`...) |",
        "| `format` | the adapter that read it (`native`, `kserve`, `kubernetes`...) |",
        "| `file` | the manifest's path as reports show it |",
        "| `labels.<key>` | the manifest's labels (any key) |",
        "| `annotations.<key>` | the manifest's annotations (any key) |",
    ]
    return "\n".join(rows) + "\n"
