"""Glob patterns: one implementation for include/exclude, defaults, waivers, rule and policy names."""

from __future__ import annotations

import pytest

from greengate.sources.globs import is_glob, match_name, match_path


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("deploy/**", "deploy/a.yaml", True),
        ("deploy/**", "deploy/x/y/z.yaml", True),
        ("deploy/**", "deployments/a.yaml", False),
        ("deploy/**", "other/deploy/a.yaml", False),
        ("**/testdata/**", "testdata/a.yaml", True),
        ("**/testdata/**", "a/b/testdata/c/d.yaml", True),
        ("**/testdata/**", "a/testdata-old/c.yaml", False),
        ("**/*.yaml", "a.yaml", True),
        ("**/*.yaml", "d/e/a.yaml", True),
        ("**/*.yaml", "d/e/a.json", False),
        ("a/**/b.yaml", "a/b.yaml", True),
        ("a/**/b.yaml", "a/x/y/b.yaml", True),
        ("*.yaml", "a.yaml", True),
        ("*.yaml", "d/a.yaml", False),  # `*` never crosses a folder (fnmatch's does)
        ("k8s/*/svc.yaml", "k8s/eu/svc.yaml", True),
        ("k8s/*/svc.yaml", "k8s/eu/west/svc.yaml", False),
        ("k8s/??/svc.yaml", "k8s/eu/svc.yaml", True),
        ("k8s/[eu][us]/*", "k8s/eu/svc.yaml", True),
        ("k8s/[!e]*/*", "k8s/eu/svc.yaml", False),
        ("k8s/[!e]*/*", "k8s/us/svc.yaml", True),
        ("deploy", "deploy/a/b.yaml", True),  # a folder matches what is inside it
        ("deploy/", "deploy/a/b.yaml", True),
        ("./deploy/**", "deploy/a.yaml", True),
        ("deploy/a.yaml", "deploy/a.yaml", True),
        ("weird[name.yaml", "weird[name.yaml", True),  # an unclosed `[` is a character
        ("a.b", "axb", False),  # `.` is a dot
    ],
)
def test_match_path(pattern: str, path: str, expected: bool) -> None:
    assert match_path(pattern, path) is expected


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("GG30*", "GG301", True),
        ("GG30*", "GG401", False),
        ("GG201", "GG201", True),
        ("GG201", "GG2010", False),
        ("chat-*", "chat-eu-west", True),
        ("rate-*", "rate-limits", True),
        ("GG[34]01", "GG401", True),
        ("*", "anything/at/all", True),
    ],
)
def test_match_name(pattern: str, name: str, expected: bool) -> None:
    assert match_name(pattern, name) is expected


def test_is_glob() -> None:
    assert [is_glob(p) for p in ("GG30*", "GG20?", "GG[12]01", "GG201", "rate-limits")] == [
        True,
        True,
        True,
        False,
        False,
    ]
