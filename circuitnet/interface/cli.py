"""The ``circuitnet`` command: a thin layer over the Python API.

Results go to stdout (``--json`` for one machine-readable document); errors go to stderr as
one line naming the bad value. Exit status: 0 success, 1 the work failed (e.g. ngspice),
2 a usage or input error, 130 stopped by Ctrl-C (``fit`` keeps the best model so far and
can be resumed). ``--debug`` (or CIRCUITNET_DEBUG=1) shows tracebacks.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import sys
from pathlib import Path

from ..errors import CircuitnetError, OperatingLimitError, SimulationError, UsageError
from . import flags
from ..util.allocator import keep_freed_memory

# Options whose value is a START:STOP:N range; "--x -1:1:201" is rewritten to "--x=-1:1:201"
# because argparse takes "-1:1:201" for an option.
RANGE_OPTIONS = ("--sweep", "--x")
_RANGE_VALUE = re.compile(r"^-[\d.]")

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C
EXIT_STATUS_HELP = "Exit status: 0 success, 1 the work failed, 2 bad input, 130 interrupted (Ctrl-C)."


class _Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = flags.Parser(
        prog="circuitnet",
        description="ReLU neural networks as analog circuits: fit their resistors, export SPICE netlists, "
                    "simulate them, and compare simulated against ideal.",
        formatter_class=_Formatter,
        epilog="Example: circuitnet neuron --topology diode --w 1 --b -0.2 --plot elbow.png\n" + EXIT_STATUS_HELP,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    export = commands.add_parser(
        "export", formatter_class=_Formatter,
        help="write a standalone SPICE netlist of a model file",
        description="Write a standalone netlist of MODEL.json that 'ngspice -b FILE.cir' runs unmodified; "
                    "its control block writes FILE.dat (the sweep, inputs and outputs in data units and volts).",
        epilog="Example: circuitnet export netlists/elbow_diode.json -o elbow.cir --sweep -1:1:201",
    )
    export.add_argument("model", help="model file (JSON) to export")
    export.add_argument("-o", "--output", required=True, help="netlist file to write (.cir)")
    analysis = export.add_mutually_exclusive_group()
    analysis.add_argument("--sweep", metavar="START:STOP:N", default="-1:1:201", type=flags.sweep_range,
                          help="DC sweep of the first input: N evenly spaced points from START to STOP, both "
                               f"included, data units (ends within +-{flags.INPUT_LIMIT:g}); other inputs held at 0")
    analysis.add_argument("--op", action="store_true", help="an operating point with every input at 0 instead")

    neuron = commands.add_parser(
        "neuron", formatter_class=_Formatter,
        help="one elbow relu(w x + b): ideal against ngspice",
        description="Build one ReLU neuron relu(w x + b) (output weight 1) in a topology, simulate its transfer "
                    "curve with ngspice -b and print the max and RMS deviation from the ideal elbow.",
        epilog="Example: circuitnet neuron --topology precision --w 2 --b -0.5 --x -1:1:401 --plot elbow.png",
    )
    neuron.add_argument("--topology", required=True, choices=_topology_names(), help="circuit topology")
    neuron.add_argument("--w", type=flags.weight, default=1.0,
                        help=f"weight (data units per data unit): {flags.weight.range_text}")
    neuron.add_argument("--b", type=flags.weight, default=0.0, help=f"bias (data units): {flags.weight.range_text}")
    neuron.add_argument("--diode", default="1N4148", help="diode model: 1N4148, 1N914 or BAT54")
    neuron.add_argument("--x", metavar="START:STOP:N", default="-1:1:401", type=flags.sweep_range,
                        help=f"input sweep, N points from START to STOP, data units (ends within "
                             f"+-{flags.INPUT_LIMIT:g})")
    neuron.add_argument("--volts-per-unit", type=flags.volts_per_unit, default=1.0,
                        help=f"volts per data unit: {flags.volts_per_unit.range_text}")
    neuron.add_argument("--plot", metavar="FILE.png", help="write a PNG of the elbow and the deviation")
    neuron.add_argument("--json", action="store_true", help="print the result as one JSON document")
    simulate = commands.add_parser(
        "simulate", formatter_class=_Formatter,
        help="simulate a model file over a sweep or a CSV of inputs",
        description="Simulate MODEL.json and print its outputs with the ideal network's beside them. One-input "
                    "models take --x (a sweep); any model takes --inputs FILE.csv (a header row naming x1, x2, ... "
                    "or plain columns in input order).",
        epilog="Example: circuitnet simulate netlists/eight_diode.json --x -1:1:201 --temp 70 --json > out.json",
    )
    simulate.add_argument("model", help="model file (JSON)")
    source = simulate.add_mutually_exclusive_group(required=True)
    source.add_argument("--x", metavar="START:STOP:N", type=flags.sweep_range,
                        help=f"sweep of the (single) input, N points, data units (ends within +-{flags.INPUT_LIMIT:g})")
    source.add_argument("--inputs", metavar="FILE.csv", help="input samples, one row each, data units")
    simulate.add_argument("--temp", type=flags.temperature, default=27.0,
                          help=f"circuit temperature, degrees Celsius: {flags.temperature.range_text}")
    simulate.add_argument("--backend", default="spice", choices=_backend_names(), help="simulator")
    output = simulate.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print x, y, y_volts, ideal as one JSON document")
    output.add_argument("--csv", action="store_true", help="print a CSV table: inputs, outputs, volts, ideal")
    add_fit_parser(commands)
    add_compare_parser(commands)
    return parser


def add_compare_parser(commands) -> None:
    compare = commands.add_parser(
        "compare", formatter_class=_Formatter,
        help="simulated against ideal: neurons, network, temperature, Monte Carlo, power; or an imported netlist",
        description="Compare a circuit with the ReLU network it stands for, over a sweep of input 1 (other inputs "
                    "at 0): each neuron's elbow, the whole network (ideal, surrogate, ngspice), the output across "
                    "temperatures, Monte Carlo boards with resistor tolerances, and static power. Writes "
                    "compare.json, PNG figures and report.html (opens offline) into --out. With --netlist, import a "
                    "one-input circuit drawn elsewhere (checked against an allow-list: .control and shell escapes are "
                    "refused; .include and .lib read files in the netlist's own folder only; analysis and output "
                    "cards are skipped and listed), simulate its transfer curve and fit the best ReLU network of "
                    "--hidden neurons to it.",
        epilog="Examples: circuitnet compare netlists/eight_diode.json --out out/cmp --temps 0,27,70 "
               "--montecarlo 200 --tolerance 1%\n          circuitnet compare --netlist rect.cir --input V1 "
               "--output out --hidden 1 --out out/rect",
    )
    compare.add_argument("model", nargs="?", help="model file (JSON)")
    compare.add_argument("--out", required=True, help="output folder (created if missing)")
    compare.add_argument("--x", metavar="START:STOP:N", type=flags.sweep_range,
                         help="sweep of input 1, data units (default -1:1:201; with --netlist, volts, default "
                              f"0:2:201); ends within +-{flags.INPUT_LIMIT:g}")
    compare.add_argument("--temps", default="0,27,70", type=flags.temperatures,
                         help=f"temperatures, degrees Celsius: {flags.temperatures.range_text}")
    compare.add_argument("--montecarlo", type=flags.boards, default=0, metavar="N",
                         help=f"number of Monte Carlo boards: {flags.boards.range_text}")
    compare.add_argument("--tolerance", default="1%", type=flags.tolerance,
                         help=f"resistor tolerance: 1%% or 0.01, at most {100 * flags.TOLERANCE_MAX:g}%%")
    compare.add_argument("--is-spread", type=flags.is_spread, default=0.0,
                         help=f"log-normal spread of the diodes' IS per board (sigma of ln IS): "
                              f"{flags.is_spread.range_text}")
    compare.add_argument("--yield-threshold", type=flags.error_threshold, default=0.05,
                         help="a board passes when its max |ngspice - ideal| is at most this, data units: "
                              f"{flags.error_threshold.range_text}")
    compare.add_argument("--seed", type=flags.seed, default=0,
                         help=f"seed of the Monte Carlo draws: {flags.seed.range_text}")
    compare.add_argument("--workers", type=flags.workers,
                         help=f"parallel simulations (default: one per core): {flags.workers.range_text}")
    compare.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run the work on a Dask cluster")
    compare.add_argument("--netlist", metavar="FILE.cir", help="import this netlist instead of a model file")
    compare.add_argument("--input", metavar="SOURCE", help="with --netlist: the V source to sweep")
    compare.add_argument("--output", metavar="NODE", help="with --netlist: the output node")
    compare.add_argument("--hidden", type=flags.fitted_neurons, default=1,
                         help=f"with --netlist: neurons of the fitted network: {flags.fitted_neurons.range_text}")
    compare.add_argument("--json", action="store_true", help="print compare.json")


def add_fit_parser(commands) -> None:
    from ..training.config import DEFAULT_EPOCHS, DEFAULT_PATIENCE
    fit = commands.add_parser(
        "fit", formatter_class=_Formatter,
        help="train a circuit's resistors to fit data or a target function",
        description="Train a ReLU circuit: an ideal network first, then (modes surrogate, spice-loop) the resistor "
                    "values themselves; validation data chooses the best epoch, the test split is used once at the "
                    "end, and every reported RMSE is measured in ngspice. Writes model.json, circuit.cir, fit.png, "
                    "loss.png, report.json, data.csv and bom.csv into --out. Ctrl-C stops and keeps the best model "
                    "so far; --resume DIR continues a stopped run.",
        epilog="Example: circuitnet fit --target sine --topology diode --hidden 16 --mode surrogate --out out/sine\n"
               "Exit status 130: stopped by Ctrl-C; the best model so far is written and 'circuitnet fit --resume "
               "DIR' continues from DIR/checkpoint.json.",
    )
    source = fit.add_mutually_exclusive_group()
    source.add_argument("--target", help="built-in target: " + ", ".join(_target_names()))
    source.add_argument("--data", metavar="FILE.csv", help="data file: inputs then target (see --x-columns)")
    source.add_argument("--resume", metavar="DIR", help="continue the stopped run in DIR (its settings are kept)")
    fit.add_argument("--x-columns", metavar="A,B", help="input columns of --data (names or 1-based positions)")
    fit.add_argument("--y-column", metavar="C", help="target column of --data (default: the last)")
    fit.add_argument("--points", type=flags.points, default=500,
                     help=f"training points drawn from --target (validation and test: half as many each): "
                          f"{flags.points.range_text}")
    fit.add_argument("--noise", type=flags.noise, default=0.0,
                     help=f"Gaussian noise on --target data, data units: {flags.noise.range_text}")
    fit.add_argument("--topology", default="diode", choices=_topology_names(), help="circuit topology")
    fit.add_argument("--hidden", default="16", metavar="H[,H2]", type=flags.widths,
                     help=f"hidden layer widths: {flags.widths.range_text}")
    fit.add_argument("--mode", default="surrogate", choices=["ideal", "surrogate", "spice-loop"],
                     help="what is trained: an ideal network, the resistors through the surrogate, or the resistors "
                          "with ngspice in the loop")
    fit.add_argument("--epochs", type=flags.count,
                     help="the most epochs of the mode's training; it ends sooner when validation stops improving "
                          "(default: " + ", ".join(f"{mode} {n}" for mode, n in DEFAULT_EPOCHS.items())
                          + f"): {flags.count.range_text}")
    fit.add_argument("--lr", type=flags.learning_rate, default=0.01,
                     help=f"Adam's initial learning rate (cosine decay): {flags.learning_rate.range_text}")
    fit.add_argument("--lam", type=flags.ridge, default=1e-6, help="ridge strength: on weights (ideal stage), on "
                                                                   f"conductances in mS (circuit stage): "
                                                                   f"{flags.ridge.range_text}")
    fit.add_argument("--batch-size", type=flags.count,
                     help=f"mini-batch size (default: full-batch gradient descent): {flags.count.range_text}")
    fit.add_argument("--patience", type=flags.count, default=DEFAULT_PATIENCE,
                     help=f"end a stage after this many epochs without a better validation loss (report.json says "
                          f"which ended each stage): {flags.count.range_text}")
    fit.add_argument("--seed", type=flags.seed, default=0,
                     help=f"seed of the data split, initialisation and batches: {flags.seed.range_text}")
    fit.add_argument("--e-series", choices=["E12", "E24", "E48", "E96", "E192"],
                     help="snap every resistor to this series and fine-tune the rest")
    fit.add_argument("--diode", default="1N4148", help="diode model")
    fit.add_argument("--board-tolerance", type=flags.fraction, default=0.0, metavar="FRACTION",
                     help="simulate a built board: each resistor off by up to this fraction (e.g. 0.05): "
                          f"{flags.fraction.range_text}")
    fit.add_argument("--board-temp", type=flags.temperature, default=27.0,
                     help=f"the board's temperature, degrees Celsius: {flags.temperature.range_text}")
    fit.add_argument("--board-diode", help="the board's diode, if not the model's")
    fit.add_argument("--board-seed", type=flags.seed, default=1,
                     help=f"seed of the board's resistor errors: {flags.seed.range_text}")
    fit.add_argument("--search", action="store_true",
                     help="first choose hidden width, lam and lr on validation data (parallel workers)")
    fit.add_argument("--out", help="output folder (created if missing)")
    fit.add_argument("--json", action="store_true", help="print report.json")


def _target_names() -> list[str]:
    from ..training.data import TARGETS
    return list(TARGETS)


def _backend_names() -> list[str]:
    from ..backends.registry import BACKENDS
    return list(BACKENDS)


def _topology_names() -> list[str]:
    from ..topologies import TOPOLOGIES
    return list(TOPOLOGIES)


def join_range_values(argv: list[str]) -> list[str]:
    """Rewrite ``--x -1:1:201`` as ``--x=-1:1:201`` so argparse accepts a negative start."""
    out, i = [], 0
    while i < len(argv):
        if argv[i] in RANGE_OPTIONS and i + 1 < len(argv) and _RANGE_VALUE.match(argv[i + 1]):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def command_export(args) -> int:
    from ..backends.spice.netlist import netlist_text
    from ..formats import modelfile
    from ..util.atomic import write_text_atomically

    circuit = modelfile.load(args.model)
    sweep = None if args.op else args.sweep
    output = Path(args.output)
    made_by = "circuitnet export " + shlex.join([args.model, "-o", args.output]
                                                + (["--op"] if args.op else ["--sweep", str(args.sweep)]))
    text = netlist_text(circuit, sweep=sweep, data_file=output.with_suffix(".dat").name, command=made_by)
    write_text_atomically(output, text)
    print(f"wrote {output} ({circuit.topology}, {circuit.resistor_count()} resistors); "
          f"run it with: ngspice -b {output}")
    return EXIT_OK


def command_neuron(args) -> int:
    from ..analysis.elbow import compare_elbow

    result = compare_elbow(args.topology, args.w, args.b, args.x, diode=args.diode,
                           volts_per_unit=args.volts_per_unit)
    s = result.circuit.volts_per_unit
    summary = {
        "topology": args.topology, "w": args.w, "b": args.b, "diode": result.circuit.diode.name,
        "points": int(result.x.size),
        "max_deviation": result.max_deviation, "rms_deviation": result.rms_deviation,
        "max_deviation_mV": 1e3 * result.max_deviation * s, "rms_deviation_mV": 1e3 * result.rms_deviation * s,
    }
    if args.plot:
        from .plotting import elbow_figure, save_figure
        title = f"{args.topology}: relu({args.w:g} x {args.b:+g}), {result.circuit.diode.name}"
        save_figure(elbow_figure(result, title), args.plot)
        summary["plot"] = args.plot
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{args.topology} elbow relu({args.w:g} x {args.b:+g}) with {result.circuit.diode.name}, "
              f"{result.x.size} points: max deviation {summary['max_deviation_mV']:.4g} mV, "
              f"RMS {summary['rms_deviation_mV']:.4g} mV" + (f"; plot: {args.plot}" if args.plot else ""))
    return EXIT_OK


def command_simulate(args) -> int:
    import numpy as np

    from ..backends.registry import simulate, simulate_sweep
    from ..errors import InputShapeError
    from ..formats import modelfile
    from ..formats.datafile import read_inputs_csv
    from ..topologies import read_back

    circuit = modelfile.load(args.model)
    if args.x is not None:
        if circuit.n_inputs != 1:
            raise InputShapeError(f"{args.model} has {circuit.n_inputs} inputs; --x sweeps one-input models, "
                                  f"give the samples with --inputs FILE.csv")
        result = simulate_sweep(circuit, args.x, backend=args.backend, temperature_c=args.temp)
    else:
        result = simulate(circuit, read_inputs_csv(args.inputs, circuit.n_inputs), backend=args.backend,
                          temperature_c=args.temp)
    ideal = read_back(circuit).forward(result.x)
    found = _operating_violations(circuit, result.x, args.temp)
    if found:
        print(f"circuitnet simulate: warning: {len(found)} part(s) leave their safe operating area, so no built "
              f"circuit gives these outputs; the worst: {found[0].message()}", file=sys.stderr)
    if args.json:
        print(json.dumps({"model": args.model, "topology": circuit.topology, "backend": args.backend,
                          "temperature_c": args.temp, "x": result.x.tolist(), "y": result.y.tolist(),
                          "y_volts": result.y_volts.tolist(), "ideal": ideal.tolist(),
                          "violations": [v.to_dict() for v in found]}))
    elif args.csv:
        names = ([f"x{k + 1}" for k in range(circuit.n_inputs)] + [f"y{k + 1}" for k in range(circuit.n_outputs)]
                 + [f"y{k + 1}_volts" for k in range(circuit.n_outputs)]
                 + [f"ideal{k + 1}" for k in range(circuit.n_outputs)])
        print(",".join(names))
        for row in np.hstack([result.x, result.y, result.y_volts, ideal]):
            print(",".join(f"{v:.12g}" for v in row))
    else:
        deviation = np.abs(result.y - ideal)
        print(f"{circuit.topology} circuit, {len(result.x)} point(s), {args.backend} at {args.temp:g} C: "
              f"output {result.y.min():.6g} .. {result.y.max():.6g}; max |y - ideal| = {deviation.max():.4g}, "
              f"RMS {np.sqrt(np.mean(deviation ** 2)):.4g} (data units). Use --json or --csv for the values.")
    return EXIT_OK


LIMIT_CHECK_SAMPLES = 20_000  # evenly spaced samples, both ends included, for a long sweep


def _operating_violations(circuit, x, temperature_c: float) -> list:
    """The parts that leave their safe operating area at inputs x, checked in ngspice."""
    import numpy as np

    from ..backends.spice.backend import SpiceBackend
    if len(x) > LIMIT_CHECK_SAMPLES:
        x = x[np.unique(np.linspace(0, len(x) - 1, LIMIT_CHECK_SAMPLES).round().astype(int))]
    return SpiceBackend().violations(circuit, x, temperature_c)


class _ProgressBar:
    """tqdm bars on stderr when it is a terminal; silent otherwise."""

    def __init__(self):
        self.bar = None
        self.enabled = sys.stderr.isatty()

    def stage(self, name, total, done=0):
        self.close()
        if self.enabled:
            from tqdm import tqdm
            self.bar = tqdm(total=total, initial=done, desc=name, unit="epoch", file=sys.stderr, leave=False)

    def epoch(self, state):
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(val_rmse=f"{state.history['val'][-1] ** 0.5:.4f}")

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _count_bar(description: str, unit: str):
    """A progress(done, total) callback drawing a tqdm bar on stderr when it is a terminal, else None."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        bar = bar or tqdm(total=total, desc=description, unit=unit, file=sys.stderr, leave=False)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return progress


def _stopped_fit(run, out: Path, error: BaseException) -> int:
    """A fit stopped before its outputs were all written: keep the best model so far and say
    how to go on (its checkpoint is already in ``out``)."""
    from ..formats import modelfile
    kept = ""
    if run.keep_best_so_far():
        modelfile.save(run.circuit, out / "model.json")
        kept = f"kept the best model so far in {out / 'model.json'}; "
    interrupted = isinstance(error, KeyboardInterrupt)
    cause = "interrupted" if interrupted else f"simulation failed: {error}"
    print(f"circuitnet fit: {cause}; {kept}continue with: circuitnet fit --resume {out}", file=sys.stderr)
    return EXIT_INTERRUPTED if interrupted else EXIT_FAILED


def _search(split, config, out: Path, trials: int | None = None):
    """fit --search: choose hidden width, lam and lr on validation data, recorded in
    out/search.json round by round: (config, table), or None after Ctrl-C (the finished
    trials are kept, and the message says how to resume)."""
    from ..training import search
    print("searching hidden width, lam and lr on validation data...", file=sys.stderr)
    try:
        return search.search(split, config, folder=out, **({"trials": trials} if trials else {}))
    except KeyboardInterrupt:
        print(f"circuitnet fit: interrupted while searching; the finished trials are in {out / 'search.json'}; "
              f"continue with: circuitnet fit --resume {out}", file=sys.stderr)
        return None


def command_fit(args) -> int:
    from ..backends.spice.backend import SpiceBackend
    from ..errors import CircuitnetError
    from ..training.config import FitConfig
    from ..training.data import fractions_split, get_target, read_dataset_csv, target_split
    from ..training.run import FitRun
    from ..training import run_folder
    from ..util.atomic import write_text_atomically
    from .fit_outputs import write_outputs

    command = "circuitnet " + shlex.join(args.argv)
    table = None
    if args.resume:
        out = Path(args.resume)
        searched = run_folder.read_search(out)
        if run_folder.has_checkpoint(out) or searched is None:
            run = FitRun.resume(out, progress=_ProgressBar())
            table = sorted(searched["done"], key=lambda row: row["val_rmse"]) if searched else None
        else:  # stopped while searching: finish the search, then fit
            split, description = run_folder.read_data(out)
            searched = _search(split, FitConfig(**searched["config"]), out, searched["trials"])
            if searched is None:
                return EXIT_INTERRUPTED
            config, table = searched
            run = FitRun(split, config, out, progress=_ProgressBar(), data_description=description)
    else:
        if not args.out:
            raise CircuitnetError("give --out DIR: the folder for model.json, report.json and the plots")
        if not (args.target or args.data):
            raise CircuitnetError("give --target NAME or --data FILE.csv (or --resume DIR)")
        out = Path(args.out)
        if args.target:
            target = get_target(args.target)
            split = target_split(args.target, args.points, args.seed, args.noise)
            description = {"target": args.target, "formula": target.formula, "points": args.points,
                           "noise": args.noise}
        else:
            x_columns = args.x_columns.split(",") if args.x_columns else None
            x, y = read_dataset_csv(args.data, x_columns, args.y_column)
            split = fractions_split(x, y, args.seed)
            description = {"file": args.data, "rows": len(x)}
        board = None
        if args.board_tolerance or args.board_temp != 27.0 or args.board_diode:
            board = {"tolerance": args.board_tolerance, "seed": args.board_seed, "temperature_c": args.board_temp,
                     "diode": args.board_diode}
        config = FitConfig(topology=args.topology, hidden=args.hidden, mode=args.mode,
                           epochs=args.epochs, lr=args.lr, lam=args.lam, batch_size=args.batch_size,
                           patience=args.patience, seed=args.seed, e_series=args.e_series, diode=args.diode,
                           board=board)
        run_folder.write_data(out, split, description)  # first, so that --resume finds the run
        if args.search:
            searched = _search(split, config, out)
            if searched is None:
                return EXIT_INTERRUPTED
            config, table = searched
        run = FitRun(split, config, out, progress=_ProgressBar(), data_description=description)
    try:
        result = run.run()
        if table is not None:
            result.report["search"] = table
        described = run.data_description or {}
        target = get_target(described["target"]) if described.get("target") else None
        write_outputs(out, result, run.split, SpiceBackend(), target, command)
    except (KeyboardInterrupt, SimulationError) as error:  # e.g. a second Ctrl-C while measuring
        return _stopped_fit(run, out, error)
    except OperatingLimitError as error:  # no figures, and no model, for a circuit that can't be built
        write_text_atomically(out / "violations.json",
                              json.dumps([v.to_dict() for v in error.violations], indent=2) + "\n")
        print(f"circuitnet fit: {error}; every part outside its limits is in {out / 'violations.json'}",
              file=sys.stderr)
        return EXIT_FAILED
    report = result.report
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{report['hyperparameters']['topology']} circuit, {report['hyperparameters']['mode']} mode: "
              f"test RMSE {report['test_rmse_spice']:.4g} (ngspice), {report['test_rmse_surrogate']:.4g} "
              f"(surrogate), {report['test_rmse_ideal']:.4g} (ideal read-back); train {report['train_rmse']:.4g}, "
              f"validation {report['val_rmse']:.4g}; {report['seconds']:.1f} s. Wrote {out}/")
    if result.interrupted:
        print(f"circuitnet fit: interrupted; kept the best model so far in {out}/ "
              f"(continue with: circuitnet fit --resume {out})", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK


def command_compare(args) -> int:
    from ..analysis.compare import compare_circuit, compare_netlist
    from ..errors import CircuitnetError
    from ..model.sweep import Sweep
    from ..util.executor import executor_for
    from .report import write_report

    if args.netlist:
        if args.model or not (args.input and args.output):
            raise CircuitnetError("with --netlist give --input SOURCE and --output NODE, and no model file")
        path = Path(args.netlist)
        try:
            text = path.read_bytes()
        except OSError as error:
            raise CircuitnetError(f"{path}: can't read it: {error.strerror or error}") from None
        numbers, curves = compare_netlist(text, path.name, args.input, args.output, args.hidden,
                                          args.x, args.seed, folder=path.parent)
        title = f"imported netlist {path.name}"
    else:
        if not args.model:
            raise CircuitnetError("give a model file, or --netlist FILE.cir")
        from ..formats import modelfile
        circuit = modelfile.load(args.model)
        numbers, curves = compare_circuit(circuit, args.x or Sweep(-1.0, 1.0, 201), args.temps, args.montecarlo,
                                          args.tolerance, args.is_spread, args.seed, args.yield_threshold,
                                          executor_for(args.scheduler, args.workers),
                                          progress=_count_bar("Monte Carlo boards", "board"))
        title = f"{args.model}: {circuit.topology} circuit against its ideal network"
    written = write_report(args.out, numbers, curves, title)
    if args.json:
        print(json.dumps(numbers))
    else:
        print("\n".join(compare_summary(numbers, title) + [f"wrote {len(written)} files into {args.out}/: "
                                                           + ", ".join(Path(p).name for p in written.values())]))
    return EXIT_OK


def compare_summary(numbers: dict, title: str) -> list[str]:
    """The few figures of compare.json a person reads first, one line each (data units unless
    a unit is named)."""
    lines = [title]
    if "network" in numbers:
        network = numbers["network"]
        lines.append(f"  network: ngspice vs ideal max |error| {network['spice_vs_ideal']['max_abs']:.4g} "
                     f"(RMS {network['spice_vs_ideal']['rms']:.4g}); ngspice vs surrogate max "
                     f"{1e6 * network['spice_vs_surrogate_v']['max_abs']:.3g} uV")
    if numbers.get("neurons"):
        worst = max(numbers["neurons"], key=lambda row: row["max_deviation_v"])
        lines.append(f"  neurons: largest deviation from the ideal elbow {1e3 * worst['max_deviation_v']:.3g} mV "
                     f"at {worst['node']}")
    if numbers.get("temperatures"):
        lines.append("  temperatures: max |error| " + ", ".join(
            f"{row['max_abs']:.4g} at {row['temperature_c']:g} C" for row in numbers["temperatures"]))
    if "montecarlo" in numbers:
        mc, error = numbers["montecarlo"], numbers["montecarlo"]["max_abs_error"]
        lines.append(f"  Monte Carlo: {mc['instances']} boards at {100 * mc['tolerance']:g} %: max |error| median "
                     f"{error['median']:.4g}, 95th percentile {error['p95']:.4g}, worst {error['worst']:.4g}; "
                     f"yield {100 * mc['yield']:.1f} % at {mc['yield_threshold']:g}")
    if "power" in numbers:
        power = numbers["power"]
        lines.append(f"  power: {1e3 * power['delivered_total']['mean_w']:.3g} mW mean from the sources, "
                     f"{1e3 * power['dissipated_diodes']['mean_w']:.3g} mW of it in the diodes")
    if numbers.get("violations"):
        worst = numbers["violations"][0]
        lines.append(f"  WARNING: {len(numbers['violations'])} part(s) leave their safe operating area; the worst: "
                     f"{worst['element']} {worst['quantity']} {worst['value']:.4g} {worst['unit']} (limit "
                     f"{worst['limit']:.4g}) at {worst['temperature_c']:g} C")
    elif "violations" in numbers:
        lines.append("  every part stays in its safe operating area (rails, breakdown, dissipation)")
    if "imported" in numbers:
        imported = numbers["imported"]
        elbows = ", ".join(f"{e['position']:.4g} V" for e in imported["elbows"] if e["position"] is not None)
        lines.append(f"  fitted {imported['hidden']} neuron(s): elbows at {elbows or 'none'}; deviation max "
                     f"{imported['deviation']['max_abs']:.4g} V (RMS {imported['deviation']['rms']:.4g} V)")
        if imported["included"]:
            lines.append(f"  read {', '.join(imported['included'])} (.include / .lib)")
        if imported["skipped"]:
            lines.append(f"  skipped {len(imported['skipped'])} analysis or output card(s), circuitnet runs its "
                         f"own sweep: " + "; ".join(imported["skipped"]))
    return lines


COMMANDS = {"export": command_export, "neuron": command_neuron, "simulate": command_simulate, "fit": command_fit,
            "compare": command_compare}


def os_error_sentence(error: OSError) -> str:
    """A file-system error as a sentence with the path and what to do, not "[Errno 17] ..."."""
    where = error.filename if error.filename is not None else "a file"
    if isinstance(error, FileExistsError):
        return f"{where} exists and is not a folder; give a folder (or a new name) instead"
    if isinstance(error, NotADirectoryError):
        return f"{where}: part of this path is a file, not a folder; give a path through folders"
    if isinstance(error, PermissionError):
        return f"{where}: permission denied; choose a place you may write to"
    if isinstance(error, FileNotFoundError):
        return f"{where} does not exist; check the path"
    if isinstance(error, IsADirectoryError):
        return f"{where} is a folder; give a file"
    return f"{where}: {(error.strerror or str(error)).lower()}"


def main(argv: list[str] | None = None) -> int:
    argv = join_range_values(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as error:  # a bad flag: one line, before any work
        print(error, file=sys.stderr)
        return EXIT_USAGE
    args.argv = argv  # what the user typed after 'circuitnet', recorded in fit's netlist
    debug = args.debug or os.environ.get("CIRCUITNET_DEBUG") == "1"
    keep_freed_memory()  # this process is ours: trade freed memory for surrogate speed (util/allocator.py)
    try:
        return COMMANDS[args.command](args)
    except SimulationError as error:
        if debug:
            raise
        print(f"circuitnet {args.command}: simulation failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    except CircuitnetError as error:
        if debug:
            raise
        print(f"circuitnet {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        if debug:
            raise
        print(f"circuitnet {args.command}: {os_error_sentence(error)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"circuitnet {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
