from __future__ import annotations

import pytest

from hub.identity import NormalName, key_similarity, name_similarity, normalise_name


def _name(text: str) -> NormalName:
    name = normalise_name(text)
    assert name is not None
    return name


def test_spellings_of_one_person_score_fully() -> None:
    result = name_similarity(
        _name("Abdullayev Akmal Baxtiyor o‘g‘li"), _name("Абдуллаев Акмал Бахтиёрович")
    )
    assert (result.surname, result.given, result.patronymic, result.score) == (1.0, 1.0, 1.0, 1.0)
    assert result.initials_compatible


def test_brothers_differ_by_given_name_only() -> None:
    result = name_similarity(
        _name("Abdullayev Akmal Baxtiyor o‘g‘li"), _name("Abdullayev Jasur Baxtiyor o‘g‘li")
    )
    assert result.surname == result.patronymic == 1.0
    assert result.given is not None
    assert result.given < 0.6
    assert not result.initials_compatible
    assert 0.5 < result.score < 0.9


def test_initials_agreeing_with_full_names_count_as_a_match() -> None:
    result = name_similarity(_name("ABDULLAEV A.B."), _name("Abdullayev Akmal Baxtiyor o‘g‘li"))
    assert (result.given, result.patronymic, result.score) == (1.0, 1.0, 1.0)
    assert result.initials_compatible


def test_initials_disagreeing_with_full_names_count_against() -> None:
    result = name_similarity(_name("ABDULLAEV J.B."), _name("Abdullayev Akmal Baxtiyor o‘g‘li"))
    assert result.given == 0.0
    assert not result.initials_compatible


def test_unknown_parts_are_left_out_of_the_score() -> None:
    result = name_similarity(_name("ABDULLAEV AKMAL"), _name("Abdullayev Akmal Baxtiyor o‘g‘li"))
    assert result.patronymic is None
    assert result.score == 1.0


def test_typo_in_surname_scores_high_but_below_one() -> None:
    result = name_similarity(_name("Abdullayev Akmal"), _name("Abdulayeb Akmal"))
    assert 0.85 < result.surname < 1.0


def test_question_marks_do_not_count_as_differences() -> None:
    result = name_similarity(_name("?одиров Ўткир"), _name("Qodirov O‘tkir"))
    assert result.surname == 1.0


def test_similarity_is_symmetric() -> None:
    a, b = _name("Karimova Zuhra A."), _name("Karimov Zuhriddin Anvar o'g'li")
    forward, backward = name_similarity(a, b), name_similarity(b, a)
    assert forward == backward


@pytest.mark.parametrize(("a", "b", "expected"), [("", "", 1.0), ("abc", "", 0.0)])
def test_key_similarity_of_empty_keys(a: str, b: str, expected: float) -> None:
    assert key_similarity(a, b) == expected
