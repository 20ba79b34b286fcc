"""Inputs for the fuzz harnesses: raw garbage, and valid examples mutated a little (which get
past the first checks and reach the code behind them)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Text that has broken parsers before: NUL, lone surrogates, BOMs, right-to-left marks,
# combining accents, line and paragraph separators, non-ASCII digits, very long runs.
NASTY_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\ud800",
        "\ufeff",
        "\u202e",
        "e\u0301",
        "\u2028",
        "\r\n",
        "١٢٣",
        "9" * 40,
        "-1",
        "1e309",
        "NaN",
        "null",
        '"',
        ";",
        "\t",
        "=cmd|' /C calc'!A0",
        "x" * 5000,
    ]
)
TEXT = st.one_of(st.text(max_size=40), NASTY_TEXT)
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=2**70),
    st.integers(max_value=-(2**63) + 2, min_value=-(2**70)),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 1, 0.5, 1e308, -1e308, 2**64]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(TEXT, inner, max_size=5)),
    max_leaves=20,
)


@st.composite
def mutated(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    """``value`` (JSON-like) with a few of its parts dropped, replaced or added."""
    if isinstance(value, dict):
        out = dict(value)
        for key in list(out):
            choice = draw(st.integers(0, 9))
            if choice == 0:
                del out[key]
            elif choice == 1:
                out[key] = draw(JSON)
            elif choice == 2 and depth < 4:
                out[key] = draw(mutated(out[key], depth + 1))
        if draw(st.integers(0, 9)) == 0:
            out[draw(TEXT)] = draw(JSON)
        return out
    if isinstance(value, list):
        out_list = [draw(mutated(item, depth + 1)) if depth < 4 else item for item in value]
        if out_list and draw(st.integers(0, 5)) == 0:
            del out_list[draw(st.integers(0, len(out_list) - 1))]
        if draw(st.integers(0, 5)) == 0:
            out_list.append(draw(JSON))
        return out_list
    if draw(st.integers(0, 5)) == 0:
        return draw(JSON)
    return value


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with a few bytes inserted, deleted, replaced or repeated."""
    out = bytearray(data)
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(out)))
        op = draw(st.sampled_from(["insert", "delete", "replace", "repeat"]))
        if op == "insert":
            out[at:at] = draw(st.one_of(st.binary(max_size=8), st.sampled_from(SEPARATORS)))
        elif op == "delete":
            del out[at : at + draw(st.integers(1, 8))]
        elif op == "replace" and at < len(out):
            out[at] = draw(st.integers(0, 255))
        else:
            out[at:at] = out[at : at + draw(st.integers(1, 40))] * draw(st.integers(1, 3))
    return bytes(out)


# Bytes that change how a CSV or JSON file is read.
SEPARATORS = [b",", b";", b"\t", b"\n", b"\r", b'"', b"\x00", b"\xef\xbb\xbf", b"\xff", b"|"]
