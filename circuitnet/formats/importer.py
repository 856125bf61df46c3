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

As engineers write them:
- Analysis and output cards (``.dc``, ``.tran``, ``.op``, ``.options``, ``.temp``, ``.save``,
  ``.print``, ...) are skipped, not refused, and listed in ``skipped``: circuitnet runs its
  own analysis.
- ``.include FILE`` and ``.lib FILE [SECTION]`` read a file in the netlist's own folder, by
  a relative path that stays inside it (no absolute path, no ``..``, no link out of it).
  That file goes through the same allow-list, with its own name in every error.
- Before anything runs, subcircuits are bounded: definitions nest at most
  MAX_SUBCKT_DEPTH deep, no subcircuit contains itself, and the expanded circuit has at
  most MAX_EXPANDED_ELEMENTS elements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import NetlistImportError

MAX_BYTES = 1024 * 1024
MAX_LINES = 20_000
MAX_INCLUDE_DEPTH = 8
MAX_SUBCKT_DEPTH = 8
MAX_EXPANDED_ELEMENTS = 100_000
ELEMENTS = set("RCDVIEGBX")
DOT_COMMANDS = {".subckt", ".ends", ".model", ".param", ".end"}
INCLUDES = {".include", ".inc", ".lib"}
# analysis and output cards: circuitnet runs its own analysis, so these are dropped, and listed
SKIPPED_CARDS = {".dc", ".tran", ".op", ".ac", ".options", ".option", ".temp", ".save", ".print", ".plot",
                 ".probe", ".title", ".width", ".meas", ".measure", ".four", ".noise", ".tf", ".sens", ".disto"}
# Words that let a netlist reach files, shells or control scripts; refused anywhere, even
# inside a value (control-language commands like ``load`` can only run inside ``.control``,
# which is refused as a whole). ``.include`` and ``.lib`` lines are read by circuitnet itself.
FORBIDDEN_WORDS = ("shell", "file", "include", "lib", "control", "endc", "unixcom", "system", "codemodel", "osdi",
                   "spiceinit")
_TOKEN = re.compile(r"^[A-Za-z0-9_.+\-*/(){}=,<>!:?&|^% \t]*$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_NODE = re.compile(r"^[A-Za-z0-9_]+$")
_PATH = re.compile(r"^[A-Za-z0-9_.\-/]+$")


@dataclass(frozen=True)
class ImportedNetlist:
    """The allowed lines, re-emitted (whitespace normalised), and the independent sources.

    skipped: each analysis or output card that was dropped, as "NAME, line N: CARD".
    included: the files that ``.include`` / ``.lib`` read, relative to the netlist's folder.
    """

    lines: tuple[str, ...]
    sources: tuple[str, ...]  # names of V and I sources, lowercase
    nodes: frozenset
    skipped: tuple[str, ...] = ()
    included: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Line:
    """One logical line (continuations joined) and where it came from, for errors."""

    source: str
    number: int
    text: str


def parse_netlist(text: str | bytes, name: str = "netlist", folder: str | Path | None = None) -> ImportedNetlist:
    """Validate ``text`` against the allow-list; NetlistImportError at the first problem.

    folder: where the netlist's file lives, for ``.include`` and ``.lib`` (None: the text
    has no folder, and both are refused).
    """
    included: list[str] = []
    root = Path(folder).resolve() if folder is not None else None
    logical = _logical_lines(_decode(text, name), name, root, True, (), included)
    lines, sources, nodes, skipped = [], [], set(), []
    depth, ended, opened = 0, False, None
    subckts: dict[str, list] = {}  # subcircuit -> [element count, names of the subcircuits it places]
    stack: list[str] = []  # the subcircuits being defined, innermost last
    top: list = [0, []]
    for entry in logical:
        source, number, line = entry.source, entry.number, entry.text
        body = line.strip()
        if ended:
            _refuse(source, number, line, "text after .end")
        if not _TOKEN.match(body):
            bad = next(c for c in body if not _TOKEN.match(c))
            _refuse(source, number, line, f"character {bad!r} is not allowed")
        tokens = body.split()
        head = tokens[0].lower()
        if head in SKIPPED_CARDS:
            skipped.append(f"{source}, line {number}: {body if len(body) <= 80 else body[:77] + '...'}")
            continue
        lowered = body.lower()
        for word in FORBIDDEN_WORDS:
            if re.search(rf"(?<![a-z0-9_]){re.escape(word)}(?![a-z0-9_])", lowered):
                _refuse(source, number, line, f"{word!r} is not allowed in an imported netlist")
        counts = subckts[stack[-1]] if stack else top
        if head.startswith("."):
            if head not in DOT_COMMANDS:
                allowed = sorted(DOT_COMMANDS | INCLUDES)
                _refuse(source, number, line, f"{tokens[0]} is not allowed; allowed: {', '.join(allowed)} "
                                              f"(analysis and output cards are skipped)")
            if head == ".subckt":
                depth += 1
                if depth > MAX_SUBCKT_DEPTH:
                    _refuse(source, number, line, f"subcircuit definitions nest more than {MAX_SUBCKT_DEPTH} deep")
                opened = entry
                _check_name(source, number, line, tokens, 1)
                subckt = tokens[1].lower()
                if subckt in subckts:
                    _refuse(source, number, line, f"subcircuit {tokens[1]} is defined twice")
                subckts[subckt] = [0, []]
                stack.append(subckt)
            elif head == ".ends":
                depth -= 1
                if depth < 0:
                    _refuse(source, number, line, ".ends without .subckt")
                stack.pop()
            elif head == ".model":
                _check_name(source, number, line, tokens, 1)
                if len(tokens) < 3 or not re.match(r"^d(\(|$)", tokens[2].lower()):
                    _refuse(source, number, line, "only diode models (.model NAME D(...)) are allowed")
                parameters = " ".join(tokens[2:])[1:].strip().strip("()").replace(",", " ").split()
                if not all(re.match(r"^[A-Za-z][A-Za-z0-9_]*=[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?[a-z]*$", t, re.I)
                           for t in parameters):
                    _refuse(source, number, line, "a .model takes KEY=number parameters only")
            elif head == ".param":
                if not re.match(r"^(\s*[A-Za-z_][A-Za-z0-9_]*\s*=\s*[^=\s]+\s*)+$", " ".join(tokens[1:])):
                    _refuse(source, number, line, ".param takes NAME=value assignments only")
            elif head == ".end":
                if source != name:
                    continue  # an included file's own .end ends that file, not the netlist
                ended = True
                continue
        else:
            if head[0].upper() not in ELEMENTS:
                _refuse(source, number, line,
                        f"element {tokens[0]} is not allowed; allowed elements: {', '.join(sorted(ELEMENTS))}")
            if not _NAME.match(tokens[0]):
                _refuse(source, number, line, f"element name {tokens[0]!r} must be letters, digits and _")
            _check_element(source, number, line, tokens)
            if head[0] in "vi" and depth == 0:
                sources.append(head)
            nodes.update(t.lower() for t in tokens[1:3] if head[0] != "x")
            if head[0] == "x":
                placed = [t for t in tokens[1:] if not _ASSIGNMENT.match(t)][-1].lower()
                counts[1].append((placed, entry))
            else:
                counts[0] += 1
        lines.append(" ".join(tokens))
    if depth != 0:
        _refuse(opened.source, opened.number, opened.text, "this .subckt is never closed with .ends")
    if not lines:
        raise NetlistImportError(f"{name}: no elements found")
    expanded = _expanded_count(top, subckts, name)
    if expanded > MAX_EXPANDED_ELEMENTS:
        raise NetlistImportError(f"{name}: its subcircuits expand to {expanded:,} elements, more than an imported "
                                 f"netlist may have ({MAX_EXPANDED_ELEMENTS:,})")
    return ImportedNetlist(tuple(lines), tuple(sources), frozenset(nodes), tuple(skipped), tuple(included))


def _decode(text: str | bytes, name: str) -> str:
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError as error:
            raise NetlistImportError(f"{name}: byte {error.start} is not ASCII; a netlist must be plain ASCII") from None
    if len(text) > MAX_BYTES:
        raise NetlistImportError(f"{name}: {len(text)} characters is more than a netlist may have ({MAX_BYTES})")
    return text


def _logical_lines(text: str, name: str, folder: Path | None, title: bool, chain: tuple[str, ...],
                   included: list[str]) -> list[_Line]:
    """The logical lines of a file (continuations joined, comments gone), with every
    ``.include`` / ``.lib`` replaced by the lines of the file it names. ``chain``: the
    files being included, outermost first (to refuse a file that includes itself)."""
    raw = text.split("\n")
    if len(raw) > MAX_LINES:
        raise NetlistImportError(f"{name}: {len(raw)} lines is more than a netlist may have ({MAX_LINES})")
    logical: list[_Line] = []
    first = 2 if title else 1  # line 1 of a netlist is its title; an included file has none
    for number, line in enumerate(raw[first - 1:], start=first):
        if "`" in line:  # a backtick substitutes a command's output, even in a comment's reach
            _refuse(name, number, line, "character '`' is not allowed")
        # an inline comment ends its own physical line only, so strip it before joining
        stripped = re.split(r";|\s\$", line.rstrip("\r"), maxsplit=1)[0]
        if not stripped.strip() or stripped.lstrip().startswith("*"):
            continue
        if stripped.lstrip().startswith("+"):
            if not logical or logical[-1].source != name:
                _refuse(name, number, line, "a continuation line with nothing to continue")
            last = logical[-1]
            logical[-1] = _Line(last.source, last.number, last.text + " " + stripped.lstrip()[1:])
            continue
        logical.append(_Line(name, number, stripped))
    expanded: list[_Line] = []
    for entry in logical:
        tokens = entry.text.split()
        if tokens[0].lower() not in INCLUDES:
            expanded.append(entry)
            continue
        expanded += _include(entry, tokens, folder, chain + (name,), included)
    return expanded


def _include(entry: _Line, tokens: list[str], folder: Path | None, chain: tuple[str, ...],
             included: list[str]) -> list[_Line]:
    """The lines an ``.include FILE`` or ``.lib FILE [SECTION]`` brings in, checked."""
    source, number, line = entry.source, entry.number, entry.text
    command = tokens[0].lower()
    if folder is None:
        _refuse(source, number, line, f"{tokens[0]} needs the netlist's folder; import the netlist from its file")
    if len(tokens) not in (2, 3) or (len(tokens) == 3 and command != ".lib"):
        _refuse(source, number, line, f"{tokens[0]} takes one file name" + (" and a section" if command == ".lib"
                                                                             else ""))
    relative = tokens[1].strip('"').strip("'")
    parts = relative.split("/")
    if (not _PATH.match(relative) or relative.startswith("/") or ".." in parts or "." in parts[:-1]
            or "" in parts):
        _refuse(source, number, line, "only a file in the netlist's own folder, by a relative path without '..', "
                                      "may be included")
    path = (folder / relative).resolve()
    if folder not in path.parents or not path.is_file():
        _refuse(source, number, line, f"{relative} is not a file inside the netlist's folder")
    if relative in chain or len(chain) > MAX_INCLUDE_DEPTH:
        _refuse(source, number, line, f"{relative} includes itself (through {' -> '.join(chain[1:] + (relative,))})"
                if relative in chain else f"includes nest more than {MAX_INCLUDE_DEPTH} deep")
    try:
        text = _decode(path.read_bytes(), relative)
    except OSError as error:
        _refuse(source, number, line, f"can't read {relative}: {error.strerror}")
    if command == ".lib" and len(tokens) == 3:
        text = _section(text, tokens[2], relative, entry)
    included.append(relative)
    return _logical_lines(text, relative, folder, False, chain, included)


def _section(text: str, section: str, relative: str, entry: _Line) -> str:
    """The lines of ``.lib SECTION`` ... ``.endl`` in a library file."""
    lines, inside, found = text.split("\n"), False, []
    for line in lines:
        words = line.strip().lower().split()
        if words[:2] == [".lib", section.lower()]:
            inside = True
            continue
        if inside and words[:1] == [".endl"]:
            return "\n".join(found)
        if inside:
            found.append(line)
    _refuse(entry.source, entry.number, entry.text, f"{relative} has no section {section} (.lib {section} ... .endl)")


def _expanded_count(top: list, subckts: dict, name: str) -> int:
    """Elements of the circuit with every subcircuit placement expanded; refuses a placement
    of an undefined subcircuit and a subcircuit that contains itself."""
    memo: dict[str, int] = {}

    def count(subckt: str, path: tuple[str, ...]) -> int:
        if subckt in memo:
            return memo[subckt]
        direct, placed = subckts[subckt]
        total = direct
        for child, entry in placed:
            total += place(child, entry, path + (subckt,))
            if total > MAX_EXPANDED_ELEMENTS:
                break  # enough to refuse; the exact size does not matter
        memo[subckt] = total
        return total

    def place(child: str, entry: _Line, path: tuple[str, ...]) -> int:
        if child not in subckts:
            _refuse(entry.source, entry.number, entry.text, f"subcircuit {child} is not defined in the netlist")
        if child in path:
            _refuse(entry.source, entry.number, entry.text,
                    f"subcircuit {child} contains itself ({' -> '.join(path[path.index(child):] + (child,))})")
        return count(child, path)

    total = top[0]
    for child, entry in top[1]:
        total += place(child, entry, ())
        if total > MAX_EXPANDED_ELEMENTS:
            break
    return total


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
