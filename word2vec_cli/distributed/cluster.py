"""Reaching a Dask cluster: a scheduler's address, or a local cluster of our own.

``-dask local:N`` starts a cluster that lets in only its own members: every
connection is TLS with a key and a certificate made for this run and held only in
memory (:meth:`distributed.security.Security.temporary`), so another local process
cannot join it, submit work to its workers or ask its nannies to run code. It
serves no HTTP: the scheduler's and the workers' HTTP servers (dashboard, metrics,
the scheduler's HTTP API) get no routes and are stopped once they are up. Forked
workers close the listening sockets they inherit from this process (the
scheduler's, the nannies'), so that only the client and the workers' own
listeners are open. Scheduler and workers keep their scratch files in a temporary
folder removed when the cluster stops.

``-dask ADDRESS`` connects to a scheduler someone else runs; Dask executes the
pickled functions its peers send, so that scheduler and its workers must be
trusted. Its connection and its first worker are awaited ``-dask-timeout``
seconds at most.
"""

import contextlib
import os
import shutil
import socket
import sys
import tempfile

from ..errors import UsageError, Word2VecError

MISSING_EXTRA = "-dask needs Dask: pip install 'word2vec-cli[dask]'"

#: Local workers allowed per usable core: more only compete for the cores (and each
#: is a process of its own, with its own copy of the matrices).
LOCAL_WORKERS_PER_CORE = 4

_closing_listeners = False  # while a local cluster lives: forked children close inherited listeners
_hook_registered = False


def max_local_workers():
    """Return the largest N ``-dask local:N`` accepts on this machine."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return LOCAL_WORKERS_PER_CORE * max(1, cores)


def local_workers(address):
    """Return N for ``address`` = ``local:N``, None for any other address. Raises
    :class:`UsageError` when N is not a number from 1 to :func:`max_local_workers`."""
    if not address.startswith("local:"):
        return None
    try:
        n = int(address[len("local:"):])
    except ValueError:
        n = 0
    if n < 1:
        raise UsageError(f"-dask local:N needs a positive number of workers, got {address!r}")
    limit = max_local_workers()
    if n > limit:
        raise UsageError(f"-dask local:{n}: at most {limit} local workers on this machine "
                         f"({LOCAL_WORKERS_PER_CORE} per usable core)")
    return n


@contextlib.contextmanager
def connect(address, timeout=5.0, tmpdir=None):
    """Yield a :class:`distributed.Client` of ``address``: a scheduler's address, or
    ``local:N`` for a new local cluster of N single-threaded worker processes
    (stopped, and its scratch folder under ``tmpdir`` removed, on leaving).

    Raises :class:`UsageError` when Dask is missing or ``address`` is malformed,
    :class:`Word2VecError` when no Dask scheduler answers at ``address`` within
    ``timeout`` seconds.
    """
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise UsageError(MISSING_EXTRA) from None
    n = local_workers(address)
    if n is None:
        with _remote(address, timeout) as client:
            yield client
    else:
        with _local(n, tmpdir) as client:
            yield client


@contextlib.contextmanager
def _remote(address, timeout):
    from distributed import Client

    _probe(address, timeout)
    try:
        client = Client(address, timeout=f"{timeout}s")
    except Exception as exc:  # noqa: BLE001 - whatever the peer made Dask raise
        raise Word2VecError(f"cannot reach the Dask scheduler at {address}: {_reason(exc)}") from None
    try:
        yield client
    finally:
        client.close()


def _reason(exc):
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _refusal(exc):
    """Return the refusal or reset that Dask's "timed out trying to connect" (it
    retries a refusal) holds as its cause, else ``exc``."""
    cause = exc
    while cause is not None:
        if isinstance(cause, ConnectionError):
            return cause
        cause = cause.__cause__ or cause.__context__
    return exc


def _probe(address, timeout):
    """Raise :class:`Word2VecError` unless a Dask peer at ``address`` completes
    Dask's handshake within ``timeout`` seconds (Dask's own connect bounds the
    TCP connection, not the handshake: a listener that never answers would hold
    the client forever)."""
    import asyncio

    from distributed.comm import connect as comm_connect
    from distributed.security import Security

    async def handshake():
        # Dask's connect retries a refusal until its timeout: it gives up first, and says why
        comm = await comm_connect(address, timeout=0.9 * timeout, **Security().get_connection_args("client"))
        await comm.close()

    reached = f"cannot reach the Dask scheduler at {address}"
    try:
        asyncio.run(asyncio.wait_for(handshake(), timeout))
    except asyncio.TimeoutError:
        raise Word2VecError(f"{reached}: no Dask answer within {timeout:g} s (-dask-timeout)") from None
    except (OSError, ValueError, TypeError) as exc:  # refused, closed, a TLS mismatch, a malformed address
        raise Word2VecError(f"{reached} within {timeout:g} s: {_reason(_refusal(exc))}") from None
    except Exception:  # noqa: BLE001 - what Dask makes of another protocol's bytes (e.g. a MemoryError)
        raise Word2VecError(f"{reached}: what answers there does not speak Dask's protocol") from None


@contextlib.contextmanager
def _local(n, tmpdir):
    import dask
    from distributed import Client, LocalCluster
    from distributed.security import Security

    try:
        security = Security.temporary()
    except ImportError:
        raise UsageError("-dask local:N needs the cryptography package (its connections are TLS): "
                         "pip install 'word2vec-cli[dask]'") from None
    settings = {
        # a shard's next round is queued on its worker while the current one trains;
        # moving it to an idle worker would only find no replica there
        "distributed.scheduler.work-stealing": False,
        # nothing to serve: the servers are stopped once up (see _stop_http)
        "distributed.scheduler.http.routes": [],
        "distributed.worker.http.routes": [],
    }
    if sys.platform.startswith("linux"):
        # forked workers start with Dask, numpy and numba already imported: 0.1 s
        # instead of 0.35 s to start two of them, and 0.02 s instead of 0.2 s to
        # stop them (spawned ones import everything again, and tear it down)
        from ..text import corpus  # noqa: F401
        from ..training import run  # noqa: F401
        from . import rows  # noqa: F401

        settings["distributed.worker.multiprocessing-method"] = "fork"
        _close_listeners_in_forked_children()
    global _closing_listeners
    cluster = client = None
    scratch = settings["temporary-directory"] = tempfile.mkdtemp(prefix="word2vec-dask-", dir=tmpdir)
    # kept for the cluster's life: a worker the nanny restarts reads it again
    with dask.config.set(settings):
        try:
            _closing_listeners = True
            cluster = _start_local(LocalCluster, n, security, scratch)
            _stop_http(cluster.scheduler)
            client = Client(cluster, security=security)
            client.register_plugin(_no_http_plugin(), name="word2vec-no-http")
            yield client
        finally:
            if client is not None:
                client.close()
            if cluster is not None:
                cluster.close()
            _closing_listeners = False
            shutil.rmtree(scratch, ignore_errors=True)


def _start_local(LocalCluster, n, security, scratch):  # noqa: N803 - the class, imported lazily
    """Return a started LocalCluster of ``n`` workers; raise :class:`Word2VecError`
    in one line when it does not start (no free port, no memory for the processes)."""
    try:
        return LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                            protocol="tls://", security=security, silence_logs=50,
                            dashboard_address=None, local_directory=scratch,
                            scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
    except Exception as exc:  # noqa: BLE001 - Dask's many ways of failing to start a process
        raise Word2VecError(f"cannot start the local Dask cluster of {n} workers: {_reason(exc)}") from None


def _stop_http(server):
    """Stop ``server``'s HTTP server (Dask starts one in every scheduler and worker)."""
    http = getattr(server, "http_server", None)
    if http is not None:
        http.stop()


def _no_http_plugin():
    """Return a worker plugin that stops the worker's HTTP server as it starts
    (restarted workers too)."""
    from distributed import WorkerPlugin

    class NoHttp(WorkerPlugin):
        idempotent = True

        def setup(self, worker):
            _stop_http(worker)

    return NoHttp()


def _close_listeners_in_forked_children():
    global _hook_registered
    if not _hook_registered:
        os.register_at_fork(after_in_child=_close_inherited_listeners)
        _hook_registered = True


def _close_inherited_listeners():
    """In a child forked while a local cluster lives: point every listening socket
    it inherited (the scheduler's, the nannies', the client's process's own) at
    /dev/null, so that it holds none of them open. The descriptor numbers stay
    taken: the parent's socket objects, copied into the child, may close them."""
    if not _closing_listeners:
        return
    try:
        descriptors = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return
    null = None
    for fd in descriptors:
        try:
            probe = socket.socket(fileno=fd)
        except OSError:  # not a socket (or already gone)
            continue
        try:
            listening = probe.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
        except OSError:
            listening = 0
        finally:
            probe.detach()
        if listening:
            if null is None:
                null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, fd)
    if null is not None:
        os.close(null)
