"""The command pages' reference, generated from the ``circuitnet`` argparse parser.

``reference_markdown("fit")`` is the Markdown that ``docs/hooks.py`` puts where a command
page says ``<!-- circuitnet-reference fit -->``: the usage line, the description, one table
row per argument (its flags, value, help with the ranges and defaults ``--help`` shows) and
the epilog's examples. It reads the parser that ``circuitnet/interface/parser.py`` builds,
so a flag added there appears in the docs at the next build, and a page that names a
command the parser lacks fails the build.
"""

from __future__ import annotations

import argparse
import textwrap

from circuitnet.interface.parser import build_parser

_EMPTY_DEFAULTS = (" (default: None)", " (default: False)")


def subcommands(parser: argparse.ArgumentParser | None = None) -> dict[str, argparse.ArgumentParser]:
    """Every subcommand of the ``circuitnet`` parser, by name, in the parser's order."""
    parser = parser or build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise LookupError("the circuitnet parser has no subcommands")


def reference_markdown(command: str) -> str:
    """The reference section of ``circuitnet COMMAND``'s page (Markdown)."""
    parsers = subcommands()
    if command not in parsers:
        raise KeyError(f"no command {command!r} in circuitnet's parser; it has {', '.join(parsers)}")
    parser = parsers[command]
    formatter = parser._get_formatter()
    rows = [_row(action, formatter) for action in parser._actions if action.help is not argparse.SUPPRESS]
    usage = parser.format_usage().strip().removeprefix("usage: ")
    parts = [
        "```text\n" + _wrap(usage) + "\n```",
        "\n\n".join(_escape(paragraph) for paragraph in (parser.description or "").split("\n\n")),
        "| argument | value | what it is |\n| --- | --- | --- |\n" + "\n".join(rows),
    ]
    if parser.epilog:
        parts.append("```text\n" + parser.epilog.strip() + "\n```")
    return "\n\n".join(part for part in parts if part) + "\n"


def _row(action: argparse.Action, formatter: argparse.HelpFormatter) -> str:
    """One table row: the flags (or the positional's name), the value's metavar, the help."""
    names = ", ".join(f"`{name}`" for name in action.option_strings) or f"`{action.dest}`"
    if action.required and action.option_strings:
        names += " (required)"
    takes_value = action.nargs != 0
    value = ""
    if takes_value:
        metavar = action.metavar or (("{" + ",".join(map(str, action.choices)) + "}") if action.choices
                                     else action.dest.upper())
        value = f"`{metavar}`"
    text = formatter._expand_help(action) if action.help else ""
    for nothing in _EMPTY_DEFAULTS:  # what ArgumentDefaultsHelpFormatter adds to flags without a default
        text = text.replace(nothing, "")
    if action.choices and takes_value and action.metavar:
        text += f" (one of {', '.join(map(str, action.choices))})"
    return f"| {names} | {value} | {_escape(text)} |"


def _escape(text: str) -> str:
    """Help text as one Markdown table cell: no line breaks, no bare pipes or angle brackets."""
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;")


def _wrap(usage: str) -> str:
    """The usage line wrapped at 100 columns, continuation lines indented."""
    return "\n".join(textwrap.wrap(" ".join(usage.split()), 100, subsequent_indent="    ",
                                   break_on_hyphens=False))
