from __future__ import annotations

import random
from pathlib import Path
from types import ModuleType

import pytest
import yaml_reference

from greengate.load import MAX_VALUES, LoadedFile, load_bytes, load_file, yaml_loader


def test_values_keep_line_and_column() -> None:
    loaded = load_bytes(b"a:\n  b: 1\n  c:\n    - x\n    - {d: true}\n", "f.yaml")
    (doc,) = loaded.documents
    assert doc.data == {"a": {"b": 1, "c": ["x", {"d": True}]}}
    assert str(doc.location(("a", "b"))) == "f.yaml:2:6"
    assert str(doc.location(("a", "c", 1, "d"))) == "f.yaml:5:11"
    assert str(doc.key_location(("a", "c"))) == "f.yaml:3:3"
    # A missing path points at its nearest ancestor, never at line 1 by default.
    assert str(doc.location(("a", "c", 1, "missing"))) == "f.yaml:5:7"


def test_multi_document_keeps_index_and_lines() -> None:
    loaded = load_bytes(b"a: 1\n---\nb: 2\n---\n", "f.yaml")
    assert [d.index for d in loaded.documents] == [0, 1]
    assert loaded.documents[1].location(("b",)).line == 3


def test_syntax_error_keeps_earlier_documents() -> None:
    loaded = load_bytes(b"a: 1\n---\nb: [1, 2\nc: 3\n", "f.yaml")
    assert [d.data for d in loaded.documents] == [{"a": 1}]
    (problem,) = loaded.problems
    assert problem.message.startswith("invalid YAML")
    assert problem.location.line == 4


def test_tags_never_construct_objects() -> None:
    text = b"a: !!python/object/apply:os.system ['echo hi']\nb: !Ref Param\nc: !GetAtt [x, y]\nd: 2024-01-01\n"
    (doc,) = load_bytes(text, "f.yaml").documents
    assert doc.data["b"] == {"Ref": "Param"}
    assert doc.data["c"] == {"Fn::GetAtt": ["x", "y"]}
    assert doc.data["d"] == "2024-01-01"
    assert doc.data["a"] == ["echo hi"]


def test_alias_bomb_is_a_problem_not_a_hang() -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    loaded = load_bytes("\n".join(lines).encode(), "bomb.yaml")
    assert not loaded.documents
    assert f"more than {MAX_VALUES:,} values" in loaded.problems[0].message


def test_recursive_alias_is_a_problem() -> None:
    loaded = load_bytes(b"a: &x [1, *x]\n", "f.yaml")
    assert loaded.problems and "recursive alias" in loaded.problems[0].message


def test_binary_and_non_utf8_files() -> None:
    assert "binary" in load_bytes(b"\x89PNG\r\n\x1a\n\x00\x00", "x.yaml").problems[0].message
    problem = load_bytes(b"a: 1\nb: \xff\xfe\n", "x.yaml").problems[0]
    assert "not UTF-8" in problem.message
    assert problem.location.line == 2


def test_huge_file_is_refused_with_its_size(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" * 1000)
    problem = load_file(big, "big.yaml", max_bytes=100).problems[0]
    assert "larger than the 100-byte limit" in problem.message


def test_json_has_positions_and_json_errors_have_lines() -> None:
    (doc,) = load_bytes(b'{\n  "a": {\n    "b": [1, 2]\n  }\n}\n', "f.json").documents
    assert doc.location(("a", "b", 1)).line == 3
    problem = load_bytes(b'{\n  "a": 1,\n}\n', "f.json").problems[0]
    assert problem.message.startswith("invalid JSON")
    # Python 3.13 points at the trailing comma, earlier versions at the brace after it.
    assert problem.location.line in (2, 3)


def test_merge_keys_and_non_string_keys() -> None:
    (doc,) = load_bytes(
        b"base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n  1: one\n  on: yes\n", "f.yaml"
    ).documents
    assert doc.data["d"] == {"x": 1, "y": 3, "1": "one", "on": True}


def test_deep_nesting_is_a_problem() -> None:
    loaded = load_bytes(b"[" * 5000 + b"]" * 5000, "deep.yaml")
    assert loaded.problems and not loaded.documents


def test_after_a_broken_document_the_next_one_is_read_with_its_true_line_and_index() -> None:
    text = b"a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n---\ne: {f: 5\n---\ng: 6\n"
    loaded = load_bytes(text, "f.yaml")
    assert [(d.index, d.data) for d in loaded.documents] == [
        (0, {"a": 1}),
        (2, {"d": 4}),
        (4, {"g": 6}),
    ]
    assert loaded.documents[1].location(("d",)).line == 6
    assert loaded.documents[2].location(("g",)).line == 10
    assert [p.location.line for p in loaded.problems] == [4, 9]


def test_a_duplicate_key_is_a_problem_at_the_second_key_and_later_documents_are_kept() -> None:
    text = b"a:\n  region: ap-south-1\n  region: eu-north-1\n---\nb: 2\n"
    loaded = load_bytes(text, "f.yaml")
    (problem,) = loaded.problems
    assert (problem.location.line, problem.location.column) == (3, 3)
    assert problem.message == "duplicate key 'region' (first at line 2)"
    assert [d.data for d in loaded.documents] == [{"b": 2}]
    # The same key in two mappings, or a merged key overridden, is no duplicate.
    (doc,) = load_bytes(
        b"x: {k: 1}\ny: {k: 2}\nb: &b {k: 1}\nc: {<<: *b, k: 2}\n", "f.yaml"
    ).documents
    assert doc.data["c"] == {"k": 2}


def test_numbers_beyond_a_float_are_problems_and_written_infinity_stays_text() -> None:
    for written in (b"1.0e+400", b"-1.0e+999", b"9" * 5000, b"0x" + b"f" * 300):
        (problem,) = load_bytes(b"a: 1\nb: " + written + b"\n", "f.yaml").problems
        assert problem.location.line == 2 and "out of range" in problem.message
    (doc,) = load_bytes(b"a: .inf\nb: -.Inf\nc: .nan\nd: 1.5e+300\n", "f.yaml").documents
    assert doc.data == {"a": ".inf", "b": "-.Inf", "c": ".nan", "d": 1.5e300}


def test_json_numbers_and_duplicate_keys_are_located_problems() -> None:
    (problem,) = load_bytes(b'{\n  "a": 1,\n  "b": ' + b"9" * 5000 + b"\n}\n", "f.json").problems
    assert problem.location.line == 3 and "out of range" in problem.message
    (problem,) = load_bytes(b'{\n  "a": 1,\n  "b": -Infinity\n}\n', "f.json").problems
    assert problem.location.line == 3 and "not a JSON number" in problem.message
    (problem,) = load_bytes(b'{"a": 1,\n "a": 2}\n', "f.json").problems
    assert problem.location.line == 2 and "duplicate key 'a'" in problem.message


def test_an_alias_costs_the_size_of_its_anchor_and_points_at_it() -> None:
    (doc,) = load_bytes(b"base: &b {x: [1, 2]}\nuse: *b\n", "f.yaml").documents
    assert doc.data["use"] == {"x": [1, 2]}
    assert doc.location(("use",)).line == 1  # where the value is written
    assert doc.key_location(("use",)).line == 2  # where it is used
    assert doc.location(("use", "x", 0)).line == 1


def test_an_anchored_key_can_be_named_again_by_an_alias() -> None:
    (doc,) = load_bytes(b"&k a: 1\nb: *k\n", "f.yaml").documents
    assert doc.data == {"a": 1, "b": "a"}
    (problem,) = load_bytes(b"&k a: 1\n*k : 2\n", "f.yaml").problems
    assert problem.message == "duplicate key 'a' (first at line 1)"


# --- the loader against its frozen reference (tests/load/yaml_reference.py) ---------------

ROOT = Path(__file__).resolve().parents[2]
WORDS = ["a", "b", "name", "spec", "region", "x y", "1", "on", "<key>", "k"]
SCALARS = [
    *WORDS,
    "-2",
    "0x1f",
    "0o17",
    "0b101",
    "1_000",
    "190:20:30",
    "+12",
    "1.5",
    "1e3",
    "1:30.5",
    ".inf",
    "-.Inf",
    ".NaN",
    "1.0e+400",
    "9" * 450,
    "yes",
    "Off",
    "true",
    "~",
    "null",
    "",
    "2024-01-01",
    "=",
    '"quoted: 1"',
    "'single'",
    "!Ref p",
    "!Sub 'x'",
    "!!str 1",
    "!!int 3",
    "!!int x",
    "!!float 2",
    "!!float abc",
    "!!bool yes",
    "!!null ''",
    "!!binary aGk=",
    "!!timestamp 2001-12-14",
    "! 12",
]


def typed(value: object) -> object:
    """A value with the type of every part spelled out: ``1``, ``1.0`` and ``True`` differ."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, value)


def outcome(loaded: LoadedFile) -> object:
    """Everything a load gives, in order: documents (values, every span) and problems."""
    documents = [
        (d.file, d.index, d.read_as, typed(d.data), list(d.spans.items())) for d in loaded.documents
    ]
    return loaded.path, documents, loaded.problems


class Writer:
    """Random YAML: block and flow style, anchors, aliases (as keys too), merges, tags."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.anchors: list[str] = []

    def anchor(self) -> str:
        if self.rng.random() < 0.15:
            name = self.rng.choice(["a", "b", "c", f"n{len(self.anchors)}"])
            self.anchors.append(name)
            return f"&{name} "
        return ""

    def alias(self) -> str | None:
        if self.anchors and self.rng.random() < 0.12:
            return "*" + self.rng.choice(
                [*self.anchors, "unknown"] if self.rng.random() < 0.05 else self.anchors
            )
        return None

    def key(self) -> str:
        r = self.rng.random()
        if r < 0.04:
            return "<<"
        if r < 0.07 and (alias := self.alias()):
            return alias + " "
        if r < 0.1:
            return "? " + self.flow(2)
        return self.anchor() + self.rng.choice(WORDS if self.rng.random() < 0.9 else SCALARS[:30])

    def flow(self, depth: int) -> str:
        alias = self.alias()
        if alias:
            return alias
        r = self.rng.random()
        if depth <= 0 or r < 0.5:
            text = self.rng.choice(SCALARS)
            return self.anchor() + text if text else '""'
        tag = self.rng.choice(["", "", "", "!GetAtt ", "!!seq ", "!!map "])
        size = self.rng.randint(0, 4)
        if r < 0.75:
            items = ", ".join(self.flow(depth - 1) for _ in range(size))
            return f"{self.anchor()}{tag}[{items}]"
        pairs = ", ".join(f"{self.key()}: {self.flow(depth - 1)}" for _ in range(size))
        return f"{self.anchor()}{tag}{{{pairs}}}"

    def block(self, depth: int, indent: str) -> list[str]:
        if depth <= 0 or self.rng.random() < 0.3:
            return [indent + self.flow(2)]
        lines: list[str] = []
        sequence = self.rng.random() < 0.3
        for _ in range(self.rng.randint(1, 4)):
            head = f"{indent}- " if sequence else f"{indent}{self.key()}: "
            if self.rng.random() < 0.5:
                lines.append(head + self.flow(2))
            elif self.rng.random() < 0.1:
                lines += [head + "|", indent + "  literal", indent + "  text"]
            else:
                lines.append(head.rstrip() if head.strip() != "-" else head)
                lines += self.block(depth - 1, indent + "  ")
        return lines

    def stream(self) -> str:
        documents = []
        for _ in range(self.rng.randint(1, 4)):
            self.anchors = []
            text = "\n".join(self.block(4, "")) + "\n"
            if self.rng.random() < 0.15:  # break it somewhere
                at = self.rng.randrange(len(text))
                text = (
                    text[:at]
                    + self.rng.choice(["[", "]", ": ", "\t", "{", "&", "*", "\n  - "])
                    + text[at:]
                )
            documents.append(text)
        separator = self.rng.choice(["---\n", "---\n", "...\n---\n", "--- # c\n"])
        return separator.join(documents)


def hostile() -> list[str]:
    bomb = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    bomb += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    return [
        "\n".join(bomb) + "\n",
        # Near the small limit of 3,000 values: an alias costs exactly its anchor's size.
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: [" + ", ".join(["*a"] * 299) + "]\n",
        "a: &a {k: [x, x, x, x]}\nb: [" + ", ".join(["*a"] * 499) + "]\n",
        "[" * 300 + "]" * 300,
        "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 250)),
        "a: &x [1, *x]\n",
        "a: &x {b: *x}\n",
        "&k [a]: 1\nb: *k\n",
        "&k a: 1\n*k : 2\n",
        "? [1e400]\n: x\n",
        "? {a: 1, a: 2}\n: x\n",
        "{<<: [*u], a: 1}\n",
        "b: &b {x: 1}\nc: {<<: *b, <<: *b, x: 2}\nd: {<<: [*b, *b, 1]}\n",
        "a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n---\ne: {f: 5\n---\ng: 6\n",
        "a: 1\na: 2\n---\n- b\n---\n",
        "",
        "---\n",
        "--- !Ref x\n",
        "# only a comment\n",
        "x: !!python/object/apply:os.system ['echo hi']\n",
        "".join(f"k{i}: {i}\n" for i in range(2000)),
        "\t- a\n",
    ]


def fixtures() -> list[Path]:
    roots = [ROOT / "tests", ROOT / "examples", ROOT / "policies", ROOT / "src"]
    suffixes = {".yaml", ".yml", ".json"}
    return sorted(p for r in roots for p in r.rglob("*") if p.suffix in suffixes and p.is_file())


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Limits small enough that random input reaches them, the same in both loaders."""
    for module in (yaml_loader, yaml_reference):
        monkeypatch.setattr(module, "MAX_VALUES", 3_000)
        monkeypatch.setattr(module, "MAX_DEPTH", 12)
        monkeypatch.setattr(module, "MAX_PROBLEMS", 5)


def load(loader: ModuleType, text: str) -> object:
    """What ``loader.load_yaml`` gives, or the kind of exception it raises (the same, or a bug)."""
    try:
        return outcome(loader.load_yaml(text, "f.yaml"))
    except Exception as exc:
        return ("raises", type(exc).__name__)


def same_as_the_reference(text: str) -> object:
    expected = load(yaml_reference, text)
    assert load(yaml_loader, text) == expected, text
    return expected


def test_every_yaml_and_json_file_of_the_repository_loads_as_the_reference_loads_it() -> None:
    files = fixtures()
    assert len(files) > 300  # the corpus, the examples, the policies
    for path in files:
        same_as_the_reference(path.read_text("utf-8", errors="replace"))


@pytest.mark.parametrize("text", hostile())
def test_hostile_input_loads_as_the_reference_loads_it(text: str) -> None:
    same_as_the_reference(text)


@pytest.mark.usefixtures("small_limits")
@pytest.mark.parametrize("text", hostile())
def test_hostile_input_under_small_limits_loads_as_the_reference_loads_it(text: str) -> None:
    same_as_the_reference(text)


@pytest.mark.usefixtures("small_limits")
def test_random_yaml_loads_as_the_reference_loads_it() -> None:
    rng = random.Random(15)
    outcomes = {"documents": 0, "problems": 0}
    for _ in range(3_000):
        loaded = same_as_the_reference(Writer(rng).stream())
        if isinstance(loaded, tuple) and len(loaded) == 3:
            outcomes["documents"] += len(loaded[1])
            outcomes["problems"] += len(loaded[2])
    # The generator reaches both good documents and every kind of problem.
    assert outcomes["documents"] > 3_000 and outcomes["problems"] > 500


def test_an_explicit_tag_its_text_does_not_fit_keeps_the_text() -> None:
    text = b'a: !!bool maybe\nb: !!int\nc: !!float ""\nd: !!int x\ne: !!bool yes\n'
    (doc,) = load_bytes(text, "f.yaml").documents
    assert doc.data == {"a": "maybe", "b": "", "c": "", "d": "x", "e": True}
