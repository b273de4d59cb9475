"""``report.indented_json.dumps_indented`` writes exactly what ``json.dumps(indent=2)`` does:
the JSON and SARIF reports are byte-identical to what they were (tests/test_rerun.py and
the format tests compare whole reports; these compare arbitrary values)."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from svclint.report.indented_json import dumps_indented

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(), st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF)),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner), st.tuples(inner, inner), st.dictionaries(st.text(), inner)),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(_VALUES, st.booleans())
def test_the_same_text_as_json_dumps(value: Any, ensure_ascii: bool) -> None:
    assert dumps_indented(value, ensure_ascii=ensure_ascii) == json.dumps(value, indent=2, ensure_ascii=ensure_ascii)


def test_values_it_leaves_to_json_dumps() -> None:
    class Label(str):
        pass

    for value in ({1: "a", None: [True]}, [math.nan, -math.inf, 1.5], {"k": Label("v")}, {"nested": {"": [], "x": {}}}):
        for ensure_ascii in (True, False):
            assert dumps_indented(value, ensure_ascii=ensure_ascii) == json.dumps(value, indent=2, ensure_ascii=ensure_ascii)
