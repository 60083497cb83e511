from __future__ import annotations

import pytest

from greengate.policy.cel.backend import CompileError as CelCompileError
from greengate.policy.cel.backend import EvaluationError as CelEvalError
from greengate.policy.cel.celpython import compile_expression, from_cel, to_cel

DEPLOYMENT = {"a": 1, "f": 2.5, "s": "Hello", "l": [1, 2, 3], "m": {"k": "v"}}


def run(expression: str, **extra: object) -> object:
    activation = {"deployment": to_cel(DEPLOYMENT), "params": to_cel(extra)}
    return from_cel(compile_expression(expression).evaluate(activation))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("deployment.a < deployment.f", True),  # int vs double: cel-go semantics
        ("deployment.f >= 2", True),
        ("deployment.a == 1.0", True),
        ("deployment.a != 1.0", False),
        ("deployment.s.lowerAscii() == 'hello'", True),
        ("deployment.s.upperAscii()", "HELLO"),
        ("'a,b'.split(',')", ["a", "b"]),
        ("['a', 'b'].join('-')", "a-b"),
        (
            "has(deployment.m.k) ? 1 : 2",
            1,
        ),  # the compiled runner raises here; the interpreter answers
        ("has(deployment.nope) && has(deployment.nope.deeper)", False),
        ("deployment.l.exists(x, x > 2)", True),
        ("deployment.l.all(x, x > 0.5)", True),
        ("'k' in deployment.m", True),
        ("deployment.missing > 1 || true", True),  # errors absorbed by || as in the CEL spec
    ],
)
def test_expressions(expression: str, expected: object) -> None:
    assert run(expression) == expected


def test_missing_member_is_reported_by_name() -> None:
    with pytest.raises(CelEvalError) as info:
        run("deployment.cloud.region == 'x'")
    assert info.value.missing_member == "cloud"


def test_type_error_message_is_short() -> None:
    with pytest.raises(CelEvalError) as info:
        run("deployment.s > 1")
    assert "no such overload" in str(info.value)
    assert "Activation" not in str(info.value)


def test_undeclared_reference() -> None:
    with pytest.raises(CelEvalError, match="undeclared reference to 'nope'"):
        run("nope == 1")


@pytest.mark.parametrize(
    ("source", "line", "column"),
    [
        ("deployment.a +* 2", 1, 15),
        ("deployment.a >", 1, 14),
        ("deployment.a == 1 &&\n  deployment.b ==", 2, 16),
    ],
)
def test_syntax_errors_have_positions(source: str, line: int, column: int) -> None:
    with pytest.raises(CelCompileError) as info:
        compile_expression(source)
    assert (info.value.line, info.value.column) == (line, column)


def test_deployment_paths_are_collected() -> None:
    program = compile_expression(
        "deployment.cloud.region in params.x && has(deployment.model.parameters)"
    )
    assert program.deployment_paths == ("cloud.region", "model.parameters")


def test_library_logging_never_reaches_the_user(capfd: pytest.CaptureFixture[str]) -> None:
    run("has(deployment.m.k) ? 1 : 2")
    out, err = capfd.readouterr()
    assert out == "" and err == ""


DIFFERENTIAL = [
    "has(deployment.m.k) && deployment.a == 1",
    "!has(deployment.m.k) || deployment.a > 0",
    "has(deployment.nope) ? 1 : 2",
    "has(deployment.m.k) ? deployment.s : 'x'",
    "!has(deployment.nope.x) || deployment.nope.x > 1",
    "deployment.l.exists(x, x > 2) && !has(deployment.q)",
    "size(deployment.l) > 2 ? deployment.s in ['Hello'] : false",
    "deployment.missing > 1 || true",
    "false && deployment.missing",
]


@pytest.mark.parametrize("expression", DIFFERENTIAL)
def test_compiled_runner_agrees_with_the_interpreter(expression: str) -> None:
    """The fast runner's answer is final when it gives one, so it must be the interpreter's."""
    program = compile_expression(expression)
    activation = {"deployment": to_cel(DEPLOYMENT), "params": to_cel({})}
    assert program._fast is not None
    fast = program._fast.evaluate(activation)
    slow = program._slow.evaluate(activation)
    assert from_cel(fast) == from_cel(slow)


def _same(a: object, b: object) -> bool:
    """Equal values of the same CEL types, maps in the same order (json_to_cel is the reference)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return (
            list(map(type, a)) == list(map(type, b))
            and list(a) == list(b)
            and all(_same(a[k], b[k]) for k in a)
        )
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return isinstance(b, float) and b != b
    return a == b


def test_to_cel_gives_json_to_cels_values_on_the_corpus_and_on_edge_values() -> None:
    import datetime
    from pathlib import Path

    from celpy.adapter import json_to_cel

    from greengate.app.pipeline import read_deployments
    from greengate.catalog import Catalog
    from greengate.sources.discover import discover

    corpus = Path(__file__).resolve().parents[2] / "data" / "corpus" / "files"
    deployments, _ = read_deployments(discover([corpus]), Catalog.builtin())
    inputs = [d.as_cel_input() for d in deployments]
    assert len(inputs) > 100
    edges: list[object] = [
        None,
        True,
        False,
        0,
        -1,
        2**63 - 1,
        -(2**63),
        1.5,
        -0.0,
        float("inf"),
        float("nan"),
        "",
        "ü",
        [],
        {},
        (1, "a"),
        {"": [None, {"k": (True, 2.0)}]},
        datetime.timedelta(seconds=3),
    ]
    for value in [*inputs, *edges]:
        assert _same(to_cel(value), json_to_cel(value)), value
    for beyond in (2**63, -(2**63) - 1):
        with pytest.raises(ValueError, match="overflow"):
            to_cel(beyond)
