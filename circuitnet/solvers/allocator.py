"""Keep freed array memory in the process, so NumPy temporaries don't page-fault.

The surrogate works on arrays of (samples x units) doubles, 256 KB for 1,000 x 32. glibc
serves blocks that size with mmap or hands them back to the kernel on free (its mmap and
trim thresholds), so every temporary costs a fresh set of page faults: measured here, a
fresh 256 KB ``a * b`` took 3 to 10 times as long as the multiplication itself, and the
whole surrogate ran 1.6-1.9x slower than with the thresholds raised.

``keep_freed_memory()`` raises both thresholds once per process (glibc only; elsewhere it
does nothing). The cost is that memory the process has freed stays mapped to it, up to
the trim threshold, instead of going back to the system.
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
    """Raise glibc's mmap and trim thresholds (once); True when they were set."""
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
