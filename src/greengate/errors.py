"""The one exception hierarchy, and the exit codes that are greengate's contract.

Every error that stops a run is a :class:`GreengateError`; the CLI turns it into
one sentence on stderr and exit code 2. Problems with a single manifest are
never raised: they become findings with status ``error`` so that every other
file is still checked.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Process exit codes (documented in ``--help`` and the README)."""

    OK = 0
    """No failing finding at or above the ``--fail-on`` severity."""
    FAILED = 1
    """At least one failing (or erroring) finding at or above ``--fail-on``."""
    USAGE = 2
    """greengate could not do its job: bad arguments, config or policy."""


class GreengateError(Exception):
    """An error that stops the run. ``str()`` is the one-sentence message."""

    exit_code = ExitCode.USAGE


class UsageError(GreengateError):
    """Command-line arguments that contradict each other or cannot be used."""


class ConfigError(GreengateError):
    """A config file, catalog extension or command-line value is invalid."""


class PolicyError(GreengateError):
    """A policy file does not validate or its CEL does not compile."""


class ManifestError(GreengateError):
    """A manifest cannot be read; turned into an error finding, never fatal."""


class GitError(GreengateError):
    """A git operation (ref, diff, object read) failed."""
