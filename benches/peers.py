"""Peer comparison: hubmatch against OR-Tools' SimpleMinCostFlow and networkx.

Builds the same networks for every solver, checks that every optimum is equal,
and prints a table of solve times and ratios. Run from the repository root
after `pip install .[bench]` (or `bash scripts/test.sh`, which makes .venv):

    python benches/peers.py                 # the full comparison (a few minutes)
    python benches/peers.py --size tiny     # the correctness smoke CI runs
    python benches/peers.py --lemon PATH    # also LEMON's network simplex, through
                                            # its DIMACS solver tool (built by you)

Instances:
* random community: 5,000 needs (1-3 units, priority 1-5), 200 providers
  (capacity 10-100), 20 random eligible providers per need, integer weights
  priority x (1..100) -- the benchmark family of the engine issue;
* random pooled: 13 such communities with 2 of each need's 20 edges going to
  other communities' providers;
* district-13: the synthetic reference street's eligibility networks, per
  community (13 networks, timed together) and pooled, exported with
  `District.graph_arrays`.

Times are wall-clock, best of `--repeat` runs: for hubmatch its own clock in
Rust (building the flow network, aggregating, solving, splitting back; not
the numpy conversion), for OR-Tools the `solve()` call (its build is reported
apart), for LEMON its own timing of `run()`. hubmatch "plain" solves the
network as given, "agg" merges interchangeable needs first; neither checks
its certificate during timing (each optimum is verified once before).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

import hubmatch as hm

Arrays = dict[str, Any]


def random_community(rng: np.random.Generator, needs: int, providers: int, degree: int) -> Arrays:
    units = rng.integers(1, 4, needs)
    capacity = rng.integers(10, 101, providers)
    priority = rng.integers(1, 6, needs)
    edge_need = np.repeat(np.arange(needs), degree)
    edge_provider = rng.integers(0, providers, needs * degree)
    edge_weight = priority[edge_need] * rng.integers(1, 101, needs * degree)
    return dict(units=units, capacity=capacity, edge_need=edge_need, edge_provider=edge_provider,
                edge_weight=edge_weight, provider_group=np.full(providers, -1), group_capacity=np.zeros(0, np.int64),
                unserved_penalty=0)


def random_pooled(rng: np.random.Generator, communities: int, needs: int, providers: int, degree: int,
                  cross: int) -> Arrays:
    parts = [random_community(rng, needs, providers, degree) for _ in range(communities)]
    out: Arrays = {k: np.concatenate([p[k] for p in parts]) for k in ("units", "capacity", "edge_weight")}
    out["edge_need"] = np.concatenate([p["edge_need"] + c * needs for c, p in enumerate(parts)])
    provider = np.concatenate([p["edge_provider"] + c * providers for c, p in enumerate(parts)])
    # `cross` of each need's edges go to any provider of the district.
    slots = np.tile(np.arange(degree) < cross, needs * communities)
    provider[slots] = rng.integers(0, providers * communities, int(slots.sum()))
    out["edge_provider"] = provider
    out["provider_group"] = np.full(providers * communities, -1)
    out["group_capacity"] = np.zeros(0, np.int64)
    out["unserved_penalty"] = 0
    return out


def network(a: Arrays) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The min-cost-flow network of a matching problem, as hubmatch builds it:
    need -> provider -> [group ->] sink, plus an unserved arc per need."""
    n, m, g = len(a["units"]), len(a["capacity"]), len(a["group_capacity"])
    sink = n + m + g
    src = [a["edge_need"], np.arange(n), n + np.arange(m), n + m + np.arange(g)]
    group = a["provider_group"]
    provider_head = np.where(group >= 0, n + m + group, sink)
    dst = [n + a["edge_provider"], np.full(n, sink), provider_head, np.full(g, sink)]
    cap = [a["units"][a["edge_need"]] + 1, a["units"] + 1, a["capacity"], a["group_capacity"]]
    cost = [-a["edge_weight"], np.full(n, a["unserved_penalty"]), np.zeros(m, np.int64), np.zeros(g, np.int64)]
    supply = np.zeros(sink + 1, np.int64)
    supply[:n] = a["units"]
    supply[sink] = -a["units"].sum()
    return (np.concatenate(src).astype(np.int64), np.concatenate(dst).astype(np.int64),
            np.concatenate(cap).astype(np.int64), np.concatenate(cost).astype(np.int64), supply)


@dataclass
class Row:
    name: str
    nodes: int
    arcs: int
    hub_plain: float
    hub_agg: float
    classes: int
    needs: int
    ortools: float | None
    ortools_build: float | None
    networkx: float | None
    lemon: float | None = None


def hubmatch_solve(a: Arrays, aggregate: bool, verify: bool = False) -> hm.BipartiteResult:
    return hm.solve_bipartite(a["units"], a["capacity"], a["edge_need"], a["edge_provider"], a["edge_weight"],
                              a["unserved_penalty"], a["provider_group"], a["group_capacity"],
                              aggregate=aggregate, verify=verify)


def ortools_solve(net: tuple) -> tuple[float, float, int]:
    from ortools.graph.python import min_cost_flow

    src, dst, cap, cost, supply = net
    t = time.perf_counter()
    f = min_cost_flow.SimpleMinCostFlow()
    f.add_arcs_with_capacity_and_unit_cost(src, dst, cap, cost)
    f.set_nodes_supplies(np.arange(len(supply)), supply)
    build = time.perf_counter() - t
    t = time.perf_counter()
    status = f.solve()
    solve = time.perf_counter() - t
    assert status == f.OPTIMAL, status
    return build, solve, f.optimal_cost()


def lemon_solve(net: tuple, binary: str) -> tuple[float, int]:
    """LEMON's `dimacs-solver` (NetworkSimplex, block search) on the network in
    DIMACS format; returns its own timing of the run and the cost."""
    src, dst, cap, cost, supply = net
    path = f"/tmp/hubmatch-peers-{os.getpid()}.min"
    with open(path, "w") as f:
        f.write(f"p min {len(supply)} {len(src)}\n")
        for v in np.flatnonzero(supply):
            f.write(f"n {v + 1} {supply[v]}\n")
        lines = np.column_stack([src + 1, dst + 1, np.zeros_like(cap), cap, cost])
        np.savetxt(f, lines, fmt="a %d %d %d %d %d")
    out = subprocess.run([binary, "-long", path], capture_output=True, text=True, check=True)
    os.unlink(path)
    text = out.stderr + out.stdout
    run = [line for line in text.splitlines() if line.startswith("Run NetworkSimplex")][0]
    seconds = float(run.rsplit("real:", 1)[1].strip().rstrip("s"))
    value = int([line for line in text.splitlines() if line.startswith("Min flow cost")][0].split(":")[1])
    return seconds, value


def networkx_solve(net: tuple) -> tuple[float, int]:
    import networkx as nx

    src, dst, cap, cost, supply = net
    g = nx.DiGraph()
    for v, b in enumerate(supply.tolist()):
        g.add_node(v, demand=-b)
    # networkx keeps one arc per node pair: merge parallel arcs by keeping the
    # cheapest and adding capacities only when costs agree (else refuse).
    for s, d, c, w in zip(src.tolist(), dst.tolist(), cap.tolist(), cost.tolist()):
        if g.has_edge(s, d):
            e = g[s][d]
            if e["weight"] != w:
                raise ValueError("parallel arcs with different costs")
            e["capacity"] += c
        else:
            g.add_edge(s, d, capacity=c, weight=w)
    t = time.perf_counter()
    value, _ = nx.network_simplex(g)
    return time.perf_counter() - t, value


def dedupe(a: Arrays) -> Arrays:
    """Drops repeated (need, provider) edges, keeping the heaviest, so that
    networkx (one arc per node pair) solves the same problem."""
    key = a["edge_need"] * (len(a["capacity"]) + 1) + a["edge_provider"]
    order = np.lexsort((-a["edge_weight"], key))
    keep = order[np.concatenate([[True], key[order][1:] != key[order][:-1]])]
    keep.sort()
    out = dict(a)
    for k in ("edge_need", "edge_provider", "edge_weight"):
        out[k] = a[k][keep]
    return out


LEMON: str | None = None


def compare(name: str, a: Arrays, repeat: int, with_networkx: bool) -> Row:
    net = network(a)
    certified = hubmatch_solve(a, aggregate=True, verify=True)
    certified.verify()
    # hubmatch's own clock: network construction, aggregation and solve in
    # Rust, without converting the numpy arrays (OR-Tools' build is apart too).
    plain_runs = [hubmatch_solve(a, aggregate=False) for _ in range(repeat)]
    agg_runs = [hubmatch_solve(a, aggregate=True) for _ in range(repeat)]
    plain, agg = plain_runs[0], agg_runs[0]
    plain_t = min(r.solve_seconds for r in plain_runs)
    agg_t = min(r.solve_seconds for r in agg_runs)
    assert plain.objective == agg.objective == certified.objective, name
    ortools_t = ortools_b = None
    try:
        runs = [ortools_solve(net) for _ in range(repeat)]
        ortools_b = min(r[0] for r in runs)
        ortools_t = min(r[1] for r in runs)
        assert -runs[0][2] == plain.objective, (name, -runs[0][2], plain.objective)
    except ImportError:
        pass
    networkx_t = None
    if with_networkx:
        try:
            networkx_t, value = networkx_solve(net)
            assert -value == plain.objective, (name, -value, plain.objective)
        except ImportError:
            pass
    lemon_t = None
    if LEMON:
        lemon_runs = [lemon_solve(net, LEMON) for _ in range(repeat)]
        lemon_t = min(r[0] for r in lemon_runs)
        assert -lemon_runs[0][1] == plain.objective, (name, -lemon_runs[0][1], plain.objective)
    return Row(name, len(net[4]), len(net[0]), plain_t, agg_t, agg.classes, len(a["units"]), ortools_t, ortools_b,
               networkx_t, lemon_t)


def fmt(t: float | None) -> str:
    return "-" if t is None else f"{1000 * t:,.1f}"


def ratio(a: float | None, b: float | None) -> str:
    return "-" if a is None or b is None else f"{a / b:.2f}"


def print_table(rows: list[Row]) -> None:
    print("| instance | nodes | arcs | hubmatch plain ms | hubmatch agg ms (classes/needs) | OR-Tools ms (+build) "
          "| plain / OR-Tools | agg / OR-Tools | LEMON ms | plain / LEMON | networkx ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r.name} | {r.nodes:,} | {r.arcs:,} | {fmt(r.hub_plain)} | {fmt(r.hub_agg)} ({r.classes:,}/{r.needs:,}) "
              f"| {fmt(r.ortools)} (+{fmt(r.ortools_build)}) | {ratio(r.hub_plain, r.ortools)} "
              f"| {ratio(r.hub_agg, r.ortools)} | {fmt(r.lemon)} | {ratio(r.hub_plain, r.lemon)} | {fmt(r.networkx)} |")


def threads(repeat: int) -> None:
    """13 communities matched on 1 and on 2 threads (separate processes)."""
    code = ("import hubmatch as hm, time; d = hm.synthetic.district('district-13'); hm.match(d, 'per_community'); "
            f"print(min(hm.match(d, 'per_community').solve_seconds for _ in range({repeat})))")
    times = {}
    for n in (1, 2):
        env = dict(os.environ, RAYON_NUM_THREADS=str(n))
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        times[n] = float(out.stdout.strip())
    print(f"\ndistrict-13 per community (13 networks): 1 thread {1000 * times[1]:.0f} ms, "
          f"2 threads {1000 * times[2]:.0f} ms, speed-up {times[1] / times[2]:.2f}x")


def memory(a: Arrays, label: str) -> None:
    """Peak memory of solving `a` in a fresh process, per arc."""
    # The peak resident set is reset after loading (Linux clear_refs), so
    # the figure is what the solve itself adds: its copy of the problem, the
    # flow network and the simplex's arrays.
    code = ("import sys, numpy as np, hubmatch as hm; a = dict(np.load(sys.argv[1])); "
            "kb = lambda key: int([l for l in open('/proc/self/status') if l.startswith(key)][0].split()[1]); "
            "open('/proc/self/clear_refs', 'w').write('5'); base = kb('VmRSS:'); "
            "hm.solve_bipartite(a['units'], a['capacity'], a['edge_need'], a['edge_provider'], a['edge_weight'], "
            "int(a['unserved_penalty']), a['provider_group'], a['group_capacity'], aggregate=False, verify=False); "
            "print(base, kb('VmHWM:'))")
    path = f"/tmp/hubmatch-peers-{os.getpid()}.npz"
    np.savez(path, **a)
    out = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True, check=True)
    os.unlink(path)
    base, peak = (int(x) * 1024 for x in out.stdout.split())
    arcs = len(network(a)[0])
    print(f"{label}: peak memory of the solve {(peak - base) / 2**20:,.0f} MiB above the loaded arrays, "
          f"{(peak - base) / arcs:.0f} bytes per arc ({arcs:,} arcs)")


def ladder(repeat: int) -> None:
    """Pooled matching time over the preset ladder, and its growth exponent."""
    sizes, times = [], []
    for preset in ("district-13", "district-13-x4", "district-13-x16"):
        d = hm.synthetic.district(preset)
        t = min(hm.match(d, "pooled").solve_seconds for _ in range(max(1, repeat // 2)))
        arcs = len(d.graph_arrays("pooled")["edge_need"])
        sizes.append(arcs)
        times.append(t)
        print(f"{preset}: {arcs:,} eligibility edges, pooled match {t:.2f} s")
    slope = np.polyfit(np.log(sizes), np.log(times), 1)[0]
    print(f"time exponent over the ladder: {slope:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=["tiny", "full"], default="full")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lemon", help="LEMON's dimacs-solver executable, to compare with it too")
    args = parser.parse_args()
    global LEMON
    LEMON = args.lemon
    rng = np.random.default_rng(20261127)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, hubmatch {hm.__version__}")
    rows = []
    if args.size == "tiny":
        rows.append(compare("random 200x20x5", dedupe(random_community(rng, 200, 20, 5)), 1, True))
        rows.append(compare("random 2x150x15 pooled", dedupe(random_pooled(rng, 2, 150, 15, 5, 1)), 1, True))
        small = hm.synthetic.district("small", seed=0)
        for mode in ("per_community", "pooled"):
            rows.append(compare(f"small {mode}", small.graph_arrays(mode), 1, True))
        print_table(rows)
        return
    rows.append(compare("random 500x50x10 (networkx size)", dedupe(random_community(rng, 500, 50, 10)), args.repeat, True))
    rows.append(compare("random community 5000x200x20", random_community(rng, 5000, 200, 20), args.repeat, False))
    pooled = random_pooled(rng, 13, 5000, 200, 20, 2)
    rows.append(compare("random pooled 13x5000x200x20", pooled, args.repeat, False))
    district = hm.synthetic.district("district-13", seed=0)
    rows.append(compare("district-13 per community (13 networks)", district.graph_arrays("per_community"), args.repeat, False))
    rows.append(compare("district-13 pooled", district.graph_arrays("pooled"), args.repeat, False))
    print_table(rows)
    threads(args.repeat)
    memory(pooled, "random pooled 13x5000x200x20")
    t = time.perf_counter()
    r = hm.match(district, "pooled")
    frames = (r.assignments, r.unmet, r.utilisation)
    end_to_end = time.perf_counter() - t
    print(f"district-13 from Python, DataFrames out: {end_to_end:.2f} s end to end vs {r.solve_seconds:.2f} s "
          f"core matching ({end_to_end / r.solve_seconds:.2f}x; {sum(len(f) for f in frames):,} rows)")
    ladder(args.repeat)


if __name__ == "__main__":
    main()
