"""Netlist comments: whatever the text, every line written is a SPICE comment line."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from circuitnet.model.comments import SUMMARY_SIZE, WIDTH, array_text, comment_lines, header_lines
from circuitnet.model.elements import Element, lines


def physical_lines(emitted: list[str]) -> list[str]:
    """The lines a reader of the file sees: the emitted lines joined as a netlist writer
    joins them, split the way SPICE and Python split lines."""
    return "\n".join(emitted).splitlines()


@settings(max_examples=500, deadline=None, database=None)
@given(st.text(), st.integers(min_value=8, max_value=200))
def test_any_text_becomes_comment_lines_only(text, width):
    emitted = comment_lines(text, width)
    assert emitted, "even empty text is one comment line"
    for line in physical_lines(emitted):
        assert line.startswith("*"), repr(line)
        assert line.isascii() and "\x00" not in line


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="*"),
                        min_size=1, max_size=12), min_size=1, max_size=60))
def test_wrapping_keeps_every_word_and_the_width(words):
    """Words of printable ASCII, each shorter than a line: wrapped, none lost or split."""
    emitted = comment_lines(" ".join(words))
    assert all(len(line) <= WIDTH for line in emitted)
    assert " ".join(line[1:] for line in emitted).split() == words


def test_short_lines_and_existing_comments_are_kept_as_they_are():
    assert comment_lines("made by: circuitnet export m.json") == ["* made by: circuitnet export m.json"]
    assert comment_lines("*   layer 1 (hidden)") == ["*   layer 1 (hidden)"]
    assert comment_lines("two\nlines") == ["* two", "* lines"]


def test_a_long_line_wraps_indented_under_itself():
    emitted = comment_lines("*   layer 1: weights " + ", ".join(["0.123456"] * 40))
    assert len(emitted) > 1
    assert emitted[0].startswith("*   layer 1: weights 0.123456,")
    assert all(line.startswith("*     0.123456") for line in emitted[1:])


def test_control_and_non_ascii_characters_are_escaped():
    assert comment_lines("path a\x00b caf\u00e9") == ["* path a\\x00b caf\\xe9"]


def test_numpy_wrapped_array_text_stays_comment():
    """The defect of issue #22: NumPy wraps long arrays onto lines of their own."""
    text = f"other inputs held at {np.array2string(np.linspace(-1, 1, 64), separator=', ')}"
    assert "\n" in text
    assert all(line.startswith("*") for line in physical_lines(comment_lines(text)))


def test_array_text_is_compact_and_shortens_only_large_arrays():
    assert array_text([[1.0, 0.5], [-0.5, -0.0]]) == "[[1, 0.5], [-0.5, 0]]"
    assert array_text(np.array([1 / 3, 2e-7])) == "[0.333333, 2e-07]"
    assert array_text(np.arange(SUMMARY_SIZE, dtype=float)).count(",") == SUMMARY_SIZE - 1
    large = array_text(np.arange(32 * 784, dtype=float).reshape(32, 784))
    assert large.startswith("[[0, 1, 2, ..., 781, 782, 783], [784, 785, 786, ..., 1565, 1566, 1567], "
                            "[1568, 1569, 1570, ..., 2349, 2350, 2351], ..., [22736, ")
    assert large.endswith("(shape 32 x 784, shortened)")


def test_element_lists_emit_comment_entries_as_comment_lines():
    entries = ["* diode model: custom (a source\nthat spans lines)", Element("R1", ("a", "b"), 1000.0, "resistor"),
               ".options reltol=1e-7"]
    assert lines(entries) == ["* diode model: custom (a source", "* that spans lines)", "R1 a b 1000",
                              ".options reltol=1e-7"]


def test_a_header_keeps_its_command_on_one_line_and_wraps_the_rest():
    command = "circuitnet export " + " ".join(["a_long_argument"] * 10)
    header = header_lines("circuitnet netlist: a title", command, ["weights " + array_text(np.ones(40))])
    assert header[0] == "* circuitnet netlist: a title"
    assert header[1] == f"* made by: {command}" and len(header[1]) > WIDTH
    assert len(header) > 3 and all(len(line) <= WIDTH for line in header[2:])
    assert header_lines("t", "a\nb", [])[1:] == ["* made by: a", "* b"]
