"""Cloud and region from the Terraform that creates the cluster, in the workload's folder.

A ``.tf`` file beside Kubernetes workloads that creates their cluster says
where they run:

- GKE: ``resource "google_container_cluster"``'s ``location`` (a zone such
  as ``us-central1-a`` names its region ``us-central1``) -> ``gcp``;
- EKS: ``resource "aws_eks_cluster"`` or ``module`` whose ``source`` is
  ``terraform-aws-modules/eks/aws``, with the region of a
  ``provider "aws" { region = ... }`` block (the one without an ``alias``)
  -> ``aws``;
- AKS: ``resource "azurerm_kubernetes_cluster"``'s ``location`` -> ``azure``.

A value that is a plain ``var.NAME`` is read from that variable's literal
``default`` in the folder's ``.tf`` files (the fact points there). Any other
expression is unknown: nothing is recorded. Only one cluster (or several in
one region of one cloud) gives facts; clusters in different places give none.
A workload that states its provider or region (annotation) keeps its own,
and gets neither fact from the cluster.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from greengate.load import Document, PathKey
from greengate.manifests.base import is_placeholder
from greengate.manifests.links.workloads import Workload
from greengate.records.deployment import Fact, FactSource
from greengate.records.location import Location
from greengate.records.units import region_of_zone

_RESOURCES = {
    "google_container_cluster": "gcp",
    "aws_eks_cluster": "aws",
    "azurerm_kubernetes_cluster": "azure",
}
_EKS_MODULE = "terraform-aws-modules/eks/aws"
_VARIABLE = re.compile(r"^var\.([A-Za-z_][\w-]*)$")


@dataclass(frozen=True)
class Cluster:
    provider: str
    region: str
    location: Location
    address: str
    detail: str


def is_terraform(document: Document) -> bool:
    """A Terraform file (its clusters, providers and variables may place the folder's workloads)."""
    return document.file.endswith(".tf") and isinstance(document.data, dict)


def link_clusters(workloads: Sequence[Workload], documents: Sequence[Document]) -> None:
    """Give every workload that states neither provider nor region the cluster's."""
    files = [d for d in documents if is_terraform(d)]
    clusters = [c for d in files for c in read_clusters(d, files)]
    places = {(c.provider, c.region) for c in clusters}
    if len(places) != 1:
        return
    cluster = clusters[0]
    for workload in workloads:
        if workload.states("cloud.provider") or workload.states("cloud.region"):
            continue
        detail = (
            f"Terraform cluster {cluster.address} in {posixpath.basename(cluster.location.file)}"
        )
        workload.give(
            "cloud.provider",
            Fact(cluster.provider, cluster.location, FactSource.LINKED, detail),
        )
        workload.give(
            "cloud.region",
            Fact(
                cluster.region, cluster.location, FactSource.LINKED, f"{detail}: {cluster.detail}"
            ),
        )


def read_clusters(document: Document, files: Sequence[Document]) -> list[Cluster]:
    """The clusters ``document`` creates whose place is known (``files``: for variables)."""
    found: list[Cluster] = []
    resources = document.data.get("resource")
    for kind, provider in _RESOURCES.items():
        blocks = resources.get(kind) if isinstance(resources, dict) else None
        for name in blocks if isinstance(blocks, dict) else ():
            path: PathKey = ("resource", kind, name, 0)
            body = document.get(path)
            if not isinstance(body, dict):
                continue
            if provider == "aws":
                place = _aws_region(files)
            else:
                place = _value(document, (*path, "location"), files)
            if place is not None:
                found.append(_cluster(provider, place, f"{kind}.{name}"))
    modules = document.data.get("module")
    for name, _ in modules.items() if isinstance(modules, dict) else ():
        source = document.get(("module", name, 0, "source"))
        if isinstance(source, str) and source.strip().startswith(_EKS_MODULE):
            place = _aws_region(files)
            if place is not None:
                found.append(_cluster("aws", place, f"module.{name}"))
    return found


def _cluster(provider: str, place: tuple[str, Location, str], address: str) -> Cluster:
    value, location, detail = place
    zone = region_of_zone(value) if provider == "gcp" and value == value.strip().lower() else None
    if zone is not None and zone[1] == "gcp":
        return Cluster(provider, zone[0], location, address, f"{detail} (zone {value})")
    return Cluster(provider, value, location, address, detail)


def _aws_region(files: Sequence[Document]) -> tuple[str, Location, str] | None:
    """The region of the folder's one ``provider "aws"`` block without an alias."""
    regions: list[tuple[str, Location, str]] = []
    for document in files:
        blocks = document.get(("provider", "aws"))
        for i, block in enumerate(blocks if isinstance(blocks, list) else []):
            if not isinstance(block, dict) or "alias" in block:
                continue
            place = _value(document, ("provider", "aws", i, "region"), files)
            if place is not None:
                regions.append((place[0], place[1], f'provider "aws" {place[2]}'))
    return regions[0] if len({r[0] for r in regions}) == 1 else None


def _value(
    document: Document, path: PathKey, files: Sequence[Document]
) -> tuple[str, Location, str] | None:
    raw = document.get(path)
    key = str(path[-1])
    if isinstance(raw, str):
        variable = _VARIABLE.match(raw.strip())
        if variable is not None:
            return _variable(variable.group(1), files, key)
    if _literal(raw):
        return str(raw).strip(), document.location(path), key
    return None


def _variable(name: str, files: Sequence[Document], key: str) -> tuple[str, Location, str] | None:
    for document in files:
        path: PathKey = ("variable", name, 0, "default")
        raw = document.get(path)
        if _literal(raw):
            return str(raw).strip(), document.location(path), f"{key} var.{name} (its default)"
    return None


def _literal(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not is_placeholder(value)
