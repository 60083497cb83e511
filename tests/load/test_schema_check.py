"""The compiled predicate agrees with jsonschema: on every example, on mutants of them, on fuzz."""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from greengate.load.schema_check import compile_check
from greengate.load.schemas import _schema, valid_check, validator

ROOT = Path(__file__).resolve().parents[2]
NATIVE = ("greengate.schemas", "aideployment.schema.json")

# Values that sit on or beside every bound, type and pattern the native schema has.
POOL: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1,
    2,
    1.0,
    0.0,
    -0.0,
    0.5,
    1.5,
    4.999,
    5,
    5.0,
    5.5,
    7,
    8,
    24,
    24.5,
    25,
    2000,
    2001,
    5000,
    5000.5,
    10000,
    10001,
    100000,
    100001,
    2**70,
    1e308,
    -1e308,
    "",
    "x",
    "7B",
    "1.5T",
    "7 B",
    "7b",
    "7",
    "7.B",
    "chat",
    "Chat",
    "a-1",
    "1a",
    "café",
    "inference",
    "training",
    "aws",
    "fp8",
    "greengate.dev/v1",
    "AIDeployment",
    [],
    ["a"],
    [1, 2],
    {},
    {"a": 1},
    {"hoursPerDay": 8},
    {"hoursPerDay": 30},
]


def native_documents() -> list[Any]:
    documents = []
    for path in sorted((ROOT / "examples").rglob("*.yaml")):
        for data in yaml.safe_load_all(path.read_text("utf-8")):
            if isinstance(data, dict) and data.get("kind") == "AIDeployment":
                documents.append(data)
    return documents


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return copy.deepcopy(value)
    result = copy.deepcopy(document)
    target = result
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = copy.deepcopy(value)
    return result


_DELETE = object()


def mutants(document: Any) -> Iterator[Any]:
    """Every path of the document with every pool value, deleted, and given an extra key."""
    for path in paths(document):
        for value in [*POOL, _DELETE] if path else POOL:
            yield replaced(document, path, value)
        target = document
        for key in path:
            target = target[key]
        if isinstance(target, dict):
            yield replaced(document, path, {**target, "extra": 1})


_ACCEPTED: dict[int, list[Any]] = {}


def accepted(leaf: dict[str, Any]) -> list[Any]:
    """The pool values jsonschema accepts under one leaf schema."""
    if id(leaf) not in _ACCEPTED:
        leaf_checker = jsonschema.Draft202012Validator(leaf)
        _ACCEPTED[id(leaf)] = [value for value in POOL if leaf_checker.is_valid(value)]
    return _ACCEPTED[id(leaf)]


def fuzzed(schema: dict[str, Any], rng: random.Random, node: Any, depth: int = 0) -> Any:
    """A value shaped by the schema, with a pool value instead now and then."""
    if rng.random() < 0.02 or depth > 6:
        return rng.choice(POOL)
    if "$ref" in node:
        return fuzzed(schema, rng, schema["$defs"][node["$ref"].rsplit("/", 1)[1]], depth + 1)
    if "oneOf" in node:
        return fuzzed(schema, rng, rng.choice(node["oneOf"]), depth + 1)
    if "enum" in node:
        return rng.choice(node["enum"])
    if "const" in node:
        return node["const"]
    if "properties" in node:
        result = {
            name: fuzzed(schema, rng, sub, depth + 1)
            for name, sub in node["properties"].items()
            if (name in node.get("required", ()) and rng.random() < 0.97) or rng.random() < 0.5
        }
        if rng.random() < 0.03:
            result["unknown"] = 1
        return result
    if node.get("type") == "object":  # labels and annotations
        return {
            f"k{i}": rng.choice(["v", 1, 1.5, True, None, []]) for i in range(rng.randint(0, 2))
        }
    if rng.random() < 0.9:  # mostly a value the leaf accepts, so whole documents are valid
        return rng.choice(accepted(node))
    return rng.choice(POOL)


def agree(check: Any, checker: Any, value: Any) -> bool:
    valid = not list(checker.iter_errors(value))
    assert check(value) is valid, value
    return valid


def test_native_schema_compiles() -> None:
    assert valid_check(*NATIVE) is not None


def test_agrees_on_every_example_and_its_mutants() -> None:
    check, checker = valid_check(*NATIVE), validator(*NATIVE)
    documents = native_documents()
    assert len(documents) >= 8
    verdicts = [agree(check, checker, document) for document in documents]
    assert verdicts.count(True) >= 7
    for document in documents:
        verdicts += [agree(check, checker, mutant) for mutant in mutants(document)]
    assert sum(verdicts) > 500 and verdicts.count(False) > 5000


def test_agrees_on_fuzzed_documents() -> None:
    check, checker = valid_check(*NATIVE), validator(*NATIVE)
    schema = _schema(*NATIVE)
    rng = random.Random(15)
    verdicts = [agree(check, checker, fuzzed(schema, rng, schema)) for _ in range(3000)]
    assert verdicts.count(True) > 300 and verdicts.count(False) > 300


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "array", "uniqueItems": True},
        {"patternProperties": {"^x": {}}, "additionalProperties": False},
        {"$ref": "other.json#/a"},
        {"properties": {"a": {"$id": "inner", "$ref": "#/b"}}},
        {"const": [1]},
        {"format": "date"},
    ],
)
def test_a_keyword_it_does_not_implement_means_no_predicate(schema: dict[str, Any]) -> None:
    assert compile_check(schema) is None


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"type": "integer"}, 1.0),
        ({"type": "integer"}, True),
        ({"type": "number"}, False),
        ({"const": 1}, True),
        ({"enum": [1, "a"]}, 1.0),
        ({"enum": [False]}, 0),
        ({"not": {"required": ["a"]}}, {"a": 1}),
        ({"not": {"required": ["a"]}}, [1]),
        ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 1),
        ({"anyOf": [{"minimum": 3}, {"type": "string"}]}, 2),
        ({"allOf": [{"maximum": 3}, {"exclusiveMaximum": 3}]}, 3),
        ({"items": {"maxLength": 1}}, ["a", "bc"]),
        ({"$defs": {"n": {"items": {"$ref": "#/$defs/n"}}}, "$ref": "#/$defs/n"}, [[[]], [[1]]]),
        (False, 1),
        (True, 1),
    ],
)
def test_agrees_on_the_corners_of_each_keyword(schema: Any, value: Any) -> None:
    check = compile_check(schema)
    assert check is not None
    agree(check, jsonschema.Draft202012Validator(schema), value)


class Text(str):
    pass


@pytest.mark.parametrize("value", [(1, 2), Text("a"), {"a": {1: "x"}}, {"a": {"b": b"x"}}])
def test_a_value_that_is_not_plain_json_is_left_to_jsonschema(value: Any) -> None:
    check = compile_check({"properties": {"a": {"additionalProperties": {"type": "string"}}}})
    assert check is not None
    assert check(value) is False


def shipped_documents() -> list[tuple[tuple[str, str], Any]]:
    """Every shipped schema but the native one, with real documents it reads."""
    from greengate.config.starter import STARTER

    found: list[tuple[tuple[str, str], Any]] = []
    for path in sorted([*(ROOT / "policies").glob("*.yaml"), *(ROOT / "examples").rglob("*.yaml")]):
        for data in yaml.safe_load_all(path.read_text("utf-8")):
            if isinstance(data, dict) and data.get("kind") == "Policy":
                found.append((("greengate.schemas", "policy.schema.json"), data))
    for path in sorted((ROOT / "docs").rglob("*.greengate-test.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        found.append((("greengate.schemas", "policy-test.schema.json"), data))
    starter = yaml.safe_load(STARTER)
    found.append((("greengate.schemas", "config.schema.json"), starter))
    found.append((("greengate.schemas", "config.schema.json"), {**starter, "rules": {"x y": {}}}))
    extension = {
        "regions": [
            {"provider": "aws", "region": "xx-1", "gco2PerKwh": 100, "source": "s", "year": 2024}
        ]
    }
    found.append((("greengate.catalog", "data/extension.schema.json"), extension))
    return found


def test_agrees_on_the_other_shipped_schemas_and_mutants_of_real_documents() -> None:
    """Policies, policy tests, configs and catalog extensions are checked the same way."""
    verdicts = []
    for schema, document in shipped_documents():
        check, checker = valid_check(*schema), validator(*schema)
        assert check is not None, schema
        verdicts.append(agree(check, checker, document))
        verdicts += [agree(check, checker, mutant) for mutant in mutants(document)]
    assert len({schema for schema, _ in shipped_documents()}) == 4
    assert verdicts.count(True) > 50 and verdicts.count(False) > 500


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"minItems": 1}, []),
        ({"minItems": 1}, "a"),
        ({"maxItems": 1}, [1, 2]),
        ({"maxItems": 1}, {"a": 1, "b": 2}),
        ({"propertyNames": {"pattern": "^[a-z]+$"}}, {"ab": 1, "c d": 2}),
        ({"propertyNames": {"pattern": "^[a-z]+$"}}, {"ab": 1}),
        ({"propertyNames": {"maxLength": 1}}, ["long"]),
    ],
)
def test_agrees_on_the_counts_and_property_names(schema: Any, value: Any) -> None:
    check = compile_check(schema)
    assert check is not None
    agree(check, jsonschema.Draft202012Validator(schema), value)
