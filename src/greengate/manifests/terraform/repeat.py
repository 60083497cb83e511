"""``for_each`` and ``count`` on a node pool block: one deployment per key, or replicas times the count.

- ``for_each`` over a map greengate can read (a literal, or a ``var.``/``local.``
  map with a default or a tfvars value in the folder): the block is read once
  per key with ``each.key`` and ``each.value.<x>`` resolved to that entry (the
  facts then point at the lines of that key's values), and each deployment is
  named ``<address>["<key>"]``. A ``for_each`` greengate cannot read (a
  function, a variable without a value) is read once, ``each.*`` unresolved:
  reported with its facts unknown, never dropped.
- ``count = N`` (a number greengate can read) makes N identical pools; they
  are modelled as one deployment whose replicas are N times one pool's, the
  fact's detail saying so. ``count = 0`` creates nothing: no deployment. A
  count greengate cannot read (``var.enabled ? 1 : 0``) is read as one pool.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from greengate.load import PathKey
from greengate.manifests.common import number
from greengate.manifests.terraform.folder import Folder
from greengate.records.deployment import Deployment


def repeated(
    folder: Folder, base: PathKey, address: str, read: Callable[[Folder], list[Deployment]]
) -> list[Deployment]:
    """The deployments of the block at ``base``, for each of its ``for_each`` keys or times its ``count``."""
    if folder.document.get((*base, "for_each")) is not None:
        document, path = folder.locate((*base, "for_each"))
        entries = document.get(path)
        if not isinstance(entries, dict) or not entries:
            return read(folder)
        found: list[Deployment] = []
        for key in entries:
            for deployment in read(folder.bound(str(key), document, (*path, key))):
                found.append(_renamed(deployment, address, f'{address}["{key}"]'))
        return found
    count = folder.resolve((*base, "count"))
    times = number(count.value) if count is not None and count.known else None
    if count is None or not isinstance(times, int) or isinstance(times, bool) or times == 1:
        return read(folder)
    if times <= 0:
        return []
    where = f"{count.location.line}"
    return [_counted(d, times, where) for d in read(folder)]


def _renamed(deployment: Deployment, address: str, name: str) -> Deployment:
    new = deployment.name.replace(address, name, 1)
    facts = dict(deployment.facts)
    if "name" in facts:
        facts["name"] = replace(facts["name"], value=new)
    return replace(deployment, name=new, facts=facts)


def _counted(deployment: Deployment, times: int, line: str) -> Deployment:
    facts = dict(deployment.facts)
    for name in ("replicas.min", "replicas.max"):
        fact = facts.get(name)
        if fact is not None and isinstance(fact.value, int) and not isinstance(fact.value, bool):
            note = f"x {times} (count = {times} at line {line}: {times} identical node pools)"
            detail = "; ".join(d for d in (fact.detail, note) if d)
            facts[name] = replace(fact, value=fact.value * times, detail=detail)
    return replace(deployment, facts=facts)
