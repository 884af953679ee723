"""``import hpsearch`` inside a command trial: standard library only and quick. The
SDK's names resolve lazily (PEP 562) and never shadow the report functions."""

import os
import subprocess
import sys

import hpsearch

PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(hpsearch.__file__)))


def _run(code: str) -> str:
    env = dict(os.environ, PYTHONPATH=PACKAGE)
    return subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def test_importing_hpsearch_loads_no_module_but_its_own():
    # Nothing a bare interpreter had not loaded already (-S: not what `site` and .pth
    # files may load, which would hide a module imported here): no grpc, protobuf or
    # SDK module, and no json, re, typing, __future__ or math either (each costs a
    # short trial time). `site` always loads os, so the snippet does too.
    env = dict(os.environ, PYTHONPATH=PACKAGE)
    loaded = subprocess.run(
        [sys.executable, "-S", "-c",
         "import sys, os; before = set(sys.modules); import hpsearch; hpsearch.params(); "
         "hpsearch.report(1, loss=float('nan'), worst=float('-inf')); print(sorted(set(sys.modules) - before))"],
        env=env, check=True, capture_output=True, text=True).stdout.strip()
    assert loaded.splitlines()[-1] == "['hpsearch', 'hpsearch._json', 'hpsearch.report']"


def test_the_sdk_names_are_listed_and_an_unknown_name_is_an_attribute_error():
    names = dir(hpsearch)
    for name in ("Client", "Sweep", "AskedTrial", "Trial", "HpsearchError", "InvalidSpec", "NotFound",
                 "params", "report"):
        assert name in names
    try:
        hpsearch.NoSuchThing
    except AttributeError as e:
        assert "NoSuchThing" in str(e)
    else:
        raise AssertionError("hpsearch.NoSuchThing resolved")


def test_the_report_functions_stay_functions_once_the_sdk_is_loaded():
    # hpsearch.sweep() (the trial's sweep id) must not become a submodule's name.
    out = _run("import hpsearch, hpsearch.errors, hpsearch.types, hpsearch._spec; "
               "print(callable(hpsearch.sweep), callable(hpsearch.trial), callable(hpsearch.report), "
               "hpsearch.InvalidSpec.__module__)")
    assert out == "True True True hpsearch.errors"
