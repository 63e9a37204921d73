"""The README's configuration table is generated from the Settings class and must match it."""

from pathlib import Path

from scripts.settings_table import table


def test_readme_configuration_table_matches_the_settings_class():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert table() in readme, "regenerate with: python scripts/settings_table.py"
