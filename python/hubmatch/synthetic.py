"""Seeded synthetic districts (the same generator as ``hubmatch generate``).

Presets: ``small`` (3 communities), ``district-13`` (the reference street:
13 communities of 5,000 needs and 200 providers, plus 40 district-level
providers), ``district-13-x4`` and ``district-13-x16`` for scaling.
"""

from __future__ import annotations

from typing import Any

from hubmatch._hubmatch import District, synthetic_district

KNOBS = (
    "communities",
    "needs_per_community",
    "providers_per_community",
    "district_providers",
    "kind_mix",
    "edge_density",
    "reach",
    "cells_per_community",
)


def district(preset: str = "district-13", seed: int = 0, **knobs: Any) -> District:
    """Generates a district from a preset and a seed; keyword knobs override
    the preset (see ``KNOBS``), e.g. ``district("small", 3, communities=5)``.

    >>> d = district("small", seed=2, needs_per_community=10)
    >>> d.need_count
    30
    """
    unknown = set(knobs) - set(KNOBS)
    if unknown:
        raise TypeError(f"unknown knob(s) {sorted(unknown)}; expected some of {KNOBS}")
    return synthetic_district(preset, seed, knobs or None)
