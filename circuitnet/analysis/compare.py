"""How a circuit holds up as built: against itself on real boards and across temperature,
against its data, and how far it is from the ReLU network its values encode.

``compare_circuit`` sweeps input 1 (others at 0) and measures, in ngspice. Every figure
names what it is measured against (``numbers["references"]`` says each in words):

- ``nominal_spice``: the nominal circuit (exact component values) in ngspice at 27 C. Monte
  Carlo boards (every resistor drawn uniformly inside its tolerance, optionally the diodes'
  IS spread log-normally; simulated in parallel and streamed) and the other temperatures are
  judged against it: the error distribution (median, 95th percentile, worst), the envelope,
  and the yield, the share of boards within a threshold of it.
- ``data``: held-out samples (``HeldOutData``: a fit's test split, or ``--data``), when
  given: the RMSE of the nominal circuit, of each temperature and of each board on them.
- ``readback_network``: the ideal ReLU network read back from the component values. Its
  distance from the circuit is how far the circuit's function is from that network; it is
  no error of the circuit (surrogate training moves a circuit away from it on purpose, to
  absorb the diodes' knees). Each hidden neuron's rectifier output is shown against its
  ideal elbow with the max and RMS deviation, and the elbow fitted to the simulated curve.
- power: static power delivered by each source (inputs, references, op-amp outputs) and
  dissipated in the resistors and diodes, over the sweep (max and mean).

Every number goes into one typed record (``compare_results.RegressionComparison``, whose
``to_dict`` is compare.json); the curves behind them into ``curves``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..backends.ideal import IdealBackend
from ..backends.result import SimulationResult
from ..backends.spice.backend import SpiceBackend, owns_spice_for_call, simulate_circuits, sweep_netlist
from ..backends.spice.power import OPAMP_SUPPLY_NOT_MODELLED, static_power
from ..backends.surrogate import SurrogateBackend
from ..model import nodes
from ..model.circuit import Circuit
from ..model.sweep import Sweep
from ..topologies import read_back
from ..util.executor import LocalExecutor
from .compare_results import (
    DataFigures,
    Distribution,
    ErrorSummary,
    ImportedComparison,
    ImportedFigures,
    MonteCarloFigures,
    NetworkFigures,
    NeuronRow,
    PowerFigures,
    RegressionComparison,
    Spread,
    TemperatureRow,
)
from .held_out import HeldOutData
from .montecarlo import beyond_rows, inside_limits, monte_carlo
from .yields import REGRESSION_YIELD_DEVIATION

NOMINAL_TEMPERATURE_C = 27.0
# What each figure is measured against, in words: compare.json's "references".
REFERENCES = {
    "nominal_spice": "the nominal circuit (exact component values) in ngspice at 27 C, over the same sweep",
    "readback_network": "the ideal ReLU network the component values encode (read back from them): how far the "
                        "circuit's function is from it, not an error of the circuit",
    "surrogate": "the differentiable surrogate of the same circuit",
}



def error_summary(error: np.ndarray) -> ErrorSummary:
    error = np.asarray(error, dtype=float)
    return ErrorSummary(float(np.max(np.abs(error))), float(np.sqrt(np.mean(error ** 2))))


def fit_elbow(x: np.ndarray, h: np.ndarray, rising: bool) -> dict:
    """The hinge ``c + slope * max(0, x - x0)`` (``max(0, x0 - x)`` when not rising) that fits
    h(x) best in least squares, x0 searched over the sweep points."""
    best: tuple[float, float, float, float] | None = None
    for x0 in x:
        basis = np.maximum(0.0, (x - x0) if rising else (x0 - x))
        design = np.column_stack([np.ones_like(x), basis])
        coefficients, *_ = np.linalg.lstsq(design, h, rcond=None)
        residual = float(np.sum((design @ coefficients - h) ** 2))
        if best is None or residual < best[0]:
            best = (residual, float(x0), float(coefficients[1]), float(coefficients[0]))
    assert best is not None  # x holds the sweep's points (at least 2)
    residual, x0, slope, offset = best
    return {"position": x0, "slope": slope if rising else -slope, "offset": offset,
            "rms_residual": float(np.sqrt(residual / len(x)))}


def ideal_knee(x: np.ndarray, h: np.ndarray) -> float | None:
    """Where the ideal rectifier output leaves zero along the sweep, if it does: the active
    side's straight line extended back to zero."""
    active = h > 1e-12
    if active.all() or not active.any():
        return None
    first = int(np.flatnonzero(np.diff(active.astype(int)))[0])
    j = first + 1 if active[first + 1] else first  # the first active point next to the edge
    k = j + 1 if (j + 1 < len(x) and active[j + 1]) else j - 1
    slope = (h[k] - h[j]) / (x[k] - x[j])
    return float(x[j] - h[j] / slope) if slope != 0 else float(x[j])


def neuron_comparison(circuit: Circuit, x: np.ndarray, ideal: SimulationResult,
                      spice: SimulationResult) -> list[NeuronRow]:
    net = read_back(circuit)
    x_scale = 1.0 if circuit.data_scaling is None else float(circuit.data_scaling.x_scale[0])  # per data unit
    rows = []
    for stage, width in enumerate(circuit.hidden_sizes):
        scale = circuit.stages[stage].required("activation_scale") * circuit.volts_per_unit
        for unit in range(width):
            name = nodes.neuron(stage, unit, "h")
            ideal_h, spice_h = ideal.nodes[name], spice.nodes[name]
            deviation = spice_h - ideal_h
            rising = bool(net.layers[0].weights[unit, 0] >= 0) if stage == 0 else bool(ideal_h[-1] >= ideal_h[0])
            fitted = fit_elbow(x[:, 0], spice_h / scale[unit], rising)
            knee = ideal_knee(x[:, 0], ideal_h)
            rows.append(NeuronRow(name, stage, unit, max_deviation_v=float(np.max(np.abs(deviation))),
                                  rms_deviation_v=float(np.sqrt(np.mean(deviation ** 2))),
                                  ideal_knee=knee, fitted_knee=fitted["position"],
                                  knee_shift=None if knee is None else fitted["position"] - knee,
                                  fitted_slope=fitted["slope"],
                                  ideal_slope=(float(net.layers[stage].weights[unit, 0] / x_scale) if stage == 0
                                               else None),
                                  fit_rms_residual=fitted["rms_residual"]))
    return rows


def power_figures(circuit: Circuit, sweep: Sweep, spice_backend) -> tuple[PowerFigures, dict]:
    """(static power over the sweep, its curves) (see ``static_power``): max and mean of each
    figure, watts, with the op-amps' supply and output stages (``opamp_supply``: None where the
    generic op-amp model leaves them out, and ``opamp_supply_note`` says so); the curves: x and
    the power in the resistors, the diodes and delivered, (n,) watts each."""
    from ..model.opamp_parts import describe_opamp
    vectors = spice_backend.run_netlist(sweep_netlist(circuit, sweep, save_all=True))
    power = static_power(circuit, vectors, sweep.n)

    def spread(values: np.ndarray) -> Spread:
        return Spread(float(np.max(values)), float(np.mean(values)))

    summary = {name: spread(p) for name, p in power["delivered"].items()}
    summary["op-amp outputs"] = spread(power["opamps"])
    total, in_resistors, in_diodes = power["total"], power["resistors"], power["diodes"]
    modelled = power["opamp_supply_modelled"]
    dissipated = in_resistors + in_diodes + power["opamp_supply"] + power["opamp_output_stage"]
    figures = PowerFigures(describe_opamp(circuit.opamp), summary, spread(total), spread(in_resistors),
                           spread(in_diodes),
                           opamp_supply=spread(power["opamp_supply"]) if modelled else None,
                           opamp_output_stage=spread(power["opamp_output_stage"]) if modelled else None,
                           opamp_supply_note=None if modelled else OPAMP_SUPPLY_NOT_MODELLED,
                           balance_max_w=float(np.max(np.abs(total - dissipated))))
    return figures, {"x": sweep.values(), "resistors": in_resistors, "diodes": in_diodes, "delivered": total}


def held_input_values(circuit: Circuit, sweep: Sweep) -> dict[str, float]:
    """{input name: value, data units} of every input the sweep holds still (inputs 2..n),
    named by the circuit's data record, else x2..xn; {} for a one-input circuit."""
    record = circuit.data_record
    names = list(record.input_names) if record is not None else [f"x{k + 1}" for k in range(circuit.n_inputs)]
    values = sweep.held_values(circuit.n_inputs)
    return {name: float(value) for name, value in zip(names[1:], values[1:], strict=True)}


@owns_spice_for_call
def compare_circuit(circuit: Circuit, sweep: Sweep, temperatures=(27.0,), montecarlo: int = 0,
                    tolerance: float = 0.01, is_spread: float = 0.0, seed: int = 0,
                    yield_threshold: float = REGRESSION_YIELD_DEVIATION, executor=None, spice=None,
                    progress: Callable[[int, int], None] | None = None,
                    data: HeldOutData | None = None) -> tuple[RegressionComparison, dict]:
    """(numbers, curves): see the module docstring. Errors are in data units unless named _v.
    yield_threshold: a board passes when its max |y - nominal circuit in ngspice| over the
    sweep is at most this. data: held-out samples to judge against as well, or None.
    progress(boards done, boards) is called as the Monte Carlo boards come in. spice: the
    backend every ngspice run goes to (default: one made for this call, closed after)."""
    assert spice is not None  # given, or made for this call (owns_spice_for_call)
    executor = executor or LocalExecutor()
    x = sweep.inputs(circuit.n_inputs)
    ideal = IdealBackend().simulate(circuit, x)
    surrogate = SurrogateBackend().simulate(circuit, x)
    nominal = spice.simulate(circuit, x)
    nominal_on_data = None if data is None else spice.simulate(circuit, data.x).y
    rows, by_temperature = temperature_figures(circuit, x, temperatures, nominal.y, ideal.y, executor, data,
                                               nominal_on_data, spice)
    curves = {"x": x[:, 0], "ideal": ideal, "surrogate": surrogate, "spice": nominal, "temperatures": by_temperature}
    boards = None
    if montecarlo > 0:
        streamed = monte_carlo(circuit, x, nominal.y, montecarlo, tolerance, seed, is_spread, executor,
                               progress, None if data is None else (data.x, data.y), spice)
        boards = montecarlo_figures(streamed, montecarlo, tolerance, is_spread, seed, yield_threshold)
        boards.opamp_offsets = circuit.opamp.part  # the part whose offsets each board drew
        curves["montecarlo"] = {name: streamed[name] for name in ("low", "high", "median_board")}
    power, curves["power"] = power_figures(circuit, sweep, spice)
    network = NetworkFigures(error_summary(nominal.y - ideal.y), error_summary(surrogate.y - ideal.y),
                             error_summary(nominal.y_volts - surrogate.y_volts))
    numbers = RegressionComparison(
        circuit.topology, str(sweep), list(circuit.hidden_sizes), held_input_values(circuit, sweep),
        dict(REFERENCES, **({} if data is None else {"data": data.source})), network,
        neuron_comparison(circuit, x, ideal, nominal),
        "readback_network",  # each rectifier output against its ideal elbow
        None if data is None else data_figures(circuit, data, nominal_on_data), rows, boards, power,
        # at every temperature compared, over the sweep and the data the figures are measured on:
        # a part outside its safe operating area makes the rest moot
        [{"temperature_c": float(t), **v.to_dict()} for t in temperatures
         for v in spice.violations(circuit, x if data is None else np.vstack([x, data.x]), float(t))])
    return numbers, curves


def data_figures(circuit: Circuit, data: HeldOutData, nominal_on_data) -> DataFigures:
    """The nominal circuit (its outputs on the data already simulated), the surrogate and the
    read-back network on held-out data."""
    return DataFigures(data.source, int(len(data.x)), data.held_out, data.fit_rows, data.heading, data.advice,
                       data.rmse(nominal_on_data), data.rmse(SurrogateBackend().simulate(circuit, data.x).y),
                       data.rmse(IdealBackend().simulate(circuit, data.x).y))


def temperature_figures(circuit: Circuit, x: np.ndarray, temperatures, nominal_y: np.ndarray, ideal_y: np.ndarray,
                        executor, data: HeldOutData | None = None, nominal_on_data: np.ndarray | None = None,
                        spice: SpiceBackend | None = None) -> tuple[list[TemperatureRow], dict]:
    """(one row per temperature, {temperature: output over the sweep, shape (n,)}).

    Each row: the output over the sweep x against the nominal circuit in ngspice at 27 C
    (nominal_y, (n, n_outputs)) and against the read-back network (ideal_y), and with data
    the RMSE on them (nominal_on_data: the 27 C outputs there, already simulated; given
    whenever data is). spice: the backend the other temperatures run on (default: one of
    each task's own)."""
    points = x if data is None else np.vstack([x, data.x])  # one simulation per temperature for both
    asked = [float(t) for t in temperatures]
    others = sorted({t for t in asked if t != NOMINAL_TEMPERATURE_C})
    batches = executor.map(simulate_circuits, [([circuit], points, t, spice) for t in others])
    runs = dict(zip(others, (batch[0].y for batch in batches), strict=False))
    runs[NOMINAL_TEMPERATURE_C] = nominal_y if nominal_on_data is None else np.vstack([nominal_y, nominal_on_data])
    rows, outputs = [], {}
    for t in asked:
        y = runs[t][:len(x)]
        rows.append(TemperatureRow(t, error_summary(y - nominal_y), error_summary(y - ideal_y),
                                   None if data is None else data.rmse(runs[t][len(x):])))
        outputs[t] = y[:, 0]
    return rows, outputs


def montecarlo_figures(streamed: dict, count: int, tolerance: float, is_spread: float, seed: int,
                       yield_threshold: float) -> MonteCarloFigures:
    """compare.json's "montecarlo" from ``monte_carlo``'s results (see MonteCarloFigures)."""
    worst = streamed["errors"]
    on_data = streamed["data_rmse"]
    inside = inside_limits(streamed["beyond"])
    return MonteCarloFigures(
        count, tolerance, is_spread, seed, distribution(worst), yield_threshold,
        float(np.mean((worst <= yield_threshold) & inside)),
        "a board passes when every part stays in its safe operating area and its max |output - the nominal "
        "circuit in ngspice| over the sweep is at most yield_threshold (data units)",
        worst.tolist(),
        boards_beyond_limits=int(np.sum(~inside)),
        per_board_beyond_limits=beyond_rows(streamed["beyond"]),
        board_vs_data_rmse=None if on_data is None else distribution(on_data),
        per_board_vs_data_rmse=None if on_data is None else on_data.tolist())


def distribution(values: np.ndarray) -> Distribution:
    """median, 95th percentile and largest of one figure over the boards."""
    return Distribution(float(np.median(values)), float(np.percentile(values, 95)), float(np.max(values)))


@owns_spice_for_call
def compare_netlist(text: str | bytes, name: str, source: str, output: str, hidden: int = 1,
                    sweep: Sweep | None = None, seed: int = 0, spice=None,
                    folder=None) -> tuple[ImportedComparison, dict]:
    """Simulate an imported one-input circuit's DC transfer curve and fit the best ideal ReLU
    network of ``hidden`` neurons to it: (numbers, curves).

    text: the netlist (untrusted: parsed against the allow-list, then re-emitted).
    folder: the netlist file's folder, where its ``.include`` / ``.lib`` files may be.
    source: the independent V source to sweep (volts, over ``sweep``, default 0:2:201).
    output: the node whose voltage is the output.
    """
    from ..errors import NetlistImportError
    from ..formats.importer import parse_netlist
    from ..topologies.shared_blocks import ACCURACY_OPTIONS
    from ..training.ideal_problem import fit_curve
    imported = parse_netlist(text, name, folder)
    source_name = source.lower()
    if source_name not in imported.sources:
        raise NetlistImportError(f"{name}: {source} is not an independent source of the netlist; "
                                 f"its sources: {', '.join(imported.sources) or 'none'}")
    output_node = imported.node(output)  # a top-level node, or x1.mid inside an instance, as ngspice names it
    sweep = sweep or Sweep(0.0, 2.0, 201)
    body = [line for line in imported.lines if line.lower() != ".end"]
    netlist = "\n".join(["* imported by circuitnet", *body, ACCURACY_OPTIONS, f".save {output_node}",
                         f".dc {source_name} {sweep.start:.17g} {sweep.stop:.17g} {sweep.step:.17g}", ".end"]) + "\n"
    assert spice is not None  # given, or made for this call (owns_spice_for_call)
    vectors = spice.run_netlist(netlist)
    x, y = sweep.values()[:, None], vectors[output_node][:, None]
    net = fit_curve(x, y, hidden, seed=seed)
    (w1, b1), (w2, b2) = ((layer.weights, layer.biases) for layer in net.layers)
    fitted = net.forward(x)[:, 0]
    elbows = [{"position": float(-b1[j] / w1[j, 0]) if w1[j, 0] != 0 else None,
               "slope": float(w1[j, 0] * w2[0, j]), "output_weight": float(w2[0, j]),
               "direction": "rising" if w1[j, 0] > 0 else "falling"} for j in range(hidden)]
    numbers = ImportedComparison(ImportedFigures(name, source, output, hidden, str(sweep),
                                                 sorted(elbows, key=lambda e: e["position"] or 0.0),
                                                 list(imported.skipped), list(imported.included), float(b2[0]),
                                                 error_summary(fitted - y[:, 0])))
    return numbers, {"x": x[:, 0], "transfer": y[:, 0], "fitted": fitted}
