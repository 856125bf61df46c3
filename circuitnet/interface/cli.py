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
    UsageError,
)
from ..util.allocator import keep_freed_memory
from ..util.finite_json import json_text
from .parser import build_parser, join_range_values

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C


def command_export(args) -> int:
    from ..backends.spice.netlist import data_file_for, netlist_text
    from ..formats import modelfile
    from ..util.atomic import write_text_atomically

    circuit = modelfile.load(args.model)
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
        return EXIT_OK
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
        print(json_text(summary))
    else:
        print(f"{args.topology} elbow relu({args.w:g} x {args.b:+g}) with {result.circuit.diode.name}, "
              f"{result.x.size} points: max deviation {summary['max_deviation_mV']:.4g} mV, "
              f"RMS {summary['rms_deviation_mV']:.4g} mV" + (f"; plot: {args.plot}" if args.plot else ""))
    return EXIT_OK


def command_simulate(args) -> int:
    import numpy as np

    from ..backends.ideal import IdealBackend
    from ..backends.registry import simulate, simulate_sweep
    from ..errors import InputShapeError
    from ..formats import modelfile
    from ..formats.datafile import read_circuit_inputs
    from ..model.sweep import default_sweep
    from .parser import DATA_RANGE
    from .simulate_outputs import class_lines, column_names, csv_lines, predicted_classes

    circuit = modelfile.load(args.model)
    record = circuit.data_record
    if args.x is not None:
        if circuit.n_inputs != 1:
            raise InputShapeError(f"{args.model} has {circuit.n_inputs} inputs; --x sweeps one-input models, "
                                  f"give the samples with --inputs FILE.csv")
        if args.x is DATA_RANGE and record is None:
            raise UsageError(f"{args.model} records no training data range (it was not made by fit); give the "
                             f"sweep: --x START:STOP:N")
        sweep = default_sweep(record) if args.x is DATA_RANGE else args.x
        result = simulate_sweep(circuit, sweep, backend=args.backend, temperature_c=args.temp)
    else:
        result = simulate(circuit, read_circuit_inputs(args.inputs, circuit), backend=args.backend,
                          temperature_c=args.temp)
    ideal = IdealBackend().simulate(circuit, result.x).y
    found = _operating_violations(circuit, result.x, args.temp)
    ngspice = _ngspice_info()
    if found:
        print(f"circuitnet simulate: warning: {len(found)} part(s) leave their safe operating area, so no built "
              f"circuit gives these outputs; the worst: {found[0].message()}", file=sys.stderr)
    classes = predicted_classes(circuit, result.y)
    if args.json:
        inputs, outputs = column_names(circuit)
        print(json_text({"model": args.model, "topology": circuit.topology, "backend": args.backend,
                         "temperature_c": args.temp, "input_names": inputs, "output_names": outputs,
                         "x": result.x.tolist(), "y": result.y.tolist(), "y_volts": result.y_volts.tolist(),
                         "ideal": ideal.tolist(), **({} if classes is None else {"predicted_class": classes}),
                         "violations": [v.to_dict() for v in found], "ngspice": ngspice.to_dict()}))
    elif args.csv:
        print("\n".join(csv_lines(circuit, result, ideal)))
    else:
        deviation = np.abs(result.y - ideal)
        print("\n".join(class_lines(circuit, result) + [
            f"{circuit.topology} circuit, {len(result.x)} point(s), {args.backend} at {args.temp:g} C: "
            f"output {result.y.min():.6g} .. {result.y.max():.6g}; max |y - ideal| = {deviation.max():.4g}, "
            f"RMS {np.sqrt(np.mean(deviation ** 2)):.4g} (data units); {ngspice.describe()}. Use --json or --csv "
            f"for the values."]))
    return EXIT_OK


def _ngspice_info():
    """The ngspice version and linear solver of this process's workers (see backends/spice/solver.py)."""
    from ..backends.spice.backend import SpiceBackend
    return SpiceBackend().ngspice_info()


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


def _fit_run(split, config, out: Path, description: dict, args, table: list | None = None):
    """The FitRun of ``config`` in ``out``; for --topology auto, the TopologyChoice between
    the candidates (each with its best settings of the search ``table``, if one ran)."""
    from ..training.run import FitRun
    from ..training.topology_choice import AUTO, TopologyChoice, candidate_configs
    from ..util.executor import executor_for
    settings = {"progress": _ProgressBar(), "data_description": description,
                "executor": executor_for(args.scheduler, args.workers)}
    if config.topology != AUTO:
        return FitRun(split, config, out, **settings)
    configs, excluded = candidate_configs(config, table)
    print(f"choosing the topology on validation data among {', '.join(configs)}...", file=sys.stderr)
    return TopologyChoice(configs, excluded, lambda candidate: FitRun(split, candidate, None, **settings))


def _search(split, config, out: Path, trials: int | None = None):
    """fit --search: choose hidden width, lam and lr on validation data, recorded in
    out/search.json round by round: (config, table), or None after Ctrl-C (the finished
    trials are kept, and the message says how to resume)."""
    from ..training import search
    also = " and the topology" if config.topology == "auto" else ""
    print(f"searching hidden width, lam, lr{also} on validation data...", file=sys.stderr)
    try:
        return search.search(split, config, folder=out, **({"trials": trials} if trials else {}))
    except KeyboardInterrupt:
        print(f"circuitnet fit: interrupted while searching; the finished trials are in {out / 'search.json'}; "
              f"continue with: circuitnet fit --resume {out}", file=sys.stderr)
        return None


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


def _searched_config(config, best):
    """The config a search leaves to fit: its best settings, or for --topology auto the
    config itself (each candidate takes its own best row of the table)."""
    from ..training.topology_choice import AUTO
    return config if config.topology == AUTO else best


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
    run, table = started
    return _finish_fit(args, run, out, table, command)


def _resume_fit(args, out: Path):
    """--resume: (the run to go on with, the search table or None), or the exit status when
    there is nothing to fit (a finished run, or a search interrupted again)."""
    from ..training import run_folder, search
    from ..training.config import FitConfig
    from ..training.run import FitRun
    from ..util.executor import executor_for

    _check_resumable(args, out)
    if run_folder.is_finished(out):  # nothing to resume: say so, and leave its files as they are
        print(f"circuitnet fit: {out} holds a finished run; nothing to resume, its files are unchanged "
              f"(start a new run with --out)", file=sys.stderr)
        _print_report(args, run_folder.read_report(out), out)
        return EXIT_OK
    searched = run_folder.read_search(out)
    if run_folder.has_checkpoint(out) or searched is None:
        run = FitRun.resume(out, progress=_ProgressBar(), executor=executor_for(args.scheduler, args.workers))
        return run, (search.ranked(searched["done"]) if searched else None)
    # stopped while searching: finish the search, then fit
    split, description = run_folder.read_data(out)
    config = FitConfig(**searched["config"])
    searched = _search(split, config, out, searched["trials"])
    if searched is None:
        return EXIT_INTERRUPTED
    best, table = searched
    return _fit_run(split, _searched_config(config, best), out, description, args, table), table


def _start_fit(args, out: Path):
    """A new fit into ``out``: (the run, the search table or None), or EXIT_INTERRUPTED when
    its --search was interrupted."""
    from ..training import run_folder
    from ..training.config import FitConfig
    from .fit_data import check_unscaled_data, choose_data

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
                       patience=args.patience, seed=args.seed, e_series=args.e_series, diode=args.diode,
                       board=board, scale=args.scale == "auto", volts_per_unit=args.volts_per_unit, **task)
    run_folder.write_data(out, split, description)  # first, so that --resume finds the run
    table = None
    if args.search:
        searched = _search(split, config, out)
        if searched is None:
            return EXIT_INTERRUPTED
        best, table = searched
        config = _searched_config(config, best)
    return _fit_run(split, config, out, description, args, table), table


def _finish_fit(args, run, out: Path, table, command: str) -> int:
    """Run the fit, write its files and print its report; the exit status."""
    from ..backends.spice.backend import SpiceBackend
    from ..training import run_folder
    from ..training.data import get_target
    from ..util.atomic import write_text_atomically
    from .classifier_outputs import write_classifier_outputs
    from .fit_outputs import write_outputs

    try:
        result = run.run()
        if table is not None:
            result.report["search"] = table
        described = run.data_description or {}
        if run.classify:
            write_classifier_outputs(out, result, run.split, described.get("image_shape"), command)
        else:
            target = get_target(described["target"]) if described.get("target") else None
            write_outputs(out, result, run.split, SpiceBackend(), target, command)
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
        print(f"circuitnet fit: {error}; every part outside its limits is in {out / 'violations.json'}",
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
              f"accuracy {100 * report['test_accuracy_spice']:.2f} % (ngspice, {report['test_samples']} samples at "
              f"{report['spice_samples_per_second']:.0f}/s), {100 * report['test_accuracy_surrogate']:.2f} % "
              f"(surrogate), {100 * report['test_accuracy_ideal']:.2f} % (ideal read-back); "
              f"{report['class_changes_surrogate_vs_spice']} sample(s) change class between surrogate and ngspice; "
              f"{report['pruned_weights']} weights pruned{_snapping_summary(report)}; {report['seconds']:.1f} s. "
              f"Wrote {out}/")
    else:
        print(f"{report['hyperparameters']['topology']} circuit, {report['hyperparameters']['mode']} mode: "
              f"test RMSE {report['test_rmse_spice']:.4g} (ngspice), {report['test_rmse_surrogate']:.4g} "
              f"(surrogate), {report['test_rmse_ideal']:.4g} (ideal read-back); train {report['train_rmse']:.4g}, "
              f"validation {report['val_rmse']:.4g}{_snapping_summary(report)}; {report['seconds']:.1f} s. "
              f"Wrote {out}/")
    if "topology_choice" in report and not args.json:
        from .topology_table import choice_table
        print("\n".join([f"chose {report['topology_choice']['chosen']} on {report['topology_choice']['criterion']}:",
                          *choice_table(report["topology_choice"])]))


def _snapping_summary(report: dict) -> str:
    """'; E24: test RMSE 0.0111 before snapping, 0.0121 after' (accuracy for a classifier), or
    nothing for a fit without --e-series."""
    snapping = report.get("e_series")
    if not snapping:
        return ""
    if "test_accuracy_spice_before" in snapping:
        return (f"; {snapping['series']}: test accuracy {100 * snapping['test_accuracy_spice_before']:.2f} % before "
                f"snapping, {100 * snapping['test_accuracy_spice_after']:.2f} % after")
    return (f"; {snapping['series']}: test RMSE {snapping['test_rmse_spice_before']:.4g} before snapping, "
            f"{snapping['test_rmse_spice_after']:.4g} after")


def _compare_imported(args) -> tuple[dict, dict, str]:
    """compare --netlist: (numbers, curves, title) of an imported netlist's fitted network."""
    from ..analysis.compare import compare_netlist
    from ..errors import CircuitnetError

    if args.opamp:
        raise UsageError("--opamp adds a transient run of a model file; an imported netlist has its own parts")
    if args.model or not (args.input and args.output):
        raise CircuitnetError("with --netlist give --input SOURCE and --output NODE, and no model file")
    path = Path(args.netlist)
    try:
        text = path.read_bytes()
    except OSError as error:
        raise CircuitnetError(f"{path}: can't read it: {error.strerror or error}") from None
    numbers, curves = compare_netlist(text, path.name, args.input, args.output, args.hidden,
                                      args.x, args.seed, folder=path.parent)
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
        circuit = modelfile.load(args.model)
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
                                                 executor, progress=_count_bar("Monte Carlo boards", "board"))
            numbers["test_split"] = test_split
            title = f"{args.model}: {circuit.topology} classifier on {test_split['data']}"
        else:
            from ..model.sweep import sweep_for
            sweep = sweep_for(circuit.data_record, args.x)
            data = held_out_data(args.model, circuit, args.data, args.y_column)
            numbers, curves = compare_circuit(circuit, sweep, args.temps, args.montecarlo,
                                              args.tolerance, args.is_spread, args.seed,
                                              0.05 if args.yield_threshold is None else args.yield_threshold,
                                              executor, progress=_count_bar("Monte Carlo boards", "board"), data=data)
            title = f"{args.model}: {circuit.topology} circuit"
            x = sweep.inputs(circuit.n_inputs)
        if args.opamp:
            import numpy as np

            from ..backends.spice.transient import transient
            from .transient_outputs import transient_document
            steps = x[np.unique(np.linspace(0, len(x) - 1, min(TRANSIENT_STEPS, len(x))).round().astype(int))]
            curves["transient"] = transient(circuit, steps, args.opamp, args.step_time)
            numbers["transient"] = transient_document(curves["transient"])
    if not args.netlist:
        curves["record"] = circuit.data_record  # names the columns and classes in the figures
    numbers["ngspice"] = _ngspice_info().to_dict()
    written = write_report(args.out, numbers, curves, title)
    if args.json:
        print(json_text(numbers))
    else:
        print("\n".join(compare_summary(numbers, title) + [f"wrote {len(written)} files into {args.out}/: "
                                                           + ", ".join(Path(p).name for p in written.values())]))
    return EXIT_OK


def _transient_settings(args, circuit):
    """(op-amp dynamics, input steps (k, n_inputs) data units) from transient's flags."""
    from ..formats.datafile import read_circuit_inputs
    from ..model.dynamics import opamp_dynamics
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
    return opamp_dynamics(args.opamp, None if args.rails is None else (-args.rails, args.rails)), x


def command_transient(args) -> int:
    from ..backends.spice.bandwidth import bandwidth
    from ..backends.spice.transient import transient
    from ..formats import modelfile
    from .transient_outputs import transient_summary, write_transient_outputs

    circuit = modelfile.load(args.model)
    dynamics, x = _transient_settings(args, circuit)
    result = transient(circuit, x, dynamics, args.step_time, args.rise_time, args.settle, args.temp)
    found = bandwidth(circuit, x[0], dynamics, temperature_c=args.temp) if args.ac else None
    document, written = write_transient_outputs(args.out, result, found, circuit.data_record)
    if args.json:
        print(json_text(document))
    else:
        print("\n".join(transient_summary(document) + [f"wrote {', '.join(Path(p).name for p in written)} into "
                                                        f"{args.out}/"]))
    return EXIT_OK


TRANSIENT_STEPS = 20  # compare --opamp: input steps of its transient section, at most


def _accuracy_threshold(value: float | None) -> float:
    """--yield-threshold for a classifier: an accuracy, a fraction from 0 to 1."""
    from ..errors import UsageError
    if value is None:
        return 0.95
    if value > 1:
        raise UsageError(f"--yield-threshold {value:g}: for a classifier it is an accuracy; give a fraction from 0 "
                         f"to 1 (e.g. 0.95)")
    return value


COMMANDS = {"export": command_export, "neuron": command_neuron, "simulate": command_simulate, "fit": command_fit,
            "compare": command_compare, "transient": command_transient}


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
    parser = build_parser()
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
