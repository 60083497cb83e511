"""Source positions: where in which file a value, a fact or a finding sits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """A 1-based position in a file, with the end of the value where known."""

    file: str
    line: int
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Span:
    """Where one YAML/JSON value sits, and (for a mapping entry) where its key sits.

    Lines and columns are 1-based. ``style`` is the YAML scalar style
    (``None`` plain, ``'|'`` literal, ``'>'`` folded, ``'"'``/``"'"`` quoted);
    the policy loader needs it to map a CEL error column back into the file.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    key_line: int | None = None
    key_column: int | None = None
    style: str | None = None

    def value_location(self, file: str) -> Location:
        return Location(file, self.line, self.column, self.end_line, self.end_column)

    def key_location(self, file: str) -> Location:
        """The key of a mapping entry (``spec:``), or the value for list items."""
        if self.key_line is None or self.key_column is None:
            return self.value_location(file)
        return Location(file, self.key_line, self.key_column)
