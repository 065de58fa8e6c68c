"""A city-scale return-to-work data set (复工复产) that reproduces the seed's figures: 332 enterprises resumed,
90 % of the above-scale ones (332 of 369), and 64,221 workers with green codes, 64.7 % of the 99,260 due back.

The figures are not written down: they come out of the platform's own rules. Every enterprise is an
``Enterprise`` record, every resumed enterprise's roster is a list of shown colours turned into its stored
roll-up by ``rules.roll_up`` (as the roster refresh does), and ``rules.statistics`` adds them up as
``GET /enterprises/statistics`` does. Rosters are drawn from a seeded generator, so a run is reproducible.

    python -m infra.lake.return_to_work            # prints the statistics of the data set
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass

from infra.lake.generate import COUNTY_SHARES
from sanmenxia.enterprises.rules import Enterprise, Industry, ResumptionStatus, RosterColour, roll_up, statistics

ABOVE_SCALE = 369  # 规模以上企业
RESUMED = 332  # of them, approved to resume (90 %)
PENDING = 21  # applied, awaiting a decision
SMALL = 120  # enterprises below the scale, none resumed yet in the seed's count
DUE_BACK = 99_260  # employees on the resumed enterprises' rosters
GREEN = 64_221  # of them, with a green code today (64.7 %)
YELLOW = 21_930
RED = 2_815  # the rest have no code yet (not registered or not applied)


@dataclass(frozen=True)
class DataSet:
    enterprises: list[Enterprise]
    rosters: dict[str, list[RosterColour]]  # enterprise id → the shown colour of each employee

    def roll_ups(self, at: str) -> dict[str, dict[str, object]]:
        """Each resumed enterprise's stored roll-up, as the roster refresh writes it."""
        return {enterprise_id: roll_up(colours, at) for enterprise_id, colours in self.rosters.items()}

    def statistics(self, at: str) -> dict[str, object]:
        return statistics(self.enterprises, self.roll_ups(at))


def _sizes(rng: random.Random, count: int, total: int) -> list[int]:
    """``count`` roster sizes summing to ``total``, skewed as enterprises are (a few large, many small)."""
    weights = [rng.paretovariate(1.6) for _ in range(count)]
    scale = total / sum(weights)
    sizes = [max(5, round(weight * scale)) for weight in weights]
    sizes[sizes.index(max(sizes))] += total - sum(sizes)  # the largest absorbs the rounding
    return sizes


def city_data_set(seed: int = 2020, created_at: str = "2020-02-03T02:00:00Z") -> DataSet:
    rng = random.Random(seed)
    counties = list(COUNTY_SHARES)
    shares = list(COUNTY_SHARES.values())
    industries = list(Industry)
    enterprises: list[Enterprise] = []
    for index in range(ABOVE_SCALE + SMALL):
        above = index < ABOVE_SCALE
        if above and index < RESUMED:
            status, resumed_on = ResumptionStatus.APPROVED, "2020-02-10"
        elif above and index < RESUMED + PENDING:
            status, resumed_on = ResumptionStatus.PENDING, None
        else:
            status, resumed_on = ResumptionStatus.NOT_APPLIED, None
        county = rng.choices(counties, shares)[0]
        industry = rng.choice(industries)
        name = f"三门峡{county[-2:]}{industry.value[:3]}企业{index:04d}"
        enterprises.append(Enterprise(f"ent-city-{index:04d}", name, county, industry, above, status, resumed_on, created_at))
    resumed = [enterprise for enterprise in enterprises if enterprise.resumed]
    colours = [RosterColour.GREEN] * GREEN + [RosterColour.YELLOW] * YELLOW + [RosterColour.RED] * RED
    colours += [RosterColour.NO_CODE] * (DUE_BACK - len(colours))
    rng.shuffle(colours)
    rosters: dict[str, list[RosterColour]] = {}
    start = 0
    for enterprise, size in zip(resumed, _sizes(rng, len(resumed), DUE_BACK), strict=True):
        rosters[enterprise.enterprise_id] = colours[start : start + size]
        start += size
    return DataSet(enterprises, rosters)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args(argv)
    print(json.dumps(city_data_set(args.seed).statistics("2020-02-25T02:00:00Z"), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
