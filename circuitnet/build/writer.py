"""``circuitnet build``'s work: from a circuit to a folder a person can build from.

Everything is computed and checked first (the op-amp part, the placement, the worst case in
ngspice, the reference, the input stages, the drawings), then every file is written
atomically: bad input writes nothing. The KiCad schematic is written by ``kicad_schematic``, the
one hook for it (the writer is pure Python; only its checks need kicad-cli).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..backends.spice.backend import SpiceBackend
from ..errors import BuildError
from ..model.board_amplifiers import board_inventory
from ..model.circuit import Circuit
from ..model.circuit_opamp import circuit_with_opamp
from ..model.input_stage import input_stages
from ..model.limits import current_remedy, rail_remedy
from ..model.opamp_parts import OpAmpPart, opamp_part
from ..topologies import circuit_elements
from ..util.atomic import write_atomically, write_text_atomically
from .board_stages import check_inventory, check_stage_range, with_input_stages, with_readouts
from .bom import bom_csv, bom_rows, choose_values, resistor_footprints
from .kicad_schematic import write_kicad_schematic
from .notes import BuildFacts, build_notes
from .placement import Placement, board_elements, check_buildable, on_the_board, place
from .reference import board_supply_v, reference_design
from .resistive_rails import readouts, with_off_network_sources
from .schematic import draw_sheets, png_bytes, svg_bytes
from .series_parts import split_dissipation
from .tables import resistors_csv
from .wiring import wiring_csv, wiring_rows
from .worst_case import worst_case

DEFAULT_OPAMP = "TL074"  # a circuit whose model names no real part is built with TL074 quads


@dataclass
class BuildResult:
    """What a build wrote: file paths in order, seconds per step, the part used."""

    files: list[Path]
    seconds: dict[str, float] = field(default_factory=dict)
    opamp: str = ""
    sheets: int = 1


def chosen_part(circuit: Circuit, name: str | None) -> OpAmpPart:
    """``name`` if given, else the part the model's op-amp stands for, else DEFAULT_OPAMP."""
    return opamp_part(name or circuit.opamp.part or DEFAULT_OPAMP)


def sheet_names(count: int) -> list[str]:
    """``schematic`` for sheet 1, ``schematic-2`` ... for the others."""
    return ["schematic"] + [f"schematic-{k + 1}" for k in range(1, count)]


def build_folder(circuit: Circuit, model_name: str, out: Path, opamp: str | None = None,
                 backend: SpiceBackend | None = None, step: Callable[[str], None] | None = None,
                 supply_v: float | None = None) -> BuildResult:
    """Write the build folder ``out`` for ``circuit``; ``step(name)`` is told as each step starts.
    opamp, supply_v: the part and +-V supply to build with (``model.circuit_opamp``; default the
    model's): the circuit is remade with them first, so the worst case, the limits check, the
    netlist, the parts list and BUILD.md all describe that one circuit."""
    circuit = circuit_with_opamp(circuit, opamp, supply_v)
    check_buildable(circuit)
    clock = _Clock(step)
    part = chosen_part(circuit, opamp)
    clock.start("placement")
    netlist = on_the_board(circuit_elements(circuit))
    elements = board_elements(circuit)  # the netlist's, with each series pair as its two parts
    placement = place(elements, part)
    units = sum(e.part == "opamp" for e in elements)
    supply_v = board_supply_v(circuit)
    reference = with_off_network_sources(reference_design(circuit.v_ref, part, units, supply_v), circuit, elements,
                                         part)
    stages = input_stages(circuit)
    check_stage_range(stages, circuit.resistor_range)
    reference = with_input_stages(reference, stages, part, units + len(reference.units))
    reference = with_readouts(reference, readouts(elements), part, units + len(reference.units))
    board = board_inventory(circuit, netlist, part)
    check_inventory(board, placement, reference)
    clock.start("ngspice")
    worst = worst_case(circuit, netlist, backend)  # of the netlist's resistors: a pair's parts share theirs
    check_within_limits(circuit, worst)
    worst = replace(worst, dissipation_w=split_dissipation(worst.dissipation_w, elements))
    clock.start("drawing")
    sheets = draw_sheets(placement, model_name, part)
    images = {name: (svg_bytes(sheet), png_bytes(sheet)) for name, sheet in zip(sheet_names(len(sheets)), sheets,
                                                                                 strict=True)}
    clock.start("writing")
    texts = {"bom.csv": bom_csv(bom_rows(placement, worst, part, reference)),
             "wiring.csv": wiring_csv(wiring_rows(placement, part, reference)),
             "resistors.csv": resistors_csv(placement)}
    files = [f"{name}.{kind}" for name in images for kind in ("svg", "png")] + list(texts) + ["BUILD.md"]
    kicad = kicad_schematic(placement, circuit, part, out, resistor_footprints(placement, worst))
    facts = BuildFacts(model_name, circuit, placement, part, worst, reference, stages, choose_values(placement),
                       files + [path.name for path in kicad], board, supply_v)
    texts["BUILD.md"] = build_notes(facts)
    written = [_write_bytes(out / f"{name}.{kind}", data) for name, pair in images.items()
               for kind, data in zip(("svg", "png"), pair, strict=True)]
    written += [write_text_atomically(out / name, text) for name, text in texts.items()]
    clock.stop()
    return BuildResult(written + kicad, clock.seconds, part.name, len(sheets))


def check_within_limits(circuit: Circuit, worst) -> None:
    """BuildError, naming the worst part and what would bring it back, for a circuit that leaves
    its parts' safe operating area at the training range's corners: no board built from it
    gives its outputs (``fit`` refuses such circuits; a model made otherwise, or given another
    supply, may still be one)."""
    if worst.violations:
        found = worst.violations
        raise BuildError(f"the circuit leaves its parts' safe operating area at {len(found)} part(s) over the "
                         f"training range, so no board built from it gives its outputs: {found[0].message()}."
                         f"{rail_remedy(circuit, found)}{current_remedy(circuit, found)}")


def kicad_schematic(placement: Placement, circuit: Circuit, part: OpAmpPart, out: Path,
                    footprints: dict[str, str] | None = None) -> list[Path]:
    """THE KICAD HOOK: write ``circuit.kicad_sch`` (with its ``circuit.lib`` and
    ``circuit.kicad_pro``) into ``out`` from the same placement, and return the paths written;
    footprints: each resistor's, by designator (bom.csv's ratings). Needs no KiCad installed
    (only its checks run kicad-cli): docs/kicad.md."""
    files = write_kicad_schematic(circuit, out, placement, opamp=part, resistor_footprints=footprints)
    return [files.schematic, files.library, files.project, *files.sub_sheets]


def _write_bytes(path: Path, data: bytes) -> Path:
    def write(temporary: str) -> None:
        Path(temporary).write_bytes(data)
    return write_atomically(path, write)


class _Clock:
    """Seconds per named step, and a callback as each starts."""

    def __init__(self, step: Callable[[str], None] | None) -> None:
        self.step = step
        self.seconds: dict[str, float] = {}
        self.name: str | None = None
        self.began = time.perf_counter()

    def start(self, name: str) -> None:
        self.stop()
        self.name, self.began = name, time.perf_counter()
        if self.step is not None:
            self.step(name)

    def stop(self) -> None:
        if self.name is not None:
            self.seconds[self.name] = time.perf_counter() - self.began
            self.name = None
