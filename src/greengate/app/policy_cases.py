"""What ``greengate test`` runs: the cases of policies' examples and of test files.

A case names its policies, its manifests (inline, or files of any format
greengate reads), its params and config, and what it expects of each
(deployment, rule). Test files (``*.greengate-test.yaml``) are validated
against ``schemas/policy-test.schema.json``; anything wrong with one, or
with what an example names, stops the run with ``file:line:column: what;
how to fix`` (exit 2), as a broken policy does.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from greengate.config.load import load_config
from greengate.config.model import Config
from greengate.errors import PolicyError
from greengate.load import Document, load_file
from greengate.load.schema_errors import Wording, schema_message
from greengate.load.schemas import first_error
from greengate.policy.load import POLICY_SUFFIXES, TEST_SUFFIXES, load_policies
from greengate.policy.model import Example, Policy
from greengate.records.location import Location


@dataclass(frozen=True)
class Expected:
    """What a case expects of the findings of some rules on some deployments.

    ``rules`` and ``deployments`` empty mean all of the case's. By default
    every selected (deployment, rule) must have ``result``; with ``some``, at
    least one must; with ``only``, no other rule of the case may have it
    (an example's ``expect: fail`` with ``rules``: exactly those fail).
    ``message`` and ``line`` are checked on a finding with ``result``.
    """

    result: str
    location: Location
    rules: tuple[str, ...] = ()
    deployments: tuple[str, ...] = ()
    some: bool = False
    only: bool = False
    message: str = ""
    line: int | None = None


@dataclass(frozen=True)
class Case:
    name: str
    group: str
    location: Location
    policies: tuple[Policy, ...]
    expected: tuple[Expected, ...]
    documents: tuple[Document, ...] = ()
    """Inline manifests."""
    files: tuple[Path, ...] = ()
    """Manifest files, read as ``greengate check`` reads them."""
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Policy name -> params, over the config's and the policy's defaults."""
    config: Config | None = None
    """A config whose params, rule settings and defaults apply."""

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(v.id for p in self.policies for v in p.validations)

    @property
    def title(self) -> str:
        return f"{self.group}: {self.name}"


def is_test_file(path: Path) -> bool:
    return path.name.lower().endswith(TEST_SUFFIXES)


def example_cases(policy: Policy) -> list[Case]:
    """One case per ``spec.examples`` entry of ``policy``."""
    return [_example_case(policy, example) for example in policy.examples]


def _example_case(policy: Policy, example: Example) -> Case:
    rules = tuple(v.id for v in policy.validations)
    unknown = [r for r in example.rules if r not in rules]
    if unknown:
        raise PolicyError(
            f"{example.location}: example '{example.name}' names rule '{unknown[0]}', which is not a rule of policy '{policy.name}'{_guess(unknown[0], rules)}; list rules of {', '.join(rules)}"
        )
    if example.file is not None and not example.file.is_file():
        raise PolicyError(
            f"{example.location}: example '{example.name}' reads {example.file.as_posix()}, which is not a file; give its path relative to the policy file"
        )
    listed = example.rules
    failing = example.expect in ("fail", "error")
    check = Expected(
        example.expect,
        example.location,
        listed,
        some=failing and not listed,
        only=example.expect == "fail" and bool(listed),
        message=example.message,
        line=example.line,
    )
    return Case(
        name=example.name,
        group=policy.name,
        location=example.location,
        policies=(policy,),
        expected=(check,),
        documents=(example.manifest,) if example.manifest is not None else (),
        files=(example.file,) if example.file is not None else (),
        params={policy.name: dict(example.params)} if example.params else {},
    )


class TestFiles:
    """Reads test files; a policy a test names by file is loaded once, however many name it."""

    __test__ = False  # not a pytest class

    def __init__(self, known: Sequence[Policy]) -> None:
        self.known = {p.name: p for p in known}
        self.loaded: dict[Path, tuple[Policy, ...]] = {}

    @property
    def policies(self) -> list[Policy]:
        """The policies test files loaded by file (beside the ones known by name)."""
        seen = {id(p) for p in self.known.values()}
        return [p for group in self.loaded.values() for p in group if id(p) not in seen]

    def cases(self, path: Path) -> list[Case]:
        document = _single_document(path)
        data = document.data
        error = first_error("greengate.schemas", "policy-test.schema.json", data)
        if error is not None:
            raise PolicyError(schema_message(document, error, _WORDING))
        folder = path.parent
        default_policies = self._policies(document, ("policies",), data.get("policies"), folder)
        default_config = self._config(document, ("config",), data.get("config"), folder)
        cases: list[Case] = []
        names: dict[str, Location] = {}
        for index, item in enumerate(data["cases"]):
            at = ("cases", index)
            location = document.location(at)
            name = item["name"]
            if name in names:
                raise PolicyError(
                    f"{location}: case name '{name}' is already used at {names[name]}; give each case of a test file its own name"
                )
            names[name] = location
            policies = (
                self._policies(document, (*at, "policies"), item["policies"], folder)
                if "policies" in item
                else default_policies
            )
            if not policies:
                raise PolicyError(
                    f"{location}: case '{name}' names no policy; add policies: [NAME or FILE] to the case or to the test file"
                )
            config = (
                self._config(document, (*at, "config"), item["config"], folder)
                if "config" in item
                else default_config
            )
            files = []
            for i, manifest in enumerate(item["manifests"]):
                file = folder / manifest
                if not file.exists():
                    raise PolicyError(
                        f"{document.location((*at, 'manifests', i))}: manifest {file.as_posix()} does not exist; give its path relative to the test file"
                    )
                files.append(file)
            case = Case(
                name=name,
                group=path.name,
                location=location,
                policies=policies,
                expected=(),
                files=tuple(files),
                params=item.get("params", {}),
                config=config,
            )
            expected = tuple(
                self._expected(document, (*at, "results", i), result, case)
                for i, result in enumerate(item["results"])
            )
            cases.append(replace(case, expected=expected))
        return cases

    def _policies(
        self, document: Document, at: tuple[str | int, ...], names: Any, folder: Path
    ) -> tuple[Policy, ...]:
        if names is None:
            return ()
        found: list[Policy] = []
        for i, name in enumerate(names):
            if name.lower().endswith(POLICY_SUFFIXES) or "/" in name:
                file = folder / name
                if not file.is_file():
                    raise PolicyError(
                        f"{document.location((*at, i))}: policy file {file.as_posix()} does not exist; give its path relative to the test file, or the policy's name"
                    )
                key = file.resolve()
                if key not in self.loaded:
                    self.loaded[key] = tuple(self._same(p, key) for p in load_policies([file]))
                found.extend(self.loaded[key])
            elif name in self.known:
                found.append(self.known[name])
            else:
                raise PolicyError(
                    f"{document.location((*at, i))}: no policy named '{name}'{_guess(name, list(self.known))}; name a policy of the PATHs tested (or the built-in pack), or its file"
                )
        return tuple(found)

    def _same(self, policy: Policy, file: Path) -> Policy:
        """``policy`` as already loaded from ``PATH``, so its cases count for its coverage."""
        known = self.known.get(policy.name)
        if known is None:
            return policy
        if Path(known.location.file).resolve() != file:
            raise PolicyError(
                f"{policy.location}: policy name '{policy.name}' is already used by {known.location}; give one of them another metadata.name"
            )
        return known

    def _config(
        self, document: Document, at: tuple[str | int, ...], name: Any, folder: Path
    ) -> Config | None:
        if name is None:
            return None
        file = folder / name
        if not file.is_file():
            raise PolicyError(
                f"{document.location(at)}: config file {file.as_posix()} does not exist; give its path relative to the test file"
            )
        return load_config(file)

    def _expected(
        self, document: Document, at: tuple[str | int, ...], item: Mapping[str, Any], case: Case
    ) -> Expected:
        location = document.location(at)
        rules: tuple[str, ...] = ()
        if "rule" in item:
            if item["rule"] not in case.rule_ids:
                raise PolicyError(
                    f"{document.location((*at, 'rule'))}: '{item['rule']}' is not a rule of the policies of case '{case.name}'{_guess(item['rule'], case.rule_ids)}; name one of {', '.join(case.rule_ids)}"
                )
            rules = (item["rule"],)
        elif "policy" in item:
            policy = next((p for p in case.policies if p.name == item["policy"]), None)
            if policy is None:
                names = [p.name for p in case.policies]
                raise PolicyError(
                    f"{document.location((*at, 'policy'))}: '{item['policy']}' is not a policy of case '{case.name}'{_guess(item['policy'], names)}; name one of {', '.join(names)}"
                )
            rules = tuple(v.id for v in policy.validations)
        return Expected(
            result=item["result"],
            location=location,
            rules=rules,
            deployments=tuple(item.get("deployments", ())),
            message=item.get("message", ""),
            line=item.get("line"),
        )


def _single_document(path: Path) -> Document:
    loaded = load_file(path)
    if loaded.problems:
        problem = loaded.problems[0]
        raise PolicyError(f"{problem.location}: {problem.message}; fix the test file's YAML")
    documents = [d for d in loaded.documents if d.data is not None]
    if len(documents) != 1:
        where = documents[1].location(()) if documents else Location(path.as_posix(), 1, 1)
        raise PolicyError(
            f"{where}: a test file holds one YAML document; {'merge the documents' if documents else 'write its cases'}"
        )
    return documents[0]


def _guess(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


_WORDING = Wording(
    readme="see 'Testing your policies' in the README",
    fixes={"required": "add it"},
)
