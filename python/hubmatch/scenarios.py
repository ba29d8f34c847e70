"""Scenario sweeps: what happens to the optimal allocation under changes.

A scenario is a name and a list of changes, as dicts (or the JSON of the
``Scenario`` format)::

    {"name": "volunteers -30%",
     "changes": [{"scale_capacity": {"select": {"kind": "volunteer"}, "factor": 0.7}}]}

Changes: ``scale_capacity`` (``select`` by kind, provider, category, home
community; ``factor``), ``close_provider`` (``provider``), ``add_provider``
(``provider``: a provider record), ``scale_demand`` (``category``,
``community``, ``factor``) and ``set_policy`` (``policy``: a policy record).

A factor scales whole units: each capacity (or need) selected lands within
one unit of its exact share, and the selection's total is the exact total
rounded to the nearest unit (largest remainders take the units left), so
``volunteers(0.99)`` takes 1% of the volunteers' units, not one unit from
each of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Iterable

import pandas as pd

from hubmatch._hubmatch import District, MatchResult, apply_scenario, diff, sweep_scenarios
from hubmatch._hubmatch import ScenarioBase as _NativeBase


def volunteers(factor: float) -> dict[str, Any]:
    """A scenario scaling every volunteer's capacity by ``factor``.

    >>> volunteers(0.7)["name"]
    'volunteer capacity x0.7'
    """
    return {
        "name": f"volunteer capacity x{factor:g}",
        "changes": [{"scale_capacity": {"select": {"kind": "volunteer"}, "factor": factor}}],
    }


def apply(district: District, scenario: dict[str, Any] | str) -> District:
    """The district with ``scenario`` (a dict or JSON text) applied, not
    validated: what :meth:`ScenarioBase.outcome` solves.

    >>> import hubmatch as hm
    >>> d = hm.synthetic.district("small", seed=1)
    >>> apply(d, volunteers(0.7)) == ScenarioBase(d).outcome(volunteers(0.7))[0]
    True
    """
    return apply_scenario(district, scenario if isinstance(scenario, str) else json.dumps(scenario))


class ChangedDistricts(Mapping[str, District]):
    """Each scenario's changed district by name, applied when asked for: a
    sweep keeps none (a district-13 copy holds 19 MB), and building one
    takes about 35 ms there.

    >>> import hubmatch as hm
    >>> d = hm.synthetic.district("small", seed=1)
    >>> s = sweep(d, [volunteers(0.7)], progress=False)
    >>> s.districts["volunteer capacity x0.7"] == ScenarioBase(d).outcome(volunteers(0.7))[0]
    True
    """

    def __init__(self, district: District, scenarios: Mapping[str, str]) -> None:
        self._district = district
        self._scenarios = dict(scenarios)

    def __getitem__(self, name: str) -> District:
        return apply(self._district, self._scenarios[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._scenarios)

    def __len__(self) -> int:
        return len(self._scenarios)


@dataclass
class SweepResult:
    """The base allocation and every scenario's, with a tidy summary ``table``;
    ``scenarios`` holds each scenario's JSON text by name, and
    ``districts`` gives its changed district when asked for."""

    district: District
    base: MatchResult
    results: dict[str, MatchResult] = field(default_factory=dict)
    scenarios: dict[str, str] = field(default_factory=dict)

    @property
    def districts(self) -> ChangedDistricts:
        """Each scenario's changed district by name, applied when asked for."""
        return ChangedDistricts(self.district, self.scenarios)

    @property
    def table(self) -> pd.DataFrame:
        """One row per scenario (and the base): objective, served and unmet
        units, and the change from the base."""
        rows = [("base", self.base)] + list(self.results.items())
        out = []
        # Unit totals read from the allocations: no result builds its tables.
        for name, r in rows:
            served, unmet = r.served_units, r.unmet_units
            out.append({
                "scenario": name,
                "objective": r.objective,
                "served": served,
                "unmet": unmet,
                "coverage": served / (served + unmet) if served + unmet else 0.0,
                "objective_change": r.objective - self.base.objective,
                "served_change": served - self.base.served_units,
            })
        return pd.DataFrame(out)

    def diff(self, name: str) -> pd.DataFrame:
        """Who gained and who lost in scenario ``name`` against the base, by
        community, category and provider kind."""
        return diff(self.district, self.base, self.districts[name], self.results[name])


def sweep(
    district: District,
    scenarios: Iterable[dict[str, Any] | str],
    mode: str = "pooled",
    progress: bool = True,
) -> SweepResult:
    """Solves the district and every scenario, scenarios in parallel and
    warm-started from the base optimum; shows a tqdm progress bar when
    ``progress`` and tqdm is installed.

    >>> import hubmatch as hm
    >>> d = hm.synthetic.district("small", seed=1)
    >>> s = sweep(d, [volunteers(0.7)], progress=False)
    >>> bool(s.table.loc[1, "objective"] <= s.table.loc[0, "objective"])
    True
    """
    texts = [s if isinstance(s, str) else json.dumps(s) for s in scenarios]
    bar = None
    if progress and len(texts) > 1:
        try:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(texts), desc="scenarios")
        except ImportError:
            bar = None
    try:
        base, outcomes = sweep_scenarios(district, texts, mode, (lambda _k: bar.update(1)) if bar else None)
    finally:
        if bar is not None:
            bar.close()
    result = SweepResult(district, base)
    for text, (name, r) in zip(texts, outcomes):
        result.results[name] = r
        result.scenarios[name] = text
    return result


class ScenarioBase:
    """A district solved once and kept, to answer scenarios one at a time:
    each :meth:`outcome` starts from the base optimum instead of solving the
    base again (as each :func:`sweep` call does). A scenario that changes
    amounts only (capacities, closures, demand) re-solves just the networks
    it changes; one that adds providers (a newly incubated social
    organization) solves only the networks the newcomers reach, from the
    base optimum carried over.

    >>> import hubmatch as hm
    >>> d = hm.synthetic.district("small", seed=1)
    >>> base = ScenarioBase(d)
    >>> changed, r = base.outcome(volunteers(0.7))
    >>> r.objective == hm.match(changed, "pooled").objective
    True
    """

    def __init__(self, district: District, mode: str = "pooled") -> None:
        self._native = _NativeBase(district, mode)

    @property
    def base(self) -> MatchResult:
        """The base district's optimal allocation."""
        return self._native.base

    @property
    def district(self) -> District:
        """The base district."""
        return self._native.district

    def outcome(self, scenario: dict[str, Any] | str) -> tuple[District, MatchResult]:
        """Applies ``scenario`` (a dict or JSON text) to the base district and
        solves it warm: returns the changed district and its result."""
        text = scenario if isinstance(scenario, str) else json.dumps(scenario)
        return self._native.outcome(text)

    def result(self, scenario: dict[str, Any] | str) -> MatchResult:
        """Solves ``scenario`` (a dict or JSON text) warm, as :meth:`outcome`
        does, and returns its result alone: no changed district is built
        (35 ms on district-13; the result's tables apply the scenario when
        first read).

        >>> import hubmatch as hm
        >>> base = ScenarioBase(hm.synthetic.district("small", seed=1))
        >>> base.result(volunteers(0.7)) == base.outcome(volunteers(0.7))[1]
        True
        """
        text = scenario if isinstance(scenario, str) else json.dumps(scenario)
        return self._native.result(text)

    def diff(self, scenario: dict[str, Any] | str) -> pd.DataFrame:
        """Who gained and who lost under ``scenario`` against the base, by
        community, category and provider kind."""
        changed, result = self.outcome(scenario)
        return diff(self.district, self.base, changed, result)

