"""The KiCad schematic, checked by KiCad itself: for every topology, on a 1-input model, a
2-input model and a small 3-class classifier, ``kicad-cli`` runs ERC on the written schematic
(no errors), exports its netlist (the same parts on the same nets as circuitnet's netlist) and
exports a SPICE netlist that stock ``ngspice -b`` simulates to circuitnet's outputs within 1 uV.

The models use the three package shapes and both op-amp models: a generic single finite-gain
op-amp, TL072 duals with the rail-limited model, TL074 quads (with unused amplifiers) with the
finite-gain model; a fourth, with 5 inputs and NE5532 duals, has a placement of two sheets.
The kicad-cli calls of every case run once, two at a time, in one module fixture (they take
about a second each).
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import pytest
from conftest import random_network, series_paired

from circuitnet import OpAmpModel, load_model, realise
from circuitnet.backends.spice.batch import run_batch
from circuitnet.build import kicad_checks
from circuitnet.build.kicad_models import opamp_terminals
from circuitnet.build.kicad_schematic import package_of, write_kicad_schematic
from circuitnet.build.kicad_symbols import PINOUTS
from circuitnet.build.placement import Placement, board_elements, on_the_board, place
from circuitnet.interface.cli import main
from circuitnet.model import nodes
from circuitnet.model.opamp_parts import opamp_part
from circuitnet.topologies import TOPOLOGIES, circuit_elements

pytestmark = pytest.mark.kicad

# name -> (inputs, hidden, outputs, op-amp model, the held value of inputs 2..)
MODELS = {
    "one_input": (1, [4], 1, OpAmpModel("finite_gain")),
    "two_input": (2, [3], 1, OpAmpModel("rail_limited", part="TL072")),
    "classifier": (3, [4], 3, OpAmpModel("finite_gain", part="TL074")),
    # more than 4 inputs: the placement's two sheets (layer 1, the outputs) side by side
    "five_input": (5, [3], 2, OpAmpModel("finite_gain", part="NE5532")),
    # every other resistor two E24 parts in series (fit --e-series-pairs): R12A + R12B
    "series_pairs": (2, [3], 2, OpAmpModel("finite_gain", part="TL074")),
    # a hierarchy of sub-sheets of at most SUB_SHEET_PARTS parts, as a large circuit's
    "sub_sheets": (5, [3], 2, OpAmpModel("finite_gain", part="TL074")),
}
SUB_SHEET_PARTS = 12
SEEDS = {"classifier": 0, "five_input": 1, "one_input": 2, "two_input": 3, "series_pairs": 4, "sub_sheets": 5}
HELD = (0.3, -0.4, 0.2, -0.1)  # inputs 2.. on the schematic's sources, volts
SWEEP = np.linspace(-1.0, 1.0, 9)  # input 1, volts
CASES = [(topology, model) for topology in TOPOLOGIES for model in MODELS]  # the registry's, every one


def case_circuit(topology: str, model: str):
    n_inputs, hidden, n_outputs, opamp = MODELS[model]
    rng = np.random.default_rng(SEEDS[model] + 10 * sorted(TOPOLOGIES).index(topology))
    circuit = realise(random_network(rng, n_inputs, hidden, n_outputs, zero_fraction=0.0), topology, opamp=opamp)
    return series_paired(circuit) if model == "series_pairs" else circuit


def held_inputs(circuit) -> np.ndarray:
    return np.array([0.0, *HELD[:circuit.n_inputs - 1]])


@pytest.fixture(scope="module")
def kicad_results(tmp_path_factory):
    """case -> (circuit, placement, ERC violations, KiCad's nets, KiCad's SPICE netlist)."""
    def run(case):
        topology, model = case
        circuit = case_circuit(topology, model)
        folder = tmp_path_factory.mktemp(f"{topology}-{model}")
        files = write_kicad_schematic(circuit, folder, input_volts=held_inputs(circuit),
                                      sheet_parts=SUB_SHEET_PARTS if model == "sub_sheets" else None)
        part = opamp_part(circuit.opamp.part) if circuit.opamp.part else None
        placement = place(board_elements(circuit), part)
        return case, (circuit, placement, kicad_checks.erc(files.schematic),
                      kicad_checks.netlist_connections(files.schematic), kicad_checks.spice_netlist(files.schematic),
                      files)
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, CASES))


@pytest.mark.parametrize("case", CASES, ids=[f"{t}-{m}" for t, m in CASES])
def test_kicad_erc_finds_no_error(kicad_results, case):
    violations = kicad_results[case][2]
    errors = [v for v in violations if v.severity == "error"]
    assert not errors, "\n".join(f"{v.type}: {v.description} {v.items}" for v in errors)


@pytest.mark.parametrize("case", CASES, ids=[f"{t}-{m}" for t, m in CASES])
def test_kicad_erc_finds_no_warning_either(kicad_results, case):
    """Not even "footprint library not configured" (kicad-cli here has no footprint table):
    the footprints are KiCad's standard names, checked in footprints.missing_footprints. (A net
    of one pin, such as a resistive circuit's output `y`, its simulated readout's alone, or a
    reference rail no weight uses, has a label that joins nothing else: KiCad warns of it, and
    that is all it may say.)"""
    nets = kicad_results[case][3]
    lone = {f"Global Label '{net}'" for net, pins in nets.items() if len(pins) == 1}
    violations = [v for v in kicad_results[case][2] if not (v.type == "global_label_dangling" and set(v.items) <= lone)]
    assert not violations, sorted({f"{v.severity} {v.type}: {v.description}" for v in violations})[:5]


def expected_pins(circuit, placement, per_package: int | None = None) -> dict[tuple[str, str], str]:
    """(reference, pin function or op-amp pin number) -> circuitnet node, from circuitnet's own
    netlist: a resistor's two nets (as functions "1"/"2" in either order, see below), a diode's
    A and K, a source's + and -, an op-amp unit's OUT, + and - pins of its package's pinout
    (``per_package`` amplifiers; default: the circuit's part's)."""
    per_package = per_package or package_of(circuit)[1]
    found = {}
    for part in placement.parts:
        element, ref = part.element, part.designator
        if element.part == "diode":
            found[(ref, "A")], found[(ref, "K")] = element.nodes
        elif element.part == "source":  # a controlled source (E) senses two more: C+, C-
            for function, node in zip(("+", "-", "C+", "C-"), element.nodes, strict=False):
                found[(ref, function)] = node
        elif element.part == "resistor":
            found[(ref, "ends")] = tuple(sorted(element.nodes))
        else:
            out, plus, minus = opamp_terminals(circuit, element)
            unit = "ABCD".index(ref[-1]) if per_package > 1 else 0
            out_pin, minus_pin, plus_pin = PINOUTS[per_package][0][unit]
            package = ref[:-1] if per_package > 1 else ref
            found[(package, out_pin)], found[(package, plus_pin)], found[(package, minus_pin)] = out, plus, minus
    return {key: ("GND" if value == "0" else value) if isinstance(value, str) else
            tuple(sorted("GND" if v == "0" else v for v in value)) for key, value in found.items()}


def kicad_pins(nets: dict, circuit, placement, per_package: int | None = None) -> dict[tuple[str, str], object]:
    """The same keys, read from KiCad's netlist."""
    references = {part.designator for part in placement.parts}
    per_package = per_package or package_of(circuit)[1]
    packages = {ref[:-1] for ref in references if ref.startswith("U")} if per_package > 1 else set()
    ends: dict[str, list[str]] = defaultdict(list)
    found: dict[tuple[str, str], object] = {}
    for net, pins in nets.items():
        for ref, number, function in pins:
            if ref.startswith("R") and ref in references:
                ends[ref].append(net)
            elif ref.startswith(("D", "V")) and ref in references:
                found[(ref, function)] = net
            elif ref in references or ref in packages:
                found[(ref, number)] = net
    found.update({(ref, "ends"): tuple(sorted(nets_of)) for ref, nets_of in ends.items()})
    return found


@pytest.mark.parametrize("case", CASES, ids=[f"{t}-{m}" for t, m in CASES])
def test_kicad_netlist_has_circuitnets_parts_on_its_nets(kicad_results, case):
    circuit, placement, _, nets, _, _ = kicad_results[case]
    expected = expected_pins(circuit, placement)
    found = {key: value for key, value in kicad_pins(nets, circuit, placement).items() if key in expected}
    assert found == expected
    # every net is a circuitnet node, a supply rail or an unused amplifier's own
    # (the netlist's modelled supply, vcc and vee, is the schematic's supply rails)
    names = {element_node for e in board_elements(circuit) for element_node in e.nodes} - {"0"}
    extra = {net for net in nets if net not in names} - {"GND", "+15V", "-15V"}
    assert all(net.endswith("_unused") for net in extra), extra
    assert names <= set(nets)


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_kicad_has_both_parts_of_each_series_pair_on_a_net_of_their_own(kicad_results, topology):
    """A resistor made of two E24 parts is two symbols, RnA and RnB, joined by their own net."""
    circuit, placement, _, nets, _, _ = kicad_results[(topology, "series_pairs")]
    middles = {net: pins for net, pins in nets.items() if net.endswith("_mid")}
    assert len(middles) >= circuit.resistor_count() // 3
    for pins in middles.values():
        (a, a_pin, _), (b, b_pin, _) = sorted(pins)
        assert (a[-1], a_pin, b[-1], b_pin) == ("A", "2", "B", "1") and a[:-1] == b[:-1]


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_a_large_circuit_is_a_hierarchy_of_sub_sheets(kicad_results, topology):
    """Past SUB_SHEET_PARTS parts the schematic is a root sheet and sub-sheets (kicad_hierarchy),
    each of whole blocks: the checks above pass on it all the same."""
    circuit, placement, _, _, _, files = kicad_results[(topology, "sub_sheets")]
    assert len(files.sub_sheets) >= 3
    root = files.schematic.read_text()
    assert root.count("(sheet (at") == len(files.sub_sheets) and "(global_label" not in root
    placed = sum(sheet.read_text().count("(symbol (lib_id") for sheet in files.sub_sheets)
    assert placed >= len(placement.parts)  # every part on a sub-sheet (with the supply row's)


def exported_outputs(circuit, placement, spice: str) -> np.ndarray:
    """Run KiCad's SPICE netlist in stock ngspice, sweeping input 1's source over SWEEP (the
    other inputs at the schematic's own DC values): outputs (len(SWEEP), n_outputs) volts."""
    source = placement.by_element()["V" + nodes.input_node(0)].designator
    outputs = [nodes.output_node(k, circuit.n_outputs) for k in range(circuit.n_outputs)]
    body = spice.rstrip().removesuffix(".end").rstrip()
    step = SWEEP[1] - SWEEP[0]
    netlist = "\n".join([body, f".dc {source} {SWEEP[0]:.17g} {SWEEP[-1]:.17g} {step:.17g}", ".control",
                         "set wr_singlescale", "set wr_vecnames", "set numdgt=15", "run",
                         "wrdata kicad.dat " + " ".join(f"v({out})" for out in outputs), "quit 0", ".endc", ".end",
                         ""])
    data = run_batch(netlist, "kicad.dat")
    return np.column_stack([data[f"v({out})"] for out in outputs])


@pytest.mark.ngspice
@pytest.mark.parametrize("case", CASES, ids=[f"{t}-{m}" for t, m in CASES])
def test_kicad_spice_export_simulates_to_circuitnets_outputs(kicad_results, case, spice):
    circuit, placement, _, _, exported, _ = kicad_results[case]
    y_kicad = exported_outputs(circuit, placement, exported)
    x = np.column_stack([SWEEP, *(np.full(SWEEP.size, v) for v in held_inputs(circuit)[1:])])
    y_circuitnet = spice.simulate(circuit, x).y_volts
    assert y_kicad.shape == y_circuitnet.shape == (SWEEP.size, circuit.n_outputs)
    assert np.ptp(y_circuitnet) > 0.05  # the sweep moves the outputs: a comparison of constants proves little
    np.testing.assert_allclose(y_kicad, y_circuitnet, rtol=0, atol=1e-6)


def test_a_schematic_labelled_pin_by_pin_passes_the_same_checks(tmp_path):
    """A placement without pin positions (another writer's, or an older one) gets a label on
    every pin instead of wires: ERC and KiCad's netlist agree with circuitnet as well."""
    circuit = case_circuit("precision", "two_input")
    placement = place(on_the_board(circuit_elements(circuit)), opamp_part(circuit.opamp.part))
    bare = Placement(tuple(replace(part, pins=()) for part in placement.parts), placement.sheets)
    files = write_kicad_schematic(circuit, tmp_path, placement=bare)
    assert "(wire" not in files.schematic.read_text()
    errors = [v for v in kicad_checks.erc(files.schematic) if v.severity == "error"]
    assert not errors, errors
    nets = kicad_checks.netlist_connections(files.schematic)
    expected = expected_pins(circuit, bare)
    assert {key: value for key, value in kicad_pins(nets, circuit, bare).items() if key in expected} == expected


@pytest.mark.ngspice
@pytest.mark.slow
def test_circuitnet_build_writes_the_kicad_schematic_that_passes_the_checks(tmp_path, spice):
    """`circuitnet build` on the golden 8-neuron diode circuit with TL072 duals: its
    circuit.kicad_sch passes ERC, has the netlist's parts on its nets and simulates as
    circuitnet does (the model's generic op-amp drawn as TL072 units)."""
    out = tmp_path / "eight"
    assert main(["build", "netlists/eight_diode.json", "--out", str(out), "--opamp", "tl072"]) == 0
    schematic = out / "circuit.kicad_sch"
    assert {"circuit.kicad_sch", "circuit.lib", "circuit.kicad_pro"} <= {path.name for path in out.iterdir()}
    assert not [v for v in kicad_checks.erc(schematic) if v.severity == "error"]
    circuit = load_model("netlists/eight_diode.json")
    placement = place(on_the_board(circuit_elements(circuit)), opamp_part("TL072"))
    nets = kicad_checks.netlist_connections(schematic)
    expected = expected_pins(circuit, placement, 2)
    assert {key: value for key, value in kicad_pins(nets, circuit, placement, 2).items() if key in expected} == expected
    y_kicad = exported_outputs(circuit, placement, kicad_checks.spice_netlist(schematic))
    np.testing.assert_allclose(y_kicad, spice.simulate(circuit, SWEEP[:, None]).y_volts, rtol=0, atol=1e-6)
