"""A real hpsearch-server on loopback for the SDK's tests: built binaries from
HPSEARCH_BIN_DIR (ctest sets it; default build/bin), a fresh database per server."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import time
from typing import List, Optional

import pytest

import hpsearch

SOURCE = pathlib.Path(__file__).resolve().parents[4]
BIN = pathlib.Path(os.environ.get("HPSEARCH_BIN_DIR") or SOURCE / "build" / "bin")


class Server:
    """One hpsearch-server process: start(), stop(signal), start() again on the same
    port and database (a restart)."""

    def __init__(self, workdir: pathlib.Path, *args: str, workers: int = 2) -> None:
        self.workdir = workdir
        self.workers = workers
        self.db = workdir / "hpsearch.db"
        self.args = list(args)
        self.port: Optional[int] = None
        self.process: Optional[subprocess.Popen] = None
        self.logs: List[pathlib.Path] = []

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> "Server":
        port_file = self.workdir / f"port-{len(self.logs)}"
        log = self.workdir / f"server-{len(self.logs)}.log"
        self.logs.append(log)
        env = {k: v for k, v in os.environ.items() if not k.startswith("HPSEARCH_")}
        listen = f"127.0.0.1:{self.port or 0}"
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                [str(BIN / "hpsearch-server"), "--listen", listen, "--port-file", str(port_file),
                 "--db", str(self.db), "--workers", str(self.workers), "--shutdown-grace", "0", *self.args],
                stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if port_file.exists() and port_file.read_text().strip():
                self.port = int(port_file.read_text().strip())
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"hpsearch-server did not start:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.logs if p.exists())


def start_server(tmp_path_factory: pytest.TempPathFactory, *args: str, workers: int = 2) -> Server:
    if not (BIN / "hpsearch-server").exists():
        pytest.fail(f"no {BIN / 'hpsearch-server'}: build it (scripts/build.sh hpsearch-server) "
                    "or set HPSEARCH_BIN_DIR")
    return Server(tmp_path_factory.mktemp("server"), *args, workers=workers).start()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A server shared by the tests that do not restart or reconfigure it."""
    s = start_server(tmp_path_factory)
    yield s
    s.stop()


@pytest.fixture(scope="session")
def client(server):
    with hpsearch.Client(server.address) as c:
        yield c


def unique(name: str) -> str:
    """A sweep name no other test uses (the shared server keeps every sweep)."""
    unique.n += 1
    return f"{name}-{os.getpid()}-{unique.n}"


unique.n = 0
