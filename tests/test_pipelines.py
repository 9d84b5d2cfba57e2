"""The toolkit as a shell citizen: pipes, FIFOs, links, devices and sockets in and out;
failures (a full disk, a broken pipe, a closed descriptor, SIGTERM) never hidden.

Every special file is made by the test itself in a temporary folder (mkfifo, symlink,
a listening socket, process substitution through bash); a device node only when
running as root, made with mknod in the temporary folder. No node under /dev is
ever written to or named as an output.
"""

import gzip
import os
import resource
import shlex
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import pytest

from conftest import GOLDEN, run_cli
from word2vec_cli import load as load_api
from word2vec_cli import train
from word2vec_cli.errors import UsageError, Word2VecError
from word2vec_cli.files.inputs import is_regular_file, open_input
from word2vec_cli.files.outputs import atomic_output
from word2vec_cli.text import corpus
from word2vec_cli.text.phrases import find_phrases
from word2vec_cli.text.vocab import Vocabulary
from word2vec_cli.vectors.classes import save_classes
from word2vec_cli.vectors.convert import convert
from word2vec_cli.vectors.read import load
from word2vec_cli.vectors.write import save_vectors

TINY = str(GOLDEN / "tiny-corpus.txt")
CLI = f"{shlex.quote(sys.executable)} -m word2vec_cli"
#: Small, fast training flags (one thread: the output is deterministic).
QUICK = "-size 8 -iter 1 -threads 1 -min-count 1 -debug 0"
ROOT = os.geteuid() == 0


def bash(script, timeout=120, **kwargs):
    """Run ``script`` with bash (``$W`` is the command line, ``$C`` the tiny corpus)."""
    env = dict(os.environ, W=CLI, C=TINY, Q=QUICK)
    return subprocess.run(["bash", "-c", script], capture_output=True, timeout=timeout, env=env, **kwargs)


def one_line(result, status, *fragments):
    err = result.stderr.decode()
    assert result.returncode == status, (result.returncode, err)
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def leftovers(folder):
    """Names in ``folder`` that look like our temporary files or folders."""
    return [n for n in os.listdir(folder) if n.endswith(".tmp") or n.startswith(("word2vec-", "word2phrase-"))]


@pytest.fixture
def short_tmp():
    """A temporary folder with a short path (a socket path must stay under 108 bytes)."""
    folder = tempfile.mkdtemp(prefix="w2v-", dir="/tmp")
    yield folder
    subprocess.run(["rm", "-rf", folder], check=False)


def _write_vectors(out, folder):
    vectors = load_api(folder / "v.txt")
    save_vectors(out, vectors.words, vectors.vectors)


def _write_vocabulary(out, folder):
    Vocabulary.read(folder / "vocab.txt", 1).save(out)


def _write_classes(out, folder):
    vectors = load_api(folder / "v.txt")
    save_classes(out, [w.encode() for w in vectors.words], np.arange(len(vectors)) % 5)


def _write_phrases(out, folder):
    find_phrases(TINY, out, min_count=2, threshold=10, passes=2)


def _write_conversion(out, folder):
    convert(str(folder / "v.txt"), out, to="binary")


#: Every writer of the toolkit, writing to ``out`` from the regular files in ``folder``.
WRITERS = {"v.txt": _write_vectors, "vocab.txt": _write_vocabulary, "classes.txt": _write_classes,
           "phrases.txt": _write_phrases, "v.bin": _write_conversion}


@pytest.fixture(scope="module")
def reference_outputs(tmp_path_factory):
    """What every writer puts in a regular file (the vectors and vocabulary trained
    with :data:`QUICK`), for the stream runs to be compared with."""
    folder = tmp_path_factory.mktemp("regular")
    train(TINY, output=folder / "v.txt", save_vocab=str(folder / "vocab.txt"), size=8, iter=1, threads=1,
          min_count=1)
    for name, write in WRITERS.items():
        if name not in ("v.txt", "vocab.txt"):
            write(str(folder / name), folder)
    return {name: (folder / name).read_bytes() for name in WRITERS}


def _regular_inputs(folder, reference_outputs):
    for name in ("v.txt", "vocab.txt"):
        (folder / name).write_bytes(reference_outputs[name])


# ---------------------------------------------------------------- outputs


@pytest.mark.parametrize("name", list(WRITERS))
def test_every_writer_streams_into_a_fifo_and_leaves_it_a_fifo(tmp_path, reference_outputs, name):
    _regular_inputs(tmp_path, reference_outputs)
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got = []

    def drain():
        with open(fifo, "rb") as handle:
            got.append(handle.read())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    WRITERS[name](str(fifo), tmp_path)
    reader.join(30)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got[0] == reference_outputs[name]
    assert not leftovers(tmp_path)


@pytest.mark.parametrize("name", list(WRITERS))
def test_every_writer_follows_a_link_and_keeps_it(tmp_path, reference_outputs, name):
    _regular_inputs(tmp_path, reference_outputs)
    (tmp_path / "run7").mkdir()
    target = tmp_path / "run7" / "real"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    link = tmp_path / "link"
    link.symlink_to("run7/real")
    WRITERS[name](str(link), tmp_path)
    assert os.path.islink(link) and os.readlink(link) == "run7/real"
    assert target.read_bytes() == reference_outputs[name]
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640
    assert not leftovers(tmp_path) and not leftovers(tmp_path / "run7")
    # a dangling link: its target is created, the link stays
    os.unlink(target)
    WRITERS[name](str(link), tmp_path)
    assert os.path.islink(link) and target.read_bytes() == reference_outputs[name]


def test_the_command_line_writes_through_fifos_and_links(tmp_path, reference_outputs):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    (tmp_path / "real").write_bytes(b"old")
    (tmp_path / "link").symlink_to("real")
    result = bash(f"cd {tmp_path} && (cat out.fifo > got &) && $W -train $C -output out.fifo -save-vocab link $Q")
    assert result.returncode == 0, result.stderr.decode()
    time.sleep(0.2)
    assert (tmp_path / "got").read_bytes() == reference_outputs["v.txt"]
    assert (tmp_path / "real").read_bytes() == reference_outputs["vocab.txt"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and os.path.islink(tmp_path / "link")


def test_dev_stdout_idiom_pipes_the_vectors(tmp_path, reference_outputs):
    # /dev/stdout is a link to /proc/self/fd/1; a link of our own stands for it, so
    # that a broken implementation cannot replace the real node
    stdout_link = tmp_path / "stdout"
    stdout_link.symlink_to("/proc/self/fd/1")
    result = bash(f"$W -train $C -output {stdout_link} $Q | gzip > {tmp_path}/v.txt.gz; "
                  "exit ${PIPESTATUS[0]}")
    assert result.returncode == 0, result.stderr.decode()
    assert gzip.decompress((tmp_path / "v.txt.gz").read_bytes()) == reference_outputs["v.txt"]
    assert os.path.islink(stdout_link)
    # '-' and /dev/fd/N are standard output too (the same path is taken for /dev/stdout)
    result = bash(f"$W -train $C -output - $Q | cat > {tmp_path}/a; "
                  f"$W -train $C -output /dev/fd/3 $Q 3> {tmp_path}/b")
    assert result.returncode == 0, result.stderr.decode()
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes() == reference_outputs["v.txt"]
    # a link to standard output that is a file opened for appending: appended to, not replaced
    (tmp_path / "log").write_bytes(b"before\n")
    result = bash(f"$W -train $C -save-vocab {stdout_link} $Q >> {tmp_path}/log")
    assert result.returncode == 0, result.stderr.decode()
    assert (tmp_path / "log").read_bytes() == b"before\n" + reference_outputs["vocab.txt"]


def test_new_and_existing_files_get_the_modes_a_plain_create_gives(tmp_path):
    old = tmp_path / "old.txt"
    old.write_bytes(b"x")
    os.chmod(old, 0o600)
    result = bash(f"umask 027; cd {tmp_path} && $W -train $C -output new.txt -save-vocab old.txt $Q")
    assert result.returncode == 0, result.stderr.decode()
    assert stat.S_IMODE(os.stat(tmp_path / "new.txt").st_mode) == 0o640
    assert stat.S_IMODE(os.stat(old).st_mode) == 0o600


def test_a_socket_is_written_as_a_stream(short_tmp, reference_outputs):
    path = os.path.join(short_tmp, "s")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    received = []

    def serve():
        connection, _ = server.accept()
        with connection:
            received.append(b"".join(iter(lambda: connection.recv(65536), b"")))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    words, matrix = ["a", "b"], np.eye(2, dtype=np.float32)
    save_vectors(path, words, matrix)
    thread.join(10)
    server.close()
    assert received[0].startswith(b"2 2\na 1.000000 0.000000 \n")
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


@pytest.mark.skipif(not ROOT, reason="device nodes are made with mknod, which needs root")
def test_device_nodes_are_written_through_never_replaced(tmp_path):
    null = tmp_path / "null"
    full = tmp_path / "full"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    result = bash(f"$W -train $C -output {null} -save-vocab {null} $Q")
    assert result.returncode == 0, result.stderr.decode()
    result = bash(f"$W -train $C -output {full} $Q")
    one_line(result, 1, str(full), "No space left on device")
    for node in (null, full):
        assert stat.S_ISCHR(os.lstat(node).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["full", "null"]


def _limit_file_size(limit):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_failed_write_names_the_path_and_leaves_nothing(tmp_path):
    out = tmp_path / "v.txt"
    out.write_bytes(b"the old vectors")
    # the token file (90 kB) fits under the limit, the vectors (600 kB) do not
    result = bash(f"$W -train $C -output {out} {QUICK.replace('-size 8', '-size 100')}",
                  preexec_fn=_limit_file_size(300_000))
    one_line(result, 1, "cannot write", str(out), "File too large")
    assert "::" not in result.stderr.decode()
    assert out.read_bytes() == b"the old vectors"
    assert not leftovers(tmp_path)


def test_a_full_tmpdir_is_one_line_and_leaves_nothing(tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    result = bash(f"cat $C | $W -train - -output {tmp_path}/v.txt -tmpdir {spool} $Q",
                  preexec_fn=_limit_file_size(20_000))
    one_line(result, 1, "token file", str(spool))
    assert os.listdir(spool) == [] and not os.path.exists(tmp_path / "v.txt")
    result = bash(f"cat $C | $W phrases -train - -output {tmp_path}/p.txt -tmpdir {spool} -debug 0",
                  preexec_fn=_limit_file_size(20_000))
    one_line(result, 1, "temporary file", str(spool))
    assert os.listdir(spool) == [] and not os.path.exists(tmp_path / "p.txt")
    result = bash(f"$W -train $C -output {tmp_path}/v.txt -tmpdir {tmp_path}/nowhere $Q")
    one_line(result, 2, "-tmpdir")


def test_tmpdir_and_TMPDIR_choose_where_the_token_file_goes(tmp_path, monkeypatch):
    vocabulary, tokens = corpus.encode(TINY, tmpdir=str(tmp_path))
    with tokens:
        assert os.path.dirname(tokens.folder) == str(tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "t"))
    (tmp_path / "t").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", None)
    vocabulary, tokens = corpus.encode(TINY)
    with tokens:
        assert os.path.dirname(tokens.folder) == str(tmp_path / "t")


def test_a_directory_is_never_an_output(tmp_path):
    with pytest.raises(Word2VecError, match="directory"):
        with atomic_output(tmp_path) as handle:
            handle.write(b"x")


# ---------------------------------------------------------------- inputs


def test_training_from_pipes_equals_training_from_the_file(tmp_path, reference_outputs):
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)
    script = (f"cd {tmp_path} && cat $C | $W -train - -output a.txt -save-vocab a.voc $Q "
              f"&& cat $C | $W -train /dev/stdin -save-vocab b.voc $Q "
              f"&& $W -train <(cat $C) -save-vocab c.voc $Q "
              f"&& (cat $C > {fifo} &) && $W -train {fifo} -save-vocab d.voc $Q")
    result = bash(script)
    assert result.returncode == 0, result.stderr.decode()
    assert (tmp_path / "a.txt").read_bytes() == reference_outputs["v.txt"]
    for name in ("a.voc", "b.voc", "c.voc", "d.voc"):
        assert (tmp_path / name).read_bytes() == reference_outputs["vocab.txt"], name
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_an_empty_pipe_is_an_empty_corpus(tmp_path):
    result = bash(f": | $W -train - -output {tmp_path}/v.txt $Q")
    one_line(result, 1, "training file is empty", "standard input")
    result = bash(f"$W phrases -train <(:) -output {tmp_path}/p.txt -debug 0")
    one_line(result, 1, "training file is empty")
    assert os.listdir(tmp_path) == []


def _feed_fifo(path, data):
    """Write ``data`` into the FIFO ``path`` once, from a thread; return the thread."""
    def write():
        with open(path, "wb") as handle:
            handle.write(data)
    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_pruning_reads_a_fifo_once(tmp_path):
    # a second open of the FIFO would wait for a writer that never comes: the
    # subprocess would time out
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)
    code = ("import sys; from word2vec_cli.text import corpus\n"
            f"v, t = corpus.encode({str(fifo)!r}, min_count=1, prune_limit=4)\n"
            "print(b' '.join(v.word_bytes).decode(), t.n_tokens); t.close()")
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    _feed_fifo(fifo, b"a a a b c d e a b f g h a\n").join(10)
    try:
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # stuck on a second open of the FIFO
            process.kill()
            process.wait()
    assert process.returncode == 0
    assert out.decode().split() == ["</s>", "a", "g", "h", "8"]


def test_phrases_passes_work_on_a_fifo(tmp_path, reference_outputs):
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)
    feeder = _feed_fifo(fifo, open(TINY, "rb").read())
    spool = tmp_path / "spool"
    spool.mkdir()
    find_phrases(str(fifo), str(tmp_path / "p.txt"), min_count=2, threshold=10, passes=2, tmpdir=str(spool))
    feeder.join(10)
    assert (tmp_path / "p.txt").read_bytes() == reference_outputs["phrases.txt"]
    assert os.listdir(spool) == []


def test_vector_vocabulary_and_question_files_from_pipes(tmp_path, reference_outputs):
    (tmp_path / "v.bin").write_bytes(reference_outputs["v.bin"])
    (tmp_path / "vocab.txt").write_bytes(reference_outputs["vocab.txt"])
    (tmp_path / "q.txt").write_bytes(b": s\nthe of and in\n")
    script = (f"cd {tmp_path} && echo the | $W distance <(cat v.bin) -n 3 > d1 "
              "&& cat v.bin | $W convert - - --to text > v.txt "
              "&& $W accuracy <(cat v.bin) --questions <(cat q.txt) > a1 "
              "&& $W -train $C -read-vocab <(cat vocab.txt) -save-vocab r.voc $Q")
    result = bash(script)
    assert result.returncode == 0, result.stderr.decode()
    assert b"Position in vocabulary" in (tmp_path / "d1").read_bytes()
    assert (tmp_path / "v.txt").read_bytes() == reference_outputs["v.txt"]
    assert b"Questions seen / total: 1 1" in (tmp_path / "a1").read_bytes()
    assert (tmp_path / "r.voc").read_bytes() == reference_outputs["vocab.txt"]



def test_is_regular_file_tells_streams_apart(tmp_path):
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    assert is_regular_file(TINY)
    assert not is_regular_file("-") and not is_regular_file(fifo) and not is_regular_file(tmp_path)


# ---------------------------------------------------------------- hostile input


def _corrupt_gzip(tmp_path, data, name):
    packed = bytearray(gzip.compress(data, compresslevel=1))
    middle = len(packed) // 2
    packed[middle:middle + 64] = bytes(64)
    path = tmp_path / name
    path.write_bytes(bytes(packed))
    return path


def test_a_gzip_stream_corrupt_in_the_middle(tmp_path, reference_outputs):
    text = _corrupt_gzip(tmp_path, open(TINY, "rb").read(), "c.txt.gz")
    with pytest.raises(Word2VecError, match="corrupt"):
        corpus.encode(str(text), tmpdir=str(tmp_path))
    assert not leftovers(tmp_path)
    vectors = _corrupt_gzip(tmp_path, reference_outputs["v.bin"], "v.bin.gz")
    with pytest.raises(Word2VecError, match="corrupt"):
        load(vectors)
    with pytest.raises(Word2VecError, match="corrupt"):
        with open_input(text) as stream:
            while stream.read(1 << 16):
                pass


@pytest.mark.parametrize("count,fragment", [
    (str(2 ** 63), "beyond"), ("99999999999999999999999999", "beyond"), ("-3", "negative")])
def test_read_vocab_counts_out_of_range(tmp_path, count, fragment):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text(f"</s> 0\nthe {count}\n")
    with pytest.raises(Word2VecError, match=fragment):
        Vocabulary.read(vocab, 1)


def test_read_vocab_counts_that_add_up_beyond_int64(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_text(f"</s> 0\nthe {2 ** 62}\nof {2 ** 62}\n")
    with pytest.raises(Word2VecError, match="add up"):
        Vocabulary.read(vocab, 1)


@pytest.mark.parametrize("suffix", ["", ".gz", ".xz"])
@pytest.mark.parametrize("header", [b"1000000 2", b"2 1000000000", b"99999999999999999999 2"])
def test_a_header_that_claims_more_than_the_file_holds(tmp_path, suffix, header):
    data = header + b"\na 1.0 2.0\nb 3.0 4.0\n"
    path = tmp_path / f"v.txt{suffix}"
    if suffix == ".gz":
        data = gzip.compress(data)
    elif suffix == ".xz":
        import lzma
        data = lzma.compress(data)
    path.write_bytes(data)
    with pytest.raises(Word2VecError, match="header announces|file ends|expected"):
        load(path)


def test_a_compressed_file_with_an_honest_header_loads_whole(tmp_path):
    matrix = np.random.default_rng(1).standard_normal((3000, 7)).astype(np.float32)
    words = [f"w{i}" for i in range(3000)]
    for binary in (False, True):
        plain = tmp_path / ("v.bin" if binary else "v.txt")
        save_vectors(plain, words, matrix, binary=binary)
        packed = tmp_path / (plain.name + ".gz")
        packed.write_bytes(gzip.compress(plain.read_bytes()))
        a, b = load(plain), load(packed)
        assert a.words == b.words and np.array_equal(a.vectors, b.vectors)


def test_a_binary_file_streamed_in_small_blocks_grows_its_matrix(tmp_path, monkeypatch):
    from word2vec_cli.vectors import read
    matrix = np.random.default_rng(2).standard_normal((500, 9)).astype(np.float32)
    words = [f"w{i}" for i in range(500)]
    monkeypatch.setattr(read, "READ_BLOCK", 256)
    for binary in (False, True):
        path = tmp_path / ("v.bin.gz" if binary else "v.txt.gz")
        save_vectors(tmp_path / "plain", words, matrix, binary=binary)
        path.write_bytes(gzip.compress((tmp_path / "plain").read_bytes()))
        loaded = load(path)
        assert loaded.words == words
        assert np.array_equal(loaded.vectors, matrix) if binary else np.allclose(loaded.vectors, matrix, atol=1e-6)


@pytest.mark.parametrize("binary", [False, True])
def test_a_lying_header_in_a_long_compressed_file_costs_no_huge_allocation(tmp_path, monkeypatch, binary):
    # the file is longer than the first read (READ_BLOCK made tiny), so its size is
    # unknown when the matrix is made: the matrix must grow with the rows really read
    from word2vec_cli.vectors import read
    monkeypatch.setattr(read, "READ_BLOCK", 256)
    save_vectors(tmp_path / "plain", [f"w{i}" for i in range(200)], np.ones((200, 2), np.float32), binary=binary)
    data = (tmp_path / "plain").read_bytes().replace(b"200 2\n", b"1000000000000 2\n", 1)
    (tmp_path / "v.gz").write_bytes(gzip.compress(data))
    with pytest.raises(Word2VecError, match="after 200 of the 1000000000000"):
        load(tmp_path / "v.gz")


@pytest.mark.parametrize("token", [b"nan", b"-inf", b"1e39"])
def test_non_finite_values_in_a_text_file_are_refused(tmp_path, token):
    path = tmp_path / "v.txt"
    path.write_bytes(b"2 2\na 1.0 2.0\nb 3.0 " + token + b"\n")
    with pytest.raises(Word2VecError, match="line 3.*finite"):
        load(path)


def test_non_finite_values_in_a_binary_file_are_refused(tmp_path):
    matrix = np.ones((3, 4), dtype=np.float32)
    matrix[1, 2] = np.inf
    save_vectors(tmp_path / "v.bin", ["a", "b", "c"], matrix, binary=True)
    with pytest.raises(Word2VecError, match="record 2: NaN or infinite"):
        load(tmp_path / "v.bin")
    with pytest.raises(Word2VecError, match="record 2: NaN or infinite"):
        load_api(tmp_path / "v.bin")


def test_seed_range(tmp_path):
    result = run_cli("-train", TINY, "-output", tmp_path / "v.txt", "-seed", str(2 ** 64 - 1), *QUICK.split())
    assert result.returncode == 0, result.stderr.decode()
    from word2vec_cli.model.options import TrainOptions
    with pytest.raises(UsageError):
        TrainOptions(train=TINY, seed=2 ** 64).resolved()


# ---------------------------------------------------------------- failures never hidden


def test_a_broken_stderr_does_not_stop_the_run(tmp_path, reference_outputs):
    result = bash(f"$W -train $C -output {tmp_path}/v.txt {QUICK.replace('-debug 0', '-debug 2')} 2>&1 | head -c 1;"
                  " exit ${PIPESTATUS[0]}")
    assert result.returncode == 0, result.stderr.decode()
    assert (tmp_path / "v.txt").read_bytes() == reference_outputs["v.txt"]
    result = bash(f"$W -train $C -output {tmp_path}/w.txt {QUICK.replace('-debug 0', '-debug 2')} 2>&-")
    assert result.returncode == 0
    assert (tmp_path / "w.txt").read_bytes() == reference_outputs["v.txt"]


def test_closed_standard_streams_fail_loudly(tmp_path, reference_outputs):
    one_line(bash("$W -train $C -output - $Q >&-"), 1, "standard output is closed")
    one_line(bash("$W -train $C -output /dev/fd/9 $Q 9>&-"), 1, "/dev/fd/9", "Bad file descriptor")
    one_line(bash(f"$W -train - -output {tmp_path}/v.txt $Q <&-"), 1, "standard input is closed")
    (tmp_path / "v.bin").write_bytes(reference_outputs["v.bin"])
    one_line(bash(f"echo the | $W distance {tmp_path}/v.bin >&-"), 1, "standard output is closed")


def test_a_reader_that_goes_away_is_not_success(tmp_path, reference_outputs):
    (tmp_path / "v.bin").write_bytes(reference_outputs["v.bin"])
    result = bash(f"yes the | head -200 | $W distance {tmp_path}/v.bin | head -1 > /dev/null;"
                  " exit ${PIPESTATUS[2]}")
    assert result.returncode == 141, result.stderr.decode()
    assert result.stderr == b""
    os.mkfifo(tmp_path / "fifo")
    for script in ("$W -train $C -output - $Q | head -c 10 > /dev/null; exit ${PIPESTATUS[0]}",
                   "$W -train $C -output /dev/fd/1 $Q | head -c 10 > /dev/null; exit ${PIPESTATUS[0]}",
                   f"head -c 10 < {tmp_path}/fifo > /dev/null & $W -train $C -output {tmp_path}/fifo $Q"):
        result = bash(script)
        assert result.returncode == 141 and result.stderr == b"", (script, result.stderr.decode())


@pytest.mark.parametrize("sig,status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_training_and_leaves_nothing(tmp_path, sig, status):
    spool = tmp_path / "spool"
    spool.mkdir()
    out = tmp_path / "v.txt"
    process = subprocess.Popen(
        [sys.executable, "-m", "word2vec_cli", "-train", TINY, "-output", str(out), "-tmpdir", str(spool),
         "-size", "50", "-iter", "100000", "-threads", "2", "-min-count", "1", "-debug", "0"],
        stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not os.listdir(spool) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # into training
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    assert process.returncode == status, err.decode()
    assert "Traceback" not in err.decode() and len(err.decode().strip().splitlines()) == 1, err.decode()
    assert os.listdir(spool) == []
    assert os.listdir(tmp_path) == ["spool"]


def test_the_library_changes_no_process_state(tmp_path):
    code = ("import signal, sys\nimport word2vec_cli\nbefore = (sys.stderr, signal.getsignal(signal.SIGTERM))\n"
            f"word2vec_cli.train({TINY!r}, size=8, iter=1, threads=1, min_count=1)\n"
            "assert (sys.stderr, signal.getsignal(signal.SIGTERM)) == before\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
