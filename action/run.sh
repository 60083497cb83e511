#!/usr/bin/env bash
# The GitHub Action's check step (action.yml). Kept in a file so that the
# tests run exactly this script with a simulated GITHUB_* environment.
#
# Reads INPUT_* variables, runs one `greengate check` that prints text and
# annotations, writes the Markdown job summary and the SARIF file, sets the
# step outputs, and exits with greengate's exit code (1 fails the step).
set -uo pipefail

paths=()
read -r -d '' -a paths <<<"${INPUT_PATHS:-.}" || true
[ "${#paths[@]}" -gt 0 ] || paths=(.)

args=(check "${paths[@]}")
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
[ -n "${INPUT_FAIL_ON:-}" ] && args+=(--fail-on "$INPUT_FAIL_ON")

base="${INPUT_BASE_REF:-}"
if [ -z "$base" ] && [ "${GITHUB_EVENT_NAME:-}" = pull_request ] && [ -f "${GITHUB_EVENT_PATH:-}" ]; then
  base=$(python -c 'import json, sys; print(json.load(open(sys.argv[1]))["pull_request"]["base"]["sha"])' "$GITHUB_EVENT_PATH") || {
    echo "::error title=greengate::cannot read the pull request's base commit from $GITHUB_EVENT_PATH; set the base-ref input"
    exit 2
  }
fi
if [ -n "$base" ]; then
  args+=(--changed-since "$base" --policies-from "$base")
  [ "${INPUT_NEW_ONLY:-false}" = true ] && args+=(--new-only)
fi

sarif="${INPUT_SARIF_FILE:-greengate.sarif}"
json="${RUNNER_TEMP:-/tmp}/greengate-report.json"
args+=(--output-sarif "$sarif" --output-json "$json")
[ -n "${GITHUB_STEP_SUMMARY:-}" ] && args+=(--output-markdown "$GITHUB_STEP_SUMMARY")

greengate "${args[@]}"
code=$?

if [ -f "$json" ] && [ -n "${GITHUB_OUTPUT:-}" ]; then
  python - "$json" "$sarif" "$code" >>"$GITHUB_OUTPUT" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
status = report["summary"]["byStatus"]
print(f"verdict={'fail' if int(sys.argv[3]) != 0 else 'pass'}")
for key, name in (("fail", "failed"), ("error", "errors"), ("pass", "passed"), ("waived", "waived")):
    print(f"{name}={status.get(key, 0)}")
print(f"sarif-file={sys.argv[2]}")
PY
elif [ -n "${GITHUB_OUTPUT:-}" ]; then
  printf 'verdict=fail\nsarif-file=%s\n' "$sarif" >>"$GITHUB_OUTPUT"
fi
exit "$code"
