"""Glob patterns, the one implementation every config key uses.

Paths (``include``, ``exclude``, ``defaults[].paths``, waiver ``target``) are
``/``-separated and relative to the config file's folder:

- ``*`` matches any characters except ``/``; ``?`` one character except ``/``;
  ``[abc]``, ``[a-z]`` and ``[!abc]`` one character of (or not of) a set;
- ``**`` as a whole path segment matches any number of folders, none included:
  ``deploy/**`` is everything under ``deploy``, ``**/testdata/**`` every file
  under any ``testdata`` folder, ``**/*.yaml`` every YAML file;
- a pattern that matches a folder matches everything inside it, so
  ``deploy`` and ``deploy/`` mean ``deploy/**``.

Names (rule ids, policy names, deployment names) use the same syntax, where
``*`` matches any characters: ``GG30*``, ``chat-*``.

``fnmatch`` is not used: its ``*`` crosses ``/`` and it has no ``**``.
"""

from __future__ import annotations

import functools
import re

_GLOB_CHARS = frozenset("*?[")


def is_glob(pattern: str) -> bool:
    """Whether ``pattern`` has wildcards (an exact name is checked against the known ones)."""
    return any(ch in _GLOB_CHARS for ch in pattern)


def match_path(pattern: str, path: str) -> bool:
    """Whether the relative ``path`` (``a/b/c.yaml``), or a folder it is in, matches ``pattern``."""
    regex = _compile(_normalise(pattern), True)
    parts = _normalise(path).split("/")
    return any(regex.fullmatch("/".join(parts[:end])) for end in range(len(parts), 0, -1))


def match_name(pattern: str, name: str) -> bool:
    """Whether ``name`` (a rule id, policy or deployment name) matches ``pattern``."""
    return _compile(pattern, False).fullmatch(name) is not None


def _normalise(path: str) -> str:
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path.rstrip("/") or "."


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str, path: bool) -> re.Pattern[str]:
    return re.compile(translate(pattern, path=path))


def translate(pattern: str, *, path: bool = True) -> str:
    """The regular expression (for ``fullmatch``) of a glob ``pattern``."""
    if not path:
        return _segment(pattern, ".")
    out: list[str] = []
    segments = pattern.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            # `a/**/b` also matches `a/b`, and `a/**` also matches `a` itself.
            out.append(".*" if last else "(?:[^/]*/)*")
            continue
        out.append(_segment(segment, "[^/]"))
        if not last:
            out.append("/")
    text = "".join(out)
    # `deploy/**` ends in `/.*`: let it match `deploy` too.
    return text[:-3] + "(?:/.*)?" if text.endswith("/.*") else text


def _segment(segment: str, any_char: str) -> str:
    out: list[str] = []
    i, n = 0, len(segment)
    while i < n:
        ch = segment[i]
        if ch == "*":
            while i + 1 < n and segment[i + 1] == "*":
                i += 1  # `a**b` inside a segment is just `*`
            out.append(f"{any_char}*")
        elif ch == "?":
            out.append(any_char)
        elif ch == "[":
            end = segment.find("]", i + 2 if segment[i + 1 : i + 2] in ("!", "]") else i + 1)
            if end < 0:
                out.append(re.escape(ch))
            else:
                body = segment[i + 1 : end]
                negate = body.startswith("!")
                if negate:
                    body = body[1:]
                chars = "".join(c if c == "-" else re.escape(c) for c in body)
                if negate:  # a path glob's set never matches the `/` between folders
                    out.append(f"[^{'/' if any_char != '.' else ''}{chars}]")
                else:
                    out.append(f"[{chars}]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)
