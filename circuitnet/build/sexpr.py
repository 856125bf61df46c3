"""KiCad's S-expressions, written from nested Python tuples.

A node is a tuple whose first item is its keyword: ``("at", 10.16, 5.08, 0)``. Inside it a
``str`` is written quoted (names, values, text: KiCad quotes them), an ``Atom`` bare (keywords
such as ``yes``, ``passive``, ``line``), numbers as KiCad writes them (up to 4 decimals for
millimetres, full precision where ``Atom`` carries a number's text), and a nested tuple as a
child node. Nodes with children are indented one tab per level, as KiCad writes its files.
"""

from __future__ import annotations


class Atom(str):
    """A bare word (a keyword such as ``yes`` or ``passive``): written without quotes."""


def quoted(text: str) -> str:
    """A string as KiCad quotes it: backslashes and double quotes escaped, newlines as \\n."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _number(value: float) -> str:
    # millimetres: KiCad's files hold 4 decimals (0.1 um); -0 written as 0
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _atom(item) -> str:
    if isinstance(item, Atom):
        return str(item)
    if isinstance(item, str):
        return quoted(item)
    if isinstance(item, bool):
        return "yes" if item else "no"
    if isinstance(item, (int, float)):
        return _number(item)
    raise TypeError(f"cannot write {item!r} ({type(item).__name__}) in a KiCad S-expression")


def dumps(node: tuple, depth: int = 0) -> str:
    """The text of one node and its children, items in the order given (KiCad reads some
    flags, such as ``hide`` after ``font``, by position)."""
    keyword, *items = node
    words = [dumps(item, depth + 1) if isinstance(item, tuple) else _atom(item) for item in items]
    inline = "(" + " ".join([keyword, *words]) + ")"
    nested = any(isinstance(item, tuple) and any(isinstance(grand, tuple) for grand in item) for item in items)
    if "\n" not in inline and (not nested or len(inline) <= 100):
        return inline
    indent = "\t" * (depth + 1)
    head = [keyword]
    body: list[str] = []
    for item, word in zip(items, words, strict=True):
        if isinstance(item, tuple) or body:
            body.append(indent + word)
        else:
            head.append(word)
    return "(" + " ".join(head) + "\n" + "\n".join(body) + "\n" + "\t" * depth + ")"


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
