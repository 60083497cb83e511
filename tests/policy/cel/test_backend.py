"""The backend contract of greengate.policy.cel.backend, checked on every installed engine."""

from __future__ import annotations

from typing import Any

import pytest

from greengate.errors import UsageError
from greengate.policy.cel import (
    available_engines,
    backend_named,
    cpp_installed,
    default_backend,
    select_engine,
    selected_engine,
)
from greengate.policy.cel.backend import (
    Backend,
    CompileError,
    EvaluationError,
    Input,
    MissingFieldError,
    Program,
)
from greengate.policy.cel.celpython import CelPythonBackend

DEPLOYMENT = {
    "replicas": 3,
    "ratio": 0.5,
    "name": "svc",
    "zones": ["a", "b"],
    "cloud": {"provider": "gcp"},
}


@pytest.fixture(params=available_engines())
def backend(request: pytest.FixtureRequest) -> Backend:
    return backend_named(request.param)


def run(backend: Backend, expression: str, **params: Any) -> Any:
    activation = backend.activation({"deployment": DEPLOYMENT, "params": params})
    return backend.compile(expression).evaluate(activation)


def test_the_default_backend_is_the_selected_engine_and_shared() -> None:
    try:
        select_engine("python")
        assert isinstance(default_backend(), CelPythonBackend)
        assert default_backend() is default_backend()
        assert default_backend().name == "cel-python"
        select_engine("auto")
        assert selected_engine() == ("cpp" if cpp_installed() else "python")
        assert default_backend().name == ("cel-cpp" if cpp_installed() else "cel-python")
    finally:
        select_engine("auto")


def test_an_unknown_or_missing_engine_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown CEL engine"):
        select_engine("java")
    if not cpp_installed():
        with pytest.raises(UsageError, match=r"greengate\[fast\]"):
            select_engine("cpp")


def test_compile_returns_a_program_with_its_source(backend: Backend) -> None:
    program = backend.compile("deployment.replicas > 1")
    assert isinstance(program, Program)
    assert program.source == "deployment.replicas > 1"


@pytest.mark.parametrize(
    ("source", "line", "column"),
    [
        ("deployment.replicas +* 2", 1, 22),
        ("deployment.replicas >", 1, 21),
        ("true &&\n  deployment.x ==", 2, 16),
    ],
)
def test_a_compile_error_has_its_line_and_column(
    backend: Backend, source: str, line: int, column: int
) -> None:
    with pytest.raises(CompileError) as info:
        backend.compile(source)
    assert (info.value.line, info.value.column) == (line, column)
    assert str(info.value).startswith("CEL syntax error: ")


@pytest.mark.parametrize(
    ("expression", "expected", "kind"),
    [
        ("deployment.replicas > 1", True, bool),
        ("has(deployment.nope)", False, bool),
        ("deployment.replicas + 1", 4, int),
        ("2u", 2, int),
        ("deployment.ratio * 2.0", 1.0, float),
        ("deployment.name + '-x'", "svc-x", str),
        ("null", None, type(None)),
    ],
)
def test_scalar_results_are_plain(
    backend: Backend, expression: str, expected: object, kind: type
) -> None:
    result = run(backend, expression)
    assert result == expected
    assert type(result) is kind


def test_list_and_map_results_are_plain_all_the_way_down(backend: Backend) -> None:
    listed = run(backend, "deployment.zones + ['c']")
    assert listed == ["a", "b", "c"]
    assert type(listed) is list and all(type(z) is str for z in listed)

    mapped = run(backend, "{'n': deployment.replicas, 'l': [1.5, true], 'm': deployment.cloud}")
    assert mapped == {"n": 3, "l": [1.5, True], "m": {"provider": "gcp"}}
    assert type(mapped) is dict
    assert [type(k) for k in mapped] == [str, str, str]
    assert type(mapped["n"]) is int
    assert [type(v) for v in mapped["l"]] == [float, bool]
    assert type(mapped["m"]) is dict


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("deployment.replicas > deployment.ratio", True),
        ("deployment.ratio < 1", True),
        ("deployment.replicas == 3.0", True),
        ("deployment.replicas != 3.0", False),
        ("deployment.replicas >= 3.5", False),
        ("params.limit <= deployment.replicas", True),
    ],
)
def test_ints_and_doubles_compare_as_numbers(
    backend: Backend, expression: str, expected: bool
) -> None:
    assert run(backend, expression, limit=2.5) is expected


@pytest.mark.parametrize(
    ("expression", "member"),
    [
        ("deployment.region == 'x'", "region"),
        ("deployment.cloud.region == 'x'", "region"),
        ("deployment.gpu.count > 1", "gpu"),
        ("deployment.gpu.count > 1 && true", "gpu"),  # wrapped by the operator's error
        ("params.nope", "nope"),
    ],
)
def test_a_missing_field_raises_the_missing_field_error(
    backend: Backend, expression: str, member: str
) -> None:
    with pytest.raises(MissingFieldError) as info:
        run(backend, expression)
    assert info.value.missing_member == member
    assert isinstance(info.value, EvaluationError)
    assert str(info.value) == f"no such key: '{member}'"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("deployment.name > 1", "no such overload"),
        ("nope == 1", "undeclared reference to 'nope'"),
        ("1 / 0", "divide by zero"),
    ],
)
def test_other_failures_are_evaluation_errors_not_missing_fields(
    backend: Backend, expression: str, message: str
) -> None:
    with pytest.raises(EvaluationError, match=message) as info:
        run(backend, expression)
    assert not isinstance(info.value, MissingFieldError)


def test_a_converted_input_binds_in_many_activations(backend: Backend) -> None:
    deployment = backend.convert(DEPLOYMENT)
    assert isinstance(deployment, Input)
    program = backend.compile("deployment.replicas * params.factor")
    results = [
        program.evaluate(backend.activation({"deployment": deployment, "params": {"factor": f}}))
        for f in (1, 2, 3)
    ]
    assert results == [3, 6, 9]


def test_variables_start_empty_and_follow_the_declaration_order(backend: Backend) -> None:
    activation = backend.activation({"deployment": DEPLOYMENT})
    assert backend.compile("variables").evaluate(activation) == {}
    activation.define("double", backend.compile("deployment.replicas * 2"))
    activation.define("more", backend.compile("variables.double + 1"))
    assert backend.compile("[variables.double, variables.more]").evaluate(activation) == [6, 7]


def test_a_variable_keeps_its_cel_type(backend: Backend) -> None:
    """A uint stays a uint inside the activation, though it comes back as a plain int."""
    if backend.name == "cel-cpp":
        pytest.skip("cel-cpp binds a variable again as a plain value: a uint becomes an int")
    activation = backend.activation({})
    activation.define("u", backend.compile("1u"))
    assert backend.compile("variables.u + 1u").evaluate(activation) == 2


def test_a_failed_variable_is_not_bound(backend: Backend) -> None:
    activation = backend.activation({"deployment": DEPLOYMENT})
    with pytest.raises(MissingFieldError):
        activation.define("region", backend.compile("deployment.cloud.region"))
    with pytest.raises(MissingFieldError) as info:
        backend.compile("variables.region == 'x'").evaluate(activation)
    assert info.value.missing_member == "region"


def test_a_program_knows_the_deployment_paths_it_reads(backend: Backend) -> None:
    program = backend.compile(
        "has(deployment.cloud.region) ? deployment.cloud.region == 'x' : deployment.replicas > 1"
        " && has(deployment.model.name)"
    )
    assert program.deployment_paths == ("cloud.region", "replicas", "model.name")
    assert program.required_paths == ("cloud.region", "replicas")


def test_a_program_names_the_identifiers_it_reads(backend: Backend) -> None:
    program = backend.compile(
        'deployment.a.all(x, x > limit) || size(params.b) > 0\n  && "deploymnt" != zone.name'
        " && [1].map(y, y).all(z, y > 0) && .root.x"
    )
    assert [(r.name, r.line, r.column) for r in program.references()] == [
        ("deployment", 1, 1),
        ("limit", 1, 25),
        ("params", 1, 40),
        ("zone", 2, 21),
        ("y", 2, 55),
        ("root", 2, 66),
    ]
