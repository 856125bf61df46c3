"""The documentation site's generated parts: each command page's reference comes from the
parser and names every flag with the range ``--help`` states, and every command has a page
in the site's navigation. (``make docs`` builds the whole site strictly; these check the
generation without MkDocs.)"""

import argparse
import importlib.util
from pathlib import Path

import pytest

from circuitnet.interface.parser import build_parser

ROOT = Path(__file__).resolve().parent.parent


def load_docs_module(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reference = load_docs_module("command_reference")


def parser_commands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


@pytest.mark.parametrize("command", list(parser_commands()))
def test_a_command_reference_names_every_flag_of_the_parser(command):
    markdown = reference.reference_markdown(command)
    parser = parser_commands()[command]
    for action in parser._actions:
        for flag in action.option_strings or [action.dest]:
            assert f"`{flag}`" in markdown, f"{command}: {flag} missing from its reference"
    assert f"circuitnet {command}" in markdown.splitlines()[1]  # the usage line opens the page


def test_a_reference_row_carries_the_range_and_default_that_help_states():
    markdown = reference.reference_markdown("fit")
    row = next(line for line in markdown.splitlines() if line.startswith("| `--patience`"))
    assert "a whole number from 1 to 1000000" in row and "(default: 200)" in row
    row = next(line for line in markdown.splitlines() if line.startswith("| `--out`"))
    assert "default: None" not in row  # argparse's empty defaults say nothing to a reader


def test_a_reference_for_a_command_the_parser_lacks_is_refused():
    with pytest.raises(KeyError, match="no command 'train' in circuitnet's parser; it has export, neuron"):
        reference.reference_markdown("train")


@pytest.mark.parametrize("command", list(parser_commands()))
def test_every_command_has_a_page_in_the_site_that_shows_its_reference(command):
    page = ROOT / "docs" / "commands" / f"{command}.md"
    assert f"<!-- circuitnet-reference {command} -->" in page.read_text()
    assert f"commands/{command}.md" in (ROOT / "mkdocs.yml").read_text()


def test_the_readme_example_is_examples_quickstart_py_as_it_runs():
    readme = (ROOT / "README.md").read_text()
    example = readme.split("`examples/quickstart.py`, whole:\n\n```python\n", 1)[1].split("```", 1)[0]
    script = (ROOT / "examples" / "quickstart.py").read_text()
    assert example == script.split('"""\n', 1)[1]  # the script less its one-line docstring
    assert "](examples/figures/quickstart.png)" in readme and (ROOT / "examples/figures/quickstart.png").is_file()
