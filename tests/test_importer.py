"""Imported netlists: parsed against an allow-list, refused with the line and its number,
and nothing of a refused file ever reaches ngspice."""

import re

import numpy as np
import pytest

from circuitnet.errors import NetlistImportError
from circuitnet.formats.importer import parse_netlist

RECTIFIER = """* a rectifier drawn elsewhere
V1 in 0 DC 0
D1 in out D1N4148 ; the diode
R1 out 0 10k
.model D1N4148 D(IS=4.352E-9 N=1.906 RS=0.6458
+ BV=110 IBV=0.0001)
.end
"""

HOSTILE = [
    ".control\nshell touch /tmp/pwned\n.endc",
    ".CONTROL\nset unixcom\n.ENDC",
    ".include /etc/passwd",
    ".lib /tmp/models.lib tt",
    "Vbad in2 0 PWL file=/etc/shadow",
    "B1 x 0 V=`ls`",
    "Q1 c b e npn",
    "M1 d g s s nmos",
    ".options savecurrents",
    ".tran 1n 1u",
    "K1 L1 L2 0.9",
    "R9 a b 1k\n.end\nshell rm -rf /",
    "+ .include /etc/passwd",
    "Rq a b 1k $ ok\nR\u00e9 a b 1k",
    ".subckt rect in out\nD1 in out dmod\n",
    "XU1 in out rect\n.ends",
    "R1 a b {system(1)}",
    ".param x = `whoami`",
    "A1 in out model",
    "S1 a b c d sw",
    "R@ a b 1k",
    ".spiceinit",
]


def test_a_plain_rectifier_is_accepted_and_re_emitted():
    imported = parse_netlist(RECTIFIER)
    assert imported.sources == ("v1",)
    assert "D1 in out D1N4148" in imported.lines
    assert any(line.startswith(".model D1N4148 D(IS=4.352E-9 N=1.906 RS=0.6458 BV=110") for line in imported.lines)
    assert not any("a rectifier drawn elsewhere" in line or "the diode" in line for line in imported.lines)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_lines_are_refused_with_line_and_number(hostile):
    text = RECTIFIER.replace(".end\n", hostile + "\n.end\n")
    with pytest.raises(NetlistImportError, match=r"line \d+: .*'"):
        parse_netlist(text, "hostile.cir")


WHERE = re.compile(r"netlist(, line \d+: .+: '.*'| ?: byte \d+ is not ASCII)$", re.DOTALL)


def test_ten_thousand_generated_hostile_netlists_are_refused():
    """Generated from hostile fragments, mutations of their case, placement, continuation
    lines and junk; every one must be refused with a message that says where (the line and
    its text, or the byte that is not ASCII)."""
    rng = np.random.default_rng(6)
    base = RECTIFIER.splitlines()
    fragments = [h for h in HOSTILE if "\u00e9" not in h] + ["`", "\u00ff", "\x00", ".CoNtRoL", ".INCLUDE x",
                                                             "R1 a b 1k file", "V2 a 0 dc 0 shell"]
    for _ in range(10_000):
        lines = list(base)
        fragment = fragments[int(rng.integers(len(fragments)))]
        if rng.random() < 0.5:
            fragment = "".join(c.upper() if rng.random() < 0.5 else c for c in fragment)
        if rng.random() < 0.2:
            fragment = "+ " + fragment.replace("\n", " ")
        position = int(rng.integers(1, len(lines)))
        lines.insert(position, fragment)
        if rng.random() < 0.3:
            lines.insert(int(rng.integers(1, len(lines))), "* just a comment " + str(rng.integers(1000)))
        with pytest.raises(NetlistImportError) as caught:
            parse_netlist("\n".join(lines))
        assert WHERE.match(str(caught.value)), str(caught.value)


def test_size_limits():
    with pytest.raises(NetlistImportError, match="more than a netlist may have"):
        parse_netlist("* t\n" + "R1 a b 1k\n" * 200_000)
