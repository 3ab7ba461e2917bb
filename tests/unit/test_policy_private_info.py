"""The private-info policy: someone else's e-mail, phone number or street address, and
threats to post them. Own contact, public contact, permitted sharing, number look-alikes,
talk about privacy and code must pass."""

from __future__ import annotations

import pytest

from moderation.config import ChannelScopes
from moderation.ids import PolicyId
from moderation.message import Message
from moderation.pii import PiiDetector, is_role_address
from moderation.policies.base import Assessment
from moderation.policies.private_info import THREAT_REASON, PrivateInfoPolicy
from moderation.signals import MessageSignals
from moderation.text import parse_slack_text

THRESHOLD = 0.8  # the default nudge and flag thresholds for private_info
POLICY = PrivateInfoPolicy()


def signals(text: str, detector: PiiDetector | None = None) -> MessageSignals:
    return MessageSignals(Message(text, channel="general-discussions"), pii_detector=detector)


def assess(text: str, detector: PiiDetector | None = None) -> Assessment | None:
    return POLICY.evaluate(signals(text, detector))


def fires(text: str) -> bool:
    assessment = assess(text)
    return assessment is not None and assessment.score >= THRESHOLD


def evidence_of(text: str) -> str:
    sig = signals(text)
    assessment = POLICY.evaluate(sig)
    assert assessment is not None and assessment.evidence is not None
    return sig.plain[assessment.evidence.start : assessment.evidence.end]


# --------------------------------------------------------------------------- the policy


def test_policy_identifies_itself_and_quotes_the_guideline() -> None:
    assert PrivateInfoPolicy.id is PolicyId.PRIVATE_INFO
    assert PrivateInfoPolicy.clause == (
        "Posting or threatening to post others' private information, such as a physical or "
        "email address, without their explicit permission"
    )
    assert PrivateInfoPolicy.uses_classifier is False


@pytest.mark.parametrize("channel", ["general-discussions", "shameless-plugs", "random", ""])
def test_policy_applies_in_every_channel_and_in_direct_messages(channel: str) -> None:
    assert POLICY.in_scope(channel, ChannelScopes())


def test_message_without_contact_details_gets_no_assessment() -> None:
    assert assess("Loved the panel on platform governance yesterday, thanks all!") is None


# --------------------------------------------------------------------------- phone numbers


@pytest.mark.parametrize(
    "number",
    [
        "(415) 555-0123",  # US
        "415.555.0123",  # US, dotted
        "07911 123456",  # UK mobile
        "020 7946 0321",  # UK London
        "098450 12345",  # India, national
        "0803 123 4567",  # Nigeria
        "(11) 91234-5678",  # Brazil
        "0171 5550193",  # Germany
        "06 12 34 56 78",  # France
        "090-1234-5678",  # Japan
        "0412 345 678",  # Australia
        "0712 345 678",  # Kenya
        "55 1234 5678",  # Mexico City
        "+254 712 345 678",  # international: no region needed
        "+49 30 12345678",
        "+1 (646) 555-0170",
        "+91-98200-55512",
    ],
)
def test_someone_elses_phone_number_in_a_national_or_international_format_fires(
    number: str,
) -> None:
    text = f"her personal cell is {number}, she never picks up at work"
    assessment = assess(text)
    assert assessment is not None
    assert assessment.score >= THRESHOLD
    assert assessment.reason == "phone number of another person"
    assert evidence_of(text) == number


def test_regions_for_national_numbers_are_configurable() -> None:
    text = "his number is 08-555 123 45"  # Swedish, national format
    detector = PiiDetector(regions=("SE",))
    found = signals(text, detector).pii
    assert [m.kind for m in found] == ["phone"]
    assert found[0].value == "+46855512345"


def test_an_unknown_phone_region_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="XX"):
        PiiDetector(regions=("US", "XX"))


def test_an_international_number_is_read_whatever_the_regions() -> None:
    found = signals("his number is +46 8 555 123 45", PiiDetector(regions=("US",))).pii
    assert [m.value for m in found] == ["+46855512345"]


def test_a_phone_number_spelled_out_in_words_fires() -> None:
    text = "her mobile is oh seven seven double oh, nine double oh, four one two. call her"
    assessment = assess(text)
    assert assessment is not None and assessment.score >= THRESHOLD
    assert assessment.reason == "phone number of another person"
    assert evidence_of(text) == "oh seven seven double oh, nine double oh, four one two"


@pytest.mark.parametrize(
    "text",
    [
        "Order #4155550199 still hasn't shipped, his too",
        "The meeting ID is 845 5550 1923, passcode 1234, ask her",
        "She upgraded to v4.15.5 on 2024-05-01",
        "ISBN 978-0-306-40615-7 is his second edition",
        "That costs her $415,555 per year",
        "DOI: 10.1145/3442188.3445922 is his paper",
        "She went from 12,450 to 31,207 reports per week",
        "The years 1998-2004 were his best, 2,345,678 users by 2005",
        "Her model has 7,241,555,012 parameters",
        "Regulation (EU) 2024/1689 is the AI Act, she says",
        "Ticket 4412-5550-1234 is his, assigned yesterday",
        "Doors at 18:30, 15/03/2025, room 1.555, see her there",
        "Her tracking number is 1Z 555 01A2 0312 5550",
        "his driver's license number is 2270-66-1551",
    ],
)
def test_numbers_that_are_not_phone_numbers_are_not_found(text: str) -> None:
    assert [m for m in signals(text).pii if m.kind == "phone"] == []
    assert not fires(text)


# --------------------------------------------------------------------------- e-mail


def test_someone_elses_email_from_slack_markup_fires_with_the_label_as_evidence() -> None:
    text = "here's Priya's personal email: <mailto:priya.n@example.com|priya.n@example.com>"
    assessment = assess(text)
    assert assessment is not None and assessment.score >= THRESHOLD
    assert assessment.reason == "email of another person"
    assert evidence_of(text) == "priya.n@example.com"


def test_someone_elses_email_typed_without_markup_fires() -> None:
    assert fires("the guy who spammed #general is bob.s@example.net")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "priya [at] example [dot] org is where you can reach her :eyes:",
            "priya [at] example [dot] org",
        ),
        ("tom(at)mail.example — that's the guy who keeps replying-all", "tom(at)mail.example"),
        (
            "the consultant who wrote it: j dot okafor at example dot com. you didn't get it from me",
            "j dot okafor at example dot com",
        ),
        (
            "maria_g AT example DOT net — that's the sockpuppet's owner",
            "maria_g AT example DOT net",
        ),
        ("ravi ( at ) example . org if anyone wants to tell him", "ravi ( at ) example . org"),
    ],
)
def test_an_email_written_to_dodge_filters_is_found_and_fires(text: str, shown: str) -> None:
    assert fires(text)
    assert evidence_of(text) == shown


def test_an_obfuscated_email_is_read_back_to_its_address() -> None:
    (match,) = signals("write to priya [at] example [dot] org").pii
    assert match.kind == "email"
    assert match.value == "priya@example.org"
    assert match.obfuscated


def test_everyday_uses_of_at_and_dot_are_not_emails() -> None:
    for text in (
        "look at github.com for the code",
        "meet me at 5pm at the venue",
        "CALL AT HOME. JESS",
        "that's a dot release at best",
    ):
        assert [m for m in signals(text).pii if m.kind == "email"] == [], text


def test_placeholder_addresses_in_a_joke_are_nobodys_email() -> None:
    text = "someone posted 'my email is <mailto:myemail@email.com|myemail@email.com>' as a joke"
    assert signals(text).pii == ()
    assert not fires(text)


# --------------------------------------------------------------------------- street addresses


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "found the troll's home address: 1187 Maple Ave Apt 3B, Oakland, CA 94610.",
            "1187 Maple Ave Apt 3B, Oakland, CA 94610",
        ),
        (
            "<@U05C9LQ1TR> lives at 71 Rose Street, Edinburgh EH2 2NH, go say hi",
            "71 Rose Street, Edinburgh EH2 2NH",
        ),
        ("The CEO lives at Lindenstraße 14, 10969 Berlin.", "Lindenstraße 14, 10969 Berlin"),
        ("Sam lives at 9 rue de la Paix, 75002 Paris — tell him", "9 rue de la Paix, 75002 Paris"),
        (
            "Lucas isn't on here but he's at Rua Augusta 1500, apto 81, São Paulo",
            "Rua Augusta 1500, apto 81, São Paulo",
        ),
        (
            "the after-party is at his flat, Flat 402, Shanti Residency, 14th Cross, Bengaluru 560038",
            "Flat 402, Shanti Residency, 14th Cross, Bengaluru 560038",
        ),
        (
            "this is where the guy lives: 〒150-0001 東京都渋谷区神宮前1-2-3",
            "〒150-0001 東京都渋谷区神宮前1-2-3",
        ),
        (
            "Her address:\n55 Kent Ridge Crescent #08-12\nSingapore 119077\nsend her a card",
            "55 Kent Ridge Crescent #08-12\nSingapore 119077",
        ),
    ],
)
def test_someone_elses_street_address_fires(text: str, address: str) -> None:
    assessment = assess(text)
    assert assessment is not None and assessment.score >= THRESHOLD
    assert assessment.reason == "street address of another person"
    assert evidence_of(text) == address


def test_an_address_with_its_number_in_words_fires() -> None:
    text = "she lives at number forty-two, Example Lane, Springfield. you didn't hear it from me"
    assert fires(text)


def test_words_that_only_look_like_an_address_are_not_one() -> None:
    for text in (
        "Keynote address by the Commissioner starts at 10",
        "Section 230(c)(1) is 26 words long",
        "my bus is the 555 to Heathrow and it's late",
        "Table 3, row 12 has the numbers you want",
        "For my take on Ms. Roefs, see Guilty Pleasures: 5 Musicians Of The 70s",
        "45 spots left as of 10am",
    ):
        assert [m for m in signals(text).pii if m.kind == "address"] == [], text


# --------------------------------------------------------------------------- whose details


@pytest.mark.parametrize(
    "text",
    [
        "email me at <mailto:dana@example.com|dana@example.com> if you want the slides",
        "my number is +44 7911 123456, WhatsApp is easiest",
        "Reach me at 415-555-0199 or here",
        "Hosting a potluck! I'm at 12 Example St, Flat 3, Leeds LS2 9XX if you want to drop by",
        "Thanks,\nPriya Nair\npriya.nair@example.org\n+91 98450 12345",
        "Organiser here :wave: if the door is locked, ring me: 020 7946 0321",
        "Hi all! I'm Noura from Dubai, working on Arabic NLP. +971 50 555 4567 (WhatsApp)",
        "Mon numéro : +33 6 12 34 56 78, n'hésitez pas",
        "Mi correo es carla.v@example.mx, escríbeme",
        "You can also reach me at priya [at] example [dot] org, I check it more than slack",
    ],
)
def test_the_authors_own_contact_does_not_fire(text: str) -> None:
    assert not fires(text)


@pytest.mark.parametrize(
    "local",
    ["hello", "info", "support", "press", "contact", "careers", "team", "policy-team", "dpo"],
)
def test_role_mailboxes_are_public_contact(local: str) -> None:
    address = f"{local}@example-foundation.org"
    assert is_role_address(address)
    assert not fires(f"her team says to write to {address}")


def test_a_persons_mailbox_is_not_a_role_mailbox() -> None:
    assert not is_role_address("priya.nair@example.org")


def test_all_tech_is_human_contact_address_does_not_fire() -> None:
    text = "If you need her, the ATIH team is at <mailto:hello@alltechishuman.org|hello@alltechishuman.org>"
    assert not fires(text)


def test_other_public_domains_can_be_configured() -> None:
    policy = PrivateInfoPolicy(public_domains=frozenset({"example-union.org"}))
    assessment = policy.evaluate(signals("her email is maria@example-union.org"))
    assert assessment is not None and assessment.score < THRESHOLD


@pytest.mark.parametrize(
    "text",
    [
        "Our office moved! New address: Calle de Toledo 45, 28005 Madrid",
        "Venue for Thursday: Example Hub, 200 Example Blvd, 4th floor, Austin TX 78701",
        "Reminder, the workshop is at the British Library, 96 Euston Road, London NW1 2DB",
        "The Example Institute's address for submissions is 10 Example Square, Dublin 2",
        "Anyone tried Example Legal's clinic? Their office is at 902 Vine St, Cincinnati",
        "Reminder that NCMEC's CyberTipline is 1-800-843-5678 for US-based reporting",
        "If you see disinfo, the commission's public reporting line is 0800 555 111",
        "Called Example Airlines (+44 20 7946 0000) to complain about their chatbot",
        "It's our org's line, staffed weekdays: +44 161 496 0500",
    ],
)
def test_an_organisations_public_contact_does_not_fire(text: str) -> None:
    assert not fires(text)


def test_a_toll_free_number_is_public_by_nature() -> None:
    (match,) = signals("call 1-800-843-5678").pii
    assert match.public


@pytest.mark.parametrize(
    "text",
    [
        "Maya said I can share her email: maya.r@example.com",
        "With her permission, here's Leah's number: 0412 345 678",
        "Kasia asked me to share her number for the translation gig: +48 512 555 678",
        "Posting with his permission: Tunde is happy to chat, +234 803 555 0192",
        "Reposting at her request: Lupe's catering number is 55 5555 0198",
        "Hiroshi offered his house and said I could post the address: 2-14-7 Kichijoji Honcho, Tokyo",
    ],
)
def test_contact_shared_with_explicit_permission_does_not_fire(text: str) -> None:
    assert not fires(text)


@pytest.mark.parametrize(
    "text",
    [
        "She said don't share it, but: Layla's number is +961 3 555 123",
        "Reach out to Anjali — she mentored me. anjali.d@example.in. She doesn't know I'm sharing it",
        "Hi! I'm sharing Linh's contact: linh.n@example.vn (haven't checked with her yet)",
    ],
)
def test_sharing_said_to_be_without_permission_fires(text: str) -> None:
    assessment = assess(text)
    assert assessment is not None and assessment.score >= 0.95


def test_someone_elses_words_quoted_keep_their_owner() -> None:
    text = "what Marco DM'd me: 'call me on +39 347 555 4567 tonight'. So, everyone, call Marco"
    assert fires(text)


def test_a_detail_with_no_ownership_cue_scores_below_the_threshold() -> None:
    assessment = assess("Contact: +254 712 345 678")
    assert assessment is not None
    assert 0 < assessment.score < THRESHOLD


def test_intent_to_target_raises_an_unattributed_detail_above_the_threshold() -> None:
    assessment = assess("Personal cell: +254 712 345 678. Spread it, flood it with calls")
    assert assessment is not None and assessment.score >= THRESHOLD


@pytest.mark.parametrize(
    "text",
    [
        "Doxxing is when someone posts your home address without consent — never do it",
        "What's everyone using for PII detection? Our recall on phone numbers is awful",
        "Quick reminder: if you need to share someone's contact, get their OK first",
        "Under CCPA, is an email address 'personal information' even if it's a work address?",
        "I'd connect you with my colleague but I need to ask her first whether she's ok with me sharing her email",
        "I'll share your email with the organisers so they can send the certificate, ok?",
    ],
)
def test_talking_about_privacy_does_not_fire(text: str) -> None:
    assert not fires(text)


@pytest.mark.parametrize(
    "text",
    [
        'Our test fixture:\n```{"name": "Test User", "email": "ana@example.com", "phone": "+1 415 555 0100"}```',
        "Unit test: `assert redact('Reach Ana at ana@example.com') == 'Reach Ana at [EMAIL]'` passes",
        "```\nhis_address = '1187 Maple Ave, Oakland, CA 94610'\n```",
    ],
)
def test_examples_in_code_are_ignored(text: str) -> None:
    assert signals(text).pii == ()
    assert assess(text) is None


# --------------------------------------------------------------------------- threats


@pytest.mark.parametrize(
    "text",
    [
        "keep it up and I'll post your address in here",
        "keep it up and everyone here gets your phone number",
        "<@U03MBX81LT> one more sarcastic reply and your personal number goes in #general. try me",
        "dont test me i will drop ur addy in #general :skull:",
        "Block me again and I'll make sure this whole slack has your home address by morning.",
        "careful, I have your home email from the old mailing list, don't make me share it",
        "Delete that comment or I'll share your wife's number with everyone here.",
        "If the mods don't ban him I'm posting his phone number and home address myself.",
        "I'm going to figure out who you are and post your contact details so everyone can see",
    ],
)
def test_a_threat_to_post_private_info_fires(text: str) -> None:
    assessment = assess(text)
    assert assessment is not None and assessment.score >= THRESHOLD
    assert assessment.reason == THREAT_REASON


def test_a_threats_evidence_is_the_threatening_phrase() -> None:
    assert evidence_of("keep it up and I'll post your address in here") == (
        "I'll post your address"
    )


@pytest.mark.parametrize(
    "text",
    [
        "I won't post your address, relax",
        "Can you post your address so I can send the swag?",
        "I'd never share someone's number without asking",
    ],
)
def test_a_promise_or_request_is_not_a_threat(text: str) -> None:
    assert not fires(text)


# --------------------------------------------------------------------------- evidence spans


def test_evidence_indexes_plain_text_after_markup_and_entities() -> None:
    raw = "&lt;3 <@U123|sam> &amp; co — <https://example.org|site> — his email: <mailto:sam.k@example.com|sam.k@example.com>"
    sig = signals(raw)
    assessment = POLICY.evaluate(sig)
    assert assessment is not None and assessment.evidence is not None
    assert sig.plain[assessment.evidence.start : assessment.evidence.end] == "sam.k@example.com"


def test_evidence_maps_back_to_plain_after_a_code_span() -> None:
    raw = "see `phone = '000'` — but Jo's real number is 07911 123456, call her"
    sig = signals(raw)
    assert sig.prose != sig.plain  # the code span is cut out of prose
    assessment = POLICY.evaluate(sig)
    assert assessment is not None and assessment.evidence is not None
    assert sig.plain[assessment.evidence.start : assessment.evidence.end] == "07911 123456"


def test_every_detail_is_reported_in_plain_coordinates_in_order() -> None:
    raw = "```x```\nAma: 0244 555 123, ama.o@example.com, House No. 7, Osu Badu St, Accra"
    slack = parse_slack_text(raw)
    found = PiiDetector().find(slack)
    assert [(m.kind, slack.plain[m.start : m.end]) for m in found] == [
        ("phone", "0244 555 123"),
        ("email", "ama.o@example.com"),
        ("address", "House No. 7, Osu Badu St, Accra"),
    ]


def test_the_strongest_detail_of_a_message_is_the_evidence() -> None:
    text = (
        "Venue: Example Hub, 12 Main Street, Nairobi. The speaker's personal cell is 0712 345 678"
    )
    assert evidence_of(text) == "0712 345 678"


def test_signals_compute_details_once() -> None:
    sig = signals("her number is 0712 345 678")
    assert sig.pii is sig.pii


# --------------------------------------------------------------------------- quoted lines


def test_details_in_quoted_lines_are_found_and_marked_as_quoted() -> None:
    text = (
        "Reposting his signature:\n> Rafael Mendes\n> rafael.m@example.com.br\n> +55 21 99555 0187"
    )
    sig = signals(text)
    found = {(m.kind, sig.plain[m.start : m.end], m.quoted) for m in sig.pii}
    assert found == {
        ("email", "rafael.m@example.com.br", True),
        ("phone", "+55 21 99555 0187", True),
    }


def test_an_address_over_two_quoted_lines_is_one_detail() -> None:
    sig = signals("she sent me this:\n> at home this week: 31 Rue des Martyrs,\n> 75009 Paris")
    (item,) = sig.pii
    assert item.kind == "address" and item.quoted
    assert item.value == "31 Rue des Martyrs, 75009 Paris"


@pytest.mark.parametrize(
    "text",
    [
        "Reposting what he sent me so you all know who this is:\n> Rafael Mendes\n> rafael.m@example.com.br",
        "This is the DM he sent me:\n> if you want to talk like adults call me on 07700 900 457",
        "look what my ex put in her bio before deleting it\n> Text me +1 415 555 0139",
    ],
)
def test_someone_elses_details_reposted_in_a_quote_fire(text: str) -> None:
    assert fires(text)


@pytest.mark.parametrize(
    "text",
    [
        "Quote from my earlier message, since people keep asking:\n> I'm reachable at +61 2 5550 1234",
        "> email me at priya.work@example.in if you want the slides\nthat was me last week, still true!",
        "Reposting from our careers page:\n> To apply, write to fellowships@publicinterest.example.org",
        "From the organisers:\n> Venue: Example Hub, 14 Rue de Rivoli, 75004 Paris",
    ],
)
def test_own_or_public_details_in_a_quote_pass(text: str) -> None:
    assert not fires(text)


# --------------------------------------------------------------------------- more threats


@pytest.mark.parametrize(
    "text",
    [
        "she thinks she's anonymous on here. I have her address and her mum's number, should I drop them?",
        "We've got the home addresses of the officials who certified it. Time to publish them.",
        "Anyone want the home address of the guy who cut me off at the meetup? Took me 5 minutes.",
    ],
)
def test_holding_or_offering_someones_details_to_post_is_a_threat(text: str) -> None:
    assessment = assess(text)
    assert assessment is not None and assessment.reason == THREAT_REASON
    assert assessment.score >= THRESHOLD


@pytest.mark.parametrize(
    "text",
    [
        'Someone said "I know where you live" to my teen in a game chat. Is that reportable?',
        "I have your email from the signup sheet, I'll send you the photos tonight",
        "Anyone want the address of the venue? It's on the event page",
    ],
)
def test_reported_threats_and_kind_uses_are_not_threats(text: str) -> None:
    assert not fires(text)


def test_a_spelled_out_address_with_dots_in_the_name_is_found() -> None:
    sig = signals("the scammer's real email is tom.harlow.private at example dot co dot uk")
    assert [m.value for m in sig.pii] == ["tom.harlow.private@example.co.uk"]
    assert fires("the scammer's real email is tom.harlow.private at example dot co dot uk")


@pytest.mark.parametrize(
    "text",
    [
        "I asked Kofi and he's happy for me to share his email: kofi.mensah@example.gh",
        "Hiring manager here: questions can go straight to me, nadia.rahman@example.com",
    ],
)
def test_permission_and_the_author_as_hiring_manager_pass(text: str) -> None:
    assert not fires(text)
