"""The ``circuitnet`` command line's grammar: every subcommand, its flags, their ranges (from
``flags``), their help and examples. ``cli`` runs what this parses.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Collection

from ..analysis.yields import CLASSIFIER_YIELD_ACCURACY, REGRESSION_YIELD_DEVIATION
from . import flags

TARGET_POINTS = 500  # fit --points' default: training points drawn from --target

# Options whose value is a START:STOP:N range; "--x -1:1:201" is rewritten to "--x=-1:1:201"
# because argparse takes "-1:1:201" for an option.
RANGE_OPTIONS = ("--sweep", "--x")
DATA_RANGE = object()  # simulate's bare --x: the recorded range (an object: argparse parses a string const)
_RANGE_VALUE = re.compile(r"^-[\d.]")

EXIT_STATUS_HELP = "Exit status: 0 success, 1 the work failed, 2 bad input, 130 interrupted (Ctrl-C)."


class _Formatter(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Help with each flag's default appended, except where there is none to show (None, an
    off switch) or the help already says what the default is in words."""

    def _get_help_string(self, action):
        if action.default in (None, False, argparse.SUPPRESS) or "(default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


# The one-line help of each subcommand, which the top-level --help lists. ``build`` keeps its
# own in build_command (its flags import nothing heavy, so it is always built in full).
COMMAND_HELP = {
    "export": "write a standalone SPICE netlist of a model file",
    "neuron": "one elbow relu(w x + b): ideal against ngspice",
    "simulate": "simulate a model file over a sweep or a CSV of inputs",
    "fit": "train a circuit's resistors to fit data or a target function",
    "compare": "simulated against ideal: neurons, network, temperature, Monte Carlo, power; or an imported netlist",
    "transient": "how fast and at what energy a circuit infers: input steps in a .tran run",
}


def build_parser(full: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser. ``full``: the subcommands whose flags are built (None: every
    one); the others are listed by name and one-line help only. Building a subcommand's flags
    imports what its choices and help name (topologies, datasets, training defaults: NumPy and
    most of the package), so ``main`` builds only the subcommand it runs and ``circuitnet
    --help`` starts without them."""
    parser = flags.Parser(
        prog="circuitnet",
        description="ReLU neural networks as analog circuits: fit their resistors, export SPICE netlists, "
                    "simulate them, and compare simulated against ideal.",
        formatter_class=_Formatter,
        epilog="Example: circuitnet neuron --topology diode --w 1 --b -0.2 --plot elbow.png\n" + EXIT_STATUS_HELP,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    adders = {"export": add_export_parser, "neuron": add_neuron_parser, "simulate": add_simulate_parser,
              "fit": add_fit_parser, "compare": add_compare_parser, "transient": add_transient_parser}
    for name, add in adders.items():
        if full is None or name in full:
            add(commands)
        else:
            commands.add_parser(name, help=COMMAND_HELP[name])
    from .build_command import add_build_parser
    add_build_parser(commands, _Formatter)
    return parser


def subcommand_of(argv: list[str]) -> str | None:
    """The subcommand ``argv`` runs: its first word that is not an option (the top-level parser's
    only option, --debug, takes no value), or None."""
    return next((word for word in argv if not word.startswith("-")), None)


def add_export_parser(commands) -> None:
    export = commands.add_parser(
        "export", formatter_class=_Formatter,
        help=COMMAND_HELP["export"],
        description="Write a standalone netlist of MODEL.json that 'ngspice -b FILE.cir' runs unmodified; "
                    "its control block writes FILE.dat (the sweep, inputs and outputs in data units and volts).",
        epilog="Example: circuitnet export netlists/elbow_diode.json -o elbow.cir --sweep -1:1:201",
    )
    export.add_argument("model", help="model file (JSON) to export")
    export.add_argument("-o", "--output", required=True, help="netlist file to write (.cir)")
    analysis = export.add_mutually_exclusive_group()
    analysis.add_argument("--sweep", metavar="START:STOP:N", type=flags.sweep_range,
                          help="DC sweep of the first input: N evenly spaced points from START to STOP, both "
                               f"included, data units (ends within +-{flags.INPUT_LIMIT:g}); each other input held at "
                               "the middle of its training range, which fit records in the model (0 for a model "
                               "without one) "
                               "(default: 201 points over the training data's range of input 1, which fit records "
                               "in the model; -1:1:201 for a model without one)")
    analysis.add_argument("--op", action="store_true",
                          help="an operating point instead, every input at the middle of its training range (0 "
                               "for a model that records none)")
    analysis.add_argument("--tran", action="store_true",
                          help="a transient run instead: the steps of --x or --inputs, with the op-amps' dynamics "
                               "(--opamp); the same run as 'circuitnet transient'")
    export.add_argument("--x", metavar="START:STOP:N", type=flags.sweep_range,
                        help="with --tran: input steps, N values of the (single) input, data units")
    export.add_argument("--inputs", metavar="FILE.csv", help="with --tran: input steps, one row each, data units")
    add_dynamics_arguments(export)



def add_neuron_parser(commands) -> None:
    neuron = commands.add_parser(
        "neuron", formatter_class=_Formatter,
        help=COMMAND_HELP["neuron"],
        description="Build one ReLU neuron relu(w x + b) (output weight 1) in a topology, simulate its transfer "
                    "curve with ngspice -b and print the max and RMS deviation from the ideal elbow.",
        epilog="Example: circuitnet neuron --topology precision --w 2 --b -0.5 --x -1:1:401 --plot elbow.png",
    )
    neuron.add_argument("--topology", required=True, choices=_topology_names(), help="circuit topology")
    neuron.add_argument("--w", type=flags.weight, default=1.0,
                        help=f"weight (data units per data unit): {flags.weight.range_text}")
    neuron.add_argument("--b", type=flags.weight, default=0.0, help=f"bias (data units): {flags.weight.range_text}")
    neuron.add_argument("--diode", default="1N4148", type=flags.diode_part, help="diode model: " + _diode_names())
    neuron.add_argument("--x", metavar="START:STOP:N", default="-1:1:401", type=flags.sweep_range,
                        help=f"input sweep, N points from START to STOP, data units (ends within "
                             f"+-{flags.INPUT_LIMIT:g})")
    neuron.add_argument("--volts-per-unit", type=flags.volts_per_unit, default=1.0,
                        help=f"volts per data unit: {flags.volts_per_unit.range_text}")
    neuron.add_argument("--plot", metavar="FILE.png", help="write a PNG of the elbow and the deviation")
    neuron.add_argument("--json", action="store_true", help="print the result as one JSON document")


def add_simulate_parser(commands) -> None:
    simulate = commands.add_parser(
        "simulate", formatter_class=_Formatter,
        help=COMMAND_HELP["simulate"],
        description="Simulate MODEL.json and print its outputs with the ideal network's beside them. One-input "
                    "models take --x (a sweep); any model takes --inputs FILE.csv (a header row naming x1, x2, ... "
                    "or plain columns in input order). A sample where a part leaves its safe operating area (an "
                    "op-amp output beyond its rails, a diode past breakdown, a resistor over its rating) is marked "
                    "with the limit it crosses (beyond_limit) and its outputs are not given: no built circuit gives "
                    "them. Exit status 1 when any sample is, unless --raw-outputs.",
        epilog="Example: circuitnet simulate netlists/eight_diode.json --x -1:1:201 --temp 70 --json > out.json",
    )
    simulate.add_argument("model", help="model file (JSON)")
    source = simulate.add_mutually_exclusive_group(required=True)
    source.add_argument("--x", metavar="START:STOP:N", type=flags.sweep_range, nargs="?", const=DATA_RANGE,
                        help="sweep of the (single) input, N points, data units (ends within "
                             f"+-{flags.INPUT_LIMIT:g}); "
                             "--x alone: 201 points over the training data's range, which fit records in the model")
    source.add_argument("--inputs", metavar="FILE.csv",
                        help="input samples, one row each, data units; a header row names the columns: a model "
                             "fit on a CSV maps its training columns by name and ignores the others (e.g. the "
                             "target), any model takes x1, x2, ...")
    simulate.add_argument("--temp", type=flags.temperature, default=27.0,
                          help=f"circuit temperature, degrees Celsius: {flags.temperature.range_text}")
    simulate.add_argument("--backend", default="spice", choices=_backend_names(), help="simulator")
    flags.add_opamp_arguments(simulate)
    output = simulate.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print x, y, y_volts, ideal as one JSON document")
    output.add_argument("--csv", action="store_true", help="print a CSV table: inputs, outputs, volts, ideal")
    simulate.add_argument("--raw-outputs", action="store_true",
                          help="give the outputs of samples where a part leaves its safe operating area as numbers "
                               "too (still marked in beyond_limit) and exit 0; without it their outputs are left "
                               "out (empty in --csv, null in --json) and simulate exits 1")


def add_dynamics_arguments(parser) -> None:
    """The flags of a transient run (transient, export --tran)."""
    flags.add_opamp_arguments(parser)  # and the part's dynamics: TL072's for the generic op-amp
    parser.add_argument("--rails", type=flags.rail_volts, metavar="V",
                        help="clamp every op-amp output to +-V volts (default: no clamp): "
                             f"{flags.rail_volts.range_text}")
    parser.add_argument("--step-time", type=flags.seconds, default=50e-6, metavar="SECONDS",
                        help=f"how long each input step is held: {flags.seconds.range_text}")
    parser.add_argument("--rise-time", type=flags.seconds, default=100e-9, metavar="SECONDS",
                        help=f"each step's linear rise, less than --step-time: {flags.seconds.range_text}")
    parser.add_argument("--temp", type=flags.temperature, default=27.0,
                        help=f"circuit temperature, degrees Celsius: {flags.temperature.range_text}")


def add_transient_parser(commands) -> None:
    from ..model.dynamics import OPAMP_LIBRARY
    transient = commands.add_parser(
        "transient", formatter_class=_Formatter,
        help=COMMAND_HELP["transient"],
        description="Apply input vectors as steps (PWL sources with --rise-time) to MODEL.json with every op-amp "
                    "given a gain-bandwidth product and slew rate (its part's, from --opamp or the model, else "
                    "TL072's: "
                    + "; ".join(f"{name} {part.gbw_hz / 1e6:g} MHz, {part.slew_v_per_us:g} V/us"
                                for name, part in OPAMP_LIBRARY.items())
                    + "; a single-pole macro-model whose DC answer "
                    "equals the model's), run .tran in ngspice and measure each step: the settling time of every "
                    "output to within --settle of its full scale of its own DC answer, and the energy drawn from "
                    "every source. Reports inferences per second at the worst settling time, energy per inference "
                    "(median, worst) and which node settles last; with --ac, the small-signal -3 dB frequency from "
                    "input 1 to every output. Writes transient.json, waveforms.png, energy.png (and bandwidth.png) "
                    "into --out.",
        epilog="Example: circuitnet transient netlists/eight_diode.json --x -1:1:20 --opamp LM358 --out out/tran\n"
               + EXIT_STATUS_HELP,
    )
    transient.add_argument("model", help="model file (JSON)")
    source = transient.add_mutually_exclusive_group(required=True)
    source.add_argument("--x", metavar="START:STOP:N", type=flags.sweep_range,
                        help="N steps of the (single) input from START to STOP, data units")
    source.add_argument("--inputs", metavar="FILE.csv",
                        help="input steps, one row each (header x1, x2, ...), data units")
    add_dynamics_arguments(transient)
    transient.add_argument("--settle", type=flags.settle_fraction, default=1e-3,
                           help="settling band, a fraction of each node's full scale (0.1%% or 0.001): "
                                + flags.settle_fraction.range_text.replace("%", "%%"))
    transient.add_argument("--ac", action="store_true",
                           help="also the small-signal bandwidth from input 1 at the first step's operating point")
    transient.add_argument("--out", required=True, help="output folder (created if missing)")
    transient.add_argument("--json", action="store_true", help="print transient.json")


def add_compare_parser(commands) -> None:
    compare = commands.add_parser(
        "compare", formatter_class=_Formatter,
        help=COMMAND_HELP["compare"],
        description="Compare a circuit with the ReLU network it stands for, over a sweep of input 1 (each other input "
                    "held at the middle of its training range, else 0): each neuron's elbow, the whole network "
                    "(ideal, surrogate, ngspice), the output across "
                    "temperatures, Monte Carlo boards with resistor tolerances, and static power. Writes "
                    "compare.json, PNG figures and report.html (opens offline) into --out. With --netlist, import a "
                    "one-input circuit drawn elsewhere (checked against an allow-list: .control and shell escapes are "
                    "refused; .include and .lib read files in the netlist's own folder only; analysis and output "
                    "cards are skipped and listed), simulate its transfer curve and fit the best ReLU network of "
                    "--hidden neurons to it.",
        epilog="Examples: circuitnet compare netlists/eight_diode.json --out out/cmp --temps 0,27,70 "
               "--montecarlo 200 --tolerance 1%\n          circuitnet compare --netlist rect.cir --input V1 "
               "--output out --hidden 1 --out out/rect\n          circuitnet compare out/digits/model.json "
               "--dataset digits --montecarlo 100 --tolerance 1% --temps 0,27,70 --out out/digits-cmp",
    )
    compare.add_argument("model", nargs="?", help="model file (JSON)")
    compare.add_argument("--out", required=True, help="output folder (created if missing)")
    compare.add_argument("--x", metavar="START:STOP:N", type=flags.sweep_range,
                         help="sweep of input 1, data units (default: 201 points over the training data's range, "
                              "which fit records in the model, else -1:1:201; with --netlist, volts, default "
                              f"0:2:201); ends within +-{flags.INPUT_LIMIT:g}")
    compare.add_argument("--temps", default="0,27,70", type=flags.temperatures,
                         help=f"temperatures, degrees Celsius: {flags.temperatures.range_text}")
    compare.add_argument("--montecarlo", type=flags.boards, default=0, metavar="N",
                         help="number of Monte Carlo boards, each with its resistors drawn within --tolerance and, "
                              "for a circuit built with a real part (--opamp or the model's), every op-amp's input "
                              "offset and bias currents drawn from the part's data sheet (docs/opamp-offsets.md): "
                              f"{flags.boards.range_text}")
    compare.add_argument("--tolerance", default="1%", type=flags.tolerance,
                         help=f"resistor tolerance: 1%% or 0.01, at most {100 * flags.TOLERANCE_MAX:g}%%")
    compare.add_argument("--is-spread", type=flags.is_spread, default=0.0,
                         help=f"log-normal spread of the diodes' IS per board (sigma of ln IS): "
                              f"{flags.is_spread.range_text}")
    compare.add_argument("--yield-threshold", type=flags.error_threshold,
                         help="a regressor's board passes when its max |board - nominal circuit|, both in ngspice, "
                              f"over the sweep is at most this, data units (default {REGRESSION_YIELD_DEVIATION:g}): "
                              f"{flags.error_threshold.range_text}; a classifier's board passes when its accuracy on "
                              f"the test samples' labels is at least this fraction (default "
                              f"{CLASSIFIER_YIELD_ACCURACY:g})")
    compare.add_argument("--dataset", choices=_dataset_names(),
                         help="compare a classifier on this dataset's test split (the split fit makes with "
                              "--split-seed): accuracy per board, against temperature, and static power while "
                              "inferring")
    compare.add_argument("--images", metavar="FILE", help="compare a classifier on these labelled images (IDX with "
                                                          "--labels, or .npz), as fit --images")
    compare.add_argument("--labels", metavar="FILE", help="with --images FILE: the IDX label file")
    compare.add_argument("--data", metavar="FILE.csv",
                         help="compare on this CSV: a classifier on its test split made with --split-seed (label "
                              "column: --y-column, default the last; without --data, a classifier is judged on the "
                              "test rows of the data.csv of its fit folder); a regressor against every row (or, for a "
                              "fit's data.csv, its test rows), inputs mapped by the model's recorded column names")
    compare.add_argument("--y-column", metavar="C", help="with --data: the label (or target) column")
    flags.add_opamp_arguments(compare)
    compare.add_argument("--transient", action="store_true",
                         help="add a transient section: up to 20 input steps (the sweep's, or a classifier's "
                              "first test samples) with the op-amps' dynamics (their part's, TL072's for the generic "
                              "op-amp), as 'circuitnet transient' measures them")
    compare.add_argument("--step-time", type=flags.seconds, default=50e-6, metavar="SECONDS",
                         help=f"with --transient: how long each input step is held: {flags.seconds.range_text}")
    compare.add_argument("--split-seed", type=flags.seed,
                         help="the --seed the classifier was fit with: its test split is the one compared (default: "
                              "the seed in report.json of the fit folder the model is in, else 0), "
                              f"{flags.seed.range_text}")
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
    from ..training.config import DEFAULT_EPOCHS, DEFAULT_PATIENCE, MODES, TASKS, TrainingMode
    from ..training.eseries import SERIES
    from ..training.topology_choice import AUTO
    fit = commands.add_parser(
        "fit", formatter_class=_Formatter,
        help=COMMAND_HELP["fit"],
        description="Train a ReLU circuit: an ideal network first, then (modes surrogate, spice-loop) the resistor "
                    "values themselves; validation data chooses the best epoch, the test split is used once at the "
                    "end, and every reported RMSE is measured in ngspice. Writes model.json, circuit.cir, fit.png, "
                    "loss.png, report.json, data.csv and bom.csv into --out. Ctrl-C stops and keeps the best model "
                    "so far; --resume DIR continues a stopped run.\n\n"
                    "Classifiers (--dataset, --images, or --data with --task classify) have one output summer per "
                    "class; the split is stratified, every summer's weights are kept within the resistors' 1000:1 "
                    "range while training (weights that can't be kept become 0, counted in pruned_weights), and "
                    "the whole test split is simulated in ngspice in chunks over local workers or a Dask cluster "
                    "(--workers, --scheduler). They write confusion.png, misclassified.png and curves.png instead "
                    "of fit.png and loss.png; report.json has test_accuracy_spice, _surrogate and _ideal, the "
                    "samples whose class differs between surrogate and ngspice, the confusion matrix and ngspice "
                    "samples per second.",
        epilog="Examples: circuitnet fit --target sine --topology diode --hidden 16 --mode surrogate --out out/sine\n"
               "          circuitnet fit --dataset digits --hidden 32 --out out/digits\n"
               "          circuitnet fit --data iris.csv --task classify --y-column species --out out/iris\n"
               "Exit status 130: stopped by Ctrl-C; the best model so far is written and 'circuitnet fit --resume "
               "DIR' continues from DIR/checkpoint.json.",
    )
    source = fit.add_mutually_exclusive_group()
    source.add_argument("--target", help="built-in target: " + ", ".join(_target_names()))
    source.add_argument("--data", metavar="FILE.csv", help="data file: inputs then target (see --x-columns)")
    source.add_argument("--dataset", choices=_dataset_names(),
                        help="built-in classification data (bundled, nothing downloads): " + _dataset_help())
    source.add_argument("--images", metavar="FILE",
                        help="labelled images to classify: an MNIST-format IDX image file (with --labels) or an .npz "
                             "holding 'images' and 'labels'; byte pixels are divided by 255")
    source.add_argument("--resume", metavar="DIR", help="continue the stopped run in DIR (its settings are kept)")
    fit.add_argument("--labels", metavar="FILE", help="with --images FILE: the IDX label file")
    fit.add_argument("--task", choices=TASKS,
                     help="regress: fit the target column's values; classify: one output per class (softmax "
                          "cross-entropy), the prediction is the output with the highest voltage, and the whole test "
                          "split is simulated in ngspice. Default: classify for --dataset and --images, else regress")
    fit.add_argument("--x-columns", metavar="A,B", type=flags.column_names,
                     help="input columns of --data (names or 1-based positions)")
    fit.add_argument("--y-column", metavar="C", help="target (or, with --task classify, label) column of --data "
                                                     "(default: the last)")
    # default None, so fit can tell them typed beside --data (they would be ignored): fit_data
    fit.add_argument("--points", type=flags.points,
                     help=f"training points drawn from --target (validation and test: half as many each): "
                          f"{flags.points.range_text} (default: {TARGET_POINTS})")
    fit.add_argument("--noise", type=flags.noise,
                     help=f"Gaussian noise on --target data, data units: {flags.noise.range_text} (default: 0)")
    fit.add_argument("--topology", default="diode", choices=[*_topology_names(), AUTO],
                     help="circuit topology; auto: train every topology the other flags allow (passive has one "
                          "hidden layer at most) and keep the best on validation (RMSE in ngspice; a classifier's "
                          "cross-entropy), with a table of every candidate's errors, op-amps, resistors and power "
                          "in report.json")
    fit.add_argument("--hidden", default="16", metavar="H[,H2]", type=flags.widths,
                     help=f"hidden layer widths: {flags.widths.range_text}")
    fit.add_argument("--mode", default=TrainingMode.SURROGATE.value, choices=MODES,
                     help="what is trained: an ideal network, the resistors through the surrogate, the resistors "
                          "with ngspice in the loop, or (--topology resistive) the resistors by equilibrium "
                          "propagation from ngspice's free and nudged equilibria alone, no surrogate")
    fit.add_argument("--beta", type=flags.nudging, default=0.05,
                     help=f"--mode eqprop: the nudging strength: {flags.nudging.range_text}")
    fit.add_argument("--one-sided", action="store_true",
                     help="--mode eqprop: nudge at 0 and +beta (two ngspice phases a step) instead of the "
                          "centered +beta and -beta (three)")
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
    fit.add_argument("--e-series", choices=list(SERIES),
                     help="snap every resistor to this series and fine-tune the rest")
    fit.add_argument("--e-series-pairs", action="store_true",
                     help="with --e-series: where single values of the series leave the validation RMSE above "
                          "1.2x the unsnapped circuit's, make the fewest resistors that need it two values of the "
                          "series in series (e.g. 20k + 200); bom.csv lists both parts")
    fit.add_argument("--diode", default="1N4148", type=flags.diode_part, help="diode model: " + _diode_names())
    flags.add_opamp_arguments(fit, reads_model=False)
    fit.add_argument("--resistor-range", type=flags.resistor_range, metavar="MIN:MAX",
                     help="ohms every resistor must lie in (default 1k:1M); the preferred 10 kOhm resistors move "
                          "with its geometric middle")
    fit.add_argument("--buffer-rails", type=flags.loads, metavar="N", dest="buffer_loads",
                     help="let no op-amp output drive more than N resistors: a rail with more (a wide layer's input "
                          f"inverter) is split over unity followers: {flags.loads.range_text}")
    fit.add_argument("--board-tolerance", type=flags.fraction, default=0.0, metavar="FRACTION",
                     help="simulate a built board: each resistor off by up to this fraction (e.g. 0.05): "
                          f"{flags.fraction.range_text}")
    fit.add_argument("--board-temp", type=flags.temperature, default=27.0,
                     help=f"the board's temperature, degrees Celsius: {flags.temperature.range_text}")
    fit.add_argument("--board-diode", type=flags.diode_part,
                     help="the board's diode, if not the model's: " + _diode_names())
    fit.add_argument("--board-opamp", type=flags.opamp_part, metavar="PART",
                     help="give the board's op-amps the input offsets and bias currents of this part, drawn from its "
                          "data sheet (docs/opamp-offsets.md): " + _opamp_part_names())
    fit.add_argument("--start-from", metavar="MODEL.json",
                     help="continue training this model's circuit (from its resistor values, no pretraining) "
                          "instead of a new one: with --mode spice-loop and --board-*, calibrate the circuit against "
                          "one built board (chip in the loop). Its topology, widths, op-amp, volts per unit and "
                          "resistor range are the model's (don't give those flags); the data must have the model's "
                          "inputs, outputs and data scaling, and no test row may be one that trained or validated the "
                          "model (split it as that fit did: the same data and --seed)")
    fit.add_argument("--board-seed", type=flags.seed, default=1,
                     help=f"seed of the board's resistor errors (and op-amp offsets): {flags.seed.range_text}")
    fit.add_argument("--volts-per-unit", type=flags.volts_per_unit, default=1.0,
                     help="volts per circuit unit: larger signals make a diode's knee relatively sharper, within "
                          f"the parts' operating limits: {flags.volts_per_unit.range_text}")
    fit.add_argument("--scale", choices=["auto", "none"], default="auto",
                     help="auto: map every data column that reaches beyond +-2 onto the circuits' +-1 window (the "
                          "model stores the mapping; simulate, export and compare apply it); none: data units are "
                          "circuit units")
    fit.add_argument("--search", action="store_true",
                     help="first choose hidden width, lam and lr on validation data (parallel workers; the "
                          "validation RMSE in ngspice, or a classifier's validation cross-entropy); with --topology "
                          "auto the trials are shared out between the topologies")
    fit.add_argument("--workers", type=flags.workers,
                     help="classifiers: parallel ngspice chunks of the test split (default: one per core): "
                          f"{flags.workers.range_text}")
    fit.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                     help="classifiers: simulate the test split's chunks on this Dask cluster")
    fit.add_argument("--out", help="output folder (created if missing)")
    fit.add_argument("--json", action="store_true", help="print report.json")


def _target_names() -> list[str]:
    from ..training.data import TARGETS
    return list(TARGETS)


def _dataset_names() -> list[str]:
    from ..training.classes import DATASETS
    return list(DATASETS)


def _dataset_help() -> str:
    from ..training.classes import DATASETS
    return "; ".join(f"{name}: {about}" for name, about in DATASETS.items())


def _diode_names() -> str:
    from ..model.devices import DIODE_LIBRARY
    return ", ".join(DIODE_LIBRARY)


def _opamp_part_names() -> str:
    from ..model.opamp_parts import OPAMP_PARTS
    return ", ".join(OPAMP_PARTS)


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


