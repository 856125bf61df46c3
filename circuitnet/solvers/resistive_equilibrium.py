"""The DC equilibrium of a whole reciprocal network (resistors, junction diodes, sources) and
its exact derivatives, batched over samples.

The resistive topology couples every node to every other through its conductances: no stage
can be solved before the next, as the op-amp topologies' can. So the surrogate solves the
node equations of the whole network at once, per sample, by Newton's method, the way
ngspice does:

    F(V) = A_ff V + A_fx U + D_f^T i(D_f V + D_x U) - J = 0

V: (n, N) free node voltages (hidden nodes, output nodes);
U: (n, F) fixed node voltages (input rails, references, ground); A: the conductance
Laplacian (siemens) split into its free-free and free-fixed blocks; D: the junctions'
incidence (+1 at the anode, -1 at the cathode); i: each diode's branch current at its branch
voltage: the junction law of ``solvers.junction`` (ngspice's, GMIN included) in series with the
model's RS, whose internal node ngspice solves for and this solver eliminates exactly
(``Junction.solve_in_series``, closed form); J: (n, N) currents injected into free nodes (the
nudging currents of equilibrium propagation; 0 otherwise).

With RS, a branch's current grows at most linearly beyond its knee and plain Newton steps
settle in a few iterations. Without RS (an ideal Shockley diode) each step evaluates the
junctions at voltages limited as ngspice's ``DEVpnjlim`` limits them (an exponential's Newton
step from a cold start overshoots by volts), then solves the linearised system. Near the
solution the steps are plain Newton's: quadratic.

Derivatives by implicit differentiation: at the solution dF = J_F dV + (dF/dtheta) dtheta = 0,
so for a loss with cotangent V_bar one adjoint solve ``J_F^T lam = V_bar`` per batch gives

    dL/dg_e = -sum_n (lam_a - lam_b)(W_a - W_b)     (edge e from node a to b, lam_fixed = 0)
    dL/dU   = -lam^T (A_fx + D_f^T diag(g_j) D_x)   dL/dJ = lam

with W all node voltages. J_F is symmetric (the network is reciprocal), the Hessian of the
co-content.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import SurrogateLimitError
from .junction import Junction

TOLERANCE_V = 1e-12  # Newton stops when no node moves more than this
MAX_ITERATIONS = 300


@dataclass(frozen=True)
class NetworkGraph:
    """The wiring of a reciprocal network; values (conductances, fixed volts) come per call.

    free: names of the N nodes solved for; fixed: names of the F nodes held by sources.
    edge_a, edge_b: (E,) int, the two ends of each linear conductance, as indices into the
        combined node list ``free + fixed``.
    anode, cathode: (D,) int, each diode's terminals in the same numbering.
    series_resistance: every diode's RS, ohms (0: none).
    """

    free: tuple[str, ...]
    fixed: tuple[str, ...]
    edge_a: np.ndarray
    edge_b: np.ndarray
    anode: np.ndarray
    cathode: np.ndarray
    series_resistance: float = 0.0

    @property
    def n_free(self) -> int:
        return len(self.free)

    def incidence(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """(len(a), N + F) with +1 at a and -1 at b."""
        matrix = np.zeros((len(a), self.n_free + len(self.fixed)))
        rows = np.arange(len(a))
        matrix[rows, a] += 1.0
        matrix[rows, b] -= 1.0
        return matrix


@dataclass
class Equilibrium:
    """A solved network: every node's voltage, and what its derivatives need.

    volts: (n, N + F) volts, free nodes first then fixed (the combined numbering).
    slope: (n, D) siemens, each diode branch's dI/dv at the solution.
    """

    graph: NetworkGraph
    conductance: np.ndarray
    volts: np.ndarray
    slope: np.ndarray

    @property
    def free_volts(self) -> np.ndarray:
        return self.volts[:, :self.graph.n_free]

    def jacobian(self) -> np.ndarray:
        """(n, N, N) dF/dV at the solution, siemens."""
        return _system_matrix(self.graph, self.conductance, self.slope)

    def adjoint(self, v_bar: np.ndarray) -> np.ndarray:
        """lam (n, N) with J_F^T lam = v_bar (n, N): one batched solve."""
        return np.linalg.solve(np.swapaxes(self.jacobian(), 1, 2), v_bar[..., None])[..., 0]

    def conductance_gradient(self, lam: np.ndarray) -> np.ndarray:
        """dL/dg (E,) siemens^-1 x loss, summed over samples, for the adjoint lam (n, N)."""
        graph = self.graph
        full = np.concatenate([lam, np.zeros((len(lam), len(graph.fixed)))], axis=1)
        # sum_n (lam_a - lam_b)(W_a - W_b) from one (nodes x nodes) product: edges outnumber nodes
        moments = full.T @ self.volts
        a, b = graph.edge_a, graph.edge_b
        return -(moments[a, a] - moments[a, b] - moments[b, a] + moments[b, b])

    def fixed_gradient(self, lam: np.ndarray) -> np.ndarray:
        """dL/dU (n, F), loss per volt of each fixed node at each sample."""
        graph = self.graph
        coupling = _linear_blocks(graph, self.conductance)[1]
        d = graph.incidence(graph.anode, graph.cathode)
        d_f, d_x = d[:, :graph.n_free], d[:, graph.n_free:]
        # lam^T (A_fx + D_f^T diag(slope) D_x), sample by sample, as three matrix products
        return -(lam @ coupling + ((lam @ d_f.T) * self.slope) @ d_x)


def solve(graph: NetworkGraph, conductance: np.ndarray, fixed_volts: np.ndarray, junction: Junction,
          injected: np.ndarray | None = None, start: np.ndarray | None = None) -> Equilibrium:
    """The equilibrium of ``graph`` at every sample.

    conductance: (E,) siemens, one per edge (> 0). fixed_volts: (n, F) volts.
    injected: (n, N) amperes into each free node (default none). start: (n, N) volts to start
    Newton from (default: the network with its junctions open).
    """
    n = len(fixed_volts)
    n_free = graph.n_free
    a_ff, a_fx = _linear_blocks(graph, conductance)
    d = graph.incidence(graph.anode, graph.cathode)
    d_f, d_x = d[:, :n_free], d[:, n_free:]
    source = -fixed_volts @ a_fx.T + (0.0 if injected is None else injected)   # (n, N)
    junction_fixed = fixed_volts @ d_x.T                                        # (n, D)
    if start is None:
        start = np.linalg.solve(a_ff + 1e-12 * np.eye(n_free), source.T).T
    volts = np.array(start, dtype=float)
    rs = graph.series_resistance
    v_limited = volts @ d_f.T + junction_fixed
    v_critical = junction.vte * math.log(junction.vte / (math.sqrt(2.0) * junction.i_sat))
    v_limited = np.minimum(v_limited, v_critical)
    for _ in range(MAX_ITERATIONS):
        raw = volts @ d_f.T + junction_fixed
        v_limited = raw if rs > 0 else _limit_junction(raw, v_limited, junction.vte, v_critical)
        current, slope = branch_current(junction, rs, v_limited)
        matrix = a_ff + _junction_stamps(d_f, slope)
        # linearised: i ~ current + slope (v - v_limited), v = D_f V + D_x U
        rhs = source - (current + slope * (junction_fixed - v_limited)) @ d_f
        new = np.linalg.solve(matrix, rhs[..., None])[..., 0]
        step = float(np.max(np.abs(new - volts))) if n else 0.0
        volts = new
        if step <= TOLERANCE_V and np.allclose(raw, v_limited, rtol=0, atol=1e-9):
            break
    else:
        raise SurrogateLimitError(f"the resistive network's Newton solve did not settle in {MAX_ITERATIONS} "
                              f"iterations (last step {step:.3g} V)")
    _, slope = branch_current(junction, rs, volts @ d_f.T + junction_fixed)
    return Equilibrium(graph, np.asarray(conductance, dtype=float),
                       np.concatenate([volts, fixed_volts], axis=1), slope)


def co_content(graph: NetworkGraph, conductance: np.ndarray, volts: np.ndarray, junction: Junction,
               injected: np.ndarray | None = None) -> np.ndarray:
    """The network's co-content at node voltages ``volts`` (n, N + F): (n,) joules per second.

    E = 1/2 sum_e g_e dV_e^2 + sum_k int_0^{v_k} i(u) du - J . V_free; the equilibrium is its
    minimum over the free nodes (its gradient there is F(V) = 0 and its Hessian J_F > 0).
    The junction integral is taken on the forward branch in closed form (with GMIN) and
    numerically below -3 N Vt, where the reverse branch's current is a few IS.
    """
    drop = volts[:, graph.edge_a] - volts[:, graph.edge_b]
    energy = 0.5 * (drop * drop) @ conductance
    v = volts[:, graph.anode] - volts[:, graph.cathode]
    rs = graph.series_resistance
    if rs > 0:  # the branch's content: the junction's at its own voltage, plus RS I^2 / 2
        inner, _ = junction.solve_in_series(v, np.full(v.shape[1], rs))
        current, _ = junction.current(inner)
        energy = energy + (_junction_content(inner, junction) + 0.5 * rs * current * current).sum(axis=1)
    else:
        energy = energy + _junction_content(v, junction).sum(axis=1)
    if injected is not None:
        energy = energy - np.einsum("np,np->n", injected, volts[:, :graph.n_free])
    return energy


def branch_current(junction: Junction, rs: float, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(I, dI/dv) of a diode branch (the junction in series with rs ohms) at branch voltages v
    (n, D), amperes and siemens."""
    if rs <= 0:
        return junction.current(v)
    inner, slope = junction.solve_in_series(v, np.full(v.shape[1], rs))
    current, _ = junction.current(inner)
    return current, slope / (1.0 + rs * slope)


def _junction_content(v: np.ndarray, junction: Junction) -> np.ndarray:
    """int_0^v i(u) du for every element of v (volts), joules per second."""
    from .junction import GMIN
    vte, i_sat = junction.vte, junction.i_sat
    edge = -3.0 * vte
    forward = np.maximum(v, edge)
    content = i_sat * (vte * np.expm1(forward / vte) - forward) + 0.5 * GMIN * forward ** 2
    below = v < edge
    if below.any():  # the reverse branch: Gauss-Legendre on [v, -3 Vte]
        nodes, weights = np.polynomial.legendre.leggauss(16)
        low = v[below]
        middle, half = 0.5 * (low + edge), 0.5 * (edge - low)
        points = middle[:, None] + half[:, None] * nodes[None, :]
        current, _ = junction.current(points)
        content[below] -= half * (current @ weights)
    return content


def _linear_blocks(graph: NetworkGraph, conductance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(A_ff (N, N), A_fx (N, F)): the conductance Laplacian's rows of the free nodes, stamped
    edge by edge (a dense incidence product would cost edges x nodes)."""
    size, n_free = graph.n_free + len(graph.fixed), graph.n_free
    laplacian = np.zeros((size, size))
    a, b = graph.edge_a, graph.edge_b
    np.add.at(laplacian, (a, a), conductance)
    np.add.at(laplacian, (b, b), conductance)
    np.add.at(laplacian, (a, b), -conductance)
    np.add.at(laplacian, (b, a), -conductance)
    return laplacian[:n_free, :n_free].copy(), laplacian[:n_free, n_free:].copy()


def _system_matrix(graph: NetworkGraph, conductance: np.ndarray, slope: np.ndarray) -> np.ndarray:
    a_ff, _ = _linear_blocks(graph, conductance)
    d_f = graph.incidence(graph.anode, graph.cathode)[:, :graph.n_free]
    return a_ff + _junction_stamps(d_f, slope)


def _junction_stamps(d_f: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """(n, N, N): D_f^T diag(slope_n) D_f for every sample, stamped diode by diode (each touches
    at most four entries)."""
    n, n_free = len(slope), d_f.shape[1]
    stamps = np.zeros((n, n_free, n_free))
    for k in range(d_f.shape[0]):
        ends = np.flatnonzero(d_f[k])
        for p in ends:
            for q in ends:
                stamps[:, p, q] += d_f[k, p] * d_f[k, q] * slope[:, k]
    return stamps


def _limit_junction(new: np.ndarray, old: np.ndarray, vte: float, v_critical: float) -> np.ndarray:
    """ngspice's DEVpnjlim: a junction voltage above the critical one moves logarithmically."""
    limited = new.copy()
    jump = (new > v_critical) & (np.abs(new - old) > 2.0 * vte)
    if not jump.any():
        return limited
    from_positive = jump & (old > 0)
    argument = 1.0 + (new - old) / vte
    with np.errstate(invalid="ignore", divide="ignore"):
        up = np.where(argument > 0, old + vte * np.log(np.maximum(argument, 1e-300)), v_critical)
        cold = vte * np.log(np.maximum(new / vte, 1e-300))
    limited[from_positive] = up[from_positive]
    rest = jump & ~from_positive
    limited[rest] = cold[rest]
    return limited
