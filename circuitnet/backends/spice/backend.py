"""The SPICE backend: a circuit and its inputs become one ngspice analysis in a worker.

- A sweep of the first input (``sweep``) is one ``.dc`` of its source, the same analysis the
  exported netlist runs.
- Any set of samples, for any number of inputs (``simulate``), is one ``.dc`` of a
  ``sample_index`` source from 0 to N-1 in steps of 1, with every input a B source
  ``pwl(v(sample_index), 0, x_0, 1, x_1, ...)``: exact at the integer points, one parse
  for the whole set, and each point starts Newton from its neighbour's solution: several
  times the points per second of ``alter`` + ``op`` per sample (benchmarks/RESULTS.md), and
  equal to per-point ``.op`` to well under a microvolt (tested). The samples are simulated in
  an order that puts neighbours together (``ordering``), which saves Newton iterations, and
  come back in the caller's order.
"""

from __future__ import annotations

import functools
import inspect
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

import numpy as np

from ...errors import InputShapeError, SimulationError
from ...model import nodes
from ...model.circuit import Circuit
from ...model.element_arrays import ElementArrays
from ...model.elements import Element
from ...model.limits import DEFAULT_LIMITS, OperatingLimits, Violation, rows_beyond, violations
from ...model.network import check_inputs
from ...model.sweep import Sweep
from ...topologies import get_topology, netlist_lines
from ..protocol import ComponentGradient, Cotangent, NodeCotangent, OperatingPoint
from ..result import SimulationResult, circuit_inputs, in_data_units
from .netlist import circuit_sweep
from .ordering import inverse, neighbour_order
from .power import static_power
from .sample_set import INDEX_NODE, input_source, sample_set_template
from .solver import NgspiceInfo
from .workers import WorkerPool, task_process_pool

P = ParamSpec("P")
R = TypeVar("R")
MAX_SAMPLES = 200_000  # one analysis; larger sets are split


def reported_nodes(circuit: Circuit) -> list[str]:
    """The hidden nodes this backend reports (see Topology.reported_nodes)."""
    return get_topology(circuit.topology).reported_nodes(circuit)


def output_nodes(circuit: Circuit) -> list[str]:
    return [nodes.output_node(k, circuit.n_outputs) for k in range(circuit.n_outputs)]


def save_lines(circuit: Circuit, extra_nodes: Sequence[str] = ()) -> list[str]:
    """``.save`` the outputs and reported nodes only (and any extra nodes asked for): ngspice
    then stores (and the worker sends back) a few vectors instead of every node."""
    names = output_nodes(circuit) + reported_nodes(circuit)
    listed = set(names)
    names += [n for n in dict.fromkeys(extra_nodes) if n not in listed]  # each node saved once
    return [".save " + " ".join(names[i:i + 16]) for i in range(0, len(names), 16)]


def sweep_netlist(circuit: Circuit, sweep: Sweep, temperature_c: float = 27.0, save_all: bool = False) -> str:
    """A netlist whose analysis is a ``.dc`` of input 1 over ``sweep`` (other inputs at its held values);
    ``save_all`` keeps every node voltage and source current (for power figures). The sweep
    and the held inputs are in data units, mapped onto the circuit by its data scaling."""
    s = circuit.volts_per_unit
    start, stop, step, held = circuit_sweep(circuit, sweep)
    lines = [f"* circuitnet sweep: {circuit.topology}", *netlist_lines(circuit, held * s, temperature_c=temperature_c),
             *([] if save_all else save_lines(circuit)),
             f".dc V{nodes.input_node(0)} {start * s:.17g} {stop * s:.17g} {step * s:.17g}",
             ".end"]
    return "\n".join(lines) + "\n"


def samples_netlist(circuit: Circuit, x: np.ndarray, temperature_c: float = 27.0,
                    extra_nodes: Sequence[str] = (), save_all: bool = False) -> str:
    """A netlist that evaluates the circuit at every row of x (data units) in one ``.dc``;
    ``save_all`` keeps every node voltage (for the operating-limits check). The circuit's
    part is built once per circuit (``sample_set.sample_set_template``); only the inputs are
    written here."""
    template = sample_set_template(circuit, temperature_c)
    lines = [f"* circuitnet sample set: {circuit.topology}, {len(x)} samples",
             *template.netlist_lines(x * circuit.volts_per_unit),
             *([] if save_all else save_lines(circuit, extra_nodes)),
             f".dc V{INDEX_NODE} 0 {len(x) - 1} 1", ".end"]
    return "\n".join(lines) + "\n"


def sample_input_sources(circuit: Circuit, volts: np.ndarray) -> list[Element]:
    """The sample set's inputs: each a B source ``pwl(v(sample_index), 0, v_0, 1, v_1, ...)``
    over the rows of volts, shape (n, n_inputs)."""
    return [input_source(k, volts[:, k]) for k in range(circuit.n_inputs)]


def sample_set_elements(circuit: Circuit, temperature_c: float = 27.0) -> list[Element]:
    """The circuit's elements as a sample-set netlist has them: its inputs are B sources, whose
    branch currents the power figures read (their pwl values do not matter there)."""
    return list(sample_set_template(circuit, temperature_c).elements)


def sample_set_arrays(circuit: Circuit, temperature_c: float = 27.0) -> ElementArrays:
    """``sample_set_elements`` as arrays (``model.element_arrays``), built once per circuit and
    temperature: what the limits check and the power figures of every chunk read."""
    return sample_set_template(circuit, temperature_c).arrays


def checked_samples(circuit: Circuit, x) -> np.ndarray:
    """x as a float array (n_samples, n_inputs) of finite data-unit inputs of ``circuit``, at
    least one row; InputShapeError naming what is wrong otherwise. Only the input count is
    needed, so the circuit's network is not read back for it."""
    x = check_inputs(x, circuit.n_inputs)
    if len(x) == 0:
        raise InputShapeError("no input samples to simulate")
    return x


class SpiceBackend:
    """Simulate circuits in ngspice worker processes (``protocol.Measuring`` and, through the
    surrogate's adjoint at ngspice's operating point, ``protocol.Differentiable``).

    pool: the workers to use, owned by whoever made it (it is never closed here). Without
        one, the backend makes its own on first use (one worker per core, each started when
        first needed) and owns it: ``close()``, the end of a ``with SpiceBackend() as spice:``
        block, or the backend's garbage collection stops its workers. Make one backend and
        pass it on (``spice=``, ``backend=``) for repeated calls: each pool starts its own
        workers.
    order_samples: simulate a sample set's samples nearest-neighbour first (``ordering``);
        False keeps the caller's order (the path before, kept for benchmarks).
    """

    name = "spice"

    def __init__(self, pool: WorkerPool | None = None, order_samples: bool = True) -> None:
        self._pool = pool
        self.order_samples = order_samples
        self._own: WorkerPool | None = None  # the pool this backend made, and closes
        self._arrived = False  # unpickled in another process: see __getstate__
        self._lock = threading.Lock()

    @property
    def pool(self) -> WorkerPool:
        if self._pool is not None:
            return self._pool
        if self._arrived:
            return task_process_pool()
        with self._lock:  # a thread executor's tasks may ask at once: one pool
            if self._own is None:
                self._own = WorkerPool()
                weakref.finalize(self, self._own.close)  # a backend dropped unclosed stops its workers too
            return self._own

    @property
    def owns_pool(self) -> bool:
        """Whether this backend made its pool (and ``close`` stops its workers)."""
        return self._own is not None

    def close(self) -> None:
        """Stop the workers of the pool this backend made (a pool passed in is left alone);
        the next call makes a new one."""
        own, self._own = self._own, None
        if own is not None:
            own.close()

    def __enter__(self) -> SpiceBackend:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __getstate__(self) -> dict:
        """A backend sent to another process (a Dask task) arrives without its pool: worker
        processes belong to the process that started them. There it uses the pool of the
        process that runs the tasks (``workers.task_process_pool``)."""
        return {**self.__dict__, "_pool": None, "_own": None, "_lock": None, "_arrived": True}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _lock=threading.Lock())

    def ngspice_info(self) -> NgspiceInfo:
        """The ngspice version and linear solver (KLU or Sparse) this backend's workers use."""
        return self.pool.ngspice_info()

    def run_netlist(self, netlist: str) -> dict[str, np.ndarray]:
        """The saved vectors (name -> values) of one analysis of a netlist circuitnet wrote
        (a sweep with every vector saved, a transient, an ``.ac``), on this backend's workers:
        analyses with their own netlists run through here, never around the backend."""
        return self.pool.run(netlist)

    def sweep(self, circuit: Circuit, sweep: Sweep, temperature_c: float = 27.0) -> SimulationResult:
        """Outputs over a sweep of input 1 (other inputs at the sweep's held values), data units."""
        vectors = self.run_netlist(sweep_netlist(circuit, sweep, temperature_c))
        x = sweep.inputs(circuit.n_inputs)
        return in_data_units(self._result(circuit, circuit_inputs(circuit, x), vectors, temperature_c), circuit, x)

    def simulate(self, circuit: Circuit, x, temperature_c: float = 27.0,
                 extra_nodes: Sequence[str] = ()) -> SimulationResult:
        """Outputs at every row of x, shape (n_samples, n_inputs), data units; ``extra_nodes``
        are returned in ``nodes`` too (for the nodes a gradient is linearised at, ask
        ``operating_point``, which knows them)."""
        x = checked_samples(circuit, x)
        inside = circuit_inputs(circuit, x)
        merged = self._sample_vectors(circuit, inside, temperature_c, extra_nodes=extra_nodes)
        return in_data_units(self._result(circuit, inside, merged, temperature_c, extra_nodes), circuit, x)

    def operating_point(self, circuit: Circuit, x, temperature_c: float = 27.0
                        ) -> tuple[SimulationResult, OperatingPoint]:
        """Outputs at every row of x (data units) and ngspice's volts at the nodes a gradient is
        linearised at (``Topology.operating_point_nodes``), from one run."""
        wanted = get_topology(circuit.topology).operating_point_nodes(circuit)
        result = self.simulate(circuit, x, temperature_c, extra_nodes=wanted)
        return result, OperatingPoint({name: result.nodes[name] for name in wanted}, float(temperature_c), self.name)

    def vjp(self, circuit: Circuit, x, y_bar, temperature_c: float = 27.0,
            operating_point: OperatingPoint | None = None,
            node_bar: Mapping[str, np.ndarray] | None = None) -> tuple[SimulationResult, ComponentGradient]:
        """ngspice's outputs at x and the gradient of sum(y_bar * y) + sum(node_bar * v) over
        every component of the circuit linearised at ngspice's operating point (or the one
        given), by the surrogate's adjoint: the direction physics-aware training takes (the
        spice-loop mode)."""
        return self.gradient(circuit, x, lambda y: y_bar, temperature_c, operating_point,
                             None if node_bar is None else (lambda volts: node_bar))

    def gradient(self, circuit: Circuit, x, cotangent: Cotangent, temperature_c: float = 27.0,
                 operating_point: OperatingPoint | None = None,
                 node_cotangent: NodeCotangent | None = None) -> tuple[SimulationResult, ComponentGradient]:
        """As ``vjp``, with y_bar = cotangent(ngspice's outputs) and node_bar =
        node_cotangent(ngspice's hidden node volts)."""
        from ..surrogate import SurrogateBackend
        measured, point = self.operating_point(circuit, x, temperature_c)
        node_bar = None if node_cotangent is None else node_cotangent(measured.nodes)
        _, gradient = SurrogateBackend().vjp(circuit, x, cotangent(measured.y), temperature_c,
                                             operating_point or point, node_bar)
        return measured, gradient

    def node_voltages(self, circuit: Circuit, x, temperature_c: float = 27.0) -> dict[str, np.ndarray]:
        """Every node's voltage at every row of x (data units): node name (lower case) ->
        shape (n_samples,), volts."""
        return self._node_voltages(circuit, checked_samples(circuit, x), temperature_c)

    def _node_voltages(self, circuit: Circuit, x: np.ndarray, temperature_c: float) -> dict[str, np.ndarray]:
        """``node_voltages`` at x already checked (``checked_samples``)."""
        vectors = self._sample_vectors(circuit, circuit_inputs(circuit, x), temperature_c, save_all=True)
        return {name: values for name, values in vectors.items() if "#" not in name}

    def violations(self, circuit: Circuit, x, temperature_c: float = 27.0,
                   limits: OperatingLimits = DEFAULT_LIMITS) -> list[Violation]:
        """The parts of ``circuit`` that leave their safe operating area at the inputs x (data
        units), worst first (see ``model.limits``)."""
        x = checked_samples(circuit, x)
        return violations(circuit, sample_set_arrays(circuit, temperature_c),
                          self._node_voltages(circuit, x, temperature_c), x, limits)

    def limits_by_row(self, circuit: Circuit, x, temperature_c: float = 27.0,
                      limits: OperatingLimits = DEFAULT_LIMITS) -> tuple[list[Violation], list[str]]:
        """From one ngspice run: ``violations`` at the inputs x (data units), and for each row
        the worst limit a part crosses there in words, "" where all stay inside
        (``model.limits.rows_beyond``)."""
        _, found, beyond = self.simulate_limits_by_row(circuit, x, temperature_c, limits)
        return found, beyond

    def simulate_limits_by_row(self, circuit: Circuit, x, temperature_c: float = 27.0,
                               limits: OperatingLimits = DEFAULT_LIMITS
                               ) -> tuple[SimulationResult, list[Violation], list[str]]:
        """``simulate`` and ``limits_by_row`` from one ngspice run that keeps every vector: the
        outputs at every row of x (data units), the parts outside their limits there, worst
        first, and each row's worst limit crossed in words ("" where every part stays inside)."""
        x, run = self._every_vector(circuit, x, temperature_c)
        return (run.result, violations(circuit, run.elements, run.voltages, x, limits),
                rows_beyond(circuit, run.elements, run.voltages, len(x), limits))

    def simulate_checked(self, circuit: Circuit, x, temperature_c: float = 27.0,
                         limits: OperatingLimits = DEFAULT_LIMITS) -> tuple[SimulationResult, list[Violation],
                                                                               np.ndarray]:
        """``simulate``, ``violations`` and the static power from one ngspice run that keeps
        every vector: the outputs at every row of x (data units), the parts outside their
        limits there, and the power drawn from every source at each row, shape (n,), watts."""
        x, run = self._every_vector(circuit, x, temperature_c)
        found = violations(circuit, run.elements, run.voltages, x, limits)
        power = static_power(circuit, run.vectors, len(x), run.elements)["total"]
        return run.result, found, power

    def simulate_marked(self, circuit: Circuit, x, temperature_c: float = 27.0,
                        limits: OperatingLimits = DEFAULT_LIMITS) -> tuple[SimulationResult, list[str]]:
        """``simulate`` and, from the same ngspice run, for each row of x (data units) the worst
        limit a part crosses there in words, "" where every part stays inside
        (``model.limits.rows_beyond``): what an estimator's predict warns of, in one run."""
        x, run = self._every_vector(circuit, x, temperature_c)
        return run.result, rows_beyond(circuit, run.elements, run.voltages, len(x), limits)

    def simulate_limited(self, circuit: Circuit, x, temperature_c: float = 27.0,
                         limits: OperatingLimits = DEFAULT_LIMITS) -> tuple[SimulationResult, list[Violation]]:
        """``simulate`` and ``violations`` from one ngspice run: the outputs at every row of x
        (data units) and the parts outside their limits there, worst first. The run saves the
        outputs and the voltage of every node an element touches, which is all the check reads
        (an op-amp's output current comes from its node's voltages, ``model.currents``), and
        none of the branch currents that ``simulate_checked``'s power reads; nor does it work
        out that power. For a Monte Carlo board, which needs no power figure, that is the
        check at the least cost: on a digits board (359 samples) ngspice's load and run took
        0.605 s of CPU saving the nodes against 0.587 s saving the outputs alone, and the
        check 24 ms, where the power would add another 21 ms."""
        x = checked_samples(circuit, x)
        inside = circuit_inputs(circuit, x)
        elements = sample_set_elements(circuit, temperature_c)
        touched = sorted({node.lower() for element in elements for node in element.nodes} - {"0"})
        vectors = self._sample_vectors(circuit, inside, temperature_c, extra_nodes=touched)
        result = in_data_units(self._result(circuit, inside, vectors, temperature_c), circuit, x)
        return result, violations(circuit, elements, {node: vectors[node] for node in touched}, x, limits)

    def _every_vector(self, circuit: Circuit, x, temperature_c: float) -> tuple[np.ndarray, _EveryVector]:
        """x checked (``checked_samples``) and the sample-set run of it that keeps every vector."""
        x = checked_samples(circuit, x)
        inside = circuit_inputs(circuit, x)
        vectors = self._sample_vectors(circuit, inside, temperature_c, save_all=True)
        result = in_data_units(self._result(circuit, inside, vectors, temperature_c), circuit, x)
        return x, _EveryVector(result, vectors, {name: v for name, v in vectors.items() if "#" not in name},
                               sample_set_arrays(circuit, temperature_c))

    def _sample_vectors(self, circuit: Circuit, x: np.ndarray, temperature_c: float, extra_nodes=(),
                        save_all: bool = False) -> dict[str, np.ndarray]:
        """The saved vectors of the sample-set analyses of x, in chunks of MAX_SAMPLES, each
        simulated in neighbour order and returned in x's order."""
        chunks = [x[i:i + MAX_SAMPLES] for i in range(0, len(x), MAX_SAMPLES)]
        orders = [neighbour_order(c) if self.order_samples else np.arange(len(c)) for c in chunks]
        results = self.pool.map([samples_netlist(circuit, _at_least_two(chunk[order]), temperature_c, extra_nodes,
                                                 save_all) for chunk, order in zip(chunks, orders, strict=False)])
        undo = [inverse(order) for order in orders]  # once per chunk, not once per vector: a save-all run has thousands
        if len(results) == 1:
            return {name: values[:len(undo[0])][undo[0]] for name, values in results[0].items()}
        return {name: np.concatenate([r[name][:len(u)][u] for r, u in zip(results, undo, strict=True)])
                for name in results[0]}

    def _result(self, circuit: Circuit, x: np.ndarray, vectors: dict, temperature_c: float,
                extra_nodes: Sequence[str] = ()) -> SimulationResult:
        outputs = output_nodes(circuit)
        reported = reported_nodes(circuit) + [n for n in extra_nodes if n not in reported_nodes(circuit)]
        wanted = outputs + reported
        missing = [name for name in wanted if name not in vectors]
        if missing:
            raise SimulationError(f"ngspice returned no vector for node(s) {', '.join(missing[:5])}")
        lengths = {len(vectors[name]) for name in wanted}
        if lengths != {len(x)}:
            raise SimulationError(f"ngspice returned {sorted(lengths)} points for {len(x)} inputs")
        y_volts = np.column_stack([vectors[name] for name in outputs])
        return SimulationResult(x=x, y=y_volts / circuit.volts_per_unit, y_volts=y_volts,
                                nodes={name: vectors[name] for name in reported},
                                backend=self.name, temperature_c=float(temperature_c))


@dataclass(frozen=True)
class _EveryVector:
    """One sample-set run that kept every vector: its outputs (data units), every vector by
    name, the node voltages among them (name -> (n,), volts) and the elements as that netlist
    has them, as arrays (``sample_set_arrays``)."""

    result: SimulationResult
    vectors: dict[str, np.ndarray]
    voltages: dict[str, np.ndarray]
    elements: ElementArrays


def _at_least_two(x: np.ndarray) -> np.ndarray:
    """pwl needs two points; a single sample is simulated twice."""
    return np.vstack([x, x]) if len(x) == 1 else x


def owns_spice_for_call(function: Callable[P, R]) -> Callable[P, R]:
    """An API function that takes ``spice=`` (a SpiceBackend or None): called without one, it
    runs on a backend made for the call, whose workers stop when the call returns (or
    raises). Pass a backend for repeated calls: each call's own starts its own workers."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        bound = signature.bind(*args, **kwargs)
        if bound.arguments.get("spice") is not None:
            return function(*args, **kwargs)
        with SpiceBackend() as own:
            bound.arguments["spice"] = own
            return function(*bound.args, **bound.kwargs)
    return call


@contextmanager
def spice_for_call(spice: SpiceBackend | None) -> Iterator[SpiceBackend]:
    """The backend a call runs on: the caller's (left open), or without one a backend made
    for this call, whose workers stop when the call ends."""
    if spice is not None:
        yield spice
        return
    with SpiceBackend() as own:
        yield own


def simulate_circuits(job) -> list[SimulationResult]:
    """An executor task: simulate several circuits (e.g. Monte Carlo boards) over one input set.

    job: (circuits, x of shape (n, n_inputs) in data units, temperature in C[, spice: the
    caller's SpiceBackend, or None]). Returns each circuit's SimulationResult, simulated on
    that backend (without one, a backend for this task). Module-level so that a process or
    Dask executor can pickle it.
    """
    circuits, x, temperature, *given = job
    with spice_for_call(given[0] if given else None) as spice:
        return [spice.simulate(circuit, x, temperature) for circuit in circuits]
