"""``greengate init``: a commented starter ``.greengate.yaml`` that validates as written."""

from __future__ import annotations

from pathlib import Path

from greengate.atomic import write_atomically
from greengate.config.load import CONFIG_NAMES
from greengate.errors import ConfigError
from greengate.sources.files import display_path

STARTER = """\
# greengate configuration; every key is described in the README, section
# "Configuration" (https://github.com/greengate-dev/greengate#configuration).
# Paths and globs are relative to this file's folder, and `**` matches any
# number of folders. Command-line flags override what is written here.
# `greengate config show` prints the settings in effect and where each comes from.

# Lowest severity of a failing finding that fails the run:
# info, low, medium, high or critical (flag --fail-on overrides).
failOn: info

# Which files to check. Default: every .yaml, .yml, .json, .tf and .tfvars
# file found (files git ignores are skipped).
# include: ["deploy/**"]
# exclude: ["**/testdata/**"]

policies:
  builtin: true   # the built-in pack: `greengate policies list`
  # paths: [policies/]          # your own policy files or folders
  # disable: [rate-limits]      # policy names or globs

# rules:
#   disable: ["GG30*"]                       # rule ids or globs
#   severity: {GG401: high, "GG5*": critical}

# Params per policy, merged over the policy's defaults (maps merge, lists
# replace); `greengate policies docs` lists every policy's params.
# params:
#   model-size:
#     maxParameters: {classification: 500000000}
#   low-carbon-region:
#     allowedRegions: [europe-north1, eu-north-1]

# Catalog extension files: your own regions, accelerators, models.
# catalog: [catalog/our-regions.yaml]

# Facts for the deployments whose file matches and that do not state them.
# A default never overrides what a manifest declares; a later entry
# overrides an earlier one.
# defaults:
#   - paths: ["k8s/eu/**"]
#     provider: gcp
#     region: europe-west4

# Accepted exceptions: a rule (id or glob), a target (path glob) and/or a
# deployment (name glob), and a reason; an owner and a last day, after which
# the finding fails again. A waiver that matches nothing is reported.
# waivers:
#   - rule: GG201
#     target: "deploy/us/**"
#     reason: "PPA-backed region, see ticket OPS-123"
#     owner: team-platform
#     expires: 2027-03-31

# Which waivers written in manifests (greengate.dev/waive-<RULE>) count: true,
# false, or base-only (only those the base commit already has; the default
# with --policies-from, so a pull request cannot waive its own findings).
# inlineWaivers: base-only

# The baseline file of `greengate baseline create`: its findings are reported as
# existing and do not fail the run (--baseline overrides; with --policies-from
# it is read as it is at the base).
# baseline: .greengate-baseline.json
"""


def write_starter(folder: Path, *, force: bool = False) -> Path:
    """Write the starter config into ``folder``; refuse to replace one unless ``force``."""
    if not folder.is_dir():
        raise ConfigError(
            f"{display_path(folder)}: no such folder; create it first or give another PATH"
        )
    target = folder / CONFIG_NAMES[0]
    for name in CONFIG_NAMES:
        link = folder / name
        if link.is_symlink() and not link.exists():
            folder_shown = display_path(folder)  # the link's own name, not where it points
            shown = name if folder_shown == "." else f"{folder_shown}/{name}"
            raise ConfigError(
                f"{shown} is a symbolic link to {link.readlink()}, which does not exist;"
                " remove the link or point it at a file, then run `greengate init` again"
            )
    if not force:
        for name in CONFIG_NAMES:
            existing = folder / name
            if existing.exists():
                raise ConfigError(
                    f"{display_path(existing)} already exists; edit it, or pass --force to replace it with the starter"
                )
    try:
        write_atomically(target, lambda handle: handle.write(STARTER))
    except OSError as exc:
        raise ConfigError(
            f"{display_path(target)}: cannot write the config ({exc.strerror})"
        ) from None
    return target
