"""Every real manifest in tests/data/corpus is read without a crash, and nothing is lost.

The corpus is 387 unmodified files from 23 public repositories (see its
README and INDEX.tsv for each file's repository, commit and licence, and
``licenses/`` for each repository's licence text at that commit).
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from greengate.cli import main
from greengate.records.text import printable

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the parser greengate uses
INDEX = list(csv.DictReader((CORPUS / "INDEX.tsv").open(encoding="utf-8"), delimiter="\t"))


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def report() -> dict:  # type: ignore[type-arg]
    code, out, err = invoke("check", str(CORPUS / "files"), "--format", "json")
    assert code == 1 and err == ""
    return json.loads(out)  # type: ignore[no-any-return]


def test_index_lists_every_file_with_its_licence() -> None:
    on_disk = {
        p.relative_to(CORPUS).as_posix() for p in (CORPUS / "files").rglob("*") if p.is_file()
    }
    assert on_disk == {row["local_path"] for row in INDEX}
    assert all(row["repo"] and row["commit_sha"] and row["license"] for row in INDEX)
    assert {row["license"].strip() for row in INDEX} <= {
        "Apache-2.0",
        "MIT",
        "MIT-0",
        "BSD-3-Clause",
    }


def test_every_repository_has_its_licence_text() -> None:
    repos = {row["repo"].strip() for row in INDEX}
    texts = {p.stem for p in (CORPUS / "licenses").glob("*.txt")}
    assert texts == {repo.replace("/", "__") for repo in repos}


def test_every_file_is_read(report: dict) -> None:  # type: ignore[type-arg]
    assert report["summary"]["files"] == len(INDEX)
    assert report["summary"]["deployments"] >= 240


def test_every_yaml_parse_failure_is_an_error_finding(report: dict) -> None:  # type: ignore[type-arg]
    unreadable = set()
    for row in INDEX:
        path = CORPUS / row["local_path"]
        if path.suffix not in (".yaml", ".yml"):
            continue
        try:
            list(yaml.compose_all(path.read_text("utf-8"), Loader=LOADER))
        except yaml.YAMLError:
            unreadable.add(path.name)
    reported = {Path(f["file"]).name for f in report["findings"] if f["ruleId"] == "GG001"}
    assert unreadable and unreadable <= reported


def test_no_rule_errors_on_real_manifests(report: dict) -> None:  # type: ignore[type-arg]
    """Missing or odd facts must become failing findings that say what to declare, not errors."""
    errors = [f for f in report["findings"] if f["status"] == "error" and f["ruleId"] != "GG001"]
    assert errors == []


def test_every_finding_has_a_real_location(report: dict) -> None:  # type: ignore[type-arg]
    for finding in report["findings"]:
        assert finding["line"] >= 1 and finding["column"] >= 1
        assert (Path.cwd() / finding["file"]).exists() or Path(finding["file"]).exists()


@pytest.fixture(scope="module")
def explained() -> dict:  # type: ignore[type-arg]
    """``greengate explain --format json`` of the whole corpus, run once for the tests below."""
    code, out, err = invoke("explain", str(CORPUS / "files"), "--format", "json")
    assert (code, err) == (0, "")
    return json.loads(out)  # type: ignore[no-any-return]


def test_explain_reads_the_whole_corpus(explained: dict) -> None:  # type: ignore[type-arg]
    result = explained
    assert len(result["deployments"]) >= 240
    formats = {d["format"] for d in result["deployments"]}
    assert formats >= {
        "kubernetes",
        "kserve",
        "ray",
        "kubeflow",
        "seldon",
        "kaito",
        "azureml",
        "helm",
        "sagemaker",
        "terraform",
        "nim",
        "vllm",
        "volcano",
        "generic",
    }


# --- Nothing passes by omission: an independent scan for accelerator requests ---------------

ACCELERATOR_NAMES = re.compile(
    r"^(?:nvidia\.com/gpu|nvidia\.com/mig-[\w.-]+|amd\.com/gpu|google\.com/tpu"
    r"|aws\.amazon\.com/neuron(?:core|device)?|habana\.ai/gaudi|gpu\.intel\.com/[\w.-]+)$"
)


NOT_WORKLOADS = {
    # Capacity: how many accelerators a cluster, a node pool or a queue may hold, not a request.
    "NodePool": "Karpenter capacity limits",
    "Provisioner": "Karpenter capacity limits",
    "ClusterQueue": "Kueue quotas",
    "ResourceQuota": "namespace quotas",
    "LimitRange": "defaults and bounds per container",
    # Templates: read where a workload uses them, never run by themselves.
    "LLMInferenceServiceConfig": "KServe presets merged into an LLMInferenceService",
    "ServingRuntime": "KServe runtime template",
    "ClusterServingRuntime": "KServe runtime template",
    "PodTemplate": "a template",
}
"""Kinds that name accelerator resources without running anything, and why."""


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) == "kind" and isinstance(value, yaml.ScalarNode):
                return str(value.value)
    return ""


def _requests_an_accelerator(node: yaml.Node) -> bool:
    """Whether a YAML node requests an accelerator resource anywhere.

    A request is an accelerator resource name as a key with a scalar value
    (``nvidia.com/gpu: 1``, ``nvidia.com/gpu: "{{ .Values.gpus }}"``) or as the
    value of a ``name``/``resource``/``resourceName`` key (Spark's ``gpu: {name:
    nvidia.com/gpu, quantity: 1}``). A name with a mapping under it (a schema
    describing the resource) or a toleration's ``key`` is not one.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                named = isinstance(key, yaml.ScalarNode) and ACCELERATOR_NAMES.match(
                    str(key.value).strip()
                )
                if named and isinstance(value, yaml.ScalarNode) and str(value.value).strip():
                    return True
                resource_named = isinstance(key, yaml.ScalarNode) and key.value in (
                    "name",
                    "resource",
                    "resourceName",
                )
                if (
                    resource_named
                    and isinstance(value, yaml.ScalarNode)
                    and ACCELERATOR_NAMES.match(str(value.value).strip())
                ):
                    return True
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return False


def _documents_requesting_accelerators() -> list[tuple[str, int, int]]:
    """(file, first line, last line) of every YAML document that names an accelerator resource."""
    found = []
    for row in INDEX:
        path = CORPUS / row["local_path"]
        if path.suffix not in (".yaml", ".yml", ".json"):
            continue
        try:
            documents = list(yaml.compose_all(path.read_text("utf-8"), Loader=LOADER))
        except yaml.YAMLError:
            continue  # unreadable files are GG001 findings (test above)
        for document in documents:
            if (
                document is not None
                and _kind(document) not in NOT_WORKLOADS
                and _requests_an_accelerator(document)
            ):
                first, last = document.start_mark.line + 1, document.end_mark.line + 1
                found.append((path.resolve().as_posix(), first, last))
    return found


def test_every_document_requesting_an_accelerator_is_a_deployment_or_a_finding(
    report: dict,  # type: ignore[type-arg]
    explained: dict,  # type: ignore[type-arg]
) -> None:
    """Scanned from the raw YAML, independently of the adapters: none is silently skipped."""
    seen: dict[str, list[int]] = {}
    for deployment in explained["deployments"]:
        lines = [deployment["line"], *(f["line"] for f in deployment["facts"].values())]
        seen.setdefault(Path(deployment["file"]).resolve().as_posix(), []).extend(lines)
    for finding in report["findings"]:
        if finding["status"] == "error":
            seen.setdefault(Path(finding["file"]).resolve().as_posix(), []).append(finding["line"])
    documents = _documents_requesting_accelerators()
    assert len(documents) >= 100
    unseen = [
        f"{Path(file).relative_to(CORPUS.resolve()).as_posix()}:{first}-{last}"
        for file, first, last in documents
        if not any(first <= line <= last for line in seen.get(file, []))
    ]
    assert unseen == []


# --- What every file says: the deployments found and their key facts, reviewed ---------------

EXPECTED = CORPUS / "EXPECTED.tsv"
KEY_FACTS = (
    "workload",
    "task",
    "model.name",
    "hardware.accelerator",
    "hardware.count",
    "hardware.instanceType",
    "replicas.min",
    "replicas.max",
    "cloud.provider",
    "cloud.region",
)
READ_FROM_THE_FILES = frozenset({"declared", "annotation", "derived", "linked"})
"""Facts the adapters read (not the catalog's): what this snapshot holds."""


def _fact(fact: dict, host: str) -> str:  # type: ignore[type-arg]
    """``value@line``, or ``value@other-file:line`` for a fact linked from another file."""
    where = Path(fact["file"]).resolve()
    if where.as_posix() == host:
        return f"{fact['value']}@{fact['line']}"
    return (
        f"{fact['value']}@{where.relative_to(CORPUS.resolve() / 'files').as_posix()}:{fact['line']}"
    )


def _expected_rows(explained: dict) -> list[str]:  # type: ignore[type-arg]
    """One row per deployment (and one per file without any), in file order."""
    by_file: dict[str, list[str]] = {row["local_path"]: [] for row in INDEX}
    for deployment in explained["deployments"]:
        local = Path(deployment["file"]).resolve().relative_to(CORPUS.resolve()).as_posix()
        facts = deployment["facts"]
        said = "; ".join(
            f"{name}={_fact(facts[name], Path(deployment['file']).resolve().as_posix())}"
            for name in KEY_FACTS
            if name in facts and facts[name]["source"] in READ_FROM_THE_FILES
        )
        unresolved = ",".join(sorted(deployment["unresolved"]))
        cells = [
            local,
            str(deployment["line"]),
            deployment["format"],
            deployment["kind"],
            deployment["name"],
            said,
        ]
        by_file[local].append("\t".join([*cells, unresolved]))
    for problem in explained["problems"]:
        local = Path(problem["file"]).resolve().relative_to(CORPUS.resolve()).as_posix()
        message = printable(problem["message"]).replace("\t", " ")
        by_file[local].append(f"{local}\t{problem['line']}\t{problem['ruleId']}\t-\t-\t{message}\t")
    rows = []
    for local, found in by_file.items():
        rows.extend(
            sorted(found, key=lambda r: int(r.split("\t")[1])) or [f"{local}\t-\t-\t-\t-\t-\t-"]
        )
    return rows


def test_every_file_gives_the_deployments_and_facts_reviewed_in_expected_tsv(
    explained: dict,  # type: ignore[type-arg]
) -> None:
    """The snapshot of what greengate reads from each corpus file; a change shows as a diff.

    After a change to an adapter, regenerate with
    ``GREENGATE_UPDATE_CORPUS=1 python -m pytest tests/test_corpus.py -k expected``
    and review every changed row against the file before committing it.
    """
    header = (
        "local_path\tline\tformat\tkind\tname\tfacts (value@line, read from the file)\tunresolved"
    )
    rows = _expected_rows(explained)
    if os.environ.get("GREENGATE_UPDATE_CORPUS") == "1":
        EXPECTED.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    written = EXPECTED.read_text("utf-8").splitlines()
    assert written[0] == header
    assert written[1:] == rows
