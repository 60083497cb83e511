"""`greengate policies docs PATH`: the Markdown reference of any policy folder."""

from __future__ import annotations

from pathlib import Path


def test_any_policy_folder_gets_its_reference(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from tests.conftest import EXAMPLES

    from greengate.cli import main

    result = CliRunner().invoke(main, ["policies", "docs", str(EXAMPLES / "policies")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Policy reference\n")
    assert "## owner-required" in result.stdout and '<a id="ACME001"></a>' in result.stdout
    empty = CliRunner().invoke(main, ["policies", "docs", str(tmp_path)])
    assert empty.exit_code == 2 and "no policy found" in empty.stderr
    broken = tmp_path / "p.yaml"
    broken.write_text("apiVersion: greengate.dev/v1\nkind: Policy\nmetadata: {name: x}\nspec: {}\n")
    result = CliRunner().invoke(main, ["policies", "docs", str(broken)])
    assert result.exit_code == 2 and result.stderr.startswith("greengate: error: ")


def test_the_fact_table_of_writing_policies_is_up_to_date() -> None:
    """docs/writing-policies.md lists every field an expression can read, from the code."""
    from greengate.policy.facts import fact_table

    text = (Path(__file__).resolve().parents[2] / "docs" / "writing-policies.md").read_text()
    table = text.split("<!-- facts:start -->\n", 1)[1].split("<!-- facts:end -->", 1)[0]
    assert table == fact_table(), "regenerate the table with greengate.policy.facts.fact_table()"
