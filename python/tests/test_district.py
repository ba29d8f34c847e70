"""The native module from Python: I/O, validation errors, matching, pickling."""

import json
import pickle
from pathlib import Path

import pytest

import hubmatch as hm


def test_read_and_round_trip(example_path: Path) -> None:
    d = hm.read_json(example_path)
    assert d.id == "example"
    assert d.community_ids == ["c1", "c2"]
    assert (d.need_count, d.provider_count) == (7, 4)
    assert hm.District.from_json(d.to_json()) == d
    d.validate()


def test_pickle_is_exact(example_path: Path) -> None:
    d = hm.read_json(example_path)
    back = pickle.loads(pickle.dumps(d))
    assert back == d
    assert type(back).__module__ == "hubmatch"


def test_match_gives_the_hand_checked_optima(example_path: Path) -> None:
    d = hm.read_json(example_path)
    pooled = hm.match(d, "pooled")
    alone = hm.match(d, "per_community")
    assert pooled.objective_exact == 290_600
    assert alone.objective_exact == 194_600
    assert pooled.objective == pytest.approx(290.6)
    summary = json.loads(pooled.summary_json())
    assert summary["served"] + summary["unmet"] == summary["needed"] == 13
    rows = pooled.assignments.itertuples(index=False, name=None)
    assert ("n4", "c2", "life", "vol1", "volunteer", 2, 25.0, True) in list(rows)
    assert ("n7", "c1", "volunteer", 1, "no_eligible_provider") in list(pooled.unmet.itertuples(index=False, name=None))


def test_invalid_input_names_record_and_field(example_path: Path) -> None:
    doc = json.loads(example_path.read_text())
    doc["needs"][0]["units"] = -3
    d = hm.District.from_json(json.dumps(doc))
    with pytest.raises(hm.InvalidInputError) as info:
        d.validate()
    assert str(info.value) == 'need "n1": units must be > 0, got -3'
    assert (info.value.kind, info.value.record, info.value.field) == ("need", "n1", "units")
    with pytest.raises(hm.InvalidInputError):
        hm.match(d)


def test_each_error_kind_has_its_class(tmp_path: Path) -> None:
    with pytest.raises(hm.ParseError, match="EOF"):
        hm.District.from_json("{")
    with pytest.raises(hm.FormatError, match="unsupported format"):
        hm.District.from_json('{"format": "other/9"}')
    with pytest.raises(hm.HubmatchIOError, match="missing.json"):
        hm.read_json(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="mode must be"):
        hm.match(hm.synthetic.district("small"), "sideways")
    for cls in (hm.InvalidInputError, hm.ParseError, hm.FormatError, hm.HubmatchIOError,
                hm.NumericRangeError, hm.InfeasibleError, hm.CertificateError, hm.InternalError):
        assert issubclass(cls, hm.HubmatchError)
        assert cls.__module__ == "hubmatch"


def test_synthetic_districts_are_reproducible() -> None:
    a = hm.synthetic.district("small", seed=4)
    assert a == hm.synthetic.district("small", seed=4)
    assert a != hm.synthetic.district("small", seed=5)
    pooled = hm.match(a, "pooled")
    assert pooled.objective >= hm.match(a, "per_community").objective
