"""Policy analytics from Python: hub value, shadow prices, coverage, scenarios."""

from pathlib import Path

import pytest

import hubmatch as hm


def test_hub_value_of_the_example(example_path: Path) -> None:
    v = hm.hub_value(hm.read_json(example_path))
    assert v.gain == pytest.approx(96.0)
    c = v.communities.set_index("community")
    assert (c.loc["c2", "served_alone"], c.loc["c2", "served_hub"]) == (0, 4)
    moved = v.moved
    assert set(zip(moved["provider"], moved["to_community"])) == {("gov1", "c2"), ("mkt1", "c1"), ("vol1", "c2")}
    e = v.equity.set_index("mode")
    assert e.loc["hub", "min_coverage"] > e.loc["alone", "min_coverage"]
    assert v.hub.objective_exact - v.alone.objective_exact == 96_000


def test_shadow_prices_and_coverage(example_path: Path) -> None:
    d = hm.read_json(example_path)
    r = hm.match(d)
    prices = hm.shadow_prices(d, r)
    top = prices.iloc[0]
    assert (top["provider"], top["category"], top["price"]) == ("gov1", "administrative", 14.0)
    shared = prices[(prices["provider"] == "vol1") & (prices["category"] == "")]
    assert shared["price"].tolist() == [11.0]
    cov = hm.coverage(d, r).set_index(["community", "category"])
    assert cov.loc[("c2", "life"), ["needed", "served", "volunteer"]].tolist() == [2, 2, 2]


def test_sweep_and_diff(example_path: Path) -> None:
    d = hm.read_json(example_path)
    scenarios = [
        hm.scenarios.volunteers(0.7),
        {"name": "no volunteers", "changes": [{"close_provider": {"provider": "vol1"}}]},
        {"name": "more admin demand", "changes": [{"scale_demand": {"category": "administrative", "factor": 2}}]},
    ]
    s = hm.sweep(d, scenarios, progress=False)
    table = s.table.set_index("scenario")
    assert table.loc["base", "objective"] == pytest.approx(290.6)
    assert table.loc["no volunteers", "objective_change"] == pytest.approx(-61.0)
    assert table.loc["volunteer capacity x0.7", "objective"] <= table.loc["base", "objective"]
    diff = s.diff("no volunteers").set_index(["dimension", "key"])
    assert diff.loc[("provider_kind", "volunteer"), "served_change"] == -3
    assert diff.loc[("community", "c2"), "served_change"] == -3
    # The sweep keeps each scenario's text, not its changed district, and
    # applies it when asked for.
    assert list(s.districts) == list(s.results) == list(s.scenarios)
    assert s.districts["no volunteers"] != d
    assert s.districts["no volunteers"] == hm.ScenarioBase(d).outcome(scenarios[1])[0]
    for name, r in s.results.items():
        r.verify(s.districts[name])


def test_tables_are_built_when_read_from_the_district_that_labels_them(example_path: Path) -> None:
    import pickle

    d = hm.read_json(example_path)
    demand = {"name": "more admin demand", "changes": [{"scale_demand": {"category": "administrative", "factor": 2}}]}
    s = hm.sweep(d, [demand], progress=False)
    swept = s.results["more admin demand"]
    # Unit totals come from the allocation, and agree with the tables.
    assert swept.served_units + swept.unmet_units == swept.totals["needed"]
    assert (swept.served_units, swept.unmet_units) == (swept.totals["served"], swept.totals["unmet"])
    # Its tables count the changed district's units (the scenario applied
    # when read), not the base's: as those of the result labelled by the
    # changed district that ScenarioBase.outcome returns.
    kept = hm.ScenarioBase(d)
    changed, answered = kept.outcome(demand)
    # The result alone, labelled by the scenario: the same tables.
    assert kept.result(demand) == answered
    assert swept.totals["needed"] > s.base.totals["needed"]
    assert swept == answered
    assert swept.assignments.equals(answered.assignments)
    assert swept.unmet.equals(answered.unmet)
    # A result pickled before its tables were read keeps them.
    fresh = hm.sweep(d, [demand], progress=False).results["more admin demand"]
    again = pickle.loads(pickle.dumps(fresh))
    assert again == answered and again.totals == answered.totals
    # match labels its result by the district given, whatever the policy.
    r = hm.match(changed, "pooled")
    assert r.totals["needed"] == swept.totals["needed"]
    assert repr(r).startswith("MatchResult(mode=\"pooled\"")


def test_scenario_base_answers_one_scenario_at_a_time(example_path: Path) -> None:
    d = hm.read_json(example_path)
    base = hm.ScenarioBase(d, "per_community")
    assert base.base.objective == hm.match(d, "per_community").objective
    # The same answers as a sweep and as solving each changed district afresh.
    scenarios = [
        {"name": "no volunteers", "changes": [{"close_provider": {"provider": "vol1"}}]},
        {"name": "more admin demand", "changes": [{"scale_demand": {"category": "administrative", "factor": 2}}]},
        {"name": "no travel cost", "changes": [{"set_policy": {"policy": {"travel_penalty": 0.0}}}]},
        # A new provider (a service hall in c2, where n2's administrative
        # need is unmet): solved from the kept base.
        {
            "name": "a service hall in c2",
            "changes": [
                {
                    "add_provider": {
                        "provider": {
                            "id": "gov2",
                            "kind": "government",
                            "home": "c2",
                            "cell": "c2-g1",
                            "offers": [{"category": "administrative", "capacity": 2}],
                        }
                    }
                }
            ],
        },
    ]
    swept = hm.sweep(d, scenarios, "per_community", progress=False)
    for s in scenarios:
        changed, r = base.outcome(s)
        assert r.objective == swept.results[s["name"]].objective
        assert r.objective == hm.match(changed, "per_community").objective
        r.verify(changed)
    assert swept.results["a service hall in c2"].objective > base.base.objective
    # The base is kept: asking again gives the same answer.
    assert base.outcome(scenarios[0])[1].objective == swept.results["no volunteers"].objective
    gained = base.diff(scenarios[0]).set_index(["dimension", "key"])
    assert gained.loc[("provider_kind", "volunteer"), "served_change"] < 0
    with pytest.raises(hm.InvalidInputError, match='"nobody" is not a provider of the district'):
        base.outcome({"name": "x", "changes": [{"close_provider": {"provider": "nobody"}}]})
    with pytest.raises(ValueError, match="mode must be"):
        hm.ScenarioBase(d, "sideways")


def test_analytics_plots(example_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hubmatch import plots

    d = hm.synthetic.district("small", seed=2)
    v = hm.hub_value(d)
    assert "the hub adds" in plots.hub_value(v).get_title()
    prices = hm.shadow_prices(d, v.hub)
    assert plots.shadow_prices(prices, by="category", kind=None).get_title()
    plt.close("all")


def test_explanations(example_path: Path) -> None:
    d = hm.read_json(example_path)
    r = hm.match(d)
    why = hm.explain(d, r).set_index("need")
    assert why.loc["n7", "reason"] == "no_eligible_provider"
    assert why.loc["n7", "text"].endswith("It requires cooking. Nearest: vol1, 2 away (lacks a required skill).")
    assert "3 are used, 2 by 1 other need" in why.loc["n2", "text"]
    assert hm.smallest_increase(d, r, "n2") == ("gov1", "administrative", 1)
    assert hm.smallest_increase(d, r, "n7") is None
    with pytest.raises(ValueError, match="not a need"):
        hm.smallest_increase(d, r, "n99")


def test_coverage_floors_and_their_price(example_path: Path) -> None:
    d = hm.read_json(example_path)
    policy = hm.Policy(community_floors={"c2": 0.8})
    price, with_floors, without = hm.price_of_fairness(d, policy=policy)
    assert price == pytest.approx(34.0)
    floors = with_floors.floors
    assert floors[["floor", "needed", "required", "served"]].values.tolist() == [["c2", 6, 5, 5]]
    assert without.objective == pytest.approx(290.6)
    with pytest.raises(hm.InfeasibleError, match='coverage floors of "c2" cannot all be met'):
        hm.match(d, policy=hm.Policy(community_floors={"c2": 1.0}))


def test_bad_scenarios_are_clear(example_path: Path) -> None:
    d = hm.read_json(example_path)
    with pytest.raises(hm.InvalidInputError, match='"nobody" is not a provider of the district'):
        hm.sweep(d, [{"name": "x", "changes": [{"close_provider": {"provider": "nobody"}}]}], progress=False)
    with pytest.raises(hm.ParseError, match="unknown variant"):
        hm.sweep(d, [{"name": "x", "changes": [{"demolish": {}}]}], progress=False)


def test_sector_bounds(example_path: Path) -> None:
    d = hm.read_json(example_path)
    # Volunteers give 2 of the 5 life units pooled; at most 20% leaves them none.
    policy = hm.Policy(sector_bounds=[{"category": "life", "kind": "volunteer", "max_share": 0.2}])
    assert policy.sector_bounds == [{"category": "life", "kind": "volunteer", "max_share": 0.2}]
    r = hm.match(d, policy=policy)
    assert r.objective == pytest.approx(251.6)
    assert r.upper_bound is not None and r.upper_bound >= r.objective
    s = r.sectors
    assert s[["kind", "category", "limit", "served", "served_by_kind"]].values.tolist() == [
        ["volunteer", "life", "at_most", 3, 0]
    ]
    r.verify(d.with_policy(policy))
    price, _, without = hm.price_of_fairness(d, policy=policy)
    assert price == pytest.approx(39.0)
    assert without.upper_bound is None
    with pytest.raises(hm.ParseError, match=r"sector_bounds\[0\].*unknown variant `robots`"):
        hm.Policy(sector_bounds=[{"category": "life", "kind": "robots", "max_share": 0.2}])
    with pytest.raises(hm.InvalidInputError, match=r"sector_bounds\[0\].max_share must have at most 3 decimal places"):
        hm.match(d, policy=hm.Policy(sector_bounds=[{"category": "life", "kind": "volunteer", "max_share": 0.2555}]))
