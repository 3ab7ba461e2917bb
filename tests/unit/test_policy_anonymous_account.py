"""The anonymous-account policy: "Required to use your name - no anonymous participants
or organizations only"."""

from __future__ import annotations

import time

import pytest

from moderation.config import DEFAULT_THRESHOLDS
from moderation.ids import PolicyId
from moderation.message import Account
from moderation.names import GIVEN, SURNAME, compact, fold, lexicon
from moderation.policies.anonymous_account import (
    CLAUSE,
    AnonymousAccountPolicy,
    NameCheck,
    check_name,
)
from moderation.policies.base import AccountPolicy, Assessment

THRESHOLD = DEFAULT_THRESHOLDS[PolicyId.ANONYMOUS_ACCOUNT].nudge_threshold or 0.8
REASONS = {
    "empty name",
    "emoji only",
    "pronouns only",
    "single letter",
    "initials only",
    "handle with digits",
    "handle",
    "generic word",
    "organisation name",
    "placeholder name",
    "character name",
    "personal name",
}


@pytest.fixture(scope="module")
def policy() -> AnonymousAccountPolicy:
    return AnonymousAccountPolicy()


def assess(policy: AnonymousAccountPolicy, real: str, display: str = "") -> Assessment:
    result = policy.evaluate_account(Account(real_name=real, display_name=display))
    assert result is not None
    assert 0.0 <= result.score <= 1.0
    assert result.reason in REASONS
    return result


def assert_flagged(
    policy: AnonymousAccountPolicy, real: str, display: str = "", reason: str | None = None
) -> None:
    result = assess(policy, real, display)
    assert result.score >= THRESHOLD, (real, display, result)
    if reason is not None:
        assert result.reason == reason, (real, display, result)


def assert_passes(policy: AnonymousAccountPolicy, real: str, display: str = "") -> None:
    result = assess(policy, real, display)
    assert result.score < THRESHOLD, (real, display, result)


# --------------------------------------------------------------------------- identity


def test_policy_has_its_id_and_quotes_the_guideline() -> None:
    assert AnonymousAccountPolicy.id is PolicyId.ANONYMOUS_ACCOUNT
    assert AnonymousAccountPolicy.clause == CLAUSE
    assert CLAUSE == "Required to use your name - no anonymous participants or organizations only"
    policy: AccountPolicy = AnonymousAccountPolicy()
    assert policy.evaluate_account(Account("Amara Okafor")) is not None


# --------------------------------------------------------------------------- anonymous


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("anon", "generic word"),
        ("Anonymous", "generic word"),
        ("Anonymous User", "generic word"),
        ("guest", "generic word"),
        ("Guest", "generic word"),
        ("user", "generic word"),
        ("admin", "generic word"),
        ("test", "generic word"),
        ("lurker", "generic word"),
        ("Lurker 🙈", "generic word"),
        ("AI Enthusiast", "generic word"),
        ("Concerned Citizen", "generic word"),
        ("concerned citizen", "generic word"),
        ("Data Scientist", "generic word"),
        ("PhD Student", "generic word"),
        ("Privacy Advocate", "generic word"),
        ("Nobody", "generic word"),
        ("Curious Mind", "generic word"),
        ("Night Owl", "generic word"),
        ("prefer not to say", "generic word"),
        ("N/A", "generic word"),
        ("Your Name", "generic word"),
        ("Dr.", "generic word"),
    ],
)
def test_flags_generic_and_anonymous_labels(
    policy: AnonymousAccountPolicy, name: str, reason: str
) -> None:
    assert_flagged(policy, name, reason=reason)


@pytest.mark.parametrize(
    "name",
    [
        "匿名",
        "名無し",
        "ゲスト",
        "손님",
        "익명",
        "Аноним",
        "Гость",
        "Пользователь",
        "مجهول",
        "زائر",
        "अतिथि",
        "ผู้ใช้",
        "Ανώνυμος",
        "אנונימי",
        "უცნობი",
        "Anónimo",
        "Invitado",
        "Gast",
        "Usuário",
        "Utilisateur",
        "Benutzer",
        "Misafir",
        "Người dùng",
    ],
)
def test_flags_anonymous_words_in_other_languages_and_scripts(
    policy: AnonymousAccountPolicy, name: str
) -> None:
    assert_flagged(policy, name, reason="generic word")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Jane Doe", "placeholder name"),
        ("John Doe", "placeholder name"),
        ("Erika Mustermann", "placeholder name"),
        ("Fulano de Tal", "placeholder name"),
        ("Joe Bloggs", "placeholder name"),
        ("Batman", "character name"),
        ("Mickey Mouse", "character name"),
        ("Gandalf the Grey", "character name"),
    ],
)
def test_flags_placeholders_and_characters_nobody_is_called(
    policy: AnonymousAccountPolicy, name: str, reason: str
) -> None:
    assert_flagged(policy, name, reason=reason)


def test_name_shaped_fictional_names_pass_and_are_left_to_moderators(
    policy: AnonymousAccountPolicy,
) -> None:
    # Real people carry these names; the slack-export fixture uses them as profiles.
    assert_passes(policy, "Harry Potter", "abilinski")
    assert_passes(policy, "Hermione Granger", "doubledeez")


# --------------------------------------------------------------------------- handles


@pytest.mark.parametrize(
    "name",
    [
        "user1234",
        "dev_ninja42",
        "cyberpunk2077",
        "throwaway_88",
        "0xDEADBEEF",
        "l33t_h4x0r",
        "Sk8rBoi",
        "404brain",
        "R2-D2x",
        "member_0193",
        "guest123",
    ],
)
def test_flags_handles_with_digits(policy: AnonymousAccountPolicy, name: str) -> None:
    assert_flagged(policy, name)
    assert assess(policy, name).reason in {"handle with digits", "generic word"}


@pytest.mark.parametrize(
    "name",
    [
        "xX_shadow_Xx",
        "TechPolicyFan",
        "AIwatchdog",
        "OpenSourceOwl",
        "CtrlAltDefeat",
        "night_owl_",
        "ml_maven",
        "privacy_first",
        "the.responsible.one",
        "heroeshannibal",
        "quietobserver",
        "pixelpusher",
        "deepfakehunter",
        "freethinker",
        "asdfgh",
        "The Privacy Paladin",
        "Captain Compliance",
        "el_gato_digital",
        "кибер_кот",
        "dataninja_ke",
        "desi_dev",
    ],
)
def test_flags_handles_made_of_words(policy: AnonymousAccountPolicy, name: str) -> None:
    assert_flagged(policy, name)
    assert assess(policy, name).reason in {"handle", "generic word"}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("J.K.", "initials only"),
        ("JK", "initials only"),
        ("A. B.", "initials only"),
        ("cc", "initials only"),
        ("m", "single letter"),
        ("Q", "single letter"),
        ("R.", "single letter"),
    ],
)
def test_flags_initials_and_single_letters(
    policy: AnonymousAccountPolicy, name: str, reason: str
) -> None:
    assert_flagged(policy, name, reason=reason)


@pytest.mark.parametrize("name", ["🌻", "🤖", "✨✨✨", "☕️", "🏳️\u200d🌈", "🇺🇦"])
def test_flags_emoji_only(policy: AnonymousAccountPolicy, name: str) -> None:
    assert_flagged(policy, name, reason="emoji only")
    assert_flagged(policy, "", name, reason="emoji only")


@pytest.mark.parametrize("name", ["?", "-", "...", "_"])
def test_flags_punctuation_only_as_empty(policy: AnonymousAccountPolicy, name: str) -> None:
    assert_flagged(policy, name)


@pytest.mark.parametrize("name", ["she/her", "they/them", "(he/him)"])
def test_flags_pronouns_without_a_name(policy: AnonymousAccountPolicy, name: str) -> None:
    assert_flagged(policy, name, reason="pronouns only")


# --------------------------------------------------------------------------- organisations


@pytest.mark.parametrize(
    "name",
    [
        "Acme Inc",
        "Acme Inc.",
        "Globex LLC",
        "Contoso Ltd",
        "Example GmbH",
        "Beispiel AG",
        "Ejemplo S.A. de C.V.",
        "Example B.V.",
        "Responsible Tech Berlin e.V.",
        "Example Sdn Bhd",
        "Example Pvt Ltd",
        "Smith & Partners LLP",
        "Windsor Homes, Inc.",
    ],
)
def test_flags_legal_forms(policy: AnonymousAccountPolicy, name: str) -> None:
    assert_flagged(policy, name, reason="organisation name")


@pytest.mark.parametrize(
    "name",
    [
        "XYZ Foundation",
        "Marketing Team",
        "Example Labs",
        "The Civic Tech Collective",
        "Ministry of Digital Affairs",
        "Press Office",
        "Responsible AI Institute",
        "Open Rights Coalition",
        "The Okafor Foundation",
        "Nakamura & Associates",
        "Office of the Data Commissioner",
        "Example University AI Lab",
        "Board of Directors",
        "Engineering",
        "Sales",
        "Comms @ Acme",
        "Recruiting @ Example",
        "Example NGO Kenya",
        "Bundesministerium für Digitales",
        "press@example-foundation.org",
    ],
)
def test_flags_organisations_and_teams(policy: AnonymousAccountPolicy, name: str) -> None:
    assert_flagged(policy, name, reason="organisation name")


@pytest.mark.parametrize(
    "name",
    [
        "株式会社サンプル",
        "示例科技有限公司",
        "예시 재단",
        "デジタル庁",
        "Министерство цифрового развития",
        "مؤسسة المثال",
        "उदाहरण फाउंडेशन",
    ],
)
def test_flags_organisations_in_other_scripts(policy: AnonymousAccountPolicy, name: str) -> None:
    assert_flagged(policy, name, reason="organisation name")


def test_organisation_acronym_as_display_name_adds_no_name(policy: AnonymousAccountPolicy) -> None:
    assert_flagged(policy, "Responsible AI Institute", "RAII", reason="organisation name")
    assert_flagged(policy, "Acme Inc", "acme", reason="organisation name")
    assert_flagged(policy, "Acme Inc", "acme_official")


def test_surname_words_that_are_organisation_words_pass_beside_a_given_name(
    policy: AnonymousAccountPolicy,
) -> None:
    for name in ("Maria Sales", "Charity Korir", "Guy De Meyer", "Amara Okafor Consulting"):
        assert_passes(policy, name)


# --------------------------------------------------------------------------- real names


CULTURES = [
    # particles, apostrophes, hyphens, long names
    "Jan van der Berg",
    "María José García-López de la Cruz",
    "Khalid bin Abdullah al-Hassan",
    "Seamus O'Connor",
    "Siobhán Ní Bhriain",
    "Nur Aisyah binti Ahmad",
    "Jordi Puig i Ferrer",
    "João Pedro da Silva Santos",
    "Kai-Uwe von Hohenstein",
    "Marie-Hélène de La Fontaine",
    "Francesca Dell'Acqua",
    "Luiz Henrique dos Santos Júnior",
    "Vincent van Gogh",
    "bin Laden",
    # Africa
    "Oluwaseun Adeyemi",
    "Chukwuemeka Nwachukwu",
    "Kwame Asante",
    "Wanjiru Kamau",
    "Abebe Tadesse Woldemariam",
    "Hodan Abdi Warsame",
    "Thandiwe Nkosi",
    "Precious Moyo",
    "Blessing Okafor",
    "Memory Chirwa",
    "Godswill Eze",
    "Mama Zenzile Mzoneli",
    # Asia, family name first included
    "Wang Fang",
    "Zhang Wei",
    "Ng Wei Ling",
    "Sato Yuki",
    "Kim Min-jun",
    "Nguyễn Thị Lan",
    "Le Van Thanh",
    "Bảo Thế Hoàng",
    "Aung Kyaw Moe",
    "Putu Gede Arsana",
    "R. Vijayalakshmi",
    "Karthik S.",
    "Venkata Subramanian Iyer",
    "Dato' Seri Lim Kok Seng",
    "Batbayar Dorj",
    # Europe and the Americas
    "Guðrún Jónsdóttir",
    "Søren Kjærgaard",
    "Jürgen Müller",
    "Zsófia Kovács",
    "Jānis Bērziņš",
    "Szczepański Grzegorz",
    "Przybylski",
    "Valentina Quispe Mamani",
    "Wayra Yupanqui Huamán",
    "Talulah Begay",
    "Keoni Kealoha",
    "Tama Te Rangi",
    # mononyms, lower case, ALL CAPS
    "Selvi",
    "Suharti",
    "Sukarno",
    "Sonam",
    "Jo",
    "Wu",
    "maria garcia",
    "JENNIFER ADAMS",
    "OLUWASEUN ADEBAYO-COLE",
    "chris",
    "yaw",
    # usernames built from a real name
    "priya.nair",
    "tom_okafor",
    "sarah.chen",
    "j.osei",
    "mkowalski",
    "anabelaferreira",
    "wanjiru_k",
]


@pytest.mark.parametrize("name", CULTURES)
def test_names_from_many_cultures_pass(policy: AnonymousAccountPolicy, name: str) -> None:
    assert_passes(policy, name)


SCRIPTS = [
    "王芳",
    "林家豪",
    "佐藤 由紀",
    "山田太郎",
    "ナカムラ ユウト",
    "김민준",
    "이지은",
    "Иван Петров",
    "Анастасия Волкова",
    "Олександр Шевченко",
    "محمد العلي",
    "مریم حسینی",
    "ظفر اقبال",
    "राहुल शर्मा",
    "অমিত",
    "তানভীর আহমেদ",
    "கார்த்திக் ராஜா",
    "അനൂപ് മേനോൻ",
    "გიორგი ბერიძე",
    "Γιώργος Παπαδόπουλος",
    "נועה לוי",
    "สมชาย ใจดี",
    "Արմեն Սարգսյան",
    "李",
]


@pytest.mark.parametrize("name", SCRIPTS)
def test_names_in_non_latin_scripts_pass(policy: AnonymousAccountPolicy, name: str) -> None:
    assert_passes(policy, name)
    assert_passes(policy, "", name)


@pytest.mark.parametrize(
    "name",
    [
        "Grace Hope",
        "Summer Rain",
        "Joy Love",
        "Sunny Day",
        "River Stone",
        "Autumn Brooks",
        "Hope Solo",
        "Faith Hill",
        "Sunday Adeyemi",
        "Happiness Ncube",
        "Patience Mensah",
        "Justice Smith",
        "Hunter Biden",
        "Storm Reid",
        "Honey Singh",
    ],
)
def test_word_like_names_pass(policy: AnonymousAccountPolicy, name: str) -> None:
    assert_passes(policy, name)


@pytest.mark.parametrize(
    "name",
    [
        "Dr. Amara Okafor (she/her)",
        "Sam Lee | Policy @ Example Org",
        "Prof. Dr. Heinrich Vogel",
        "Lt. Col. (ret.) James Okoro",
        "Ethan J. Coleman III",
        "Daniel Osei, MPH",
        "Bill Adeyemi-Santos, Esq.",
        "Sofia Castillo | she/ella | AI policy",
        "Marisol (ella)",
        "Jonas Weber (er/ihm)",
        "Ana Beatriz Lima (ela/dela)",
        "Tomás Rivera – Founder, Example Ventures",
        "Ingrid Hallström, Example Institute",
        "Chioma Eze (she/her) | Youth & Tech, Example Foundation",
        "Maya @ Example Labs",
        "Wei Chen 陈伟 | ML Eng",
        "Ivan Petrov (Иван Петров)",
        'Earl "The Goat" Manigault',
        "State Representative Sara Feigenholtz",
        "Hr Frode Andersen",
        "Nadia 🌻",
        "🌈 Priya 🌈",
        "Kim (any pronouns)",
    ],
)
def test_pronouns_titles_and_roles_are_stripped_before_judging(
    policy: AnonymousAccountPolicy, name: str
) -> None:
    assert_passes(policy, name)


def test_a_role_after_a_non_name_does_not_rescue_it(policy: AnonymousAccountPolicy) -> None:
    assert_flagged(policy, "Mom of 3 | AI policy")
    assert_flagged(policy, "Example Consulting | We help you ship responsible AI")
    assert_passes(policy, "Acme Inc | Jordan")


# --------------------------------------------------------------------------- which name counts


@pytest.mark.parametrize(
    ("real", "display"),
    [
        ("Priya Raman", "pr"),
        ("Tomás Rivera", "dev_ninja42"),
        ("dev_ninja42", "Tomás Rivera"),
        ("Olu Adeyemi", "AI Enthusiast"),
        ("Hannah Becker", "guest"),
        ("Acme Inc", "Jordan (Acme)"),
        ("Example Labs", "Maya @ Example Labs"),
        ("Maya Cohen", "Example Labs"),
        ("heroeshannibal", "Hannibal Okoye"),
        ("", "Priya"),
        ("Anonymous", "Maria Lopez"),
    ],
)
def test_passes_when_either_profile_name_is_personal(
    policy: AnonymousAccountPolicy, real: str, display: str
) -> None:
    assert_passes(policy, real, display)


@pytest.mark.parametrize(
    ("real", "display"),
    [
        ("Guest", "guest123"),
        ("Acme Inc", "acme_official"),
        ("Test", "test2"),
        ("Admin", "Administrator"),
        ("", "anon"),
        ("Example Labs", "Example Labs"),
        ("concerned citizen", "cc"),
    ],
)
def test_flags_when_neither_profile_name_is_personal(
    policy: AnonymousAccountPolicy, real: str, display: str
) -> None:
    assert_flagged(policy, real, display)


def test_the_account_score_is_the_better_of_the_two_names(policy: AnonymousAccountPolicy) -> None:
    both = assess(policy, "dev_ninja42", "Tomás Rivera")
    alone = assess(policy, "", "Tomás Rivera")
    assert both.score == alone.score


# --------------------------------------------------------------------------- empty


@pytest.mark.parametrize(("real", "display"), [("", ""), (" ", ""), ("", "   "), ("\u200b", "")])
def test_empty_names_are_flagged_with_certainty(
    policy: AnonymousAccountPolicy, real: str, display: str
) -> None:
    result = assess(policy, real, display)
    assert result.score == 1.0
    assert result.reason == "empty name"


def test_an_empty_field_is_ignored_when_the_other_is_set(policy: AnonymousAccountPolicy) -> None:
    assert assess(policy, "Amara Okafor", "").score == assess(policy, "", "Amara Okafor").score
    assert check_name("") is None
    assert check_name("   ") is None


# --------------------------------------------------------------------------- properties


def test_reasons_are_content_free(policy: AnonymousAccountPolicy) -> None:
    names = ["Jane Doe", "dev_ninja42", "Acme Inc", "匿名", "TechPolicyFan", "Priya Raman"]
    for name in names:
        result = assess(policy, name)
        assert fold(name) not in fold(result.reason)
        assert result.evidence is None


def test_the_real_name_rule_reads_each_name_once_not_the_message_text() -> None:
    result = check_name("Amara Okafor")
    assert isinstance(result, NameCheck)
    assert result.score < THRESHOLD
    assert result.named


def test_probablepeople_is_optional_for_the_lists(policy: AnonymousAccountPolicy) -> None:
    bare = AnonymousAccountPolicy(use_probablepeople=False)
    for name in ("Acme Inc", "XYZ Foundation", "AI Enthusiast", "user1234", "J.K."):
        result = bare.evaluate_account(Account(name))
        assert result is not None and result.score >= THRESHOLD
    for name in ("Priya Raman", "Wang Fang", "Иван Петров"):
        result = bare.evaluate_account(Account(name))
        assert result is not None and result.score < THRESHOLD


def test_probablepeople_alone_never_crosses_the_threshold(policy: AnonymousAccountPolicy) -> None:
    # probablepeople reads this Zambian name as a company; the lists find nothing.
    assert_passes(policy, "Memory Chirwa")


def test_the_committed_lexicon_holds_names_and_words() -> None:
    lex = lexicon()
    assert len(lex.names) > 30_000
    assert len(lex.words) > 30_000
    assert lex.name_flags("priya") & GIVEN
    assert lex.name_flags(fold("Müller")) & SURNAME
    assert lex.is_word("observer")
    assert not lex.is_name("observer")
    assert fold("Núñez") == "nunez"
    assert fold("Łukasz") == "lukasz"
    assert fold("राहुल") == "राहुल"  # other scripts keep their marks
    assert compact("Jane_Doe") == compact("jane.doe") == "janedoe"


def test_scoring_is_fast(policy: AnonymousAccountPolicy) -> None:
    names = [*CULTURES, *SCRIPTS, "TechPolicyFan", "Acme Inc", "AI Enthusiast", "user1234"]
    accounts = [Account(f"{name} {i}" if i % 2 else name, "") for i in range(10) for name in names]
    policy.evaluate_account(Account("warm up"))
    start = time.perf_counter()
    for account in accounts:
        policy.evaluate_account(account)
    per_account = (time.perf_counter() - start) / len(accounts)
    assert per_account < 0.005, per_account
