"""Scenario re-solves from Python: warm against from scratch, as an analyst meets them.

The Rust bench (`cargo bench --bench engine -- scenario/`) times the engine;
this script times the same six scenarios through the Python package, where a
notebook runs them. For each mode it prints, per scenario:

* from scratch: `hm.match(hm.scenarios.apply(d, s), mode)` -- apply, validate,
  solve, certify;
* outcome: `ScenarioBase(d, mode).outcome(s)` -- the same changed district
  and an optimal result, solved from the kept base optimum (the base is
  solved once, before timing);
* result: `ScenarioBase(d, mode).result(s)` -- the result alone, as a sweep
  makes it: no changed district is built;

best of `--repeat` runs each, and their ratio. Neither builds a result table
(tables are built when first read). Run from the repository root after
`bash scripts/test.sh` (which makes .venv):

    .venv/bin/python benches/sweep.py                  # district-13, about 2 minutes
    .venv/bin/python benches/sweep.py --preset small   # the smoke CI runs

Every warm objective is checked against the cold one before it is timed.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import hubmatch as hm


def scenarios(d: hm.District) -> list[dict[str, Any]]:
    """The Rust bench's six scenarios: 1% of the providers closed (every
    100th), 1% of the needs grown by half (c01's professional ones), the
    volunteers' capacity -1%, a copy of every 100th provider, one newly
    incubated social organization, and every 100th provider's capacities
    doubled (the copies' growth as amounts)."""
    providers = json.loads(d.to_json())["providers"]
    every_100th = providers[::100]
    copies = [{**p, "id": f"new-{p['id']}"} for p in every_100th]
    first_so = next(p for p in providers if p["kind"] == "social_organization")
    return [
        {"name": "close 1% of providers",
         "changes": [{"close_provider": {"provider": p["id"]}} for p in every_100th]},
        {"name": "1% of needs x1.5",
         "changes": [{"scale_demand": {"community": "c01", "category": "professional", "factor": 1.5}}]},
        hm.scenarios.volunteers(0.99) | {"name": "volunteers x0.99"},
        {"name": "add 1% more providers", "changes": [{"add_provider": {"provider": p}} for p in copies]},
        {"name": "add 1 social organization",
         "changes": [{"add_provider": {"provider": {**first_so, "id": "incubated"}}}]},
        {"name": "double 1% of providers",
         "changes": [{"scale_capacity": {"select": {"provider": p["id"]}, "factor": 2}} for p in every_100th]},
    ]


def best(repeat: int, run: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="district-13")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    d = hm.synthetic.district(args.preset, seed=args.seed)
    texts = [(s["name"], json.dumps(s)) for s in scenarios(d)]
    print(f"{args.preset} (seed {args.seed}): {d.need_count} needs, {d.provider_count} providers; "
          f"best of {args.repeat}\n")
    print("| scenario | mode | from scratch | outcome | speed-up | result | speed-up |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for mode in ["per_community", "pooled"]:
        base = hm.ScenarioBase(d, mode)
        for name, text in texts:
            cold = hm.match(hm.scenarios.apply(d, text), mode).objective_exact
            for warm in [base.outcome(text)[1], base.result(text)]:
                if warm.objective_exact != cold:
                    raise SystemExit(f"{name} ({mode}): warm {warm.objective_exact} != cold {cold}")
            scratch = best(args.repeat, lambda: hm.match(hm.scenarios.apply(d, text), mode))
            outcome = best(args.repeat, lambda: base.outcome(text))
            result = best(args.repeat, lambda: base.result(text))
            print(f"| {name} | {mode} | {scratch * 1e3:.0f} ms | {outcome * 1e3:.1f} ms | {scratch / outcome:.1f}x "
                  f"| {result * 1e3:.1f} ms | {scratch / result:.1f}x |", flush=True)


if __name__ == "__main__":
    main()
