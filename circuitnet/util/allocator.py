"""An opt-in for array-heavy processes: keep freed memory, so NumPy temporaries don't page-fault.

The surrogate works on arrays of (samples x units) doubles, hundreds of kilobytes each.
glibc serves blocks that size with mmap, or hands them back to the kernel on free (its mmap
and trim thresholds), so every fresh temporary costs a new set of page faults, which can
cost more than the arithmetic on it (docs/surrogate.md, "Speed needs one opt-in", has the figures).

``keep_freed_memory()`` raises both thresholds for the whole process (glibc only; elsewhere
it does nothing). A library must not change its caller's allocator behind its back, so
nothing in circuitnet calls it on import or in a backend: the ``circuitnet`` command turns it
on, and a script that wants the same speed calls ``circuitnet.keep_freed_memory()`` once. The
cost is that memory the process has freed stays mapped to it, up to the trim threshold
(256 MB), instead of going back to the system.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

_M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest allowed value on 64-bit systems
_TRIM_THRESHOLD = 256 * 1024 * 1024

_done = False


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds for this process (once); True when they are set."""
    global _done
    if _done:
        return True
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        ok = libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) == 1
        ok = libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD) == 1 and ok
    except (OSError, AttributeError):
        return False
    _done = ok
    return ok
