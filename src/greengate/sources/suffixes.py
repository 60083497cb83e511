"""The file names greengate reads as manifests, by format."""

from __future__ import annotations

YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)
HCL_SUFFIXES = (".tf", ".tfvars")
"""Read as HCL (``.tf.json`` is JSON and is not read as Terraform)."""
MANIFEST_SUFFIXES: tuple[str, ...] = (*YAML_SUFFIXES, *JSON_SUFFIXES, *HCL_SUFFIXES)
"""Files found in folders are read only when their name ends in one of these."""
