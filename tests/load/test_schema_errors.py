"""The one schema-error translator: each part of a Wording, on a small schema of its own.

The config, policy and catalog tests check the messages of those formats;
these check what each knob does on its own, so a format that is added later
can rely on it.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from jsonschema.exceptions import best_match

from greengate.load import Document, load_bytes
from greengate.load.schema_errors import (
    Said,
    SchemaProblem,
    Wording,
    describe,
    dotted,
    schema_message,
)
from greengate.load.schemas import validator

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z]+$"},
        "level": {"enum": ["low", "high"]},
        "tags": {"type": "array"},
        "size": {"type": ["integer", "string"]},
        "parameters": {"oneOf": [{"type": "integer"}, {"type": "string", "minLength": 1}]},
    },
}
README = "see the manual"


def problem_in(text: str) -> tuple[Document, jsonschema.ValidationError]:
    (document,) = load_bytes(text.encode(), "f.yaml").documents
    error = best_match(jsonschema.Draft202012Validator(SCHEMA).iter_errors(document.data))
    assert error is not None
    return document, error


def message(text: str, wording: Wording) -> str:
    return schema_message(*problem_in(text), wording)


def test_dotted_paths() -> None:
    assert dotted(("spec", "validations", 0, "id")) == "spec.validations[0].id"
    assert dotted([0, "a"]) == "[0].a"
    assert dotted(()) == ""


def test_the_shared_cases_are_describes_sentences_with_the_readme_as_fix() -> None:
    wording = Wording(readme=README)
    for text in ("name: a\nnmae: b\n", "level: mid\n", "name: a\ntags: x\n", "name: A1\n"):
        location, sentence = describe(*problem_in(text))
        assert message(text, wording) == f"{location}: {sentence}; {README}"


def test_an_unknown_key_is_located_at_the_key_with_a_guess_or_the_allowed_keys() -> None:
    wording = Wording(readme=README, fixes={"additionalProperties": None})
    assert message("name: a\nnmae: b\n", wording) == (
        "f.yaml:2:1: document: unknown key 'nmae'; did you mean 'name'?"
    )
    assert message("name: a\nzzz: b\n", wording) == (
        "f.yaml:2:1: document: unknown key 'zzz'; allowed keys: level, name, parameters, size, tags"
    )


def test_fixes_per_keyword_and_per_type() -> None:
    wording = Wording(
        readme=README,
        fixes={"required": "add it", "enum": "use one of them"},
        type_fixes={"array": "write a list"},
    )
    assert message("level: low\n", wording) == (
        "f.yaml:1:1: document: 'name' is a required property; add it"
    )
    assert message("name: a\nlevel: mid\n", wording) == (
        "f.yaml:2:8: level: 'mid' is not one of low, high; use one of them"
    )
    assert message("name: a\ntags: x\n", wording) == (
        "f.yaml:2:7: tags: 'x' is not of type 'array'; write a list"
    )
    # A type without a fix of its own, or a choice of types, gets the readme.
    assert message("name: 3\n", wording) == (
        f"f.yaml:1:7: name: 3 is not of type 'string'; {README}"
    )
    assert message("name: a\nsize: [1]\n", wording) == (
        f"f.yaml:2:7: size: [1] is not of type 'integer', 'string'; {README}"
    )
    # A keyword without a fix gets the readme too: here a pattern.
    assert message("name: A1\n", wording) == (
        f"f.yaml:1:7: name: 'A1' does not match '^[a-z]+$'; {README}"
    )


def test_a_parameter_count_says_how_to_write_one() -> None:
    # As the native adapter sees it: every error, not best_match's pick inside the oneOf.
    (document,) = load_bytes(b"name: a\nparameters: 1.5\n", "f.yaml").documents
    (error,) = jsonschema.Draft202012Validator(SCHEMA).iter_errors(document.data)
    assert schema_message(document, error, Wording(readme=README)) == (
        "f.yaml:2:13: parameters: 1.5 is not a parameter count; write an integer or a number"
        f" with k, M, B or T (350M, 7B, 1.5T); {README}"
    )


def test_name_root_false_drops_document_from_top_level_messages_only() -> None:
    wording = Wording(readme=README, fixes={"required": "add it"}, name_root=False)
    assert message("level: low\n", wording) == "f.yaml:1:1: 'name' is a required property; add it"
    assert message("name: a\nlevel: mid\n", wording).startswith("f.yaml:2:8: level: ")


def special(problem: SchemaProblem) -> Said | None:
    if problem.path[-1:] == ("level",):
        return problem.location(), f"{problem.where}: {problem.instance!r} is no level", "pick one"
    return None


def test_special_cases_come_first_and_pass_the_others_on() -> None:
    wording = Wording(readme=README, special=special)
    assert message("name: a\nlevel: mid\n", wording) == (
        "f.yaml:2:8: level: 'mid' is no level; pick one"
    )
    assert message("name: a\ntags: x\n", wording).endswith(f"; {README}")


def test_the_layout_can_be_the_formats_own() -> None:
    def layout(location: Any, what: str, how: str | None) -> str:
        return f"{location.file}:{location.line}: {what}; {how}."

    wording = Wording(readme=README, layout=layout)
    assert message("name: a\ntags: x\n", wording) == (
        f"f.yaml:2: tags: 'x' is not of type 'array'; {README}."
    )


def test_a_problem_reads_keys_in_written_and_schema_order() -> None:
    document, error = problem_in("name: a\nzeta: 1\nalpha: 2\n")
    problem = SchemaProblem(document, error)
    assert problem.keyword == "additionalProperties" and problem.where == "document"
    assert problem.unknown_keys() == ["zeta", "alpha"]
    assert problem.allowed_keys() == ["name", "level", "tags", "size", "parameters"]
    assert str(problem.key_location("alpha")) == "f.yaml:3:1"


@pytest.mark.parametrize(
    ("package", "name"),
    [
        ("greengate.schemas", "config.schema.json"),
        ("greengate.schemas", "policy.schema.json"),
        ("greengate.schemas", "aideployment.schema.json"),
        ("greengate.catalog", "data/extension.schema.json"),
    ],
)
def test_each_shipped_schema_is_compiled_once_as_draft_2020_12(package: str, name: str) -> None:
    first = validator(package, name)
    assert isinstance(first, jsonschema.Draft202012Validator)
    assert validator(package, name) is first
