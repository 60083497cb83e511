"""Command lines as a container runs them: Kubernetes and shell variable expansion, shell words.

Kubernetes replaces ``$(VAR)`` in ``command`` and ``args`` with the
container's ``env`` value before it starts the container, and a script
passed to a shell (``["/bin/sh", "-c", "vllm serve ..."]``) is split into
words and has ``$VAR``/``${VAR}`` replaced by the shell. Reading a model
server's flags means reading its words after both: these functions do
that, with the ``env`` values a container declares (name -> value and the
path it is written at). A variable the ``env`` does not set stays as
written, so the value it ends up in reads as a placeholder.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import TypeAlias

from greengate.load import PathKey

Env: TypeAlias = Mapping[str, tuple[str, PathKey]]
"""A container's ``env`` values: name -> (value, path of the value)."""

_K8S_VAR = re.compile(r"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)")
_SHELL_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_ONE_VAR = re.compile(r"^\$(?:\(([A-Za-z_]\w*)\)|\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))$")


def expand_k8s(text: str, env: Env) -> str:
    """``text`` with each ``$(VAR)`` the ``env`` sets replaced, as Kubernetes does (``$$(VAR)`` stays)."""
    return _K8S_VAR.sub(lambda m: env[m.group(1)][0] if m.group(1) in env else m.group(0), text)


def expand_shell(text: str, env: Env) -> str:
    """``text`` with each ``$VAR`` and ``${VAR}`` the ``env`` sets replaced, as ``sh`` does."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return env[name][0] if name in env else match.group(0)

    return _SHELL_VAR.sub(replace, text)


def variable_name(text: str) -> str | None:
    """The variable ``text`` is nothing but a reference to (``$(X)``, ``${X}``, ``$X``), if any."""
    match = _ONE_VAR.match(text)
    if not match:
        return None
    return match.group(1) or match.group(2) or match.group(3)


def split_shell(script: str) -> list[str]:
    """Words of a shell script, as ``sh`` would split them (and still when quotes do not balance)."""
    text = script.replace("\\\r\n", " ").replace("\\\n", " ")
    # Whole-line comments only: shlex would also cut a word at a '#' inside it (a URL fragment).
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    try:
        words = shlex.split(text)
    except ValueError:
        words = [w.strip("'\"") for w in text.split()]
    out: list[str] = []
    for word in words:
        word = word.strip(";")
        if word and word not in ("&&", "||", "|", "&"):
            out.append(word)
    return out
