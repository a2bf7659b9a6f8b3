"""Throwaway PostgreSQL and Redis servers started from the installed Debian binaries.

Used by the test fixtures and the load benchmarks. PostgreSQL refuses to run as root, so when we
are root the server runs as the `postgres` system user (Debian's package creates it) in a temp
directory that user owns. Both servers listen only on a unix socket in their own directory (and,
for the benchmarks, optionally on 127.0.0.1), so nothing collides with another run.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# Settings that trade durability for speed: a test cluster is thrown away after the run.
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off",
                 "max_connections=200", "shared_buffers=64MB")


class ServerUnavailable(RuntimeError):
    """The server binaries are not installed on this machine."""


def postgres_bindir() -> Path:
    """Return the newest installed PostgreSQL server bin directory."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return Path(pg_ctl).parent
    raise ServerUnavailable("PostgreSQL server binaries not found (apt-get install postgresql)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(argv: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *argv] if owner else argv


def _remove_abandoned_clusters() -> None:
    """Stop and delete clusters left by runs that were killed before their teardown."""
    for pid_file in glob.glob(os.path.join(tempfile.gettempdir(), "gs-pg-*", "owner.pid")):
        root = Path(pid_file).parent
        try:
            os.kill(int(Path(pid_file).read_text()), 0)
            continue  # its run is still going
        except ProcessLookupError:
            pass
        except (ValueError, OSError):
            continue
        server = PostgresServer(root=root, owner="postgres" if os.geteuid() == 0 else None)
        server.bindir = postgres_bindir()
        server.destroy()


@dataclass
class PostgresServer:
    """A PostgreSQL cluster in a temp directory; `url(dbname)` gives a psycopg 3 SQLAlchemy URL."""

    root: Path
    tcp_port: int | None = None
    owner: str | None = None
    port: int = 5432  # names the socket file only, unless tcp_port is set

    @classmethod
    def start(cls, *, tcp: bool = False, settings: tuple[str, ...] = FAST_SETTINGS) -> PostgresServer:
        bindir = postgres_bindir()
        owner = "postgres" if os.geteuid() == 0 else None
        root = Path(tempfile.mkdtemp(prefix="gs-pg-"))
        if owner:
            pw = pwd.getpwnam(owner)
            os.chown(root, pw.pw_uid, pw.pw_gid)
        _remove_abandoned_clusters()
        (root / "owner.pid").write_text(str(os.getpid()))
        server = cls(root=root, tcp_port=free_port() if tcp else None, owner=owner)
        if server.tcp_port:
            server.port = server.tcp_port
        server._run([str(bindir / "initdb"), "-D", str(server.data), "-U", "postgres", "-A", "trust",
                     "-E", "UTF8", "--locale=C", "--no-sync"])
        options = [f"-k {root}", f"-p {server.port}",
                   f"-c listen_addresses={'127.0.0.1' if tcp else chr(39) * 2}"]
        options += [f"-c {s}" for s in settings]
        server.options = " ".join(options)
        server.bindir = bindir
        server.pg_ctl("start", "-w", "-t", "60", "-o", server.options, "-l", str(root / "server.log"))
        return server

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, argv: list[str]) -> None:
        out = subprocess.run(_as_owner(argv, self.owner), capture_output=True, text=True, cwd=self.root)
        if out.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{argv[0]} failed: {out.stdout}{out.stderr}{tail}")

    def pg_ctl(self, *args: str) -> None:
        self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), *args])

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("stop", "-m", mode, "-w")

    def restart(self) -> None:
        """Restart the server (fast shutdown: open connections are cut)."""
        self.pg_ctl("restart", "-m", "fast", "-w", "-t", "60", "-o", self.options,
                    "-l", str(self.root / "server.log"))

    def url(self, dbname: str = "postgres") -> str:
        if self.tcp_port:
            return f"postgresql+psycopg://postgres@127.0.0.1:{self.tcp_port}/{dbname}"
        return f"postgresql+psycopg://postgres@/{dbname}?host={self.root}&port={self.port}"

    def conninfo(self, dbname: str = "postgres") -> str:
        if self.tcp_port:
            return f"host=127.0.0.1 port={self.tcp_port} user=postgres dbname={dbname}"
        return f"host={self.root} port={self.port} user=postgres dbname={dbname}"

    def execute(self, sql: str, dbname: str = "postgres") -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE)."""
        import psycopg

        with psycopg.connect(self.conninfo(dbname), autocommit=True) as conn:
            conn.execute(sql)

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except RuntimeError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class RedisServer:
    """A redis-server without persistence listening on a unix socket (and a loopback port)."""

    root: Path
    port: int
    process: subprocess.Popen

    @classmethod
    def start(cls) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServerUnavailable("redis-server not found (apt-get install redis-server)")
        root = Path(tempfile.mkdtemp(prefix="gs-redis-"))
        port = free_port()
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--unixsocket", str(root / "redis.sock"),
             "--save", "", "--appendonly", "no", "--dir", str(root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server = cls(root=root, port=port, process=process)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return server
            except OSError:
                time.sleep(0.05)
        server.destroy()
        raise RuntimeError("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def destroy(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)
