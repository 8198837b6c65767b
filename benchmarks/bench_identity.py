"""Benchmark hub.identity: normalising names and validating PINFLs at region scale.

    uv run python benchmarks/bench_identity.py [--n 1000000] [--seed 20220101]

Builds N names in every agency's form (survey Latin with varied apostrophes and case, tax
upper ASCII, employment Cyrillic with Uzbek or Russian patronymics, Windows-1251 losses and
'?', land and bank initials), drawn Zipf-like from the sandbox's name stock so that they
repeat as in a real region, and N PINFLs (mostly valid; typos, blanks, spaces and junk).
Then times: names through ``parse_name`` cold and warm, PINFLs through the scalar parser,
the list path and the polars expression; and measures accuracy: the share of names whose
parts agree with the true name they were generated from. Prints a table of operation, n,
wall and CPU seconds (CPU shows the code's own cost on a shared machine), rate, and the
process's peak RSS after the step.
"""

from __future__ import annotations

import argparse
import logging
import random
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from hub.identity import (
    InvalidPinfl,
    clear_name_caches,
    keys_match,
    normalise_name,
    parse_name,
    parse_pinfl,
    validate_pinfl_series,
    validate_pinfls,
)
from sandbox.generate import name_forms
from sandbox.generate.name_forms import TrueName
from sandbox.generate.name_lists import FEMALE_GIVEN, MALE_GIVEN, SURNAMES
from sandbox.generate.pinfl import make_pinfls
from sandbox.generate.settings import NoiseSettings

logger = logging.getLogger("bench_identity")

TARGET_SECONDS = 10.0


@dataclass
class Step:
    operation: str
    n: int
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    note: str = ""


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _zipf_weights(count: int) -> list[float]:
    return [1.0 / rank**0.8 for rank in range(1, count + 1)]


def build_names(n: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """N names as the agencies deliver them, in a realistic mix of sources and forms, and
    the official spelling of each one's true name."""
    noise = NoiseSettings()
    surnames = rng.choices(range(len(SURNAMES)), _zipf_weights(len(SURNAMES)), k=n)
    males = rng.choices(range(len(MALE_GIVEN)), _zipf_weights(len(MALE_GIVEN)), k=2 * n)
    females = rng.choices(range(len(FEMALE_GIVEN)), _zipf_weights(len(FEMALE_GIVEN)), k=n)
    names: list[str] = []
    truths: list[str] = []
    for i in range(n):
        female = rng.random() < 0.5
        surname, surname_cyr = SURNAMES[surnames[i]]
        given, given_cyr = FEMALE_GIVEN[females[i]] if female else MALE_GIVEN[males[i]]
        father, father_cyr = MALE_GIVEN[males[n + i]]
        if female:
            surname, surname_cyr = surname + "a", surname_cyr + "а"
        true = TrueName(surname, given, father, surname_cyr, given_cyr, father_cyr, female)
        names.append(_agency_form(true, rng, noise))
        truths.append(true.official)
    return names, truths


def _agency_form(true: TrueName, rng: random.Random, noise: NoiseSettings) -> str:
    draw = rng.random()
    if draw < 0.30:
        return name_forms.survey_name(true, rng, noise)
    if draw < 0.50:
        return name_forms.tax_name(true, rng, noise)
    if draw < 0.75:
        text = name_forms.employment_name(true, rng, noise)
        lossy = rng.random()
        if lossy < 0.5:
            return name_forms.to_windows_1251(text, old_export=lossy < 0.1)
        return text
    if draw < 0.85:
        return name_forms.land_name(true, rng)
    if draw < 0.95:
        return name_forms.bank_name(true, rng)
    return name_forms.appeal_name(true, rng, noise)


def build_pinfls(n: int, seed: int) -> list[str | None]:
    """N PINFL fields: ~94% valid, ~3% typos, 2% blank, 0.5% spaced, 0.5% junk."""
    np_rng = np.random.default_rng(seed)
    days = np_rng.integers(0, 365 * 90, n)
    birth_on = np.datetime64("1935-01-01") + days.astype("timedelta64[D]")
    valid = make_pinfls(birth_on, np_rng.random(n) < 0.5, np_rng).astype(str).tolist()
    rng = random.Random(seed)
    values: list[str | None] = []
    for pinfl in valid:
        draw = rng.random()
        if draw < 0.01:
            at = rng.randrange(13)
            values.append(pinfl[:at] + pinfl[at + 1] + pinfl[at] + pinfl[at + 2 :])
        elif draw < 0.02:
            at = rng.randrange(14)
            values.append(pinfl[:at] + str((int(pinfl[at]) + 1) % 10) + pinfl[at + 1 :])
        elif draw < 0.03:
            values.append(pinfl[:-1])
        elif draw < 0.05:
            values.append(rng.choice((None, "")))
        elif draw < 0.055:
            values.append(f" {pinfl[:4]} {pinfl[4:]} ")
        elif draw < 0.06:
            values.append(rng.choice(("нет", "-", "0", pinfl + "0", "3121O932040247")))
        else:
            values.append(pinfl)
    return values


def _timed(operation: str, n: int, run: Callable[[], str]) -> Step:
    started, cpu_started = time.perf_counter(), time.process_time()
    note = run()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    step = Step(operation, n, seconds, cpu, _peak_rss_mb(), note)
    logger.info("%s: %.2f s (%.2f s CPU)", operation, seconds, cpu)
    return step


def _parse_names(names: Sequence[str]) -> str:
    results = [parse_name(name) for name in names]
    unread = sum(1 for r in results if r.name is None)
    return f"{unread:,} unreadable"


def agreement(names: Sequence[str], truths: Sequence[str]) -> float:
    """Share of names whose parts agree with their true name's: surname, sex hint, and given
    name and patronymic as far as the form tells them (a full part, or its initial)."""
    agreeing = 0
    for name, truth in zip(names, truths, strict=True):
        got, want = normalise_name(name), normalise_name(truth)
        if got is None or want is None:
            continue
        parts_agree = all(
            not part or keys_match(part, full if len(part) > 1 else full[:1])
            for part, full in (
                (got.given_key, want.given_key),
                (got.patronymic_key, want.patronymic_key),
            )
        )
        if parts_agree and got.sex_hint == want.sex_hint:
            agreeing += keys_match(got.surname_key, want.surname_key)
    return agreeing / len(names) if names else 1.0


def _parse_pinfls(values: Sequence[str | None]) -> str:
    invalid = sum(1 for v in values if isinstance(parse_pinfl(v), InvalidPinfl))
    return f"{invalid:,} invalid"


def _list_pinfls(values: Sequence[str | None]) -> str:
    issues = Counter(issue for issue in validate_pinfls(values) if issue is not None)
    return ", ".join(f"{issue.value} {count:,}" for issue, count in issues.most_common())


def _series_pinfls(series: pl.Series) -> str:
    invalid = validate_pinfl_series(series).drop_nulls().len()
    return f"{invalid:,} invalid"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20220101)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    started = time.perf_counter()
    names, truths = build_names(args.n, random.Random(args.seed))
    pinfls = build_pinfls(args.n, args.seed)
    series = pl.Series("pinfl", pinfls, dtype=pl.String)
    built = time.perf_counter() - started
    logger.info("built %s names and %s PINFLs in %.1f s", f"{args.n:,}", f"{args.n:,}", built)

    clear_name_caches()
    steps = [
        _timed("parse_name (cold caches)", args.n, lambda: _parse_names(names)),
        _timed("parse_name (warm caches)", args.n, lambda: _parse_names(names)),
        _timed("parse_pinfl (scalar)", args.n, lambda: _parse_pinfls(pinfls)),
        _timed("validate_pinfls (list)", args.n, lambda: _list_pinfls(pinfls)),
        _timed("validate_pinfl_series (polars)", args.n, lambda: _series_pinfls(series)),
    ]
    _print(steps, distinct_names=len(set(names)), agreeing=agreement(names, truths))


def _print(steps: list[Step], *, distinct_names: int, agreeing: float) -> None:
    lines = [
        f"{'operation':<32} {'n':>10} {'seconds':>8} {'CPU s':>7} {'per second':>12}"
        f" {'peak RSS MB':>12}  {'<10 s':<5}  note"
    ]
    for s in steps:
        rate = s.n / s.seconds if s.seconds else float("inf")
        ok = "yes" if s.seconds < TARGET_SECONDS else "NO"
        lines.append(
            f"{s.operation:<32} {s.n:>10,} {s.seconds:>8.2f} {s.cpu_seconds:>7.2f} {rate:>12,.0f}"
            f" {s.peak_rss_mb:>12,.0f}  {ok:<5}  {s.note}"
        )
    lines.append(f"distinct name strings: {distinct_names:,}")
    lines.append(f"names whose parts agree with the true name: {agreeing:.4%}")
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
