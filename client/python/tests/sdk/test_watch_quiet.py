"""A watch whose stream goes quiet after the sweep ended (its final event lost) looks
the sweep up and ends, as ``hpsearch watch`` does: against a stand-in server whose
stream sends a snapshot and then nothing."""

import threading
import time
from concurrent import futures

import grpc
import pytest

import hpsearch
from hpsearch import watch as watch_module
from hpsearch.v1 import sweep_service_pb2 as pb
from hpsearch.v1 import sweep_service_pb2_grpc, trial_pb2


class SilentAfterSnapshot(sweep_service_pb2_grpc.SweepServiceServicer):
    def __init__(self) -> None:
        self.gets = 0

    def GetSweep(self, request, context):
        self.gets += 1
        status = trial_pb2.SWEEP_RUNNING if self.gets == 1 else trial_pb2.SWEEP_COMPLETED
        return trial_pb2.Sweep(id="s-000001", name="quiet", status=status, total_trials=1)

    def WatchSweep(self, request, context):
        yield pb.SweepEvent(time_ms=1, sweep=trial_pb2.Sweep(id="s-000001", status=trial_pb2.SWEEP_RUNNING))
        while context.is_active():  # the final event never comes
            time.sleep(0.05)


@pytest.fixture
def stand_in():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    servicer = SilentAfterSnapshot()
    sweep_service_pb2_grpc.add_SweepServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"127.0.0.1:{port}", servicer
    server.stop(grace=None)


def test_a_quiet_stream_of_an_ended_sweep_ends_the_watch(stand_in, monkeypatch):
    address, servicer = stand_in
    monkeypatch.setattr(watch_module, "QUIET", 0.3)
    with hpsearch.Client(address) as c:
        sweep = c.sweep("quiet")
        assert sweep.status == "running"
        events = []
        reader = threading.Thread(target=lambda: events.extend(sweep.watch()), daemon=True)
        reader.start()
        reader.join(timeout=15)
        assert not reader.is_alive(), "the watch never noticed that the sweep had ended"
        assert [e.kind for e in events] == ["snapshot", "end"]
        assert events[-1].sweep.status == "completed"
        assert servicer.gets >= 2
