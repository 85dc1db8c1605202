"""Result dataclasses: JSON-ready dicts and catalogue codes only."""

from __future__ import annotations

import json
import math

import pytest

from experiments.messages import MESSAGES
from experiments.results import degenerate


def test_degenerate_result_serializes_nan_as_null_with_message() -> None:
    res = degenerate("did_panel", "no_control", method="x", n_obs=3)
    out = res.to_dict()
    json.dumps(out, allow_nan=False)
    assert out["effect"] is None and out["reason_message"] == MESSAGES["no_control"]
    assert math.isnan(res.effect)


def test_unknown_codes_are_programmer_errors() -> None:
    with pytest.raises(KeyError):
        degenerate("ab", "not_a_code", method="x", n_obs=0)
    res = degenerate("ab", "no_data", method="x", n_obs=0)
    with pytest.raises(KeyError):
        res.with_warnings("made_up")
    assert res.with_warnings("gaps", "gaps").warnings == ("gaps",)
