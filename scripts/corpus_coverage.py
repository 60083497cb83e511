"""How much of the corpus greengate reads: deployments found and key facts filled, per format.

Usage::

    python scripts/corpus_coverage.py [PATH] [--json]

PATH defaults to ``tests/data/corpus/files``. It runs ``greengate explain
--format json`` on PATH in-process and counts, per adapter format, the
deployments found and how many of them have each key fact (read from the
manifest, its neighbours or the catalog: any source), plus the files that
hold an accelerator request (a raw text scan, independent of the adapters)
and the deployments found in them. Run it on one corpus at two commits to
compare them (the issue notes quote it).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from click.testing import CliRunner

from greengate.cli import main as cli

KEY_FACTS = (
    "workload",
    "task",
    "model.name",
    "model.parameters",
    "hardware.accelerator",
    "hardware.count",
    "replicas.max",
    "cloud.provider",
    "cloud.region",
)
ACCELERATOR = re.compile(
    r"nvidia\.com/(?:gpu|mig-)|amd\.com/gpu|google\.com/tpu|aws\.amazon\.com/neuron|habana\.ai/gaudi|gpu\.intel\.com/"
)


def coverage(path: Path) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["explain", str(path), "--format", "json"])
    if result.exit_code != 0:
        raise SystemExit(f"greengate explain exited {result.exit_code}: {result.stderr}")
    report = json.loads(result.stdout)
    per_format: dict[str, Counter[str]] = defaultdict(Counter)
    files_with_deployments: set[str] = set()
    for deployment in report["deployments"]:
        counts = per_format[deployment["format"]]
        counts["deployments"] += 1
        files_with_deployments.add(Path(deployment["file"]).resolve().as_posix())
        for name in KEY_FACTS:
            counts[name] += name in deployment["facts"]
    problem_files = {
        Path(p["file"]).resolve().as_posix() for p in report.get("problems", []) if "file" in p
    }
    accelerator_files = sorted(
        p.resolve().as_posix()
        for p in path.rglob("*")
        if p.is_file() and ACCELERATOR.search(p.read_text("utf-8", errors="replace"))
    )
    unseen = [
        f for f in accelerator_files if f not in files_with_deployments and f not in problem_files
    ]
    total: Counter[str] = Counter()
    for counts in per_format.values():
        total.update(counts)
    return {
        "formats": {k: dict(v) for k, v in sorted(per_format.items())},
        "total": dict(total),
        "acceleratorFiles": len(accelerator_files),
        "acceleratorFilesWithoutDeploymentOrFinding": [
            Path(f).relative_to(path.resolve()).as_posix() for f in unseen
        ],
    }


def _table(data: dict[str, object]) -> str:
    formats = data["formats"]
    assert isinstance(formats, dict)
    header = ["format", "deployments", *KEY_FACTS]
    rows = [[name, *(str(c.get(k, 0)) for k in header[1:])] for name, c in formats.items()]
    total = data["total"]
    assert isinstance(total, dict)
    rows.append(["total", *(str(total.get(k, 0)) for k in header[1:])])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    unseen = data["acceleratorFilesWithoutDeploymentOrFinding"]
    assert isinstance(unseen, list)
    lines.append(
        f"\nfiles with an accelerator request: {data['acceleratorFiles']}; "
        f"with neither a deployment nor a finding: {len(unseen)}"
    )
    lines.extend(f"  {f}" for f in unseen)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default="tests/data/corpus/files", type=Path)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    data = coverage(args.path)
    print(json.dumps(data, indent=2) if args.json else _table(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
