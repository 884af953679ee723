"""What Client.submit() takes as a spec, as the text SubmitSweepRequest.spec_yaml
carries: the server reads it with the CLI's spec file reader."""

from __future__ import annotations

import json
import os
from typing import Any, Mapping, Union

SpecInput = Union[Mapping[str, Any], str, "os.PathLike[str]"]


def spec_text(spec: SpecInput) -> str:
    """A dict → JSON (which is YAML); a path (str or PathLike) to a file → the
    file's text; any other string → itself, as YAML text."""
    if isinstance(spec, Mapping):
        return json.dumps(spec)
    if isinstance(spec, os.PathLike):
        with open(spec, encoding="utf-8") as f:
            return f.read()
    if not isinstance(spec, str):
        raise TypeError("hpsearch: a spec is a dict, a YAML file's path or YAML text, "
                        f"not {type(spec).__name__}")
    one_line = "\n" not in spec
    if one_line and os.path.isfile(spec):
        with open(spec, encoding="utf-8") as f:
            return f.read()
    if one_line and spec.strip().endswith((".yaml", ".yml", ".json")) and ":" not in spec.strip()[:2]:
        raise FileNotFoundError(f"hpsearch: no spec file {spec!r}")
    return spec
