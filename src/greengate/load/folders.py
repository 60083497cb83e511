"""The files beside a manifest, loaded once per run from the manifest's own source.

Some formats spread one deployment over a folder (Terraform variables,
CloudFormation stage parameters). A :class:`FolderFiles` belongs to one run:
it loads each neighbouring file at most once, from the same
:class:`~greengate.sources.files.FileSource` as the file that asks (the work
tree, or the git commit being checked), and is dropped with the run.
"""

from __future__ import annotations

import posixpath
from collections import OrderedDict
from collections.abc import Callable

from greengate.load.document import LoadedFile
from greengate.load.files import MAX_FILE_BYTES, load_source
from greengate.sources.files import SourceFile


class FolderFiles:
    """Loaded files of the folders a run is reading, each loaded at most once while it is kept.

    The pipeline loads every checked file through :meth:`load`, and adapters
    read a file's neighbours through :meth:`beside`, so a ``.tf`` file that is
    both checked and a neighbour of another is parsed once. Only the files of
    the last :data:`KEEP_FOLDERS` folders are kept (files are checked folder by
    folder, and a neighbour is always in the asking file's folder), so memory
    stays that of a folder or two however large the run.
    """

    KEEP_FOLDERS = 2

    def __init__(self, max_bytes: int = MAX_FILE_BYTES) -> None:
        self._max_bytes = max_bytes
        self._loaded: dict[tuple[str, str], LoadedFile] = {}
        self._folders: OrderedDict[tuple[str, str], list[tuple[str, str]]] = OrderedDict()

    def load(self, source: SourceFile) -> LoadedFile:
        """``source`` loaded (once while its folder is kept)."""
        key = (source.source.key, source.display)
        loaded = self._loaded.get(key)
        if loaded is None:
            loaded = load_source(source, self._max_bytes)
            self._keep(source, key, loaded)
        return loaded

    def beside(self, source: SourceFile) -> Callable[[Callable[[str], bool]], list[LoadedFile]]:
        """A reader of ``source``'s folder: the loaded files whose name a test accepts."""

        def read(accept: Callable[[str], bool]) -> list[LoadedFile]:
            return [self.load(s) for s in source.siblings() if accept(s.path.name)]

        return read

    def _keep(self, source: SourceFile, key: tuple[str, str], loaded: LoadedFile) -> None:
        folder = (source.source.key, posixpath.dirname(source.display))
        keys = self._folders.get(folder)
        if keys is None:
            keys = self._folders[folder] = []
            while len(self._folders) > self.KEEP_FOLDERS:
                _, dropped = self._folders.popitem(last=False)
                for old in dropped:
                    self._loaded.pop(old, None)
        else:
            self._folders.move_to_end(folder)
        keys.append(key)
        self._loaded[key] = loaded
