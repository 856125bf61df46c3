"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: str | os.PathLike, write: Callable[[str], None]) -> Path:
    """Call ``write(temporary_path)`` and then rename the result onto ``path``.

    The temporary file is in the same folder (a rename across file systems is not atomic);
    the folder is created if missing. On any error the temporary file is removed and the old
    file, if any, is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp" + path.suffix, dir=path.parent)
    except OSError as error:  # e.g. a folder we may not write to: the error names the file asked for
        raise OSError(error.errno, error.strerror, str(path)) from None
    os.close(handle)
    try:
        os.chmod(temporary, 0o666 & ~current_umask())  # mkstemp makes it 0600; a new file follows the umask
        write(temporary)
        with open(temporary, "rb+") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:  # name the file the caller asked for, not our temporary one
        _remove(temporary)
        raise OSError(error.errno, error.strerror, str(path)) from None
    except BaseException:
        _remove(temporary)
        raise
    return path


def _remove(temporary: str) -> None:
    if os.path.exists(temporary):
        os.unlink(temporary)


def current_umask() -> int:
    """The process's umask, read without changing it where Linux allows (/proc), so that no
    other thread ever sees a umask of 0."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text_atomically(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    def write(temporary: str) -> None:
        with open(temporary, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    return write_atomically(path, write)
