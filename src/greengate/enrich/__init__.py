"""Enrich: config defaults for facts a manifest does not state, then what the catalog knows."""
