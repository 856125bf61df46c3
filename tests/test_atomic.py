"""Atomic writes: new files follow the umask, and an error names the file asked for."""

import errno
import os

import pytest

from circuitnet.util.atomic import current_umask, write_atomically, write_text_atomically


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_a_written_file_follows_the_umask(tmp_path, mask):
    old = os.umask(mask)
    try:
        assert current_umask() == mask
        path = write_text_atomically(tmp_path / "out.txt", "x")
    finally:
        os.umask(old)
    assert (path.stat().st_mode & 0o777) == 0o666 & ~mask


def test_an_error_names_the_target_and_leaves_no_temporary_file(tmp_path):
    def full_disk(temporary):
        raise OSError(errno.ENOSPC, "No space left on device", temporary)

    with pytest.raises(OSError) as caught:
        write_atomically(tmp_path / "model.json", full_disk)
    assert caught.value.filename == str(tmp_path / "model.json") and caught.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []
