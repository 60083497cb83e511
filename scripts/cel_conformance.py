"""Run the cel-spec conformance files against greengate's CEL engines; print the pass rates.

    python scripts/cel_conformance.py [--engine python|cpp|all] [--failures] [FILE ...]

The files are google/cel-spec's ``tests/simple/testdata/*.textproto``,
vendored in ``tests/data/cel-spec`` (see its README). Each case is evaluated
through greengate's own backend interface (``greengate.policy.cel.backend``),
so what is measured is what policies get, bridges included.

Only the cases that need no protobuf message type are run: a case is skipped
when it builds or expects a message (``object_value``, ``TestAllTypes{...}``,
``google.protobuf.*``), needs a container, an enum, a type-checker-only
result (``check_only``, ``deduced_type``) or unknowns, or declares a variable
of a message type, or binds an input of a type greengate's inputs never have (a
``uint``, bytes, a dotted name). The files that are about messages only (``proto2``,
``proto3``, ``proto2_ext``, ``enums``, ``wrappers``) are not run at all.
:data:`CORE` names the files whose rate the 99% target counts.

The textproto is read by the small parser below rather than by
``google.protobuf.text_format``: that one needs the generated message
classes of cel-spec's ``simple.proto`` and its imports (compiled with
``protoc`` at test time), and it refuses a whole file when one ``Any``
names a message type it does not know, which every file with a proto case
does.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "cel-spec"

PROTO_ONLY = frozenset({"proto2", "proto3", "proto2_ext", "enums", "wrappers"})
"""Files whose cases are about protobuf messages: not run."""

CORE = (
    "basic",
    "comparisons",
    "conversions",
    "dynamic",
    "fields",
    "fp_math",
    "integer_math",
    "lists",
    "logic",
    "macros",
    "macros2",
    "namespace",
    "parse",
    "plumbing",
    "string",
    "timestamps",
    "type_deduction",
    "unknowns",
)
"""The files without ``_ext`` in their name, less the proto-only ones and ``optionals``: the core target."""

OPTIONAL_TYPES = "optionals"
"""cel-go's optional types extension (``optional.of``, ``.?``), whose file has no ``_ext``:
an extension greengate does not offer, run and shown but not counted in the core target."""

TARGETS = {"core": 0.99, "string_ext": 0.95}
"""The pass rate every engine must reach (issue 15)."""

_PROTO_TEXT = re.compile(
    r"TestAllTypes|NestedTestAllTypes|google\.protobuf\.|cel\.expr\.|GlobalEnum|TestRequired"
)


# --- a textproto reader: fields to lists of values, messages to dicts ---

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<name>\[[\w./]+\]|[A-Za-z_][\w.]*)
  | (?P<number>[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)[fFuU]?|-inf|-nan)
  | (?P<punct>[:{}<>\[\],;])
    """,
    re.VERBOSE,
)

_ESCAPE = {
    "a": 7,
    "b": 8,
    "f": 12,
    "n": 10,
    "r": 13,
    "t": 9,
    "v": 11,
    "\\": 92,
    "'": 39,
    '"': 34,
    "?": 63,
}


def _unescape(quoted: str) -> bytes:
    """The bytes of a textproto string literal (C escapes; octal and hex are bytes)."""
    body, out, i = quoted[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out += char.encode()
            i += 1
            continue
        code = body[i + 1]
        if code in _ESCAPE:
            out.append(_ESCAPE[code])
            i += 2
        elif code in "01234567":
            digits = re.match(r"[0-7]{1,3}", body[i + 1 :])
            assert digits is not None
            out.append(int(digits.group(), 8))
            i += 1 + len(digits.group())
        elif code in "xX":
            digits = re.match(r"[0-9a-fA-F]{1,2}", body[i + 2 :])
            assert digits is not None
            out.append(int(digits.group(), 16))
            i += 2 + len(digits.group())
        elif code in "uU":
            width = 4 if code == "u" else 8
            out += chr(int(body[i + 2 : i + 2 + width], 16)).encode()
            i += 2 + width
        else:
            raise ValueError(f"unknown escape \\{code} in {quoted}")
    return bytes(out)


class _Reader:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(text):
            match = _TOKEN.match(text, position)
            if match is None:
                raise ValueError(f"textproto: cannot read {text[position : position + 20]!r}")
            position = match.end()
            if match.lastgroup != "space":
                self.tokens.append((str(match.lastgroup), match.group()))
        self.at = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.at += 1
        return token

    def message(self, close: str | None) -> dict[str, list[Any]]:
        fields: dict[str, list[Any]] = {}
        while True:
            kind, text = self.peek()
            if (close is None and kind == "end") or text == close:
                self.take()
                return fields
            if kind != "name":
                raise ValueError(f"textproto: expected a field name, got {text!r}")
            self.take()
            if self.peek()[1] == ":":
                self.take()
            values = fields.setdefault(text, [])
            if self.peek()[1] == "[":
                self.take()
                while self.peek()[1] != "]":
                    values.append(self.value())
                    if self.peek()[1] == ",":
                        self.take()
                self.take()
            else:
                values.append(self.value())
            if self.peek()[1] in (",", ";"):
                self.take()

    def value(self) -> Any:
        kind, text = self.take()
        if text in ("{", "<"):
            return self.message("}" if text == "{" else ">")
        if kind == "string":
            data = _unescape(text)
            while self.peek()[0] == "string":  # adjacent literals concatenate
                data += _unescape(self.take()[1])
            return data
        if kind == "number":
            if text in ("-inf", "-nan"):
                return float(text)
            number = text.rstrip("fFuU")
            return float(number) if re.search(r"[.eE]", number) else int(number)
        if kind == "name":
            return {"true": True, "false": False, "inf": math.inf, "nan": math.nan}.get(text, text)
        raise ValueError(f"textproto: unexpected {text!r}")


def parse_textproto(text: str) -> dict[str, list[Any]]:
    """Every field of a textproto message, each a list (a field may repeat)."""
    return _Reader(text).message(None)


# --- the cases ---


@dataclass(frozen=True)
class Case:
    """One conformance test: an expression, its bindings and what it must give."""

    file: str
    section: str
    name: str
    expr: str
    bindings: dict[str, Any] = field(default_factory=dict)
    expected: Any = None
    error: bool = False
    """The spec expects an evaluation error (any message)."""

    @property
    def id(self) -> str:
        return f"{self.file}/{self.section}/{self.name}"


class _NeedsProto(Exception):
    """A value that only a protobuf message type can hold."""


@dataclass(frozen=True)
class Typed:
    """A spec value whose CEL type a plain Python value does not show: uint, bytes, a type."""

    kind: str
    value: Any


def _one(message: dict[str, list[Any]], name: str, default: Any = None) -> Any:
    values = message.get(name)
    return values[-1] if values else default


def to_value(message: dict[str, list[Any]]) -> Any:
    """A ``cel.expr.Value`` as a Python value greengate compares results with."""
    if not message:
        raise _NeedsProto("an empty value")
    (kind, values) = next(iter(message.items()))
    raw = values[-1]
    if kind == "null_value":
        return None
    if kind == "bool_value":
        return bool(raw)
    if kind == "int64_value":
        return int(raw)
    if kind == "uint64_value":
        return Typed("uint", int(raw))
    if kind == "double_value":
        return float(raw)
    if kind == "string_value":
        return raw.decode()
    if kind == "bytes_value":
        return Typed("bytes", bytes(raw))
    if kind == "type_value":
        return Typed("type", raw.decode())
    if kind == "list_value":
        return [to_value(v) for v in raw.get("values", [])]
    if kind == "map_value":
        result = {}
        for entry in raw.get("entries", []):
            key = to_value(_one(entry, "key"))
            result[_hashable(key)] = to_value(_one(entry, "value"))
        return result
    raise _NeedsProto(kind)


def _hashable(key: Any) -> Any:
    return ("uint", key.value) if isinstance(key, Typed) else key


def _plain(value: Any) -> bool:
    """Whether a binding is a plain input the backend contract takes (no uint, bytes, type)."""
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_plain(k) and _plain(v) for k, v in value.items())
    return not isinstance(value, Typed | tuple)


def _skip_reason(test: dict[str, list[Any]], expr: str) -> str | None:
    if _one(test, "check_only") or ("typed_result" in test and "deduced_type" in str(test)):
        return "type checker only"
    if _one(test, "container"):
        return "container"
    if "unknown" in test or "any_unknowns" in test:
        return "unknowns"
    if _PROTO_TEXT.search(expr) or "object_value" in str(test) or "message_type" in str(test):
        return "protobuf message"
    if "enum_value" in str(test):
        return "enum"
    if _one(test, "disable_macros"):
        return "macros disabled"
    return None


def load_cases(path: Path) -> tuple[list[Case], int]:
    """The runnable cases of one file and how many were skipped."""
    document = parse_textproto(path.read_text(encoding="utf-8"))
    file = path.stem
    cases: list[Case] = []
    skipped = 0
    for section in document.get("section", []):
        section_name = _one(section, "name", b"").decode()
        for test in section.get("test", []):
            expr = _one(test, "expr", b"").decode()
            name = _one(test, "name", b"").decode()
            if _skip_reason(test, expr) is not None:
                skipped += 1
                continue
            try:
                bindings = {
                    _one(entry, "key").decode(): to_value(_one(_one(entry, "value"), "value"))
                    for entry in test.get("bindings", [])
                }
                if any("." in name for name in bindings):
                    raise _NeedsProto("a qualified name: greengate binds plain names only")
                if any(not _plain(v) for v in bindings.values()):
                    raise _NeedsProto("a uint or bytes input, outside the backend contract")
                error = "eval_error" in test or "any_eval_errors" in test
                result = test.get("value") or [
                    _one(typed, "result") for typed in test.get("typed_result", [])
                ]
                expected = None if error else to_value(result[-1]) if result else True
            except _NeedsProto:
                skipped += 1
                continue
            cases.append(Case(file, section_name, name, expr, bindings, expected, error))
    return cases, skipped


# --- running them ---


def engines() -> dict[str, Callable[[], Any]]:
    """The engines greengate offers that are installed here, by their ``--cel-engine`` name."""
    from greengate.policy.cel import available_engines, backend_named

    return {name: (lambda name=name: backend_named(name)) for name in available_engines()}


def same(result: Any, expected: Any) -> bool:
    """A result equal to the spec's value, type included (``1`` is not ``1.0`` nor ``true``)."""
    if isinstance(expected, Typed):
        if expected.kind == "uint":
            return type(result) is int and result == expected.value
        if expected.kind == "bytes":
            return isinstance(result, bytes) and bytes(result) == expected.value
        return _type_name(result) == expected.value
    if isinstance(expected, float):
        if not isinstance(result, float) or isinstance(result, bool):
            return False
        return (math.isnan(result) and math.isnan(expected)) or result == expected
    if isinstance(expected, bool) or expected is None:
        return result is expected or (isinstance(result, bool) and result == expected)
    if isinstance(expected, int):
        return type(result) is int and result == expected
    if isinstance(expected, str):
        return isinstance(result, str) and str(result) == expected
    if isinstance(expected, list):
        return (
            isinstance(result, list)
            and len(result) == len(expected)
            and all(same(r, e) for r, e in zip(result, expected, strict=True))
        )
    if isinstance(expected, dict):
        if not isinstance(result, dict) or len(result) != len(expected):
            return False
        plain = {_key(k): v for k, v in result.items()}
        return all(_key(k) in plain and same(plain[_key(k)], v) for k, v in expected.items())
    return False


def _key(key: Any) -> Any:
    if isinstance(key, tuple):
        return key[1]
    return (type(key) is bool, key)


def _type_name(value: Any) -> str | None:
    name = getattr(value, "cel_type_name", None)
    return name if isinstance(name, str) else None


@dataclass
class Tally:
    """The results of one engine on one file."""

    passed: int = 0
    failed: list[str] = field(default_factory=list)
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.passed + len(self.failed)

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 1.0


def outcome(backend: Any, case: Case) -> tuple[bool, str]:
    """Whether the engine gives what the spec says, and what it gave."""
    from greengate.policy.cel.backend import CompileError, EvaluationError

    try:
        program = backend.compile(case.expr)
        activation = backend.activation(case.bindings)
        result = program.evaluate(activation)
        result = _typed_result(backend, program, activation, case, result)
    except (CompileError, EvaluationError) as exc:
        return case.error, f"error: {exc}"
    if case.error:
        return False, f"{result!r} (an error was expected)"
    return same(result, case.expected), repr(result)


def _typed_result(backend: Any, program: Any, activation: Any, case: Case, result: Any) -> Any:
    """Tell uint from int, and a type from a string, which plain results do not show.

    The backend contract returns ``uint`` as ``int`` and a type value in the
    engine's own form; the spec's value says which it expects, so for those
    cases ask the engine ``type(expr)`` as well.
    """
    wanted = case.expected
    if isinstance(wanted, Typed) and wanted.kind == "uint" and type(result) is int:
        typed = backend.compile(f"type(({case.expr}\n)) == uint").evaluate(activation)
        return result if typed is True else ("int", result)
    if isinstance(wanted, Typed) and wanted.kind == "type":
        names = ("int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type")
        names += ("type", "google.protobuf.Duration", "google.protobuf.Timestamp")
        for name in names:
            probe = backend.compile(f"({case.expr}\n) == {name}")
            try:
                if probe.evaluate(activation) is True:
                    return _TypeName(name)
            except Exception:
                continue
        return result
    if type(result) is int and isinstance(wanted, int) and not isinstance(wanted, bool):
        typed = backend.compile(f"type(({case.expr}\n)) == int").evaluate(activation)
        return result if typed is True else ("uint", result)
    return result


@dataclass(frozen=True)
class _TypeName:
    cel_type_name: str


def run(paths: list[Path], engine_names: list[str]) -> dict[str, dict[str, Tally]]:
    """Per engine, per file: how many cases pass."""
    loaded = {path.stem: load_cases(path) for path in paths if path.stem not in PROTO_ONLY}
    available = engines()
    results: dict[str, dict[str, Tally]] = {}
    for name in engine_names:
        backend = available[name]()
        per_file = results.setdefault(name, {})
        for file, (cases, skipped) in loaded.items():
            tally = per_file.setdefault(file, Tally(skipped=skipped))
            for case in cases:
                ok, _ = outcome(backend, case)
                if ok:
                    tally.passed += 1
                else:
                    tally.failed.append(case.id)
    return results


def overall(per_file: dict[str, Tally], files: Iterator[str] | tuple[str, ...]) -> Tally:
    """The tallies of ``files`` added up."""
    total = Tally()
    for file in files:
        if file in per_file:
            total.passed += per_file[file].passed
            total.failed += per_file[file].failed
            total.skipped += per_file[file].skipped
    return total


def report(results: dict[str, dict[str, Tally]]) -> str:
    """The table the README shows: pass rate per file and engine, then the targets."""
    names = list(results)
    files = sorted({f for per_file in results.values() for f in per_file})
    lines = [f"{'file':<16}{'cases':>7}{'skipped':>9}" + "".join(f"{n:>18}" for n in names)]
    for file in files:
        first = results[names[0]][file]
        cells = "".join(
            f"{results[n][file].passed:>8}/{results[n][file].total:<4}{results[n][file].rate:>6.1%}"
            for n in names
        )
        lines.append(f"{file:<16}{first.total:>7}{first.skipped:>9}{cells}")
    for label, group in (("core", CORE), ("string_ext", ("string_ext",))):
        cells = ""
        for n in names:
            tally = overall(results[n], group)
            cells += f"{tally.passed:>8}/{tally.total:<4}{tally.rate:>6.1%}"
        total = overall(results[names[0]], group)
        lines.append(f"{label:<16}{total.total:>7}{total.skipped:>9}{cells}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="all", help="python, cpp or all (those installed)")
    parser.add_argument("--failures", action="store_true", help="list every failing case")
    parser.add_argument("files", nargs="*", type=Path, help="textproto files (default: all)")
    args = parser.parse_args(argv)
    paths = args.files or sorted(DATA.glob("*.textproto"))
    names = list(engines()) if args.engine == "all" else [args.engine]
    results = run(paths, names)
    print(report(results))
    if args.failures:
        for name, per_file in results.items():
            for tally in per_file.values():
                for case_id in tally.failed:
                    print(f"{name}: FAIL {case_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
