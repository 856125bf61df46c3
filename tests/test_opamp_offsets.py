"""Op-amp input offsets and bias currents on a board: the draw (seeded, the stated distribution),
the netlist's sources against the textbook shift of a summer, and the surrogate against ngspice
on boards with them, in every topology."""

import dataclasses
import math

import numpy as np
import pytest
from conftest import random_network

from circuitnet import TOPOLOGIES, RealisationError, RealisationOptions, realise
from circuitnet.analysis.montecarlo import monte_carlo_board
from circuitnet.backends.spice.messages import failure_lines
from circuitnet.backends.surrogate import SurrogateBackend
from circuitnet.errors import InvalidDeviceError, UnknownNameError
from circuitnet.model.board import Board
from circuitnet.model.devices import OpAmpModel
from circuitnet.model.opamp_offsets import SIGMA_PER_TYPICAL, InputErrors, OpAmpOffsets, draw_offsets
from circuitnet.model.opamp_parts import opamp_part
from circuitnet.topologies import TOPOLOGIES_WITH_OPAMPS, circuit_elements, netlist_lines, part_counts
from circuitnet.topologies import shared_blocks as blocks

AGREEMENT_V = 1e-6
surrogate = SurrogateBackend()


def max_difference(a, b) -> float:
    """Largest |difference| of the outputs and of every reported internal node, volts."""
    assert set(a.nodes) == set(b.nodes)
    return max([float(np.max(np.abs(a.y_volts - b.y_volts)))]
               + [float(np.max(np.abs(a.nodes[k] - b.nodes[k]))) for k in a.nodes])


def with_part(circuit, part):
    return dataclasses.replace(circuit, opamp=dataclasses.replace(circuit.opamp, part=part))


def only_output_summer(circuit, vos=0.0, ib_minus=0.0, ib_plus=0.0):
    """The circuit with input errors on its first output summer only (every other site 0)."""
    def zeros(width):
        return InputErrors(np.zeros(width), np.zeros(width), np.zeros(width))
    units = [zeros(stage.n_out) for stage in circuit.stages]
    width = circuit.stages[-1].n_out
    units[-1] = InputErrors(np.eye(1, width)[0] * vos, np.eye(1, width)[0] * ib_plus, np.eye(1, width)[0] * ib_minus)
    offsets = OpAmpOffsets("TL072", tuple(zeros(stage.n_in) for stage in circuit.stages), tuple(units))
    return dataclasses.replace(circuit, opamp_offsets=offsets)


def linear_summer():
    """A one-layer circuit: one inverting summer of eight inputs, some from inverted rails."""
    rng = np.random.default_rng(4)
    return realise(random_network(rng, 8, [], 1, zero_fraction=0.0), "diode")


# -- the draw -------------------------------------------------------------------------------

def test_the_draw_is_seeded_and_reproducible_and_leaves_the_resistor_draw_alone():
    circuit = realise(random_network(np.random.default_rng(1), 3, [6], 2), "diode")
    first = Board(tolerance=0.01, seed=7, opamp_offsets=True, opamp_part="TL072").apply(circuit)
    again = Board(tolerance=0.01, seed=7, opamp_offsets=True, opamp_part="TL072").apply(circuit)
    other = Board(tolerance=0.01, seed=8, opamp_offsets=True, opamp_part="TL072").apply(circuit)
    plain = Board(tolerance=0.01, seed=7).apply(circuit)
    for a, b in zip(first.opamp_offsets.units + first.opamp_offsets.inverters,
                    again.opamp_offsets.units + again.opamp_offsets.inverters, strict=True):
        assert np.array_equal(a.vos, b.vos) and np.array_equal(a.ib_minus, b.ib_minus)
    assert not np.array_equal(first.opamp_offsets.units[0].vos, other.opamp_offsets.units[0].vos)
    assert np.array_equal(first.stages[0].r_plain, plain.stages[0].r_plain)  # same resistors with offsets or not
    assert plain.opamp_offsets is None and circuit.opamp_offsets is None


def test_offsets_follow_the_stated_distribution_within_the_data_sheet_maximum():
    shapes = [(100, 100)] * 100  # 20,000 sites
    for name in ("TL072", "OPA4277", "NE5532"):
        part = opamp_part(name)
        offsets = draw_offsets(part, shapes, np.random.default_rng(0))
        vos = np.concatenate([row.vos for row in offsets.inverters + offsets.units])
        assert np.max(np.abs(vos)) <= part.vos_max_v
        # typical = mean magnitude of the untruncated normal; truncation at max trims it a little
        sigma = part.vos_typ_v * SIGMA_PER_TYPICAL
        limit = part.vos_max_v / sigma
        trimmed = sigma * math.sqrt(2 / math.pi) * (1 - math.exp(-limit ** 2 / 2)) / math.erf(limit / math.sqrt(2))
        assert abs(np.mean(np.abs(vos)) / trimmed - 1) < 0.03, name
        assert abs(np.mean(vos)) < 0.05 * part.vos_typ_v


def test_bias_currents_have_the_parts_direction_and_offset_current():
    shapes = [(1000, 1000)]
    lm358 = draw_offsets(opamp_part("LM358"), shapes, np.random.default_rng(0)).units[0]
    assert np.all(lm358.ib_minus <= 0) and np.all(lm358.ib_plus <= 0)  # PNP inputs: out of the pins
    assert np.mean(lm358.ib_minus < 0) > 0.9
    ne5532 = draw_offsets(opamp_part("NE5532"), shapes, np.random.default_rng(0)).units[0]
    assert np.all(ne5532.ib_minus + ne5532.ib_plus > 0)
    difference = ne5532.ib_plus - ne5532.ib_minus
    assert np.max(np.abs(difference)) <= opamp_part("NE5532").ios_max_a
    assert abs(np.mean(np.abs(difference)) / opamp_part("NE5532").ios_typ_a - 1) < 0.1
    opa4277 = draw_offsets(opamp_part("OPA4277"), shapes, np.random.default_rng(0)).units[0]
    assert np.any(opa4277.ib_minus > 0) and np.any(opa4277.ib_minus < 0)  # bias-cancelled: either sign


def test_a_board_with_offsets_needs_a_part():
    circuit = realise(random_network(np.random.default_rng(1), 2, [3], 1), "diode")
    with pytest.raises(InvalidDeviceError, match="needs an op-amp part: the circuit has the generic op-amp"):
        Board(opamp_offsets=True).apply(circuit)
    with pytest.raises(UnknownNameError, match="unknown op-amp part 'TL999'"):
        Board(opamp_offsets=True, opamp_part="TL999")
    assert with_part(circuit, "OPA4277").opamp.part == "OPA4277"
    assert Board(opamp_offsets=True).apply(with_part(circuit, "OPA4277")).opamp_offsets.part == "OPA4277"


# -- the netlist ------------------------------------------------------------------------------

@pytest.mark.parametrize("topology", TOPOLOGIES_WITH_OPAMPS)  # (the resistive network has none)
def test_every_op_amp_of_a_board_gets_three_sources_and_the_nominal_circuit_none(topology):
    circuit = realise(random_network(np.random.default_rng(2), 3, [4], 2), topology)
    board = Board(opamp_offsets=True, opamp_part="NE5532").apply(circuit)
    assert part_counts(circuit)["opamp_input"] == 0
    assert part_counts(board)["opamp_input"] == 3 * part_counts(board)["opamp"] > 0
    for element in circuit_elements(board):
        if element.part == "opamp":
            assert element.nodes[2] == f"{element.name[1:]}_vos"  # the + input is behind the V_os source


@pytest.mark.ngspice
def test_a_summers_output_shift_from_an_offset_is_vos_times_its_noise_gain(spice):
    circuit = linear_summer()
    stage = circuit.stages[-1]
    g_in = np.sum(blocks.conductance(stage.r_plain[0])) + np.sum(blocks.conductance(stage.r_inverted[0]))
    r_f = stage.r_feedback[0]
    x = np.random.default_rng(5).uniform(-1, 1, (5, circuit.n_inputs))
    nominal = spice.simulate(circuit, x).y_volts
    vos = 2e-3
    shift = spice.simulate(only_output_summer(circuit, vos=vos), x).y_volts - nominal
    noise_gain = 1 + r_f * g_in
    assert noise_gain > 5  # eight inputs and a bias: the case the issue is about
    assert np.allclose(shift, vos * noise_gain, rtol=0.01)
    ib = 100e-9  # into the - input: the feedback resistor carries it, the output rises by I_b R_f
    shift = spice.simulate(only_output_summer(circuit, ib_minus=ib), x).y_volts - nominal
    assert np.allclose(shift, ib * r_f, rtol=0.01)
    # the + input's bias current flows through the V_os source that holds the input: no node moves
    unmoved = spice.simulate(only_output_summer(circuit, ib_plus=ib), x).y_volts - nominal
    assert np.max(np.abs(unmoved)) < 1e-9


def test_the_surrogate_shifts_a_summer_by_the_same_noise_gain():
    circuit = linear_summer()
    stage = circuit.stages[-1]
    g_in = np.sum(blocks.conductance(stage.r_plain[0])) + np.sum(blocks.conductance(stage.r_inverted[0]))
    x = np.random.default_rng(5).uniform(-1, 1, (5, circuit.n_inputs))
    nominal = surrogate.simulate(circuit, x).y_volts
    shift = surrogate.simulate(only_output_summer(circuit, vos=-1e-3), x).y_volts - nominal
    assert np.allclose(shift, -1e-3 * (1 + stage.r_feedback[0] * g_in), rtol=0.01)


# -- the surrogate against ngspice --------------------------------------------------------------

def boards(topology, seed):
    """Random circuits of one and two hidden layers (where the topology has two), each as a board
    with the offsets of three parts (large bias currents, a FET input, a precision part)."""
    rng = np.random.default_rng(seed)
    made = []
    for hidden in ([6], [5, 4]):
        if len(hidden) > (TOPOLOGIES[topology].max_hidden_layers or 2):
            continue
        for _ in range(50):
            try:
                circuit = realise(random_network(rng, 3, hidden, 2), topology)
                break
            except RealisationError:
                continue
        made += [Board(tolerance=0.01, seed=seed, opamp_offsets=True, opamp_part=part).apply(circuit)
                 for part in ("NE5532", "TL072", "OPA4277")]
    return made, rng


@pytest.mark.ngspice
@pytest.mark.parametrize("topology", TOPOLOGIES_WITH_OPAMPS)  # (the resistive network has none)
def test_the_surrogate_agrees_with_ngspice_on_boards_with_offsets(spice, topology):
    made, rng = boards(topology, seed=3)
    for board in made:
        x = rng.uniform(-1, 1, (80, board.n_inputs))
        nominal = spice.simulate(dataclasses.replace(board, opamp_offsets=None), x)
        simulated = spice.simulate(board, x)
        assert np.max(np.abs(simulated.y_volts - nominal.y_volts)) > 1e-4  # the offsets do move the outputs
        difference = max_difference(simulated, surrogate.simulate(board, x))
        assert difference <= AGREEMENT_V, (board.hidden_sizes, board.opamp_offsets.part, difference)


@pytest.mark.ngspice
@pytest.mark.parametrize("topology", ["passive", "diode"])  # a precision cell's clamped op-amp stalls ngspice's
def test_the_surrogate_agrees_with_ngspice_on_boards_of_rail_limited_op_amps(spice, topology):  # sweeps anyway
    rng = np.random.default_rng(8)
    options = RealisationOptions(opamp=OpAmpModel(kind="rail_limited"))
    circuit = realise(random_network(rng, 3, [6], 2, zero_fraction=0.0), topology, options)
    board = Board(seed=2, opamp_offsets=True, opamp_part="NE5532").apply(circuit)
    x = rng.uniform(-1, 1, (60, 3))
    assert max_difference(spice.simulate(board, x), surrogate.simulate(board, x)) <= AGREEMENT_V


@pytest.mark.ngspice
@pytest.mark.parametrize("topology", TOPOLOGIES_WITH_OPAMPS)  # (the resistive network has none)
def test_the_surrogate_agrees_with_ngspice_on_bias_currents_alone(spice, topology):
    made, rng = boards(topology, seed=9)
    for board in made[:1]:  # NE5532: hundreds of nanoamperes
        offsets = board.opamp_offsets
        no_vos = [dataclasses.replace(row, vos=np.zeros_like(row.vos)) for row in offsets.inverters + offsets.units]
        split = len(offsets.inverters)
        board = dataclasses.replace(board, opamp_offsets=dataclasses.replace(
            offsets, inverters=tuple(no_vos[:split]), units=tuple(no_vos[split:])))
        x = rng.uniform(-1, 1, (60, board.n_inputs))
        simulated = spice.simulate(board, x)
        nominal = spice.simulate(dataclasses.replace(board, opamp_offsets=None), x)
        moved = np.max(np.abs(simulated.y_volts - nominal.y_volts))
        assert moved > 1e-4
        assert max_difference(simulated, surrogate.simulate(board, x)) <= AGREEMENT_V


@pytest.mark.parametrize("topology", TOPOLOGIES_WITH_OPAMPS)  # (the resistive network has none)
def test_gradients_on_a_board_with_offsets_match_finite_differences(topology):
    made, rng = boards(topology, seed=5)
    board = made[0]
    x = rng.uniform(-1, 1, (7, board.n_inputs))
    y_bar = rng.normal(size=(7, board.n_outputs))
    _, gradient = surrogate.vjp(board, x, y_bar)
    stage, field = 0, "r_plain"
    ohms = np.array(board.stages[stage].r_plain)
    index = tuple(np.argwhere(np.isfinite(ohms))[0])

    def loss(value):
        changed = ohms.copy()
        changed[index] = value
        stages = list(board.stages)
        stages[stage] = dataclasses.replace(stages[stage], **{field: changed})
        return float(np.sum(surrogate.simulate(dataclasses.replace(board, stages=tuple(stages)), x).y * y_bar))

    r, step = ohms[index], 1e-4
    finite = (loss(r * (1 + step)) - loss(r * (1 - step))) / (2 * r * step)
    assert abs(gradient.resistors[(stage, field)][index] - finite) <= 1e-3 * abs(finite) + 1e-15


# -- Monte Carlo and the solver fallback --------------------------------------------------------

def test_monte_carlo_boards_draw_offsets_only_for_a_circuit_built_with_a_part():
    circuit = realise(random_network(np.random.default_rng(1), 2, [3], 1), "diode")
    assert monte_carlo_board(circuit, 0, 0.01, 0).opamp_offsets is None
    board = monte_carlo_board(with_part(circuit, "TL072"), 0, 0.01, 0)
    assert board.opamp_offsets.part == "TL072"
    other = monte_carlo_board(with_part(circuit, "TL072"), 1, 0.01, 0)
    assert not np.array_equal(board.opamp_offsets.units[0].vos, other.opamp_offsets.units[0].vos)


def test_a_dc_point_that_source_stepping_could_not_solve_is_a_failure():
    assert failure_lines("Note: Starting true gmin stepping\nWarning: source stepping failed\n") == [
        "Warning: source stepping failed"]
    assert failure_lines("Note: Starting true gmin stepping\nNote: true gmin stepping completed\n") == []


@pytest.mark.ngspice
def test_a_board_that_klu_leaves_unsolved_is_solved_again(spice):
    """With ngspice 46's KLU this sample set stalls Newton at sample 47 (source stepping fails and
    ngspice carried on with volts off by tenths); the backend solves it again with Sparse."""
    rng = np.random.default_rng(3)
    realise(random_network(rng, 3, [5], 2), "passive")  # the draws made before the circuit that stalled
    for _ in range(4):
        rng.uniform(-1, 1, (60, 3))
    circuit = realise(random_network(rng, 3, [5], 2), "diode")
    for _ in range(3):
        rng.uniform(-1, 1, (60, 3))
    board = Board(opamp_offsets=True, opamp_part="LM358", seed=5).apply(circuit)
    x = rng.uniform(-1, 1, (60, 3))
    assert max_difference(spice.simulate(board, x), surrogate.simulate(board, x)) <= AGREEMENT_V


# -- spice-loop's board and the fit flag ----------------------------------------------------------

@pytest.mark.ngspice
def test_spice_loop_trains_against_a_board_with_the_named_parts_offsets(spice):
    from circuitnet.training.circuit_problem import CircuitProblem
    from circuitnet.training.config import FitConfig
    config = FitConfig(mode="spice-loop", board={"tolerance": 0.0, "seed": 2, "opamp_offsets": True,
                                                 "opamp_part": "NE5532"})
    circuit = realise(random_network(np.random.default_rng(6), 1, [4], 1, zero_fraction=0.0), "diode")
    problem = CircuitProblem(circuit, 0.0, "spice-loop", config.board_model(), spice)
    x = np.linspace(-1, 1, 21)[:, None]
    params = problem.initial_params()
    seen = problem.predict(params, x)
    built = Board(seed=2, opamp_offsets=True, opamp_part="NE5532").apply(circuit)
    assert np.allclose(seen, spice.simulate(built, x).y, atol=1e-9)
    assert np.max(np.abs(seen - spice.simulate(circuit, x).y)) > 1e-4  # the board is not the nominal circuit


def test_an_unknown_board_part_is_refused_before_any_training():
    from circuitnet.training.config import FitConfig
    with pytest.raises(UnknownNameError, match="the board's unknown op-amp part 'TL999'; choose one of LM358"):
        FitConfig(board={"opamp_offsets": True, "opamp_part": "TL999"})


def test_fit_board_opamp_names_a_part_or_exits_2(tmp_path):
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "circuitnet", "fit", "--dataset", "digits", "--board-opamp", "TL999",
                           "--out", str(tmp_path / "run")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "unknown op-amp TL999; choose one of LM358, TL072" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "run").exists()


# -- ngspice's convergence on boards with offsets -------------------------------------------------

def stalling_board():
    """A 16-8-4 diode classifier's board with TL072 offsets, and 60 inputs: on ngspice 46 with
    KLU and the default pivrel its sweep fell back to gmin stepping (2873 Newton iterations,
    against the nominal circuit's 680), which is how the 784-100-10 boards stalled."""
    rng = np.random.default_rng(0)
    circuit = realise(random_network(rng, 16, [8], 4, zero_fraction=0.0), "diode")
    x = rng.uniform(-1, 1, (60, 16))
    return circuit, Board(tolerance=0.01, seed=0, opamp_offsets=True, opamp_part="TL072").apply(circuit), x


@pytest.mark.ngspice
def test_a_board_with_offsets_takes_the_nominal_circuits_newton_iterations_in_stock_ngspice():
    from benchmarks.solver_cases import rusage
    circuit, board, x = stalling_board()
    nominal, offsets = (rusage(c, x, "klu", "caller")["iterations"] for c in (circuit, board))
    assert nominal < 15 * len(x)
    assert offsets <= 1.05 * nominal, (offsets, nominal)


@pytest.mark.ngspice
def test_the_surrogate_agrees_with_ngspice_on_the_board_that_stalled(spice):
    _, board, x = stalling_board()
    assert max_difference(spice.simulate(board, x), surrogate.simulate(board, x)) <= AGREEMENT_V


def test_only_boards_with_offsets_carry_the_pivot_option_so_nominal_netlists_stay_as_they_were():
    circuit, board, _ = stalling_board()
    assert blocks.PIVOT_OPTIONS in netlist_lines(board)
    assert blocks.PIVOT_OPTIONS not in netlist_lines(circuit)
