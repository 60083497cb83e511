"""Node labels a pod requires: AWS Neuron families, regions and zones; and what pods make of them."""

from __future__ import annotations

import pytest
from support import load_text

from greengate.manifests.base import FactReader
from greengate.manifests.kube.pods import put_pod, read_pod
from greengate.manifests.kube.scheduling import neuron_family, node_selectors, region_of_zone
from greengate.records.deployment import FactSource


def pod(selector: str, resources: str = "aws.amazon.com/neuron: 2", env: str = "") -> str:
    return f"""
spec:
  nodeSelector:
    {selector}
  containers:
  - name: c
    image: public.ecr.aws/neuron/pytorch-inference-vllm-neuronx:0.9.1
    {env}
    resources:
      limits:
        {resources}
"""


@pytest.mark.parametrize(
    ("selector", "family"),
    [
        ("node.kubernetes.io/instance-type: inf2.xlarge", "inf2"),
        ("node.kubernetes.io/instance-type: trn1n.32xlarge", "trn1n"),
        ("beta.kubernetes.io/instance-type: inf1.6xlarge", "inf1"),
        ("karpenter.k8s.aws/instance-family: trn2", "trn2"),
        ("eks.amazonaws.com/instance-family: inf2", "inf2"),
        ("node.kubernetes.io/instance-type: g5.xlarge", None),
        (
            "karpenter.sh/nodepool: inf2",
            None,
        ),  # a pool's name is the user's, not a label of the node type
    ],
)
def test_neuron_family(selector: str, family: str | None) -> None:
    doc = load_text(pod(selector), "p.yaml")
    found = neuron_family(node_selectors(doc, ("spec",)))
    assert (found.value if found else None) == family


def test_neuron_family_from_karpenter_category_and_generation() -> None:
    doc = load_text(
        pod(
            "karpenter.k8s.aws/instance-category: trn\n"
            "    karpenter.k8s.aws/instance-generation: '1'"
        ),
        "p.yaml",
    )
    found = neuron_family(node_selectors(doc, ("spec",)))
    assert found is not None and found.value == "trn1"


@pytest.mark.parametrize(
    ("selector", "resources", "accelerator", "count"),
    [
        (
            "node.kubernetes.io/instance-type: inf2.48xlarge",
            "aws.amazon.com/neuron: 12",
            "inf2",
            12,
        ),
        (
            "node.kubernetes.io/instance-type: inf2.xlarge",
            "aws.amazon.com/neuroncore: 2",
            "inf2",
            1,
        ),
        ("karpenter.k8s.aws/instance-family: trn1", "aws.amazon.com/neuroncore: 32", "trn1", 16),
        ("karpenter.k8s.aws/instance-family: trn2", "aws.amazon.com/neuroncore: 8", "trn2", 2),
        ("karpenter.k8s.aws/instance-family: inf1", "aws.amazon.com/neuroncore: 4", "inf1", 1),
        (
            "node.kubernetes.io/instance-type: inf2.xlarge",
            "aws.amazon.com/neuroncore: 1",
            "inf2",
            1,
        ),
        ("karpenter.k8s.aws/instance-family: trn3", "aws.amazon.com/neuroncore: 4", "trn3", None),
        ("kubernetes.io/os: linux", "aws.amazon.com/neurondevice: 4", "aws-neuron", 4),
    ],
)
def test_neuron_accelerator_and_devices(
    selector: str, resources: str, accelerator: str, count: int | None
) -> None:
    doc = load_text(pod(selector, resources), "p.yaml")
    parsed = read_pod(doc, ("spec",))
    assert parsed.accelerator is not None and parsed.accelerator.value == accelerator
    assert (parsed.count.value if parsed.count else None) == count
    assert parsed.is_ai


def test_neuroncores_converted_say_how() -> None:
    doc = load_text(
        pod("node.kubernetes.io/instance-type: inf2.xlarge", "aws.amazon.com/neuroncore: 1"),
        "p.yaml",
    )
    parsed = read_pod(doc, ("spec",))
    assert parsed.count is not None and parsed.count.source is FactSource.DERIVED
    assert parsed.count.detail == (
        "resources.limits aws.amazon.com/neuroncore: 1 NeuronCores / 2 per inf2 device, "
        "rounded up to whole devices"
    )
    assert parsed.count.location.line == 10


def test_neuron_without_a_family_hints_which_label_to_add() -> None:
    doc = load_text(pod("karpenter.sh/nodepool: inf2", "aws.amazon.com/neuroncore: 2"), "p.yaml")
    parsed = read_pod(doc, ("spec",))
    reader = FactReader(doc)
    put_pod(reader, parsed)
    assert "hardware.count" not in reader.facts  # 2 cores is not 2 devices, nor a guess
    assert reader.facts["hardware.accelerator"].value == "aws-neuron"
    assert "node.kubernetes.io/instance-type" in reader.hints["hardware.count"]
    assert "karpenter.k8s.aws/instance-family" in reader.hints["hardware.generation"]


@pytest.mark.parametrize(
    ("zone", "region"),
    [
        ("us-east-1a", ("us-east-1", "aws")),
        ("us-gov-west-1b", ("us-gov-west-1", "aws")),
        ("us-central1-a", ("us-central1", "gcp")),
        ("europe-west4-c", ("europe-west4", "gcp")),
        ("eastus-1", None),  # Azure zones are numbers: the region is not in the name
        ("1", None),
        ("zone-a", None),
    ],
)
def test_region_of_zone(zone: str, region: tuple[str, str] | None) -> None:
    assert region_of_zone(zone) == region


def test_region_from_required_affinity_and_env() -> None:
    doc = load_text(
        """
        spec:
          affinity:
            nodeAffinity:
              requiredDuringSchedulingIgnoredDuringExecution:
                nodeSelectorTerms:
                - matchExpressions:
                  - key: failure-domain.beta.kubernetes.io/region
                    operator: In
                    values: [eu-west-1]
          containers:
          - name: c
            image: vllm/vllm-openai
            env:
            - {name: AWS_DEFAULT_REGION, value: eu-west-1}
            - {name: GOOGLE_CLOUD_REGION, value: us-central1}
        """,
        "p.yaml",
    )
    parsed = read_pod(doc, ("spec",))
    reader = FactReader(doc)
    put_pod(reader, parsed)
    region = reader.facts["cloud.region"]
    assert (region.value, region.location.line) == ("eu-west-1", 9)
    assert region.detail == (
        "node affinity failure-domain.beta.kubernetes.io/region In; "
        "also env AWS_DEFAULT_REGION (aws) says 'eu-west-1' (line 14, agrees); "
        "env GOOGLE_CLOUD_REGION (gcp) says 'us-central1' (line 15, differs)"
    )
    assert "cloud.provider" not in reader.facts


@pytest.mark.parametrize(
    ("name", "provider"),
    [
        ("AWS_REGION", "aws"),
        ("GOOGLE_CLOUD_REGION", "gcp"),
        ("CLOUD_ML_REGION", "gcp"),
        ("AZURE_REGION", "azure"),
    ],
)
def test_env_region_names_its_provider(name: str, provider: str) -> None:
    doc = load_text(
        f"""
        spec:
          containers:
          - image: vllm/vllm-openai
            env: [{{name: {name}, value: some-region}}]
        """,
        "p.yaml",
    )
    reader = FactReader(doc)
    put_pod(reader, read_pod(doc, ("spec",)))
    assert reader.facts["cloud.region"].value == "some-region"
    assert reader.facts["cloud.provider"].value == provider
    assert reader.facts["cloud.provider"].source is FactSource.DERIVED


def test_cpu_is_not_claimed_when_an_instance_type_is_selected() -> None:
    doc = load_text(
        """
        spec:
          nodeSelector: {node.kubernetes.io/instance-type: g5.xlarge}
          containers:
          - image: vllm/vllm-openai
        """,
        "p.yaml",
    )
    assert read_pod(doc, ("spec",)).cpu is None  # the catalog may know g5.xlarge's GPU
