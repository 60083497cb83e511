"""The files beside a manifest, loaded once per run from the manifest's own source.

Some formats spread one deployment over a folder (Terraform variables,
CloudFormation stage parameters). A :class:`FolderFiles` belongs to one run:
it loads each neighbouring file at most once, from the same
:class:`~greengate.sources.files.FileSource` as the file that asks (the work
tree, or the git commit being checked), and is dropped with the run.
"""

from __future__ import annotations

from collections.abc import Callable

from greengate.load.document import LoadedFile
from greengate.load.files import MAX_FILE_BYTES, load_source
from greengate.sources.files import SourceFile


class FolderFiles:
    def __init__(self, max_bytes: int = MAX_FILE_BYTES) -> None:
        self._max_bytes = max_bytes
        self._loaded: dict[tuple[str, str], LoadedFile] = {}

    def beside(self, source: SourceFile) -> Callable[[Callable[[str], bool]], list[LoadedFile]]:
        """A reader of ``source``'s folder: the loaded files whose name a test accepts."""

        def read(accept: Callable[[str], bool]) -> list[LoadedFile]:
            found = []
            for sibling in source.siblings():
                if not accept(sibling.path.name):
                    continue
                key = (sibling.source.key, sibling.display)
                if key not in self._loaded:
                    self._loaded[key] = load_source(sibling, self._max_bytes)
                found.append(self._loaded[key])
            return found

        return read
