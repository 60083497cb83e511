#!/usr/bin/env bash
# The Action's install step (action.yml): greengate in its own virtualenv under
# $RUNNER_TEMP, so the job's Python and packages are not changed for later steps.
# Dependencies are pinned by action/constraints.txt (PIP_CONSTRAINT), pip's cache
# is restored by actions/cache keyed on the action's ref. Sets the output `bin`.
set -euo pipefail
venv="${RUNNER_TEMP:?}/greengate-venv"
"${PYTHON:-python3}" -m venv "$venv"
if [ -n "${VERSION:-}" ]; then
  "$venv/bin/python" -m pip install -q "greengate==${VERSION#v}"
else
  "$venv/bin/python" -m pip install -q "$GITHUB_ACTION_PATH"
fi
"$venv/bin/greengate" --version
echo "bin=$venv/bin" >>"$GITHUB_OUTPUT"
