"""A circuit's sample-set netlist with its fixed part built once: only the input lines change.

A sample set (see ``backend``) is one ``.dc`` of a ``sample_index`` source, with every input a
B source ``pwl(v(sample_index), 0, x_0, 1, x_1, ...)``. Every chunk of a large set shares the
circuit: only those input lines differ. Building the circuit's part (every resistor, diode and
op-amp as an Element, then as text) is most of a chunk's Python time -- about 0.9 s for the
784-100-10 classifier's 78,000 resistors -- and the operating-limits check and the power
figures need the same elements again, so a set of 8 chunks built them 16 times, all in the
caller's process, whose threads share one interpreter lock while the ngspice workers wait
(docs/performance.md, "A chunk's time"). ``sample_set_template`` builds them once per circuit and
temperature and keeps the last few; a chunk then writes only its 784 input lines, and its
limits check and power figures read the elements as arrays built once (``arrays``).

The templates are keyed by a digest of the pickled circuit (about 1 ms for that classifier),
not by the object: an equal circuit (loaded again, or unpickled in each Dask task) finds the
template its process built, and a circuit that differs in any value never gets another's.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ...model import nodes
from ...model.circuit import Circuit
from ...model.element_arrays import ElementArrays
from ...model.elements import Element, elements, lines
from ...topologies import get_topology

INDEX_NODE = "sample_index"
# Templates kept per process: a sharded run needs one; a Monte Carlo or temperature sweep
# goes circuit after circuit. Each holds a large circuit's lines and elements (about 20 MB
# for the 784-100-10 classifier), which bounds how many are worth keeping.
TEMPLATES_KEPT = 2


def input_source(k: int, volts: np.ndarray) -> Element:
    """Input k of a sample set: a B source ``pwl(v(sample_index), 0, v_0, 1, v_1, ...)`` over
    volts, shape (n,), one value per sample, each written with 17 significant digits."""
    node = nodes.input_node(k)
    pairs = _pwl_pairs(len(volts)) % tuple(np.asarray(volts, dtype=float).tolist())
    return Element(f"B{node}", (node, "0"), f"V = pwl(v({INDEX_NODE}), {pairs})", "source")


@functools.lru_cache(maxsize=4)
def _pwl_pairs(n: int) -> str:
    """'0, %.17g, 1, %.17g, ...' for n samples: one %-format of all a chunk's values of an input
    writes its line in half the time of formatting them one by one (784 inputs x 179 samples:
    0.22 against 0.45 s, the same text), and a chunk writes 784 such lines."""
    return ", ".join(f"{i}, %.17g" for i in range(n))


def index_source() -> Element:
    """The source a sample set's ``.dc`` sweeps from 0 to n - 1: the sample's index, volts."""
    return Element(f"V{INDEX_NODE}", (INDEX_NODE, "0"), "DC 0", "source")


@dataclass(frozen=True)
class SampleSetTemplate:
    """A circuit's sample-set netlist with its input lines left to fill.

    lines: the element, comment, model and option lines (no title, analysis or ``.end``),
        input k's line a placeholder at ``input_rows[k]``.
    elements: every element of the circuit as a sample-set netlist has them (its inputs B
        sources, whose branch currents the power figures read; their pwl values do not
        matter there), without the index source, which is the analysis's, not a part.
    """

    lines: tuple[str, ...]
    input_rows: tuple[int, ...]
    elements: tuple[Element, ...]

    @cached_property
    def arrays(self) -> ElementArrays:
        """The elements as arrays (``model.element_arrays``), built on first use: what every
        chunk's power figures and limits check read, so each chunk indexes arrays instead of
        looping over the elements."""
        return ElementArrays.of(self.elements)

    def netlist_lines(self, volts: np.ndarray) -> list[str]:
        """The lines with every input a pwl over volts, shape (n, n_inputs), one row per sample."""
        filled = list(self.lines)
        for k, row in enumerate(self.input_rows):
            filled[row] = input_source(k, volts[:, k]).line()
        return filled


def build_template(circuit: Circuit, temperature_c: float) -> SampleSetTemplate:
    """The template of ``circuit`` at ``temperature_c`` (C), built from its topology."""
    placeholders = [input_source(k, np.zeros(1)) for k in range(circuit.n_inputs)]
    entries = get_topology(circuit.topology).netlist(circuit, input_elements=[index_source(), *placeholders],
                                                     temperature_c=temperature_c)
    text = lines(entries)
    row_of = {line: row for row, line in enumerate(text)}
    rows = tuple(row_of[placeholder.line()] for placeholder in placeholders)
    parts = tuple(element for element in elements(entries) if element.name != index_source().name)
    return SampleSetTemplate(tuple(text), rows, parts)


_templates: OrderedDict[tuple[bytes, float], SampleSetTemplate] = OrderedDict()
_lock = threading.Lock()


def sample_set_template(circuit: Circuit, temperature_c: float = 27.0) -> SampleSetTemplate:
    """The template of ``circuit`` at ``temperature_c``: built on first use, then kept (the last
    TEMPLATES_KEPT). Threads that ask at once for a circuit not yet built wait for one build."""
    key = (hashlib.blake2b(pickle.dumps(circuit, pickle.HIGHEST_PROTOCOL), digest_size=16).digest(),
           float(temperature_c))
    with _lock:
        if key not in _templates:
            _templates[key] = build_template(circuit, temperature_c)
            while len(_templates) > TEMPLATES_KEPT:
                _templates.popitem(last=False)
        _templates.move_to_end(key)
        return _templates[key]
