"""Every numeric flag of every subcommand refuses bad values before any work: exit status 2, one
line on stderr naming the flag, its range and the value, no traceback, nothing written.

Bad values come from families that are bad by their construction, independently of the
parser: numbers outside the documented range, non-finite numbers, words, fractions where a
whole number belongs, malformed ranges and lists. Hypothesis draws at least 1,000 of them
per subcommand.
"""

import contextlib
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circuitnet.interface import flags
from circuitnet.interface.cli import main

MODEL = str(Path(__file__).resolve().parent.parent / "netlists" / "eight_diode.json")
BASE = {
    "export": ["export", MODEL, "-o", "{out}/x.cir"],
    "neuron": ["neuron", "--topology", "diode"],
    "simulate": ["simulate", MODEL],
    "compare": ["compare", MODEL, "--out", "{out}"],
    "fit": ["fit", "--target", "sine", "--out", "{out}"],
    "transient": ["transient", MODEL, "--out", "{out}"],
}
T_LOW, T_HIGH = flags.TEMPERATURE_C


def outside(low, high, integer=False, low_open=False):
    """Numbers below low (or equal to it, if the range is open there) or above high."""
    below = st.floats(max_value=low, exclude_max=not low_open, allow_nan=False)
    above = st.floats(min_value=high, exclude_min=True, allow_nan=False)
    numbers = st.one_of(below, above)
    if integer:
        numbers = st.one_of(st.integers(max_value=int(low) - 1), st.integers(min_value=int(high) + 1), numbers)
    return numbers.map(str)


WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_%#!?", min_size=1, max_size=8)
NON_FINITE = st.sampled_from(["nan", "inf", "-inf", "NaN", "Infinity", "1e999", "-1e999"])


def bad_number(low, high, integer=False, low_open=False):
    families = [outside(low, high, integer, low_open), NON_FINITE, WORDS]
    if integer:  # a fraction inside the range is still not a whole number
        families.append(st.floats(min_value=low + 0.01, max_value=high - 0.01).filter(lambda v: v != int(v))
                        .map(lambda v: f"{v:.3f}"))
    return st.one_of(families)


def bad_list(low, high, integer=False, most=16):
    good = st.floats(min_value=low, max_value=high).map(lambda v: str(int(v)) if integer else f"{v:g}")
    one_bad = st.tuples(st.lists(good, max_size=most - 1), bad_number(low, high, integer), st.integers(0, most)) \
        .map(lambda t: ",".join(t[0][:t[2]] + [t[1]] + t[0][t[2]:]))
    too_many = st.lists(good, min_size=most + 1, max_size=most + 3).map(",".join)
    return st.one_of(one_bad, too_many, st.just(""), st.just(","))


def bad_sweep():
    end = st.floats(min_value=-flags.INPUT_LIMIT, max_value=flags.INPUT_LIMIT)
    far = outside(-flags.INPUT_LIMIT, flags.INPUT_LIMIT)
    points = st.integers(2, 1000)
    return st.one_of(
        st.tuples(far, end.map(str), points.map(str)).map(":".join),
        st.tuples(end.map(str), end.map(str), st.one_of(st.integers(max_value=1), st.integers(min_value=10**6 + 1))
                  .map(str)).map(":".join),
        st.tuples(end, points).map(lambda t: f"{t[0]!r}:{t[0]!r}:{t[1]}"),  # start == stop
        st.tuples(NON_FINITE, end.map(str), points.map(str)).map(":".join),
        WORDS, st.just("1:2"), st.just("1:2:3:4"),
    )


def bad_tolerance():
    percent = outside(0.0, 100 * flags.TOLERANCE_MAX).map(lambda v: f"{v}%")
    return st.one_of(outside(0.0, flags.TOLERANCE_MAX), percent, NON_FINITE, WORDS)


def bad_settle():
    percent = outside(0.0, 10.0, low_open=True).map(lambda v: f"{v}%")
    return st.one_of(outside(0.0, 0.1, low_open=True), percent, NON_FINITE, WORDS)


SEED = bad_number(0, flags.SEED_MAX, integer=True)
COUNT = bad_number(1, flags.COUNT_MAX, integer=True)
TEMPERATURE = bad_number(T_LOW, T_HIGH)
FLAGS = {
    "export": {"--sweep": bad_sweep()},
    "neuron": {"--w": bad_number(-1e3, 1e3), "--b": bad_number(-1e3, 1e3), "--x": bad_sweep(),
               "--volts-per-unit": bad_number(1e-3, 100.0)},
    "simulate": {"--x": bad_sweep(), "--temp": TEMPERATURE},
    "compare": {"--x": bad_sweep(), "--temps": bad_list(T_LOW, T_HIGH),
                "--montecarlo": bad_number(0, flags.COUNT_MAX, integer=True), "--tolerance": bad_tolerance(),
                "--is-spread": bad_number(0.0, 3.0), "--yield-threshold": bad_number(0.0, 1e3, low_open=True),
                "--seed": SEED, "--workers": bad_number(1, flags.WORKERS_MAX, integer=True),
                "--hidden": bad_number(1, 64, integer=True), "--split-seed": SEED,
                "--step-time": bad_number(0.0, 1.0, low_open=True)},
    "fit": {"--points": bad_number(10, flags.COUNT_MAX, integer=True), "--noise": bad_number(0.0, 10.0),
            "--hidden": bad_list(1, flags.MAX_WIDTH, integer=True, most=2), "--epochs": COUNT,
            "--lr": bad_number(0.0, 10.0, low_open=True), "--lam": bad_number(0.0, 1e3), "--batch-size": COUNT,
            "--patience": COUNT, "--seed": SEED, "--board-tolerance": bad_number(0.0, flags.TOLERANCE_MAX),
            "--board-temp": TEMPERATURE, "--board-seed": SEED, "--volts-per-unit": bad_number(1e-3, 100.0),
            "--workers": bad_number(1, flags.WORKERS_MAX, integer=True)},
    "transient": {"--x": bad_sweep(), "--step-time": bad_number(0.0, 1.0, low_open=True),
                  "--rise-time": bad_number(0.0, 1.0, low_open=True), "--rails": bad_number(0.0, 1e3, low_open=True),
                  "--temp": TEMPERATURE, "--settle": bad_settle(), "--opamp": WORDS.filter(lambda w: w.upper() not in
                                                                                           ("LM358", "TL072"))},
}


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("command", list(FLAGS))
@pytest.mark.slow
def test_every_bad_numeric_flag_is_one_line_and_exit_2(command, tmp_path):
    @settings(max_examples=1000, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(st.sampled_from(sorted(FLAGS[command])).flatmap(lambda flag: st.tuples(st.just(flag), FLAGS[command][flag])))
    def check(case):
        flag, value = case
        argv = [part.format(out=tmp_path) for part in BASE[command]] + [f"{flag}={value}"]
        if command == "simulate" and flag != "--x":
            argv.append("--x=-1:1:5")
        code, stdout, stderr = run(argv)
        assert code == 2, (argv, stderr)
        assert stdout == "" and "Traceback" not in stderr
        line = stderr.rstrip("\n")
        assert line and "\n" not in line, repr(stderr)
        assert line.startswith(f"circuitnet {command}: argument {flag}"), line

    check()
    assert list(tmp_path.iterdir()) == []  # nothing was written


def test_each_message_names_the_range_and_the_value():
    code, _, stderr = run(["fit", "--target", "sine", "--batch-size=0"])
    assert code == 2 and stderr == ("circuitnet fit: argument --batch-size: 0 is out of range; give a whole number "
                                    "from 1 to 1000000; see 'circuitnet fit --help'\n")
    code, _, stderr = run(["simulate", MODEL, "--x=-1e12:1e12:5"])
    assert code == 2 and "-1e12:1e12:5 reaches beyond +-1000 data units" in stderr
    code, _, stderr = run(["compare", MODEL, "--out", "x", "--temps=0,abc"])
    assert code == 2 and "'abc' is not a number; give a number from -55 to 125" in stderr


def test_good_values_at_the_ends_of_each_range_pass_the_parser():
    from circuitnet.interface.parser import build_parser
    parser = build_parser()
    args = parser.parse_args(["fit", "--target", "sine", "--batch-size=1", "--seed=4294967295", "--lr=10",
                              "--board-temp=-55", "--board-tolerance=0.5", "--hidden=4096,1"])
    assert (args.batch_size, args.seed, args.lr, args.board_temp, args.hidden) == (1, 2**32 - 1, 10.0, -55.0,
                                                                                   [4096, 1])
    args = parser.parse_args(["compare", MODEL, "--out", "x", "--tolerance=50%", "--temps=-55,125",
                              "--x=-1000:1000:1000000", "--montecarlo=1000000"])
    assert (args.tolerance, args.temps, args.x.n, args.montecarlo) == (0.5, [-55.0, 125.0], 10**6, 10**6)
