"""Read a file's bytes into documents: the loader is chosen by the file name.

Every limit is checked before parsing: size, NUL bytes (binary), UTF-8.
A file that fails one is a :class:`~greengate.load.document.LoadProblem`,
never an exception, so the other files are still read.
"""

from __future__ import annotations

from pathlib import Path

from greengate.load.document import LoadedFile, problem
from greengate.load.yaml_loader import load_json, load_yaml
from greengate.sources.files import SourceFile
from greengate.sources.suffixes import HCL_SUFFIXES, JSON_SUFFIXES, TERRAFORM_JSON_SUFFIXES

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Files larger than this are reported, not parsed (configurable per call)."""


def load_source(source: SourceFile, max_bytes: int = MAX_FILE_BYTES) -> LoadedFile:
    """Read one file from wherever it comes from (work tree, git commit, memory)."""
    try:
        size = source.size()
        if size > max_bytes:
            return problem(source.display, 1, 1, _too_big(size, max_bytes))
        raw = source.read()
    except OSError as exc:
        return problem(source.display, 1, 1, f"cannot read file: {exc.strerror or exc}")
    return load_bytes(raw, source.display, max_bytes=max_bytes)


def _too_big(size: int, max_bytes: int) -> str:
    return f"file is {size:,} bytes, larger than the {max_bytes:,}-byte limit; split it or raise --max-file-size"


def load_file(
    path: Path, display: str | None = None, max_bytes: int = MAX_FILE_BYTES
) -> LoadedFile:
    """Read one file from disk; see :func:`load_bytes`."""
    shown = display if display is not None else path.as_posix()
    return load_source(SourceFile(shown, path), max_bytes)


def load_bytes(raw: bytes, display: str, max_bytes: int = MAX_FILE_BYTES) -> LoadedFile:
    """Parse YAML or JSON bytes (chosen by the file name) into documents."""
    if len(raw) > max_bytes:
        return problem(display, 1, 1, _too_big(len(raw), max_bytes))
    if b"\x00" in raw[:8192]:
        return problem(
            display, 1, 1, "file is binary (it contains NUL bytes), not YAML or JSON text"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return problem(
            display,
            line,
            1,
            f"file is not UTF-8 text (invalid byte 0x{raw[exc.start]:02x} at offset {exc.start})",
        )
    name = display.lower()
    if name.endswith(TERRAFORM_JSON_SUFFIXES):
        from greengate.load.tf_json import load_terraform_json

        return load_terraform_json(text, display)
    if name.endswith(JSON_SUFFIXES):
        return load_json(text, display)
    if name.endswith(HCL_SUFFIXES):
        from greengate.load.hcl import load_hcl  # imported here: most runs read no Terraform

        return load_hcl(text, display)
    return load_yaml(text, display)
