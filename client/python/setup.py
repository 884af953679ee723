"""The build step of ``pip install ./client/python``: generates the gRPC stubs
(hpsearch/v1/*_pb2.py, *_pb2_grpc.py) from ../../proto with protoc and
grpc_python_plugin (Debian: protobuf-compiler, protobuf-compiler-grpc), or with
grpc_tools.protoc when that is installed instead. HPSEARCH_PROTO_DIR overrides
where the .proto files are. Everything else is in pyproject.toml."""

import importlib.util
import os
import shutil
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
PROTOS = ["hpsearch/v1/spec.proto", "hpsearch/v1/trial.proto", "hpsearch/v1/sweep_service.proto",
          "hpsearch/v1/worker_service.proto"]
SERVICES = ["hpsearch/v1/sweep_service.proto", "hpsearch/v1/worker_service.proto"]


def _protoc() -> list:
    protoc = shutil.which("protoc")
    plugin = shutil.which("grpc_python_plugin")
    if protoc and plugin:
        return [protoc, f"--plugin=protoc-gen-grpc_python={plugin}"]
    if importlib.util.find_spec("grpc_tools") is None:
        sys.exit("hpsearch: generating the gRPC stubs needs protoc and grpc_python_plugin "
                 "(apt-get install protobuf-compiler protobuf-compiler-grpc) or grpcio-tools")
    return [sys.executable, "-m", "grpc_tools.protoc"]


class BuildWithStubs(build_py):
    """build_py, then the stubs into the build directory's hpsearch/v1."""

    def run(self) -> None:
        super().run()
        proto_dir = os.environ.get("HPSEARCH_PROTO_DIR") or os.path.join(HERE, "..", "..", "proto")
        if not os.path.isfile(os.path.join(proto_dir, PROTOS[0])):
            sys.exit(f"hpsearch: no {PROTOS[0]} under {proto_dir} (set HPSEARCH_PROTO_DIR)")
        out = os.path.abspath(self.build_lib)
        os.makedirs(os.path.join(out, "hpsearch", "v1"), exist_ok=True)
        protoc = _protoc()
        subprocess.run([*protoc, "-I", proto_dir, f"--python_out={out}", *PROTOS], cwd=proto_dir, check=True)
        subprocess.run([*protoc, "-I", proto_dir, f"--grpc_python_out={out}", *SERVICES], cwd=proto_dir,
                       check=True)
        open(os.path.join(out, "hpsearch", "v1", "__init__.py"), "w").close()


setup(cmdclass={"build_py": BuildWithStubs})
