"""cel-python's LALR parser, built once and then read back from the user's cache folder.

Building the parser tables of the CEL grammar takes lark 0.3 to 0.5 s, on
every run. :func:`lalr_parser` keeps the built parser (lark's own
``Lark.save``, a pickle) in a private folder of the user's and reads it back
on the next run, about 15 times faster:

* the folder is ``$GREENGATE_CACHE_DIR``, else ``$XDG_CACHE_HOME/greengate``,
  else ``~/.cache/greengate``; it is created ``0700``. ``GREENGATE_NO_CACHE=1``
  turns the cache off (the parser is then built on every run);
* a pickle runs code when it is read, so a file is read only from a folder
  and as a file that belong to the user and that no one else can write;
  greengate never reads or writes a shared ``/tmp`` file;
* the file's name and first line are a hash of the grammar, the parser's
  options, and the lark, greengate and Python versions: a change of any of
  them builds (and keeps) a new parser, and older files are removed;
* the file is written to a temporary name and renamed, so a concurrent run
  reads the old file, the new one or none, never half of one;
* whatever goes wrong (a folder that cannot be written, a corrupt or foreign
  file) falls back to building the parser, silently.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

import lark
from lark import Lark

import greengate

__all__ = ["cache_folder", "cache_key", "lalr_parser"]

CACHE_DIR_VARIABLE = "GREENGATE_CACHE_DIR"
NO_CACHE_VARIABLE = "GREENGATE_NO_CACHE"
PREFIX = "cel-parser-"
SUFFIX = ".pickle"
_MAGIC = b"greengate-lark-parser "


def cache_folder() -> Path | None:
    """Where the parser is kept, or ``None`` when the cache is turned off."""
    if os.environ.get(NO_CACHE_VARIABLE, "").strip() not in ("", "0"):
        return None
    chosen = os.environ.get(CACHE_DIR_VARIABLE, "").strip()
    if chosen:
        return Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "greengate"
    try:
        return Path.home() / ".cache" / "greengate"
    except (RuntimeError, KeyError):  # no home folder
        return None


def _described(value: Any) -> str:
    """A stable text for an option: a function or class by its name, not its address."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{k!r}:{_described(v)}" for k, v in sorted(value.items())) + "}"
    name = getattr(value, "__qualname__", None)
    if name is not None:
        return f"{getattr(value, '__module__', '')}.{name}"
    return repr(value)


def cache_key(grammar: str, options: dict[str, Any]) -> str:
    """The hash that names the kept parser of ``grammar`` built with ``options``."""
    text = "\n".join(
        [
            grammar,
            *(f"{name}={_described(options[name])}" for name in sorted(options)),
            f"lark {lark.__version__}",
            f"greengate {greengate.__version__}",
            f"python {sys.version}",
        ]
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _private(st: os.stat_result) -> bool:
    """Whether a file or folder belongs to this user and no one else can write it.

    Never where the system has no user ids (Windows): the cache is then not used.
    """
    uid = getattr(os, "getuid", None)
    if uid is None:
        return False
    return bool(st.st_uid == uid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def _read(folder: Path, path: Path, key: str) -> Lark | None:
    try:
        st = folder.stat()
        if not stat.S_ISDIR(st.st_mode) or not _private(st):
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        try:
            st = os.fstat(handle.fileno())
            if not stat.S_ISREG(st.st_mode) or not _private(st):
                return None
            if handle.readline() != _MAGIC + key.encode("ascii") + b"\n":
                return None
            parser = Lark.load(handle)
        except Exception:  # a corrupt file: build the parser instead
            return None
    return parser if isinstance(parser, Lark) else None


def _write(parser: Lark, folder: Path, path: Path, key: str) -> None:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder.stat()):
            return
        fd, name = tempfile.mkstemp(prefix=f".{PREFIX}", suffix=".tmp", dir=folder)
    except OSError:
        return
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_MAGIC + key.encode("ascii") + b"\n")
            parser.save(handle)
        temp.replace(path)
    except Exception:  # a full disk, an unpicklable option: no cache this time
        with contextlib.suppress(OSError):
            temp.unlink()
        return
    for old in folder.glob(f"{PREFIX}*{SUFFIX}"):
        if old.name != path.name:
            with contextlib.suppress(OSError):
                old.unlink()


def lalr_parser(grammar: str, **options: Any) -> Lark:
    """``Lark(grammar, parser="lalr", **options)``, read from the cache when it was kept there."""
    options = {"parser": "lalr", **options}
    folder = cache_folder()
    if folder is None:
        return Lark(grammar, **options)
    key = cache_key(grammar, options)
    path = folder / f"{PREFIX}{key[:32]}{SUFFIX}"
    kept = _read(folder, path, key)
    if kept is not None:
        return kept
    parser = Lark(grammar, **options)
    _write(parser, folder, path, key)
    return parser
