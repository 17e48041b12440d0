"""The review sample (复核) drawn by lot, as a pure function: no ORM, no clock, no global randomness.

DOMAIN.md: the top 10 are reviewed in full, and at least 15% of the rest by random
sample (rounded up); an error rate above 5% triggers a full review. The sample is drawn
like the draws of ``competitions.draws``: the rest's entry ids are sorted ascending and
shuffled with ``random.Random(seed)``; the first ``ceil(15% × rest)`` are taken. The
seed (``secrets.token_hex(16)`` at draw time) and the ranking the draw started from are
recorded in the audit, so anyone can replay the draw and get the same sample.
Fairness and auditability, not secrecy.
"""

import math
import random
from collections.abc import Sequence
from decimal import Decimal

TOP = 10
SAMPLE_SHARE = Decimal("0.15")
FULL_REVIEW_ERROR_RATE = Decimal("0.05")


def sample_size(rest: int, share: Decimal = SAMPLE_SHARE) -> int:
    """At least ``share`` of ``rest`` entries, rounded up (15% of 31 is 4.65 → 5)."""
    return math.ceil(Decimal(rest) * share)


def review_sample(seed: str, ranked_ids: Sequence[int], *, top: int = TOP, share: Decimal = SAMPLE_SHARE):
    """``(top_ids, sampled_ids)``: the first ``top`` of ``ranked_ids`` (best first), and the drawn rest."""
    ranked = [int(entry_id) for entry_id in ranked_ids]
    if len(set(ranked)) != len(ranked):
        raise ValueError("entry ids must be unique")
    head, rest = ranked[:top], sorted(ranked[top:])
    random.Random(seed).shuffle(rest)  # noqa: S311 - replayable fairness, not secrecy (see module docstring)
    return head, sorted(rest[: sample_size(len(rest), share)])


def needs_full_review(*, reviewed: int, corrected: int, rate: Decimal = FULL_REVIEW_ERROR_RATE) -> bool:
    """More than ``rate`` of the reviewed entries had errors (1 of 20 is 5%: not more)."""
    return reviewed > 0 and Decimal(corrected) > rate * reviewed
