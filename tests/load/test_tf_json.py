"""Terraform JSON syntax (*.tf.json): reshaped like .tf, positions kept; discovered and read as variables."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from greengate.app.pipeline import read_deployments
from greengate.catalog import Catalog
from greengate.load import load_bytes, load_file
from greengate.sources.discover import discover

MAIN = """\
{
  "provider": {"aws": {"region": "${var.region}"}},
  "resource": {
    "google_container_node_pool": {
      "gpu": {
        "location": "${var.zone}",
        "node_count": 2,
        "node_config": {
          "machine_type": "g2-standard-8",
          "guest_accelerator": [{"type": "nvidia-l4", "count": 1}]
        }
      }
    },
    "aws_eks_node_group": {
      "a": [{"instance_types": ["g5.xlarge"]}, {"instance_types": ["${local.types}"]}]
    }
  },
  "variable": {"zone": {"type": "string"}, "region": {"default": "eu-north-1"}},
  "locals": {"types": "g6.xlarge"}
}
"""


def test_blocks_become_lists_and_references_plain(tmp_path: Path) -> None:
    (document,) = load_bytes(MAIN.encode(), "main.tf.json").documents
    pool = ("resource", "google_container_node_pool", "gpu", 0)
    assert document.get((*pool, "location")) == "var.zone"
    assert document.get((*pool, "node_config", "machine_type")) == "g2-standard-8"
    assert document.location((*pool, "node_config", "machine_type")).line == 9
    assert document.get(("variable", "region", 0, "default")) == "eu-north-1"
    assert document.get(("locals", 0, "types")) == "g6.xlarge"
    # A body written as a JSON array keeps its items.
    assert (
        document.get(("resource", "aws_eks_node_group", "a", 1, "instance_types", 0))
        == "local.types"
    )
    assert document.location(("resource", "aws_eks_node_group", "a", 1)).line == 15


def test_read_like_tf_with_tfvars_json(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text(MAIN)
    (tmp_path / "terraform.tfvars.json").write_text('{\n  "zone": "europe-west4-a"\n}\n')
    (tmp_path / "x.auto.tfvars.json").write_text('{"region": "eu-west-1"}\n')
    files = discover([tmp_path])
    assert sorted(f.path.name for f in files) == [
        "main.tf.json",
        "terraform.tfvars.json",
        "x.auto.tfvars.json",
    ]
    deployments, findings = read_deployments(files, Catalog.load([]))
    assert findings == []
    by_name = {d.name: d for d in deployments}
    gke = by_name["google_container_node_pool.gpu"]
    assert gke.facts["cloud.region"].value == "europe-west4"
    region = gke.facts["cloud.region"].location
    assert (Path(region.file).name, region.line) == ("terraform.tfvars.json", 2)
    assert gke.facts["hardware.accelerator"].value == "nvidia-l4"
    assert gke.facts["hardware.instanceType"].location.line == 9
    # Both aws_eks_node_group items are read; the second resolves local.types, the region the auto tfvars.
    eks = [d for d in deployments if d.name == "aws_eks_node_group.a"]
    assert [d.facts["hardware.instanceType"].value for d in eks] == ["g5.xlarge", "g6.xlarge"]
    assert {d.facts["cloud.region"].value for d in eks} == {"eu-west-1"}


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '"x"',
        '{"resource": 5}',
        '{"resource": {"t": 5}}',
        '{"resource": {"t": {"n": [1, "a"]}}}',
        '{"locals": [1]}',
        "{",
    ],
)
def test_surprising_shapes_never_crash(tmp_path: Path, text: str) -> None:
    path = tmp_path / "main.tf.json"
    path.write_text(textwrap.dedent(text))
    loaded = load_file(path)
    assert loaded.documents or loaded.problems
    read_deployments(discover([tmp_path]), Catalog.load([]))
