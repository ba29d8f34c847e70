"""Type stubs of the native module ``hubmatch._hubmatch``."""

import os
from typing import Any, final

import numpy as np

__version__: str

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
    "apply_scenario",
    "coverage",
    "diff",
    "explain",
    "hub_value",
    "match",
    "price_of_fairness",
    "read_csv_dir",
    "read_json",
    "shadow_prices",
    "smallest_increase",
    "solve_bipartite",
    "sweep_scenarios",
    "synthetic_district",
    "__version__",
]

class HubmatchError(Exception):
    """Base class of every error hubmatch raises."""

class InvalidInputError(HubmatchError):
    """The input breaks a rule; ``kind``, ``record`` and ``field`` say where."""

    kind: str
    record: str
    field: str
    problem: str

class ParseError(HubmatchError):
    """The input could not be parsed (malformed JSON or CSV, a wrong column type)."""

class FormatError(HubmatchError):
    """The document declares a format this version does not read."""

class HubmatchIOError(HubmatchError):
    """Reading or writing a file failed."""

class NumericRangeError(HubmatchError):
    """The numbers are too large to compute exactly in 64-bit integers."""

class InfeasibleError(HubmatchError):
    """A flow network has no feasible flow."""

class CertificateError(HubmatchError):
    """A solution failed its optimality certificate (a bug: please report it)."""

class InternalError(HubmatchError):
    """A bug inside hubmatch (a Rust panic), caught."""

@final
class Policy:
    """How the hub weighs one unit of service."""

    def __new__(
        cls,
        *,
        category_values: dict[str, float] | None = None,
        priority_multipliers: tuple[float, float, float, float, float] | list[float] | None = None,
        vulnerability_multipliers: dict[str, float] | None = None,
        cost_weight: float | None = None,
        travel_penalty: float | None = None,
        cross_community_penalty: float | None = None,
        allowed_kinds: dict[str, list[str]] | None = None,
        unserved_penalty: float | None = None,
        coverage_floor: float | None = None,
        community_floors: dict[str, float] | None = None,
        category_floors: dict[str, float] | None = None,
        sector_bounds: list[dict[str, Any]] | None = None,
    ) -> Policy: ...
    @staticmethod
    def from_json(text: str) -> Policy:
        """Parses a policy from JSON text."""
    def to_json(self) -> str:
        """The policy as JSON text."""
    @property
    def category_values(self) -> dict[str, float]:
        """Overrides of category values (points per unit)."""
    @property
    def priority_multipliers(self) -> list[float]:
        """Multipliers for priority 1 to 5."""
    @property
    def vulnerability_multipliers(self) -> dict[str, float]:
        """Multiplier per vulnerability tag."""
    @property
    def cost_weight(self) -> float:
        """Points per unit of money of the hub's unit cost."""
    @property
    def travel_penalty(self) -> float:
        """Points per unit of grid distance."""
    @property
    def cross_community_penalty(self) -> float:
        """Points per unit served across communities (pooled mode)."""
    @property
    def allowed_kinds(self) -> dict[str, list[str]]:
        """Which provider kinds may serve a category (categories not listed: all)."""
    @property
    def unserved_penalty(self) -> float:
        """Points lost per unit left unserved."""
    @property
    def coverage_floor(self) -> float | None:
        """Minimum coverage of every community (0 to 1), if any."""
    @property
    def community_floors(self) -> dict[str, float]:
        """Minimum coverage by community id."""
    @property
    def category_floors(self) -> dict[str, float]:
        """Minimum coverage by "community/category"."""
    @property
    def sector_bounds(self) -> list[dict[str, Any]]:
        """Sector bounds, as dicts with the keys of ``SectorBound``."""
    def __eq__(self, value: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

@final
class District:
    """A district: communities, service categories, providers, needs and policy."""

    @staticmethod
    def from_json(text: str) -> District:
        """Parses a district document (JSON text); raises on malformed input."""
    @staticmethod
    def from_frames(
        needs: Any,
        providers: Any,
        offers: Any,
        communities: Any | None = None,
        policy: Policy | None = None,
        cells: Any | None = None,
        categories: Any | None = None,
        id: str = "district",
    ) -> District:
        """Builds a district from data frames (pandas, polars or pyarrow)."""
    def to_json(self) -> str:
        """The district as a JSON document."""
    def write_json(self, path: str | os.PathLike[str]) -> None:
        """Writes the district as a JSON document."""
    def write_csv_dir(self, path: str | os.PathLike[str]) -> None:
        """Writes the district as a folder of CSV tables."""
    def validate(self) -> None:
        """Checks every rule; raises ``InvalidInputError`` naming the record and field."""
    def graph_arrays(self, mode: str = "pooled") -> dict[str, Any]:
        """The networks ``mode`` solves as one bipartite problem of int64 arrays."""
    def with_policy(self, policy: Policy) -> District:
        """A copy of this district with another policy."""
    @property
    def policy(self) -> Policy:
        """The policy."""
    @property
    def id(self) -> str:
        """Identifier of the district."""
    @property
    def community_ids(self) -> list[str]:
        """Ids of the communities, in order."""
    @property
    def need_count(self) -> int:
        """Number of needs."""
    @property
    def provider_count(self) -> int:
        """Number of providers."""
    def __eq__(self, value: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

@final
class MatchResult:
    """The optimal allocation of a district in one mode, with its tables."""

    @property
    def objective(self) -> float:
        """Objective in points: total weight served minus unserved penalties."""
    @property
    def objective_exact(self) -> int:
        """Objective in exact integer thousandths of a point."""
    @property
    def mode(self) -> str:
        """``"pooled"`` or ``"per_community"``."""
    @property
    def solve_seconds(self) -> float | None:
        """Wall time of the core matching in Rust, in seconds (None once unpickled)."""
    @property
    def assignments(self) -> Any:
        """Units served, one row per need and provider (pandas DataFrame)."""
    @property
    def unmet(self) -> Any:
        """Units left unserved, with the reason (pandas DataFrame)."""
    @property
    def utilisation(self) -> Any:
        """Capacity, use and shadow price of each offer and shared capacity (pandas DataFrame)."""
    @property
    def summary(self) -> Any:
        """Served and unmet units by community (pandas DataFrame)."""
    @property
    def floors(self) -> Any:
        """The policy's coverage floors and how they are met (pandas DataFrame)."""
    @property
    def sectors(self) -> Any:
        """The policy's sector bounds and how they are met (pandas DataFrame)."""
    @property
    def upper_bound(self) -> float | None:
        """Under sector bounds, a proven upper bound on the optimal objective."""
    @property
    def served_units(self) -> int:
        """Units served in all (builds no table)."""
    @property
    def unmet_units(self) -> int:
        """Units left unserved in all (builds no table)."""
    @property
    def totals(self) -> dict[str, Any]:
        """Every total of the result: overall, by community, category and provider kind, by reason."""
    def summary_json(self) -> str:
        """The summary as JSON."""
    def frame(self, name: str, backend: str = "pandas") -> Any:
        """One result table as a data frame ("pandas", "pyarrow" or "polars")."""
    def verify(self, district: District) -> None:
        """Checks the optimality certificate against the district matched."""
    @staticmethod
    def _from_state(state: bytes) -> MatchResult:
        """Restores a pickled result."""
    def __eq__(self, value: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes]]: ...

@final
class BipartiteResult:
    """The optimum of a bipartite problem: objective, edge flows and duals."""

    @property
    def objective(self) -> int:
        """Total weight served minus unserved penalties."""
    @property
    def flow(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        """Units on each edge, in input order."""
    @property
    def unserved(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        """Units left unserved of each need."""
    @property
    def need_potential(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        """Dual of each need: the marginal value of one more unit of it."""
    @property
    def provider_potential(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        """Dual of each provider: the marginal value of one more unit of its capacity."""
    @property
    def solve_seconds(self) -> float:
        """Wall time of the solve in Rust, in seconds."""
    @property
    def classes(self) -> int:
        """Number of need classes solved."""
    @property
    def pivots(self) -> int:
        """Simplex pivots."""
    def verify(self) -> None:
        """Checks the optimality certificate."""

def read_json(path: str | os.PathLike[str]) -> District:
    """Reads a district document from a JSON file."""

def read_csv_dir(path: str | os.PathLike[str]) -> District:
    """Reads a district from a folder of CSV tables."""

def synthetic_district(preset: str = "district-13", seed: int = 0, knobs: dict[str, Any] | None = None) -> District:
    """Generates a synthetic district from a preset, a seed and knob overrides."""

def match(district: District, mode: str = "pooled", policy: Policy | None = None, aggregate: bool = True) -> MatchResult:
    """Matches a district optimally."""

def solve_bipartite(
    units: np.ndarray[Any, np.dtype[np.int64]],
    capacity: np.ndarray[Any, np.dtype[np.int64]],
    edge_need: np.ndarray[Any, np.dtype[np.int64]],
    edge_provider: np.ndarray[Any, np.dtype[np.int64]],
    edge_weight: np.ndarray[Any, np.dtype[np.int64]],
    unserved_penalty: int = 0,
    provider_group: np.ndarray[Any, np.dtype[np.int64]] | None = None,
    group_capacity: np.ndarray[Any, np.dtype[np.int64]] | None = None,
    aggregate: bool = True,
    verify: bool = True,
) -> BipartiteResult:
    """Solves a max-weight b-matching exactly on int64 arrays."""

@final
class HubValue:
    """What founding the hub is worth: the district matched per community and pooled."""

    @property
    def gain(self) -> float:
        """Objective gained by pooling, in points."""
    @property
    def alone(self) -> MatchResult:
        """The per-community (no hub) result."""
    @property
    def hub(self) -> MatchResult:
        """The pooled (hub) result."""
    @property
    def communities(self) -> Any:
        """By community: needed, served alone and with the hub, coverage, weight."""
    @property
    def categories(self) -> Any:
        """By service system: needed, served alone and with the hub, coverage, weight."""
    @property
    def moved(self) -> Any:
        """Capacity the hub moved across communities."""
    @property
    def equity(self) -> Any:
        """Equity of community coverage without and with the hub."""

def hub_value(district: District, policy: Policy | None = None) -> HubValue:
    """Matches the district per community and pooled and compares them."""

def shadow_prices(district: District, result: MatchResult) -> Any:
    """What one more unit of each offer and shared capacity is worth (pandas DataFrame)."""

def coverage(district: District, result: MatchResult) -> Any:
    """Coverage by community and service system (pandas DataFrame)."""

def sweep_scenarios(
    district: District, scenarios: list[str], mode: str = "pooled", progress: Any | None = None
) -> tuple[MatchResult, list[tuple[str, MatchResult]]]:
    """Solves the district and each scenario, warm-started from the base optimum."""

def apply_scenario(district: District, scenario: str) -> District:
    """The district with the scenario (JSON text) applied, not validated."""

@final
class ScenarioBase:
    """A district solved once in one mode and kept, to answer scenarios one at a time."""

    def __new__(cls, district: District, mode: str = "pooled") -> ScenarioBase: ...
    @property
    def base(self) -> MatchResult:
        """The base district's optimal allocation."""
    @property
    def district(self) -> District:
        """The base district."""
    def outcome(self, scenario: str) -> tuple[District, MatchResult]:
        """Applies the scenario (JSON text) and solves it warm; (changed district, result)."""
    def result(self, scenario: str) -> MatchResult:
        """Solves the scenario warm and returns its result alone (no changed district)."""

def diff(da: District, a: MatchResult, db: District, b: MatchResult) -> Any:
    """Who gained and who lost between two results (pandas DataFrame)."""

def explain(district: District, result: MatchResult) -> Any:
    """Why each unmet need was not served, in plain words (pandas DataFrame)."""

def smallest_increase(district: District, result: MatchResult, need: str) -> tuple[str, str, int] | None:
    """The least extra capacity at one eligible offer that would serve one more unit of the need."""

def price_of_fairness(
    district: District, mode: str = "pooled", policy: Policy | None = None
) -> tuple[float, MatchResult, MatchResult]:
    """What the policy's floors and sector bounds cost: (price, result with them, result without)."""
