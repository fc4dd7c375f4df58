"""A small HTTP load generator shared by the benchmarks: keep-alive clients in threads,
bounded in requests and time, loopback only."""

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Result:
    name: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list = field(default_factory=list)

    @property
    def per_second(self):
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction):
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000

    def line(self, baseline=None):
        ratio = f"  {self.per_second / baseline.per_second:5.0%} of baseline" if baseline else ""
        return (
            f"{self.name:<28} {self.per_second:8.1f} req/s  p50 {self.percentile(0.5):6.1f} ms  "
            f"p95 {self.percentile(0.95):6.1f} ms  p99 {self.percentile(0.99):6.1f} ms  errors {self.errors}{ratio}"
        )


class Client:
    """One keep-alive connection that remembers cookies."""

    def __init__(self, base_url):
        parts = urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def close(self):
        self.connection.close()


def run(name, clients, work, seconds=5.0, max_requests=100_000):
    """Call ``work(client) -> ok`` from every client until the time or request budget is spent."""
    result = Result(name)
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def loop(client):
        while time.perf_counter() < deadline:
            with lock:
                if result.requests + result.errors >= max_requests:
                    return
            started = time.perf_counter()
            try:
                ok = work(client)
            except (OSError, http.client.HTTPException):
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    result.requests += 1
                    result.latencies.append(elapsed)
                else:
                    result.errors += 1

    threads = [threading.Thread(target=loop, args=(client,)) for client in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result


@contextlib.contextmanager
def served_app(environment, threads=8, connection_limit=400):
    """Run ``python app.py serve`` in its own process on a free loopback port; yield its base URL."""
    port = free_port()
    command = [
        sys.executable,
        str(PROJECT_ROOT / "app.py"),
        "serve",
        "--port",
        str(port),
        "--threads",
        str(threads),
        "--connection-limit",
        str(connection_limit),
    ]
    process = subprocess.Popen(
        command,
        env={**os.environ, **environment},
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base_url)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base_url, seconds=30):
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        probe = Client(base_url)
        try:
            if probe.request("GET", "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            probe.close()  # waitress serves at most 100 connections by default
    raise RuntimeError(f"{base_url} did not start")


def app_command(environment, *arguments):
    """Run one ``python app.py`` command with the given environment."""
    subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "app.py"), *arguments],
        env={**os.environ, **environment},
        cwd=PROJECT_ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
