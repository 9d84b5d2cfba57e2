"""Reaching a Dask cluster: a local cluster that lets in only its own workers and
serves no HTTP, bounded waits for a scheduler that refuses or is no scheduler, a
bounded ``local:N``, no warning and no scratch files left behind."""

import contextlib
import os
import socket
import subprocess
import sys
import threading

import pytest

from conftest import REPO, run_cli

CORPUS = b"the cat sat on the mat and the dog ran off\n" * 200


def _listening_ports(process):
    connections = getattr(process, "net_connections", None) or process.connections
    return {c.laddr.port for c in connections(kind="inet") if c.status == "LISTEN"}


def _answers_http(port):
    """Return whatever a plain HTTP request to ``127.0.0.1:port`` gets back (b"" for nothing)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
            conn.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
            conn.settimeout(2)
            return conn.recv(64)
    except OSError:  # refused, reset by the TLS server, or silent
        return b""


def test_a_local_cluster_lets_in_only_its_own_workers_and_serves_no_http(tmp_path):
    distributed = pytest.importorskip("distributed")
    pytest.importorskip("cryptography")
    psutil = pytest.importorskip("psutil")
    from distributed.security import Security

    from word2vec_cli.distributed.cluster import connect

    me = psutil.Process()
    before = _listening_ports(me)
    with connect("local:2", timeout=5, tmpdir=str(tmp_path)) as client:
        workers = client.scheduler_info()["workers"]
        assert len(workers) == 2
        address = client.scheduler.address
        port = int(address.rsplit(":", 1)[1])
        # its own client runs code on the workers; nobody else gets in
        pids = client.run(os.getpid)
        for intruder in (dict(address=address.replace("tls://", "tcp://")), dict(address=address),
                         dict(address=address, security=Security.temporary())):
            with pytest.raises(Exception):
                stranger = distributed.Client(timeout="2s", **intruder)
                stranger.close()
        # listeners: the scheduler and the nannies here, each worker only its own
        # port; none answers HTTP (no dashboard, no metrics, no HTTP API)
        ours = _listening_ports(me) - before
        assert port in ours and len(ours) == 3, ours
        for worker_address, pid in pids.items():
            own = _listening_ports(psutil.Process(pid))
            assert own == {int(worker_address.rsplit(":", 1)[1])}, (own, ours)
            ours |= own
        assert 8787 not in ours
        for listener in ours:
            assert not _answers_http(listener).startswith(b"HTTP"), listener
        # scratch files, the shards' token files too, only in the cluster's own temporary folder
        assert [p.name.startswith("word2vec-dask-") for p in tmp_path.iterdir()] == [True]
        from word2vec_cli.distributed.worker import token_folder

        scratch = next(tmp_path.iterdir())
        folders = client.gather([client.submit(token_folder, workers=[worker], pure=False) for worker in workers])
        assert all(folder.startswith(str(scratch) + os.sep) for folder in folders), folders
    assert list(tmp_path.iterdir()) == []


@contextlib.contextmanager
def _taken_port(port):
    """Hold ``port`` on 127.0.0.1 if it is free (Dask warns when its dashboard port is taken)."""
    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", port))
        holder.listen(1)
    except OSError:
        pass  # taken already
    try:
        yield
    finally:
        holder.close()


def test_a_local_run_warns_of_no_dashboard_shows_plain_progress_and_leaves_no_scratch_files(tmp_path):
    pytest.importorskip("distributed")
    pytest.importorskip("cryptography")
    (tmp_path / "c.txt").write_bytes(CORPUS)
    (tmp_path / "tmp").mkdir()
    env = dict(os.environ, TMPDIR=str(tmp_path / "tmp"), PYTHONPATH=str(REPO))
    with _taken_port(8787):
        flags = ("-train", "c.txt", "-output", "v.txt", "-size", 8, "-iter", 2, "-threads", 1, "-min-count", 1,
                 "-debug", 2, "-dask", "local:2", "-dask-round", 400)
        result = subprocess.run([sys.executable, "-m", "word2vec_cli", *map(str, flags)],
                                cwd=tmp_path, env=env, capture_output=True, timeout=120)
    stderr = result.stderr.decode()
    assert result.returncode == 0, stderr
    assert "8787" not in stderr and "warn" not in stderr.lower() and "dashboard" not in stderr.lower(), stderr
    # progress as a single-process run shows it in a log: plain lines, no redrawn bar
    assert "Epoch 1/2:" in stderr and "Epoch 2/2:" in stderr and "\r" not in stderr, stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.txt", "tmp", "v.txt"]
    assert list((tmp_path / "tmp").iterdir()) == []


@contextlib.contextmanager
def _fake_scheduler(reply):
    """A listener on 127.0.0.1 that accepts and sends ``reply`` (None: nothing), never closing."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held = []

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            held.append(conn)
            if reply:
                conn.sendall(reply)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield server.getsockname()[1]
    finally:
        server.close()
        for conn in held:
            conn.close()


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("peer, expected", [
    ("refused", ("Connection refused", "Timed out trying to connect")),  # the latter when the last try times out
    ("http", ("does not speak Dask's protocol",)),
    ("silent", ("no Dask answer within 1 s (-dask-timeout)",)),
])
def test_a_scheduler_address_that_is_no_scheduler_fails_in_one_line_within_the_timeout(tmp_path, peer, expected):
    pytest.importorskip("distributed")
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(CORPUS)
    reply = {"http": b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n\r\n<html>no</html>\n",
             "silent": None}.get(peer)
    with (_fake_scheduler(reply) if peer != "refused" else contextlib.nullcontext(_free_port())) as port:
        result = run_cli("-train", corpus, "-output", tmp_path / "v.txt", "-min-count", 1,
                         "-dask", f"127.0.0.1:{port}", "-dask-timeout", 1, timeout=30)
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, lines
    assert lines[0].startswith(f"word2vec: error: cannot reach the Dask scheduler at 127.0.0.1:{port}")
    assert any(text in lines[0] for text in expected), lines
    assert not (tmp_path / "v.txt").exists()


@pytest.mark.parametrize("flags, expected", [
    (("-dask", "local:100000"), "-dask local:100000: at most"),
    (("-dask", "local:2", "-dask-timeout", 0), "-dask-timeout must be more than 0"),
])
def test_local_workers_and_the_timeout_are_bounded(tmp_path, flags, expected):
    pytest.importorskip("distributed")
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(CORPUS)
    result = run_cli("-train", corpus, "-output", tmp_path / "v.txt", *flags, timeout=30)
    lines = result.stderr.decode().strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and expected in lines[0], lines
    assert not (tmp_path / "v.txt").exists()
