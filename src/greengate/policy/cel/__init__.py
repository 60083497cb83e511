"""The CEL engine behind greengate's policies, and the one place that picks it.

:mod:`~greengate.policy.cel.backend` is the interface the loader and the
engine use; :mod:`~greengate.policy.cel.celpython` implements it on
cel-python. Nothing outside this package imports a CEL library or an
implementation: it asks :func:`default_backend`.
"""

from __future__ import annotations

import functools

from greengate.policy.cel.backend import Backend


@functools.cache
def default_backend() -> Backend:
    """The backend policies are compiled and evaluated with, one per process.

    Imported here, on first use, so that reading the interface costs no CEL
    library import.
    """
    from greengate.policy.cel.celpython import CelPythonBackend

    return CelPythonBackend()
