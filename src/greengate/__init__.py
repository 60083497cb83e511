"""greengate: policy-as-code compliance checks for AI deployment manifests."""

from __future__ import annotations

__version__ = "0.1.0"
