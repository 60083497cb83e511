#!/usr/bin/env bash
# The GitHub Action's check step (action.yml). Kept in a file so that the
# tests run exactly this script with a simulated GITHUB_* environment.
#
# Reads INPUT_* variables, removes the previous run's reports, runs one
# `greengate check` that prints text and annotations and writes the Markdown
# job summary, the SARIF file and the JSON report, then action/finish.py sets
# the step outputs (and, when greengate could not check, writes the summary,
# the ::error annotation and a valid SARIF of the failed run). Exits with
# greengate's code: 1 fails the step unless soft-fail is true; 2 always does.
set -uo pipefail

bin="${GREENGATE_BIN:-}"           # the Action's own virtualenv; on PATH in the tests
greengate="${bin:+$bin/}greengate"
python="${bin:+$bin/}python"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

cd "${INPUT_WORKING_DIRECTORY:-.}" || {
  echo "::error title=greengate::working-directory '${INPUT_WORKING_DIRECTORY}' does not exist"
  exit 2
}

temp="${RUNNER_TEMP:-}"
[ -n "$temp" ] || temp=$(mktemp -d)
sarif="${INPUT_SARIF_FILE:-greengate.sarif}"
json="$temp/greengate-report.json"
stderr="$temp/greengate-stderr.txt"
# Never stale: a report left by an earlier run in this job must not be read as this run's.
rm -f -- "$sarif" "$json" "$stderr"

words() { # split an input on spaces and newlines, without globbing
  local -a found=()
  read -r -d '' -a found <<<"$1" || true
  [ "${#found[@]}" -eq 0 ] || printf '%s\0' "${found[@]}"
}

paths=()
mapfile -d '' paths < <(words "${INPUT_PATHS:-.}")
[ "${#paths[@]}" -gt 0 ] || paths=(.)
args=(check "${paths[@]}")
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_FAIL_ON:-}" ] && args+=(--fail-on "$INPUT_FAIL_ON")
[ -n "${INPUT_BASELINE:-}" ] && args+=(--baseline "$INPUT_BASELINE")
[ -n "${INPUT_SARIF_CATEGORY:-}" ] && args+=(--sarif-category "$INPUT_SARIF_CATEGORY")
policies=()
mapfile -d '' policies < <(words "${INPUT_POLICY:-}")
for policy in "${policies[@]}"; do args+=(--policy "$policy"); done

base="${INPUT_BASE_REF:-}"
case "${GITHUB_EVENT_NAME:-}" in
  pull_request | pull_request_target | merge_group) event_base=1 ;;
  *) event_base= ;;
esac
if [ -z "$base" ] && [ -n "$event_base" ] && [ -f "${GITHUB_EVENT_PATH:-}" ]; then
  base=$("$python" -c '
import json, sys
event = json.load(open(sys.argv[1], encoding="utf-8"))
print((event.get("pull_request") or {}).get("base", {}).get("sha") or (event.get("merge_group") or {}).get("base_sha") or "")
' "$GITHUB_EVENT_PATH" 2>/dev/null) || base=
  [ -n "$base" ] || echo "cannot read the base commit from $GITHUB_EVENT_PATH; set the base-ref input" >"$stderr"
fi
if [ -n "$base" ]; then
  args+=(--changed-since "$base" --policies-from "$base")
  [ "${INPUT_NEW_ONLY:-false}" = true ] && args+=(--new-only)
fi

extra=()
if [ -n "${INPUT_ARGS:-}" ]; then # shell words, quotes honoured, never evaluated
  mapfile -d '' extra < <("$python" -c 'import shlex, sys; sys.stdout.write("".join(w + "\0" for w in shlex.split(sys.argv[1])))' "$INPUT_ARGS") || true
fi
args+=("${extra[@]}" --output-sarif "$sarif" --output-json "$json")
[ -n "${GITHUB_STEP_SUMMARY:-}" ] && args+=(--output-markdown "$GITHUB_STEP_SUMMARY")

if [ -s "$stderr" ]; then
  code=2 # no base to compare with: checking everything would judge the change wrongly
else
  "$greengate" "${args[@]}" 2>"$stderr"
  code=$?
fi
cat -- "$stderr" >&2

"$python" "$here/finish.py" "$code" "$json" "$sarif" "$stderr" "${INPUT_SARIF_CATEGORY:-}" || code=2
if [ "$code" = 1 ] && [ "${INPUT_SOFT_FAIL:-false}" = true ]; then
  echo "::notice title=greengate::soft-fail: the check failed, the job does not (see the job summary)"
  exit 0
fi
exit "$code"
