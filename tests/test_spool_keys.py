"""The spool's sort keys: bytes that order as the assembler's Python keys do."""

from __future__ import annotations

import struct

from hypothesis import given
from hypothesis import strategies as st

from blogarchive.spool.records import _float_bits

FLOATS = st.floats(allow_nan=False)


def _reference(value: float) -> bytes:
    """The first form of the float's bytes (before it was packed with the key's head)."""
    raw = bytearray(struct.pack(">d", value + 0.0))
    if raw[0] & 0x80:
        return bytes(b ^ 0xFF for b in raw)
    raw[0] |= 0x80
    return bytes(raw)


@given(FLOATS)
def test_the_float_bytes_are_the_first_forms(value: float) -> None:
    assert _float_bits(value).to_bytes(8, "big") == _reference(value)


@given(FLOATS, FLOATS)
def test_the_float_bytes_order_as_the_floats(a: float, b: float) -> None:
    ka, kb = (_float_bits(v).to_bytes(8, "big") for v in (a, b))
    assert (ka < kb) == (a < b) and (ka == kb) == (a == b)


def test_edges() -> None:
    values = [float("-inf"), -1e308, -1.0, -5e-324, -0.0, 0.0, 5e-324, 1.0, 1e308,
              float("inf")]
    keys = [_float_bits(v).to_bytes(8, "big") for v in values]
    assert keys == sorted(keys)
    assert keys[4] == keys[5]  # -0.0 == 0.0
