"""Load: file bytes into documents whose every value keeps its file:line:column.

YAML and JSON (:mod:`~greengate.load.yaml_loader`), Terraform HCL
(:mod:`~greengate.load.hcl`), chosen by name in :mod:`~greengate.load.files`;
the records they produce are in :mod:`~greengate.load.document`.
"""

from __future__ import annotations

from greengate.load.document import Document, LoadedFile, LoadProblem, PathKey
from greengate.load.files import MAX_FILE_BYTES, load_bytes, load_file, load_source
from greengate.load.yaml_loader import MAX_DEPTH, MAX_VALUES

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_VALUES",
    "Document",
    "LoadProblem",
    "LoadedFile",
    "PathKey",
    "load_bytes",
    "load_file",
    "load_source",
]
