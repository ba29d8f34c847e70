"""Type stubs of the native module ``hubmatch._hubmatch``."""

import os
from typing import Any, final

__version__: str

__all__ = [
    "CertificateError",
    "District",
    "FormatError",
    "HubmatchError",
    "HubmatchIOError",
    "InfeasibleError",
    "InternalError",
    "InvalidInputError",
    "MatchResult",
    "NumericRangeError",
    "ParseError",
    "match_district",
    "read_csv_dir",
    "read_json",
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
    """The input could not be parsed (malformed JSON or CSV)."""

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
class District:
    """A district: communities, service categories, providers, needs and policy."""

    @staticmethod
    def from_json(text: str) -> District:
        """Parses a district document (JSON text); raises on malformed input."""
    def to_json(self) -> str:
        """The district as a JSON document."""
    def validate(self) -> None:
        """Checks every rule; raises ``InvalidInputError`` naming the record and field."""
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
    """The optimal allocation of a district in one mode."""

    @property
    def objective(self) -> float:
        """Objective in points: total weight served minus unserved penalties."""
    @property
    def objective_exact(self) -> int:
        """Objective in exact integer thousandths of a point."""
    @property
    def mode(self) -> str:
        """``"pooled"`` or ``"per_community"``."""
    def summary_json(self) -> str:
        """The summary as a JSON document."""
    def assignment_rows(self) -> list[tuple[str, str, str, str, str, int, float, bool]]:
        """Units served, as rows."""
    def unmet_rows(self) -> list[tuple[str, str, str, int, str]]:
        """Unserved units, as rows (need, community, category, units, reason)."""

def read_json(path: str | os.PathLike[str]) -> District:
    """Reads a district document from a JSON file."""

def read_csv_dir(path: str | os.PathLike[str]) -> District:
    """Reads a district from a folder of CSV tables."""

def synthetic_district(preset: str = "district-13", seed: int = 0) -> District:
    """Generates a synthetic district from a preset and a seed."""

def match_district(district: District, mode: str = "pooled", aggregate: bool = True) -> MatchResult:
    """Matches a district optimally: ``mode`` is "pooled" or "per_community"."""
