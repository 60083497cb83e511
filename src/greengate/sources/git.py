"""What a change touches, and the files as they were at a ref: git through GitPython.

Files at a ref are read from git objects, never by checking out, so the work
tree is not touched. Errors are :class:`~greengate.errors.GitError` with one
sentence that says what to do, including for the shallow clones that GitHub
Actions makes by default.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit, urlunsplit

import git

from greengate.errors import GitError
from greengate.records.report import VersionControl
from greengate.sources.files import GitCommit, NotRegularFile, relative_posix

_LINK_MODE = 0o120000
"""The git tree mode of a symbolic link: its blob is the link's target, not a file."""

_FETCH_HINT = (
    "fetch the history it needs (`git fetch --unshallow`, or `fetch-depth: 0` on actions/checkout)"
)


@dataclass(frozen=True)
class Change:
    """One file changed between a base commit and the head (a commit or the work tree)."""

    status: str
    """``A`` added, ``M`` modified, ``R`` renamed, ``C`` copied, ``T`` type changed, ``D`` deleted."""
    path: str
    """Path relative to the repository root, at the head (at the base for deletions)."""
    old_path: str | None = None
    """For renames and copies: the path at the base."""


class Repository:
    """A git work tree, opened from any folder inside it."""

    def __init__(self, repo: git.Repo) -> None:
        self._repo = repo
        if repo.working_tree_dir is None:
            raise GitError(
                f"{repo.git_dir} is a bare repository; run greengate in a clone with a work tree"
            )
        self.root = Path(repo.working_tree_dir).resolve()

    @classmethod
    def open(cls, path: Path) -> Repository:
        try:
            return cls(git.Repo(path, search_parent_directories=True))
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise GitError(
                f"{path} is not inside a git repository; --changed-since, --new-only and --policies-from need one (run greengate in a clone)"
            ) from None
        except git.GitCommandNotFound:
            raise GitError(
                "git is not installed or not on PATH; install git to use --changed-since, --new-only or --policies-from"
            ) from None

    @property
    def is_shallow(self) -> bool:
        return (Path(self._repo.git_dir) / "shallow").exists()

    def commit(self, ref: str) -> str:
        """The full SHA of ``ref`` (a branch, tag, SHA, ``HEAD~1``...)."""
        try:
            return str(self._repo.commit(ref).hexsha)
        except (git.BadName, git.BadObject, ValueError, git.GitCommandError):
            if self.is_shallow:
                raise GitError(
                    f"unknown git ref '{ref}' in this shallow clone; {_FETCH_HINT}, or `git fetch origin {ref}`"
                ) from None
            raise GitError(
                f"unknown git ref '{ref}'; check it with `git rev-parse {ref}`, or fetch it with `git fetch origin {ref}`"
            ) from None

    def merge_base(self, base: str, head: str = "HEAD") -> str:
        """Where the head branched from ``base``: what a pull request's diff starts from."""
        base_sha, head_sha = self.commit(base), self.commit(head)
        try:
            found = self._repo.merge_base(base_sha, head_sha)
        except git.GitCommandError:
            found = []
        if not found:
            if self.is_shallow:
                raise GitError(
                    f"'{base}' and '{head}' have no common ancestor in this shallow clone; {_FETCH_HINT}"
                )
            raise GitError(
                f"'{base}' and '{head}' have no common ancestor; compare against a ref on the same history"
            )
        return str(found[0].hexsha)

    def changes(self, base: str, head: str | None = None) -> list[Change]:
        """Files changed from commit ``base`` to commit ``head``, or to the work tree when None.

        Against the work tree, untracked files that git does not ignore count
        as added. Renames are detected as git does (``-M``).
        """
        args = ["--name-status", "-z", "-M", base]
        if head is not None:
            args.append(head)
        try:
            out = self._repo.git.diff(*args)
        except git.GitCommandError as exc:
            raise GitError(f"git diff {base} failed: {exc.stderr.strip() or exc}") from None
        changes = _parse_name_status(out)
        if head is None:
            changes.extend(Change("A", name) for name in ls_files(self._repo, "--others"))
        return changes

    def first_parents(self, ref: str = "HEAD") -> list[tuple[str, int]]:
        """``ref`` and its first parents, newest first: (SHA, committer time in Unix seconds).

        The line of a branch as its merges made it (``git log --first-parent``):
        what ``audit --history`` samples. One ``git log`` for the whole line,
        so sampling many dates costs one process.
        """
        sha = self.commit(ref)
        try:
            out = self._repo.git.log("--first-parent", "--format=%H %ct", sha)
        except git.GitCommandError as exc:
            raise GitError(f"git log {ref} failed: {exc.stderr.strip() or exc}") from None
        line = []
        for entry in out.splitlines():
            commit, _, when = entry.partition(" ")
            line.append((commit, int(when)))
        return line

    def read(self, commit: str, path: str) -> bytes | None:
        """A file's bytes at ``commit`` (None when it does not exist there, or is a link)."""
        try:
            return self.read_file(commit, path)
        except NotRegularFile:
            return None

    def read_file(self, commit: str, path: str) -> bytes | None:
        """A file's bytes at ``commit``, None when it does not exist there.

        A symbolic link (tree mode 120000) is never followed: it raises
        :class:`~greengate.sources.files.NotRegularFile`, as a link on disk that
        is refused does.
        """
        try:
            blob = self._repo.commit(commit).tree / path
        except (KeyError, git.BadName, ValueError):
            return None
        if blob.type != "blob":
            return None
        if blob.mode == _LINK_MODE:
            target = blob.data_stream.read(4096).decode("utf-8", "replace")
            raise NotRegularFile(
                f"it is a symbolic link to {target} in git (mode 120000); links are not followed at a commit"
            )
        data: bytes = blob.data_stream.read()
        return data

    def files(self, commit: str, under: Iterable[str] = ("",)) -> list[str]:
        """Every file path at ``commit`` under the given folders or files (repo-relative)."""
        tree = self._repo.commit(commit).tree
        found: set[str] = set()
        for prefix in under:
            prefix = prefix.strip("/")
            try:
                item = tree / prefix if prefix else tree
            except KeyError:
                continue
            if item.type == "blob":
                found.add(str(item.path))
            else:
                blobs = (b for b in item.traverse() if getattr(b, "type", "") == "blob")
                found.update(str(getattr(b, "path", "")) for b in blobs)
        return sorted(found)

    def source(self, commit: str) -> GitCommit:
        """The files of ``commit`` as a :class:`~greengate.sources.files.FileSource`."""
        listings: dict[str, list[str]] = {}

        def listing(folder: str) -> list[str]:
            if folder not in listings:
                listings[folder] = [
                    n for n in self.files(commit, [folder]) if posixpath.dirname(n) == folder
                ]
            return listings[folder]

        return GitCommit(commit, self.root, lambda rel: self.read_file(commit, rel), listing)

    def export(self, commit: str, paths: Sequence[str], dest: Path) -> list[Path]:
        """Write the files under ``paths`` as they are at ``commit`` into ``dest`` (same layout)."""
        written = []
        for name in self.files(commit, paths):
            data = self.read(commit, name)
            if data is None:
                continue
            target = dest / PurePosixPath(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written.append(target)
        return written

    def relative(self, path: Path) -> str:
        """``path`` relative to the repository root, POSIX style ('' for the root)."""
        rel = relative_posix(path, self.root)
        if rel is not None:
            return rel
        raise GitError(
            f"{path} is outside the git repository at {self.root}; check paths inside it"
        )


def ls_files(repo: git.Repo, *which: str, under: str = ".") -> list[str]:
    """``git ls-files`` of ``which`` (``--cached``, ``--others``) that git does not ignore.

    Every ignore rule git knows applies exactly as git applies it (nested
    ``.gitignore`` files, ``.git/info/exclude``, the global excludes file).
    Paths are relative to the repository root.
    """
    out = repo.git.ls_files(*which, "--exclude-standard", "-z", "--", under)
    return [name for name in out.split("\0") if name]


def work_tree_files(folder: Path) -> list[Path] | None:
    """Files under ``folder`` that git does not ignore, or None outside a work tree.

    Tracked files deleted from the work tree are left out: nothing to read.
    Every other entry is kept, whatever its type (a FIFO, a link loop, a link
    to a device or out of the tree): reading it reports it, so it is never
    dropped silently.
    """
    try:
        repo = git.Repo(folder, search_parent_directories=True)
        if repo.bare or repo.working_tree_dir is None:
            return None
        top = Path(repo.working_tree_dir).resolve()
        relative = folder.resolve().relative_to(top)
        names = ls_files(repo, "--cached", "--others", under=relative.as_posix() or ".")
    except (
        git.InvalidGitRepositoryError,
        git.NoSuchPathError,
        git.GitCommandError,
        git.GitCommandNotFound,
        ValueError,
        OSError,
    ):
        return None
    names = [*names, *_special_entries(repo, top, relative.as_posix(), names)]
    files = []
    base = folder.resolve()
    for name in names:
        candidate = top / name
        try:
            mode = os.lstat(candidate).st_mode
        except OSError:
            continue  # deleted from the work tree
        if stat.S_ISDIR(mode):
            continue  # a submodule
        files.append(folder / candidate.relative_to(base))
    return files


def _special_entries(repo: git.Repo, top: Path, under: str, names: list[str]) -> list[str]:
    """FIFOs, sockets and devices in the folders git lists (git itself never lists them).

    So a FIFO named ``x.yaml`` is reported like a file, not dropped; what git
    would ignore there stays ignored.
    """
    folders = {posixpath.dirname(name) for name in names} | {"" if under == "." else under}
    found = []
    for folder in sorted(folders):
        try:
            with os.scandir(top / folder) as entries:
                for entry in entries:
                    if not (
                        entry.is_dir(follow_symlinks=False)
                        or entry.is_file(follow_symlinks=False)
                        or entry.is_symlink()
                    ):
                        found.append(posixpath.join(folder, entry.name))
        except OSError:
            continue
    if not found:
        return []
    try:
        ignored = set(repo.git.check_ignore("--", *found).splitlines())
    except git.GitCommandError:  # exit status 1: none of them is ignored
        ignored = set()
    return [name for name in found if name not in ignored]


def work_tree_root(path: Path) -> Path | None:
    """The root of the git work tree holding ``path``, or None outside one."""
    try:
        repo = git.Repo(path if path.is_dir() else path.parent, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandNotFound):
        return None
    return Path(repo.working_tree_dir).resolve() if repo.working_tree_dir else None


def version_control(path: Path) -> VersionControl | None:
    """The repository, commit and branch of the work tree holding ``path``; None outside one.

    The remote is ``origin`` (else the first remote, else the work tree's own
    file URI), with any user name or token removed from its URL: a report is
    uploaded and shared, a credential in a clone's URL must not be.
    """
    try:
        repo = git.Repo(path if path.is_dir() else path.parent, search_parent_directories=True)
        revision = repo.head.commit.hexsha
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandNotFound):
        return None
    except ValueError:  # a repository without a commit yet
        return None
    remotes = sorted(repo.remotes, key=lambda remote: remote.name != "origin")
    uri = ""
    for remote in remotes:
        urls = list(remote.urls)
        if urls:
            uri = public_url(urls[0])
            break
    root = Path(repo.working_tree_dir).resolve() if repo.working_tree_dir else None
    if not uri and root is not None:
        uri = root.as_uri()
    branch = "" if repo.head.is_detached else repo.active_branch.name
    return VersionControl(
        repository_uri=uri,
        revision=revision,
        branch=branch,
        root=root.as_posix() if root is not None else "",
    )


def public_url(url: str) -> str:
    """A remote's URL without credentials; ``git@host:path`` becomes ``ssh://host/path``,
    a local path a file URI."""
    if url.startswith("/"):
        return Path(url).as_uri()
    if "://" not in url and ":" in url and not url.startswith("/"):
        host, _, rest = url.partition(":")
        url = f"ssh://{host}/{rest.lstrip('/')}"
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _parse_name_status(out: str) -> list[Change]:
    fields = out.split("\0")
    changes: list[Change] = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i][0]
        if status in "RC":
            changes.append(Change(status, fields[i + 2], fields[i + 1]))
            i += 3
        else:
            changes.append(Change(status, fields[i + 1]))
            i += 2
    return changes
