"""Which Kubernetes resources are accelerators, and how many of them a container requests.

A container asks for accelerators by extended resource name in
``resources.limits`` (or, when it has no limit, ``requests``):
``nvidia.com/gpu``, ``google.com/tpu``, ``aws.amazon.com/neuron``,
``aws.amazon.com/neurondevice``, ``aws.amazon.com/neuroncore``,
``amd.com/gpu``, ``habana.ai/gaudi``, ``gpu.intel.com/*`` and
``nvidia.com/mig-*``. :func:`resource_count` sums them over the kinds a
container names; a count that is not a whole number is a
:class:`~greengate.manifests.base.ManifestProblem`.
"""

from __future__ import annotations

from greengate.load import Document, PathKey
from greengate.manifests.base import ManifestProblem
from greengate.manifests.kube.values import Found, unresolved, whole_number

ACCELERATOR_RESOURCES = (
    "nvidia.com/gpu",
    "google.com/tpu",
    "aws.amazon.com/neuron",
    "aws.amazon.com/neurondevice",
    "aws.amazon.com/neuroncore",
    "amd.com/gpu",
    "habana.ai/gaudi",
)
ACCELERATOR_RESOURCE_PREFIXES = ("gpu.intel.com/", "nvidia.com/mig-")

NEURON_DEVICES = ("aws.amazon.com/neuron", "aws.amazon.com/neurondevice")
"""Neuron device plugin resources counted in devices (one Inferentia or Trainium chip each)."""
NEURON_CORES = "aws.amazon.com/neuroncore"
"""Counted in NeuronCores, not devices: see :data:`NEURON_CORES_PER_DEVICE`."""

NEURON_CORES_PER_DEVICE = {
    "inf1": 4,
    "inf2": 2,
    "trn1": 2,
    "trn1n": 2,
    "trn2": 4,
    "trn2u": 4,
}
"""NeuronCores the Neuron device plugin counts per device, by EC2 instance family.

AWS Neuron documentation, "Neuron hardware" (Inferentia: 4 NeuronCores-v1
per chip; Inferentia2 and Trainium: 2 NeuronCores-v2 per device; Trainium2:
8 physical NeuronCores-v3 per device, exposed as 4 logical cores with the
default logical NeuronCore configuration LNC=2, which is what
``aws.amazon.com/neuroncore`` counts). A family not listed here (or no family
at all) leaves a NeuronCore count unconverted: greengate does not guess how
many devices it is.
"""


def is_neuron(name: str | None) -> bool:
    return name in NEURON_DEVICES or name == NEURON_CORES


def accelerator_resource(name: str) -> bool:
    return name in ACCELERATOR_RESOURCES or name.startswith(ACCELERATOR_RESOURCE_PREFIXES)


def resource_count(
    document: Document, resources: PathKey, problems: list[ManifestProblem]
) -> tuple[Found | None, str | None]:
    """Accelerators requested at ``resources`` (``limits``, else ``requests``), summed over kinds."""
    total = 0
    first: Found | None = None
    kinds: list[str] = []
    placeholder: Found | None = None
    for section in ("limits", "requests"):
        values = document.get((*resources, section))
        if values is None:
            continue
        if not isinstance(values, dict):
            problems.append(
                ManifestProblem(
                    document.location((*resources, section)),
                    f"resources.{section} must be a mapping of resource names to quantities, not {type(values).__name__}",
                )
            )
            continue
        for key, raw in values.items():
            if not accelerator_resource(str(key)) or str(key) in kinds:
                continue
            path = (*resources, section, key)
            if raw is None:
                continue
            if unresolved(raw):
                placeholder = placeholder or Found(
                    raw, document.location(path), f"resources.{section} {key}"
                )
                kinds.append(str(key))
                continue
            number = whole_number(raw)
            if number is None or number < 0:
                problems.append(
                    ManifestProblem(
                        document.location(path),
                        f"resources.{section} {key}: {raw!r} is not a whole number of devices",
                        accelerator=True,
                    )
                )
                continue
            kinds.append(str(key))
            total += number
            if first is None:
                first = Found(number, document.location(path), f"resources.{section} {key}")
    if first is not None:
        detail = first.detail if len(kinds) == 1 else f"resources {', '.join(kinds)}"
        return Found(total, first.location, detail), kinds[0]
    if placeholder is not None:
        return placeholder, None
    return None, None
