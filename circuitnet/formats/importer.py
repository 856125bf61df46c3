"""Importing a netlist drawn elsewhere: parse against an allow-list, re-emit, never pass on.

A netlist can run shell commands through ngspice (``.control`` blocks, ``shell``, ``set
unixcom``), read files (``.include``, ``.lib``, ``file=``) and more. So an imported netlist
is *parsed*, line by line, against what a DC transfer curve needs, and refused with a
NetlistImportError quoting the offending line and its number at the first thing outside
it. What ngspice then sees is circuitnet's own re-emission of the parsed elements, never
the file's text.

Allowed: comments (``*`` lines, ``;`` and ``$`` tails), ``+`` continuation lines,
elements R C D V I E G B X, and ``.subckt`` / ``.ends`` / ``.model`` / ``.param`` /
``.func`` / ``.end``. The first line is the title (SPICE's rule) and is dropped.

As engineers write them:
- Analysis and output cards (``.dc``, ``.tran``, ``.op``, ``.options``, ``.temp``, ``.save``,
  ``.print``, ...) are skipped, not refused, and listed in ``skipped``: circuitnet runs its
  own analysis.
- ``.include FILE`` and ``.lib FILE [SECTION]`` read a file in the netlist's own folder, by
  a relative path that stays inside it (no absolute path, no ``..``, no link out of it).
  That file goes through the same allow-list, with its own name in every error.
- ``.func NAME(ARG, ...) {EXPRESSION}`` (``=`` and the braces optional) defines a function
  for B sources and parameters; it is re-emitted in that one form. An expression is
  arithmetic in ngspice (it runs no command), and it passes the same character allow-list
  and forbidden words as every other line.
- Nodes are named as ngspice names them (``netlist_nodes``): the top level's own, and a
  node inside a subcircuit instance by its dotted path, ``x1.mid``.
- Before anything runs, subcircuits are bounded: definitions nest at most
  MAX_SUBCKT_DEPTH deep, no subcircuit contains itself, and the expanded circuit has at
  most MAX_EXPANDED_ELEMENTS elements.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from ..errors import NetlistImportError
from .netlist_nodes import NodeNames, Scope

MAX_BYTES = 1024 * 1024
MAX_LINES = 20_000
MAX_INCLUDE_DEPTH = 8
MAX_SUBCKT_DEPTH = 8
MAX_EXPANDED_ELEMENTS = 100_000
ELEMENTS = set("RCDVIEGBX")
DOT_COMMANDS = {".subckt", ".ends", ".model", ".param", ".func", ".end"}
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

    node_names: every node by the name ngspice gives it (``node`` resolves one).
    skipped: each analysis or output card that was dropped, as "NAME, line N: CARD".
    included: the files that ``.include`` / ``.lib`` read, relative to the netlist's folder.
    name: the netlist's name, for messages.
    """

    lines: tuple[str, ...]
    sources: tuple[str, ...]  # names of V and I sources, lowercase
    node_names: NodeNames
    skipped: tuple[str, ...] = ()
    included: tuple[str, ...] = ()
    name: str = "netlist"

    @property
    def nodes(self) -> frozenset:
        """The netlist's own nodes: those of its top level (lowercase)."""
        return frozenset(self.node_names.top.nodes)

    def node(self, asked: str) -> str:
        """Node ``asked`` by the name ngspice's vectors give it: a top-level node, or one
        inside a subcircuit instance by its dotted path (``x1.mid``); NetlistImportError,
        naming what exists, when there is none."""
        return self.node_names.resolve(asked, self.name)


@dataclass(frozen=True)
class _Line:
    """One logical line (continuations joined) and where it came from, for errors."""

    source: str
    number: int
    text: str


@dataclass
class _Level:
    """The top level or a subcircuit definition, as parsed: its nodes, and its size before
    expansion (elements of its own, and each instance it places with the line placing it)."""

    scope: Scope
    elements: int = 0
    placed: list = field(default_factory=list)  # (subcircuit, _Line, how many nodes it connects)


def parse_netlist(text: str | bytes, name: str = "netlist", folder: str | Path | None = None) -> ImportedNetlist:
    """Validate ``text`` against the allow-list; NetlistImportError at the first problem.

    folder: where the netlist's file lives, for ``.include`` and ``.lib`` (None: the text
    has no folder, and both are refused).
    """
    included: list[str] = []
    root = Path(folder).resolve() if folder is not None else None
    logical = _logical_lines(_decode(text, name), name, root, True, (), included)
    lines, sources, skipped = [], [], []
    top = _Level(Scope())
    levels: dict[str, _Level] = {}  # subcircuit -> its definition
    stack: list[tuple[str, _Line]] = []  # the subcircuits being defined (and where), innermost last
    ended = False
    for entry in logical:
        source, number, line = entry.source, entry.number, entry.text
        body = line.strip()
        if ended:
            _refuse(source, number, line, "text after .end")
        _check_characters(entry, body)
        tokens = body.split()
        head = tokens[0].lower()
        if head in SKIPPED_CARDS:
            skipped.append(f"{source}, line {number}: {body if len(body) <= 80 else body[:77] + '...'}")
            continue
        _check_words(entry, body)
        if head == ".end":
            ended = source == name  # an included file's own .end ends that file, not the netlist
            continue
        if head.startswith("."):
            lines.append(_dot_command(entry, tokens, stack, levels))
            continue
        _element(entry, tokens, levels[stack[-1][0]] if stack else top)
        if head[0] in "vi" and not stack:
            sources.append(head)
        lines.append(" ".join(tokens))
    _check_complete(name, lines, stack, top, levels)
    node_names = NodeNames(top.scope, {subckt: level.scope for subckt, level in levels.items()})
    return ImportedNetlist(tuple(lines), tuple(sources), node_names, tuple(skipped), tuple(included), name)


def _check_characters(entry: _Line, body: str) -> None:
    """Refuse a line with a character outside the allowed set."""
    if not _TOKEN.match(body):
        bad = next(c for c in body if not _TOKEN.match(c))
        _refuse(entry.source, entry.number, entry.text, f"character {bad!r} is not allowed")


def _check_words(entry: _Line, body: str) -> None:
    """Refuse a line holding a forbidden word (as a whole word, in any case)."""
    lowered = body.lower()
    for word in FORBIDDEN_WORDS:
        if re.search(rf"(?<![a-z0-9_]){re.escape(word)}(?![a-z0-9_])", lowered):
            _refuse(entry.source, entry.number, entry.text, f"{word!r} is not allowed in an imported netlist")


def _check_complete(name: str, lines: list[str], stack: list, top: _Level, levels: dict) -> None:
    """After the last line: every .subckt closed, some elements, and not too many once expanded."""
    if stack:
        opened = stack[-1][1]
        _refuse(opened.source, opened.number, opened.text, "this .subckt is never closed with .ends")
    if not lines:
        raise NetlistImportError(f"{name}: no elements found")
    expanded = _expanded_count(top, levels, name)
    if expanded > MAX_EXPANDED_ELEMENTS:
        raise NetlistImportError(f"{name}: its subcircuits expand to {expanded:,} elements, more than an imported "
                                 f"netlist may have ({MAX_EXPANDED_ELEMENTS:,})")


def _dot_command(entry: _Line, tokens: list[str], stack: list, levels: dict) -> str:
    """Check an allowed dot command (not ``.end``), track subcircuit definitions, and return
    the line to emit."""
    source, number, line = entry.source, entry.number, entry.text
    head = tokens[0].lower()
    if head not in DOT_COMMANDS:
        allowed = sorted(DOT_COMMANDS | INCLUDES)
        _refuse(source, number, line, f"{tokens[0]} is not allowed; allowed: {', '.join(allowed)} "
                                      f"(analysis and output cards are skipped)")
    if head == ".subckt":
        _open_subckt(entry, tokens, stack, levels)
    elif head == ".ends":
        if not stack:
            _refuse(source, number, line, ".ends without .subckt")
        stack.pop()
    elif head == ".model":
        _check_model(entry, tokens)
    elif head == ".param":
        if not re.match(r"^(\s*[A-Za-z_][A-Za-z0-9_]*\s*=\s*[^=\s]+\s*)+$", " ".join(tokens[1:])):
            _refuse(source, number, line, ".param takes NAME=value assignments only")
    elif head == ".func":
        return _function(entry)
    return " ".join(tokens)


def _open_subckt(entry: _Line, tokens: list[str], stack: list, levels: dict) -> None:
    """A ``.subckt`` line: its definition starts (pushed on ``stack``, recorded in ``levels``)."""
    source, number, line = entry.source, entry.number, entry.text
    if len(stack) >= MAX_SUBCKT_DEPTH:
        _refuse(source, number, line, f"subcircuit definitions nest more than {MAX_SUBCKT_DEPTH} deep")
    _check_name(source, number, line, tokens, 1)
    subckt = tokens[1].lower()
    if subckt in levels:
        _refuse(source, number, line, f"subcircuit {tokens[1]} is defined twice")
    ports = tuple(_subckt_ports(entry, tokens))
    levels[subckt] = _Level(Scope(ports, set(ports)))
    stack.append((subckt, entry))


def _subckt_ports(entry: _Line, tokens: list[str]) -> list[str]:
    """The port nodes of a ``.subckt NAME PORT... [params:] [KEY=VALUE...]`` line, lowercase."""
    ports = []
    # the ports end where the parameters start: at "params:" or at the first NAME=, NAME = ...
    before_parameters = re.split(r"(?:^|\s)params:|[A-Za-z_][A-Za-z0-9_]*\s*=", " ".join(tokens[2:]), maxsplit=1,
                                 flags=re.IGNORECASE)[0]
    for token in before_parameters.split():
        if not _NODE.match(token):
            _refuse(entry.source, entry.number, entry.text, f"subcircuit port {token!r} must be letters, digits and _")
        ports.append(token.lower())
    return ports


def _check_model(entry: _Line, tokens: list[str]) -> None:
    source, number, line = entry.source, entry.number, entry.text
    _check_name(source, number, line, tokens, 1)
    if len(tokens) < 3 or not re.match(r"^d(\(|$)", tokens[2].lower()):
        _refuse(source, number, line, "only diode models (.model NAME D(...)) are allowed")
    parameters = " ".join(tokens[2:])[1:].strip().strip("()").replace(",", " ").split()
    if not all(re.match(r"^[A-Za-z][A-Za-z0-9_]*=[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?[a-z]*$", t, re.IGNORECASE)
               for t in parameters):
        _refuse(source, number, line, "a .model takes KEY=number parameters only")


_FUNCTION = re.compile(r"^\.func\s+([A-Za-z_][A-Za-z0-9_]*)\s*\("
                       r"\s*([A-Za-z_][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*)?"
                       r"\s*\)\s*=?\s*(.*)$", re.IGNORECASE)


def _function(entry: _Line) -> str:
    """A ``.func NAME(ARG, ...) [=] {EXPRESSION}`` (braces optional), re-emitted in the one
    form every ngspice reads: ``.func NAME(ARG, ...) {EXPRESSION}``. The expression is
    arithmetic on numbers, parameters, its arguments and ngspice's functions: the line has
    passed the character allow-list and the forbidden words already, and an expression in
    ngspice runs no command."""
    source, number, line = entry.source, entry.number, entry.text
    found = _FUNCTION.match(line.strip())
    if not found:
        _refuse(source, number, line, ".func takes NAME(ARGUMENT, ...) and an expression: .func f(x) {2*x}")
    function, arguments, expression = found.group(1), found.group(2) or "", found.group(3).strip()
    if expression.startswith("{") and expression.endswith("}"):
        expression = expression[1:-1].strip()
    if not expression:
        _refuse(source, number, line, f".func {function} has no expression: .func {function}(...) {{EXPRESSION}}")
    if "{" in expression or "}" in expression or not _balanced(expression):
        _refuse(source, number, line, f".func {function}: its expression must be one {{...}} with balanced "
                                      f"parentheses")
    names = [name.strip() for name in arguments.split(",")] if arguments else []
    return f".func {function}({', '.join(names)}) {{{expression}}}"


def _balanced(expression: str) -> bool:
    depth = 0
    for character in expression:
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth < 0:
            return False
    return depth == 0


def _element(entry: _Line, tokens: list[str], level: _Level) -> None:
    """Check an element line and record its nodes (and an instance's subcircuit) in its level."""
    source, number, line = entry.source, entry.number, entry.text
    head = tokens[0].lower()
    if head[0].upper() not in ELEMENTS:
        _refuse(source, number, line,
                f"element {tokens[0]} is not allowed; allowed elements: {', '.join(sorted(ELEMENTS))}")
    if not _NAME.match(tokens[0]):
        _refuse(source, number, line, f"element name {tokens[0]!r} must be letters, digits and _")
    _check_element(source, number, line, tokens)
    if head[0] == "x":
        *connected, placed = (t.lower() for t in tokens[1:] if not _ASSIGNMENT.match(t))
        level.placed.append((placed, entry, len(connected)))
        level.scope.instances[head] = (placed, tuple(connected))
        level.scope.nodes.update(connected)
    else:
        level.elements += 1
        level.scope.nodes.update(t.lower() for t in tokens[1:5 if head[0] in "eg" else 3])


def _decode(text: str | bytes, name: str) -> str:
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError as error:
            raise NetlistImportError(
                f"{name}: byte {error.start} is not ASCII; a netlist must be plain ASCII") from None
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
    lines, inside = text.split("\n"), False
    found: list[str] = []
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


def _expanded_count(top: _Level, levels: dict, name: str) -> int:
    """Elements of the circuit with every subcircuit placement expanded; refuses a placement
    of an undefined subcircuit, one with the wrong number of nodes, and a subcircuit that
    contains itself."""
    memo: dict[str, int] = {}

    def count(subckt: str, path: tuple[str, ...]) -> int:
        if subckt in memo:
            return memo[subckt]
        level = levels[subckt]
        total = level.elements
        for child, entry, connected in level.placed:
            total += place(child, entry, connected, path + (subckt,))
            if total > MAX_EXPANDED_ELEMENTS:
                break  # enough to refuse; the exact size does not matter
        memo[subckt] = total
        return total

    def place(child: str, entry: _Line, connected: int, path: tuple[str, ...]) -> int:
        _check_placement(levels, child, entry, connected, path)
        return count(child, path)

    total = top.elements
    for child, entry, connected in top.placed:
        total += place(child, entry, connected, ())
        if total > MAX_EXPANDED_ELEMENTS:
            break
    return total


def _check_placement(levels: dict, child: str, entry: _Line, connected: int, path: tuple[str, ...]) -> None:
    """Refuse a placement of an undefined subcircuit, one with the wrong number of nodes, and
    one inside itself (``path``: the subcircuits it sits in, outermost first)."""
    if child not in levels:
        _refuse(entry.source, entry.number, entry.text, f"subcircuit {child} is not defined in the netlist")
    ports = levels[child].scope.ports
    if connected != len(ports):
        _refuse(entry.source, entry.number, entry.text, f"this instance connects {connected} node(s) and "
                                                        f"subcircuit {child} has {len(ports)} port(s)")
    if child in path:
        _refuse(entry.source, entry.number, entry.text,
                f"subcircuit {child} contains itself ({' -> '.join(path[path.index(child):] + (child,))})")


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
    problem = _ELEMENT_CHECKS[kind](tokens, rest) if kind in _ELEMENT_CHECKS else None
    if problem:
        _refuse(name, number, line, problem)


# Each check takes the element's tokens and those after its nodes, and returns what is wrong
# with them (None: nothing).
def _passive_problem(tokens: list[str], rest: list[str]) -> str | None:
    if not rest or not _value(rest[0]) or not all(_ASSIGNMENT.match(t) for t in rest[1:]):
        return f"{tokens[0]} takes a value and optional key=value parameters"
    return None


def _diode_problem(tokens: list[str], rest: list[str]) -> str | None:
    if not rest or not _IDENTIFIER.match(rest[0]) or not all(_value(t) or _ASSIGNMENT.match(t) for t in rest[1:]):
        return f"{tokens[0]} takes a model name, an optional area and key=value parameters"
    return None


def _source_problem(tokens: list[str], rest: list[str]) -> str | None:
    for token in rest:
        bare = token.strip("()").lower()
        if not (_value(token) or bare in _SOURCE_WORDS or re.match(r"^[a-z]*\(?[-+0-9.e,a-z]*\)?$", token.lower())
                and any(token.lower().startswith(w) for w in _SOURCE_WORDS | {"("}) or _value(bare) or not bare):
            return f"{token!r} is not a source value (DC, AC, PWL, SIN, PULSE, EXP, numbers)"
    return None


def _controlled_problem(tokens: list[str], rest: list[str]) -> str | None:
    if len(rest) != 1 or not _value(rest[0]):
        return f"{tokens[0]} takes one gain (for anything else use a B source)"
    return None


def _behavioural_problem(tokens: list[str], rest: list[str]) -> str | None:
    if not re.match(r"^[vi]\s*=", " ".join(rest).lower()):
        return f"{tokens[0]} takes V=expression or I=expression"
    return None


def _instance_problem(tokens: list[str], rest: list[str]) -> str | None:
    names = [t for t in tokens[1:] if not _ASSIGNMENT.match(t)]
    if len(names) < 2 or not all(_NODE.match(t) for t in names[:-1]) or not _IDENTIFIER.match(names[-1]):
        return f"{tokens[0]} takes nodes, a subcircuit name and key=value parameters"
    return None


_ELEMENT_CHECKS: dict[str, Callable[[list[str], list[str]], str | None]] = {
    "r": _passive_problem, "c": _passive_problem, "d": _diode_problem, "v": _source_problem,
    "i": _source_problem, "e": _controlled_problem, "g": _controlled_problem, "b": _behavioural_problem,
    "x": _instance_problem,
}


def _check_name(name, number, line, tokens, index):
    if len(tokens) <= index or not _NAME.match(tokens[index]):
        _refuse(name, number, line, f"{tokens[0]} needs a name of letters, digits and _")


def _refuse(name: str, number: int, line: str, reason: str) -> NoReturn:
    shown = line.strip()
    shown = shown if len(shown) <= 120 else shown[:117] + "..."
    raise NetlistImportError(f"{name}, line {number}: {reason}: {shown!r}")
