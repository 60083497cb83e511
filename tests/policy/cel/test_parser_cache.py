"""cel-python's parser is kept in a private cache folder, read back, and rebuilt when it must be.

The tests use a small grammar (building the CEL one takes a while) and count
how often lark builds it; one test reads back the real CEL parser.
"""

from __future__ import annotations

import os
import pickle
import stat
from pathlib import Path
from typing import Any

import pytest
from lark import Lark

from greengate.policy.cel import parser_cache
from greengate.policy.cel.parser_cache import cache_folder, cache_key, lalr_parser

GRAMMAR = """
start: WORD ("," WORD)*
WORD: /[a-z]+/
%ignore " "
"""


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each grammar lark builds (rather than reads back) while the test runs."""
    built: list[str] = []

    class Counting(Lark):
        def __init__(self, grammar: str, **options: Any) -> None:
            built.append(grammar)
            super().__init__(grammar, **options)

    monkeypatch.setattr(parser_cache, "Lark", Counting)
    return built


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache" / "greengate"
    monkeypatch.setenv("GREENGATE_CACHE_DIR", str(where))
    monkeypatch.delenv("GREENGATE_NO_CACHE", raising=False)
    return where


def kept(folder: Path) -> list[Path]:
    return sorted(folder.glob("cel-parser-*.pickle"))


def words(parser: Lark) -> list[str]:
    return [str(token) for token in parser.parse("ab, cd").children]


def test_the_first_run_builds_and_keeps_the_parser_the_next_reads_it(
    folder: Path, builds: list[str]
) -> None:
    first = lalr_parser(GRAMMAR, start="start")
    assert builds == [GRAMMAR] and words(first) == ["ab", "cd"]
    (path,) = kept(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    again = lalr_parser(GRAMMAR, start="start")
    assert builds == [GRAMMAR]  # read back, not built
    assert words(again) == ["ab", "cd"]


def test_another_grammar_or_option_is_another_parser_and_the_old_file_goes(
    folder: Path, builds: list[str]
) -> None:
    lalr_parser(GRAMMAR, start="start")
    lalr_parser(GRAMMAR, start="start", propagate_positions=True)
    assert len(builds) == 2 and len(kept(folder)) == 1
    assert cache_key(GRAMMAR, {"start": "start"}) != cache_key(GRAMMAR + " ", {"start": "start"})
    assert cache_key(GRAMMAR, {"a": words}) == cache_key(GRAMMAR, {"a": words})  # no address


def test_a_corrupt_file_is_rebuilt_and_replaced(folder: Path, builds: list[str]) -> None:
    lalr_parser(GRAMMAR, start="start")
    (path,) = kept(folder)
    header = path.read_bytes().split(b"\n", 1)[0]
    for broken in (b"not a pickle", header + b"\nnot a pickle", header + b"\n"):
        path.write_bytes(broken)
        assert words(lalr_parser(GRAMMAR, start="start")) == ["ab", "cd"]
        assert path.read_bytes().startswith(header + b"\n") and len(path.read_bytes()) > 100
    assert len(builds) == 4
    lalr_parser(GRAMMAR, start="start")
    assert len(builds) == 4  # the replaced file is read back


class _Planted:
    """A pickle that runs code when it is read."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (str(Path(os.environ["GREENGATE_CACHE_DIR"]) / "pwned"),))


def test_a_file_others_can_write_is_never_read(folder: Path, builds: list[str]) -> None:
    lalr_parser(GRAMMAR, start="start")
    (path,) = kept(folder)
    header = path.read_bytes().split(b"\n", 1)[0]
    path.write_bytes(header + b"\n" + pickle.dumps(_Planted()))
    for mode in (0o666, 0o622):
        path.chmod(mode)
        assert words(lalr_parser(GRAMMAR, start="start")) == ["ab", "cd"]
        path.write_bytes(header + b"\n" + pickle.dumps(_Planted()))
    path.chmod(0o600)
    folder.chmod(0o777)  # a folder others can write: its files are not the user's own
    assert words(lalr_parser(GRAMMAR, start="start")) == ["ab", "cd"]
    assert not (folder / "pwned").exists()
    assert path.read_bytes().startswith(header + b"\n" + pickle.dumps(_Planted())[:4])
    assert len(builds) == 4


def test_an_unwritable_cache_folder_falls_back_to_building_silently(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, builds: list[str], capfd: Any
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    monkeypatch.setenv("GREENGATE_CACHE_DIR", str(blocker / "greengate"))
    for _ in range(2):
        assert words(lalr_parser(GRAMMAR, start="start")) == ["ab", "cd"]
    assert len(builds) == 2
    assert capfd.readouterr() == ("", "")


def test_no_cache_turns_it_off(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREENGATE_NO_CACHE", "1")
    assert cache_folder() is None
    lalr_parser(GRAMMAR, start="start")
    assert not folder.exists()
    monkeypatch.setenv("GREENGATE_NO_CACHE", "0")
    assert cache_folder() == folder


def test_the_default_folder_is_the_users_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GREENGATE_CACHE_DIR", raising=False)
    monkeypatch.delenv("GREENGATE_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    assert cache_folder() == Path("/somewhere/cache/greengate")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")  # not absolute: ignored, as the spec says
    monkeypatch.setenv("HOME", "/home/someone")
    assert cache_folder() == Path("/home/someone/.cache/greengate")


def test_the_cel_parser_read_back_parses_as_the_built_one(folder: Path) -> None:
    from celpy.celparser import CELParser

    from greengate.policy.cel import celpython

    built = CELParser.CEL_PARSER
    assert built is not None
    grammar = celpython._spec_grammar()
    options = {
        "start": "expr",
        "debug": True,
        "g_regex_flags": built.options.g_regex_flags,
        "lexer_callbacks": {"IDENT": CELParser.ambiguous_literals},
        "propagate_positions": True,
        "maybe_placeholders": False,
        "priority": "invert",
        "tree_class": type(celpython.parse_tree("1")),
    }
    lalr_parser(grammar, **options)
    assert len(kept(folder)) == 1
    again = lalr_parser(grammar, **options)
    source = "deployment.`a-b` == true && [1, 2u, 3.0].all(x, x > 0) ? 'x' : b\"y\""
    first, second = built.parse(source), again.parse(source)
    assert first == second and type(second) is type(first)
    assert [(t.type, t.line, t.column) for t in second.scan_values(lambda _: True)] == [
        (t.type, t.line, t.column) for t in first.scan_values(lambda _: True)
    ]


def test_without_user_ids_the_cache_is_not_used(
    folder: Path, builds: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows has no ``os.getuid``: no file's owner can be checked, so none is read."""
    lalr_parser(GRAMMAR, start="start")
    monkeypatch.delattr(os, "getuid")
    assert words(lalr_parser(GRAMMAR, start="start")) == ["ab", "cd"]
    assert len(builds) == 2
