"""`groundswell serve`: gunicorn workers that answer, and a graceful SIGTERM (REL-7)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.webapp.dbservers import free_port

GROUNDSWELL = str(Path(sys.executable).parent / "groundswell")


@pytest.fixture
def server_env(tmp_path):
    env = {**os.environ, "GROUNDSWELL_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
           "GROUNDSWELL_SECRET_KEY": "serve-test"}
    subprocess.run([GROUNDSWELL, "db", "upgrade"], env=env, cwd=tmp_path, check=True,
                   capture_output=True, timeout=120)
    return env


@pytest.fixture
def start_server(server_env, tmp_path):
    """Start `groundswell serve` with extra arguments; whatever the test does, it is stopped."""
    started = []

    def start(*args):
        proc, port = _start(server_env, tmp_path, *args)
        started.append(proc)
        return proc, port

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
        proc.stdout.close()


def _start(env, cwd, *args):
    port = free_port()
    proc = subprocess.Popen([GROUNDSWELL, "serve", "--port", str(port), *args], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        try:
            if _get(port, "/login").startswith("HTTP/1.1 200"):
                return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    proc.stdout.close()
    raise AssertionError("server did not answer: " + proc.communicate()[0])


def _get(port: int, path: str) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        return _read_all(s)


def _read_all(s: socket.socket) -> str:
    chunks = []
    while chunk := s.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks).decode("latin-1")


def test_serve_answers_and_stops_promptly_on_sigterm(start_server):
    proc, port = start_server("--workers", "1", "--threads", "2")
    assert 'name="password"' in _get(port, "/login")
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert time.monotonic() - started < 10
    assert "Booting worker" in out and "Shutting down" in out


def test_sigterm_lets_an_in_flight_request_finish(start_server):
    proc, port = start_server("--workers", "1", "--threads", "2")
    body = "email=nobody%40example.test&password=wrong-password-123"
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(("POST /login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                   "Content-Type: application/x-www-form-urlencoded\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n{body[:10]}").encode())
        time.sleep(0.5)  # the worker is now reading this request's body
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        s.sendall(body[10:].encode())
        response = _read_all(s)
    assert response.startswith("HTTP/1.1 "), response[:200]
    assert response.split()[1] in {"200", "400", "401", "429"}
    out, _ = proc.communicate(timeout=40)
    assert proc.returncode == 0, out
