"""The PySpice adapter: the installed PySpice has every internal part circuitnet uses, and a
release without them is refused with a message that names what is missing."""

import pytest

from circuitnet.backends.spice.pyspice_adapter import PySpiceChangedError, check_internals


def test_the_installed_pyspice_has_what_circuitnet_uses():
    check_internals()


def test_a_changed_pyspice_is_named_part_by_part():
    from PySpice.Spice.NgSpice.Shared import ffi

    class Changed:  # a release that renamed a callback and the handle, and dropped an argument
        LIBRARY_PATH = "libngspice.so"

        def __init__(self, send_data=False):
            self._stdout, self._stderr, self._handle = [], [], None

        @staticmethod
        def _exit(*args):
            return 0

    with pytest.raises(PySpiceChangedError) as caught:
        check_internals(Changed, ffi)
    message = str(caught.value)
    for part in ("NgSpiceShared._send_char", "NgSpiceShared()._ngspice_shared", "NgSpiceShared(ngspice_id=...)",
                 "pip install PySpice==1.5"):
        assert part in message
    assert "_stdout" not in message and "_exit" not in message
