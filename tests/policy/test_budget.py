"""A CEL expression that runs too long is stopped: an error finding, and the run goes on.

Real CEL, the real CLI in a subprocess with a timeout as the hang guard (the
code before the budget ran these policies for many minutes). The time budget
is cel-python's: these tests run that engine whatever is installed. cel-cpp
cannot be stopped by a timer; its own limit of comprehension iterations is
the same kind of stop (the tests at the end, where the binding is installed).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import greengate.policy.cel as cel_engines
from greengate.app.pipeline import adapt
from greengate.load import load_bytes
from greengate.policy.cel import cpp_installed, default_backend
from greengate.policy.cel.backend import BudgetExceeded, EvaluationError, IterationLimit
from greengate.policy.engine import DEFAULT_BUDGET, Engine
from greengate.policy.load import parse_policy

HANG_GUARD = 120  # seconds; the budget makes each of these take about one

SLOW = "params.items.all(a, params.items.all(b, params.items.all(c, a + b + c >= 0)))"

POLICY = f"""\
apiVersion: greengate.dev/v1
kind: Policy
metadata: {{name: costly}}
spec:
  severity: high
  params:
    items: {list(range(1000))}
  validations:
    - id: GG901
      expression: "{SLOW}"
      message: never
    - id: GG902
      expression: has(deployment.task)
      message: no task
"""

MANIFESTS = """\
apiVersion: greengate.dev/v1
kind: AIDeployment
metadata: {name: one}
spec: {task: chat}
---
apiVersion: greengate.dev/v1
kind: AIDeployment
metadata: {name: two}
spec: {task: chat}
"""


@pytest.fixture(autouse=True)
def _cel_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine whose evaluations a timer stops, in this process too."""
    monkeypatch.setattr(cel_engines, "_selected", "python")


def run_cli(
    tmp_path: Path, policy: str, config: str = "", engine: str = "python"
) -> tuple[int, dict[str, Any], str]:
    (tmp_path / "costly.yaml").write_text(policy)
    (tmp_path / "m.yaml").write_text(MANIFESTS)
    (tmp_path / ".greengate.yaml").write_text(config or "policies: {builtin: false}\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "greengate",
            "check",
            "m.yaml",
            "--policy",
            "costly.yaml",
            "--format",
            "json",
            "--cel-engine",
            engine,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.returncode, report, result.stderr


def findings(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    return [(f["ruleId"], f["deployment"], f["status"], f["message"]) for f in report["findings"]]


def test_an_expensive_rule_is_an_error_and_the_run_goes_on(tmp_path: Path) -> None:
    code, report, _ = run_cli(tmp_path, POLICY, "policies: {builtin: false, budgetSeconds: 0.2}\n")
    assert code == 1
    assert sorted(findings(report)) == [
        (
            "GG901",
            "one",
            "error",
            "evaluation of GG901 took longer than the 0.2 s budget; simplify the expression"
            " (or raise policies.budgetSeconds in the config)",
        ),
        (
            "GG901",
            "two",
            "error",
            "evaluation of GG901 took longer than the 0.2 s budget on 'one' (m.yaml) and was"
            " not run again; simplify the expression (or raise policies.budgetSeconds in the config)",
        ),
        ("GG902", "one", "pass", "GG902"),
        ("GG902", "two", "pass", "GG902"),
    ]


def test_the_default_budget_is_one_second(tmp_path: Path) -> None:
    assert DEFAULT_BUDGET == 1.0
    code, report, _ = run_cli(tmp_path, POLICY)
    assert code == 1
    messages = [m for rule, _, _, m in findings(report) if rule == "GG901"]
    assert len(messages) == 2
    assert all("took longer than the 1 s budget" in m for m in messages)


def test_an_expensive_variable_or_match_condition_names_itself(tmp_path: Path) -> None:
    variable = POLICY.replace(
        "  validations:\n",
        f'  variables:\n    - name: slow\n      expression: "{SLOW}"\n  validations:\n',
    ).replace(
        f'expression: "{SLOW}"\n      message: never',
        "expression: variables.slow\n      message: never",
    )
    _, report, _ = run_cli(tmp_path, variable, "policies: {builtin: false, budgetSeconds: 0.2}\n")
    (first, *_) = sorted(findings(report))
    assert first[:3] == ("GG901", "one", "error")
    assert first[3].startswith("evaluation of GG901 (variable 'slow') took longer than the 0.2 s")

    condition = POLICY.replace(
        "  validations:\n",
        f'  matchConditions:\n    - name: slow\n      expression: "{SLOW}"\n  validations:\n',
    )
    _, report, _ = run_cli(tmp_path, condition, "policies: {builtin: false, budgetSeconds: 0.2}\n")
    found = findings(report)
    assert {(r, d, s) for r, d, s, _ in found} == {
        ("GG901", "one", "error"),
        ("GG901", "two", "error"),
        ("GG902", "one", "error"),
        ("GG902", "two", "error"),
    }
    assert all("(matchCondition 'slow') took longer than the 0.2 s budget" in m for *_, m in found)


@pytest.mark.parametrize("value", ["0", "-1", "fast", "true", "10000"])
def test_a_bad_budget_in_the_config_is_exit_2(tmp_path: Path, value: str) -> None:
    code, _, stderr = run_cli(tmp_path, POLICY, f"policies: {{budgetSeconds: {value}}}\n")
    assert code == 2
    assert stderr.startswith("greengate: error: .greengate.yaml:1:")
    assert "policies.budgetSeconds" in stderr
    assert len(stderr.strip().splitlines()) == 1


def _engine(budget: float) -> tuple[Engine, list[Any]]:
    (document,) = load_bytes(POLICY.encode(), "costly.yaml").documents
    engine = Engine([parse_policy(document)], budget=budget)
    deployments = []
    for manifest in load_bytes(MANIFESTS.encode(), "m.yaml").documents:
        deployments.extend(adapt(manifest)[0])
    return engine, deployments


def test_the_budget_holds_off_the_main_thread_too() -> None:
    """No SIGPROF there: the fallback timer stops the evaluation."""
    engine, deployments = _engine(0.2)
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.extend(engine.evaluate(deployments)))
    worker.start()
    worker.join(HANG_GUARD)
    assert not worker.is_alive()
    statuses = {(f.rule_id, f.deployment, f.status.value) for f in results}
    assert ("GG901", "one", "error") in statuses and ("GG902", "two", "pass") in statuses


def test_the_budget_leaves_no_timer_or_handler_behind() -> None:
    def mine(signum: int, frame: Any) -> None:
        raise AssertionError("the budget's alarm reached the caller's handler")

    previous = signal.signal(signal.SIGPROF, mine)
    try:
        engine, deployments = _engine(0.2)
        engine.evaluate(deployments)
        assert signal.getsignal(signal.SIGPROF) is mine
        assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGPROF, previous)


def test_the_budget_is_cpu_time_so_a_busy_machine_does_not_change_the_verdict() -> None:
    """A wall-clock budget turned ordinary rules into errors on a loaded runner."""
    import time

    from greengate.policy.cel.budget import run_within

    # Sleeping uses no CPU: 0.3 s of wall-clock time stays within a 0.1 s CPU budget.
    assert run_within(0.1, lambda: (time.sleep(0.3), "done")[1]) == "done"
    with pytest.raises(BudgetExceeded):  # spinning does use it
        run_within(0.1, lambda: [sum(range(1000)) for _ in range(10**7)])


def test_the_backend_raises_budget_exceeded_an_evaluation_error() -> None:
    backend = default_backend()
    activation = backend.activation({"params": {"items": list(range(1000))}}, budget=0.1)
    with pytest.raises(BudgetExceeded) as info:
        backend.compile(SLOW).evaluate(activation)
    assert isinstance(info.value, EvaluationError)
    assert info.value.budget == 0.1
    assert str(info.value) == "took longer than the 0.1 s budget"
    # A fast expression in the same activation is not affected.
    assert backend.compile("size(params.items) == 1000").evaluate(activation) is True


def test_an_expensive_message_expression_is_an_error_not_a_silent_fallback(
    tmp_path: Path,
) -> None:
    slow_message = POLICY.replace(
        "      expression: has(deployment.task)\n      message: no task\n",
        "      expression: 'false'\n      message: no task\n"
        f"      messageExpression: \"{SLOW} ? 'a' : 'b'\"\n",
    )
    _, report, _ = run_cli(
        tmp_path, slow_message, "policies: {builtin: false, budgetSeconds: 0.2}\n"
    )
    gg902 = [(d, s, m) for r, d, s, m in findings(report) if r == "GG902"]
    assert [(d, s) for d, s, _ in gg902] == [("one", "error"), ("two", "error")]
    assert gg902[0][2].startswith(
        "evaluation of GG902 (its messageExpression) took longer than the 0.2 s budget"
    )


needs_cpp = pytest.mark.skipif(not cpp_installed(), reason="cel-expr-python is not installed")

CPP_LIMIT = (
    "ran more than 10,000 comprehension iterations{again} (the engine's limit, which"
    " policies.budgetSeconds does not raise); simplify the expression or run it with"
    " --cel-engine python"
)


@needs_cpp
def test_cel_cpps_iteration_limit_is_a_stop_like_the_budget(tmp_path: Path) -> None:
    code, report, _ = run_cli(tmp_path, POLICY, engine="cpp")
    assert code == 1
    again = " on 'one' (m.yaml) and was not run again"
    assert sorted(findings(report)) == [
        ("GG901", "one", "error", "evaluation of GG901 " + CPP_LIMIT.format(again="")),
        ("GG901", "two", "error", "evaluation of GG901 " + CPP_LIMIT.format(again=again)),
        ("GG902", "one", "pass", "GG902"),
        ("GG902", "two", "pass", "GG902"),
    ]


@needs_cpp
def test_cel_cpps_iteration_limit_in_a_message_expression_is_an_error(tmp_path: Path) -> None:
    slow_message = POLICY.replace(
        "      expression: has(deployment.task)\n      message: no task\n",
        "      expression: 'false'\n      message: no task\n"
        f"      messageExpression: \"{SLOW} ? 'a' : 'b'\"\n",
    )
    _, report, _ = run_cli(tmp_path, slow_message, engine="cpp")
    gg902 = [(d, s, m) for r, d, s, m in findings(report) if r == "GG902"]
    assert [(d, s) for d, s, _ in gg902] == [("one", "error"), ("two", "error")]
    assert gg902[0][2] == "evaluation of GG902 (its messageExpression) " + CPP_LIMIT.format(
        again=""
    )


@needs_cpp
def test_cel_cpps_backend_raises_iteration_limit_a_budget_stop() -> None:
    backend = cel_engines.backend_named("cpp")
    activation = backend.activation({"params": {"items": list(range(1000))}}, budget=5.0)
    with pytest.raises(IterationLimit) as info:
        backend.compile(SLOW).evaluate(activation)
    assert isinstance(info.value, BudgetExceeded)
    assert info.value.limit == 10_000
    assert str(info.value) == "ran more than 10,000 comprehension iterations"
    assert backend.compile("size(params.items) == 1000").evaluate(activation) is True
