"""Plots of matching results (needs the ``plot`` extra: matplotlib).

Each function takes ``ax=None`` (a new figure when absent) and returns the axes.
"""

from __future__ import annotations

from typing import Any

from hubmatch._hubmatch import MatchResult

CATEGORIES = ("life", "professional", "volunteer", "public", "administrative")
KINDS = ("government", "market", "social_organization", "volunteer")


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(8, 5))
    return ax


def _coverage(result: MatchResult) -> tuple[list[str], list[str], list[list[float]]]:
    served = result.assignments.groupby(["community", "category"])["units"].sum()
    unmet = result.unmet.groupby(["community", "category"])["units"].sum()
    communities = sorted(result.totals["by_community"])
    categories = [c for c in CATEGORIES if c in result.totals["by_category"]] + sorted(
        c for c in result.totals["by_category"] if c not in CATEGORIES
    )
    grid = []
    for c in communities:
        row = []
        for k in categories:
            s = float(served.get((c, k), 0))
            u = float(unmet.get((c, k), 0))
            row.append(s / (s + u) if s + u > 0 else float("nan"))
        grid.append(row)
    return communities, categories, grid


def coverage_heatmap(result: MatchResult, ax: Any = None) -> Any:
    """Share of needed units served, by community (rows) and service system (columns)."""
    ax = _axes(ax)
    communities, categories, grid = _coverage(result)
    image = ax.imshow(grid, vmin=0.0, vmax=1.0, cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(categories)), categories, rotation=30, ha="right")
    ax.set_yticks(range(len(communities)), communities)
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            if v == v:  # not NaN
                ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7, color="white" if v < 0.6 else "black")
    ax.figure.colorbar(image, ax=ax, label="share of units served")
    ax.set_title(f"Coverage ({result.mode})")
    return ax


def kind_mix(result: MatchResult, ax: Any = None) -> Any:
    """Units served by provider kind in each community (stacked bars)."""
    ax = _axes(ax)
    table = result.assignments.pivot_table(
        index="community", columns="provider_kind", values="units", aggfunc="sum", fill_value=0
    )
    communities = sorted(result.totals["by_community"])
    table = table.reindex(index=communities, fill_value=0)
    bottom = [0.0] * len(communities)
    for kind in KINDS:
        if kind not in table.columns:
            continue
        values = [float(v) for v in table[kind]]
        ax.bar(communities, values, bottom=bottom, label=kind)
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_ylabel("units served")
    ax.set_title(f"Who serves each community ({result.mode})")
    ax.legend()
    ax.tick_params(axis="x", rotation=45)
    return ax


def hub_gains(pooled: MatchResult, per_community: MatchResult, ax: Any = None) -> Any:
    """Units served with the hub minus units served alone, by community."""
    ax = _axes(ax)
    hub = pooled.totals["by_community"]
    alone = per_community.totals["by_community"]
    communities = sorted(hub)
    gains = [hub[c]["served"] - alone.get(c, {}).get("served", 0) for c in communities]
    colours = ["tab:green" if g >= 0 else "tab:red" for g in gains]
    ax.bar(communities, gains, color=colours)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel("units served: hub − alone")
    ax.set_title("What the hub adds, by community")
    ax.tick_params(axis="x", rotation=45)
    return ax


def hub_value(value: Any, ax: Any = None) -> Any:
    """Coverage of each community alone and with the hub (a ``HubValue``)."""
    ax = _axes(ax)
    table = value.communities
    x = range(len(table))
    ax.bar([i - 0.2 for i in x], table["coverage_alone"], width=0.4, label="alone")
    ax.bar([i + 0.2 for i in x], table["coverage_hub"], width=0.4, label="with the hub")
    ax.set_xticks(list(x), table["community"], rotation=45)
    ax.set_ylabel("share of units served")
    ax.set_title(f"Coverage by community; the hub adds {value.gain:,.0f} points")
    ax.legend()
    return ax


def shadow_prices(prices: Any, by: str = "home", kind: str | None = "volunteer", ax: Any = None) -> Any:
    """Mean shadow price of offers (not shared capacities) grouped by ``by``
    (``home`` community, ``category`` or ``provider_kind``), optionally for
    one provider ``kind``: where one more unit of capacity is worth most."""
    ax = _axes(ax)
    rows = prices[prices["category"] != ""]
    if kind is not None:
        rows = rows[rows["provider_kind"] == kind]
    rows = rows[rows[by] != ""]
    means = rows.groupby(by)["price"].mean().sort_values(ascending=False)
    ax.bar([str(k) for k in means.index], means.to_numpy())
    ax.set_ylabel("points per extra unit")
    ax.set_title(f"Shadow price of {kind or 'all'} capacity by {by}")
    ax.tick_params(axis="x", rotation=45)
    return ax
