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
    ".include ../up.mod",
    ".include sub/../../up.mod",
    ".lib /tmp/models.lib",
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
    ".func f(x) {system(1)}",
    ".func f(x) {x} ; fine\n.func g(y) = `date`",
    ".func shell(x) {x}",
    ".func f(x) {v(file)}",
    ".func f(x) {x}\n.control",
    ".func f(x {x}",
    ".func f(x) {(x}",
    ".func f(x)",
    ".func f(x) {1} {2}",
    ".FUNC f(x) {x} .include up.mod",
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


ENGINEER = """* half-wave rectifier, as drawn in the lab
.include 1N4148.mod
.title rectifier
V1 in 0 DC 0
D1 in out D1N4148
R1 out 0 10k
.options reltol=1e-4
.temp 27
.dc V1 0 2 0.01
.op
.tran 1u 1m
.save v(out)
.print dc v(out)
.end
"""


def test_an_engineers_netlist_is_accepted_with_its_cards_skipped(tmp_path):
    (tmp_path / "1N4148.mod").write_text(".model D1N4148 D(IS=4.352E-9 N=1.906 RS=0.6458 BV=110 IBV=0.0001)\n")
    imported = parse_netlist(ENGINEER, "rect.cir", folder=tmp_path)
    assert imported.included == ("1N4148.mod",)
    assert imported.lines[0].startswith(".model D1N4148 D(IS=4.352E-9")
    assert "D1 in out D1N4148" in imported.lines
    assert [entry.split(": ", 1)[1] for entry in imported.skipped] == [
        ".title rectifier", ".options reltol=1e-4", ".temp 27", ".dc V1 0 2 0.01", ".op", ".tran 1u 1m",
        ".save v(out)", ".print dc v(out)"]
    assert imported.skipped[0] == "rect.cir, line 3: .title rectifier"
    assert not any(line.lower().startswith((".dc", ".include", ".options")) for line in imported.lines)


@pytest.mark.parametrize("include, message", [
    (".include /etc/passwd", "only a file in the netlist's own folder"),
    (".include ../1N4148.mod", "without '..'"),
    (".include lib/../../x.mod", "without '..'"),
    (".include missing.mod", "missing.mod is not a file inside the netlist's folder"),
    (".include escape.mod", "escape.mod is not a file inside the netlist's folder"),
    (".include hostile.mod", "hostile.mod, line 2: 'control' is not allowed in an imported netlist: '.control'"),
    (".include self.mod", "self.mod includes itself (through self.mod -> self.mod)"),
    (".lib 1N4148.mod fast", "1N4148.mod has no section fast"),
])
def test_includes_stay_in_the_folder_and_pass_the_allow_list(tmp_path, include, message):
    folder = tmp_path / "work"
    folder.mkdir()
    (tmp_path / "1N4148.mod").write_text(".model D1N4148 D(IS=4.352E-9)\n")
    (tmp_path / "secret.mod").write_text(".model DX D(IS=1e-14)\n")
    (folder / "1N4148.mod").write_text(".model D1N4148 D(IS=4.352E-9)\n")
    (folder / "escape.mod").symlink_to(tmp_path / "secret.mod")  # a link out of the folder
    (folder / "hostile.mod").write_text("* looks like a model\n.control\nshell touch x\n.endc\n")
    (folder / "self.mod").write_text(".include self.mod\n")
    netlist = f"* t\n{include}\nV1 in 0 1\nD1 in out D1N4148\nR1 out 0 1k\n.end\n"
    with pytest.raises(NetlistImportError, match=re.escape(message)):
        parse_netlist(netlist, "rect.cir", folder=folder)


def test_a_lib_section_is_read_and_without_a_folder_includes_are_refused(tmp_path):
    (tmp_path / "parts.lib").write_text(".lib slow\n.model D1N4148 D(IS=1e-9)\n.endl\n"
                                        ".lib fast\n.model D1N4148 D(IS=4e-9)\n.endl\n")
    netlist = "* t\n.lib parts.lib fast\nV1 in 0 1\nD1 in out D1N4148\nR1 out 0 1k\n"
    assert parse_netlist(netlist, folder=tmp_path).lines[0] == ".model D1N4148 D(IS=4e-9)"
    with pytest.raises(NetlistImportError, match="needs the netlist's folder"):
        parse_netlist(netlist)


def test_subcircuits_are_bounded_before_anything_runs():
    """40 levels that each place the next twice would be 2^40 resistors; recursion never ends."""
    doubling = ["* bomb"] + [f".subckt s{k} a b\nX1 a m s{k + 1}\nX2 m b s{k + 1}\n.ends" for k in range(40)]
    doubling += [".subckt s40 a b\nR1 a b 1k\n.ends", "V1 in 0 1", "X0 in 0 s0", ".end"]
    with pytest.raises(NetlistImportError, match="expand to .* elements, more than an imported netlist may have"):
        parse_netlist("\n".join(doubling))
    nested = ["* deep"] + [f".subckt n{k} a b" for k in range(10)] + [".ends"] * 10 + ["R1 a 0 1k"]
    with pytest.raises(NetlistImportError, match="nest more than 8 deep"):
        parse_netlist("\n".join(nested))
    loop = "* loop\n.subckt a x y\nX1 x y b\n.ends\n.subckt b x y\nX1 x y a\n.ends\nV1 in 0 1\nX0 in 0 a\n"
    with pytest.raises(NetlistImportError, match=re.escape("subcircuit a contains itself (a -> b -> a)")):
        parse_netlist(loop)
    with pytest.raises(NetlistImportError, match="subcircuit nope is not defined"):
        parse_netlist("* t\nV1 in 0 1\nX1 in 0 nope\n")


SUBCIRCUIT_OUTPUT = """* the rectifier drawn as a subcircuit; the output y is reached only through X1
.subckt rect in out
D1 in mid D1N4148
R1 mid out 1
R2 out 0 10k
.ends
.subckt pair a b
X2 a b rect
R3 b gnd 1meg
.ends
V1 in 0 DC 0
X1 in y pair
.model D1N4148 D(IS=4.352E-9 N=1.906 RS=0.6458 BV=110 IBV=0.0001)
.end
"""


def test_a_node_reached_only_through_a_subcircuit_is_the_netlists_own():
    """Issue #22, 8: 'y' connects only through X1; the subcircuits' own nodes are not the
    netlist's (before: "no node 'y'", and 'mid', 'out', 'a', 'b' listed as its nodes)."""
    imported = parse_netlist(SUBCIRCUIT_OUTPUT, "sub.cir")
    assert imported.nodes == {"0", "in", "y"}
    assert imported.node("y") == "y" and imported.node("IN") == "in"


def test_internal_nodes_resolve_by_their_dotted_path_as_ngspice_names_them():
    imported = parse_netlist(SUBCIRCUIT_OUTPUT, "sub.cir")
    assert imported.node("x1.x2.mid") == "x1.x2.mid" and imported.node("X1.X2.MID") == "x1.x2.mid"
    with pytest.raises(NetlistImportError, match=re.escape(
            "sub.cir: no node 'mid' in the netlist (its nodes: 0, in, y); 'mid' is a node inside subcircuit "
            "instances, which ngspice names by their path: x1.x2.mid")):
        imported.node("mid")
    with pytest.raises(NetlistImportError, match=re.escape(
            "'x1.x2.out' is port 'out' of subcircuit rect, which ngspice names by the node it is connected to: "
            "ask for 'y'")):
        imported.node("x1.x2.out")
    with pytest.raises(NetlistImportError, match=re.escape("there is no subcircuit instance 'x3' inside x1 "
                                                           "(instances there: x2)")):
        imported.node("x1.x3.mid")
    with pytest.raises(NetlistImportError, match=re.escape("subcircuit rect has no internal node 'nope' "
                                                           "(its internal nodes: mid)")):
        imported.node("x1.x2.nope")
    with pytest.raises(NetlistImportError, match=re.escape("'x1.gnd' is ground (0 V everywhere)")):
        imported.node("x1.gnd")


def test_a_port_connected_to_an_internal_node_is_named_by_that_node():
    netlist = ("* t\n.subckt leaf p q\nR1 p q 1k\n.ends\n.subckt mid a b\nX1 a inner leaf\nR2 inner b 1k\n.ends\n"
               "V1 in 0 1\nXtop in 0 mid\n")
    with pytest.raises(NetlistImportError, match=re.escape("ask for 'xtop.inner'")):
        parse_netlist(netlist).node("xtop.x1.q")


def test_an_instance_with_the_wrong_number_of_nodes_is_refused():
    netlist = "* t\n.subckt rect in out params: r=1k\nR1 in out {r}\n.ends\nV1 in 0 1\nX1 in rect\n"
    with pytest.raises(NetlistImportError, match=re.escape(
            "netlist, line 6: this instance connects 1 node(s) and subcircuit rect has 2 port(s): 'X1 in rect'")):
        parse_netlist(netlist)
    assert parse_netlist(netlist.replace("X1 in rect", "X1 in y rect r=2k")).node("y") == "y"


@pytest.mark.parametrize("written", [".func soft(x, k) {log(1 + exp(k*x))/k}", ".func soft(x,k) = {log(1 + exp(k*x))/k}",
                                     ".FUNC soft( x , k ) log(1 + exp(k*x))/k", ".func soft(x, k)={log(1 + exp(k*x))/k}"])
def test_func_is_accepted_in_every_form_and_re_emitted_in_one(written):
    netlist = f"* t\n{written}\nV1 in 0 1\nB1 out 0 V={{soft(v(in) - 1, 10)}}\nR1 out 0 1k\n"
    imported = parse_netlist(netlist)
    assert imported.lines[0] == ".func soft(x, k) {log(1 + exp(k*x))/k}"
    assert imported.nodes == {"0", "in", "out"}
