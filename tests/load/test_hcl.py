"""Loading Terraform (HCL2) into positioned Documents."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from greengate.load import Document, load_bytes, load_file
from greengate.load.hcl import load_hcl
from greengate.manifests.base import is_placeholder
from greengate.sources.discover import discover

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus" / "files"


def load(text: str, name: str = "main.tf") -> Document:
    loaded = load_hcl(textwrap.dedent(text), name)
    assert not loaded.problems
    (document,) = loaded.documents
    return document


def test_blocks_attributes_and_positions() -> None:
    document = load(
        """\
        provider "aws" {
          region = "us-east-1"
        }

        resource "aws_sagemaker_endpoint_configuration" "llm" {
          name = "llm"
          production_variants {
            variant_name           = "AllTraffic"
            instance_type          = "ml.g5.2xlarge"
            initial_instance_count = 2
          }
        }
        """
    )
    assert document.data["provider"] == {"aws": [{"region": "us-east-1"}]}
    variant = (
        "resource",
        "aws_sagemaker_endpoint_configuration",
        "llm",
        0,
        "production_variants",
        0,
    )
    assert document.get((*variant, "instance_type")) == "ml.g5.2xlarge"
    assert str(document.location((*variant, "instance_type"))) == "main.tf:9:30"
    assert str(document.key_location((*variant, "instance_type"))) == "main.tf:9:5"
    assert document.location(variant).line == 7
    assert document.key_location(variant[:4]).line == 5
    # A missing attribute points at its block, never at line 1.
    assert document.location((*variant, "serverless_config")).line == 7


def test_literals_and_expressions() -> None:
    document = load(
        """\
        a = "x\\n\\u00e9"
        b = -2.5
        c = [1, true, null, "s"]
        d = { "cloud.google.com/gke-accelerator" = "nvidia-l4", n = 3 }
        e = var.region
        f = "${var.prefix}-model"
        g = merge({ a = 1 }, var.tags)
        h = var.enabled ? 1 : 0
        i = aws_sagemaker_model.m.name
        j = local.sizes[var.instance_type]
        k = <<-EOT
            hello
              world
            EOT
        """
    )
    data = document.data
    assert data["a"] == "x\né"
    assert data["b"] == -2.5
    assert data["c"] == [1, True, None, "s"]
    assert data["d"] == {"cloud.google.com/gke-accelerator": "nvidia-l4", "n": 3}
    assert document.location(("d", "n")).line == 4
    assert data["e"] == "var.region"
    assert data["f"] == "${var.prefix}-model"
    assert data["i"] == "${aws_sagemaker_model.m.name}"
    assert data["j"] == "local.sizes[var.instance_type]"
    assert data["k"] == "hello\n  world\n"
    # Anything that is not a literal is a placeholder: unknown, never a fact.
    for key in "efghij":
        assert is_placeholder(data[key]), key
    assert not is_placeholder(data["a"])


def test_repeated_blocks_are_kept_apart() -> None:
    document = load(
        """\
        provider "aws" {
          region = "us-east-1"
        }
        provider "aws" {
          alias  = "eu"
          region = "eu-north-1"
        }
        locals {
          a = 1
        }
        locals {
          b = 2
        }
        """
    )
    assert [p["region"] for p in document.data["provider"]["aws"]] == ["us-east-1", "eu-north-1"]
    assert document.location(("provider", "aws", 1, "region")).line == 6
    assert document.data["locals"] == [{"a": 1}, {"b": 2}]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('resource "x" "y" {\n  a = 1 @\n}\n', 2, "unexpected '@'"),
        ('resource "x" "y" {\n  a = 1\n', 3, "unexpected end of file"),
        ('variable "x" {}\n}\n', 2, "unexpected '}'"),
        ('a = "unterminated\nb = 2\n', 3, "unexpected end of file"),
    ],
)
def test_a_file_that_does_not_parse_is_a_problem_with_its_line(
    text: str, line: int, message: str
) -> None:
    loaded = load_bytes(text.encode(), "broken.tf")
    assert loaded.documents == ()
    (problem,) = loaded.problems
    assert problem.location.line == line
    assert problem.message.startswith("invalid HCL: ")
    assert message in problem.message


def test_documents_dispatch_tf_and_tfvars(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('provider "aws" {\n  region = "us-east-1"\n}\n')
    (tmp_path / "terraform.tfvars").write_text('region = "eu-north-1"\n')
    (tmp_path / "notes.txt").write_text("x")
    assert [f.path.name for f in discover([tmp_path])] == ["main.tf", "terraform.tfvars"]
    (tfvars,) = load_file(tmp_path / "terraform.tfvars").documents
    assert tfvars.data == {"region": "eu-north-1"}
    assert tfvars.location(("region",)).column == 10


def test_every_corpus_terraform_file_loads() -> None:
    files = sorted([*CORPUS.rglob("*.tf"), *CORPUS.rglob("*.tfvars")])
    assert len(files) == 42
    for path in files:
        loaded = load_file(path)
        assert not loaded.problems, path
        assert len(loaded.documents) == 1


def test_heredoc_spans_say_where_the_text_begins() -> None:
    text = "a = <<EOT\nx: 1\nEOT\nb = [\n  <<-EOT\n    y: 2\n      z: 3\n  EOT\n]\n"
    (document,) = load_hcl(text, "main.tf").documents
    assert document.get(("a",)) == "x: 1\n"
    assert document.span(("a",)).style == "<<0"
    assert document.get(("b", 0)) == "y: 2\n  z: 3\n"
    span = document.span(("b", 0))
    assert (span.line, span.style) == (5, "<<4")


def test_yamlencode_of_an_object_is_the_object() -> None:
    text = "v = [yamlencode({\n  a = { b = 1 }\n}), jsonencode([1, 2]), yamlencode(var.x), jsonencode({}, 1)]\n"
    (document,) = load_hcl(text, "main.tf").documents
    assert document.get(("v", 0)) == {"a": {"b": 1}}
    assert document.location(("v", 0, "a", "b")).line == 2
    assert document.get(("v", 1)) == [1, 2]
    assert document.get(("v", 2)) == "${yamlencode(var.x)}"
    assert document.get(("v", 3)).startswith("${jsonencode(")
