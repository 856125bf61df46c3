"""The ``circuitnet`` command: a thin layer over the Python API.

Results go to stdout (``--json`` for one machine-readable document); errors go to stderr as
one line naming the bad value. Exit status: 0 success, 1 the work failed (e.g. ngspice),
2 a usage or input error, 130 stopped by Ctrl-C (``fit`` keeps the best model so far and
can be resumed). ``--debug`` (or CIRCUITNET_DEBUG=1) shows tracebacks.
"""

from __future__ import annotations

import os
import shlex
import sys
import warnings
from pathlib import Path

from ..errors import (
    CircuitnetError,
    OperatingLimitError,
    RealisationError,
    SimulationError,
    SlowSolverWarning,
    SurrogateLimitError,
    UsageError,
)
from ..util.allocator import keep_freed_memory
from ..util.finite_json import json_text
from .parser import build_parser, join_range_values, subcommand_of

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# What a command can do where the surrogate does not model the circuit (SurrogateLimitError),
# in its own flags: simulate can leave the surrogate out; compare runs it beside ngspice at
# every point, so only a narrower sweep helps (other commands: the message's own remedies).
SURROGATE_REMEDY = {
    "simulate": "; or simulate it in ngspice alone: --backend spice",
    "compare": "; compare runs the surrogate beside ngspice at every point of --x, so narrow --x, or run "
               "`circuitnet simulate MODEL --backend spice` for ngspice alone",
}
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C


def command_export(args) -> int:
    from ..backends.spice.netlist import data_file_for, netlist_text
    from ..formats import modelfile
    from ..util.atomic import write_text_atomically

    circuit = circuit_from_flags(modelfile.load(args.model), args)
    output = Path(args.output)
    data_file = data_file_for(output)  # a name ngspice's wrdata reads whole: my circuit.cir -> my_circuit.dat
    if args.tran:
        from ..backends.spice.transient import transient_netlist_text
        dynamics, x = _transient_settings(args, circuit)
        made_by = "circuitnet " + shlex.join(args.argv)
        write_text_atomically(output, transient_netlist_text(circuit, x, dynamics, args.step_time, args.rise_time,
                                                             args.temp, data_file, made_by))
        print(f"wrote {output} ({circuit.topology}, {len(x)} input steps of {args.step_time:g} s, op-amps "
              f"{dynamics.name}); run it with: ngspice -b {shlex.quote(str(output))} (writes {data_file})")
        return _export_status(circuit, x)
    if args.x is not None or args.inputs is not None:
        raise UsageError("--x and --inputs give the steps of --tran; a DC export takes --sweep or --op")
    from ..model.sweep import sweep_for
    sweep = None if args.op else sweep_for(circuit.data_record, args.sweep)
    made_by = "circuitnet export " + shlex.join([args.model, "-o", args.output]
                                                + (["--op"] if args.op else ["--sweep", str(sweep)]))
    text = netlist_text(circuit, sweep=sweep, data_file=data_file, command=made_by)
    write_text_atomically(output, text)
    print(f"wrote {output} ({circuit.topology}, {circuit.resistor_count()} resistors); "
          f"run it with: ngspice -b {shlex.quote(str(output))} (writes {data_file})")
    return _export_status(circuit)


def _export_status(circuit, x=None) -> int:
    """export's exit status: 1, with a warning naming the worst part and the remedy, when the
    written circuit leaves its parts' safe operating area (``export_limits``), else 0."""
    from .export_limits import export_limits_warning
    warning = export_limits_warning(circuit, x)
    if warning:
        print(f"circuitnet export: {warning}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def command_neuron(args) -> int:
    from ..analysis.elbow import compare_elbow

    result = compare_elbow(args.topology, args.w, args.b, args.x, diode=args.diode,
                           volts_per_unit=args.volts_per_unit)
    beyond = args.spice.violations(result.circuit, result.x[:, None])  # a deviation from there is no built elbow's
    if beyond:
        print(f"circuitnet neuron: relu({args.w:g} x {args.b:+g}) over {args.x} takes {len(beyond)} part(s) outside "
              f"their safe operating area, so no built elbow gives its deviation; the worst: {beyond[0].message()}; "
              f"nothing written (exit status 1): give a smaller --w, --b or --x, or a lower --volts-per-unit",
              file=sys.stderr)
        return EXIT_FAILED
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
        print(json_text(summary))
    else:
        print(f"{args.topology} elbow relu({args.w:g} x {args.b:+g}) with {result.circuit.diode.name}, "
              f"{result.x.size} points: max deviation {summary['max_deviation_mV']:.4g} mV, "
              f"RMS {summary['rms_deviation_mV']:.4g} mV" + (f"; plot: {args.plot}" if args.plot else ""))
    return EXIT_OK


def command_simulate(args) -> int:
    from ..backends.ideal import IdealBackend
    from ..backends.registry import simulate, simulate_sweep
    from ..errors import InputShapeError
    from ..formats import modelfile
    from ..formats.datafile import read_circuit_inputs
    from ..model.sweep import default_sweep
    from .parser import DATA_RANGE
    from .simulate_limits import beyond_message, limits_by_row, simulated_by_row
    from .simulate_outputs import class_lines, column_names, csv_lines, inside_rows, json_outputs, summary_line

    circuit = circuit_from_flags(modelfile.load(args.model), args)
    record = circuit.data_record
    if args.x is not None:
        if circuit.n_inputs != 1:
            raise InputShapeError(f"{args.model} has {circuit.n_inputs} inputs; --x sweeps one-input models, "
                                  f"give the samples with --inputs FILE.csv")
        if args.x is DATA_RANGE and record is None:
            raise UsageError(f"{args.model} records no training data range (it was not made by fit); give the "
                             f"sweep: --x START:STOP:N")
        sweep = default_sweep(record) if args.x is DATA_RANGE else args.x
        result = simulate_sweep(circuit, sweep, backend=_backend_of(args), temperature_c=args.temp)
    elif args.backend == "spice":  # the outputs and their limits check from the same ngspice run
        result, found, beyond = simulated_by_row(args.spice, circuit, read_circuit_inputs(args.inputs, circuit),
                                                 args.temp)
    else:
        result = simulate(circuit, read_circuit_inputs(args.inputs, circuit), backend=_backend_of(args),
                          temperature_c=args.temp)
    if args.x is not None or args.backend != "spice":
        found, beyond = limits_by_row(args.spice, circuit, result.x, args.temp)  # rows beyond a limit: marked
    ideal = IdealBackend().simulate(circuit, result.x).y
    ngspice = args.spice.ngspice_info()
    if found:
        print(f"circuitnet simulate: warning: {len(found)} part(s) leave their safe operating area, so no built "
              f"circuit gives these outputs; the worst: {found[0].message()}", file=sys.stderr)
        print(beyond_message(beyond, args.raw_outputs), file=sys.stderr)
    if args.json:
        inputs, outputs = column_names(circuit)
        print(json_text({"model": args.model, "topology": circuit.topology, "backend": args.backend,
                         "temperature_c": args.temp, "input_names": inputs, "output_names": outputs,
                         "x": result.x.tolist(), **json_outputs(circuit, result, beyond, args.raw_outputs),
                         "ideal": ideal.tolist(), "violations": [v.to_dict() for v in found],
                         "ngspice": ngspice.to_dict(), "opamps": opamp_summary(circuit)}))
    elif args.csv:
        print("\n".join(csv_lines(circuit, result, ideal, beyond, args.raw_outputs)))
    else:
        shown = result if args.raw_outputs else inside_rows(result, beyond)
        setting = f"{args.backend} at {args.temp:g} C"
        summary = ("no sample stays inside every part's limits, so no output is given" if shown is None
                   else summary_line(circuit, shown, ideal[[args.raw_outputs or not w for w in beyond]], setting))
        from .opamp_report import opamp_line
        print("\n".join(class_lines(circuit, result, beyond, args.raw_outputs) + [
            f"{summary}; {ngspice.describe()}. Use --json or --csv for the values.",
            opamp_line(opamp_summary(circuit))]))  # fit's and compare's line: count, packages, supply power
    return EXIT_FAILED if any(beyond) and not args.raw_outputs else EXIT_OK


def circuit_from_flags(circuit, args):
    """The model's circuit with --opamp and --supply applied (see opamp_choice)."""
    from .opamp_choice import circuit_from_flags as chosen
    return chosen(circuit, args)


def transient_dynamics(circuit, rails_v=None):
    from .opamp_choice import transient_dynamics as dynamics
    return dynamics(circuit, rails_v)


def opamp_summary(circuit) -> dict:
    from ..backends.opamp_summary import opamp_summary as summary
    return summary(circuit)


def _backend_of(args):
    """simulate --backend: the command's SpiceBackend for ``spice``, else the name (the
    surrogate and ideal backends hold no workers)."""
    return args.spice if args.backend == "spice" else args.backend


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
            if "val_accuracy" in state.history:
                self.bar.set_postfix(val_accuracy=f"{100 * state.history['val_accuracy'][-1]:.1f}%")
            else:
                self.bar.set_postfix(val_rmse=f"{state.history['val'][-1] ** 0.5:.4f}")

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def samples(self):
        return _count_bar("ngspice", "sample")


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
    print(f"circuitnet fit: {cause}; {kept}{_how_to_go_on(run, out)}", file=sys.stderr)
    return EXIT_INTERRUPTED if interrupted else EXIT_FAILED


def _how_to_go_on(run, out: Path) -> str:
    """What to type to finish a stopped fit: --resume, or for a topology choice (which keeps no
    checkpoints) the same command again."""
    if getattr(run, "resumable", True):
        return f"continue with: circuitnet fit --resume {out}"
    return "the topology choice keeps no checkpoints: run the same command again to compare every candidate"


def _driving(args):
    """How the CLI drives a fit: progress bars and messages on stderr, the executor of its flags."""
    from ..training.session import Driving
    from ..util.executor import executor_for
    return Driving(progress=_ProgressBar(), spice=args.spice, executor=executor_for(args.scheduler, args.workers),
                   tell=lambda text: print(text, file=sys.stderr))


# fit flags that say how to run a resumed run, not what it trains: the only ones --resume takes
RESUME_FLAGS = ("--resume", "--workers", "--scheduler", "--json", "--debug")


def _check_resumable(args, out: Path) -> None:
    """--resume keeps the run's own settings: refuse a setting typed beside it (it would be
    ignored without a word)."""
    typed = [word.split("=")[0] for word in args.argv if word.startswith("--")]
    ignored = [flag for flag in typed if flag not in RESUME_FLAGS]
    if ignored:
        raise UsageError(f"{ignored[0]} can't change a resumed run: --resume {out} continues with the settings the "
                         f"run started with; leave {ignored[0]} out, or start a new run with --out")


# fit flags that set the circuit's structure, or choose it: a --start-from run takes it from its model
STRUCTURE_FLAGS = ("--topology", "--hidden", "--diode", "--opamp", "--supply", "--volts-per-unit", "--resistor-range",
                   "--buffer-rails", "--search")


def _started_config(args, config, split):
    """--start-from MODEL: ``config`` with the model's structure (training.warm_start), checked
    against the data before anything is written; a structure flag typed beside it is refused."""
    from dataclasses import replace

    from ..training import warm_start
    from ..training.fit_state import FitContext
    typed = [word.split("=")[0] for word in args.argv if word.startswith("--")]
    fixed = [flag for flag in typed if flag in STRUCTURE_FLAGS]
    if fixed:
        raise UsageError(f"{fixed[0]} can't change the circuit --start-from {args.start_from} continues: its "
                         f"topology, widths, parts, volts per unit and resistor range are the model's; leave "
                         f"{fixed[0]} out")
    config = warm_start.started_config(replace(config, start_from=warm_start.absolute(args.start_from)))
    FitContext.of(split, config, spice=None)  # refuses a model that does not fit the data, before any file
    return config


def command_fit(args) -> int:
    from ..errors import CircuitnetError

    command = "circuitnet " + shlex.join(args.argv)
    if args.resume:
        out = Path(args.resume)
        started = _resume_fit(args, out)
    else:
        if not args.out:
            raise CircuitnetError("give --out DIR: the folder for model.json, report.json and the plots")
        if not (args.target or args.data or args.dataset or args.images):
            raise CircuitnetError("give --target NAME, --data FILE.csv, --dataset NAME or --images FILE "
                                  "(or --resume DIR)")
        out = Path(args.out)
        started = _start_fit(args, out)
    if isinstance(started, int):  # finished or interrupted before the fit: its exit status
        return started
    return _finish_fit(args, started, out, command)


def _resume_fit(args, out: Path):
    """--resume: the Planned run to go on with (training.session), or the exit status when
    there is nothing to fit (a finished run, or a search interrupted again)."""
    from ..training import run_folder, session

    _check_resumable(args, out)
    if run_folder.is_finished(out):  # nothing to resume: say so, and leave its files as they are
        print(f"circuitnet fit: {out} holds a finished run; nothing to resume, its files are unchanged "
              f"(start a new run with --out)", file=sys.stderr)
        _print_report(args, run_folder.read_report(out), out)
        return EXIT_OK
    return _unless_search_interrupted(lambda: session.resume(out, _driving(args)))


def _start_fit(args, out: Path):
    """A new fit into ``out``: the Planned run (training.session), or EXIT_INTERRUPTED when
    its --search was interrupted."""
    from ..training import session
    from ..training.config import FitConfig
    from .fit_data import check_unscaled_data, choose_data

    if args.supply is not None and args.opamp is None:  # else ignored, after the whole fit
        raise UsageError("--supply sets a real op-amp's supply; a fit without --opamp has the generic op-amp, "
                         "which has none: give --opamp PART too")
    split, description, task = choose_data(args)
    if args.scale == "none":
        check_unscaled_data(split, description, args.topology, args.volts_per_unit)
    board = None
    if args.board_tolerance or args.board_temp != 27.0 or args.board_diode or args.board_opamp:
        board = {"tolerance": args.board_tolerance, "seed": args.board_seed, "temperature_c": args.board_temp,
                 "diode": args.board_diode}
        if args.board_opamp:
            board.update(opamp_offsets=True, opamp_part=args.board_opamp)
    config = FitConfig(topology=args.topology, hidden=args.hidden, mode=args.mode,
                       epochs=args.epochs, lr=args.lr, lam=args.lam, batch_size=args.batch_size,
                       patience=args.patience, seed=args.seed, e_series=args.e_series,
                       e_series_pairs=args.e_series_pairs, diode=args.diode,
                       board=board, scale=args.scale == "auto", volts_per_unit=args.volts_per_unit,
                       opamp=args.opamp, supply_v=15.0 if args.supply is None else args.supply,
                       resistor_range=None if args.resistor_range is None else list(args.resistor_range),
                       buffer_loads=None if args.buffer_loads is None else int(args.buffer_loads),
                       beta=args.beta, centered=not args.one_sided, **task)
    if args.start_from:
        config = _started_config(args, config, split)
    return _unless_search_interrupted(lambda: session.start(split, config, out, description, args.search,
                                                            _driving(args)))


def _unless_search_interrupted(planning):
    """planning()'s Planned run, or EXIT_INTERRUPTED after saying how to resume a search
    stopped by Ctrl-C (its finished trials are kept)."""
    from ..training.session import SearchInterrupted
    try:
        return planning()
    except SearchInterrupted as stopped:
        print(f"circuitnet fit: {stopped}; continue with: circuitnet fit --resume {stopped.folder}", file=sys.stderr)
        return EXIT_INTERRUPTED


def _finish_fit(args, planned, out: Path, command: str) -> int:
    """Run the planned fit, write its files and print its report; the exit status."""
    from ..training import run_folder
    from ..util.atomic import write_text_atomically
    from .fit_writers import write_fit_outputs

    run = planned.run
    try:
        result = planned.fit()
        write_fit_outputs(out, result, run.split, run.data_description, command, args.spice)
        (out / run_folder.VIOLATIONS).unlink(missing_ok=True)  # this circuit is within its limits
    except (KeyboardInterrupt, SimulationError) as error:  # e.g. a second Ctrl-C while measuring
        return _stopped_fit(run, out, error)
    except RealisationError as error:  # found only once trained: nothing of this run can be resumed
        run_folder.remove_run(out, resumed=bool(args.resume))
        raise RealisationError(f"{error} (resistor_range is a Python API setting; on the command line use --scale "
                               f"auto, a smaller --volts-per-unit, or a larger --lam); the run's files in {out} "
                               f"were removed") from None
    except OperatingLimitError as error:  # no figures, and no model, for a circuit that can't be built
        write_text_atomically(out / "violations.json",
                              json_text([v.to_dict() for v in error.violations], indent=2) + "\n")
        print(f"circuitnet fit: {str(error).rstrip('.')}; every part outside its limits is in "
              f"{out / 'violations.json'}",
              file=sys.stderr)
        return EXIT_FAILED
    _print_report(args, result.report, out)
    if result.interrupted:
        print(f"circuitnet fit: interrupted; kept the best model so far in {out}/ "
              f"({_how_to_go_on(run, out)})", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK


def _print_report(args, report: dict, out: Path) -> None:
    """fit's result on stdout: report.json with --json, else its main figures in one line."""
    if args.json:
        print(json_text(report))
    elif "test_accuracy_spice" in report:
        print(f"{report['hyperparameters']['topology']} classifier, {report['hyperparameters']['mode']} mode: test "
              f"accuracy {100 * report['test_accuracy_spice']:.2f} % (ngspice{_on_the_board(report)}, "
              f"{report['test_samples']} samples at {report['spice_samples_per_second']:.0f}/s), "
              f"{100 * report['test_accuracy_surrogate']:.2f} % (surrogate{_nominal(report)}), "
              f"{100 * report['test_accuracy_ideal']:.2f} % (ideal read-back); "
              f"{_class_changes(report)}; "
              f"{report['pruned_weights']} weights pruned{_snapping_summary(report)}; {_seconds_summary(report)}. "
              f"Wrote {out}/")
    else:
        print(f"{report['hyperparameters']['topology']} circuit, {report['hyperparameters']['mode']} mode: "
              f"test RMSE {report['test_rmse_spice']:.4g} (ngspice{_on_the_board(report)}), "
              f"{report['test_rmse_surrogate']:.4g} (surrogate{_nominal(report)}), {report['test_rmse_ideal']:.4g} "
              f"(ideal read-back); train {report['train_rmse']:.4g}, "
              f"validation {report['val_rmse']:.4g}{_snapping_summary(report)}; {_seconds_summary(report)}. "
              f"Wrote {out}/")
    if "opamps" in report and not args.json:  # which op-amp model every figure used, and its supply
        from .opamp_report import opamp_line
        print(opamp_line(report["opamps"]))
    if "topology_choice" in report and not args.json:
        from .topology_table import choice_table
        print("\n".join([f"chose {report['topology_choice']['chosen']} on {report['topology_choice']['criterion']}:",
                          *choice_table(report["topology_choice"])]))


def _on_the_board(report: dict) -> str:
    """', on the board: resistors within +-5 % (seed 1), 60 C' when fit trained for a board
    (--board-*): ngspice measures that board, the surrogate the nominal circuit, so the
    two figures differ and the line must say why."""
    return f" on the board: {report['board']}" if report["hyperparameters"].get("board") else ""


def _class_changes(report: dict) -> str:
    """How many test samples the two simulations class differently: with a board, ngspice's is
    the board and the surrogate's the nominal circuit, so the difference is the board's."""
    changed = report["class_changes_surrogate_vs_spice"]
    if report["hyperparameters"].get("board"):
        return f"{changed} sample(s) class differently on the board (ngspice) than on the nominal circuit (surrogate)"
    return f"{changed} sample(s) change class between surrogate and ngspice"


def _nominal(report: dict) -> str:
    return ", the nominal circuit at 27 C" if report["hyperparameters"].get("board") else ""


def _seconds_summary(report: dict) -> str:
    """'147.1 s', or with --topology auto the whole fit's time and each candidate's:
    '420.2 s for 3 candidates (diode 147.1 s, passive 60.0 s, precision 213.1 s)'."""
    rows = [row for row in report.get("topology_choice", {}).get("candidates", []) if "seconds" in row]
    if not rows:
        return f"{report['seconds']:.1f} s"
    each = ", ".join(f"{row['topology']} {row['seconds']:.1f} s" for row in rows)
    return f"{report['seconds']:.1f} s for {len(rows)} candidate(s) ({each})"


def _snapping_summary(report: dict) -> str:
    """'; E24: test RMSE 0.0111 before snapping, 0.0121 after' (accuracy for a classifier), or
    nothing for a fit without --e-series."""
    snapping = report.get("e_series")
    if not snapping:
        return ""
    series = snapping["series"]
    if report.get("hyperparameters", {}).get("e_series_pairs"):
        series += f" with {snapping['series_pairs']} series pair(s)"
    if "test_accuracy_spice_before" in snapping:
        return (f"; {series}: test accuracy {100 * snapping['test_accuracy_spice_before']:.2f} % before "
                f"snapping, {100 * snapping['test_accuracy_spice_after']:.2f} % after")
    return (f"; {series}: test RMSE {snapping['test_rmse_spice_before']:.4g} before snapping, "
            f"{snapping['test_rmse_spice_after']:.4g} after")


def _compare_imported(args):
    """compare --netlist: (an ImportedComparison, curves, title) of an imported netlist's fitted network."""
    from ..analysis.compare import compare_netlist
    from ..errors import CircuitnetError

    if args.opamp or args.supply or args.transient:
        raise UsageError("--opamp, --supply and --transient work on a model file's circuit; an imported netlist has "
                         "its own parts")
    if args.model or not (args.input and args.output):
        raise CircuitnetError("with --netlist give --input SOURCE and --output NODE, and no model file")
    path = Path(args.netlist)
    try:
        text = path.read_bytes()
    except OSError as error:
        raise CircuitnetError(f"{path}: can't read it: {error.strerror or error}") from None
    numbers, curves = compare_netlist(text, path.name, args.input, args.output, args.hidden,
                                      args.x, args.seed, spice=args.spice, folder=path.parent)
    return numbers, curves, f"imported netlist {path.name}"


def command_compare(args) -> int:
    from ..analysis.compare import compare_circuit
    from ..errors import CircuitnetError
    from ..util.executor import executor_for
    from .report import compare_summary, write_report

    if args.netlist:
        numbers, curves, title = _compare_imported(args)
    else:
        if not args.model:
            raise CircuitnetError("give a model file, or --netlist FILE.cir")
        from ..formats import modelfile
        circuit = circuit_from_flags(modelfile.load(args.model), args)
        executor = executor_for(args.scheduler, args.workers)
        from .compare_data import classifier_held_out, held_out_data, is_classifier, judged_as_classifier
        if (args.dataset or args.images) and not is_classifier(circuit):
            why = "it records no class labels" if circuit.data_record is not None else "it has one output"
            raise CircuitnetError(f"{args.model} is a regressor ({why}); --dataset and "
                                  f"--images hold class labels, which only a classifier is compared on: compare it "
                                  f"with --data FILE.csv (inputs and target)")
        if judged_as_classifier(args, circuit):
            from ..analysis.classifier_compare import compare_classifier
            x, truth, test_split = classifier_held_out(args, circuit)
            numbers, curves = compare_classifier(circuit, x, truth, args.temps, args.montecarlo, args.tolerance,
                                                 args.is_spread, args.seed, _accuracy_threshold(args.yield_threshold),
                                                 executor, progress=_count_bar("Monte Carlo boards", "board"),
                                                 spice=args.spice)
            numbers.test_split = test_split
            title = f"{args.model}: {circuit.topology} classifier on {test_split['data']}"
        else:
            from ..model.sweep import sweep_for
            sweep = sweep_for(circuit.data_record, args.x)
            data = held_out_data(args.model, circuit, args.data, args.y_column)
            numbers, curves = compare_circuit(circuit, sweep, args.temps, args.montecarlo,
                                              args.tolerance, args.is_spread, args.seed,
                                              _deviation_threshold(args.yield_threshold),
                                              executor, spice=args.spice,
                                              progress=_count_bar("Monte Carlo boards", "board"), data=data)
            title = f"{args.model}: {circuit.topology} circuit"
            x = sweep.inputs(circuit.n_inputs)
        numbers.opamps = opamp_summary(circuit)
        if args.transient:
            import numpy as np

            from ..backends.spice.transient import transient
            steps = x[np.unique(np.linspace(0, len(x) - 1, min(TRANSIENT_STEPS, len(x))).round().astype(int))]
            numbers.transient = curves["transient"] = transient(circuit, steps, transient_dynamics(circuit),
                                                                args.step_time, spice=args.spice)
    if not args.netlist:
        curves["record"] = circuit.data_record  # names the columns and classes in the figures
    numbers.ngspice = args.spice.ngspice_info().to_dict()
    written = write_report(args.out, numbers, curves, title)
    if args.json:
        print(json_text(numbers.to_dict()))
    else:
        print("\n".join(compare_summary(numbers, title) + [f"wrote {len(written)} files into {args.out}/: "
                                                           + ", ".join(Path(p).name for p in written.values())]))
    return _compare_status(getattr(numbers, "violations", None) or [])


def _compare_status(violations: list[dict]) -> int:
    """compare's exit status: 1 when a part of the circuit leaves its safe operating area (its
    figures there are no built circuit's; the report says which parts), else 0."""
    if not violations:
        return EXIT_OK
    worst = violations[0]
    print(f"circuitnet compare: {len(violations)} part(s) leave their safe operating area, so no built circuit "
          f"gives these figures; the worst: {worst['element']} {worst['quantity']} {worst['value']:.4g} "
          f"{worst['unit']} (limit {worst['limit']:.4g}) at {worst['temperature_c']:g} C; the report lists every "
          f"part (exit status 1)", file=sys.stderr)
    return EXIT_FAILED


def _transient_settings(args, circuit):
    """(op-amp dynamics, input steps (k, n_inputs) data units) from transient's flags."""
    from ..formats.datafile import read_circuit_inputs
    if args.x is not None:
        if circuit.n_inputs != 1:
            raise UsageError(f"--x steps one input; this model has {circuit.n_inputs}: give --inputs FILE.csv")
        x = args.x.inputs(1)
    elif args.inputs is not None:
        x = read_circuit_inputs(args.inputs, circuit)
    else:
        raise UsageError("give the input steps: --x START:STOP:N or --inputs FILE.csv")
    if not args.rise_time < args.step_time:
        raise UsageError(f"--rise-time {args.rise_time:g} s must be shorter than --step-time {args.step_time:g} s")
    return transient_dynamics(circuit, args.rails), x


def command_transient(args) -> int:
    from ..backends.spice.bandwidth import bandwidth
    from ..backends.spice.transient import transient
    from ..formats import modelfile
    from .transient_outputs import transient_summary, write_transient_outputs

    circuit = circuit_from_flags(modelfile.load(args.model), args)
    dynamics, x = _transient_settings(args, circuit)
    beyond = args.spice.violations(circuit, x, args.temp)  # a step outside a part's limits settles no built board
    if beyond:
        print(f"circuitnet transient: at its DC answer to these steps, {len(beyond)} part(s) leave their safe "
              f"operating area, so no built circuit settles to it; the worst: {beyond[0].message()}; nothing "
              f"written (exit status 1): give steps inside the training range, or an op-amp part or supply with "
              f"more swing", file=sys.stderr)
        return EXIT_FAILED
    result = transient(circuit, x, dynamics, args.step_time, args.rise_time, args.settle, args.temp, args.spice)
    found = bandwidth(circuit, x[0], dynamics, temperature_c=args.temp, spice=args.spice) if args.ac else None
    result, written = write_transient_outputs(args.out, result, found, circuit.data_record)
    if args.json:
        print(json_text(result.to_dict()))
    else:
        print("\n".join(transient_summary(result) + [f"wrote {', '.join(Path(p).name for p in written)} into "
                                                        f"{args.out}/"]))
    return EXIT_OK


TRANSIENT_STEPS = 20  # compare --transient: input steps of its transient section, at most


def _deviation_threshold(value: float | None) -> float:
    """--yield-threshold for a regressor: a max deviation, data units."""
    from ..analysis.yields import REGRESSION_YIELD_DEVIATION
    return REGRESSION_YIELD_DEVIATION if value is None else value


def _accuracy_threshold(value: float | None) -> float:
    """--yield-threshold for a classifier: an accuracy, a fraction from 0 to 1."""
    from ..analysis.yields import CLASSIFIER_YIELD_ACCURACY
    from ..errors import UsageError
    if value is None:
        return CLASSIFIER_YIELD_ACCURACY
    if value > 1:
        raise UsageError(f"--yield-threshold {value:g}: for a classifier it is an accuracy; give a fraction from 0 "
                         f"to 1 (e.g. {CLASSIFIER_YIELD_ACCURACY:g})")
    return value


def command_build(args) -> int:
    from .build_command import command_build as build
    return build(args)


def command_spice():
    """The SpiceBackend a command runs on, a context manager that owns its worker pool: one
    worker per core, each started when first needed (a command that never simulates starts
    none), all stopped when the command ends, however it ends. Every simulation of the
    command goes to it."""
    from ..backends.spice.backend import SpiceBackend
    return SpiceBackend()


COMMANDS = {"export": command_export, "neuron": command_neuron, "simulate": command_simulate, "fit": command_fit,
            "compare": command_compare, "transient": command_transient, "build": command_build}


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


def _show_warning(message, category, filename, lineno, file=None, line=None, _default=warnings.showwarning):
    """circuitnet's own notes as one line on stderr; any other warning as Python shows it."""
    if issubclass(category, SlowSolverWarning):
        print(f"circuitnet: note: {message}", file=sys.stderr)
    else:
        _default(message, category, filename, lineno, file, line)


def main(argv: list[str] | None = None) -> int:
    argv = join_range_values(list(sys.argv[1:] if argv is None else argv))
    command = subcommand_of(argv)
    parser = build_parser(full={command} if command else set())  # only its flags: --help imports nothing heavy
    try:
        args = parser.parse_args(argv)
    except UsageError as error:  # a bad flag: one line, before any work
        print(error, file=sys.stderr)
        return EXIT_USAGE
    args.argv = argv  # what the user typed after 'circuitnet', recorded in fit's netlist
    debug = args.debug or os.environ.get("CIRCUITNET_DEBUG") == "1"
    keep_freed_memory()  # this process is ours: trade freed memory for surrogate speed (util/allocator.py)
    warnings.showwarning = _show_warning
    try:
        with command_spice() as args.spice:  # the command's ngspice workers, stopped when it ends
            return COMMANDS[args.command](args)
    except SimulationError as error:
        if debug:
            raise
        remedy = SURROGATE_REMEDY.get(args.command, "") if isinstance(error, SurrogateLimitError) else ""
        print(f"circuitnet {args.command}: simulation failed: {error}{remedy}", file=sys.stderr)
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
