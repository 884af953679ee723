"""Submitting sweeps (a dict, a YAML file, YAML text), finding and listing them, and
the server's answers as the SDK's exceptions."""

import socket

import grpc
import pytest
import yaml

import hpsearch
from hpsearch.v1 import sweep_service_pb2 as pb

from conftest import start_server, unique
from specs import builtin, external


def test_submit_a_dict_a_yaml_file_and_yaml_text(client, tmp_path):
    a = client.submit(builtin(unique("dict"), labels={"team": "sdk", "kind": "dict"}))
    assert a.id.startswith("s-")
    assert a.status in ("running", "completed")
    assert a.total_trials == 4
    assert a.objective_metric == "val_accuracy" and a.maximize
    assert a.labels == {"team": "sdk", "kind": "dict"}
    assert a.spec["dataset"]["name"] == "xor"
    assert a.created is not None and a.created.tzinfo is not None

    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(builtin(unique("file"))))
    b = client.submit(str(path))
    assert b.name.startswith("file-") and b.id != a.id
    text = yaml.safe_dump(builtin(unique("text"), labels={"team": "sdk"}))
    c = client.create(text)  # the alias
    assert c.name.startswith("text-")
    assert client.sweep(c.id).name == c.name
    assert client.sweep(c.name).id == c.id  # by name too


def test_an_invalid_spec_raises_invalid_spec_naming_the_field(client):
    spec = builtin(unique("bad"))
    spec["parameters"]["lr"]["min"] = -1  # log scale needs min > 0
    with pytest.raises(hpsearch.InvalidSpec) as e:
        client.submit(spec)
    assert e.value.field is not None and e.value.field.startswith("parameters"), e.value.message
    assert e.value.code == "INVALID_ARGUMENT"
    with pytest.raises(hpsearch.InvalidSpec):
        client.submit("name: [unclosed\n")


def test_a_dict_specs_error_names_the_field_without_a_line(client):
    # A dict goes as one line of JSON: its errors name the field, not "(line 1)".
    spec = builtin(unique("optuna"))
    spec["parameters"]["lr"] = {"low": 0.001, "high": 0.1}
    with pytest.raises(hpsearch.InvalidSpec) as e:
        client.submit(spec)
    assert e.value.message == "parameters.lr.low: is `min` here (Optuna's low/high are min/max)"
    assert e.value.field == "parameters.lr.low"
    with pytest.raises(hpsearch.InvalidSpec) as e:  # YAML text keeps its lines
        client.submit(yaml.safe_dump(spec))
    assert "(line " in e.value.message


def test_an_unknown_sweep_is_not_found(client):
    with pytest.raises(hpsearch.NotFound):
        client.sweep("no-such-sweep-anywhere")
    with pytest.raises(hpsearch.NotFound):
        client.sweep("s-999999").best()


def test_sweeps_lists_every_page_and_filters_by_status_and_labels(client):
    mine = [client.submit(external(unique("list"), labels={"suite": "listing", "n": str(i)}))
            for i in range(3)]
    listed = client.sweeps(labels={"suite": "listing"})
    assert [s.id for s in listed] == [s.id for s in reversed(mine)]  # newest first
    assert [s.id for s in client.sweeps(labels={"suite": "listing", "n": "1"})] == [mine[1].id]
    mine[0].cancel()
    assert {s.id for s in client.sweeps(status="cancelled", labels={"suite": "listing"})} == {mine[0].id}
    running = client.sweeps(status=["running"], labels={"suite": "listing"})
    assert {s.id for s in running} == {mine[1].id, mine[2].id}
    assert len(client.sweeps()) >= 3


def test_server_info_and_workers(client):
    info = client.server_info()
    assert info.version and info.embedded_slots == 2 and info.schema_version > 0
    workers = client.workers()
    assert any(w.embedded for w in workers)


def test_a_retried_submit_makes_one_sweep_and_a_different_spec_under_its_id_is_refused(client):
    conn = client._conn
    once = yaml.safe_dump(external(unique("once")))
    first = pb.SubmitSweepRequest(spec_yaml=once, request_id="req-sdk-1")
    a = conn.call(conn.sweeps.SubmitSweep, first)
    b = conn.call(conn.sweeps.SubmitSweep, first)
    assert a.id == b.id
    other = pb.SubmitSweepRequest(spec_yaml=yaml.safe_dump(external(unique("other"))), request_id="req-sdk-1")
    with pytest.raises(hpsearch.AlreadyExists):
        conn.call(conn.sweeps.SubmitSweep, other)


def test_a_server_that_is_not_there_is_unavailable_after_the_retries():
    with hpsearch.Client("127.0.0.1:1", retry_seconds=0.5) as c:
        with pytest.raises(hpsearch.Unavailable):
            c.server_info()


def test_a_call_past_its_timeout_is_deadline_exceeded():
    with socket.socket() as mute:  # accepts connections and never answers
        mute.bind(("127.0.0.1", 0))
        mute.listen()
        with hpsearch.Client(f"127.0.0.1:{mute.getsockname()[1]}", timeout=0.5) as c:
            with pytest.raises(hpsearch.DeadlineExceeded):
                c.server_info()


def test_no_rpc_error_escapes(client):
    try:
        client.sweep("")
    except hpsearch.HpsearchError as e:
        assert not isinstance(e, grpc.RpcError)


def test_a_token_server_refuses_a_client_without_the_token(tmp_path_factory, monkeypatch):
    s = start_server(tmp_path_factory, "--token", "sesame")
    try:
        monkeypatch.delenv("HPSEARCH_TOKEN", raising=False)
        with hpsearch.Client(s.address) as c:
            with pytest.raises(hpsearch.Unauthenticated):
                c.server_info()
        with hpsearch.Client(s.address, token="wrong") as c:
            with pytest.raises(hpsearch.Unauthenticated):
                c.sweeps()
        with hpsearch.Client(s.address, token="sesame") as c:
            assert c.server_info().version
        # The CLI's environment variables are the defaults.
        monkeypatch.setenv("HPSEARCH_SERVER", s.address)
        monkeypatch.setenv("HPSEARCH_TOKEN", "sesame")
        with hpsearch.Client() as c:
            assert c.address == s.address
            assert c.submit(external("by-env")).name == "by-env"
    finally:
        s.stop()


def test_too_many_active_sweeps_is_resource_exhausted(tmp_path_factory):
    s = start_server(tmp_path_factory, "--max-active-sweeps", "1")
    try:
        with hpsearch.Client(s.address) as c:
            c.submit(external("one"))
            with pytest.raises(hpsearch.ResourceExhausted):
                c.submit(external("two"))
    finally:
        s.stop()
