"""CODEOWNERS: who owns a path, as GitHub (and GitLab) read the file.

The first of ``.github/CODEOWNERS``, ``CODEOWNERS`` and ``docs/CODEOWNERS``
found at the repository root is read. Each line is a pattern and its owners;
the **last** matching line wins, as on GitHub. Patterns follow gitignore: a
pattern with no ``/`` except a trailing one matches at any depth, one that
starts with or contains a ``/`` is anchored at the root, and a folder matches
everything under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from greengate.sources.files import FileSource
from greengate.sources.globs import match_path

LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
MAX_BYTES = 3 * 1024 * 1024
"""GitHub ignores a CODEOWNERS file larger than 3 MB; so does greengate."""


@dataclass(frozen=True)
class Rule:
    pattern: str
    owners: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class CodeOwners:
    file: str
    """The repository-relative path of the file read (``.github/CODEOWNERS``)."""
    rules: tuple[Rule, ...]

    def owner_of(self, path: str) -> tuple[tuple[str, ...], int] | None:
        """The owners of a repository-relative path and the line that names them, or None."""
        for rule in reversed(self.rules):
            if match_path(rule.pattern, path):
                return (rule.owners, rule.line) if rule.owners else None
        return None


def parse(text: str, file: str) -> CodeOwners:
    rules = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        pattern, *owners = line.split()
        rules.append(Rule(_glob(pattern), tuple(owners), number))
    return CodeOwners(file, tuple(rules))


def _glob(pattern: str) -> str:
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    pattern = pattern.strip("/") or "**"
    return pattern if anchored else f"**/{pattern}"


def read(source: FileSource, root: Path) -> CodeOwners | None:
    """The repository's CODEOWNERS, or None when it has none (or it cannot be read)."""
    for name in LOCATIONS:
        path = root / name
        try:
            if source.size(path) > MAX_BYTES:
                continue
            data = source.read(path)
        except OSError:
            continue
        return parse(data.decode("utf-8", "replace"), name)
    return None
