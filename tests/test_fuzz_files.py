"""Hostile files: model files whose checksums are all valid but whose contents lie,
random byte mutations, vocabulary and vector files. Nothing may crash: each file
loads (and then trains or reads correctly) or is refused with one line.

A seeded corpus of crafted files is built from a few small models: each header
field and each array lied about in turn, the checksums recomputed (``write_model``
writes the format itself), plus random mutations. Every file is loaded in this
process (``load_model``, ``Model.load``); those that load are trained on
(``-resume``, ``-init-model``) in this process, and a few of each kind go through
the command line to check that the exit status is never a signal.
"""

import json
import os
import random
import struct
import threading
import zlib

import numpy as np
import pytest

from conftest import run_cli
from word2vec_cli.errors import Word2VecError
from word2vec_cli.model.options import TrainOptions
from word2vec_cli.training.checkpoint import load_model
from word2vec_cli.training.driver import train_model

_PREFIX = struct.Struct("<8sQI4x")
SEED = 20261203


def _corpus(path, n_lines, seed, words=40):
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(words)]
    weights = [1.0 / (i + 1) for i in range(words)]
    lines = [" ".join(rng.choices(vocab, weights, k=rng.randint(3, 12))) for _ in range(n_lines)]
    path.write_text("\n".join(lines) + "\n")
    return path


# ---------------------------------------------------------------- the model file format, written here

def read_model(path):
    """Return ``(header, arrays)`` of a model file: the JSON header and its arrays as
    numpy arrays (read with the header's dtypes and shapes)."""
    with open(path, "rb") as handle:
        data = handle.read()
    _, length, _ = _PREFIX.unpack(data[:24])
    header = json.loads(data[24:24 + length])
    arrays = {}
    for name, entry in header["arrays"].items():
        raw = np.frombuffer(data, np.uint8, count=entry["nbytes"], offset=entry["offset"])
        arrays[name] = raw.view(np.dtype(entry["dtype"])).reshape(entry["shape"]).copy()
    return header, arrays


def write_model(path, header, arrays, entry_lies=None, text=None):
    """Write a model file with valid CRCs: ``header`` (its ``arrays`` table is made
    from ``arrays``, numpy arrays of any dtype and shape), then ``entry_lies``
    (name -> dict) overwrite table fields; ``text`` replaces the JSON header bytes
    (its CRC is still right)."""
    header = dict(header)
    arrays = {name: np.ascontiguousarray(array) for name, array in arrays.items()}
    # the table with the widest numbers first: the room the header needs
    table = {name: {"dtype": a.dtype.str, "shape": list(a.shape), "offset": 10 ** 15, "nbytes": a.nbytes,
                    "crc32": 2 ** 32 - 1} for name, a in arrays.items()}
    for name, lie in (entry_lies or {}).items():
        table.setdefault(name, {}).update(lie)
    room = len(json.dumps(dict(header, arrays=table)).encode()) + 64
    if text is not None:
        room = max(room, len(text))
    offset = (24 + room + 63) // 64 * 64
    blobs = []
    for name, array in arrays.items():
        blob = array.tobytes()
        table[name].update(offset=offset, crc32=zlib.crc32(blob))
        blobs.append((offset, blob))
        offset = (offset + len(blob) + 63) // 64 * 64
    for name, lie in (entry_lies or {}).items():
        table[name].update(lie)
    header["arrays"] = table
    if text is None:
        text = json.dumps(header).encode()
    out = bytearray(_PREFIX.pack(b"W2VMODEL", len(text), zlib.crc32(text)) + text)
    if len(out) < 24 + room:
        out += b" " * (24 + room - len(out))  # padding after the header
    for start, blob in blobs:
        out += b"\0" * (start - len(out)) + blob
    with open(path, "wb") as handle:
        handle.write(out)


# ---------------------------------------------------------------- the seed models

@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """Small models (as ``(header, arrays)``) of several kinds, and the corpus."""
    folder = tmp_path_factory.mktemp("fuzz")
    corpus = _corpus(folder / "c.txt", 300, 1)
    more = _corpus(folder / "more.txt", 200, 2, words=60)
    small = dict(train=str(corpus), size=6, window=3, iter=1, min_count=1, debug=0, sample=0)
    models = {}
    for name, flags in (("cbow-hs-ns", dict(hs=1, negative=2, threads=2)),
                        ("sg-ns", dict(cbow=0, negative=3, threads=1)),
                        ("structured-hs", dict(type=3, hs=1, negative=0, threads=1))):
        path = folder / f"{name}.w2v"
        train_model(TrainOptions(save_model=str(path), **small, **flags))
        header, arrays = read_model(path)
        header["options"]["iter"] = 2  # one more epoch to train: -resume runs the kernels
        models[name] = (header, arrays)
    grafted = folder / "grafted.w2v"
    write_model(grafted, *models["cbow-hs-ns"])
    train_model(TrainOptions(train=str(more), init_model=str(grafted), update_vocab=1, save_model=str(grafted),
                             debug=0, min_count=1, iter=1))
    header, arrays = read_model(grafted)
    assert header["meta"]["tree"] == "stored" and "points" in arrays
    header["options"]["iter"] = 2
    models["grafted"] = (header, arrays)
    return folder, corpus, models


def _replace(header, section, key, value):
    changed = json.loads(json.dumps(header))
    if value is _DELETE:
        changed[section].pop(key, None)
    else:
        changed[section][key] = value
    return changed


_DELETE = object()
_ODD_VALUES = [-1, 0, 1, 2 ** 70, 10 ** 400, -(2 ** 63), 1.5, 1e300, "x", "", None, True, [], {}, [1, 2], _DELETE]


def _array_lies(arrays, rng):
    """Yield ``(what, arrays)``: each array lied about in turn (values, shape, dtype, absence)."""
    for name, array in arrays.items():
        flat = array.reshape(-1)
        if array.dtype.kind == "f":
            values = [np.nan, np.inf, -1.0, 1e30]
        else:
            top = np.iinfo(array.dtype).max
            values = [-1, top, len(arrays["counts"]), len(arrays["counts"]) - 1, 2 ** 31 - 1]
        for value in values:
            if flat.size:
                with np.errstate(all="ignore"):
                    one = array.copy()
                    try:
                        one.reshape(-1)[rng.randrange(flat.size)] = value
                    except (OverflowError, ValueError):
                        one.reshape(-1)[rng.randrange(flat.size)] = np.array(value).astype(array.dtype)
                    yield f"{name}: one {value}", dict(arrays, **{name: one})
                    every = array.copy()
                    every[...] = np.array(value).astype(array.dtype)
                    yield f"{name}: all {value}", dict(arrays, **{name: every})
        if array.ndim >= 1 and array.shape[0]:
            yield f"{name}: a row more", dict(arrays, **{name: np.concatenate([array, array[-1:]])})
            yield f"{name}: a row less", dict(arrays, **{name: array[:-1]})
        if array.ndim == 2:
            yield f"{name}: transposed", dict(arrays, **{name: np.ascontiguousarray(array.T)})
            yield f"{name}: a column less", dict(arrays, **{name: array[:, :-1]})
        yield f"{name}: flattened", dict(arrays, **{name: array.reshape(-1)})
        yield f"{name}: one more axis", dict(arrays, **{name: array[None]})
        for dtype in ("|u1", "<i4", "<i8", "<u8", "<f4", "<f8"):
            if np.dtype(dtype) != array.dtype:
                with np.errstate(all="ignore"):
                    yield f"{name}: as {dtype}", dict(arrays, **{name: array.astype(dtype)})
        yield f"{name}: missing", {k: v for k, v in arrays.items() if k != name}
        noise = np.frombuffer(rng.randbytes(array.nbytes), array.dtype).reshape(array.shape)
        yield f"{name}: random bytes", dict(arrays, **{name: noise})


_ENTRY_LIES = [{"offset": -1}, {"offset": 2 ** 60}, {"nbytes": 1}, {"nbytes": -4}, {"shape": ["a"]},
               {"shape": [-1]}, {"shape": [2 ** 40, 2 ** 40]}, {"dtype": "O"}, {"dtype": "<U4"},
               {"dtype": ">f4"}, {"dtype": 7}, {"crc32": -1}, {"crc32": "x"}, {"shape": 3},
               {"offset": 1.5}, {"shape": [[1]]}, {"dtype": "V8"}]


def crafted_models(models, rng):
    """Yield ``(what, header, arrays, entry_lies, text)`` for every crafted file."""
    for kind, (header, arrays) in models.items():
        yield f"{kind}: as written", header, arrays, None, None
        for section in ("options", "meta") if kind in ("cbow-hs-ns", "grafted") else ("meta",):
            for key in list(header[section]):
                for value in _ODD_VALUES:
                    changed = _replace(header, section, key, value)
                    yield f"{kind}: {section}.{key} = {value!r}", changed, arrays, None, None
        options = header["options"]
        for key, value in (("size", options["size"] + 1), ("window", options["window"] + 1), ("hs", 1 - options["hs"]),
                           ("negative", 0), ("negative", 7), ("threads", options["threads"] + 1), ("type", 2),
                           ("type", 3), ("type", 0), ("cbow", 1 - options["cbow"]), ("iter", 0), ("iter", 1),
                           ("alpha", 0.0), ("alpha", 1e9), ("sample", -1.0), ("l2_rows", "x"), ("quality", "zz"),
                           ("batch", 1), ("checkpoint_every", "0"), ("threads", 5000), ("window", 10 ** 7),
                           ("seed", 2 ** 64), ("debug", 7), ("alpha", 1e-9)):
            yield f"{kind}: options.{key} = {value!r}", _replace(header, "options", key, value), arrays, None, None
        for key, value in (("tree", "stored"), ("tree", "huffman"), ("tokens", {"crc32": "x"}),
                           ("tokens", {"crc32": 1}),
                           ("epoch", 2), ("epoch", 3), ("n_tokens", header["meta"]["n_tokens"] - 1),
                           ("epoch_words", 0), ("epoch_words", 2 ** 62), ("text_crc32", "x")):
            yield f"{kind}: meta.{key} = {value!r}", _replace(header, "meta", key, value), arrays, None, None
        for what, lied in _array_lies(arrays, rng):
            yield f"{kind}: {what}", header, lied, None, None
        for name in ("syn0", "counts", "threads"):
            for lie in _ENTRY_LIES:
                yield f"{kind}: entry {name} {lie}", header, arrays, {name: lie}, None
        yield f"{kind}: unknown array", header, dict(arrays, later=np.zeros(3, np.int64)), None, None
        for text in (b"[]", b"{}", b"null", b'{"format": "word2vec_cli model"}', b"\xff\xfe",
                     b'{"format": "word2vec_cli model", "version": 1, "options": [], "meta": {}, "arrays": {}}',
                     b'{"format": "word2vec_cli model", "version": "1"}',
                     b'{"format": "word2vec_cli model", "version": true}',
                     b'{"format": "word2vec_cli model", "version": 1, "options": {"size": NaN}}',
                     b'{"format": "word2vec_cli model", "version": 1, "options": {"sample": 1e400}}',
                     b'{"format": "word2vec_cli model", "version": 1, "arrays": {"x": '
                     + b"[" * 100000 + b"]" * 100000 + b"}}",
                     b'{"a": ' + b"{\"a\": " * 50000 + b"1" + b"}" * 50001, b'{"version": 1' + b"9" * 5000 + b"}"):
            yield f"{kind}: header text {text[:40]!r}", header, arrays, None, text
        for k in range(120):  # random mutations of the header's bytes, its CRC recomputed
            text = bytearray(json.dumps(header).encode())
            for _ in range(rng.randint(1, 3)):
                at = rng.randrange(len(text))
                action = rng.random()
                if action < 0.5:
                    text[at] = rng.choice(b'0123456789-.e"{}[],:aZ \\') if rng.random() < 0.7 else rng.randrange(256)
                elif action < 0.75:
                    del text[at]
                else:
                    text.insert(at, rng.randrange(256))
            yield f"{kind}: header mutation {k}", header, arrays, None, bytes(text)
        names = list(arrays)
        for k in range(120):  # random byte mutations of an array, its CRC recomputed
            name = rng.choice(names)
            raw = bytearray(np.ascontiguousarray(arrays[name]).tobytes())
            if not raw:
                continue
            for _ in range(rng.randint(1, 4)):
                raw[rng.randrange(len(raw))] = rng.randrange(256)
            mutated = np.frombuffer(bytes(raw), arrays[name].dtype).reshape(arrays[name].shape)
            yield f"{kind}: bytes of {name} {k}", header, dict(arrays, **{name: mutated}), None, None


def _train_on(path, corpus, out, how, what=""):
    """Train on the model file ``path`` (``how``: resume or init_model); return the
    vectors, or None when refused with a Word2VecError."""
    flags = dict(resume=str(path)) if how == "resume" else dict(init_model=str(path), iter=1)
    try:
        result = train_model(TrainOptions(train=str(corpus), output=str(out), debug=0, **flags))
    except Word2VecError as exc:
        assert "\n" not in str(exc)
        return None
    assert np.isfinite(result.syn0).all(), (what, how)
    return result.syn0


def test_crafted_and_mutated_model_files_load_or_are_refused_in_one_line(seeds):
    from word2vec_cli.api import Model

    folder, corpus, models = seeds
    rng = random.Random(SEED)
    path, out = folder / "crafted.w2v", folder / "out.txt"
    loaded, refused, trained = [], 0, 0
    for number, (what, header, arrays, lies, text) in enumerate(crafted_models(models, rng)):
        write_model(path, header, arrays, lies, text)
        try:
            saved = load_model(path)
        except Word2VecError as exc:
            message = str(exc)
            assert "\n" not in message and message, what
            refused += 1
            continue
        loaded.append(what)
        assert np.isfinite(saved.state.syn0).all(), what
        if number % 13 == 0:
            model = Model.load(path)
            assert model.vectors.vectors.shape == saved.state.syn0.shape
            model._folder.cleanup()  # the API keeps a folder for the models it trains
        # run the kernels on some that loaded (all the "as written" ones)
        if "as written" in what or rng.random() < 0.02:
            for how in ("resume", "init_model"):
                _train_on(path, corpus, out, how, what)
            trained += 1
    total = refused + len(loaded)
    assert total > 3000 and refused > 0.6 * total, (total, refused)
    assert trained >= 4
    # the lies that matter were all refused: none of these loaded
    for must_fail in ("counts: one -1", "syn0: one nan", "alphas: one nan", "progress: one -1",
                      "syn1: a row less", "syn1neg: a row less", "points: one 2147483647",
                      "code_lengths: one 2147483647", "threads: all 18446744073709551615", "shares: one -1"):
        assert not [w for w in loaded if must_fail in w], must_fail


def _one_line_status(result):
    assert result.returncode in (0, 1, 2), (result.returncode, result.stderr[-300:])
    err = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err
    if result.returncode:
        assert err.count("\n") == 1, err


def test_hostile_model_files_on_the_command_line_never_end_in_a_signal(seeds):
    folder, corpus, models = seeds
    header, arrays = models["cbow-hs-ns"]
    points = models["grafted"][1]["points"].copy()
    points[3, 1] = 10 ** 6  # a path far outside syn1 (the old loader took it)
    cursor = arrays["threads"].copy()
    cursor[0, 1] = 10 ** 9
    cases = [(models["grafted"][0], dict(models["grafted"][1], points=points), ("-init-model",)),
             (header, dict(arrays, threads=cursor), ("-resume",)),
             (header, arrays, ("-resume", "-init-model"))]
    for k, (h, a, flags) in enumerate(cases):
        path = folder / f"cli{k}.w2v"
        write_model(path, h, a)
        for flag in flags:
            result = run_cli(flag, path, "-train", corpus, "-output", folder / "v.txt", "-debug", 0, timeout=120)
            _one_line_status(result)
            if k < len(cases) - 1:
                assert result.returncode == 1, (k, flag, result.stderr)


# ---------------------------------------------------------------- vocabulary files

def _mutate(data, rng, alphabet=b"0123456789 \n\t-+_e.x\xd9\xa5"):
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(max(len(data), 1))
        action = rng.random()
        if action < 0.4 and data:
            data[at % len(data)] = rng.choice(alphabet) if rng.random() < 0.7 else rng.randrange(256)
        elif action < 0.6 and data:
            del data[at % len(data)]
        elif action < 0.8:
            data.insert(at, rng.choice(alphabet))
        else:
            data = data[:at]
    return bytes(data)


def test_mutated_vocabulary_files_read_or_are_refused_in_one_line(seeds, tmp_path):
    from word2vec_cli.text.vocab import Vocabulary

    folder, corpus, _ = seeds
    rng = random.Random(SEED + 1)
    base = tmp_path / "base.vocab"
    train_model(TrainOptions(train=str(corpus), save_vocab=str(base), min_count=1, debug=0), vectors_wanted=False)
    good = base.read_bytes()
    path = tmp_path / "v.vocab"
    ok = 0
    for k in range(600):
        path.write_bytes(_mutate(good, rng))
        for min_count in (0, 3):
            try:
                vocabulary = Vocabulary.read(str(path), min_count)
            except Word2VecError as exc:
                assert "\n" not in str(exc)
                continue
            ok += 1
            assert vocabulary.word_bytes[0] == b"</s>" and (vocabulary.counts >= 0).all()
            assert vocabulary.train_words > 0
            if k % 100 == 0:  # and train with it
                flags = dict(train=str(corpus), read_vocab=str(path), min_count=min_count, debug=0, iter=1,
                             size=6, hs=1, threads=1, output=str(tmp_path / "o.txt"))
                try:
                    assert np.isfinite(train_model(TrainOptions(**flags)).syn0).all()
                except Word2VecError as exc:
                    assert "\n" not in str(exc)
    assert ok > 50


@pytest.mark.parametrize("count", [b"1_000", b"+5", b" 5x", "\u0665".encode(), b"-3", b"5.0", b"0x10", b"1e5"])
def test_vocabulary_counts_are_ascii_digits_only(tmp_path, count):
    from word2vec_cli.text.vocab import Vocabulary

    path = tmp_path / "v.vocab"
    path.write_bytes(b"</s> 3\nthe " + count + b"\ncat 2\n")
    with pytest.raises(Word2VecError, match=":2: "):
        Vocabulary.read(str(path), 0)


def test_counts_of_10_to_the_15_and_more_train_with_hierarchical_softmax(seeds, tmp_path):
    folder, corpus, _ = seeds
    vocab = tmp_path / "big.vocab"
    # the old tree builder seeded its inner nodes with 10^15: a count of that size
    # collided with it and the paths pointed outside syn1
    vocab.write_bytes(b"</s> 1000000000000000\nw0 3000000000000000\nw1 2000000000000000\nw2 1000000000000000\n"
                      b"w3 1000000000000000\nw4 5\n")
    result = run_cli("-train", corpus, "-read-vocab", vocab, "-min-count", 0, "-hs", 1, "-negative", 0,
                     "-size", 6, "-iter", 1, "-threads", 1, "-output", tmp_path / "v.txt", "-debug", 0)
    assert result.returncode == 0, result.stderr
    from word2vec_cli.model.huffman import HuffmanCodes

    counts = np.array([10 ** 15, 3 * 10 ** 15, 2 * 10 ** 15, 10 ** 15, 10 ** 15, 5], dtype=np.int64)
    codes = HuffmanCodes(counts)
    n = len(counts)
    for word in range(n):
        length = codes.lengths[word]
        assert 1 <= length and (0 <= codes.points[word, :length]).all() and (codes.points[word, :length] <= n - 2).all()
    assert sum(2.0 ** -int(length) for length in codes.lengths) == 1.0  # a full binary tree
    huge = HuffmanCodes(np.array([(1 << 62), (1 << 61), 1, 0], dtype=np.int64))
    assert (huge.points[:, 0] == 2).all() and sorted(huge.lengths.tolist()) == [1, 2, 3, 3]


def test_a_vocabulary_whose_counts_are_all_zero_is_refused_in_one_line(seeds, tmp_path):
    from word2vec_cli.model.sampling import unigram_bounds

    folder, corpus, _ = seeds
    vocab = tmp_path / "zero.vocab"
    vocab.write_bytes(b"</s> 0\nw0 0\nw1 0\n")
    with pytest.raises(Word2VecError, match="every count"):
        train_model(TrainOptions(train=str(corpus), read_vocab=str(vocab), min_count=0, debug=0,
                                 output=str(tmp_path / "v.txt")))
    assert not (tmp_path / "v.txt").exists()
    # the reference's table with all counts 0: every entry word 0
    assert unigram_bounds(np.zeros(3, np.int64), table_size=100).tolist() == [0, 100, 100, 100]


# ---------------------------------------------------------------- vector files

def test_mutated_vector_files_read_or_are_refused_in_one_line(tmp_path):
    from word2vec_cli.vectors.convert import convert
    from word2vec_cli.vectors.read import load
    from word2vec_cli.vectors.write import save_vectors

    rng = random.Random(SEED + 2)
    words = ["</s>", "the", "cat", "dog", "a\tb", "x" * 30]
    matrix = np.random.default_rng(0).standard_normal((len(words), 4)).astype(np.float32)
    bases = {}
    for binary in (False, True):
        save_vectors(tmp_path / "base", words, matrix, binary=binary)
        bases[binary] = (tmp_path / "base").read_bytes()
    path = tmp_path / "v.vec"
    ok = 0
    for k in range(500):
        binary = k % 2 == 1
        path.write_bytes(_mutate(bases[binary], rng, alphabet=b"0123456789 \n\t-.e+_nai\x00\x80"))
        for limit in (None, 2):
            try:
                vectors = load(path, limit=limit)
            except Word2VecError as exc:
                assert "\n" not in str(exc) and str(exc)
                continue
            ok += 1
            assert np.isfinite(vectors.vectors).all() and vectors.vectors.shape[0] == len(vectors.words)
            if limit is None:
                for target in ("t.txt", "t.bin"):
                    try:
                        convert(path, tmp_path / target)
                    except Word2VecError as exc:  # a word the format cannot hold
                        assert "cannot write" in str(exc) and "\n" not in str(exc)
                        continue
                    back = load(tmp_path / target)
                    assert back.words == vectors.words
    assert ok > 50
    # and once through the command line: a header that lies, in a binary file
    path.write_bytes(b"3 1000000\n" + bases[True][bases[True].index(b"\n") + 1:])
    result = run_cli("convert", path, tmp_path / "c.txt")
    _one_line_status(result)
    assert result.returncode == 1 and not (tmp_path / "c.txt").exists()


def test_vector_numbers_are_read_as_c_reads_decimals(tmp_path):
    from word2vec_cli.vectors.read import load

    for value in (b"1_0", b"1_000.5", b"\xd9\xa5", b"0x1p3"):
        path = tmp_path / "v.txt"
        path.write_bytes(b"2 2\na 1.5 " + value + b"\nb 1 2\n")
        with pytest.raises(Word2VecError, match="line 2" if b"_" in value else None):
            load(path)
    path.write_bytes(b"2 2\na 1.5 1e-3\nb +1 -.5\n")
    assert load(path).vectors.tolist() == [[1.5, np.float32(1e-3)], [1.0, -0.5]]


def test_a_numpy_pair_with_a_nan_or_a_value_beyond_float32_is_refused(tmp_path):
    from word2vec_cli.vectors.npy import save_npy
    from word2vec_cli.vectors.read import load

    for value in (np.nan, 1e300):
        save_npy(tmp_path / "v.npy", ["a", "b"], np.zeros((2, 3)))
        np.save(tmp_path / "v.npy", np.array([[0.0, 1, 2], [3, value, 5]]))
        with pytest.raises(Word2VecError, match="row 2"):
            load(tmp_path / "v.npy")


@pytest.mark.parametrize("word, index", [("new\nline", 1), ("", 2)])
def test_the_text_writer_refuses_a_word_it_could_not_read_back(tmp_path, word, index):
    from word2vec_cli.vectors.write import save_vectors

    words = ["a", "b", "c"]
    words[index] = word
    with pytest.raises(Word2VecError, match=f"word {index} "):
        save_vectors(tmp_path / "v.txt", words, np.zeros((3, 2), np.float32))
    with pytest.raises(Word2VecError, match="spaces"):
        save_vectors(tmp_path / "v.txt", ["a", "b c", "d"], np.zeros((3, 2), np.float32))
    assert not (tmp_path / "v.txt").exists()


# ---------------------------------------------------------------- smaller defects

def test_a_model_that_lies_is_refused_naming_the_field(seeds, tmp_path):
    _, _, models = seeds
    header, arrays = models["cbow-hs-ns"]
    path = tmp_path / "m.w2v"
    counts = arrays["counts"].copy()
    counts[3] = -1
    syn0 = arrays["syn0"].copy()
    syn0[1, 1] = np.nan
    progress = arrays["progress"].copy()
    progress[0] = -5
    for lied, field in ((dict(arrays, counts=counts), "counts"), (dict(arrays, syn0=syn0), "syn0"),
                        (dict(arrays, alphas=np.full_like(arrays["alphas"], np.nan)), "alphas"),
                        (dict(arrays, progress=progress), "progress")):
        write_model(path, header, lied)
        with pytest.raises(Word2VecError, match=field):
            load_model(path)


def test_a_model_file_that_is_a_fifo_is_not_called_truncated(tmp_path):
    fifo = tmp_path / "m.w2v"
    os.mkfifo(fifo)
    # a writer, so that a loader that opens the FIFO reads something instead of waiting
    def write():
        try:
            fifo.write_bytes(b"W2VMODEL" + b"\0" * 100)
        except OSError:  # the reader went away at once (the loader never opened it)
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        with pytest.raises(Word2VecError, match="regular file"):
            load_model(fifo)
    finally:
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # lets the writer's open return
        writer.join(5)
        os.close(reader)


def test_resume_refuses_another_text_with_the_same_token_count(seeds, tmp_path):
    folder, corpus, models = seeds
    path = tmp_path / "m.w2v"
    write_model(path, *models["sg-ns"])
    lines = corpus.read_text().splitlines()
    other = tmp_path / "other.txt"
    other.write_text("\n".join(reversed(lines)) + "\n")  # the same words, another order
    with pytest.raises(Word2VecError, match="not the text"):
        train_model(TrainOptions(resume=str(path), train=str(other), debug=0, output=str(tmp_path / "v.txt")))
    assert train_model(TrainOptions(resume=str(path), train=str(corpus), debug=0)).syn0 is not None


def test_a_checkpoint_truncated_while_it_is_used_cannot_fault_the_run(seeds, tmp_path):
    import subprocess
    import sys

    _, _, models = seeds
    path = tmp_path / "m.w2v"
    write_model(path, *models["sg-ns"])
    # in a child: a SIGBUS would kill it, not the suite
    script = ("import os, sys; from word2vec_cli.training.checkpoint import load_model\n"
              "saved = load_model(sys.argv[1]); os.truncate(sys.argv[1], 0)\n"
              "print(float(saved.state.syn0.sum()) == float(saved.state.syn0.sum()), saved.state.syn1neg.shape)\n")
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, timeout=120)
    assert result.returncode == 0 and result.stdout.startswith(b"True"), result


def test_the_kept_text_is_copied_and_its_word_ids_checked(seeds, tmp_path):
    from word2vec_cli.training.checkpoint import saved_tokens, text_fingerprint, tokens_path

    folder, corpus, models = seeds
    header, arrays = models["sg-ns"]
    path = tmp_path / "ck.w2v"
    from word2vec_cli.text.corpus import encode
    from word2vec_cli.text.vocab import Vocabulary

    saved_vocab = Vocabulary(bytes(arrays["words"]).split(b"\n"), arrays["counts"])
    _, tokens = encode(str(corpus), read_vocab=saved_vocab, tmpdir=str(tmp_path))
    ids = np.array(tokens.array())
    tokens.close()
    crc = text_fingerprint(ids)
    header = _replace(header, "meta", "tokens", {"crc32": crc})
    write_model(path, header, arrays)
    ids.tofile(tokens_path(path))
    kept = saved_tokens(load_model(path), str(tmp_path))
    assert kept is not None
    os.truncate(tokens_path(path), 0)  # the run reads its own copy: no fault
    assert int(np.asarray(kept.array()).sum()) == int(ids.sum())
    kept.close()
    hostile = ids.copy()
    hostile[5] = 10 ** 6  # a word id beyond the vocabulary, with a valid CRC
    hostile.tofile(tokens_path(path))
    write_model(path, _replace(header, "meta", "tokens", {"crc32": text_fingerprint(hostile)}), arrays)
    assert saved_tokens(load_model(path), str(tmp_path)) is None


def test_init_vectors_from_a_fifo_and_a_gz_file(seeds, tmp_path):
    import gzip

    from word2vec_cli.vectors.write import save_vectors

    folder, corpus, _ = seeds
    vectors = tmp_path / "init.txt"
    save_vectors(vectors, ["w0", "w1", "nothere"], np.full((3, 6), 0.25, np.float32))
    packed = tmp_path / "init.txt.gz"
    packed.write_bytes(gzip.compress(vectors.read_bytes()))
    fifo = tmp_path / "init.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(vectors.read_bytes()), daemon=True)
    writer.start()
    flags = dict(train=str(corpus), size=6, iter=1, min_count=1, debug=0, threads=1, alpha=1e-9, sample=0)
    for source in (packed, fifo):
        result = train_model(TrainOptions(init_vectors=str(source), **flags))
        w0 = result.vocabulary.word_bytes.index(b"w0")
        np.testing.assert_allclose(result.syn0[w0], 0.25, atol=1e-3)
    writer.join(5)


def test_a_huge_sample_threshold_keeps_every_word_without_a_warning():
    import warnings

    from word2vec_cli.model.sampling import keep_probabilities

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning would be a second line on stderr
        keep = keep_probabilities(np.array([0, 5, 3]), 1e300, 8)
    assert (keep >= 1).all()
