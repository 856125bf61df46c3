"""Comments in a netlist: any text, as lines that SPICE reads as comments and as nothing else.

A netlist's header says in words and numbers what the circuit is: the ideal network's
weights, the inputs it holds, the command that made it. Any of that text can be long or
hold a line break (an array printed by NumPy wraps at 75 characters; a path on the command
line can hold a newline), and to SPICE a line that does not start with ``*`` is a circuit
line: stock ``ngspice -b`` then refuses the whole netlist ("unknown device type"). So every
comment a netlist writer emits goes through ``comment_lines``, and every array in one
through ``array_text``.
"""

from __future__ import annotations

import textwrap

import numpy as np

WIDTH = 100  # characters per comment line: long lines wrap onto further comment lines
SUMMARY_SIZE = 1000  # an array of more numbers than this is shown by its corners (NumPy's own threshold)
EDGE = 3  # numbers kept at each end of every axis of a shortened array
CONTINUATION_INDENT = "  "  # a wrapped line's further lines sit this much deeper than its first


def comment_lines(text: str, width: int | None = WIDTH) -> list[str]:
    """``text`` as SPICE comment lines, each starting with ``*``.

    Every line of ``text`` (any line break Python knows ends one) becomes a comment: one that
    already starts with ``*`` is kept, any other gets ``"* "`` in front. A line longer than
    ``width`` characters wraps, at spaces where it can, onto further comment lines indented
    under it (width None: no wrapping, for a command the reader copies whole). Control
    characters and non-ASCII characters are written as backslash escapes, so the netlist
    stays plain ASCII (which circuitnet's own importer asks for) and no byte can end a line
    or a C string inside ngspice.
    """
    found = []
    for line in str(text).splitlines() or [""]:
        line = _printable(line)
        if not line.startswith("*"):
            line = "* " + line
        found += _wrapped(line, width)
    return found


def header_lines(title: str, command: str, texts: list[str]) -> list[str]:
    """A standalone netlist's header, all comment lines: ``title`` first (SPICE reads a
    netlist's first line as its title), then ``made by: command`` on one line however long
    (the reader copies it whole), then each of ``texts``, wrapped."""
    return [*comment_lines(title), *comment_lines(f"made by: {command}", width=None),
            *(line for text in texts for line in comment_lines(text))]


def array_text(values, digits: int = 6) -> str:
    """An array as compact text on one line: ``[[1, -0.5], [0.25, 0]]``, ``digits``
    significant digits per number, nothing padded. An array of more than SUMMARY_SIZE
    numbers keeps only the first and last EDGE entries of each axis, with ``...`` between,
    and says its shape: ``[[1, 2, 3, ..., 7, 8, 9], ...] (shape 32 x 784, shortened)``."""
    array = np.asarray(values, dtype=float)
    shortened = array.size > SUMMARY_SIZE

    def text(part: np.ndarray) -> str:
        if part.ndim == 0:
            return f"{part.item() + 0.0:.{digits}g}"  # + 0.0 writes -0 as 0
        if shortened and len(part) > 2 * EDGE:
            items = [*map(text, part[:EDGE]), "...", *map(text, part[-EDGE:])]
        else:
            items = [text(item) for item in part]
        return "[" + ", ".join(items) + "]"

    shape = " x ".join(str(n) for n in array.shape)
    return text(array) + (f" (shape {shape}, shortened)" if shortened else "")


def _printable(line: str) -> str:
    """The line with every character that is not printable ASCII (tabs excepted) escaped."""
    if line.isascii() and line.isprintable():
        return line  # the common case, untouched
    return "".join(c if c == "\t" or (c.isascii() and c.isprintable()) else c.encode("unicode_escape").decode("ascii")
                   for c in line)


def _wrapped(line: str, width: int | None) -> list[str]:
    """A comment line (starting with ``*``) as comment lines of at most ``width`` characters."""
    if width is None or len(line) <= width:
        return [line]
    marker = line[:len(line) - len(line[1:].lstrip())]  # "*" and the spaces after it
    indent = marker + CONTINUATION_INDENT
    return textwrap.wrap(line, width, initial_indent="", subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=True)
