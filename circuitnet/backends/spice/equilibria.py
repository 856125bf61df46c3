"""Equilibria of one sample set in ngspice, with currents injected at chosen nodes: the free
and nudged phases of equilibrium propagation (``training/eqprop.py``).

Each phase is the sample-set analysis of ``backend`` (one ``.dc`` of a ``sample_index``
source, every input a ``pwl`` B source over the samples) with one more B source per nudged
node: ``I = pwl(v(sample_index), 0, i_0, 1, i_1, ...)`` amperes into that node at each
sample. A phase's samples are cut into the chunks verification uses (``sharded.chunk_bounds``)
and every chunk of every phase goes to the worker pool in one ``map``: the phases of a step
run side by side on all workers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...model.circuit import Circuit
from ...model.elements import Element
from ...topologies import netlist_lines
from .backend import INDEX_NODE, sample_input_sources, save_lines
from .sharded import chunk_bounds
from .workers import WorkerPool

Currents = dict  # node name -> (n,) amperes injected into it, one per sample


def nudged_netlist(circuit: Circuit, x: np.ndarray, currents: Currents | None, temperature_c: float,
                   nodes: Sequence[str]) -> str:
    """A sample-set netlist of x (circuit units, (m, n_inputs)) with ``currents`` (node -> (m,)
    amperes) injected, saving ``nodes`` and the outputs."""
    if len(x) == 1:  # pwl needs two points
        x = np.vstack([x, x])
        currents = {node: np.repeat(values, 2) for node, values in (currents or {}).items()}
    sources = [Element(f"V{INDEX_NODE}", (INDEX_NODE, "0"), "DC 0", "source"),
               *sample_input_sources(circuit, x * circuit.volts_per_unit)]
    for node, amperes in (currents or {}).items():
        pairs = ", ".join(f"{i}, {a:.17g}" for i, a in enumerate(amperes))
        # a current source from ground to the node: SPICE's current flows from its first node,
        # through the source, to its second, so this one drives the current into ``node``
        sources.append(Element(f"Bnudge_{node}", ("0", node), f"I = pwl(v({INDEX_NODE}), {pairs})", "source"))
    lines = [f"* circuitnet equilibrium phase: {circuit.topology}, {len(x)} samples",
             *netlist_lines(circuit, input_elements=sources, temperature_c=temperature_c),
             *save_lines(circuit, nodes), f".dc V{INDEX_NODE} 0 {len(x) - 1} 1", ".end"]
    return "\n".join(lines) + "\n"


def equilibria(pool: WorkerPool, circuit: Circuit, x: np.ndarray, phases: Sequence[Currents | None],
               temperature_c: float, nodes: Sequence[str]) -> list[dict[str, np.ndarray]]:
    """For each phase (None: nothing injected), node -> (n,) volts of every node in ``nodes``
    at every row of x (circuit units): all phases' chunks simulated in one pool ``map``."""
    bounds = chunk_bounds(len(x))
    jobs = []
    for currents in phases:
        for start, stop in bounds:
            part = None if currents is None else {node: values[start:stop] for node, values in currents.items()}
            jobs.append(nudged_netlist(circuit, x[start:stop], part, temperature_c, nodes))
    results = pool.map(jobs)
    found = []
    for p in range(len(phases)):
        chunks = results[p * len(bounds):(p + 1) * len(bounds)]
        found.append({node: np.concatenate([chunk[node][:stop - start] for chunk, (start, stop)
                                            in zip(chunks, bounds, strict=True)]) for node in nodes})
    return found
