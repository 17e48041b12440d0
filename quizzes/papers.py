"""Papers, grading and prize draws as pure functions: no ORM, no clock, no global randomness.

A paper is a pure function of a seed and the pool: ``draw_paper(seed, pool, rules)`` sorts
each rule's candidates by id, samples them with ``random.Random(seed)``, shuffles the whole
paper and, for choice questions, the options. The seed is stored on the attempt, so anyone
with the pool as it was can replay the paper; the attempt also stores the drawn ids and option
orders, so grading never depends on the pool staying the same.

Answers are kept in the question's own letters (``"B"``, ``"ACD"``) whatever order the options
were shown in: the phone sends the *displayed* letters, ``to_original`` maps them back through
the attempt's option order. A leaked "the answer is B" is therefore worth nothing on another
phone. Mersenne Twister is for replayable fairness, not secrecy: the seed comes from
``secrets`` and is never shown to the participant before submit.
"""

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LETTERS = "ABCDEF"
TRUE_FALSE_OPTIONS = ["正确", "错误"]
FILL_SEPARATORS = re.compile(r"\s*[|｜]\s*")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class PoolQuestion:
    id: int
    kind: str  # single, multiple, true_false, fill
    category: str
    difficulty: int
    option_count: int
    points: int = 0


@dataclass(frozen=True)
class Paper:
    question_ids: list[int]
    option_orders: list[list[int]]  # per position: original option indexes in display order


class NotEnoughQuestions(Exception):
    def __init__(self, rule: dict, available: int):
        super().__init__(f"rule {rule} needs {rule.get('count')} questions, the pool has {available}")
        self.rule = rule
        self.available = available


def _matches(question: PoolQuestion, rule: dict) -> bool:
    category = rule.get("category") or ""
    difficulty = rule.get("difficulty")
    return (not category or question.category == category) and (not difficulty or question.difficulty == difficulty)


def draw_paper(seed: int, pool: Iterable[PoolQuestion], rules: Sequence[dict]) -> Paper:
    """The paper for ``seed``: rules drawn in order, never one question twice, then all shuffled."""
    rng = random.Random(seed)  # noqa: S311 - replayable fairness, not secrecy (see module docstring)
    remaining = sorted(pool, key=lambda question: question.id)
    chosen: list[PoolQuestion] = []
    for rule in rules:
        count = int(rule.get("count", 0))
        candidates = [question for question in remaining if _matches(question, rule)]
        if len(candidates) < count:
            raise NotEnoughQuestions(rule, len(candidates))
        picked = rng.sample(candidates, count)
        chosen += picked
        taken = {question.id for question in picked}
        remaining = [question for question in remaining if question.id not in taken]
    rng.shuffle(chosen)
    orders = []
    for question in chosen:
        order = list(range(question.option_count))
        if question.kind in ("single", "multiple"):
            rng.shuffle(order)
        orders.append(order)
    return Paper([question.id for question in chosen], orders)


def to_original(kind: str, displayed: str, order: Sequence[int]) -> str:
    """The answer in the question's own letters, from the letters (or text) the phone showed and sent."""
    if kind == "fill":
        return _SPACES.sub(" ", displayed).strip()[:200]
    letters = set()
    for letter in displayed.upper():
        position = LETTERS.find(letter)
        if position < 0 or position >= len(order):
            raise ValueError(letter)
        letters.add(LETTERS[order[position]])
    if kind != "multiple" and len(letters) > 1:
        raise ValueError(displayed)
    return "".join(sorted(letters))


def to_displayed(kind: str, original: str, order: Sequence[int]) -> str:
    """The inverse of ``to_original``: what the phone shows as selected when it resumes."""
    if kind == "fill":
        return original
    return "".join(sorted(LETTERS[order.index(LETTERS.index(letter))] for letter in original))


def normalise_fill(text: str) -> str:
    return _SPACES.sub("", text).casefold()


def is_correct(kind: str, key: str, given: str | None) -> bool:
    """Whether ``given`` (original letters or text) earns the question's points: all or nothing."""
    if not given:
        return False
    if kind == "fill":
        return normalise_fill(given) in {normalise_fill(accepted) for accepted in FILL_SEPARATORS.split(key)}
    return "".join(sorted(given)) == "".join(sorted(key))


def draw_winners(seed: str, candidate_ids: Iterable[int], count: int) -> list[int]:
    """A prize draw: ``count`` of the candidates (sorted ascending first), in drawn order."""
    order = sorted(set(candidate_ids))
    rng = random.Random(seed)  # noqa: S311 - replayable fairness, not secrecy
    return rng.sample(order, min(count, len(order)))
