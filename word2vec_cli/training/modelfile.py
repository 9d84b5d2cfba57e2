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
sees half a file); :func:`load` memory-maps the arrays copy-on-write (a resumed run
trains in place without touching the file) after checking the magic, the version,
the header's and every array's CRC-32 and that nothing is cut short. Any defect is
a :class:`~word2vec_cli.errors.Word2VecError` of one line.
"""

import json
import mmap
import os
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
    (dict of numpy arrays over a copy-on-write memory map of the file)."""

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


def load(path, verify=True):
    """Read the model file at ``path`` and return a :class:`ModelFile`.

    The arrays are memory-mapped copy-on-write (writable; changes stay in this
    process). With ``verify`` every array's CRC-32 is checked. Raises
    :class:`Word2VecError` (one line) for a missing, foreign, truncated, corrupt or
    newer-version file.
    """
    path = os.fspath(path)
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise Word2VecError(f"cannot read model file {path}: {exc.strerror}") from None
    with handle:
        size = os.fstat(handle.fileno()).st_size
        prefix = handle.read(_PREFIX.size)
        if len(prefix) < _PREFIX.size or not prefix.startswith(MAGIC):
            raise _bad(path, "it does not start with the model magic (W2VMODEL)")
        _, header_length, header_crc = _PREFIX.unpack(prefix)
        if _PREFIX.size + header_length > size:
            raise _bad(path, "the file is truncated (header cut short)")
        text = handle.read(header_length)
        if zlib.crc32(text) != header_crc:
            raise _bad(path, "the header's checksum does not match (corrupt file)")
        try:
            header = json.loads(text)
            version = header["version"]
            entries = header["arrays"]
            if header["format"] != FORMAT:
                raise ValueError
        except (ValueError, KeyError, TypeError):
            raise _bad(path, "the header is not a model header") from None
        if version != VERSION:
            raise _bad(path, f"format version {version}; this word2vec_cli reads version {VERSION}")
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_COPY) if size else None
    arrays = {}
    try:
        for name, entry in entries.items():
            dtype = np.dtype(entry["dtype"])
            shape = tuple(int(n) for n in entry["shape"])
            offset, nbytes = int(entry["offset"]), int(entry["nbytes"])
            if dtype.hasobject or nbytes != dtype.itemsize * int(np.prod(shape, dtype=np.int64)) or offset < 0:
                raise _bad(path, f"array {name!r} is described inconsistently")
            if offset + nbytes > size:
                raise _bad(path, f"the file is truncated (array {name!r} cut short)")
            array = np.frombuffer(mapped, dtype=dtype, count=nbytes // dtype.itemsize, offset=offset).reshape(shape)
            if verify and _crc(array) != entry["crc32"]:
                raise _bad(path, f"array {name!r} fails its checksum (corrupt file)")
            arrays[name] = array
    except (TypeError, ValueError, KeyError):
        raise _bad(path, "the array table is malformed") from None
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
