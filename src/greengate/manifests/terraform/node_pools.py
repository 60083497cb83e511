"""GPU/TPU node pools in Terraform: GKE ``google_container_node_pool``, EKS ``aws_eks_node_group``, AKS node pools.

A node pool is hardware, not a workload: it is a deployment only when it
states an accelerator (a GPU/TPU machine family, a ``guest_accelerator``, a
TPU placement), and its hints say that the model, task and workload of what
runs on it must be declared. Each cloud counts nodes and names regions its
own way, hence one mapper per resource type.
"""

from __future__ import annotations

import re

from greengate.load import Document, PathKey
from greengate.manifests.base import FactReader
from greengate.manifests.common import DECLARE, Resolved
from greengate.manifests.terraform.facts import derived, finish_deployment, put, put_number
from greengate.manifests.terraform.folder import Folder
from greengate.records.deployment import Deployment, FactSource
from greengate.records.units import region_of_zone

_ACCELERATED = {
    "gcp": re.compile(r"(?:a\d|g\d|ct\d|tpu)", re.IGNORECASE),
    "aws": re.compile(r"(?:ml\.)?(?:p\d|g\d|inf\d|trn\d|dl\d)", re.IGNORECASE),
    "azure": re.compile(r"standard_n", re.IGNORECASE),
}
"""Machine-type prefixes of the GPU/TPU families (GCP a2/a3/g2/ct5lp..., AWS p/g/inf/trn, Azure N-series)."""
_REGION = re.compile(r"[a-z]+-[a-z]+\d+")


def unknown(machine: Resolved | None) -> bool:
    """Whether a machine type is written but cannot be read (a variable without a value greengate sees).

    Such a node pool is reported even with no other sign of an accelerator:
    ``var.machine_type`` may well be a GPU machine, and a pool greengate cannot
    tell apart must not pass by omission. Its missing-fact findings say how to
    give the variable a value (a default or a ``terraform.tfvars`` entry); a
    CPU machine type there then removes the pool from the report.
    """
    return machine is not None and not machine.known


def resolve_types(
    folder: Folder, path: PathKey, document: Document | None = None
) -> Resolved | None:
    """An ``instance_types`` list with each entry resolved (``[local.gpu_type]``); unknown if any entry is."""
    found = folder.resolve(path, document)
    if found is None or not found.known or not isinstance(found.value, list):
        return found
    where, at = folder.locate(path, document)
    entries = [folder.resolve((*at, i), where) for i in range(len(found.value))]
    if any(e is None or not e.known for e in entries):
        return Resolved(folder.document.get(path, found.value), found.location, known=False)
    values = [e.value for e in entries if e is not None]
    if len(entries) == 1 and entries[0] is not None:
        only = entries[0]
        detail = "; ".join(d for d in (found.detail, only.detail) if d)
        return Resolved(values, only.location, detail)
    return Resolved(values, found.location, found.detail)


def explain_unknown(reader: FactReader, machine: Resolved | None, field: str) -> None:
    """Say, in the accelerator's hint, that the machine type is a variable greengate cannot read."""
    if not unknown(machine) or machine is None:
        return
    reader.hints["hardware.accelerator"] = (
        f"{field} is {machine.value} (line {machine.location.line}), which has no value greengate can read:"
        " give the variable a default or a terraform.tfvars value (a CPU machine type there takes the pool"
        f" out of the report), or {DECLARE}"
    )


def accelerated_types(types: Resolved | None) -> list[str]:
    """The accelerated (GPU/Neuron) entries of a known ``instance_types`` list (or one type)."""
    if types is None or not types.known:
        return []
    values = types.value if isinstance(types.value, list) else [types.value]
    return [t for t in values if isinstance(t, str) and _ACCELERATED["aws"].match(t)]


def instance_types(reader: FactReader, types: Resolved | None) -> None:
    """``hardware.instanceType`` from an EKS ``instance_types`` list: a fact only when it names one type.

    With several types the group launches whichever EC2 has capacity: the
    first is not a fact, so the list is kept as unresolved and its hint says so.
    """
    if types is None:
        return
    values = types.value if isinstance(types.value, list) else [types.value]
    if types.known and len(values) == 1 and isinstance(values[0], str):
        put(reader, "hardware.instanceType", types, values[0])
        return
    if types.known and len(values) > 1:
        shown = ", ".join(str(v) for v in values)
        reader.hints["hardware.instanceType"] = (
            f"the node group may launch any of its {len(values)} instance_types ({shown}, line {types.location.line}):"
            f" greengate does not pick one; list a single type, or {DECLARE}"
        )
        return
    put(reader, "hardware.instanceType", types)


def gke_node_pool(folder: Folder, name: str, index: int) -> list[Deployment]:
    """The GKE node pool as a deployment, or nothing when it states no GPU/TPU."""
    base: PathKey = ("resource", "google_container_node_pool", name, index)
    config = folder.block((*base, "node_config"))
    machine = folder.resolve((*config, "machine_type")) if config is not None else None
    accelerator = folder.block((*config, "guest_accelerator")) if config is not None else None
    placement = folder.block((*base, "placement_policy"))
    topology = folder.resolve((*placement, "tpu_topology")) if placement is not None else None
    machine_type = machine.value if machine is not None and machine.known else None
    accelerated = (
        accelerator is not None
        or topology is not None
        or (isinstance(machine_type, str) and bool(_ACCELERATED["gcp"].match(machine_type)))
    )
    if not accelerated and not unknown(machine):
        return []
    reader = FactReader(folder.document)
    derived(reader, "cloud.provider", "gcp", base, "a google_ resource runs on Google Cloud")
    topology_note = (
        f"TPU slice topology {topology.value} (placement_policy.tpu_topology)"
        if topology is not None and topology.known
        else ""
    )
    put(reader, "hardware.instanceType", machine, detail=topology_note)
    if accelerator is None:
        explain_unknown(reader, machine, "node_config.machine_type")
    if accelerator is not None:
        put(
            reader,
            "hardware.accelerator",
            folder.resolve((*accelerator, "type")),
            detail="guest_accelerator.type",
        )
        put_number(
            reader,
            "hardware.count",
            folder.resolve((*accelerator, "count")),
            "guest_accelerator.count (per node)",
        )
    zones = _gke_region(folder, reader, base)
    _gke_replicas(folder, reader, base, zones)
    reader.anchor("", base)
    reader.anchor("hardware", *(p for p in (config, base) if p is not None))
    reader.anchor("cloud", (*base, "node_locations"), (*base, "location"), base)
    reader.anchor("replicas", (*base, "autoscaling"), (*base, "node_count"), base)
    return [
        finish_deployment(
            reader,
            f"google_container_node_pool.{name}",
            "google_container_node_pool",
            base,
            node_pool_hints("GKE node pool", "add location (a region or zone) to the node pool"),
        )
    ]


def _gke_region(folder: Folder, reader: FactReader, base: PathKey) -> int | None:
    """Record the region; return how many zones the pool spans (None when unknown)."""
    locations = folder.resolve((*base, "node_locations"))
    if (
        locations is not None
        and locations.known
        and isinstance(locations.value, list)
        and locations.value
    ):
        zones = [z for z in locations.value if isinstance(z, str)]
        regions = {r[0] for z in zones if (r := _gcp_zone(z))}
        if len(regions) == 1 and len(zones) == len(locations.value):
            region = regions.pop()
            detail = f"node_locations zones {', '.join(zones)} are in region {region}"
            put(reader, "cloud.region", locations, region, detail, FactSource.DERIVED)
            return len(zones)
    location = folder.resolve((*base, "location"))
    if location is None:
        return None
    if not location.known or not isinstance(location.value, str):
        put(reader, "cloud.region", location)
        return None
    zone = _gcp_zone(location.value)
    if zone is not None:
        detail = f"zone {location.value} is in region {zone[0]}"
        put(reader, "cloud.region", location, zone[0], detail, FactSource.DERIVED)
        return 1
    if _REGION.fullmatch(location.value):
        put(reader, "cloud.region", location)
    return None


def _gcp_zone(name: str) -> tuple[str, str] | None:
    """A GKE zone (``us-central1-a``, written as is) and its region; None for anything else."""
    zone = region_of_zone(name) if name == name.strip().lower() else None
    return zone if zone is not None and zone[1] == "gcp" else None


def _gke_replicas(folder: Folder, reader: FactReader, base: PathKey, zones: int | None) -> None:
    autoscaling = folder.block((*base, "autoscaling"))
    per_zone = (
        "per zone (a regional pool runs this many in each of its zones)" if zones is None else ""
    )
    times = zones or 1
    spread = f" x {zones} zones" if zones and zones > 1 else ""
    if autoscaling is not None:
        for bound in ("min", "max"):
            total = folder.resolve((*autoscaling, f"total_{bound}_node_count"))
            if total is not None:
                put_number(
                    reader, f"replicas.{bound}", total, f"autoscaling.total_{bound}_node_count"
                )
            else:
                detail = f"autoscaling.{bound}_node_count{spread} {per_zone}".strip()
                put_number(
                    reader,
                    f"replicas.{bound}",
                    folder.resolve((*autoscaling, f"{bound}_node_count")),
                    detail,
                    times,
                )
    for key in ("node_count", "initial_node_count"):
        count = folder.resolve((*base, key))
        detail = f"{key}{spread} {per_zone}".strip()
        put_number(reader, "replicas.min", count, detail, times)
        put_number(reader, "replicas.max", count, detail, times)


def eks_node_group(folder: Folder, name: str, index: int) -> list[Deployment]:
    """The EKS node group as a deployment, or nothing when its first instance type has no accelerator."""
    base: PathKey = ("resource", "aws_eks_node_group", name, index)
    types = resolve_types(folder, (*base, "instance_types"))
    if not unknown(types) and not accelerated_types(types):
        return []
    reader = FactReader(folder.document)
    derived(reader, "cloud.provider", "aws", base, "an aws_ resource runs on AWS")
    instance_types(reader, types)
    explain_unknown(reader, types, "instance_types")
    scaling = folder.block((*base, "scaling_config"))
    if scaling is not None:
        put_number(
            reader,
            "replicas.min",
            folder.resolve((*scaling, "min_size")),
            "scaling_config.min_size",
        )
        put_number(
            reader,
            "replicas.max",
            folder.resolve((*scaling, "max_size")),
            "scaling_config.max_size",
        )
    put(reader, "cloud.region", folder.aws_region())
    reader.anchor("", base)
    reader.anchor("hardware", (*base, "instance_types"), base)
    reader.anchor("replicas", (*base, "scaling_config"), base)
    return [
        finish_deployment(
            reader,
            f"aws_eks_node_group.{name}",
            "aws_eks_node_group",
            base,
            node_pool_hints("EKS node group", 'set region in the provider "aws" block'),
        )
    ]


def aks_node_pool(
    folder: Folder, base: PathKey, shown: str, location: PathKey | None
) -> list[Deployment]:
    """An AKS node pool (a resource, or a cluster's ``default_node_pool`` at ``base``) with a GPU ``vm_size``.

    ``location`` is the cluster's, when the pool is written inside it: a
    separate node pool resource states no region of its own.
    """
    size = folder.resolve((*base, "vm_size"))
    accelerated = (
        size is not None
        and isinstance(size.value, str)
        and bool(_ACCELERATED["azure"].match(size.value))
    )
    if not accelerated and not unknown(size):
        return []
    reader = FactReader(folder.document)
    derived(reader, "cloud.provider", "azure", base, "an azurerm_ resource runs on Azure")
    put(reader, "hardware.instanceType", size)
    explain_unknown(reader, size, "vm_size")
    if location is not None:
        put(reader, "cloud.region", folder.resolve(location))
    # With autoscaling bounds, they give the replicas; node_count, read after, only fills a gap.
    if folder.document.get((*base, "max_count")) is not None:
        put_number(reader, "replicas.min", folder.resolve((*base, "min_count")), "min_count")
        put_number(reader, "replicas.max", folder.resolve((*base, "max_count")), "max_count")
    count = folder.resolve((*base, "node_count"))
    put_number(reader, "replicas.min", count, "node_count")
    put_number(reader, "replicas.max", count, "node_count")
    reader.anchor("", base)
    reader.anchor("hardware", (*base, "vm_size"), base)
    reader.anchor("replicas", (*base, "node_count"), base)
    return [
        finish_deployment(
            reader,
            shown,
            str(base[1]),
            base,
            node_pool_hints(
                "AKS node pool",
                "the region is the cluster's location (azurerm_kubernetes_cluster.location)",
            ),
        )
    ]


def node_pool_hints(what: str, region: str) -> dict[str, str]:
    return {
        "task": f"a {what} does not say which workloads run on it; {DECLARE}",
        "workload": f"a {what} does not say whether it trains or serves; {DECLARE}",
        "model.name": f"a {what} does not say which model runs on it; {DECLARE}",
        "model.parameters": f"a {what} does not say which model runs on it; {DECLARE}",
        "cloud.region": f"{region}, or {DECLARE}",
        "hardware.accelerator": "state the accelerator (guest_accelerator type) or a machine type greengate's catalog knows, or add it in a catalog extension file (--catalog)",
        "rateLimits.requestsPerMinute": f"a {what} does not limit requests; enforce limits at the gateway of the services it runs and {DECLARE}",
        "rateLimits.tokensPerMinute": f"a {what} does not limit tokens; enforce limits at the gateway of the services it runs and {DECLARE}",
        "owner": f"Terraform has no owner field greengate reads; {DECLARE}",
    }
