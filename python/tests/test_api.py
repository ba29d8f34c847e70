"""The analyst API: match results as frames, pickling, the bare solver, the
GIL, Ctrl-C, agreement with the CLI, plots."""

import _thread
import json
import pickle
import signal
import subprocess
import threading
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

import hubmatch as hm
from hubmatch import plots

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[2]


def test_result_tables_and_backends(example_path: Path) -> None:
    r = hm.match(hm.read_json(example_path))
    a = r.assignments
    assert list(a.columns) == ["need", "community", "category", "provider", "provider_kind", "units",
                               "weight_per_unit", "cross_community"]
    assert a["units"].sum() == r.totals["served"] == 10
    assert r.summary.loc["c2"].to_dict() == {"needed": 6, "served": 4, "unmet": 2, "coverage": 4 / 6, "weight": 75.0}
    assert set(r.unmet["reason"]) == {"capacity_exhausted", "no_eligible_provider"}
    assert r.frame("utilisation", backend="pyarrow").num_rows == len(r.utilisation)
    assert r.frame("unmet", backend="polars").height == len(r.unmet)
    with pytest.raises(ValueError, match="unknown backend"):
        r.frame("unmet", backend="excel")
    r.verify(hm.read_json(example_path))


def test_pickle_district_policy_and_result(example_path: Path) -> None:
    d = hm.read_json(example_path)
    r = hm.match(d, "per_community")
    p = hm.Policy(travel_penalty=2.0)
    for obj in (d, r, p):
        back = pickle.loads(pickle.dumps(obj))
        assert back == obj
        assert type(back).__module__ == "hubmatch"
    back = pickle.loads(pickle.dumps(r))
    assert back.objective_exact == 194_600
    assert back.assignments.equals(r.assignments)
    back.verify(d)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint16, np.uint64])
def test_solve_bipartite_on_any_integer_dtype(dtype: type) -> None:
    r = hm.solve_bipartite(
        np.array([2, 2], dtype=dtype), np.array([3], dtype=dtype),
        np.array([0, 1], dtype=dtype), np.array([0, 0], dtype=dtype), np.array([5, 7], dtype=dtype),
    )
    assert r.objective == 19
    assert r.flow.tolist() == [1, 2]
    assert r.need_potential.tolist() == [0, 2]
    assert r.provider_potential.tolist() == [5]
    r.verify()


def test_solve_bipartite_matches_brute_force_duality() -> None:
    rng = np.random.default_rng(0)
    n, m, d = 500, 40, 6
    units = rng.integers(1, 4, n)
    cap = rng.integers(5, 30, m)
    need = np.repeat(np.arange(n), d)
    prov = rng.integers(0, m, n * d)
    w = rng.integers(-5, 50, n * d)
    r = hm.solve_bipartite(units, cap, need, prov, w)
    # Weak duality: the duals bound every edge, and their value equals the objective.
    assert np.all(r.need_potential[need] + r.provider_potential[prov] >= w)
    assert np.all(r.need_potential >= 0) and np.all(r.provider_potential >= 0)
    assert int(units @ r.need_potential + cap @ r.provider_potential) == r.objective
    assert np.all(np.bincount(prov, weights=r.flow, minlength=m) <= cap)


def test_solve_bipartite_rejects_bad_arrays() -> None:
    with pytest.raises(hm.InvalidInputError, match="edge_weight must be an integer array, got dtype float64"):
        hm.solve_bipartite([1], [1], [0], [0], [1.5])
    with pytest.raises(hm.InvalidInputError, match="same length"):
        hm.solve_bipartite([1], [1], [0, 0], [0], [1])
    with pytest.raises(hm.InvalidInputError, match=r'graph edge "#0": provider 3 is out of range'):
        hm.solve_bipartite([1], [1], [0], [3], [1])
    with pytest.raises(hm.InvalidInputError, match="edge_need\\[0\\] must be a non-negative index"):
        hm.solve_bipartite([1], [1], [-1], [0], [1])
    with pytest.raises(hm.InvalidInputError, match="units must be between 1"):
        hm.solve_bipartite([0], [1], [0], [0], [1])


def test_another_thread_progresses_during_a_solve() -> None:
    d = hm.synthetic.district("district-13", seed=0)
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1

    t = threading.Thread(target=count)
    t.start()
    try:
        hm.match(d, "pooled")
    finally:
        done.set()
        t.join()
    assert ticks > 1000


def test_ctrl_c_stops_a_long_solve() -> None:
    d = hm.synthetic.district("district-13", seed=0)
    # A shell that starts jobs in the background makes them ignore SIGINT,
    # and Python then installs no handler for it: install the usual one.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.2, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            hm.match(d, "pooled")
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    # The module still works afterwards.
    assert hm.match(hm.synthetic.district("small"), "pooled").objective > 0


def test_python_and_cli_agree(tmp_path: Path) -> None:
    d = hm.synthetic.district("small", seed=7)
    d.write_json(tmp_path / "d.json")
    for mode in ("pooled", "per-community"):
        out = tmp_path / mode
        subprocess.run(["cargo", "run", "--quiet", "--", "solve", str(tmp_path / "d.json"), "--mode", mode,
                        "--out", str(out), "--quiet"], cwd=ROOT, check=True, capture_output=True)
        cli = json.loads((out / "summary.json").read_text())
        py = hm.match(d, mode.replace("-", "_"))
        assert cli["objective"] == py.objective
        assert cli == py.totals
        assert py.summary["served"].sum() == cli["served"]
        cli_rows = pd.read_csv(out / "assignments.csv")
        key = ["need", "provider", "units"]
        assert sorted(map(tuple, cli_rows[key].astype(str).values.tolist())) == sorted(
            map(tuple, py.assignments[key].astype(str).values.tolist())
        )


def test_synthetic_knobs() -> None:
    d = hm.synthetic.district("small", seed=3, communities=4, needs_per_community=5)
    assert d.need_count == 20 and len(d.community_ids) == 4
    with pytest.raises(TypeError, match="unknown knob"):
        hm.synthetic.district("small", widgets=3)
    with pytest.raises(ValueError, match="unknown preset"):
        hm.synthetic.district("nowhere")


def test_plots_return_axes(example_path: Path) -> None:
    d = hm.synthetic.district("small", seed=1)
    pooled, alone = hm.match(d, "pooled"), hm.match(d, "per_community")
    for ax in (plots.coverage_heatmap(pooled), plots.kind_mix(pooled), plots.hub_gains(pooled, alone)):
        assert ax.get_title()
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    assert plots.kind_mix(alone, ax=ax) is ax
    plt.close("all")
