"""Values read from Kubernetes manifests."""

from __future__ import annotations

from greengate.manifests.kube.values import whole_number


def test_whole_number() -> None:
    assert [whole_number(v) for v in (3, "3", " 4 ", 5.0, "+6")] == [3, 3, 4, 5, 6]
    assert [whole_number(v) for v in (True, "3.5", 2.5, "x", None, [])] == [None] * 6
