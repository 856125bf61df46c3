"""How a large sample set is cut into chunks for ngspice (backends/spice/sharded.py chunk_bounds)."""

import numpy as np
import pytest

from circuitnet.backends.spice.sharded import CHUNKS, EFFICIENT_CHUNK, MAX_CHUNK, MIN_CHUNK, chunk_bounds


def test_the_digits28_test_split_is_two_chunks_not_eight():
    """359 samples were 8 chunks of 45, each paying ngspice's parse and load of the 784-100-10
    netlist; now 2, one per worker of a 2-core machine."""
    assert chunk_bounds(359) == [(0, 179), (179, 359)]


@pytest.mark.parametrize("n", [0, 1, 19, 20, 21, 90, 179, 180, 359, 360, 719, 1000, 2000, 2001, 10_000, 123_457])
def test_chunks_cover_the_set_in_order_without_gaps(n):
    bounds = chunk_bounds(n)
    if n == 0:
        assert bounds == []
        return
    assert [start for start, _ in bounds] == [0] + [stop for _, stop in bounds[:-1]]
    assert bounds[-1][1] == n and all(stop > start for start, stop in bounds)


def test_chunk_counts_are_even_and_sizes_bounded():
    for n in range(2 * MIN_CHUNK, 20_000, 7):
        sizes = np.diff([0] + [stop for _, stop in chunk_bounds(n)])
        assert len(sizes) % 2 == 0, n  # 2 workers finish together
        assert sizes.max() <= MAX_CHUNK and sizes.max() - sizes.min() <= 1, n
        assert sizes.min() >= MIN_CHUNK, n
        if len(sizes) > 2:  # more chunks only where each still has its efficient length, or MAX_CHUNK forces them
            assert sizes.min() >= EFFICIENT_CHUNK or len(sizes) > CHUNKS, n


def test_small_sets_are_one_chunk_and_large_ones_keep_the_longest_chunks():
    assert chunk_bounds(2 * MIN_CHUNK - 1) == [(0, 2 * MIN_CHUNK - 1)]
    large = chunk_bounds(10_000)
    assert len(large) == 40 and {stop - start for start, stop in large} == {MAX_CHUNK}


@pytest.mark.ngspice
def test_a_sharded_run_checks_every_part_of_every_chunk(spice, rng):
    """Chunks from the rule above: the worst value per part over the chunks is the whole set's
    (the op-amps driven past their rails in one chunk and not in the other are all named)."""
    from pathlib import Path

    from circuitnet import load_model
    from circuitnet.backends.spice.sharded import simulate_sharded
    from circuitnet.util.executor import LocalExecutor
    circuit = load_model(Path(__file__).resolve().parent.parent / "netlists" / "two_input_diode.json")
    x = rng.uniform(-1, 1, (40, 2))
    x[5], x[33] = (40.0, -40.0), (-40.0, 40.0)  # one sample past the rails in each chunk
    assert len(chunk_bounds(len(x))) == 2
    run = simulate_sharded(circuit, x, 27.0, LocalExecutor(2), spice=spice)
    whole = spice.violations(circuit, x)
    assert len(whole) > 2
    def by_part(found):  # parts as worst as each other may come in either order
        return sorted(found, key=lambda v: (v.element, v.quantity))
    assert [(v.element, v.quantity, v.x) for v in by_part(run.violations)] == \
        [(v.element, v.quantity, v.x) for v in by_part(whole)]
    np.testing.assert_allclose([v.value for v in by_part(run.violations)], [v.value for v in by_part(whole)], rtol=1e-6)
    np.testing.assert_allclose(run.y, spice.simulate(circuit, x).y, rtol=0, atol=1e-6)
