"""Name keys with letters lost to ``?`` read as the frame's own complete keys."""

from __future__ import annotations

import polars as pl

from hub.identity.linkage.lost_letters import fill_lost_letters


def _filled(keys: list[str | None]) -> list[str | None]:
    frame = pl.DataFrame({"surname_key": keys}, schema={"surname_key": pl.String})
    return fill_lost_letters(frame, ["surname_key"])["surname_key"].to_list()


def test_a_lost_letter_becomes_the_frames_commonest_reading() -> None:
    # "ra?im" can be rauim, rakim, ragim or rahim; rahim is the one the frame holds most.
    assert _filled(["ra?im", "rahim", "rahim", "rakim", None]) == [
        "rahim",
        "rahim",
        "rahim",
        "rakim",
        None,
    ]


def test_a_tie_is_broken_alphabetically_so_every_run_reads_it_alike() -> None:
    assert _filled(["ra?im", "rakim", "rahim"])[0] == "rahim"


def test_a_key_no_complete_name_can_explain_stays_as_it_was() -> None:
    # "?" never stands for "z": no expansion of "ra?im" is "razim".
    assert _filled(["ra?im", "razim"]) == ["ra?im", "razim"]


def test_a_key_with_too_many_lost_letters_is_not_guessed() -> None:
    lost = "?a?a?a?a?a?a?a"  # seven unknowns: more than keys_match expands
    assert _filled([lost, "hahahahahahaha"])[0] == lost


def test_a_frame_without_lost_letters_is_returned_unchanged() -> None:
    frame = pl.DataFrame({"surname_key": ["karim", None]})
    assert fill_lost_letters(frame, ["surname_key"]).equals(frame)
