"""The model file: the whole training state in one documented, versioned file.

Layout (version 1; all integers little-endian)::

    bytes 0-7     magic  b"W2VMODEL"
    bytes 8-15    uint64 length H of the JSON header
    bytes 16-19   uint32 CRC-32 of the header bytes
    bytes 20-23   reserved (zero)
    bytes 24..    the header: UTF-8 JSON, H bytes
    then          the arrays, raw C-order data, each starting at a multiple of 64

The header holds ``format`` ("word2vec_cli model"), ``version`` (1), ``options``
(every field of :class:`~word2vec_cli.model.options.TrainOptions`, whatever version
wrote it), ``meta`` (the schedule and run details: ``epoch``, ``epoch_words``,
``n_tokens``, ``tree``, ...) and ``arrays``: for each array its ``dtype`` (numpy
spelling, explicit byte order), ``shape``, ``offset``, ``nbytes`` and ``crc32``.
No pickle anywhere: :func:`load` only ever interprets numbers and JSON.

The arrays: ``words`` (uint8, the vocabulary's words joined by ``\\n``), ``counts``
(int64), ``syn0``, ``syn1``, ``syn1neg`` (float32), ``threads`` (uint64, each
thread's generator and position), ``progress`` (int64), ``alphas`` (float32),
``losses`` (float64), ``shares`` (int64 (threads, 2)), ``thread_epochs`` (int64, the
epochs each thread finished; files without it have every thread at ``meta["epoch"]``),
and, when the Huffman tree
is not the one the counts give (after a grafted vocabulary update), ``codes``,
``points``, ``code_lengths``. Unknown arrays are ignored by readers, so later
versions may add some.

:func:`save` writes to a temporary file and renames it into place (a reader never
sees half a file); :func:`load` reads the arrays into memory (never a memory map: a file truncated
under a resumed run cannot fault it) after checking the magic, the version, the
header's and every array's CRC-32, every header entry's type, the arrays' dtypes and
that nothing is cut short; :func:`~.checkpoint.load_model` then checks the contents
against each other. Any defect is a :class:`~word2vec_cli.errors.Word2VecError` of
one line.
"""

import json
import os
import re
import stat
import struct
import zlib

import numpy as np

from ..errors import Word2VecError
from ..files.outputs import atomic_output

MAGIC = b"W2VMODEL"
VERSION = 1
FORMAT = "word2vec_cli model"
_PREFIX = struct.Struct("<8sQI4x")
_ALIGN = 64
#: Arrays are written and checksummed in pieces of this many bytes.
_PIECE = 1 << 24


def _aligned(offset):
    return (offset + _ALIGN - 1) // _ALIGN * _ALIGN


def _crc(data):
    if isinstance(data, np.ndarray):  # a view of bytes: any shape, even with a zero in it
        data = np.ascontiguousarray(data).reshape(-1).view(np.uint8)
    view = memoryview(data).cast("B")
    crc = 0
    for start in range(0, len(view), _PIECE):
        crc = zlib.crc32(view[start:start + _PIECE], crc)
    return crc


def save(path, options, meta, arrays):
    """Write a model file at ``path`` atomically.

    ``options`` and ``meta`` are JSON-serialisable dicts; ``arrays`` maps names to
    numpy arrays (any dtype and shape; written C-contiguous, little-endian).
    The checksums are computed in a second thread while the arrays are written
    (``zlib.crc32`` releases the GIL), and the header, which holds them, is
    written last into the room left for it. Returns the number of bytes written.
    """
    import threading

    prepared = {}
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        if array.dtype.byteorder == ">":
            array = array.astype(array.dtype.newbyteorder("<"))
        prepared[name] = array
    entries = {name: {"dtype": a.dtype.str, "shape": list(a.shape), "offset": 10 ** 15, "nbytes": int(a.nbytes),
                      "crc32": 2 ** 32 - 1} for name, a in prepared.items()}
    header = {"format": FORMAT, "version": VERSION, "options": options, "meta": meta, "arrays": entries}
    room = len(json.dumps(header).encode())  # the widest offsets and checksums fit in it
    offset = _aligned(_PREFIX.size + room)
    for entry in entries.values():
        entry["offset"] = offset
        offset = _aligned(offset + entry["nbytes"])
    crcs = {}
    summing = threading.Thread(target=lambda: crcs.update({name: _crc(a) for name, a in prepared.items()}))
    summing.start()
    try:
        with atomic_output(path) as handle:
            written = _PREFIX.size + room
            handle.seek(written)
            for name, array in prepared.items():
                start = entries[name]["offset"]
                handle.write(b"\0" * (start - written))
                view = memoryview(array).cast("B") if array.nbytes else b""
                for piece in range(0, len(view), _PIECE):
                    handle.write(view[piece:piece + _PIECE])
                written = start + array.nbytes
            summing.join()
            for name, entry in entries.items():
                entry["crc32"] = crcs[name]
            text = json.dumps(header).encode()
            text += b" " * (room - len(text))
            handle.seek(0)
            handle.write(_PREFIX.pack(MAGIC, len(text), zlib.crc32(text)))
            handle.write(text)
    finally:
        summing.join()
    return written


class ModelFile:
    """A loaded model file: ``options`` (dict), ``meta`` (dict) and ``arrays``
    (dict of numpy arrays, in memory)."""

    def __init__(self, path, options, meta, arrays):
        self.path = path
        self.options = options
        self.meta = meta
        self.arrays = arrays

    def __getitem__(self, name):
        return self.arrays[name]

    def get(self, name, default=None):
        """Return array ``name``, or ``default`` when the file has none."""
        return self.arrays.get(name, default)


def _bad(path, why):
    return Word2VecError(f"not a usable word2vec_cli model file: {path}: {why}")


#: Largest JSON header accepted (a real one is a few kilobytes) and its deepest nesting.
MAX_HEADER_BYTES = 1 << 24
MAX_HEADER_DEPTH = 8
#: The dtypes a model file's arrays may have (numpy spelling, explicit byte order).
DTYPES = ("|u1", "<i4", "<i8", "<u8", "<f4", "<f8")
#: Most dimensions an array may have.
MAX_NDIM = 3


def _json_depth(text):
    """Return the deepest nesting of ``[``/``{`` in the JSON ``text`` (strings skipped)."""
    bare = re.sub(rb'"(?:[^"\\]|\\.)*"', b"", text)
    steps = np.frombuffer(bare, dtype=np.uint8)
    change = (steps == ord("[")).astype(np.int64) + (steps == ord("{")) - (steps == ord("]")) - (steps == ord("}"))
    return int(np.cumsum(change).max()) if change.size else 0


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _entry(path, name, entry, size):
    """Return ``(dtype, shape, offset, nbytes, crc)`` of the array table's ``entry``,
    every field checked (types, a known dtype, sizes inside a file of ``size`` bytes)."""
    if not isinstance(entry, dict) or not isinstance(name, str):
        raise _bad(path, f"array {name!r} is described inconsistently")
    dtype, shape = entry.get("dtype"), entry.get("shape")
    offset, nbytes, crc = entry.get("offset"), entry.get("nbytes"), entry.get("crc32")
    if (dtype not in DTYPES or not isinstance(shape, list) or len(shape) > MAX_NDIM
            or not all(_is_int(n) and 0 <= n <= size for n in shape)
            or not all(_is_int(n) for n in (offset, nbytes, crc)) or not 0 <= crc < 1 << 32
            or offset < 0 or nbytes < 0):
        raise _bad(path, f"array {name!r} is described inconsistently")
    dtype = np.dtype(dtype)
    elements = 1
    for n in shape:
        elements *= n
    if nbytes != dtype.itemsize * elements:
        raise _bad(path, f"array {name!r} is described inconsistently")
    if offset + nbytes > size:
        raise _bad(path, f"the file is truncated (array {name!r} cut short)")
    return dtype, tuple(shape), offset, nbytes, crc


def _read_header(path, handle, size):
    """Read and check the prefix and the JSON header; return the header (a dict
    whose ``options``, ``meta`` and ``arrays`` are dicts)."""
    prefix = handle.read(_PREFIX.size)
    if len(prefix) < _PREFIX.size or not prefix.startswith(MAGIC):
        raise _bad(path, "it does not start with the model magic (W2VMODEL)")
    _, header_length, header_crc = _PREFIX.unpack(prefix)
    if _PREFIX.size + header_length > size:
        raise _bad(path, "the file is truncated (header cut short)")
    if header_length > MAX_HEADER_BYTES:
        raise _bad(path, f"the header is longer than {MAX_HEADER_BYTES} bytes")
    text = handle.read(header_length)
    if len(text) != header_length:
        raise _bad(path, "the file is truncated (header cut short)")
    if zlib.crc32(text) != header_crc:
        raise _bad(path, "the header's checksum does not match (corrupt file)")
    try:
        if _json_depth(text) > MAX_HEADER_DEPTH:
            raise ValueError
        header = json.loads(text, parse_constant=_refuse_constant)
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ValueError
    except (ValueError, RecursionError, MemoryError):  # UnicodeDecodeError is a ValueError
        raise _bad(path, "the header is not a model header") from None
    version = header.get("version")
    if version != VERSION or not _is_int(version):
        shown = repr(version)[:20]
        raise _bad(path, f"format version {shown}; this word2vec_cli reads version {VERSION}")
    for key in ("options", "meta", "arrays"):
        if not isinstance(header.get(key, {}), dict):
            raise _bad(path, f"the header's {key!r} is not a JSON object")
    return header


def load(path, verify=True):
    """Read the model file at ``path`` and return a :class:`ModelFile`.

    The arrays are read into memory (writable; nothing is memory-mapped, so the
    file may change or shrink under a run that resumed from it). With ``verify``
    every array's CRC-32 is checked. Every entry of the header is type-checked and
    every array must lie inside the file with a known dtype. Raises
    :class:`Word2VecError` (one line) for a missing, non-regular, foreign,
    truncated, corrupt or newer-version file.
    """
    path = os.fspath(path)
    try:
        info = os.stat(path)
    except (OSError, ValueError) as exc:
        raise Word2VecError(f"cannot read model file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise Word2VecError(f"model file {path} must be a regular file (not a FIFO, device or folder)")
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise Word2VecError(f"cannot read model file {path}: {exc.strerror}") from None
    arrays = {}
    with handle:
        size = os.fstat(handle.fileno()).st_size
        header = _read_header(path, handle, size)
        for name, entry in header.get("arrays", {}).items():
            dtype, shape, offset, nbytes, crc = _entry(path, name, entry, size)
            array = np.empty(shape, dtype=dtype)
            handle.seek(offset)
            view = memoryview(array.reshape(-1).view(np.uint8)) if nbytes else memoryview(b"")
            done = 0
            while done < nbytes:
                got = handle.readinto(view[done:done + _PIECE])
                if not got:
                    raise _bad(path, f"the file is truncated (array {name!r} cut short)")
                done += got
            if verify and _crc(array) != crc:
                raise _bad(path, f"array {name!r} fails its checksum (corrupt file)")
            arrays[name] = array
    return ModelFile(path, header.get("options", {}), header.get("meta", {}), arrays)


def pack_words(word_bytes):
    """Return the words joined by newlines as a uint8 array (words never contain one)."""
    return np.frombuffer(b"\n".join(word_bytes), dtype=np.uint8)


def unpack_words(array, expected):
    """Return the list of ``expected`` words stored by :func:`pack_words`; raise
    :class:`Word2VecError` when the count differs."""
    words = bytes(array).split(b"\n")
    if len(words) != expected:
        raise Word2VecError(f"model file: {len(words)} words for {expected} counts")
    return words
