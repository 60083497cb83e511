"""What the adapter tests share: read a corpus file or an inline text with one adapter.

Importable as ``support`` because ``pyproject.toml`` puts ``tests/manifests`` on
pytest's ``pythonpath`` (``--import-mode=importlib`` leaves ``sys.path`` alone).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, TypeAlias

from greengate.load import Document, load_bytes, load_file
from greengate.load.folders import FolderFiles
from greengate.manifests import Adapter, ManifestProblem, adapter_for
from greengate.manifests.base import ReadContext
from greengate.records.deployment import Deployment
from greengate.sources.files import SourceFile

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
"""The corpus root: ``INDEX.tsv`` and ``files/``."""
FILES = CORPUS / "files"
INDEX_LINES: list[str] = (CORPUS / "INDEX.tsv").read_text("utf-8").splitlines()[1:]
"""The corpus index, one tab-separated row per file (path, repo, original path, commit, licence, format, hints)."""
INDEXED: frozenset[str] = frozenset(line.split("\t")[0] for line in INDEX_LINES)
"""The local paths (``files/...``) the index lists."""
"""The corpus files, one folder per source repository (``owner__name/``)."""

Adapted: TypeAlias = tuple[list[Deployment], list[ManifestProblem]]


def adapt_file(path: Path, adapter_type: type[Adapter]) -> Adapted:
    """Deployments and problems from the documents of a file that greengate gives this adapter.

    A document goes to the adapter ``adapter_for`` picks for it, as in a real run, so a
    document another adapter claims first is not read here.
    """
    loaded = load_file(path)
    assert not loaded.problems, loaded.problems
    deployments: list[Deployment] = []
    problems: list[ManifestProblem] = []
    context = work_tree_context(path)
    for document in loaded.documents:
        adapter = adapter_for(document)
        if isinstance(adapter, adapter_type):
            result = adapter.read(document, context)
            deployments.extend(result.deployments)
            problems.extend(result.problems)
    return deployments, problems


def work_tree_context(path: Path) -> ReadContext:
    """What the pipeline gives an adapter for a file of the work tree: its folder's files."""
    return ReadContext(FolderFiles().beside(SourceFile(path.as_posix(), path)))


def adapt_corpus(path: str, adapter_type: type[Adapter]) -> Adapted:
    """:func:`adapt_file` for a corpus file, ``path`` relative to :data:`FILES`."""
    return adapt_file(FILES / path, adapter_type)


def load_text(text: str, name: str, *, lstrip: bool = True) -> Document:
    """The one document of a text, dedented and loaded as a file named ``name``.

    ``lstrip`` drops the newline that opens a triple-quoted string; with ``lstrip=False``
    it stays, and line numbers count it.
    """
    text = textwrap.dedent(text)
    if lstrip:
        text = text.lstrip("\n")
    loaded = load_bytes(text.encode(), name)
    assert not loaded.problems, loaded.problems
    (document,) = loaded.documents
    return document


def adapt_text(
    text: str,
    adapter: Adapter,
    name: str,
    *,
    lstrip: bool = True,
    must_match: bool = True,
) -> Adapted:
    """Deployments and problems the adapter reads from a text (see :func:`load_text`).

    When the adapter does not match the document this fails, or with
    ``must_match=False`` gives nothing, as ``adapter_for`` would pass it by.
    """
    document = load_text(text, name, lstrip=lstrip)
    if not adapter.matches(document):
        assert not must_match, f"{type(adapter).__name__} does not match {name}"
        return [], []
    result = adapter.read(document)
    return result.deployments, result.problems


def no_problems(adapted: Adapted) -> list[Deployment]:
    """The deployments, once it is checked that the adapter reported no problem."""
    deployments, problems = adapted
    assert not problems, problems
    return deployments


def assert_facts(deployment: Deployment, expected: dict[str, Any]) -> None:
    """Each expected fact has the value given; ``None`` means the fact must be absent."""
    for name, value in expected.items():
        if value is None:
            assert name not in deployment.facts, name
        else:
            assert name in deployment.facts, f"{name} missing from {deployment.name}"
            assert deployment.facts[name].value == value, name


def read_paths(*paths: Path) -> tuple[list[Deployment], list[Any]]:
    """Deployments (linked, defaulted and enriched) and findings of ``paths``, as ``check`` reads them."""
    from greengate.app.pipeline import read_deployments
    from greengate.catalog import Catalog
    from greengate.sources.discover import discover

    return read_deployments(discover(list(paths)), Catalog.load())


def named(deployments: list[Deployment], file: str) -> Deployment:
    """The one deployment read from the file whose name is ``file``."""
    (found,) = [d for d in deployments if Path(d.file).name == file]
    return found
