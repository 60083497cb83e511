"""The end of the Action's check step (action/run.sh): the step outputs, and a complete job on exit 2.

After a check, the outputs come from the JSON report's summary. When
greengate could not check (exit 2: a bad config, a shallow clone, a bad
argument), there is no report: the job summary then says what went wrong,
one ``::error`` annotation carries the message, and the SARIF file is a
valid log of an unsuccessful run, so the upload step after this one does
not fail too. Everything quoted from greengate's message is escaped.

Usage: python finish.py CODE JSON SARIF STDERR CATEGORY (CATEGORY may be empty: the default)
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from pathlib import Path

from greengate import __version__
from greengate.app.run_context import category as category_of
from greengate.atomic import write_atomically
from greengate.records.text import dumps, escape_controls
from greengate.reporters.github import escape_data
from greengate.reporters.sarif import failed_run

COUNTS = {
    "failed": "fail",
    "errors": "error",
    "passed": "pass",
    "existing": "existing",
    "waived": "waived",
    "skipped": "skip",
}
"""Output name -> the JSON report's ``summary.byStatus`` key."""


def set_outputs(values: dict[str, str]) -> None:
    """Append to ``$GITHUB_OUTPUT`` in its multiline form, safe for any value."""
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as out:
        for name, value in values.items():
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            out.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def message_of(stderr: Path) -> str:
    """greengate's error lines (``greengate: error: ...``), else the end of what it printed."""
    try:
        lines = stderr.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    starts = ("greengate: error:", "greengate: internal error:", "Error:")
    errors = [line for line in lines if line.startswith(starts)]
    chosen = errors or lines[-5:] or ["greengate stopped without a message"]
    return "\n".join(chosen)


def could_not_check(message: str, sarif: Path, category: str) -> None:
    shown = escape_controls(message, keep="\n")
    print(f"::error title=greengate could not check::{escape_data(shown)}")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        fence = "~~~~"
        body = shown.replace(fence, "~~~")
        with Path(summary).open("a", encoding="utf-8") as out:
            out.write(
                "## ⚠️ greengate could not check\n\n"
                "Nothing was checked, so this is neither a pass nor a fail. greengate said:\n\n"
                f"{fence}text\n{body}\n{fence}\n\n"
                "Fix what the message names (the config, a policy, the `args` input, or the"
                " history a pull request check needs: `fetch-depth: 0` on actions/checkout)"
                " and run the job again.\n"
            )
    log = failed_run(message, __version__, category_of(category or None, os.environ))
    sarif.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(sarif, lambda handle: handle.write(dumps(log, indent=2) + "\n"))


def main(code: int, report: Path, sarif: Path, stderr: Path, category: str) -> None:
    outputs = {"sarif": str(sarif.absolute())}
    if code not in (0, 1) or not report.is_file():
        could_not_check(message_of(stderr), sarif, category)
        set_outputs({"verdict": "error", **dict.fromkeys(COUNTS, ""), "report-json": "", **outputs})
        return
    by_status = json.loads(report.read_text("utf-8"))["summary"]["byStatus"]
    values = {"verdict": "fail" if code else "pass"}
    values.update({name: str(by_status.get(key, 0)) for name, key in COUNTS.items()})
    set_outputs({**values, "report-json": str(report.absolute()), **outputs})


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), sys.argv[5])
