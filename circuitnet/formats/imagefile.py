"""Reading labelled image sets a user gives by path: MNIST-format IDX files, or one ``.npz``.

Untrusted input, checked before use: an IDX file's magic number, element type, rank and
dimensions must describe exactly the bytes that follow; an ``.npz`` is opened without
pickles (so it can't run code) and must hold an image array and a label array of the same
length. Every problem raises ImageFileError naming the file and what is wrong with it.

- IDX (the format of the MNIST distribution, e.g. ``train-images-idx3-ubyte`` and
  ``train-labels-idx1-ubyte``): big-endian; bytes 0-1 are zero, byte 2 the element type,
  byte 3 the rank, then one 32-bit size per dimension, then the elements.
- ``.npz``: arrays named ``images`` and ``labels`` (or ``x`` and ``y``).

Pixels come back as floats in 0..1 data units: unsigned bytes are divided by 255, other
types must already lie in 0..1.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataFileError

MAX_BYTES = 2 * 1024 ** 3  # larger than any MNIST-like set (MNIST's training images are 47 MB)
# IDX element type codes -> big-endian NumPy types
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
NPZ_NAMES = (("images", "labels"), ("x", "y"))


class ImageFileError(DataFileError):
    """A labelled image file that can't be read as one: malformed, truncated or inconsistent."""


@dataclass(frozen=True)
class LabelledImages:
    """images: shape (n, height, width), 0..1 data units; labels: shape (n,), integers."""

    images: np.ndarray
    labels: np.ndarray

    @property
    def flat(self) -> np.ndarray:
        """The images as rows of inputs, shape (n, height * width)."""
        return self.images.reshape(len(self.images), -1)


def read_labelled_images(images_path, labels_path=None) -> LabelledImages:
    """An ``.npz`` (labels inside it), or an IDX image file and its IDX label file."""
    images_path = Path(images_path)
    if images_path.suffix.lower() == ".npz":
        if labels_path is not None:
            raise ImageFileError(f"{images_path}: an .npz holds its own labels; leave out the label file")
        images, labels = _read_npz(images_path)
    else:
        if labels_path is None:
            raise ImageFileError(f"{images_path}: an IDX image file needs its IDX label file beside it "
                                 f"(e.g. --labels train-labels-idx1-ubyte)")
        images, labels = read_idx(images_path), read_idx(labels_path)
        path = f"{images_path} and {labels_path}"
        if labels.ndim != 1:
            raise ImageFileError(f"{labels_path}: a label file has one dimension; this one has shape {labels.shape}")
        if len(images) != len(labels):
            raise ImageFileError(f"{path}: {len(images)} images but {len(labels)} labels; give the matching pair")
    return LabelledImages(_pixels(images_path, images), _labels(labels_path or images_path, labels))


def read_idx(path) -> np.ndarray:
    """The array stored in an IDX file, in its stored type."""
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ImageFileError(f"{path}: not an IDX file (it must start with two zero bytes, a type and a rank)")
    code, rank = raw[2], raw[3]
    if code not in IDX_TYPES:
        raise ImageFileError(f"{path}: unknown IDX element type 0x{code:02X}; known: "
                             f"{', '.join(f'0x{c:02X}' for c in IDX_TYPES)}")
    if not 1 <= rank <= 4:
        raise ImageFileError(f"{path}: IDX rank {rank}; labels have rank 1 and images rank 3")
    header = 4 + 4 * rank
    if len(raw) < header:
        raise ImageFileError(f"{path}: the file ends inside its header ({len(raw)} bytes, need {header})")
    shape = tuple(int(size) for size in np.frombuffer(raw, ">u4", rank, 4))
    dtype = np.dtype(IDX_TYPES[code])
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        raise ImageFileError(f"{path}: the header describes shape {shape} ({expected} bytes in all) but the file "
                             f"has {len(raw)} bytes; it is truncated or not this kind of file")
    return np.frombuffer(raw, dtype, offset=header).reshape(shape)


def _read_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    _read_bytes(path, check_only=True)
    try:
        with np.load(path, allow_pickle=False) as archive:
            names = set(archive.files)
            for image_name, label_name in NPZ_NAMES:
                if image_name in names and label_name in names:
                    images, labels = archive[image_name], archive[label_name]
                    break
            else:
                raise ImageFileError(f"{path}: holds arrays {sorted(names)}; it needs 'images' and 'labels' "
                                     f"(or 'x' and 'y')")
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise ImageFileError(f"{path}: not a readable .npz file ({error})") from None
    if labels.ndim != 1 or len(images) != len(labels):
        raise ImageFileError(f"{path}: images of shape {images.shape} and labels of shape {labels.shape}; need n "
                             f"images and n labels (labels one-dimensional)")
    return images, labels


def _pixels(path: Path, images: np.ndarray) -> np.ndarray:
    if images.ndim == 2:  # rows of pixels: square images
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ImageFileError(f"{path}: rows of {images.shape[1]} pixels are not square images; store them with "
                                 f"shape (n, height, width)")
        images = images.reshape(len(images), side, side)
    if images.ndim != 3 or 0 in images.shape:
        raise ImageFileError(f"{path}: images of shape {images.shape}; expected (n, height, width), none empty")
    if images.dtype.kind == "u" and images.dtype.itemsize == 1:
        return images.astype(float) / 255.0
    if images.dtype.kind not in "uif":
        raise ImageFileError(f"{path}: pixels of type {images.dtype}; give bytes (0..255) or numbers in 0..1")
    pixels = images.astype(float)
    if not np.all(np.isfinite(pixels)) or pixels.min() < 0 or pixels.max() > 1:
        raise ImageFileError(f"{path}: pixels from {np.nanmin(pixels):g} to {np.nanmax(pixels):g}; give bytes "
                             f"(0..255) or finite numbers in 0..1")
    return pixels


def _labels(path, labels: np.ndarray) -> np.ndarray:
    if labels.dtype.kind not in "ui":
        raise ImageFileError(f"{path}: labels of type {labels.dtype}; give integer class labels")
    return labels.astype(np.int64)


def _read_bytes(path: Path, check_only: bool = False) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ImageFileError(f"{path}: {size} bytes, larger than the {MAX_BYTES}-byte limit")
        return b"" if check_only else path.read_bytes()
    except OSError as error:
        raise ImageFileError(f"{path}: can't read it: {error.strerror or error}") from None
