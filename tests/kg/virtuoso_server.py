"""A throw-away Virtuoso 7 on loopback, for tests/kg/test_virtuoso.py and bench/push.py.

Debian's ``virtuoso-opensource`` package (``make system-deps`` installs it) ships the server
``virtuoso-t`` and its SQL client ``isql-vt``; the system service it sets up is not used. Each
:func:`start` writes its own ``virtuoso.ini`` in a fresh folder (database, log and lock files
there, SQL and HTTP on two free loopback ports, a small buffer pool), runs ``virtuoso-t
+foreground`` in its own process group, waits until ``/sparql`` answers, and — unless told
otherwise — grants the ``SPARQL_UPDATE`` role to the anonymous ``SPARQL`` user, so that the
Graph Store endpoint ``/sparql-graph-crud`` accepts writes without credentials (the
authenticated ``/sparql-graph-crud-auth`` takes ``dba``/``dba`` with HTTP digest auth).
:meth:`Virtuoso.stop` ends the process group.

Run it by hand to poke at a server: ``python tests/kg/virtuoso_server.py [DIR]`` (Ctrl-C stops).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

__all__ = ["Virtuoso", "VirtuosoUnavailable", "find_binaries", "start"]

#: Where Debian (``/usr/bin``) and OpenLink's own builds (``/opt/virtuoso-opensource/bin``,
#: ``/usr/local/virtuoso-opensource/bin``) put the server; ``VIRTUOSO_BIN`` overrides.
_SEARCH = ("/usr/bin", "/opt/virtuoso-opensource/bin", "/usr/local/virtuoso-opensource/bin")

_INI = """\
; written by tests/kg/virtuoso_server.py: a throw-away Virtuoso for tests and benchmarks
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
DisableTcpSocket   = 0
MaxClientConnections = 8
CheckpointInterval = 0
O_DIRECT           = 0
CaseMode           = 2
MaxStaticCursorRows = 5000
AllowOSCalls       = 0
DirsAllowed        = ., {dir}
ThreadCleanupInterval = 0
ThreadThreshold    = 10
ResourcesCleanupInterval = 0
MaxQueryMem        = {query_mem}
ThreadsPerQuery    = 2
AsyncQueueMaxThreads = 4
NumberOfBuffers    = {buffers}
MaxDirtyBuffers    = {dirty}

[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = {dir}/vsp
MaxClientConnections = 8
ServerThreads      = 8
DavRoot            = DAV
EnabledDavVSP      = 0
HTTPProxyEnabled   = 0
MaxKeepAlives      = 8
KeepAliveTimeout   = 10
Charset            = UTF-8
EnabledGzipContent = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[SPARQL]
ResultSetMaxRows   = 100000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 120
DeferInferenceRulesInit = 0
"""


class VirtuosoUnavailable(RuntimeError):
    """virtuoso-t is not installed, or did not start; the message says which (a skip reason)."""


def find_binaries() -> tuple[str, str]:
    """``(virtuoso-t, isql)`` paths, or :class:`VirtuosoUnavailable` saying what is missing."""
    given = os.environ.get("VIRTUOSO_BIN")
    if given and not os.access(given, os.X_OK):
        raise VirtuosoUnavailable(f"VIRTUOSO_BIN={given} is not an executable file")
    server = given or shutil.which("virtuoso-t")
    if not server:
        found = (f"{d}/virtuoso-t" for d in _SEARCH if os.access(f"{d}/virtuoso-t", os.X_OK))
        server = next(found, None)
    if not server:
        raise VirtuosoUnavailable(
            "virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource; "
            "`make system-deps` does it)"
        )
    here = Path(server).parent
    # Debian renames Virtuoso's isql to isql-vt (unixODBC's `isql` is another program).
    for name in ("isql-vt", "isql-v"):
        isql = shutil.which(name) or (str(here / name) if (here / name).exists() else None)
        if isql:
            return server, isql
    if (here / "isql").exists() and here != Path("/usr/bin"):
        return server, str(here / "isql")
    raise VirtuosoUnavailable(f"{server} is installed but not its SQL client isql-vt")


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass
class Virtuoso:
    """A running server: its URLs, ports, folder and process."""

    directory: Path
    sql_port: int
    http_port: int
    process: subprocess.Popen
    isql_bin: str
    version: str = ""
    startup_s: float = 0.0
    _stopped: bool = field(default=False, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql(self) -> str:
        """The SPARQL query (and update) endpoint."""
        return f"{self.base}/sparql"

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol endpoint without authentication (needs :meth:`grant_update`)."""
        return f"{self.base}/sparql-graph-crud"

    @property
    def graph_store_auth(self) -> str:
        """The Graph Store Protocol endpoint with HTTP digest authentication (``dba``/``dba``)."""
        return f"{self.base}/sparql-graph-crud-auth"

    def isql(self, *statements: str, timeout: float = 60) -> str:
        """Run SQL statements as ``dba`` through isql; returns its output, raises on an error."""
        args = [self.isql_bin, f"127.0.0.1:{self.sql_port}", "dba", "dba"]
        args += [f"EXEC={s}" for s in statements]
        done = subprocess.run(args, check=False, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
        out = done.stdout + done.stderr
        if done.returncode != 0 or re.search(r"\*\*\* Error|SQL Error", out):
            raise RuntimeError(f"isql {statements!r} failed: {out.strip()[-800:]}")
        return out

    def grant_update(self) -> None:
        """Let the anonymous SPARQL user (``/sparql``, ``/sparql-graph-crud``) write."""
        self.isql('GRANT SPARQL_UPDATE TO "SPARQL";')

    def select(self, sparql: str, default_graphs: tuple[str, ...] | list[str] = (),
               timeout: float = 60) -> dict:
        """A SELECT through ``/sparql`` (SPARQL protocol, POST); the JSON results.

        ``default_graphs`` are sent as ``default-graph-uri``: the query's default graph is then
        their merge (without them, Virtuoso reads every graph it holds, its own included).
        """
        params = [("query", sparql)] + [("default-graph-uri", g) for g in default_graphs]
        req = urllib.request.Request(
            self.sparql,
            data=urllib.parse.urlencode(params).encode(),
            headers={"Accept": "application/sparql-results+json",
                     "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as err:
            raise RuntimeError(f"Virtuoso refused the query: HTTP {err.code}: "
                               f"{err.read().decode('utf-8', 'replace')[:1000]}") from None

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = (self.directory / "virtuoso.log").read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])

    def stop(self, timeout: float = 15) -> None:
        """End the server's process group: SIGTERM (Virtuoso checkpoints, exits), then SIGKILL."""
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is not None:
            return
        pgid = self.process.pid  # start_new_session: the group is the server's own
        try:
            os.killpg(pgid, signal.SIGTERM)
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(10)
        except ProcessLookupError:
            pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start(directory: Path | str, *, buffers: int = 10000, wait: float = 60.0,
          grant_update: bool = True, query_mem: str = "500M") -> Virtuoso:
    """Start a Virtuoso with its database in ``directory`` (created; a new one starts empty).

    ``buffers`` is ``NumberOfBuffers`` (8 KiB pages: 10,000 ≈ 80 MB, Virtuoso's own small
    default; OpenLink suggests 170,000 per 2 GB of RAM for big loads). Raises
    :class:`VirtuosoUnavailable` when the server is missing, exits or does not answer within
    ``wait`` seconds — with the end of its log.
    """
    server, isql = find_binaries()
    directory = Path(directory).resolve()
    (directory / "vsp").mkdir(parents=True, exist_ok=True)
    sql_port, http_port = _free_ports(2)
    ini = directory / "virtuoso.ini"
    ini.write_text(_INI.format(dir=directory, sql_port=sql_port, http_port=http_port,
                               buffers=buffers, dirty=buffers * 3 // 4, query_mem=query_mem),
                   encoding="utf-8")
    began = time.monotonic()
    with open(directory / "stdout.log", "wb") as out:
        proc = subprocess.Popen([server, "+foreground", "+configfile", str(ini)], cwd=directory,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    v = Virtuoso(directory, sql_port, http_port, proc, isql)
    probe = f"{v.sparql}?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = began + wait
    while True:
        if proc.poll() is not None:
            raise VirtuosoUnavailable(
                f"virtuoso-t exited with code {proc.returncode} at start:\n{v.log_tail()}"
            )
        try:
            with urllib.request.urlopen(probe, timeout=5) as resp:
                if resp.status == 200:
                    break
        except (OSError, urllib.error.URLError):
            pass
        if time.monotonic() > deadline:
            v.stop()
            raise VirtuosoUnavailable(
                f"virtuoso-t did not answer on {v.sparql} within {wait:g} s:\n{v.log_tail()}"
            )
        time.sleep(0.25)
    v.startup_s = time.monotonic() - began
    m = re.search(r"Version (\S+)", v.log_tail(40))
    v.version = m.group(1) if m else ""
    try:
        if grant_update:
            v.grant_update()
    except Exception:
        v.stop()
        raise
    return v


if __name__ == "__main__":  # pragma: no cover - a manual helper
    import sys
    import tempfile

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="virtuoso-"))
    with start(folder) as vt:
        print(f"Virtuoso {vt.version} in {folder}: SPARQL {vt.sparql}, graph store "
              f"{vt.graph_store} (open), {vt.graph_store_auth} (digest, dba/dba), "
              f"SQL 127.0.0.1:{vt.sql_port}. Ctrl-C stops.")
        try:
            vt.process.wait()
        except KeyboardInterrupt:
            pass
