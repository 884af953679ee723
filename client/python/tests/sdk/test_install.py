"""``pip install ./client/python`` in a fresh venv (Debian's python3-venv, the
system's grpcio, protobuf and setuptools, nothing downloaded): the installed package
has its generated stubs and reaches a server."""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from conftest import SOURCE


def test_pip_installs_the_package_with_its_stubs(tmp_path, server):
    # A copy of client/python beside proto/, so the build leaves the source tree alone.
    tree = tmp_path / "src"
    shutil.copytree(SOURCE / "client" / "python", tree / "client" / "python",
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", "tests"))
    shutil.copytree(SOURCE / "proto" / "hpsearch", tree / "proto" / "hpsearch")
    venv = tmp_path / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"python3 -m venv does not work here (install python3-venv): {made.stderr.strip()}")
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_INDEX_URL")}
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-build-isolation", "--no-index",
                    str(tree / "client" / "python")], env=env, check=True, cwd=tmp_path)
    code = ("import hpsearch, sys; c = hpsearch.Client(sys.argv[1]); "
            "print(hpsearch.__file__); print(c.server_info().version)")
    out = subprocess.run([str(python), "-c", code, server.address], env=env, check=True, cwd=tmp_path,
                         capture_output=True, text=True).stdout.splitlines()
    assert pathlib.Path(out[0]).is_relative_to(venv), out
    assert out[1]  # the server's version, through the installed stubs
    installed = pathlib.Path(out[0]).parent / "v1"
    assert {p.name for p in installed.glob("*.py")} >= {
        "__init__.py", "spec_pb2.py", "trial_pb2.py", "sweep_service_pb2.py", "worker_service_pb2.py",
        "sweep_service_pb2_grpc.py", "worker_service_pb2_grpc.py"}
    assert not (tree / "client" / "python" / "hpsearch" / "v1").exists()  # generated only into the build
