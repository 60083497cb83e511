"""Write action/constraints.txt: greengate's runtime dependencies at the versions installed here.

Run it in the virtualenv the test suite passed in (``python
scripts/action_constraints.py``): the Action then installs exactly those
versions (``PIP_CONSTRAINT`` in action.yml), so a dependency's new release
cannot change a gate between two runs of the same action ref.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

TARGET = Path(__file__).resolve().parents[1] / "action" / "constraints.txt"
HEADER = (
    "# Versions the Action installs greengate's dependencies at (PIP_CONSTRAINT in action.yml):\n"
    "# those the test suite passed with. Regenerate with scripts/action_constraints.py.\n"
)


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_closure(root: str = "greengate") -> dict[str, str]:
    """Every distribution ``root`` needs at run time (no extras), with its installed version."""
    found: dict[str, str] = {}
    todo = [root]
    while todo:
        for text in metadata.distribution(todo.pop()).requires or []:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            name = normalized(requirement.name)
            if name not in found:
                found[name] = metadata.version(requirement.name)
                todo.append(requirement.name)
    return found


def render(pins: dict[str, str]) -> str:
    return HEADER + "".join(f"{name}=={pins[name]}\n" for name in sorted(pins))


if __name__ == "__main__":
    TARGET.write_text(render(runtime_closure()), "utf-8")
    sys.stdout.write(f"wrote {TARGET}\n")
