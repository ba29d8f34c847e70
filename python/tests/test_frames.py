"""Districts from data frames: pandas, polars and pyarrow, and bad frames."""

from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import hubmatch as hm


def csv_tables(tmp_path: Path, example_path: Path) -> dict[str, pd.DataFrame]:
    """The example district as pandas frames, read from its CSV export."""
    d = hm.read_json(example_path)
    d.write_csv_dir(tmp_path / "csv")
    return {name: pd.read_csv(tmp_path / "csv" / f"{name}.csv") for name in
            ("communities", "cells", "needs", "providers", "offers")}


def from_frames(t: dict[str, object], policy: hm.Policy | None = None) -> hm.District:
    return hm.District.from_frames(
        t["needs"], t["providers"], t["offers"], communities=t["communities"], cells=t["cells"], policy=policy, id="example"
    )


@pytest.mark.parametrize("backend", ["pandas", "polars", "pyarrow"])
def test_frames_give_the_same_district_and_optimum(tmp_path: Path, example_path: Path, backend: str) -> None:
    tables = csv_tables(tmp_path, example_path)
    convert = {
        "pandas": lambda df: df,
        "polars": pl.from_pandas,
        "pyarrow": lambda df: pa.Table.from_pandas(df, preserve_index=False),
    }[backend]
    d = from_frames({k: convert(v) for k, v in tables.items()})
    original = hm.read_json(example_path)
    assert d.need_count == original.need_count and d.community_ids == original.community_ids
    assert hm.match(d).objective_exact == hm.match(original).objective_exact == 290_600


def test_frames_without_communities_derive_them(tmp_path: Path, example_path: Path) -> None:
    t = csv_tables(tmp_path, example_path)
    needs = t["needs"].drop(columns=["cell"])
    providers = t["providers"].drop(columns=["cell"])
    d = hm.District.from_frames(needs, providers, t["offers"])
    assert d.community_ids == ["c1", "c2"]
    d.validate()


def test_list_columns_and_integer_ids() -> None:
    needs = pa.table({
        "id": [1, 2],
        "community": ["a", "a"],
        "category": ["volunteer", "volunteer"],
        "units": pa.array([1, 2], pa.int32()),
        "skills": [["tutoring"], []],
    })
    providers = pa.table({"id": ["p"], "kind": ["volunteer"], "home": ["a"], "skills": [["tutoring", "escort"]]})
    offers = pa.table({"provider": ["p"], "category": ["volunteer"], "capacity": pa.array([2], pa.uint8())})
    r = hm.match(hm.District.from_frames(needs, providers, offers))
    assert r.totals["served"] == 2
    assert sorted(r.assignments["need"]) == ["1", "2"]


def base_frames() -> dict[str, pd.DataFrame]:
    return {
        "needs": pd.DataFrame({"id": ["n1", "n2"], "community": ["c", "c"], "category": ["life", "life"], "units": [1, 2]}),
        "providers": pd.DataFrame({"id": ["p"], "kind": ["market"], "home": ["c"]}),
        "offers": pd.DataFrame({"provider": ["p"], "category": ["life"], "capacity": [3]}),
    }


def build(f: dict[str, pd.DataFrame]) -> hm.District:
    d = hm.District.from_frames(f["needs"], f["providers"], f["offers"])
    d.validate()
    return d


def test_bad_frames_name_the_table_row_and_column() -> None:
    f = base_frames()
    f["needs"] = f["needs"].drop(columns=["units"])
    with pytest.raises(hm.ParseError, match='needs: missing required column "units"'):
        build(f)

    f = base_frames()
    f["needs"]["units"] = ["one", "two"]
    with pytest.raises(hm.ParseError, match='needs: row 0: column "units": must hold integers, got a column of text'):
        build(f)

    f = base_frames()
    f["needs"]["units"] = [1.0, 2.5]
    with pytest.raises(hm.ParseError, match='needs: row 1: column "units": 2.5 is not an integer'):
        build(f)

    f = base_frames()
    f["needs"]["units"] = [1, None]
    with pytest.raises(hm.ParseError, match='needs: row 1: column "units": must not be empty'):
        build(f)

    f = base_frames()
    f["needs"]["id"] = ["n1", None]
    with pytest.raises(hm.ParseError, match='needs: row 1: column "id": must not be empty'):
        build(f)

    f = base_frames()
    f["needs"]["units"] = [1, -3]
    with pytest.raises(hm.InvalidInputError, match='need "n2": units must be > 0, got -3'):
        build(f)

    f = base_frames()
    f["providers"]["kind"] = ["church"]
    with pytest.raises(hm.ParseError, match='providers: row 0: column "kind": "church" is not one of'):
        build(f)

    with pytest.raises(TypeError, match="expected a pandas, polars or pyarrow table"):
        hm.District.from_frames([1, 2], f["providers"], f["offers"])


def test_policy_from_python() -> None:
    p = hm.Policy(cost_weight=0.5, allowed_kinds={"administrative": ["government", "social_organization"]})
    assert p.cost_weight == 0.5
    assert p.priority_multipliers == [1.0, 1.25, 1.5, 2.0, 3.0]
    assert p.allowed_kinds["administrative"] == ["government", "social_organization"]
    with pytest.raises(ValueError, match="is not a provider kind"):
        hm.Policy(allowed_kinds={"life": ["church"]})
    d = hm.synthetic.district("small", seed=1)
    cheap = hm.match(d, policy=hm.Policy(unserved_penalty=5.0))
    assert cheap.objective < hm.match(d).objective  # penalties lower the objective
    assert d.with_policy(p).policy == p
