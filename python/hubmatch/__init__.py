"""hubmatch: exact resource matching for community service hubs.

A street (district) pools what government, market, social-organization and
volunteer providers offer and matches it to residents' needs across its
communities. ``hubmatch`` computes the optimal allocation exactly, per
community or pooled across the district (the hub), and explains it.

>>> import hubmatch as hm
>>> d = hm.synthetic.district("small", seed=1)
>>> hm.match(d, "pooled").objective >= hm.match(d, "per_community").objective
True

Tables come back as pandas DataFrames (``result.assignments``); use
``result.frame("assignments", backend="pyarrow")`` or ``backend="polars"`` for
the others.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hubmatch import scenarios, synthetic
from hubmatch._hubmatch import (
    BipartiteResult,
    CertificateError,
    District,
    FormatError,
    HubmatchError,
    HubmatchIOError,
    HubValue,
    InfeasibleError,
    InternalError,
    InvalidInputError,
    MatchResult,
    NumericRangeError,
    ParseError,
    Policy,
    __version__,
    coverage,
    diff,
    explain,
    hub_value,
    match,
    price_of_fairness,
    read_csv_dir,
    read_json,
    shadow_prices,
    smallest_increase,
)
from hubmatch.scenarios import ScenarioBase, SweepResult, sweep
from hubmatch._hubmatch import solve_bipartite as _solve_bipartite

__all__ = [
    "BipartiteResult",
    "CertificateError",
    "District",
    "FormatError",
    "HubmatchError",
    "HubmatchIOError",
    "HubValue",
    "InfeasibleError",
    "InternalError",
    "InvalidInputError",
    "MatchResult",
    "NumericRangeError",
    "ParseError",
    "Policy",
    "ScenarioBase",
    "SweepResult",
    "__version__",
    "coverage",
    "diff",
    "explain",
    "hub_value",
    "match",
    "price_of_fairness",
    "read_csv_dir",
    "read_json",
    "scenarios",
    "shadow_prices",
    "smallest_increase",
    "solve_bipartite",
    "sweep",
    "synthetic",
]


def _int64(name: str, values: Any) -> np.ndarray[Any, np.dtype[np.int64]]:
    """``values`` as a contiguous 1-D int64 array, refusing non-integer dtypes."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise InvalidInputError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.dtype.kind not in "iu":
        raise InvalidInputError(f"{name} must be an integer array, got dtype {array.dtype}")
    if array.dtype.kind == "u" and array.max() > np.iinfo(np.int64).max:
        raise InvalidInputError(f"{name} has values beyond the int64 range")
    return np.ascontiguousarray(array, dtype=np.int64)


def solve_bipartite(
    units: Any,
    capacity: Any,
    edge_need: Any,
    edge_provider: Any,
    edge_weight: Any,
    unserved_penalty: int = 0,
    provider_group: Any = None,
    group_capacity: Any = None,
    aggregate: bool = True,
    verify: bool = True,
) -> BipartiteResult:
    """Solves a max-weight b-matching exactly.

    ``units[i]`` is what need ``i`` asks for, ``capacity[j]`` what provider
    ``j`` can give, and edge ``k`` joins ``edge_need[k]`` and
    ``edge_provider[k]`` (indices into ``units`` and ``capacity``) at integer
    weight ``edge_weight[k]`` per unit. Arrays may be of any integer dtype.
    Providers with ``provider_group[j] >= 0`` also share the capacity
    ``group_capacity[provider_group[j]]``. The result has ``objective``,
    ``flow`` (units per edge, in input order), and the duals
    ``need_potential`` and ``provider_potential``. ``aggregate`` merges
    interchangeable needs first (same optimum); ``verify`` checks the
    optimality certificate before returning.

    >>> r = solve_bipartite([2, 2], [3], [0, 1], [0, 0], [5, 7])
    >>> r.objective, r.flow.tolist(), r.provider_potential.tolist()
    (19, [1, 2], [5])
    """
    arrays = {
        "units": units,
        "capacity": capacity,
        "edge_need": edge_need,
        "edge_provider": edge_provider,
        "edge_weight": edge_weight,
    }
    converted = {name: _int64(name, values) for name, values in arrays.items()}
    lengths = {len(converted[n]) for n in ("edge_need", "edge_provider", "edge_weight")}
    if len(lengths) != 1:
        raise InvalidInputError("edge_need, edge_provider and edge_weight must have the same length")
    groups = None if provider_group is None else _int64("provider_group", provider_group)
    group_caps = None if group_capacity is None else _int64("group_capacity", group_capacity)
    return _solve_bipartite(
        converted["units"],
        converted["capacity"],
        converted["edge_need"],
        converted["edge_provider"],
        converted["edge_weight"],
        int(unserved_penalty),
        groups,
        group_caps,
        aggregate,
        verify,
    )
