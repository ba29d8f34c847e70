"""hubmatch: exact resource matching for community service hubs.

A street (district) pools what government, market, social-organization and
volunteer providers offer and matches it to residents' needs across its
communities. ``hubmatch`` computes the optimal allocation exactly, per
community or pooled across the district (the hub), and explains it.

>>> import hubmatch as hm
>>> d = hm.synthetic_district("small", seed=1)
>>> hm.match_district(d, "pooled").objective >= hm.match_district(d, "per_community").objective
True
"""

from hubmatch._hubmatch import (
    CertificateError,
    District,
    FormatError,
    HubmatchError,
    HubmatchIOError,
    InfeasibleError,
    InternalError,
    InvalidInputError,
    MatchResult,
    NumericRangeError,
    ParseError,
    __version__,
    match_district,
    read_csv_dir,
    read_json,
    synthetic_district,
)

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
    "__version__",
    "match_district",
    "read_csv_dir",
    "read_json",
    "synthetic_district",
]
