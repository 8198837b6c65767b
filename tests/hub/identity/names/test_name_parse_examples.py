from __future__ import annotations

import pytest

from hub.identity import NameIssue, NormalName, clear_name_caches, normalise_name, parse_name
from hub.identity.names import parse as parse_module

# Every form of one person in domain/NAMES.md, with what it tells about them.
_FULL = ("abdullay", "akmal", "baxtiyor")
_NAMES_MD_FORMS: list[tuple[str, tuple[str, str | None, str | None], str]] = [
    ("Abdullayev Akmal Baxtiyor o‘g‘li", _FULL, "ab"),
    ("abdullaev akmal baxtiyor ogli", _FULL, "ab"),
    ("ABDULLAYEV AKMAL BAXTIYOR O'G'LI", _FULL, "ab"),
    ("ABDULLAEV AKMAL", ("abdullay", "akmal", None), "a"),
    ("Абдуллаев Акмал Бахтиёр ўғли", _FULL, "ab"),
    ("Абдуллаев Акмал Бахтиёрович", _FULL, "ab"),
    ("Абдуллаев Акмал Бахтиёр угли", _FULL, "ab"),
    ("Abdullayev A. B.", ("abdullay", None, None), "ab"),
    ("ABDULLAEV A.B.", ("abdullay", None, None), "ab"),
    ("ABDULLAEV A.B", ("abdullay", None, None), "ab"),
]


def _read(text: str) -> NormalName:
    name = normalise_name(text)
    assert name is not None, parse_name(text).message
    return name


@pytest.mark.parametrize(("text", "parts", "initials"), _NAMES_MD_FORMS)
def test_every_names_md_form_gives_the_same_parts(
    text: str, parts: tuple[str, str | None, str | None], initials: str
) -> None:
    name = _read(text)
    assert (name.surname, name.given, name.patronymic) == parts
    assert name.initials == initials
    assert name.sex_hint == "M"


def test_full_forms_share_one_key_and_one_display_spelling() -> None:
    full = [text for text, parts, _ in _NAMES_MD_FORMS if parts == _FULL]
    assert {_read(text).key for text in full} == {"abdulay|akmal|bahtiyur"}
    assert {_read(text).latin for text in full} == {"Abdullayev Akmal Baxtiyor oʻgʻli"}


def test_initials_forms_share_one_key_and_keep_only_initials() -> None:
    keys = {_read(t).key for t in ("Abdullayev A. B.", "ABDULLAEV A.B.", "АБДУЛЛАЕВ А.Б.")}
    assert keys == {"abdulay|a|b"}
    assert _read("ABDULLAEV A.B").latin == "Abdullayev A. B."


@pytest.mark.parametrize(
    "text",
    [
        "Abdullayeva Malika Baxtiyor qizi",
        "ABDULLAEVA MALIKA BAXTIYOR KIZI",
        "Абдуллаева Малика Бахтиёр қизи",
        "Абдуллаева Малика Бахтиёр кизи",
        "Абдуллаева Малика Бахтиёровна",
        "Абдуллаева Малика Бахтиеровна",  # Russian е for ё
    ],
)
def test_daughter_forms_fold_to_one_female_name(text: str) -> None:
    name = _read(text)
    assert (name.surname, name.given, name.key) == ("abdullay", "malika", "abdulay|malika|bahtiyur")
    assert name.sex_hint == "F"
    assert name.latin.endswith(" qizi")


def test_patronymic_of_a_father_whose_name_ends_in_a_vowel() -> None:
    assert _read("Karimova Zuhra Abdullayevna").patronymic == "abdulla"
    assert _read("Karimova Zuhra Abdulla qizi").patronymic == "abdulla"
    assert _read("Karimov Jasur Aliyevich").patronymic == "ali"


@pytest.mark.parametrize(
    "text",
    [
        "Akmal Abdullayev Baxtiyor o'g'li",
        "Akmal Baxtiyorovich Abdullayev",
        "AKMAL ABDULLAEV",
    ],
)
def test_given_name_first_is_detected_by_the_surname_ending(text: str) -> None:
    parsed = parse_name(text)
    assert parsed.name is not None
    assert (parsed.name.surname, parsed.name.given) == ("abdullay", "akmal")
    assert NameIssue.GIVEN_NAME_FIRST in parsed.notes


def test_three_plain_words_are_surname_given_patronymic() -> None:
    name = _read("Abdullayev Akmal Baxtiyor")
    assert (name.given, name.patronymic, name.sex_hint) == ("akmal", "baxtiyor", "M")
    assert name.latin == "Abdullayev Akmal Baxtiyor"


def test_compound_given_name_keeps_both_words() -> None:
    name = _read("Abdullayev Muhammad Ali Baxtiyor o'g'li")
    assert (name.given, name.patronymic) == ("muhammad ali", "baxtiyor")
    assert name.given_key == _read("Abdullayev Muhammadali Baxtiyor o'g'li").given_key


def test_given_name_with_patronymic_initial() -> None:
    name = _read("Abdullayev Akmal B.")
    assert (name.given, name.patronymic, name.initials, name.key) == (
        "akmal",
        None,
        "ab",
        "abdulay|akmal|b",
    )


def test_digraph_initials_compare_like_the_names_they_abbreviate() -> None:
    assert _read("Karimov Sh. O'.").initials == _read("Karimov Shavkat O'tkir o'g'li").initials
    assert _read("Каримов Ш.Ў.").initials == "su"
    assert _read("KARIMOV SH U").initials == "su"


def test_hyphenated_marker_is_still_a_marker() -> None:
    assert _read("Karimov Jasur Anvar-o'g'li").patronymic == "anvar"


def test_windows_1251_question_marks_are_wildcards_in_the_key() -> None:
    parsed = parse_name("?одиров Ўткир Ҳасан ??ли")
    assert parsed.name is not None
    assert parsed.name.surname_key == "?udir"
    assert parsed.name.patronymic == "hasan"
    assert NameIssue.UNKNOWN_LETTERS in parsed.notes


def test_conflicting_sex_evidence_gives_no_hint() -> None:
    parsed = parse_name("Karimova Jasur Anvar o'g'li")
    assert parsed.name is not None
    assert parsed.name.sex_hint is None
    assert NameIssue.SEX_CONFLICT in parsed.notes


def test_surname_without_gendered_ending_is_its_own_stem() -> None:
    name = _read("Ismoil Akmal")
    assert (name.surname, name.given, name.sex_hint) == ("ismoil", "akmal", None)


def test_mixed_scripts_are_read_and_noted() -> None:
    parsed = parse_name("Abdullayev Акмал")
    assert parsed.name is not None
    assert parsed.name.key == "abdulay|akmal|"
    assert NameIssue.MIXED_SCRIPTS in parsed.notes


def test_digits_and_punctuation_around_a_name_are_ignored() -> None:
    parsed = parse_name("1. Abdullayev, Akmal (Baxtiyor o'g'li)")
    assert parsed.name is not None
    assert parsed.name.key == "abdulay|akmal|bahtiyur"
    assert NameIssue.DIGITS_IGNORED in parsed.notes


def test_marker_without_a_name_before_it_is_noted() -> None:
    parsed = parse_name("o'g'li Abdullayev Akmal")
    assert parsed.name is not None
    assert NameIssue.STRAY_MARKER in parsed.notes
    assert parsed.name.sex_hint == "M"


@pytest.mark.parametrize(
    ("value", "issue"),
    [
        (None, NameIssue.EMPTY),
        ("", NameIssue.EMPTY),
        ("   \t", NameIssue.EMPTY),
        (42, NameIssue.NOT_TEXT),
        (["Abdullayev"], NameIssue.NOT_TEXT),
        ("12345", NameIssue.NO_LETTERS),
        ("...,;!", NameIssue.NO_LETTERS),
        ("? ? ?", NameIssue.NO_LETTERS),
        ("محمد علی", NameIssue.UNSUPPORTED_SCRIPT),
        ("张伟", NameIssue.UNSUPPORTED_SCRIPT),
        ("Abdullayev Ακμαλ", NameIssue.UNSUPPORTED_SCRIPT),
        ("A. B.", NameIssue.NO_SURNAME),
        ("o'g'li", NameIssue.NO_SURNAME),
    ],
)
def test_unreadable_input_gets_a_reason_and_a_message(value: object, issue: NameIssue) -> None:
    parsed = parse_name(value)
    assert parsed.name is None
    assert parsed.issue is issue
    assert parsed.message is not None
    assert normalise_name(value) is None


def test_unsupported_script_message_names_the_character() -> None:
    assert "U+5F20" in (parse_name("张伟").message or "")


def test_name_cache_stays_bounded_and_answers_stay_right(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_name_caches()
    monkeypatch.setattr(parse_module, "NAME_CACHE_SIZE", 8)
    texts = [f"Karimov Jasur {father} o'g'li" for father in ("Anvar", "Botir", "Zafar") * 10]
    texts += [f"Aliyev {given}" for given in ("Akmal", "Bobur", "Dilshod", "Erkin", "Farhod")]
    for text in texts:
        uncached = parse_module._parse_text(text)
        assert parse_name(text) == uncached
    assert len(parse_module._NAME_CACHE) <= 8
    clear_name_caches()
