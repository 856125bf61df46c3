"""``BUILD.md``: what a person needs to know to build the circuit and read it, besides the
drawing and the lists: the supplies and their current, how +-V_ref is made, the input stage
that applies the model's data scaling, which node to measure for each output, and how the
built circuit differs from the one simulated.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.board_amplifiers import BoardAmplifiers
from ..model.circuit import Circuit
from ..model.input_stage import InputStage
from ..model.limits import article
from ..model.opamp_parts import OpAmpPart
from ..model.reference_feed import feed_current_a
from .board_stages import INPUT_GROUP, READOUT_GROUP
from .bom import POWER_MARGIN, ResistorChoice
from .footprints import opamp_footprint, short_name
from .placement import Placement
from .reference import SUPPLY_V, ReferenceDesign
from .resistive_rails import GROUP, bias_made_v, readout_lines
from .values import engineering
from .worst_case import WorstCase


@dataclass(frozen=True)
class BuildFacts:
    """Everything BUILD.md tells, computed by the build (see ``writer``)."""

    model_name: str
    circuit: Circuit
    placement: Placement
    opamp: OpAmpPart
    worst: WorstCase
    reference: ReferenceDesign
    stages: list[InputStage]
    choice: ResistorChoice
    files: list[str]
    board: BoardAmplifiers  # every amplifier of the board, by role: the reports' supply power is of these
    supply_v: float  # V+ volts of the board's symmetric supply (reference.board_supply_v)


def build_notes(facts: BuildFacts) -> str:
    """The text of BUILD.md."""
    c = facts.circuit
    sizes = "-".join(str(n) for n in (c.n_inputs, *c.hidden_sizes, c.n_outputs))
    lines = [f"# Building {facts.model_name}", "",
             f"A {sizes} network as a {c.topology} circuit: {_counts(facts)}. Made by `circuitnet build`.", "",
             "## In this folder", ""]
    lines += [f"- `{name}`" for name in facts.files]
    for section in (_supplies, _references, _off_network, _inputs, _outputs, _differences):
        lines += ["", *section(facts)]
    return "\n".join(lines) + "\n"


def _counts(facts: BuildFacts) -> str:
    parts = [p.element.part for p in facts.placement.parts]
    board = facts.board
    return (f"{parts.count('resistor')} resistors, {parts.count('diode')} diodes and {board.in_circuit} op-amp "
            f"units in the network; the board: {board.describe().replace(' (simulated)', '')}".replace(
                "; counted only (quiescent current x supply): ", "; beside it: ")
            + f" ({facts.opamp.name})")


def _supplies(facts: BuildFacts) -> list[str]:
    part, board = facts.opamp, facts.board
    used, units = board.used, board.total  # the spare units draw supply current too
    quiescent_typ, quiescent_max = units * part.supply_current_typ_a, units * part.supply_current_max_a
    load = sum(facts.worst.opamp_current_a.values()) + _off_netlist_load_a(facts)
    supply = facts.supply_v
    feed_a = feed_current_a(facts.circuit.v_ref, supply)  # the LM4040's, as the netlist's Iref_feed carries it
    low, high = part.output_rails((-supply, supply))
    package = short_name(opamp_footprint(part.amplifiers_per_package)).split("_")[0]  # bom.csv's package
    return [
        "## Supplies", "",
        f"- **+{supply:g} V and -{supply:g} V** (and 0 V), for every {part.name} package ({package}, "
        f"{part.amplifiers_per_package} amplifiers each): V+ and V- pins are in `wiring.csv`{_net_names(supply)}; "
        "put a 100 nF ceramic capacitor from each supply pin to ground, at the pin.",
        f"- **Supply current, each rail**: {milliamps(quiescent_typ)} typical, {milliamps(quiescent_max)} "
        f"at most for the {units} amplifiers at rest ({_unused_words(used, units)}) ({part.name} data sheet: "
        f"{1e3 * part.supply_current_typ_a:.3g}/{1e3 * part.supply_current_max_a:.3g} mA each), plus what the "
        f"outputs drive: at most {milliamps(load)} in all at the training range's worst case (ngspice), "
        f"and {milliamps(feed_a)} into the reference from +{supply:g} V. A supply of "
        f"{milliamps((quiescent_max + load + feed_a) * 1.5, 2)} per rail leaves a margin.",
        f"- The outputs of {article(part.name)} {part.name} on +-{supply:g} V reach {low:g} V .. {high:g} V; every "
        "op-amp output of this circuit must stay inside that (see the last section).",
    ]


def milliamps(amps: float, digits: int = 3) -> str:
    """``amps`` in mA to ``digits`` significant figures, never in exponent form: '190 mA' where
    ':.2g' gives '1.9e+02'."""
    return f"{float(f'{1e3 * amps:.{digits}g}'):g} mA"


def _net_names(supply_v: float) -> str:
    """Where the supply is not +-15 V: that the drawings' and lists' supply nets keep the names
    ``+15V`` and ``-15V`` (``wiring``, the KiCad sheets)."""
    if supply_v == SUPPLY_V:
        return ""
    return f" (on nets named `+15V` and `-15V` there and in the schematics: they carry +-{supply_v:g} V)"


def _unused_words(used: int, units: int) -> str:
    """'12 used; tie each unused one's + input ...' where the last package has spare units, else
    'all 12 used'."""
    if used == units:
        return f"all {used} used"
    return f"{used} used; tie each unused one's + input to ground and its - input to its output"


def _off_netlist_load_a(facts: BuildFacts) -> float:
    """Amps that the board's amplifiers off the netlist drive into the network at the training
    range's worst case: the netlist's ideal sources that the board makes with op-amps (+-V_ref,
    a resistive circuit's -x rails and diode bias, each input that has an input stage). An input
    without a stage is the user's own signal, which the board's supply does not feed."""
    unstaged = {f"V{stage.node}" for stage in facts.stages if not stage.needed}
    return sum(amps for name, amps in facts.worst.source_current_a.items() if name not in unstaged)


def _references(facts: BuildFacts) -> list[str]:
    r = facts.reference
    lines = ["## The references +-V_ref", "",
             f"The circuit needs +V_ref = {facts.circuit.v_ref:g} V on net `vref` and -V_ref on `vref_inv`. In the "
             "simulation these are ideal sources (the schematic's reference sources V are simulation sources, not "
             "parts); on the board they are made like this:", ""]
    for part in (p for p in r.parts if p.group == "reference supply"):
        pins = ", ".join(f"{pin} to `{net}`" for pin, net in part.pins.items())
        lines.append(f"- {part.designator}: {part.kind} {part.value} ({part.note}): {pins}")
    lines += ["", f"This makes +V_ref = {r.made_v:.5g} V ({100 * (r.made_v / r.v_ref - 1):+.2f} % from "
              f"{r.v_ref:g} V, from the resistors' nominal values and the {r.zener_v:g} V reference's). Every bias "
              "weight scales with V_ref: measure `vref` and trim R_REF2 (or put a 1k trimmer in series with it) "
              "if the outputs must be exact."]
    drawn = max(facts.worst.source_current_a.get(name, 0.0) for name in ("Vvref", "Vvref_inv"))
    if drawn > facts.opamp.output_current_a / 2:
        lines.append(f"- The reference rails deliver up to {1e3 * drawn:.3g} mA, more than half of what "
                     f"{article(facts.opamp.name)} {facts.opamp.name} output drives "
                     f"({1e3 * facts.opamp.output_current_a:.3g} mA): split each rail among several followers.")
    return lines


def _off_network(facts: BuildFacts) -> list[str]:
    """The resistive topology's -x rails and diode bias: ideal sources in its netlist, these parts on the board."""
    parts = [p for p in facts.reference.parts if p.group == GROUP]
    if not parts:
        return []
    lines = ["## The -x rails and the diode bias", "",
             "The network has no amplifier inside. Its netlist (and the schematic) takes each inverted input "
             "`xK_inv` from an ideal inverting source E and the diodes' bias `vdiode` from a source V (simulation "
             "sources, not parts); on the board they are made like this:", ""]
    for part in parts:
        pins = ", ".join(f"{pin} to `{net}`" for pin, net in part.pins.items())
        lines.append(f"- {part.designator}: {part.kind} {part.value} ({part.note}): {pins}")
    if any(p.designator == "R_BIAS1" for p in parts):
        lines += ["", f"The divider makes {bias_made_v(facts.circuit):.5g} V for the bias of "
                  f"{facts.circuit.v_on:.5g} V: it follows V_ref, as every weight does; trim R_BIAS1 if it must be "
                  "exact."]
    return lines


def _inputs(facts: BuildFacts) -> list[str]:
    lines = ["## Inputs", "",
             "Each input `xK` is a voltage on that net (the schematic's input sources V are simulation sources: "
             "connect your signal there instead)."]
    if facts.circuit.data_scaling is not None:
        lines.append("The model scales its data (`fit` chose the scaling); these stages apply it:")
    lines.append("")
    for stage, alike in _alike(facts.stages):
        group = [stage, *alike]
        if len(group) > 8:
            nodes = f"`{group[0].node}` .. `{group[-1].node}` ({len(group)} inputs alike)"
        else:
            nodes = ", ".join(f"`{s.node}`" + (f" ({s.name})" if s.name != s.node else "") for s in group)
        if not stage.needed:
            lines.append(f"- {nodes}: {stage.signal}, straight into its node; no stage needed.")
            continue
        offset = "" if stage.r_offset == float("inf") else (
            f", {engineering(stage.r_offset)} from `{stage.offset_rail}`" if stage.r_divider_top == float("inf") else
            f", {engineering(stage.r_offset)} from the tap of a divider on `{stage.offset_rail}` "
            f"({engineering(stage.r_divider_top)} over {engineering(stage.r_divider_bottom)}: the offset is too small "
            "for one resistor in range)")
        shift = f" {stage.offset:+.5g} V" if abs(stage.offset) > 1e-12 else ""
        lines.append(
            f"- {nodes}: {stage.signal}. The circuit wants {stage.gain:.5g} x V_in{shift}: an inverting summer "
            f"({engineering(stage.r_in)} from V_in{offset}, "
            f"{engineering(stage.r_feedback)} feedback, + input to ground), then a unity inverter "
            f"(10k, 10k) into the input's node; two more op-amp units per input, 1 % resistors.")
    lines += _group_lines(facts, INPUT_GROUP, "The input stages' parts (nearest E96 values; each note has the exact "
                          "one): connect your signal V_in for input `xK` to net `xK_signal`.")
    return lines


def _group_lines(facts: BuildFacts, group: str, heading: str) -> list[str]:
    """A heading and one line per part of the board's ``group`` (``ReferencePart.group``), or []."""
    parts = [p for p in facts.reference.parts if p.group == group]
    if not parts:
        return []
    lines = ["", heading, ""]
    for part in parts:
        pins = ", ".join(f"{pin} to `{net}`" for pin, net in part.pins.items())
        lines.append(f"- {part.designator}: {part.kind} {part.value} ({part.note}): {pins}")
    return lines


def _alike(stages: list[InputStage]) -> list[tuple[InputStage, list[InputStage]]]:
    """Each first stage with the later ones of the same values (a 784-pixel image's inputs all
    share one): (stage, the others like it)."""
    groups: dict[tuple, list[InputStage]] = {}
    for stage in stages:
        key = (stage.signal, round(stage.gain, 9), round(stage.offset, 9), stage.offset_rail)
        groups.setdefault(key, []).append(stage)
    return [(group[0], group[1:]) for group in groups.values()]


def _outputs(facts: BuildFacts) -> list[str]:
    c = facts.circuit
    record = c.data_record
    labels = record.class_labels if record is not None else None  # a classifier's, else None
    lines = ["## Outputs", ""]
    pairs = readout_lines(c, [p.element for p in facts.placement.parts])
    if pairs:  # a resistive circuit: each output is a node pair, read by an ideal amplifier in the simulation
        lines += _group_lines(facts, READOUT_GROUP, "Each output is a node pair; on the board a difference "
                              "amplifier makes it a voltage against ground, as the simulation's ideal source does:")[1:]
        lines += ["", "Or, without the difference amplifiers:", "", *pairs, ""]
    for j in range(c.n_outputs):
        node = "y" if c.n_outputs == 1 else f"y{j + 1}"
        name = record.output_names[j] if record is not None else node
        if labels is not None:
            reading = f"the score of class {labels[j]}"
        elif c.data_scaling is not None:
            o, s = c.data_scaling.y_offset[j], c.data_scaling.y_scale[j]
            reading = f"{name} = {o:.6g} + {s:.6g} x V / {c.volts_per_unit:g} V"
        else:
            reading = f"{name} = V / {c.volts_per_unit:g} V (data units)"
        how = (f"Measure `{node}` against ground at its difference amplifier's output (or the pair's volts "
               "times the gain, above)" if pairs else
               f"Measure `{node}` against ground with a voltmeter (volts)")
        lines.append(f"- {how}: {reading}.")
    if labels is not None:
        lines.append(f"- The predicted class is the output with the highest voltage; in order: {', '.join(labels)}.")
    return lines


def _differences(facts: BuildFacts) -> list[str]:
    part, worst = facts.opamp, facts.worst
    lines = ["## How the board differs from the simulated circuit", "",
             "- The input and reference sources are simulation sources; the board has your signals (and the input "
             "stages above) and the reference circuit.",
             f"- The op-amps are {part.name}s, not the simulation's model: input offset up to "
             f"{1e3 * part.vos_max_v:.3g} mV ({1e3 * part.vos_typ_v:.3g} mV typical) and bias current up to "
             f"{engineering(part.ib_max_a)}A per input move each output, and its output swing is limited (above).",
             "- Resistors and diodes are not their nominal values: `circuitnet compare --montecarlo N --tolerance "
             "1%` shows what that does to the outputs.",
             f"- Power: the worst resistor dissipates {1e3 * max(worst.dissipation_w.values(), default=0):.3g} mW "
             f"(ratings in `bom.csv` are at least {POWER_MARGIN:g}x each one's worst); the worst op-amp output "
             f"current is {1e3 * max(worst.opamp_current_a.values(), default=0):.3g} mA of the "
             f"{1e3 * part.output_current_a:.3g} mA {article(part.name)} {part.name} drives.",
             "- The decoupling capacitors and supply pins are not in the simulation (they carry no DC)."]
    if any(p.group == GROUP for p in facts.reference.parts):
        lines.append("- The -x rails, the diode bias and the output readouts are ideal sources in the simulation; on "
                     "the board the inverters' 1 % resistors set each -x rail to within about 2 %, and the "
                     "follower's offset (above) adds to the bias: `circuitnet compare --montecarlo` shows what "
                     "such errors do.")
    if facts.choice.exact:
        lines.append(f"- Every resistor is an {facts.choice.series} value already: buy them as listed.")
    else:
        changes = [abs(facts.choice.value[p.designator] / float(p.element.value) - 1)
                   for p in facts.placement.parts if p.element.part == "resistor"]
        lines.append(f"- The trained resistor values are not in a series: `bom.csv` lists each one's nearest E96 "
                     f"(1 %) value, up to {100 * max(changes):.2g} % from the simulated value. Snap the model to "
                     "a series in `fit` (its E-series option) to simulate exactly what you build.")
    return lines
