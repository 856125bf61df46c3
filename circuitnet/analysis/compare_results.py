"""compare.json of a regression circuit and of an imported netlist, as typed records.

``compare_circuit`` returns a ``RegressionComparison`` and ``compare_netlist`` an
``ImportedComparison``; each ``to_dict()`` writes compare.json's keys in the file's order
(``util.records.record_dict``: a field's name is its key unless it names another), and the
report's sections read the attributes. The CLI fills in ``opamps``, ``transient`` and
``ngspice`` before it writes the file. docs/file-formats.md's compare tables are generated
from these fields (``analysis.compare_format``; tests/test_compare_results.py checks them).
Errors are in data units unless the name ends in _v (volts) or _w (watts).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ..backends.spice.transient_results import TransientResult
from ..util.records import Record, described


@dataclass
class ErrorSummary(Record):
    """The largest magnitude and the RMS of a difference over a sweep (or a set of samples)."""

    max_abs: float = described("largest magnitude of the difference")
    rms: float = described("root mean square of the difference")


@dataclass
class Distribution(Record):
    """One figure over the Monte Carlo boards: its median, 95th percentile and largest."""

    median: float = described("median over the boards")
    p95: float = described("95th percentile over the boards")
    worst: float = described("largest over the boards")


@dataclass
class Spread(Record):
    """A static power over the sweep, watts: its largest and its mean."""

    max_w: float = described("largest over the sweep, watts")
    mean_w: float = described("mean over the sweep, watts")


@dataclass
class NetworkFigures(Record):
    """The nominal circuit against the network its values encode, and ngspice against the surrogate."""

    circuit_vs_readback_network: ErrorSummary = described(
        "the circuit (ngspice) against the ReLU network read back from its values, data units: how far its "
        "function is from that network, no error of the circuit")
    surrogate_vs_readback_network: ErrorSummary = described("the surrogate against the same network, data units")
    spice_vs_surrogate_v: ErrorSummary = described("ngspice against the surrogate at the output, volts")

    def comparisons(self) -> dict[str, ErrorSummary]:
        """{field name: its summary}, in order: the network table's rows."""
        return {item.name: getattr(self, item.name) for item in fields(self)}


@dataclass
class NeuronRow(Record):
    """One hidden neuron's rectifier output in ngspice against its ideal elbow in the read-back network."""

    node: str = described("the rectifier output's node")
    layer: int = described("the hidden layer, from 0")
    unit: int = described("the neuron in its layer, from 0")
    max_deviation_v: float = described("largest magnitude of ngspice - ideal over the sweep, volts")
    rms_deviation_v: float = described("RMS of ngspice - ideal over the sweep, volts")
    ideal_knee: float | None = described("where the ideal output leaves zero along the sweep (None: it does not)")
    fitted_knee: float = described("the knee of the hinge fitted to ngspice's curve")
    knee_shift: float | None = described("fitted_knee - ideal_knee")
    fitted_slope: float = described("the fitted hinge's slope, per data unit")
    ideal_slope: float | None = described("the first layer's weight per data unit (None in deeper layers)")
    fit_rms_residual: float = described("RMS residual of the fitted hinge")


@dataclass
class DataFigures(Record):
    """The nominal circuit, the surrogate and the read-back network on the data compare was
    given, and what those data are: held out, the fit's own, or not known."""

    source: str = described("where the samples come from, in words")
    samples: int = described("how many")
    held_out: bool | None = described("true when no row trained or validated the model, false when some did, "
                                      "null when not known (a model file without row digests)")
    fit_rows: int | None = described("how many of the rows trained or validated the model (null: not known)")
    heading: str = described("what the data are, in words, as the summary and the report say")
    advice: str = described("how to get a held-out figure, for data not known to be held out (empty otherwise)")
    circuit_vs_data_rmse: float = described("RMSE of the circuit in ngspice on them, data units")
    surrogate_vs_data_rmse: float = described("RMSE of the surrogate")
    readback_network_vs_data_rmse: float = described("RMSE of the read-back network")

    def comparisons(self) -> dict[str, float]:
        """{field name: RMSE} of the three comparisons, in order: the data table's rows."""
        return {item.name: getattr(self, item.name) for item in fields(self) if item.name.endswith("_rmse")}


@dataclass
class TemperatureRow(Record):
    """The output over the sweep at one temperature."""

    temperature_c: float = described("degrees Celsius")
    vs_nominal_spice: ErrorSummary = described("against the nominal circuit in ngspice at 27 C, data units")
    vs_readback_network: ErrorSummary = described("against the read-back network, data units")
    vs_data_rmse: float | None = described("with held-out data: the RMSE on it at this temperature",
                                           omit_none=True, default=None)


@dataclass
class MonteCarloFigures(Record):
    """Boards with every resistor drawn within its tolerance, each judged against the nominal circuit."""

    instances: int = described("boards")
    tolerance: float = described("resistor tolerance, a fraction")
    is_spread: float = described("log-normal spread of the diodes' IS (sigma of ln IS)")
    seed: int = described("board k is drawn from seed (seed, k)")
    board_vs_nominal_spice_max_abs: Distribution = described(
        "each board's largest deviation from the nominal circuit over the sweep, over the boards, data units")
    yield_threshold: float = described("a board passes at a max deviation of at most this, data units")
    yield_fraction: float = described("the share of boards that pass", key="yield")
    yield_reference: str = described("what a board is judged against, in words")
    per_board_vs_nominal_spice_max_abs: list[float] = described("every board's max deviation, board order")
    board_vs_data_rmse: Distribution | None = described("with held-out data: each board's RMSE on it",
                                                        omit_none=True, default=None)
    per_board_vs_data_rmse: list[float] | None = described("with held-out data: every board's RMSE",
                                                           omit_none=True, default=None)
    opamp_offsets: str | None = described("the op-amp part whose input offsets each board drew (None: no offsets)",
                                          default=None)
    boards_beyond_limits: int = described("boards with a part outside its safe operating area at a point of the "
                                          "sweep or the data (an op-amp past a rail...): each fails the yield",
                                          default=0)
    per_board_beyond_limits: list[dict] = described("each such board: its k and its worst part, in words",
                                                    default_factory=list)


@dataclass
class PowerFigures(Record):
    """Static power over the sweep: delivered by each source, dissipated in each kind of part."""

    opamp_model: str = described("the op-amp model the figures used, in words")
    delivered: dict[str, Spread] = described("per source (each input, each reference, the op-amp outputs)")
    delivered_total: Spread = described("by every source together")
    dissipated_resistors: Spread = described("in the resistors")
    dissipated_diodes: Spread = described("in the diodes")
    opamp_supply: Spread | None = described("the op-amps' quiescent supply (None: the generic op-amp has none)")
    opamp_output_stage: Spread | None = described("in the op-amps' output stages (None as above)")
    opamp_supply_note: str | None = described("why the op-amps' supply is not included, or None")
    balance_max_w: float = described("largest magnitude of delivered - dissipated over the sweep, watts: the "
                                     "books balance")


@dataclass
class RegressionComparison(Record):
    """compare.json of a regression circuit (``compare_circuit``, then the CLI's additions)."""

    topology: str = described("the circuit's topology")
    sweep: str = described("the sweep of input 1, START:STOP:N, data units")
    hidden: list[int] = described("hidden layer widths")
    held_inputs: dict[str, float] = described("the other inputs and the values the sweep holds them at")
    references: dict[str, str] = described("what each figure is measured against, in words, by name")
    network: NetworkFigures = described("the nominal circuit against the read-back network and the surrogate")
    neurons: list[NeuronRow] = described("one row per hidden neuron: its rectifier output against its ideal elbow")
    neurons_reference: str = described("what the neurons' rows are measured against (`readback_network`)")
    data: DataFigures | None = described("with held-out data (`--data`, or the fit's test split)", omit_none=True)
    temperatures: list[TemperatureRow] = described("one row per temperature of `--temps`")
    montecarlo: MonteCarloFigures | None = described("with `--montecarlo N`", omit_none=True)
    power: PowerFigures = described("static power over the sweep")
    violations: list[dict] = described("every part outside its safe operating area, at each temperature (one "
                                       "object per part and quantity, worst first); empty when none")
    opamps: dict | None = described("the op-amp model, the op-amp and package counts and their supply power",
                                    omit_none=True, default=None)
    transient: TransientResult | None = described("with `--transient`: transient.json's document for a few of "
                                                  "the sweep's points", omit_none=True, default=None)
    ngspice: dict | None = described("the ngspice version and linear solver that measured the figures",
                                     omit_none=True, default=None)


@dataclass
class ImportedFigures(Record):
    """An imported netlist's transfer curve and the ReLU network fitted to it."""

    netlist: str = described("the netlist's file name")
    input: str = described("the swept source")
    output: str = described("the output node")
    hidden: int = described("neurons of the fitted network")
    sweep: str = described("the sweep, START:STOP:N, volts")
    elbows: list[dict] = described("the fitted elbows (position, slope, output weight, direction), by position")
    skipped: list[str] = described("the cards skipped (circuitnet runs its own sweep)")
    included: list[str] = described("the files read with .include / .lib")
    output_bias: float = described("the fitted network's output bias, volts")
    deviation: ErrorSummary = described("the fitted network against the transfer curve, volts")


@dataclass
class ImportedComparison(Record):
    """compare.json of an imported netlist (``compare_netlist``, then the CLI's ngspice)."""

    imported: ImportedFigures = described("the netlist, its sweep, and the fitted network")
    ngspice: dict | None = described("the ngspice version and linear solver", omit_none=True, default=None)


__all__ = ["DataFigures", "Distribution", "ErrorSummary", "ImportedComparison", "ImportedFigures",
           "MonteCarloFigures", "NetworkFigures", "NeuronRow", "PowerFigures", "RegressionComparison",
           "Spread", "TemperatureRow"]
