"""Run circuitnet's benchmarks, print their tables and append them to benchmarks/RESULTS.md.

    python -m benchmarks            # every case
    python -m benchmarks spice      # only the SPICE layer
    python -m benchmarks --quick    # fewer repeats and runs (a smoke test, not for RESULTS.md)

Speed targets are ratios or rates measured within one run; the machine is described in
each appended block.
"""

from __future__ import annotations

import argparse

from . import (
    build_cases,
    chunk_cases,
    classify_cases,
    compare_cases,
    eqprop_cases,
    fit_cases,
    opamp_offset_784_cases,
    opamp_offset_cases,
    opamp_winback_784_cases,
    solver_cases,
    solver_size_cases,
    spice_cases,
    surrogate_cases,
    surrogate_phases,
    transient_cases,
)
from .machine import append_results

SUITES = {
    "spice": lambda quick: [
        ("In-process 1,000-point sweep vs ngspice -b", spice_cases.sweep_case(3 if quick else 15)),
        ("10,000 consecutive simulations: memory", spice_cases.memory_case(500 if quick else 10_000)),
        ("2-input sample sets", spice_cases.samples_case(1 if quick else 5)),
    ],
    "surrogate": lambda quick: [
        ("Surrogate vs ngspice: agreement", surrogate_cases.agreement_case(2 if quick else 10)),
        ("Surrogate speed: 32 neurons x 1,000 points", surrogate_cases.speed_case(3 if quick else 15)),
    ],
    "fit": lambda quick: [
        ("Training: sin(pi x), 16 neurons, 500 points, seed 0", fit_cases.sine_case()),
        ("Training: a board that differs from its model", fit_cases.board_case()),
    ],
    "targets": lambda quick: [
        ("Training: 11 targets nobody tuned for, 16 neurons, 400 points, seed 1", fit_cases.suite_case()),
    ],
    # one block per target, appended as each is measured; --cases runs some of them
    "auto": lambda quick: fit_cases.auto_blocks(fit_cases.SUITE[:1] if quick else fit_cases.SUITE[CASES]),
    # the same suite in two halves, for two processes on a machine whose cores are shared
    "auto-1": lambda quick: [
        ("Training: --topology auto on the 11 targets (1-6), 16 neurons, 400 points, seed 1",
         fit_cases.auto_case(fit_cases.SUITE[:1] if quick else fit_cases.SUITE[:6])),
    ],
    "auto-2": lambda quick: [
        ("Training: --topology auto on the 11 targets (7-11), 16 neurons, 400 points, seed 1",
         fit_cases.auto_case(fit_cases.SUITE[6:7] if quick else fit_cases.SUITE[6:])),
    ],
    # one suite per topology, so each block is recorded as soon as it is measured
    **{f"eseries-{topology}": (lambda quick, topology=topology: [
        (f"E-series snapping, {topology}: test RMSE before and after E96 / E24 / E12, the suite's targets",
         fit_cases.eseries_case(topology, quick))]) for topology in ("diode", "passive", "precision")},
    "eseries-misses": lambda quick: fit_cases.eseries_misses_blocks(fit_cases.ESERIES_MISSES[3:4] if quick
                                                                     else fit_cases.ESERIES_MISSES),
    "knee": lambda quick: [
        ("Training: a sharper knee for the sharp-cornered targets (diode, 3 V per unit)", fit_cases.knee_case()),
    ],
    "digits": lambda quick: [
        ("Classifier: digits (8x8), 32 neurons, seed 0", classify_cases.digits_case()),
        ("Classifier: Monte Carlo of the digits circuit, 100 boards at 1 %",
         classify_cases.compare_case(10 if quick else 100)),
    ],
    "digits28": lambda quick: classify_cases.digits28_suite(),
    "solver": lambda quick: solver_cases.solver_suite(),
    "large": lambda quick: solver_cases.large_suite(),
    "solver-size": lambda quick: solver_size_cases.size_suite(quick),
    "chunk": lambda quick: chunk_cases.chunk_suite(),
    "startup": lambda quick: [("Start-up: circuitnet --help and simulate against python -c pass",
                               solver_cases.startup_case(2 if quick else 5))],
    # the floor case alone; CIRCUITNET_FLOOR_MODEL=path/model.json skips training its circuit
    "floor": lambda quick: classify_cases.floor_suite(),
    # where the surrogate's time goes in the floor case, by phase (the same model variable)
    "floor-phases": lambda quick: surrogate_phases.phases_suite(),
    "transient": lambda quick: [
        ("Transient: eight_diode over 100 input steps", transient_cases.eight_diode_case(10 if quick else 100)),
        ("Transient: the digits classifier, 20 test images as steps, four op-amp parts with their supply current",
         transient_cases.digits_case()),
    ],
    "build": lambda quick: build_cases.build_suite(),
    "eqprop": lambda quick: [
        ("Resistive circuit, sin(pi x), 16 hidden: surrogate / spice-loop / eqprop, nominal and a 1 % board at 60 C",
         eqprop_cases.eqprop_case(quick)),
    ],
    "eqprop-digits": lambda quick: [
        ("Resistive circuit, digits (8x8), 32 hidden: surrogate and eqprop", eqprop_cases.digits_case(quick)),
    ],
    # issue #18: Monte Carlo boards with their op-amps' data-sheet offsets (benchmarks/opamp_offset_cases.py)
    "opamp-offsets": lambda quick: opamp_offset_cases.digits_suite(),
    # the 784-100-10 classifier: CIRCUITNET_DIGITS28_MODEL skips training (opamp_offset_784_cases.py)
    "opamp-offsets-784": lambda quick: opamp_offset_784_cases.boards_suite(),
    "opamp-offsets-784-energy": lambda quick: opamp_offset_784_cases.energy_suite(),
    "opamp-offsets-784-recover": lambda quick: opamp_offset_784_cases.recover_suite(),
    "opamp-offsets-784-winback": lambda quick: opamp_winback_784_cases.winback_suite(),
    "opamp-offsets-recover": lambda quick: opamp_offset_cases.recover_suite(),
    "compare": lambda quick: [
        ("Monte Carlo: 1,000 boards, 16 neurons, 201 points", compare_cases.montecarlo_case(100 if quick else 1000)),
    ],
}

HALVES = ("auto-1", "auto-2")  # parts of another suite: not in the default "every suite"
CASES = slice(None)  # --cases: which of the auto suite's targets to run


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("suites", nargs="*", choices=[[], *SUITES], default=[], metavar="SUITE",
                        help=f"which suites to run: {', '.join(SUITES)} (default: all but {', '.join(HALVES)})")
    parser.add_argument("--quick", action="store_true", help="fewer repeats; results are not recorded")
    parser.add_argument("--cases", metavar="A-B", help="auto: only the suite's targets A to B (1-based, inclusive), "
                                                      "to share them between processes")
    args = parser.parse_args()
    if args.cases:
        global CASES
        first, last = (int(n) for n in args.cases.split("-"))
        CASES = slice(first - 1, last)
    for name in args.suites or [name for name in SUITES if name not in HALVES]:
        print(f"# {name}", flush=True)
        for title, table in SUITES[name](args.quick):  # a suite is a list (or generator) of (title, table)
            if not args.quick:
                append_results(title, table)


if __name__ == "__main__":
    main()
