"""``assess --format json`` writes each assessment with orjson
(:func:`aptic_qualif.scoring.render.indented_json`): byte for byte what the standard library
writes, whatever the data."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from aptic_qualif.scoring.render import indented_json


def stdlib(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2, sort_keys=True)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
data = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(data)
@example({"b": [1e-05, 1e-07, 0.0001, 1e16, -0.0, 5e-324], "a": {"\x00\x1f\x7f\u2028": "é😀"}})
@example({"z": [], "a": {}, "é": True, "B": None, "0.0000 et 1e-7": "NaN Infinity"})
@example([2**64, -(2**63) - 1, 123456789012345.6])
def test_the_same_text_as_the_standard_librarys(value: Any) -> None:
    assert indented_json(value) == stdlib(value)


def test_a_float_of_every_magnitude_is_written_as_python_writes_it() -> None:
    for exponent in range(-320, 309):
        for mantissa in (1.0, 1.5, 9.999999):
            number = mantissa * 10.0**exponent
            if math.isfinite(number):
                assert indented_json([number, -number]) == stdlib([number, -number])


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_a_number_that_is_not_finite_is_still_refused(number: float) -> None:
    with pytest.raises(ValueError):
        indented_json({"points": number})


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_an_assessment_holds_no_number_that_is_not_finite(number: float) -> None:
    """The JSON of an assessment is written without looking for such numbers: its models
    refuse them where they would be made."""
    from pydantic import ValidationError

    from aptic_qualif.scoring.model import PointLine

    line = {"item": "x", "theme": "t", "label": "X", "weight": 1.0, "answer": None}
    with pytest.raises(ValidationError):
        PointLine(**line, points=number, max=4.0, source="answer", detail="")
    assert PointLine(**line, points=1.5, max=4.0, source="answer", detail="").points == 1.5
