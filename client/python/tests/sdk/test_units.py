"""The SDK's pieces that need no server: error mapping, spec inputs, parameter values."""

import json

import pytest
from google.protobuf import struct_pb2

import hpsearch
from hpsearch import _convert, _spec
from hpsearch.errors import error_for


@pytest.mark.parametrize("message, field", [
    ("parameters.lr.min: must be > 0", "parameters.lr.min"),
    ("budget: max_trials must be at least 1", "budget"),
    ("parameters[2].when: unknown parent 'opt'", "parameters[2].when"),
    ("spec_yaml: at most 1048576 bytes (it has 2000000)", "spec_yaml"),
    ("line 3: mapping values are not allowed here", None),
    ("no field path here", None),
])
def test_invalid_spec_names_the_field_path_the_message_starts_with(message, field):
    e = error_for("INVALID_ARGUMENT", message)
    assert isinstance(e, hpsearch.InvalidSpec)
    assert e.field == field
    assert e.message == str(e) == message
    assert e.code == "INVALID_ARGUMENT"


@pytest.mark.parametrize("code, kind", [
    ("NOT_FOUND", "NotFound"), ("UNAUTHENTICATED", "Unauthenticated"),
    ("PERMISSION_DENIED", "PermissionDenied"),
    ("FAILED_PRECONDITION", "FailedPrecondition"), ("ALREADY_EXISTS", "AlreadyExists"),
    ("RESOURCE_EXHAUSTED", "ResourceExhausted"), ("UNAVAILABLE", "Unavailable"),
    ("DEADLINE_EXCEEDED", "DeadlineExceeded"), ("INTERNAL", "HpsearchError"),
])
def test_each_status_code_has_its_exception(code, kind):
    e = error_for(code, "why")
    assert type(e) is getattr(hpsearch, kind)
    assert isinstance(e, hpsearch.HpsearchError)
    assert (e.code, e.message) == (code, "why")


def test_a_spec_is_a_dict_a_file_or_yaml_text(tmp_path):
    spec = {"name": "n", "parameters": {"x": {"min": 0, "max": 1}}}
    assert json.loads(_spec.spec_text(spec)) == spec
    f = tmp_path / "s.yaml"
    f.write_text("name: from-file\n")
    assert _spec.spec_text(str(f)) == "name: from-file\n"
    assert _spec.spec_text(f) == "name: from-file\n"
    assert _spec.spec_text("name: inline\nmethod: random\n") == "name: inline\nmethod: random\n"
    with pytest.raises(FileNotFoundError, match="no spec file"):
        _spec.spec_text(str(tmp_path / "missing.yaml"))
    with pytest.raises(TypeError):
        _spec.spec_text(42)




def test_integral_numbers_are_ints_except_in_float_ranges():
    spec = {"parameters": [
        {"name": "lr", "range": {"min": 1, "max": 4}},
        {"name": "width", "range": {"min": 1, "max": 4, "type": "INT"}},
        {"name": "hidden", "values": {"values": [[64], [128, 64]]}},
    ]}
    floats = _convert.float_params(spec)
    assert floats == frozenset({"lr"})
    s = struct_pb2.Struct()
    s.update({"lr": 2.0, "width": 3.0, "hidden": [128.0, 64.0], "epochs": 10.0, "dropout": 0.5, "opt": "adam",
              "bn": True})
    params = _convert.params_of(s.fields, floats)
    assert params == {"lr": 2.0, "width": 3, "hidden": [128, 64], "epochs": 10, "dropout": 0.5, "opt": "adam",
                      "bn": True}
    assert type(params["lr"]) is float and type(params["width"]) is int and type(params["epochs"]) is int
    assert type(params["hidden"][0]) is int
