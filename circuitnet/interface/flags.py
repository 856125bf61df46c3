"""Command-line values, checked before any work is done.

Every numeric flag has a type from this module that knows its range. A bad value ends the
command with one line on stderr that names the flag, the allowed range and the value, and
with exit status 2; nothing has been simulated or written by then. The ranges below are the
one place they are stated: the help texts quote them from here.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Protocol, TypeVar, cast

from ..errors import CircuitnetError, UnknownNameError, UsageError
from ..formats.bounds import MAX_WIDTH
from ..model.sweep import INPUT_LIMIT, MAX_POINTS, Sweep, parse_sweep

# degrees Celsius: the industrial/military rating range of semiconductor parts; device models
# say nothing trustworthy outside it
TEMPERATURE_C = (-55.0, 125.0)
SEED_MAX = 2**32 - 1
COUNT_MAX = 1_000_000  # epochs, points, batch size, patience, Monte Carlo boards
WORKERS_MAX = 256
TOLERANCE_MAX = 0.5

Parsed = TypeVar("Parsed", covariant=True)
ParsedValue = TypeVar("ParsedValue")


class RangedFlag(Protocol[Parsed]):
    """An argparse type that also states its allowed range (``range_text``) for help texts."""

    range_text: str

    def __call__(self, text: str) -> Parsed: ...


def ranged(parse: Callable[[str], ParsedValue], range_text: str) -> RangedFlag[ParsedValue]:
    """``parse`` itself, carrying ``range_text`` (the one statement of its range)."""
    flag = cast("RangedFlag[ParsedValue]", parse)
    flag.range_text = range_text
    return flag


def shown_value(text: str) -> str:
    """A value as a message quotes it: as typed, or as a Python literal when it holds
    whitespace or unprintable characters (so a message stays one line)."""
    return text if text.isprintable() and not any(c.isspace() for c in text) else repr(text)


class Parser(argparse.ArgumentParser):
    """argparse, with an error that is one line naming the bad flag (no usage block)."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message}; see '{self.prog} --help'")


def number(low: float, high: float, integer: bool = False, low_open: bool = False) -> RangedFlag[float]:
    """An argparse type: a finite number in [low, high] ((low, high] with ``low_open``)."""
    kind = "a whole number" if integer else "a number"
    shown = (lambda v: str(int(v))) if integer else (lambda v: f"{v:g}")
    wanted = (f"{kind} above {shown(low)} and at most {shown(high)}" if low_open
              else f"{kind} from {shown(low)} to {shown(high)}")

    def parse(text: str) -> float:
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {kind}; give {wanted}") from None
        if not math.isfinite(value) or value > high or value < low or (low_open and value == low):
            raise argparse.ArgumentTypeError(f"{shown_value(text)} is out of range; give {wanted}")
        return value

    return ranged(parse, wanted)


def number_list(low: float, high: float, integer: bool = False, most: int = 16) -> RangedFlag[list]:
    """An argparse type: 1 to ``most`` comma-separated numbers, each in [low, high]."""
    one = number(low, high, integer)

    def parse(text: str) -> list:
        items = [item.strip() for item in str(text).split(",")]
        if not 1 <= len(items) <= most or "" in items:
            raise argparse.ArgumentTypeError(f"{text!r}: give 1 to {most} comma-separated values, each "
                                             f"{one.range_text}")
        return [one(item) for item in items]

    return ranged(parse, f"1 to {most} comma-separated values, each {one.range_text}")


def column_names(text: str) -> list[str]:
    """An argparse type: comma-separated column names or 1-based positions, none empty (the
    data file's reader refuses a column named twice, once it knows which names are positions)."""
    items = [item.strip() for item in str(text).split(",")]
    if "" in items:
        raise argparse.ArgumentTypeError(f"{text!r} names an empty column; give "
                                         f"column names or 1-based positions separated by commas, e.g. a,b or 1,2")
    return items


def sweep_range(text: str) -> Sweep:
    """An argparse type: START:STOP:N in data units, |START|, |STOP| <= INPUT_LIMIT."""
    try:
        sweep = parse_sweep(text)
    except CircuitnetError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if max(abs(sweep.start), abs(sweep.stop)) > INPUT_LIMIT:
        raise argparse.ArgumentTypeError(f"{shown_value(text)} reaches beyond +-{INPUT_LIMIT:g} data units; "
                                         f"give START and STOP from {-INPUT_LIMIT:g} to {INPUT_LIMIT:g} "
                                         f"(and N from 2 to {MAX_POINTS})")
    return sweep


def fraction_or_percentage(text: str, example: str) -> tuple[float, float]:
    """(the number as typed, the fraction it means) of ``0.01`` or ``1%``."""
    percent = text.endswith("%")
    try:
        typed = float(text[:-1] if percent else text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a fraction ({example}) or a percentage "
                                         f"({100 * float(example):g}%)") from None
    return typed, typed / 100 if percent else typed


def tolerance(text: str) -> float:
    """An argparse type: a fraction (0.01) or a percentage (1%), from 0 to TOLERANCE_MAX."""
    typed, value = fraction_or_percentage(text, "0.01")
    # judged as typed: a tiny negative percentage must not pass by rounding to -0.0 on division
    if not (math.isfinite(typed) and typed >= 0 and value <= TOLERANCE_MAX):
        raise argparse.ArgumentTypeError(f"{shown_value(text)} is out of range; give 0 to {100 * TOLERANCE_MAX:g}% "
                                         f"(0 to {TOLERANCE_MAX:g})")
    return value


def _settle_fraction(text: str) -> float:
    """An argparse type: a settling band as a fraction (0.001) or a percentage (0.1%), above 0
    and below 10 %."""
    typed, value = fraction_or_percentage(text, "0.001")
    if not (math.isfinite(typed) and typed > 0 and value < 0.1):
        raise argparse.ArgumentTypeError(f"{shown_value(text)} is out of range; give above 0 and below 10% (0.1)")
    return value


settle_fraction = ranged(_settle_fraction, "above 0 and below 10%")


def opamp_part(text: str) -> str:
    """An argparse type: an op-amp part (``model.opamp_parts.OPAMP_PARTS``), by name in any case."""
    from ..model.opamp_parts import OPAMP_PARTS
    for name in OPAMP_PARTS:
        if name.lower() == text.lower():
            return name
    raise argparse.ArgumentTypeError(f"unknown op-amp {shown_value(text)}; choose one of {', '.join(OPAMP_PARTS)}")


def add_opamp_arguments(parser: argparse.ArgumentParser, reads_model: bool = True) -> None:
    """--opamp PART and --supply V, the one definition every command that builds or reads a
    circuit shares (fit, simulate, compare, transient, export); reads_model False (fit): the
    defaults are the generic op-amp's, not a model's."""
    from ..model.opamp_parts import OPAMP_PARTS
    default = ("default: the model's own op-amp (the generic finite-gain model unless the model was fit with "
               "--opamp)" if reads_model else "default: the generic finite-gain model, which has no supply "
               "current, output current limit or offsets")
    parser.add_argument("--opamp", type=opamp_part, metavar="PART",
                        help="build the circuit's op-amps with this part: its output swing on its supply as the "
                             "rails, its output current as a limit, its supply current in every power and energy "
                             f"figure (and its dynamics in transient runs); {default}: " + ", ".join(OPAMP_PARTS))
    parser.add_argument("--supply", type=supply_volts, metavar="V",
                        help=f"with --opamp{' (or a model fit with one)' if reads_model else ''}: the part's "
                             f"symmetric supply +-V volts (default 15), within the part's supply range: "
                             f"{supply_volts.range_text}")


def resistor_range(text: str) -> tuple[float, float]:
    """An argparse type: MIN:MAX ohms, each a number with an optional k or M (10k:1M)."""
    from ..training.resistor_range import LARGEST_OHMS, SMALLEST_OHMS
    wanted = (f"MIN:MAX ohms, e.g. 10k:1M, from {SMALLEST_OHMS:g} to {LARGEST_OHMS:g} ohm with MAX at least "
              f"10 x MIN")
    try:
        low, high = (_ohms(part) for part in str(text).split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown_value(text)} is not a range; give {wanted}") from None
    if not (SMALLEST_OHMS <= low < high <= LARGEST_OHMS and high >= 10 * low):
        raise argparse.ArgumentTypeError(f"{shown_value(text)} is out of range; give {wanted}")
    return low, high


def _ohms(text: str) -> float:
    """'10k' -> 10000.0; ValueError for anything that is not a finite number with k or M."""
    text = text.strip()
    factor = {"k": 1e3, "K": 1e3, "M": 1e6}.get(text[-1:], 1.0)
    value = float(text[:-1] if factor != 1.0 else text) * factor
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def diode_part(text: str) -> str:
    """An argparse type: a diode of the device library, by name in any case."""
    from ..model.devices import DIODE_LIBRARY, diode
    try:
        return diode(text).name
    except UnknownNameError:
        raise argparse.ArgumentTypeError(f"unknown diode {text!r}; choose one of "
                                         f"{', '.join(DIODE_LIBRARY)}") from None


temperature = number(*TEMPERATURE_C)
temperatures = number_list(*TEMPERATURE_C)
seed = number(0, SEED_MAX, integer=True)
count = number(1, COUNT_MAX, integer=True)
workers = number(1, WORKERS_MAX, integer=True)
widths = number_list(1, MAX_WIDTH, integer=True, most=2)
weight = number(-1e3, 1e3)  # a neuron's weight or bias, data units
volts_per_unit = number(1e-3, 100.0)
boards = number(0, COUNT_MAX, integer=True)
points = number(10, COUNT_MAX, integer=True)
noise = number(0.0, 10.0)
fraction = number(0.0, TOLERANCE_MAX)
is_spread = number(0.0, 3.0)  # sigma of ln IS: 3 is a factor of 20 either way
error_threshold = number(0.0, 1e3, low_open=True)
fitted_neurons = number(1, 64, integer=True)
learning_rate = number(0.0, 10.0, low_open=True)
ridge = number(0.0, 1e3)
nudging = number(0.0, 10.0, low_open=True)  # --beta of --mode eqprop
seconds = number(0.0, 1.0, low_open=True)  # a transient step or rise time: up to 1 s
rail_volts = number(0.0, 1e3, low_open=True)
loads = number(1, COUNT_MAX, integer=True)  # resistors one op-amp output drives
supply_volts = number(1.0, 20.0)  # +-V: every part of the library is specified within +-20 V
