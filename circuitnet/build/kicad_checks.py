"""KiCad's own checks of a written schematic, through its command line (``kicad-cli``, KiCad 8
or later): the electrical rules check, the netlist KiCad reads from the schematic, and the
SPICE netlist KiCad exports from the symbols' simulation fields.

Each function runs one ``kicad-cli`` command in a fresh HOME (kicad-cli writes its settings
there on first use) and returns what KiCad reported, parsed; comparing it with circuitnet's
own netlist is the caller's (tests/test_kicad.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import CircuitnetError
from .sexpr import loads

# How long a kicad-cli command may take: KICAD_TIMEOUT_S, plus KICAD_SECONDS_PER_PART for each
# placed symbol of the schematic and its sub-sheets (``kicad_timeout_s``). Measured (KiCad 9.0.8,
# docs/kicad.md): the writer keeps each sheet under about 2,000 parts, so what grows with a circuit
# is KiCad's work across its sheets, about 3.1 ms of CPU per resistor (the 784-100-10 classifier's
# ERC: 251 s quiet, 831 s of wall time on 2 busy cores); 20 ms per part leaves six times the
# quiet figure, twice the busy one. A small schematic's commands take about a second.
KICAD_TIMEOUT_S = 300.0
KICAD_SECONDS_PER_PART = 0.020
_SHEET_FILE = re.compile(rb'\(property "Sheetfile" "([^"]+)"')


class KicadCliError(CircuitnetError, RuntimeError):
    """kicad-cli is missing, or one of its commands failed."""


def kicad_cli() -> str:
    """The path of kicad-cli, or KicadCliError saying how to install it."""
    path = shutil.which("kicad-cli")
    if path is None:
        raise KicadCliError("kicad-cli (KiCad 8 or later) is not installed; run 'make system-deps' "
                            "(.ci/install-kicad installs KiCad 9 from bookworm-backports on Debian 12)")
    return path


def placed_parts(schematic: str | os.PathLike) -> int:
    """The symbols placed on a schematic and on the sub-sheets it names (``Sheetfile``, read
    beside it, each once); 0 for a file that can't be read."""
    root = Path(schematic)
    seen: set[Path] = set()
    waiting, count = [root], 0
    while waiting:
        path = waiting.pop()
        if path in seen:
            continue
        seen.add(path)
        try:
            text = path.read_bytes()
        except OSError:
            continue
        count += text.count(b"(symbol (lib_id ")
        waiting += [root.parent / name.decode() for name in _SHEET_FILE.findall(text)]
    return count


def kicad_timeout_s(schematic: str | os.PathLike) -> float:
    """The seconds a kicad-cli command on ``schematic`` may take: KICAD_TIMEOUT_S plus
    KICAD_SECONDS_PER_PART per placed part (see them)."""
    return KICAD_TIMEOUT_S + KICAD_SECONDS_PER_PART * placed_parts(schematic)


def run_kicad_cli(*arguments: str) -> subprocess.CompletedProcess:
    """``kicad-cli ARGUMENTS`` in a fresh HOME, for at most ``kicad_timeout_s`` of the schematic
    (the last argument); KicadCliError with its words if it fails."""
    timeout = kicad_timeout_s(arguments[-1])
    with tempfile.TemporaryDirectory(prefix="circuitnet-kicad-") as home:
        env = dict(os.environ, HOME=home, XDG_CONFIG_HOME=str(Path(home, ".config")))
        try:
            done = subprocess.run([kicad_cli(), *arguments], env=env, capture_output=True, text=True,
                                  timeout=timeout, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:  # run() has killed it
            raise KicadCliError(f"kicad-cli {' '.join(arguments[:3])} did not finish within {timeout:g} s "
                                f"({KICAD_TIMEOUT_S:g} s and {KICAD_SECONDS_PER_PART * 1e3:g} ms for each of the "
                                f"{placed_parts(arguments[-1]):,} parts); raise kicad_checks.KICAD_TIMEOUT_S or "
                                "KICAD_SECONDS_PER_PART, or check a smaller circuit") from None
    if done.returncode != 0:
        raise KicadCliError(f"kicad-cli {' '.join(arguments[:3])} failed (exit status {done.returncode}): "
                            f"{(done.stdout + done.stderr).strip()[-2000:]}")
    return done


@dataclass(frozen=True)
class Violation:
    """One ERC finding: its severity (``error``, ``warning``), type and KiCad's description."""

    severity: str
    type: str
    description: str
    items: tuple[str, ...]


def erc(schematic: str | os.PathLike) -> list[Violation]:
    """Every violation ``kicad-cli sch erc`` finds in the schematic (all severities)."""
    with tempfile.TemporaryDirectory(prefix="circuitnet-erc-") as folder:
        report = Path(folder, "erc.json")
        run_kicad_cli("sch", "erc", "--format", "json", "--severity-all", "-o", str(report), str(schematic))
        found = json.loads(report.read_text())
    return [Violation(v["severity"], v["type"], v["description"], tuple(i["description"] for i in v["items"]))
            for sheet in found["sheets"] for v in sheet["violations"]]


def netlist_connections(schematic: str | os.PathLike) -> dict[str, set[tuple[str, str, str]]]:
    """KiCad's netlist of the schematic (``kicad-cli sch export netlist``, its S-expression
    format): net name -> {(reference, pin number, pin function)}; the function is the pin's
    name in its symbol (``A``, ``K``, ``+``, ``OUT``), "" where it has none."""
    with tempfile.TemporaryDirectory(prefix="circuitnet-netlist-") as folder:
        path = Path(folder, "circuit.net")
        run_kicad_cli("sch", "export", "netlist", "--format", "kicadsexpr", "-o", str(path), str(schematic))
        tree = loads(path.read_text())
    nets: dict[str, set[tuple[str, str, str]]] = {}
    for net in _children(_child(tree, "nets"), "net"):
        name = _child(net, "name")[1]
        nets[name] = {(_child(node, "ref")[1], _child(node, "pin")[1], _function(node))
                      for node in _children(net, "node")}
    return nets


def spice_netlist(schematic: str | os.PathLike) -> str:
    """The SPICE netlist KiCad exports from the schematic (``--format spice``): every symbol
    as its Sim.* fields say, the libraries they name included by absolute path."""
    with tempfile.TemporaryDirectory(prefix="circuitnet-spice-") as folder:
        path = Path(folder, "circuit.cir")
        run_kicad_cli("sch", "export", "netlist", "--format", "spice", "-o", str(path), str(schematic))
        return path.read_text()


def _function(node: list) -> str:
    found = _children(node, "pinfunction")
    return found[0][1] if found else ""


def _children(node: list, keyword: str) -> list[list]:
    return [item for item in node[1:] if isinstance(item, list) and item and item[0] == keyword]


def _child(node: list, keyword: str) -> list:
    found = _children(node, keyword)
    if not found:
        raise KicadCliError(f"KiCad's netlist has no ({keyword} ...) in ({node[0]} ...)")
    return found[0]
