"""The file names greengate reads as manifests, by format."""

from __future__ import annotations

YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)
HCL_SUFFIXES = (".tf", ".tfvars")
"""Read as HCL."""
TERRAFORM_JSON_SUFFIXES = (".tf.json",)
"""Terraform's JSON syntax: JSON, reshaped like ``.tf`` (``*.tfvars.json`` is plain JSON, read as it is)."""
MANIFEST_SUFFIXES: tuple[str, ...] = (*YAML_SUFFIXES, *JSON_SUFFIXES, *HCL_SUFFIXES)
"""Files found in folders are read only when their name ends in one of these."""
