"""Finding contact details in a message: e-mail addresses, phone numbers, street addresses.

Detection only: whose details they are is the private-info policy's question. Everything
here reads ``SlackText.prose`` (code left out) and the quoted lines (``> …``: reposting
someone's details is posting them), and reports spans in ``SlackText.plain``, so a match
can be shown as evidence; a match in a quoted line says so (``quoted``).

* E-mail: the addresses the Slack parser found (``<mailto:…>`` and typed), plus spelled-out
  forms people use to dodge filters: "priya [at] example [dot] org", "tom(at)mail.example",
  "j dot okafor at example dot com" (a bare "at" counts only with a spelled "dot").
* Phone: ``phonenumbers.PhoneNumberMatcher`` at leniency VALID. "+CC" numbers need no
  region; a national number is tried against each default region in turn and kept for
  the first region where it is valid. Candidates are found by a cheap regex first, so
  the matcher only ever sees short windows. Numbers spelled in words ("five five five,
  oh one four two…") are read too, since spelling a number out is itself an evasion.
* Street address: no maintained library finds international addresses in running text
  (pyap/pyap2 cover only US/CA/GB and were measured at about a third of our addresses;
  usaddress and libpostal parse a string already known to be an address, and libpostal
  needs a native library and a 2 GB model). So addresses are found from components
  (a numbered street in Anglo, Latin, Germanic/Nordic, Slavic, Malay or Japanese/Korean
  order; unit and house markers; postal codes of the common formats) that score points
  and are joined when they sit next to each other. A cluster worth two points is an
  address: "42 Example Lane" alone, or "Othaya Road" next to "House 14".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import phonenumbers

from moderation.text import SlackText

__all__ = [
    "DEFAULT_PHONE_REGIONS",
    "ROLE_LOCAL_PARTS",
    "PiiDetector",
    "PiiKind",
    "PiiMatch",
    "contains_any",
    "is_role_address",
]

PiiKind = Literal["email", "phone", "address"]

DEFAULT_PHONE_REGIONS: Final = (
    "US", "GB", "IN", "NG", "BR", "DE", "FR", "JP", "AU", "KE", "MX", "CA", "KR",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """One contact detail. ``start``/``end`` index ``SlackText.plain``.

    ``value`` is normalised: a lower-cased e-mail address, an E.164 phone number (or the
    digits read from words), or the address text as written. ``public`` marks what is
    public by nature: a role mailbox (info@, press@…), a toll-free, shared-cost or
    "universal access" number (premium-rate is left out: Britain's 09… premium range reads
    as a mobile in other regions). ``obfuscated`` marks a detail written to dodge filters.
    """

    kind: PiiKind
    start: int
    end: int
    value: str
    public: bool = False
    obfuscated: bool = False
    quoted: bool = False
    """In a quoted line (``> …``): someone's words reposted, not the author's own."""


# --------------------------------------------------------------------------- e-mail

# Mailboxes that belong to a role, not a person: a business's or organisation's public
# contact. A local part counts as a role when any of its parts ("ai-consultation",
# "model-feedback", "policy-team") is one of these.
ROLE_LOCAL_PARTS: Final = frozenset({
    "hello", "hi", "info", "information", "support", "help", "helpdesk", "press", "media",
    "contact", "contacts", "careers", "career", "jobs", "hiring", "talent", "recruiting",
    "team", "office", "admin", "feedback", "grants", "sales", "abuse", "security",
    "safety", "privacy", "dpo", "legal", "hr", "fellowships", "acquisitions",
    "partnerships", "events", "membership", "members", "noreply", "no-reply", "enquiries",
    "inquiries", "webmaster", "postmaster", "billing", "accounts", "community", "general",
    "editor", "editors", "tips", "newsroom", "lers", "report", "reports", "consultation",
    "submissions", "complaints", "service", "services", "volunteer", "volunteers",
    "donate", "donations", "comms", "communications", "marketing", "mail", "desk",
    "schedule", "scheduling", "booking", "bookings", "appointments", "reservations",
    "orders", "studio", "enquiry", "inquiry", "questions", "rsvp", "hosts", "organisers",
    "organizers",
})  # fmt: skip
_LOCAL_SPLIT_RE: Final = re.compile(r"[._+\-]")


def is_role_address(address: str) -> bool:
    """Whether an e-mail address is a role mailbox (``press@``, ``policy-team@``)."""
    local = address.partition("@")[0].lower()
    return local in ROLE_LOCAL_PARTS or any(
        part in ROLE_LOCAL_PARTS for part in _LOCAL_SPLIT_RE.split(local)
    )


# Addresses that stand for "an address here" in docs and jokes: nobody's data.
_PLACEHOLDER_LOCALS: Final = frozenset({
    "you", "your", "yourname", "your.name", "name", "firstname", "first.last",
    "firstname.lastname", "lastname", "myemail", "email", "me", "user", "username", "test",
    "foo", "bar", "someone", "somebody", "john.doe", "jane.doe", "johndoe", "janedoe", "xxx",
})  # fmt: skip
_PLACEHOLDER_DOMAINS: Final = frozenset({
    "domain.com", "yourdomain.com", "email.com", "test.com", "company.com", "mycompany.com",
    "example.invalid",
})  # fmt: skip


def _is_placeholder(address: str) -> bool:
    local, _, domain = address.lower().partition("@")
    return local in _PLACEHOLDER_LOCALS or domain in _PLACEHOLDER_DOMAINS


_WORD: Final = r"[A-Za-z0-9](?:[A-Za-z0-9_%+\-]*[A-Za-z0-9])?"
_BRACKET_AT: Final = r"\s*(?:\[\s*at\s*\]|\(\s*at\s*\)|\{\s*at\s*\}|<\s*at\s*>)\s*|\s+AT\s+"
_BRACKET_DOT: Final = (
    r"\s*(?:\[\s*dot\s*\]|\(\s*dot\s*\)|\{\s*dot\s*\}|<\s*dot\s*>)\s*|\s+DOT\s+|\s+dot\s+"
)
# With a bracketed (or capitalised) "at", any dot goes: "tom(at)mail.example". The
# top-level domain is lower case, so shouted prose ("CALL AT HOME. JESS") is no address.
_OBFUSCATED_EMAIL_RE: Final = re.compile(
    rf"(?<![\w.])(?P<local>{_WORD}(?:(?:\.|{_BRACKET_DOT}){_WORD})*)"
    rf"(?:{_BRACKET_AT})"
    rf"(?P<domain>{_WORD}(?:(?:\s?\.\s?|{_BRACKET_DOT}){_WORD})*(?:\s?\.\s?|{_BRACKET_DOT})[a-z]{{2,24}})"
    r"(?![\w@])"
)
# With a plain "at", the domain must spell its dots: "okafor at example dot com" or
# "j.okafor at example dot com", never "look at github.com" or "me at 5pm".
_SPELLED_EMAIL_RE: Final = re.compile(
    rf"(?<![\w.])(?P<local>{_WORD}(?:(?:\.|\s+dot\s+){_WORD})*)\s+at\s+"
    rf"(?P<domain>{_WORD}(?:\s+dot\s+{_WORD})*\s+dot\s+(?:com|org|net|edu|gov|io|co|ai|info|[a-z]{{2}}))"
    r"(?![\w@])",
    re.IGNORECASE,
)
_DOT_WORD_RE: Final = re.compile(
    r"\s*(?:\[\s*dot\s*\]|\(\s*dot\s*\)|\{\s*dot\s*\}|<\s*dot\s*>)\s*|\s+dot\s+|\s?\.\s?",
    re.IGNORECASE,
)
_HIDDEN_AT: Final = ("(at)", "[at]", "{at}", "<at>", "( at )", "[ at ]", " dot ")


def _may_hide_email(prose: str, lowered: str) -> bool:
    return " AT " in prose or contains_any(lowered, _HIDDEN_AT)


def _spelled_address(local: str, domain: str) -> str:
    return f"{_DOT_WORD_RE.sub('.', local)}@{_DOT_WORD_RE.sub('.', domain)}".lower()


# --------------------------------------------------------------------------- phone

# A run of digits and phone punctuation holding at least 7 digits; found before the
# (much slower) matcher is asked. Letters next to it are left for the matcher to judge.
_PHONE_CANDIDATE_RE: Final = re.compile(
    r"(?:\+|\b00)?\(?\d[\d \u00a0().\-/]{5,24}\d(?:\s?(?:ext\.?|x|#)\s?\d{1,5})?"
)
_CONTEXT = 4  # characters of context the matcher sees on each side of a candidate
_MIN_PHONE_DIGITS = 7
_DIGIT_RE: Final = re.compile(r"\d")
# Words that make a number an identifier, not a phone, when they come just before it
# ("Meeting ID: 841 5550 1923", "license number is 2270-66-1551").
_NOT_PHONE_BEFORE_RE: Final = re.compile(
    r"(?:\b(?:id|ids|order|orders|invoice|ticket|tickets|ref|reference|case|"
    r"tracking|doi|isbn|issn|arxiv|cve|version|ver|v|bill|h\.?r|regulation|directive|"
    r"section|art|article|code|passcode|pin|account|acct|iban|card|flight|booking|"
    r"confirmation|serial|model|sku|patent|docket|zoom|meeting|webinar|conference|"
    r"licen[cs]e|ssn|social\s+security|passport|tax|nin|ein|vat|routing|sort\s+code|"
    r"policy|membership|member|student|employee|customer|itin|aadhaar|nhs|"
    r"room|table|row|batch|build|commit|pr|issue|run|job|seed|hash|tx)\b"
    r"(?:\s*(?:number|num|no\.?|nr\.?|id|code|is|was|:|=|#))*\W{0,3}|[#$€£¥₹@])\s*$",
    re.IGNORECASE,
)
_PUBLIC_NUMBER_TYPES: Final = frozenset({
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.SHARED_COST,
    phonenumbers.PhoneNumberType.UAN,
})  # fmt: skip

_DIGIT_WORDS: Final = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_REPEAT_WORDS: Final = {"double": 2, "triple": 3}
_SPELLED_UNIT: Final = (
    r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple|\d{1,4})"
)
# Digit words (or short digit groups among them) separated by spaces, commas or hyphens;
# "area code" may sit inside the run.
_SPELLED_PHONE_RE: Final = re.compile(
    rf"\+?\b{_SPELLED_UNIT}(?:(?:[\s,\-.]+|[\s,]+area code[\s,]+){_SPELLED_UNIT})+\b",
    re.IGNORECASE,
)
# A spelled number needs several of these ("one" is left out: it is in every other word).
_DIGIT_WORD_HINTS: Final = (
    "zero", "oh ", "two", "three", "four", "five", "six", "seven", "eight", "nine",
)  # fmt: skip


def _spelled_digits(run: str) -> tuple[str, int]:
    """The digits a spelled run stands for, and how many came from words."""
    digits: list[str] = []
    from_words = 0
    repeat = 1
    for token in re.findall(r"[a-z]+|\d+", run.lower()):
        if token in _REPEAT_WORDS:
            repeat = _REPEAT_WORDS[token]
            continue
        if token.isdigit():
            digits.append(token * repeat if repeat > 1 and len(token) == 1 else token)
        elif token in _DIGIT_WORDS:
            digits.append(_DIGIT_WORDS[token] * repeat)
            from_words += repeat
        repeat = 1
    return "".join(digits), from_words


def _valid_in(candidate: str, region: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(candidate, region))
    except phonenumbers.NumberParseException:
        return False


# --------------------------------------------------------------------------- address

_UPPER: Final = r"[A-ZÀ-ÖØ-ÞĀ-ſ]"  # Latin capitals, with diacritics
_NAME_WORD: Final = rf"(?:{_UPPER}[\w'’.\-]*|(?:de|del|della|dei|degli|di|da|do|dos|das|du|des|la|le|el|al|y|van|von|der|den|het|of|the)(?=\s))"
_NAME: Final = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}"
_NUMBER_WORD: Final = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred)"
)
_HOUSE_NUMBER: Final = (
    rf"(?:\d{{1,5}}[A-Za-z]?(?:[-/]\d{{1,5}}[A-Za-z]?)?(?:\s+bis)?|"
    rf"(?:number\s+)?{_NUMBER_WORD}(?:[\s\-]+{_NUMBER_WORD}){{0,3}})"
)
# Street types written after the name ("Maple Ave", "Kent Ridge Crescent").
_TYPE_AFTER: Final = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Av|Lane|Ln|Drive|Dr|Boulevard|Blvd|Close|Crescent|"
    r"Cres|Terrace|Terr|Way|Court|Ct|Place|Pl|Mews|Row|Square|Sq|Highway|Hwy|Parkway|"
    r"Pkwy|Circle|Cir|Trail|Gardens|Grove|Walk|Hill|Rise|Estate|Cross|Main|Marg|Nagar|Park|Plaza|"
    r"Colony|Layout|Residency|Enclave|Honcho|Cho|Chome|Dori|Street East|Road East)\.?"
)
# Street types written before the name ("Rua Augusta", "Calle de Toledo", "ul. Tverskaya").
_TYPE_BEFORE: Final = (
    r"(?:Rua|Calle|C/|Carrer|Avenida|Avda\.?|Av\.?|Via|Viale|Piazza|Corso|Largo|Rue|"
    r"Avenue|Boulevard|Bd|Chemin|Quai|Jalan|Jln\.?|Jl\.?|ul\.|Odos|Carrera|Cra\.?|Cll\.?|"
    r"Travessa|Alameda|Estrada|Camino|Paseo|Plaza|Praça|Praca|Calzada|Ulica|Heol|Stræde)"
)
# Germanic and Nordic street names are one word ending in the type.
_COMPOUND_STREET: Final = (
    rf"{_UPPER}[\wäöüßæøå\-]*(?:straße|strasse|str\.|allee|weg|gasse|platz|damm|ring|"
    r"ufer|gracht|straat|laan|kade|gade|vej|gatan|vägen|veien|gata)"
)
_NON_LATIN_STREET: Final = (
    r"(?:ул\.|улица|пр\.|проспект)\s*[\w\-]+\s*\d{1,4}|"  # Russian
    r"[가-힣0-9]+(?:로|길)\s*\d{1,4}(?:-\d{1,4})?|"  # Korean
    r"[\u3040-\u30ff\u4e00-\u9fff]+[都道府県市区町村][\u3040-\u30ff\u4e00-\u9fff]*\d{1,4}(?:[-−]\d{1,4}){1,2}|"  # Japanese
    r"[\u10d0-\u10ff\-]+\s+(?:გამზირი|ქუჩა)\s*\d{1,4}"  # Georgian avenue / street
)

_STREET_RES: Final = (
    # "1187 Maple Ave", "Unit 4/22 Beach Rd", "3 bis avenue Jean Jaurès", "88 Jalan Ampang"
    re.compile(
        rf"(?<![\w.,/])(?:{_HOUSE_NUMBER}),?\s+(?:{_NAME}\s+{_TYPE_AFTER}|{_TYPE_BEFORE}\s+{_NAME}|(?:avenue|rue|via)\s+{_NAME})(?![\w])"
    ),
    # "Rua Augusta 1500", "Calle de Toledo 45", "Cra. 7 #45-23", "Lindenstr. fourteen"
    re.compile(
        rf"(?<![\w])(?:{_TYPE_BEFORE}\s+{_NAME}|{_COMPOUND_STREET}|{_NAME}\s+{_TYPE_AFTER}),?\s+(?:No\.?\s*|#\s?)?(?:{_HOUSE_NUMBER})(?:\s*#\s?\d{{1,4}}(?:-\d{{1,4}})?)?(?![\w])"
    ),
    # "2-14-7 Kichijoji Honcho": Japanese block-lot numbering before the district
    re.compile(rf"(?<![\w\-])\d{{1,2}}-\d{{1,2}}-\d{{1,3}}\s+{_NAME}"),
    re.compile(_NON_LATIN_STREET),
    # Colombian "Cra. 7 #45-23"
    re.compile(
        r"(?<![\w])(?:Cra|Carrera|Calle|Cl|Av|Avenida|Diagonal|Transversal)\.?\s*\d{1,3}[A-Z]?\s*(?:#|No\.?)\s*\d{1,3}[A-Z]?-\d{1,3}"
    ),
)
# A named street without a number ("Othaya Road", "Poplar Drive"): one point.
_STREET_NAME_RE: Final = re.compile(
    rf"(?<![\w])(?:{_NAME}\s+{_TYPE_AFTER}|{_TYPE_BEFORE}\s+{_NAME}|{_COMPOUND_STREET})(?![\w])"
)
_UNIT_RE: Final = re.compile(
    r"(?<![\w])(?:(?:Flat|Apt|Apartment|apartment|Unit|Suite|Ste|Apto|apto|ap|Apt\.|"
    r"House(?:\s+No\.?)?|H\.\s?No\.?|Plot|Plot\s+No\.?|Block|Sector|kv\.|кв\.|bina|ბინა)"
    r"\s*#?\d{1,5}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)*|"
    r"[A-Z]-\d{1,4}|#\d{1,3}-\d{1,4}|\d{1,2}(?:º|ª|\.)\s?(?:izq|dcha|der|th|tv|mf|sal)\.?|\d{2,4}호)"
    r"(?![\w])"
)
_POSTAL_STRONG_RE: Final = re.compile(
    # UK postcode; Canadian; US state + ZIP; Australian state + postcode; Japanese 〒;
    # Irish Eircode
    r"(?<![\w])(?:[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}|[A-Z]\d[A-Z]\s\d[A-Z]\d|"
    r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|"
    r"MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY),?\s+"
    r"\d{5}(?:-\d{4})?|(?:NSW|VIC|QLD|SA|WA|TAS|ACT|NT)\s+\d{4}|〒\s?\d{3}-\d{4}|"
    r"[AC-FHKNPRTV-Y]\d{2}\s?[AC-FHKNPRTV-Y0-9]{4})(?![\w])"
)
_CITY: Final = rf"{_UPPER}[\w\-]+(?:\s{_UPPER}[\w\-]+)?"
# A bare 3-6 digit code next to a capitalised place, after a comma or at a line start
# ("10969 Berlin", "1016 HK Amsterdam", "Singapore 119077", "Durban North, 4051"): one
# point, as "2023 Google" is no address.
_POSTAL_WEAK_RE: Final = re.compile(
    rf"(?:(?<=,\s)|^)(?:\d{{3}}\s?\d{{2}}|\d{{4,6}})(?:\s[A-Z]{{2}})?\s+{_CITY}|"
    rf"(?:(?<=,\s)|^){_CITY},?\s+(?:\d{{6}}|\d{{4,5}}|\d{{3}}-\d{{4}})(?![\w\-])",
    re.MULTILINE,
)
_WEAK_PART_RES: Final = (
    _STREET_NAME_RE,
    _UNIT_RE,
    _POSTAL_WEAK_RE,
    # "27 Tô Ngọc Vân": a number and a name, no street type
    re.compile(
        rf"(?<![\w.,/#\-]){_HOUSE_NUMBER}\s+{_UPPER}[\w\-]+(?:\s+{_UPPER}[\w\-]+){{0,3}}"
        r"(?:\s+\d{1,5}[A-Za-z]?)?(?=\s*(?:[,(]|\n|$))"
    ),
    # "5th Block", "3rd Cross": Indian layouts
    re.compile(
        r"(?<![\w])\d{1,2}(?:st|nd|rd|th)\s+(?:Block|Cross|Main|Stage|Phase|Sector)(?![\w])"
    ),
)
# What introduces an address ("lives on", "Address:"): a point only next to an address part.
_ADDRESS_LABEL_RE: Final = re.compile(
    r"(?<![\w])(?:address(?:\s+is)?|addr|lives\s+(?:at|on|in)|living\s+(?:at|on|in)|"
    r"staying\s+at|moved\s+to)\s*[:\-–—]?\s*(?=\S)",
    re.IGNORECASE,
)
# An address without a digit ("lives on Poplar Drive", "address: Lindenstr. fourteen")
# is looked for only after one of these words, so chat without digits stays cheap.
_ADDRESS_LABEL_WORDS: Final = ("lives", "living", "staying", "address", "moved")
_STREET_WORDS: Final = (
    "str.", "straße", "strasse", "street", " st ", " st.", "road", " rd", "lane", "avenue",
    " ave", "drive", "rua ", "calle ", "rue ", "via ",
)  # fmt: skip
_NUMBER_WORD_RE: Final = re.compile(rf"\b{_NUMBER_WORD}\b")


def _may_hold_wordy_address(prose: str, lowered: str) -> bool:
    """Whether a message without digits may still hold an address: after "lives on" or
    "address:", or a street with its number in words ("Lindenstr. fourteen")."""
    if contains_any(lowered, _ADDRESS_LABEL_WORDS) and _ADDRESS_LABEL_RE.search(prose):
        return True
    return contains_any(lowered, _STREET_WORDS) and bool(_NUMBER_WORD_RE.search(lowered))


# What may sit between two parts of one address: separators and up to three capitalised
# words (a district or city: "88 Harbord St, Toronto, ON M5S 1G5"), no sentence break.
_ADDRESS_GAP_RE: Final = re.compile(
    rf"[\s,;·—–\-]*(?:(?:{_UPPER}[\w\-]*\.?|ON|QC|BC)[\s,;·—–\-]*){{0,3}}"
)
_ADDRESS_GAP_MAX = 40
# The town after the last part belongs to the evidence: "…, apto 81, São Paulo".
_TRAILING_TOWN_RE: Final = re.compile(rf"(?:,[ \t]*{_CITY}){{1,2}}(?![\w\-])")
_ADDRESS_POINTS = 2  # points a cluster needs to count as an address


@dataclass(frozen=True, slots=True)
class _Part:
    start: int
    end: int
    points: int
    body: bool = True  # False for a label ("Address:"), which is no address on its own


def _address_parts(text: str) -> list[_Part]:
    parts: list[_Part] = []
    for pattern in _STREET_RES:
        parts.extend(_Part(m.start(), m.end(), 2) for m in pattern.finditer(text))
    parts.extend(_Part(m.start(), m.end(), 2) for m in _POSTAL_STRONG_RE.finditer(text))
    for pattern in _WEAK_PART_RES:
        parts.extend(_Part(m.start(), m.end(), 1) for m in pattern.finditer(text))
    parts.extend(_Part(m.start(), m.end(), 1, False) for m in _ADDRESS_LABEL_RE.finditer(text))
    return sorted(parts, key=lambda p: (p.start, -p.end))


def _cluster(text: str, parts: Sequence[_Part]) -> list[_Part]:
    """Join parts that touch or sit a separator apart; points of overlaps don't add up."""
    clusters: list[_Part] = []
    for part in parts:
        if clusters:
            last = clusters[-1]
            gap = text[last.end : part.start] if part.start > last.end else ""
            if part.start < last.end or _is_address_gap(gap):
                overlap = part.start < last.end
                points = max(last.points, part.points) if overlap else last.points + part.points
                clusters[-1] = _Part(
                    last.start, max(last.end, part.end), points, last.body or part.body
                )
                continue
        clusters.append(part)
    return clusters


def _is_address_gap(gap: str) -> bool:
    return (
        len(gap) <= _ADDRESS_GAP_MAX
        and "\n\n" not in gap
        and _ADDRESS_GAP_RE.fullmatch(gap) is not None
    )


# --------------------------------------------------------------------------- detector


class PiiDetector:
    """Finds contact details; ``regions`` are tried in order for national phone numbers."""

    __slots__ = ("regions",)

    def __init__(self, regions: Iterable[str] = DEFAULT_PHONE_REGIONS) -> None:
        self.regions: tuple[str, ...] = tuple(r.upper() for r in regions)
        if not self.regions:
            raise ValueError("at least one phone region is needed")
        unknown = [r for r in self.regions if r not in phonenumbers.SUPPORTED_REGIONS]
        if unknown:
            raise ValueError(f"unknown phone regions: {', '.join(unknown)}")

    def __repr__(self) -> str:
        return f"PiiDetector(regions={self.regions!r})"

    def find(self, slack: SlackText) -> tuple[PiiMatch, ...]:
        """Every contact detail in the prose and the quoted lines of ``slack``, ordered by
        position in plain."""
        found: list[PiiMatch] = [
            PiiMatch(
                "email",
                e.start,
                e.end,
                e.address.lower(),
                is_role_address(e.address),
                quoted=e.zone == "quote",
            )
            for e in slack.emails
            if e.zone in ("prose", "quote") and not _is_placeholder(e.address)
        ]
        for m in self._find_in(slack.prose):
            start, end = slack.prose_to_plain(m.start, m.end)
            if not any(start < f.end and f.start < end for f in found):
                found.append(PiiMatch(m.kind, start, end, m.value, m.public, m.obfuscated))
        for block_start, block_text in _quote_blocks(slack):
            for m in self._find_in(block_text):
                start, end = block_start + m.start, block_start + m.end
                if not any(start < f.end and f.start < end for f in found):
                    found.append(
                        PiiMatch(m.kind, start, end, m.value, m.public, m.obfuscated, True)
                    )
        return tuple(sorted(found, key=lambda m: m.start))

    def _find_in(self, prose: str) -> list[PiiMatch]:
        """Details typed in ``prose`` (phones, addresses, spelled-out e-mails), with spans
        in ``prose``."""
        found: list[PiiMatch] = []
        # Cheap tests first: most messages have no digit, no "[at]" and no street word,
        # and then cost a few microseconds.
        lowered = prose.lower()
        has_digit = _DIGIT_RE.search(prose) is not None
        if _may_hide_email(prose, lowered):
            found.extend(self._obfuscated_emails(prose))
        if has_digit:
            found.extend(self._phones(prose))
        if _count_all(lowered, _DIGIT_WORD_HINTS) >= 3:
            found.extend(self._spelled_phones(prose, found))
        if has_digit or _may_hold_wordy_address(prose, lowered):
            found.extend(self._addresses(prose, found))
        return found

    # -- e-mail

    def _obfuscated_emails(self, prose: str) -> list[PiiMatch]:
        out: list[PiiMatch] = []
        for pattern in (_OBFUSCATED_EMAIL_RE, _SPELLED_EMAIL_RE):
            for m in pattern.finditer(prose):
                if _overlaps(m.start(), m.end(), out):
                    continue
                address = _spelled_address(m.group("local"), m.group("domain"))
                if _is_placeholder(address):
                    continue
                out.append(
                    PiiMatch("email", m.start(), m.end(), address, is_role_address(address), True)
                )
        return out

    # -- phone

    def _phones(self, prose: str) -> list[PiiMatch]:
        out: list[PiiMatch] = []
        for candidate in _PHONE_CANDIDATE_RE.finditer(prose):
            # The matcher sees a little context, so it can reject "v2.14.3" or "$1,000".
            lo = max(candidate.start() - _CONTEXT, 0)
            window = prose[lo : candidate.end() + _CONTEXT]
            for m in self._match(candidate.group(), window):
                start, end = m.start + lo, m.end + lo
                if _overlaps(start, end, out) or _NOT_PHONE_BEFORE_RE.search(
                    prose[max(start - 24, 0) : start]
                ):
                    continue
                e164 = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
                public = phonenumbers.number_type(m.number) in _PUBLIC_NUMBER_TYPES
                out.append(PiiMatch("phone", start, end, e164, public))
        return out

    def _match(self, candidate: str, window: str) -> list[phonenumbers.PhoneNumberMatch]:
        """Matches in ``window`` for the first region where ``candidate`` reads as a valid
        number ("+CC" numbers read the same in any region). Parsing is much cheaper than
        matching, so the matcher only runs for regions where the parse succeeds."""
        if sum(c.isdigit() for c in candidate) < _MIN_PHONE_DIGITS:
            return []  # short codes and fragments ("1689" is valid in Germany)
        international = candidate.lstrip("(").startswith("+")
        for region in self.regions[:1] if international else self.regions:
            if not international and not _valid_in(candidate, region):
                continue
            found = [
                m
                for m in phonenumbers.PhoneNumberMatcher(
                    window, region, leniency=phonenumbers.Leniency.VALID
                )
                if sum(c.isdigit() for c in m.raw_string) >= _MIN_PHONE_DIGITS
            ]
            if found:
                return found
        return []

    def _spelled_phones(self, prose: str, taken: Sequence[PiiMatch]) -> list[PiiMatch]:
        out: list[PiiMatch] = []
        for m in _SPELLED_PHONE_RE.finditer(prose):
            digits, from_words = _spelled_digits(m.group())
            if (
                7 <= len(digits) <= 15
                and from_words >= 3
                and not _overlaps(m.start(), m.end(), taken)
            ):
                value = ("+" if m.group().startswith("+") else "") + digits
                out.append(PiiMatch("phone", m.start(), m.end(), value, obfuscated=True))
        return out

    # -- address

    def _addresses(self, prose: str, taken: Sequence[PiiMatch]) -> list[PiiMatch]:
        parts = [p for p in _address_parts(prose) if not _overlaps(p.start, p.end, taken)]
        out: list[PiiMatch] = []
        for cluster in _cluster(prose, parts):
            if cluster.body and cluster.points >= _ADDRESS_POINTS:
                # The evidence is the address itself, without the label that led to it.
                label = _ADDRESS_LABEL_RE.match(prose, cluster.start)
                start = label.end() if label else cluster.start
                town = _TRAILING_TOWN_RE.match(prose, cluster.end)
                stop = town.end() if town else cluster.end
                end = start + len(prose[start:stop].rstrip(" ,;.-—–"))
                text = " ".join(prose[start:end].split())
                out.append(PiiMatch("address", start, end, text))
        return out


def _quote_blocks(slack: SlackText) -> list[tuple[int, str]]:
    """Runs of consecutive quoted lines as (start in plain, text): the text is plain with
    everything outside the quotes (the ``>`` markers) blanked to spaces, so offsets carry
    over and a signature or address over several quoted lines reads as one."""
    blocks: list[tuple[int, str]] = []
    quotes = slack.quotes
    i = 0
    while i < len(quotes):
        j = i
        while j + 1 < len(quotes) and _QUOTE_JOIN_RE.fullmatch(
            slack.plain[quotes[j].end : quotes[j + 1].start]
        ):
            j += 1
        start, end = quotes[i].start, quotes[j].end
        chars = [" " if c != "\n" else c for c in slack.plain[start:end]]
        for q in quotes[i : j + 1]:
            chars[q.start - start : q.end - start] = q.text
        text = "".join(chars)
        if text.strip():
            blocks.append((start, text))
        i = j + 1
    return blocks


# What separates two quoted lines of one block: a line break and the next line's marker.
_QUOTE_JOIN_RE: Final = re.compile(r"\n?[ \t]*(?:&gt;|>)?[ \t]*")


def contains_any(text: str, words: Sequence[str]) -> bool:
    """Whether any of ``words`` is a substring of ``text``: the cheap test that runs before
    a regular expression (a plain loop: a generator costs more than the tests)."""
    for word in words:  # noqa: SIM110 - any() over a generator is twice as slow here
        if word in text:
            return True
    return False


def _count_all(text: str, words: Sequence[str]) -> int:
    total = 0
    for word in words:
        total += text.count(word)
    return total


def _overlaps(start: int, end: int, items: Iterable[PiiMatch | _Part]) -> bool:
    return any(start < item.end and item.start < end for item in items)
