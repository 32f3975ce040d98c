"""The projection's model (docs/forecast.md): how long a place stays in a status, and where it goes next.

A place of a type moves between statuses; `closed` is final. How long it stays in open, filled or paused
(its sojourn) has a distribution observed in the municipality's own history, and so has where it goes
when it leaves (the shares of each next status). From these, for every whole number of days m ahead:

- `Sojourn`: survival S(k) = P(still in the status k days after entering it), fitted by Kaplan-Meier from
  the sojourns that ended (exits) and those still going (censored), and the shares of the next statuses
  among the changes from it;
- `Outlook`: for a place that has just entered a status, the expected reward over the next m days: the
  chance of being in a counted status on day m (stock types), or the expected number of entries into
  `filled` by day m (flow types: starts);
- `Outlook.place`: the same for a place that has already spent `age` days in its status (conditioned on
  having stayed that long), and `Outlook.arrivals` for places opened at a daily rate over the next days.

Pure arithmetic on lists of floats, no database: quota_app.forecast.history fits it, projection uses it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from operator import mul

MOVING = ("open", "filled", "paused")  # the statuses a place leaves; closed is final
FINAL = "closed"


@dataclass(frozen=True)
class Sojourn:
    """How long places stay in one status, and where they go next.

    survival[k] = P(stays more than k days), survival[0] = 1; after the last day observed it stays
    unchanged (nobody seen leaving later: nobody expected to). next_status: status -> share of the exits.
    """

    survival: tuple[float, ...]
    next_status: Mapping[str, float]

    def stays(self, k: int) -> float:
        return self.survival[min(k, len(self.survival) - 1)]

    @cached_property
    def _leaving(self) -> list[float]:
        s = self.survival
        return [0.0, *(s[k - 1] - s[k] for k in range(1, len(s)))]

    def leaves_on(self, first: int, last: int) -> list[float]:
        """P(leaves on day k after entering) for k = first..last (k >= 1), without the zeros after the last
        day anyone was seen leaving (zip or map with it stops there)."""
        return self._leaving[first : last + 1]


STAYS_FOREVER = Sojourn(survival=(1.0,), next_status={})


def fit_sojourn(durations: Iterable[tuple[int, bool, int]], next_status: Mapping[str, int]) -> Sojourn:
    """Fit a Sojourn by Kaplan-Meier from (days, ended, number of places) and the changes to each next
    status (status -> number).

    A sojourn that ended after k days was at risk on days 1..k and left on day k; one still going after c
    days was at risk on days 1..c. The hazard of day k is those leaving on k / those at risk on k.
    """
    leaving: dict[int, int] = {}
    going: dict[int, int] = {}
    for days, ended, n in durations:
        if not ended:
            going[days] = going.get(days, 0) + n
        elif days >= 1:
            leaving[days] = leaving.get(days, 0) + n
    changes = sum(next_status.values())
    if not leaving or not changes:
        return STAYS_FOREVER
    last = max(leaving)
    at_risk = sum(leaving.values()) + sum(n for c, n in going.items() if c >= 1)
    survival, s = [1.0], 1.0
    for k in range(1, last + 1):
        if at_risk > 0:
            s *= 1.0 - leaving.get(k, 0) / at_risk
        survival.append(s)
        at_risk -= leaving.get(k, 0) + going.get(k, 0)  # no longer at risk from day k + 1
    shares = {d: n / changes for d, n in sorted(next_status.items()) if n}
    return Sojourn(survival=tuple(survival), next_status=shares)


@dataclass(frozen=True)
class Outlook:
    """Expected rewards m = 0..horizon days after entering each status, for one type.

    stay: the statuses counted on the day (stock types: the rule's counted statuses); entry: the statuses
    whose every entry counts (flow types: filled, a start). fresh[status][m] is the expected reward of a
    place that entered status m days before the day looked at.
    """

    sojourns: Mapping[str, Sojourn]
    stay: frozenset[str]
    entry: frozenset[str]
    fresh: Mapping[str, list[float]]
    after_exit: Mapping[str, list[float]]  # [m]: expected reward of leaving a status with m days to go
    _places: dict[tuple[str, int, int], float] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls, sojourns: Mapping[str, Sojourn], *, stay: Iterable[str], entry: Iterable[str], horizon: int
    ) -> Outlook:
        stay, entry = frozenset(stay), frozenset(entry)
        moving = {s: sojourns.get(s, STAYS_FOREVER) for s in MOVING}
        leaves = {s: [0.0, *moving[s].leaves_on(1, horizon)] for s in MOVING}
        fresh: dict[str, list[float]] = {FINAL: [1.0 if FINAL in stay else 0.0] * (horizon + 1)}
        fresh.update({s: [] for s in MOVING})
        after: dict[str, list[float]] = {s: [] for s in MOVING}
        for m in range(horizon + 1):
            for s in MOVING:
                # Leaving on day k (1..m), then the reward of a fresh status with m - k days to go.
                moved = sum(map(mul, leaves[s][1 : m + 1], reversed(after[s][:m]))) if m else 0.0
                kept = moving[s].stays(m) if s in stay else 0.0
                fresh[s].append(kept + moved)
            for s in MOVING:
                after[s].append(
                    sum(
                        share * ((1.0 if d in entry else 0.0) + fresh[d][m])
                        for d, share in moving[s].next_status.items()
                    )
                )
        return cls(sojourns=moving, stay=stay, entry=entry, fresh=fresh, after_exit=after)

    def place(self, status: str, age: int, days: int) -> float:
        """The expected reward days ahead of a place that has been in status for age days."""
        key = (status, age, days)
        if key not in self._places:
            self._places[key] = self._place(status, age, days)
        return self._places[key]

    def _place(self, status: str, age: int, days: int) -> float:
        if status == FINAL or status not in self.sojourns:
            return 1.0 if status in self.stay else 0.0
        sojourn, after = self.sojourns[status], self.after_exit[status]
        kept = 1.0 if status in self.stay else 0.0
        if days == 0:
            return kept
        stayed = sojourn.stays(age)
        if stayed <= 0.0:
            # Longer than anyone of this type ever stayed: it leaves tomorrow.
            return after[days - 1]
        leaving = sojourn.leaves_on(age + 1, age + days)
        moved: float = sum(map(mul, leaving, reversed(after[:days])))
        return (kept * sojourn.stays(age + days) + moved) / stayed

    def arrivals(self, status: str, days: int) -> float:
        """The expected reward days ahead per place arriving in status on each of the next days (one a day):
        the sum over arrival days t = 1..days of the reward of a fresh place with days - t to go."""
        first = 1.0 if status in self.entry else 0.0
        return sum(first + self.fresh[status][days - t] for t in range(1, days + 1))
