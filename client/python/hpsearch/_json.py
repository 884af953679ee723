"""A small JSON reader for HPSEARCH_PARAMS: the standard library's json imports re
and enum, which take longer to load than Python takes to start. Reads any JSON
document (objects, arrays, strings with every escape, numbers, true/false/null);
ints stay ints, and 0.1 is the float 0.1, as json.loads gives them."""

_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_SPACE = " \t\n\r"
_NUMBER = frozenset("0123456789+-.eE")


def loads(text: str) -> object:
    value, i = _value(text, _skip(text, 0))
    if _skip(text, i) != len(text):
        raise ValueError(f"HPSEARCH_PARAMS: unexpected text at {i}")
    return value


def _skip(s: str, i: int) -> int:
    while i < len(s) and s[i] in _SPACE:
        i += 1
    return i


def _value(s: str, i: int) -> "tuple[object, int]":
    c = s[i] if i < len(s) else ""
    if c == "{":
        return _object(s, i + 1)
    if c == "[":
        return _array(s, i + 1)
    if c == '"':
        return _string(s, i + 1)
    for word, value in (("true", True), ("false", False), ("null", None)):
        if s.startswith(word, i):
            return value, i + len(word)
    j = i
    while j < len(s) and s[j] in _NUMBER:
        j += 1
    if j == i:
        raise ValueError(f"HPSEARCH_PARAMS: unexpected {c!r} at {i}")
    text = s[i:j]
    return (float(text) if any(ch in text for ch in ".eE") else int(text)), j


def _object(s: str, i: int) -> "tuple[dict, int]":
    out: dict = {}
    i = _skip(s, i)
    if i < len(s) and s[i] == "}":
        return out, i + 1
    while True:
        if s[i] != '"':
            raise ValueError(f"HPSEARCH_PARAMS: a key expected at {i}")
        key, i = _string(s, i + 1)
        i = _skip(s, i)
        if s[i] != ":":
            raise ValueError(f"HPSEARCH_PARAMS: ':' expected at {i}")
        out[key], i = _value(s, _skip(s, i + 1))
        i = _skip(s, i)
        if s[i] == "}":
            return out, i + 1
        if s[i] != ",":
            raise ValueError(f"HPSEARCH_PARAMS: ',' or '}}' expected at {i}")
        i = _skip(s, i + 1)


def _array(s: str, i: int) -> "tuple[list, int]":
    out: list = []
    i = _skip(s, i)
    if i < len(s) and s[i] == "]":
        return out, i + 1
    while True:
        value, i = _value(s, _skip(s, i))
        out.append(value)
        i = _skip(s, i)
        if s[i] == "]":
            return out, i + 1
        if s[i] != ",":
            raise ValueError(f"HPSEARCH_PARAMS: ',' or ']' expected at {i}")
        i += 1


def _string(s: str, i: int) -> "tuple[str, int]":
    parts = []
    while True:
        j = i
        while s[j] != '"' and s[j] != "\\":
            j += 1
        parts.append(s[i:j])
        if s[j] == '"':
            return "".join(parts), j + 1
        esc = s[j + 1]
        if esc == "u":
            code = int(s[j + 2 : j + 6], 16)
            i = j + 6
            if 0xD800 <= code < 0xDC00 and s.startswith("\\u", i):  # a surrogate pair
                low = int(s[i + 2 : i + 6], 16)
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                i += 6
            parts.append(chr(code))
        else:
            parts.append(_ESCAPES[esc])
            i = j + 2
