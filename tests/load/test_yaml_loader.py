from __future__ import annotations

from pathlib import Path

from greengate.load import MAX_VALUES, load_bytes, load_file


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
