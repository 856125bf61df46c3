"""``circuitnet build MODEL.json --out DIR [--opamp PART]``: the folder a person builds from
(schematic, parts list, wiring list, build notes; see ``circuitnet/build``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .flags import shown_value, supply_volts

EXIT_OK = 0


def dc_opamp_part(text: str) -> str:
    """An argparse type: a part of ``model.opamp_parts`` (the parts with data-sheet DC figures)."""
    from ..model.opamp_parts import OPAMP_PARTS
    for name in OPAMP_PARTS:
        if name.lower() == text.lower():
            return name
    raise argparse.ArgumentTypeError(f"unknown op-amp part {shown_value(text)}; choose one of {', '.join(OPAMP_PARTS)}")


def add_build_parser(commands, formatter_class) -> None:
    build = commands.add_parser(
        "build", formatter_class=formatter_class,
        help="write what a person needs to build a model's circuit: schematic, parts list, wiring, notes",
        description="Write into --out: schematic.svg and schematic.png (one sheet for a small circuit; for a larger "
                    "one a sheet per layer, schematic-2.svg ..., each drawing one neuron in full and a table of every "
                    "neuron), bom.csv (parts grouped by value, with power ratings from the worst case of the training "
                    "range, computed in ngspice), wiring.csv (every net with the pins on it), resistors.csv and "
                    "BUILD.md (supplies, references, input stages, what to measure).",
        epilog="Example: circuitnet build netlists/eight_diode.json --out out/eight-build --opamp TL074",
    )
    build.add_argument("model", help="model file (JSON) to build")
    build.add_argument("--out", required=True, metavar="DIR", help="folder to write into (made if missing)")
    build.add_argument("--opamp", type=dc_opamp_part, metavar="PART",
                       help="op-amp part to build with (default: the model's part, else TL074); the circuit is "
                            "remade with it, on the model's supply unless --supply says otherwise, before it is "
                            "checked")
    build.add_argument("--supply", type=supply_volts, metavar="V",
                       help=f"with --opamp (or a model fit with a part): the part's symmetric supply +-V volts, within "
                            f"its supply range: {supply_volts.range_text}")


def command_build(args) -> int:
    from ..build.writer import build_folder
    from ..formats import modelfile

    circuit = modelfile.load(args.model)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise FileExistsError(17, "exists and is not a folder", str(out))

    def step(name: str) -> None:
        print(f"circuitnet build: {name} ...", file=sys.stderr, flush=True)

    result = build_folder(circuit, Path(args.model).name, out, args.opamp, backend=args.spice, step=step,
                          supply_v=args.supply)
    timing = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.seconds.items())
    print(f"wrote {len(result.files)} files into {out} ({result.opamp}, {result.sheets} sheet(s)): "
          f"{', '.join(path.name for path in result.files)}; {sum(result.seconds.values()):.1f} s ({timing})")
    return EXIT_OK
