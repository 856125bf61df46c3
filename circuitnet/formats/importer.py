"""Importing a netlist drawn elsewhere: parse against an allow-list, re-emit, never pass on.

A netlist can run shell commands through ngspice (``.control`` blocks, ``shell``, ``set
unixcom``), read files (``.include``, ``.lib``, ``file=``) and more. So an imported netlist
is *parsed*, line by line, against what a DC transfer curve needs, and refused with a
NetlistImportError quoting the offending line and its number at the first thing outside
it. What ngspice then sees is circuitnet's own re-emission of the parsed elements, never
the file's text.

Allowed: comments (``*`` lines, ``;`` and ``$`` tails), ``+`` continuation lines,
elements R C D V I E G B X, and ``.subckt`` / ``.ends`` / ``.model`` / ``.param`` /
``.end``. The first line is the title (SPICE's rule) and is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import NetlistImportError

MAX_BYTES = 1024 * 1024
MAX_LINES = 20_000
ELEMENTS = set("RCDVIEGBX")
DOT_COMMANDS = {".subckt", ".ends", ".model", ".param", ".end"}
# Words that let a netlist reach files, shells or control scripts; refused anywhere, even
# inside a value (control-language commands like ``load`` can only run inside ``.control``,
# which is refused as a whole).
FORBIDDEN_WORDS = ("shell", "file", "include", "lib", "control", "endc", "unixcom", "system", "codemodel", "osdi",
                   "spiceinit")
_TOKEN = re.compile(r"^[A-Za-z0-9_.+\-*/(){}=,<>!:?&|^% \t]*$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_NODE = re.compile(r"^[A-Za-z0-9_]+$")


@dataclass(frozen=True)
class ImportedNetlist:
    """The allowed lines, re-emitted (whitespace normalised), and the independent sources."""

    lines: tuple[str, ...]
    sources: tuple[str, ...]  # names of V and I sources, lowercase
    nodes: frozenset


def parse_netlist(text: str, name: str = "netlist") -> ImportedNetlist:
    """Validate ``text`` against the allow-list; NetlistImportError at the first problem."""
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError as error:
            raise NetlistImportError(f"{name}: byte {error.start} is not ASCII; a netlist must be plain ASCII") from None
    if len(text) > MAX_BYTES:
        raise NetlistImportError(f"{name}: {len(text)} characters is more than a netlist may have ({MAX_BYTES})")
    raw = text.split("\n")
    if len(raw) > MAX_LINES:
        raise NetlistImportError(f"{name}: {len(raw)} lines is more than a netlist may have ({MAX_LINES})")
    logical: list[tuple[int, str]] = []
    for number, line in enumerate(raw[1:], start=2):  # line 1 is the title
        if "`" in line:  # a backtick substitutes a command's output, even in a comment's reach
            _refuse(name, number, line, "character '`' is not allowed")
        # an inline comment ends its own physical line only, so strip it before joining
        stripped = re.split(r";|\s\$", line.rstrip("\r"), maxsplit=1)[0]
        if not stripped.strip() or stripped.lstrip().startswith("*"):
            continue
        if stripped.lstrip().startswith("+"):
            if not logical:
                _refuse(name, number, line, "a continuation line with nothing to continue")
            logical[-1] = (logical[-1][0], logical[-1][1] + " " + stripped.lstrip()[1:])
            continue
        logical.append((number, stripped))
    lines, sources, nodes, depth, ended, opened = [], [], set(), 0, False, None
    for number, line in logical:
        body = line.strip()
        if ended:
            _refuse(name, number, line, "text after .end")
        if not _TOKEN.match(body):
            bad = next(c for c in body if not _TOKEN.match(c))
            _refuse(name, number, line, f"character {bad!r} is not allowed")
        lowered = body.lower()
        for word in FORBIDDEN_WORDS:
            if re.search(rf"(?<![a-z0-9_]){re.escape(word)}(?![a-z0-9_])", lowered):
                _refuse(name, number, line, f"{word!r} is not allowed in an imported netlist")
        tokens = body.split()
        head = tokens[0].lower()
        if head.startswith("."):
            if head not in DOT_COMMANDS:
                _refuse(name, number, line, f"{tokens[0]} is not allowed; allowed: {', '.join(sorted(DOT_COMMANDS))}")
            if head == ".subckt":
                depth += 1
                opened = (number, line)
                _check_name(name, number, line, tokens, 1)
            elif head == ".ends":
                depth -= 1
                if depth < 0:
                    _refuse(name, number, line, ".ends without .subckt")
            elif head == ".model":
                _check_name(name, number, line, tokens, 1)
                if len(tokens) < 3 or not re.match(r"^d(\(|$)", tokens[2].lower()):
                    _refuse(name, number, line, "only diode models (.model NAME D(...)) are allowed")
                parameters = " ".join(tokens[2:])[1:].strip().strip("()").replace(",", " ").split()
                if not all(re.match(r"^[A-Za-z][A-Za-z0-9_]*=[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?[a-z]*$", t, re.I)
                           for t in parameters):
                    _refuse(name, number, line, "a .model takes KEY=number parameters only")
            elif head == ".param":
                if not re.match(r"^(\s*[A-Za-z_][A-Za-z0-9_]*\s*=\s*[^=\s]+\s*)+$", " ".join(tokens[1:])):
                    _refuse(name, number, line, ".param takes NAME=value assignments only")
            elif head == ".end":
                ended = True
                continue
        else:
            if head[0].upper() not in ELEMENTS:
                _refuse(name, number, line,
                        f"element {tokens[0]} is not allowed; allowed elements: {', '.join(sorted(ELEMENTS))}")
            if not _NAME.match(tokens[0]):
                _refuse(name, number, line, f"element name {tokens[0]!r} must be letters, digits and _")
            _check_element(name, number, line, tokens)
            if head[0] in "vi" and depth == 0:
                sources.append(head)
            nodes.update(t.lower() for t in tokens[1:3] if head[0] != "x")
        lines.append(" ".join(tokens))
    if depth != 0:
        _refuse(name, opened[0], opened[1], "this .subckt is never closed with .ends")
    if not lines:
        raise NetlistImportError(f"{name}: no elements found")
    return ImportedNetlist(tuple(lines), tuple(sources), frozenset(nodes))


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?[a-z]*$", re.IGNORECASE)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=[^=]+$")
_SOURCE_WORDS = {"dc", "ac", "pwl", "sin", "pulse", "exp", "sffm", "am"}


def _value(token: str) -> bool:
    return bool(_NUMBER.match(token)) or (token.startswith("{") and token.endswith("}"))


def _check_element(name: str, number: int, line: str, tokens: list[str]) -> None:
    """Each kind of element gets only what it can take: nodes, then values or key=value."""
    kind = tokens[0][0].lower()
    if any(t.startswith(".") for t in tokens[1:]):
        _refuse(name, number, line, "a dot command can't continue an element line")
    nodes_needed = 4 if kind in "eg" else 2
    if kind != "x" and (len(tokens) < nodes_needed + 1 or not all(_NODE.match(t) for t in tokens[1:nodes_needed + 1])):
        _refuse(name, number, line, f"element {tokens[0]} needs {nodes_needed} node names")
    rest = tokens[nodes_needed + 1:] if kind != "x" else []
    if kind in "rc":
        if not rest or not _value(rest[0]) or not all(_ASSIGNMENT.match(t) for t in rest[1:]):
            _refuse(name, number, line, f"{tokens[0]} takes a value and optional key=value parameters")
    elif kind == "d":
        if not rest or not _IDENTIFIER.match(rest[0]) or not all(_value(t) or _ASSIGNMENT.match(t) for t in rest[1:]):
            _refuse(name, number, line, f"{tokens[0]} takes a model name, an optional area and key=value parameters")
    elif kind in "vi":
        for token in rest:
            bare = token.strip("()").lower()
            if not (_value(token) or bare in _SOURCE_WORDS or re.match(r"^[a-z]*\(?[-+0-9.e,a-z]*\)?$", token.lower())
                    and any(token.lower().startswith(w) for w in _SOURCE_WORDS | {"("}) or _value(bare) or not bare):
                _refuse(name, number, line, f"{token!r} is not a source value (DC, AC, PWL, SIN, PULSE, EXP, numbers)")
    elif kind in "eg":
        if len(rest) != 1 or not _value(rest[0]):
            _refuse(name, number, line, f"{tokens[0]} takes one gain (for anything else use a B source)")
    elif kind == "b":
        if not re.match(r"^[vi]\s*=", " ".join(rest).lower()):
            _refuse(name, number, line, f"{tokens[0]} takes V=expression or I=expression")
    elif kind == "x":
        names = [t for t in tokens[1:] if not _ASSIGNMENT.match(t)]
        if len(names) < 2 or not all(_NODE.match(t) for t in names[:-1]) or not _IDENTIFIER.match(names[-1]):
            _refuse(name, number, line, f"{tokens[0]} takes nodes, a subcircuit name and key=value parameters")


def _check_name(name, number, line, tokens, index):
    if len(tokens) <= index or not _NAME.match(tokens[index]):
        _refuse(name, number, line, f"{tokens[0]} needs a name of letters, digits and _")


def _refuse(name: str, number: int, line: str, reason: str):
    shown = line.strip()
    shown = shown if len(shown) <= 120 else shown[:117] + "..."
    raise NetlistImportError(f"{name}, line {number}: {reason}: {shown!r}")
