"""``greengate test``: run the examples and test files of policies."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from greengate.app.check import settings_for
from greengate.app.policy_test import TestOptions, find_tests, run_tests, test_files_in
from greengate.cli.options import catalog_option, config_options, format_option
from greengate.config.settings import Flags
from greengate.errors import ConfigError
from greengate.policy.load import builtin_pack, load_policies
from greengate.reporters.policy_test import render_json, render_junit, render_text

TEST_EXIT_CODES = """\b
Exit codes:
  0  every case passed (and, with --require-tests, every rule has a failing case)
  1  a case failed, no case ran, or --require-tests found a policy or rule no case makes fail
  2  greengate could not run: bad arguments, a policy or test file that does not validate"""


@click.command(epilog=TEST_EXIT_CODES)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--builtin", is_flag=True, help="Test the built-in policy pack too (its examples).")
@format_option(["text", "json", "junit"], what="the results")
@click.option(
    "--run",
    "run_pattern",
    metavar="PATTERN",
    help="Run only the cases whose name, or 'POLICY-OR-FILE: NAME', matches the glob PATTERN.",
)
@click.option(
    "--require-tests",
    is_flag=True,
    help="Fail every policy with no case, and every rule no passing case makes fail.",
)
@click.option(
    "--coverage",
    "show_coverage",
    is_flag=True,
    help="Print, per rule, how many passing cases make it pass and make it fail.",
)
@catalog_option()
@config_options
def test(
    paths: tuple[Path, ...],
    builtin: bool,
    output_format: str,
    run_pattern: str | None,
    require_tests: bool,
    show_coverage: bool,
    catalog_files: tuple[Path, ...],
    config_file: Path | None,
    no_config: bool,
) -> None:
    """Run the tests of the policies in PATHS (default: the config's policies).

    PATHS are policy files, test files (*.greengate-test.yaml) and folders,
    searched for both (a folder's other files, such as the manifests the
    tests read, are left alone). Every spec.examples entry of a policy is a
    case, and so is every case of a test file: its manifests (any format
    greengate reads) are read, enriched and evaluated as `greengate check`
    does, and each (deployment, rule) must give the result the case
    expects. A case also fails on an error finding it does not expect and
    on a messageExpression that fails. See 'Testing your policies' in the
    README.
    """
    flags = Flags(config_file=config_file, no_config=no_config, catalog_files=catalog_files)
    settings = settings_for(flags, list(paths))
    if paths:
        policies, tests = find_tests(paths)
    else:
        folders = [p.value for p in settings.policy_paths]
        policies = load_policies(folders) if folders else []
        tests = test_files_in(folders)
    if builtin:
        policies = [*builtin_pack(), *policies]
    if not policies and not tests:
        raise ConfigError(
            "nothing to test: give policy or test files (or folders), set policies.paths in the config, or add --builtin"
        )
    run = run_tests(
        TestOptions(
            policies=policies,
            test_files=tests,
            catalog_files=[c.value for c in settings.catalog_files],
            run=run_pattern,
            require_tests=require_tests,
        )
    )
    if output_format == "json":
        text = render_json(run)
    elif output_format == "junit":
        text = render_junit(run)
    else:
        text = render_text(run, coverage=show_coverage)
    click.echo(text, nl=False)
    sys.exit(int(run.exit_code))
