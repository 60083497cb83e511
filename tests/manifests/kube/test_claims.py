"""Dynamic Resource Allocation: a pod's claims, their templates and what they request."""

from __future__ import annotations

import pytest
from support import FILES, load_text, work_tree_context

from greengate.load import Document, load_bytes, load_file
from greengate.manifests.kube.claims import ClaimIndex, claim_requests, read_claims
from greengate.manifests.kube.pods import read_pod
from greengate.records.deployment import FactSource

POD = """
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    image: ubuntu
    resources:
      claims:
      - name: gpu
  resourceClaims:
  - name: gpu
    resourceClaimTemplateName: t
"""


def documents(text: str) -> list[Document]:
    loaded = load_bytes(text.encode(), "claims.yaml")
    assert not loaded.problems
    return list(loaded.documents)


def template(requests: str, api: str = "resource.k8s.io/v1") -> str:
    return f"""
apiVersion: {api}
kind: ResourceClaimTemplate
metadata:
  name: t
spec:
  spec:
    devices:
      requests:
{requests}
"""


def read(requests: str, api: str = "resource.k8s.io/v1") -> tuple[Document, Document]:
    """The template and the pod of a two-document file."""
    claim, pod = documents(template(requests, api) + "---" + POD)
    return claim, pod


def pod_claims(requests: str, api: str = "resource.k8s.io/v1"):  # type: ignore[no-untyped-def]
    claim, pod = read(requests, api)
    index = ClaimIndex(pod)
    index._documents = lambda: iter([pod, claim])  # type: ignore[method-assign]
    return read_claims(pod, ("spec",), [("spec", "containers", 0)], index)


def test_v1_exactly_with_a_product_selector() -> None:
    claims = pod_claims(
        """
      - name: gpu
        exactly:
          deviceClassName: gpu.nvidia.com
          count: 2
          selectors:
          - cel:
              expression: device.attributes["gpu.nvidia.com"].productName == "NVIDIA A100-SXM4-40GB"
"""
    )
    assert claims.count is not None and claims.count.value == 2
    assert claims.count.location.line == 14
    assert claims.accelerator is not None
    assert (claims.accelerator.value, claims.accelerator.location.line) == (
        "NVIDIA A100-SXM4-40GB",
        17,
    )


@pytest.mark.parametrize(
    ("expression", "product"),
    [
        ("device.attributes['gpu.nvidia.com'].productName.contains('H100')", "H100"),
        ("device.attributes['gpu.nvidia.com'].productName.lowerAscii().matches('^.*l4.*$')", "l4"),
        (
            "device.attributes['gpu.nvidia.com'].productName.startsWith('NVIDIA L40S')",
            "NVIDIA L40S",
        ),
        ("device.attributes['gpu.nvidia.com'].index == 0", None),
        ("device.attributes['gpu.nvidia.com'].productName.matches('^(a|h)100$')", None),
    ],
)
def test_product_names_in_cel(expression: str, product: str | None) -> None:
    claims = pod_claims(
        f"""
      - name: gpu
        deviceClassName: gpu.nvidia.com
        selectors:
        - cel:
            expression: "{expression}"
""",
        "resource.k8s.io/v1beta1",
    )
    assert (claims.accelerator.value if claims.accelerator else None) == product
    assert claims.count is not None and claims.count.source is FactSource.DERIVED  # default 1


def test_architecture_only_is_an_architecture() -> None:
    claims = pod_claims(
        """
      - name: gpu
        deviceClassName: gpu.nvidia.com
        selectors:
        - cel:
            expression: device.attributes["gpu.nvidia.com"].architecture == "Hopper"
""",
        "resource.k8s.io/v1beta1",
    )
    assert claims.accelerator is None
    assert claims.architecture is not None and claims.architecture.value == "hopper"


def test_allocation_mode_all_leaves_the_count_unknown() -> None:
    claims = pod_claims(
        """
      - name: gpu
        deviceClassName: gpu.nvidia.com
        allocationMode: All
""",
        "resource.k8s.io/v1beta1",
    )
    assert claims.count is None and claims.requested is not None
    assert "allocationMode All at line 13" in claims.hints["hardware.count"]


def test_first_available_reads_the_first_choice() -> None:
    claims = pod_claims(
        """
      - name: gpu
        firstAvailable:
        - name: big
          deviceClassName: gpu.nvidia.com
          count: 4
        - name: small
          deviceClassName: gpu.nvidia.com
"""
    )
    assert claims.count is not None and claims.count.value == 4


def test_a_class_that_is_no_accelerator_is_not_counted() -> None:
    claims = pod_claims(
        """
      - name: nic
        exactly:
          deviceClassName: rdma.example.com
"""
    )
    assert claims.requested is None and claims.count is None


@pytest.mark.parametrize("count", ["two", 0, "{{ .Values.n }}", [1]])
def test_bad_counts_are_unknown(count: object) -> None:
    claims = pod_claims(
        f"""
      - name: gpu
        exactly:
          deviceClassName: gpu.nvidia.com
          count: {count!r}
"""
    )
    assert claims.count is None and claims.requested is not None


def test_missing_template_still_requests_accelerators() -> None:
    (pod,) = documents(POD)
    claims = read_claims(pod, ("spec",), [("spec", "containers", 0)], ClaimIndex(pod))
    assert claims.requested is not None and claims.count is None
    assert (
        "the ResourceClaimTemplate t named at line 15 is not in this file"
        in claims.hints["hardware.count"]
    )
    parsed = read_pod(pod, ("spec",), claims=ClaimIndex(pod))
    assert parsed.requests_accelerators and parsed.is_ai and parsed.count is None


def test_claims_the_containers_do_not_use_are_left_out() -> None:
    pod = load_text(
        """
        spec:
          containers:
          - name: c
            resources: {claims: [{name: a}]}
          resourceClaims:
          - {name: a, resourceClaimName: one}
          - {name: b, resourceClaimName: two}
        """,
        "p.yaml",
    )
    claims = read_claims(pod, ("spec",), [("spec", "containers", 0)], None)
    assert "ResourceClaim one" in claims.hints["hardware.count"]
    assert "two" not in claims.hints["hardware.count"]


def test_resource_claim_documents() -> None:
    (claim,) = documents(
        """
apiVersion: resource.k8s.io/v1beta2
kind: ResourceClaim
metadata:
  name: shared
spec:
  devices:
    requests:
    - name: gpu
      exactly: {deviceClassName: gpu.amd.com, count: 3}
    - 7
"""
    )
    (request,) = claim_requests(claim)
    assert request.count is not None and request.count.value == 3 and request.is_accelerator


def test_template_in_another_file_of_the_folder() -> None:
    path = (
        FILES
        / "aws-neuron__aws-neuron-eks-samples/speculative_decoding_trn2_vllm/qwen-sd-vllm-deploy.yaml"
    )
    (pod_document,) = [d for d in load_file(path).documents if d.get(("kind",)) == "Deployment"]
    index = ClaimIndex(pod_document, work_tree_context(path))
    found = index.find("ResourceClaimTemplate", "xl-trn2")
    assert found is not None and found.file.endswith("xl-trn2-rct.yaml")
    claims = read_claims(
        pod_document,
        ("spec", "template", "spec"),
        [("spec", "template", "spec", "containers", 0)],
        index,
    )
    assert claims.accelerator is not None and claims.accelerator.value == "trn2"
    assert claims.instance_type is not None and claims.instance_type.value == "trn2.48xlarge"
    assert claims.count is not None and claims.count.value == 8


def test_neuron_class_without_an_instance_type_is_aws_neuron() -> None:
    claim, pod = read(
        """
      - name: neurons
        exactly:
          deviceClassName: neuron.aws.com
          count: 4
""",
        "resource.k8s.io/v1",
    )
    index = ClaimIndex(pod)
    index._documents = lambda: iter([pod, claim])  # type: ignore[method-assign]
    parsed = read_pod(pod, ("spec",), claims=index)
    assert parsed.accelerator is not None and parsed.accelerator.value == "aws-neuron"
    assert parsed.count is not None and parsed.count.value == 4
    assert "instanceType" in parsed.hints["hardware.generation"]
