"""KiCad's S-expressions, written from nested Python tuples.

A node is a tuple whose first item is its keyword: ``("at", 10.16, 5.08, 0)``, or a ``Raw``
text already written. Inside a tuple a ``str`` is written quoted (names, values, text: KiCad
quotes them), an ``Atom`` bare (keywords such as ``yes``, ``passive``, ``line``), numbers as
KiCad writes them (up to 4 decimals for millimetres, full precision where ``Atom`` carries a
number's text), and a nested tuple as a child node. Nodes with children are indented one tab
per level, as KiCad writes its files.
"""

from __future__ import annotations

import functools


class Atom(str):
    """A bare word (a keyword such as ``yes`` or ``passive``): written without quotes."""


class Raw(str):
    """A child node already written as text (``(property ...)``): written as it is, on its own
    line. Large schematics write their thousands of properties this way, at a third of the
    cost of the nested tuples."""

    # where on the sheet the item is, set by kicad_sheet.placed on the items a large sheet is
    # split by region (kicad_hierarchy); other items have no position
    x_mm: float
    y_mm: float


def quoted(text: str) -> str:
    """A string as KiCad quotes it: backslashes and double quotes escaped, newlines as \\n."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def number_text(value: float) -> str:
    """A number as KiCad writes it (see _number)."""
    return _number(value)


@functools.lru_cache(maxsize=1 << 16)
def _number(value: float) -> str:
    # millimetres: KiCad's files hold 4 decimals (0.1 um); -0 written as 0. Cached: a sheet's
    # coordinates are grid points that repeat by the thousand
    if type(value) is int:
        return str(value)
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _atom(item) -> str:
    kind = type(item)
    if kind is Atom:
        return str(item)
    if kind is str:
        return quoted(item)
    if kind is bool:
        return "yes" if item else "no"
    if kind is int or kind is float or isinstance(item, (int, float)):
        return _number(item)
    raise TypeError(f"cannot write {item!r} ({type(item).__name__}) in a KiCad S-expression")


@functools.lru_cache(maxsize=8192)
def _leaf(node: tuple) -> str:
    """A node without children, on one line (cached: fonts, strokes and fills repeat by the
    thousand in a large schematic)."""
    return "(" + " ".join([node[0], *(_atom(item) for item in node[1:])]) + ")"


def dumps(node: tuple, depth: int = 0) -> str:
    """The text of one node and its children, items in the order given (KiCad reads some
    flags, such as ``hide`` after ``font``, by position). A node whose children are all
    leaves stays on one line when it fits in 100 characters; others put each child on its
    own line, indented one tab per level, as KiCad writes its files."""
    words: list[str] = []
    nested = False
    children = False
    for item in node[1:]:
        if type(item) is Raw:
            children = nested = True
            words.append(item)
        elif type(item) is tuple:
            children = True
            for grand in item[1:]:
                if type(grand) is tuple:
                    nested = True
                    break
            words.append(dumps(item, depth + 1) if nested else _leaf(item))
        else:
            words.append(_atom(item))
    if not children:
        return _leaf(node)
    inline = "(" + node[0] + " " + " ".join(words) + ")"
    if "\n" not in inline and (not nested or len(inline) <= 100):
        return inline
    indent = "\n" + "\t" * (depth + 1)
    head = [node[0]]
    body: list[str] = []
    for item, word in zip(node[1:], words, strict=True):
        if body or type(item) is tuple or type(item) is Raw:
            body.append(word)
        else:
            head.append(word)
    return "(" + " ".join(head) + indent + indent.join(body) + "\n" + "\t" * depth + ")"


def loads(text: str) -> list:
    """One S-expression read back as nested lists: keywords and bare words as str, quoted
    strings unescaped (as str too: a reader of KiCad's netlists needs no distinction)."""
    stack: list[list] = [[]]
    position, end = 0, len(text)
    while position < end:
        char = text[position]
        if char == "(":
            stack.append([])
            position += 1
        elif char == ")":
            done = stack.pop()
            stack[-1].append(done)
            position += 1
        elif char.isspace():
            position += 1
        elif char == '"':
            position += 1
            word = []
            while text[position] != '"':
                if text[position] == "\\":
                    position += 1
                    word.append({"n": "\n"}.get(text[position], text[position]))
                else:
                    word.append(text[position])
                position += 1
            stack[-1].append("".join(word))
            position += 1
        else:
            start = position
            while position < end and not text[position].isspace() and text[position] not in '()"':
                position += 1
            stack[-1].append(text[start:position])
    if len(stack) != 1 or len(stack[0]) != 1:
        raise ValueError("not one balanced S-expression")
    return stack[0][0]
