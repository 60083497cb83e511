"""A pod's containers as greengate reads them: command line, environment, accelerators requested.

:func:`read_container` reads one container of a pod spec into a
:class:`Container`: its name and image, its ``env`` values, the words of
its command line (``command`` then ``args``, as Kubernetes runs them, see
:mod:`.shell`; ``VLLM_ADDITIONAL_ARGS`` of llm-d and KServe read as more
arguments) each with its own location, and the accelerators its
``resources`` request (:mod:`.resources`). :func:`flag_values` and
:func:`env_values` then find what a model server was told, pointing at the
``env`` entry a value came from when the flag held only ``$(VAR)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from greengate.load import Document, PathKey
from greengate.manifests.base import ManifestProblem
from greengate.manifests.kube.resources import resource_count
from greengate.manifests.kube.shell import (
    Env,
    expand_k8s,
    expand_shell,
    split_shell,
    variable_name,
)
from greengate.manifests.kube.values import Found, unresolved
from greengate.records.location import Location

# Environment variables whose value is read as more command-line arguments (llm-d, KServe).
EXTRA_ARGS_ENV = ("VLLM_ADDITIONAL_ARGS",)


@dataclass(frozen=True)
class Token:
    """One word of a container's command line, after Kubernetes' ``$(VAR)`` expansion."""

    text: str
    raw: str
    location: Location


@dataclass
class Container:
    path: PathKey
    name: str
    image: str
    tokens: list[Token]
    env: dict[str, tuple[str, PathKey]]
    count: Found | None = None
    resource: str | None = None

    @property
    def words(self) -> list[str]:
        return [t.text for t in self.tokens]


def _env(document: Document, path: PathKey) -> dict[str, tuple[str, PathKey]]:
    env: dict[str, tuple[str, PathKey]] = {}
    items = document.get((*path, "env"))
    if not isinstance(items, list):
        return env
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        value = item.get("value")
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            env[item["name"]] = (str(value), (*path, "env", i, "value"))
    return env


def _script_location(
    document: Document, path: PathKey, raw: str, word: str, cursor: int
) -> tuple[Location, int]:
    """Where ``word`` sits inside the (block) scalar at ``path``; the scalar's start when unknown."""
    base = document.location(path)
    span = document.span(path)
    pos = raw.find(word, cursor) if word else -1
    if pos < 0 or span is None:
        return base, cursor
    if span.style == "|":
        line = base.line + 1 + raw.count("\n", 0, pos)
        return Location(base.file, line, 1), pos + len(word)
    return base, pos + len(word)


def tokens_of(document: Document, path: PathKey, env: Env) -> list[Token]:
    """The command line of the container at ``path``: ``command`` then ``args``."""
    tokens: list[Token] = []
    for key in ("command", "args"):
        items = document.get((*path, key))
        if isinstance(items, str | int | float) and not isinstance(items, bool):
            items = [items]
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if item is None or isinstance(item, dict | list):
                continue
            tokens.extend(_item_tokens(document, (*path, key, i), str(item), env))
    for name in EXTRA_ARGS_ENV:
        if name in env:
            text, env_path = env[name]
            tokens.extend(_item_tokens(document, env_path, text, env, script=True))
    return tokens


def _item_tokens(
    document: Document,
    path: PathKey,
    raw: str,
    env: Env,
    *,
    script: bool = False,
) -> list[Token]:
    expanded = expand_k8s(raw, env)
    if not script and not any(c.isspace() for c in expanded.strip()):
        return [Token(expanded.strip(), raw.strip(), document.location(path))]
    out: list[Token] = []
    cursor = 0
    for word in split_shell(expanded):
        location, cursor = _script_location(document, path, raw, word, cursor)
        out.append(Token(expand_shell(word, env), word, location))
    return out


def read_container(
    document: Document, path: PathKey, problems: list[ManifestProblem]
) -> Container | None:
    data = document.get(path)
    if not isinstance(data, dict):
        return None
    env = _env(document, path)
    name = data.get("name")
    image = data.get("image")
    container = Container(
        path=path,
        name=str(name) if isinstance(name, str) else "",
        image=str(image) if isinstance(image, str) else "",
        tokens=tokens_of(document, path, env),
        env=env,
    )
    resources = document.get((*path, "resources"))
    if resources is not None and not isinstance(resources, dict):
        problems.append(
            ManifestProblem(
                document.location((*path, "resources")),
                "resources must be a mapping with limits and requests",
            )
        )
    elif resources is not None:
        container.count, container.resource = resource_count(
            document, (*path, "resources"), problems
        )
    return container


def container_paths(
    document: Document, spec: PathKey, problems: list[ManifestProblem], key: str = "containers"
) -> list[PathKey]:
    items = document.get((*spec, key))
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append(
            ManifestProblem(
                document.location((*spec, key)),
                f"{key} must be a list of containers, not {type(items).__name__}",
            )
        )
        return []
    return [(*spec, key, i) for i in range(len(items))]


def flag_values(container: Container, names: Sequence[str], document: Document) -> list[Found]:
    """Values given to any of ``names`` (``--x v`` or ``--x=v``), in command-line order."""
    found: list[Found] = []
    tokens = container.tokens
    for i, token in enumerate(tokens):
        text = token.text
        for name in names:
            if text == name and i + 1 < len(tokens) and not tokens[i + 1].text.startswith("--"):
                nxt = tokens[i + 1]
                found.append(
                    _located(
                        nxt.text, nxt.raw, nxt.location, container, document, f"{name} argument"
                    )
                )
                break
            if text.startswith(name + "="):
                raw = token.raw.split("=", 1)[1] if "=" in token.raw else text
                found.append(
                    _located(
                        text[len(name) + 1 :],
                        raw,
                        token.location,
                        container,
                        document,
                        f"{name} argument",
                    )
                )
                break
    return found


def _located(
    value: str, raw: str, location: Location, container: Container, document: Document, detail: str
) -> Found:
    """A value, pointing at the env entry it came from when it was only ``$(VAR)``/``$VAR``."""
    value = value.strip().strip("'\"")
    reference = raw.strip().strip("'\"")
    name = variable_name(reference)
    if name is not None and name in container.env and not unresolved(value):
        _, env_path = container.env[name]
        note = f"{reference} at line {location.line}, set by env {name}"
        return Found(value, document.location(env_path), f"{detail} ({note})")
    return Found(value, location, detail)


def env_values(container: Container, names: Sequence[str], document: Document) -> list[Found]:
    found: list[Found] = []
    for name in names:
        if name in container.env:
            value, path = container.env[name]
            found.append(Found(value.strip(), document.location(path), f"env {name}"))
    return found
