"""Anonymous and organisation-only accounts: "Required to use your name - no anonymous
participants or organizations only".

Which name counts
-----------------
Slack shows ``display_name`` when it is set and ``real_name`` otherwise, but both are on
the member's profile for anyone who opens it. The rule asks members to *use their name*,
not to show it in every message, so an account passes when **either** field looks like a
personal name: "Priya Raman" with the display name "pr", or "dev_ninja42" with the
display name "Tomás Rivera", are fine. The account's score is the *lower* of the two
fields' scores (an empty field is ignored); both fields empty scores 1.0 ("empty name").
A display name cut from the real name ("RAII" for "Responsible AI Institute", "acme" for
"Acme Inc") adds no evidence of its own and is not counted.

What a field is reduced to first
--------------------------------
Pronouns ("(she/her)", "| she/ella |"), anything in brackets ("(ret.)", "[Example
Health]"), emoji, honorifics and ranks ("Dr.", "Prof.", "Lt. Col.", "Dato' Seri"),
post-nominals ("Jr", "PhD", "MPH", "Esq.") are removed, and the rest is cut at separators
(``|``, `` – ``, `` - ``, ``,``, ``@``) into segments: "Sam Lee | Policy @ Example Org"
gives "Sam Lee", "Policy" and "Example Org". The first segment is the name; a later one
counts only when it shows positive evidence of a name ("Acme Inc | Jordan"), so a name
followed by a role or an employer passes, while "Recruiting @ Example" does not. A legal
form after a comma ("Windsor Homes, Inc.") makes the whole field a company's.

What makes a segment not a personal name (score, reason)
--------------------------------------------------------
* nothing but emoji (0.95, "emoji only"); nothing but punctuation (0.95, "empty name");
  nothing but pronouns (0.95, "pronouns only");
* one letter (0.95, "single letter"); initials only, "J.K.", "JK", "cc" (0.85-0.93,
  "initials only");
* letters and digits in one word, "user1234", "dev_ninja42" (0.93, "handle with digits");
* a handle built from ordinary words: underscores or dots ("night_owl_",
  "the.responsible.one"), CamelCase ("TechPolicyFan"), run-together words
  ("quietobserver", "heroeshannibal"), a leading article ("The Privacy Paladin"),
  keyboard mashes (0.85-0.9, "handle");
* generic words: anonymous, guest, user, admin, test, lurker, enthusiast, citizen, job
  titles... in several languages and scripts, and ordinary English words with no name
  among them ("Night Owl", "Curious Mind") (0.88-0.95, "generic word");
* organisation words and legal forms: Inc, LLC, GmbH, S.A., Foundation, Institute,
  Ministry, Team, Labs, Office, Partners, and business nouns (Consulting, Realty,
  Hospital...) (0.88-0.93, "organisation name"), also in other scripts (株式会社, 재단,
  Министерство, مؤسسة) and German compounds ("Bundesministerium"); words that are also
  names (Press, Sales, Media, Charity, Church) count only when no given name stands beside
  them; a role e-mail address such as press@... counts too. A surname inside an
  organisation name is still organisation-only ("The Okafor Foundation", "Smith &
  Partners LLP"), but a freelancer's business under a full name ("Amara Okafor
  Consulting") scores 0.5: it names a person, and moderators can look;
* placeholders ("Jane Doe", "Erika Mustermann", "Fulano de Tal": 0.95, "placeholder
  name") and characters no real person is called ("Batman", "Mickey Mouse": 0.92,
  "character name").

What passes
-----------
Anything name-shaped: a given name or surname from the lexicon (faker's 80 locales and
the names-by-country set, see :mod:`moderation.names`), particles (van der, de la, bin,
al-, ní), hyphenated and long names, family-name-first order, lower case, ALL CAPS, and
word-like names ("Grace Hope", "Summer Rain"): a token found in the lexicon is evidence
for a person. A token *missing* from the lexicon is never evidence against: unknown
capitalised words score low (a mononym, or a name the lists lack). Names written in a
non-Latin script pass unless they are one of the listed generic or organisation words
("匿名", "аноним", "مجهول", "株式会社…"). Character names that are ordinary names
("Harry Potter", "Hermione Granger") pass: real people carry them; moderators decide.

Scores between 0.5 and 0.8 mark doubt that is not enough to nudge: a lone capitalised
English word ("Honey" is a US surname), a lone two-letter word in capitals that is also a
name ("LI"), an unknown capitalised compound ("Skynet"-like), words beside a name the
lexicon lacks.

``probablepeople`` (a CRF trained on US person and company records; optional: without the
package the policy runs on its lists alone) is one more signal. It reads many unfamiliar
personal names as companies ("Memory Chirwa"), so on its own it never crosses the
threshold, except when it finds a legal form; it also settles names joined by "&"
("Fleming & Ulkus" is a firm).

Known failure modes: handles in CJK or other unspaced scripts made of ordinary words
("暗号猫", "技术宅") pass, since such scripts have no word list here; run-together handles
with a word missing from the English list ("datadiva") and handles in other languages
("o_pensador") can pass; brand names with no organisation word ("Initech", "Google
DeepMind") pass; name-shaped pseudonyms ("Harry Potter", "Lone Wolf" aside) pass; real
surnames that are English words or organisation words can be flagged alone ("CHURCH",
"Sales"), and so can two-letter given names in capitals ("KA").

Scores are confidences that the account breaks the rule; the engine's default nudge
threshold is 0.80. Reasons are content-free and safe to log.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar, Final

from moderation.ids import PolicyId
from moderation.message import Account
from moderation.names import (
    ARTICLES,
    CHARACTERS,
    CONNECTORS,
    ENGLISH,
    GENERIC,
    GENERIC_PHRASES,
    GIVEN,
    HANDLE_WORDS,
    NAME_PREFIXES,
    NONLATIN_GENERIC,
    NONLATIN_HANDLE,
    NONLATIN_ORG,
    NONLATIN_ORG_ENDINGS,
    ORG_LEGAL,
    ORG_LEGAL_SHORT,
    ORG_PHRASES,
    ORG_STRONG,
    ORG_SUFFIXES,
    ORG_WEAK,
    PARTICLES,
    PLACEHOLDERS,
    PRONOUN_WORDS,
    RAW_TITLES,
    SOLE_TRADER,
    SUFFIXES,
    SURNAME,
    TITLE_PREFIXES,
    TITLES,
    Lexicon,
    compact,
    fold,
    is_latin_word,
    lexicon,
    split_words,
)
from moderation.policies.base import Assessment

__all__ = ["CLAUSE", "AnonymousAccountPolicy", "NameCheck", "check_name"]

CLAUSE: Final = "Required to use your name - no anonymous participants or organizations only"

MAX_NAME_CHARS: Final = 256
"""Longer profile names are judged on their start (Slack allows far fewer characters)."""

# Reasons (content-free).
EMPTY: Final = "empty name"
EMOJI: Final = "emoji only"
PRONOUNS: Final = "pronouns only"
LETTER: Final = "single letter"
INITIALS: Final = "initials only"
DIGITS: Final = "handle with digits"
HANDLE: Final = "handle"
GENERIC_WORD: Final = "generic word"
ORGANISATION: Final = "organisation name"
PLACEHOLDER: Final = "placeholder name"
CHARACTER: Final = "character name"
PERSON: Final = "personal name"


@dataclass(frozen=True, slots=True)
class NameCheck:
    """How sure we are that one profile name is NOT a personal name (0..1), and why."""

    score: float
    reason: str
    named: bool = False
    """Positive evidence of a name (a lexicon name, a non-Latin name), as opposed to
    merely nothing against it (an unknown capitalised word)."""


_PERSON_STRONG: Final = NameCheck(0.05, PERSON, named=True)
_PERSON: Final = NameCheck(0.15, PERSON, named=True)


# --------------------------------------------------------------------------- cleaning

_BRACKETS_RE: Final = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}|（[^（）]*）")
_OPEN_BRACKET_RE: Final = re.compile(r"[(\[{（].*$")
_QUOTED_RE: Final = re.compile(
    r"(?:(?<=\s)|^)[\"“”«][^\"“”«»]*[\"“”»](?=\s|$)|(?<=\s)['‘][^'‘’]*['’](?=\s)"
)
_EMAIL_RE: Final = re.compile(r"^[\w.+'-]+@[\w-]+(?:\.[\w-]+)+$")
_PRONOUN_SET_RE: Final = re.compile(r"(?<![\w/])[^\W\d_]+(?:\s*/\s*[^\W\d_]+)+(?![\w/])")
_SEPARATORS_RE: Final = re.compile(r"\s*(?:[|｜•·,;–—@]|\s[-/]\s|::)\s*")
_CAMEL_RE: Final = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|[^\W\d_]+")
_PART_SPLIT_RE: Final = re.compile(r"[_.\-+~]+")
_MASH_RE: Final = re.compile(r"(.)\1\1|asdf|sdfg|dfgh|fghj|ghjk|hjkl|qwer|zxcv|xcvb")
_VOWELS: Final = frozenset("aeiouy")
_DOTTED_RE: Final = re.compile(r"(?:[^\W\d_]\.){1,2}[^\W\d_]\.?")
_LEET_RE: Final = re.compile(r"[^\W\d_]\d+[^\W\d_]")

ROLE_MAILBOXES: Final = frozenset(
    split_words(
        """
        press info contact hello hi admin office team support media news jobs careers hr
        sales marketing noreply no-reply events help enquiries inquiries general
        membership partnerships comms communications pr webmaster postmaster billing
        accounts finance legal privacy security abuse feedback editor editorial newsroom
        community ops operations mail email
        """
    )
)


def _is_emoji_or_symbol(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat in ("So", "Sk", "Me", "Cs", "Co") or ch in "\ufe0e\ufe0f"


def _clean(raw: str) -> str:
    s = unicodedata.normalize("NFKC", raw)
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Cf")
    return " ".join(s.split())


def _strip_brackets(s: str) -> tuple[str, list[str]]:
    inside: list[str] = []
    while True:
        found = _BRACKETS_RE.findall(s)
        if not found:
            break
        inside.extend(f[1:-1] for f in found)
        s = _BRACKETS_RE.sub(" ", s)
    m = _OPEN_BRACKET_RE.search(s)
    if m:
        inside.append(m.group()[1:])
        s = s[: m.start()]
    return " ".join(s.split()), inside


def _strip_pronouns(s: str) -> tuple[str, bool]:
    found = False

    def drop(m: re.Match[str]) -> str:
        nonlocal found
        words = [fold(w) for w in re.split(r"\s*/\s*", m.group())]
        if words[0] in PRONOUN_WORDS and all(w in PRONOUN_WORDS or len(w) <= 5 for w in words):
            found = True
            return " "
        return m.group()

    s = _PRONOUN_SET_RE.sub(drop, s)
    tokens = s.split()
    if tokens and all(fold(t.strip(".,:;")) in PRONOUN_WORDS for t in tokens) and found:
        return "", True
    return " ".join(tokens), found


# --------------------------------------------------------------------------- tokens


def _letters(token: str) -> str:
    return "".join(ch for ch in token if ch.isalpha())


def _is_latin(token: str) -> bool:
    return is_latin_word(token)


def _strip_token(token: str) -> str:
    """Surrounding punctuation off; the dot of an initial ("J.") stays."""
    bare = token.strip(".,;:!?\"“”‘’'«»`*")
    if len(bare) == 1 and token.startswith(bare + "."):
        return bare + "."
    return bare


class _Judge:
    """Scores one profile name with a given lexicon (the committed one by default)."""

    def __init__(self, lex: Lexicon, use_probablepeople: bool = True) -> None:
        self.lex = lex
        self.use_probablepeople = use_probablepeople

    # ---- helpers over folded tokens

    def flags(self, folded: str) -> int:
        return self.lex.name_flags(folded)

    def is_word(self, folded: str) -> bool:
        return self.lex.is_word(folded) or folded in HANDLE_WORDS or folded in GENERIC

    def word_only(self, folded: str) -> bool:
        """An ordinary word that is not also a name."""
        return self.is_word(folded) and not self.flags(folded)

    # ---- entry point

    def check(self, raw: str) -> NameCheck | None:
        """None for an empty field (it does not count either way)."""
        s = _clean(raw[:MAX_NAME_CHARS])
        if not s:
            return None
        if _EMAIL_RE.match(s):
            local = s.split("@", 1)[0]
            if fold(local) in ROLE_MAILBOXES or compact(local) in ROLE_MAILBOXES:
                return NameCheck(0.92, ORGANISATION)
            return self.segment(local)
        had_symbols = any(_is_emoji_or_symbol(ch) for ch in s)
        s = " ".join("".join(" " if _is_emoji_or_symbol(ch) else ch for ch in s).split())
        if not any(ch.isalnum() for ch in s):
            return NameCheck(0.95, EMOJI if had_symbols else EMPTY)
        key = " ".join(fold(s).split())
        if key in GENERIC_PHRASES:
            return NameCheck(0.93, GENERIC_WORD)
        s, had_pronouns = _strip_pronouns(s)
        body, inside = _strip_brackets(s)
        # A quoted nickname inside a name ('Earl "The Goat" Manigault') is set aside
        # like a bracket; a name that is all quotes is judged by what is inside.
        unquoted = " ".join(_QUOTED_RE.sub(" ", body).split())
        if any(c.isalnum() for c in unquoted):
            body = unquoted
        segments = [seg for seg in _SEPARATORS_RE.split(body) if any(c.isalnum() for c in seg)]
        if not segments:
            # Only brackets (or pronouns) held anything: judge what was inside them.
            rest = [seg for i in inside for seg in _SEPARATORS_RE.split(_strip_pronouns(i)[0])]
            segments = [seg for seg in rest if any(c.isalnum() for c in seg)]
            if not segments:
                return NameCheck(0.95, PRONOUNS if had_pronouns else EMPTY)
        if len(segments) >= 2 and any(
            compact(seg) in ORG_LEGAL and len(compact(seg)) > 2 for seg in segments[1:]
        ):
            # "Windsor Homes, Inc.", "Krockey, Cowgill, Clark, Ltd": a legal form after a
            # comma makes the whole name a company's.
            return NameCheck(0.93, ORGANISATION)
        if (
            len(segments) >= 2
            and "&" in segments[-1]
            and all(len(seg.split()) <= 3 for seg in segments)
            and self._probablepeople_org(body)
        ):
            # "Daley, Debofsky & Bryant": surnames joined into a firm's name.
            return NameCheck(0.85, ORGANISATION)
        # The first segment is the name; a later one (a role, an employer) can only
        # rescue it by looking like a personal name itself ("Acme Inc | Jordan").
        best = self.segment(segments[0])
        for seg in segments[1:]:
            later = self.segment(seg)
            if later.named and later.score < min(best.score, 0.5):
                best = later
        return best

    # ---- one segment

    def segment(self, seg: str) -> NameCheck:
        key = " ".join(fold(seg).split())
        if key in GENERIC_PHRASES:
            return NameCheck(0.93, GENERIC_WORD)
        flat = compact(seg)
        if flat in PLACEHOLDERS:
            return NameCheck(0.95, PLACEHOLDER)
        if flat in CHARACTERS:
            return NameCheck(0.92, CHARACTER)
        raw_tokens = [t for t in (_strip_token(t) for t in seg.replace("&", " & ").split()) if t]
        tokens = self._strip_titles(raw_tokens)
        if not tokens:
            # Only a title or a post-nominal ("Dr.", "MPH").
            return NameCheck(0.88, GENERIC_WORD)
        if len(tokens) < len(raw_tokens) and len(tokens) == 1:
            # "Captain Compliance": a rank before an ordinary word is a persona.
            folded = fold(tokens[0])
            if self.word_only(folded) and tokens[0][:1].isupper():
                return NameCheck(0.9, HANDLE)
        if len(tokens) == 1:
            return self.single(tokens[0])
        check = self.multi(tokens)
        if (
            check.score < 0.8
            and ("&" in tokens or "and" in tokens)
            and self._probablepeople_org(seg)
        ):
            # "Fleming & Ulkus", "Johnson and Johnson": a firm, not one person.
            return NameCheck(0.85, ORGANISATION)
        return check

    def _strip_titles(self, tokens: list[str]) -> list[str]:
        out = list(tokens)
        while len(out) > 1:
            head = fold(out[0]).rstrip(".")
            if (
                head in TITLES
                or out[0].casefold() in RAW_TITLES
                or (head in TITLE_PREFIXES and fold(out[1]).rstrip(".") in TITLES)
            ):
                out.pop(0)
            else:
                break
        while out and (fold(out[-1]).rstrip(".") in SUFFIXES or compact(out[-1]) in SUFFIXES):
            out.pop()
        return out

    # ---- one word

    def single(self, token: str) -> NameCheck:
        letters = _letters(token)
        if not letters:
            return NameCheck(0.9, DIGITS)
        if not _is_latin(token):
            return self.nonlatin(token)
        has_digit = any(ch.isdigit() for ch in token)
        parts = self.parts(token)
        if has_digit:
            alpha = [p for p in parts if _letters(p) and not any(c.isdigit() for c in p)]
            if _LEET_RE.search(token):
                return NameCheck(0.93, DIGITS)
            if len(alpha) >= 2 and self.person_parts([fold(p) for p in alpha]) == len(alpha):
                return NameCheck(0.6, DIGITS)
            return NameCheck(0.93, DIGITS)
        if len(letters) == 1:
            return NameCheck(0.95, LETTER)
        if all(len(_letters(p)) == 1 for p in parts) and len(parts) >= 2:
            return NameCheck(0.93, INITIALS)
        folded = fold(token)
        flat = compact(token)
        if flat in GENERIC or folded in GENERIC:
            return NameCheck(0.95, GENERIC_WORD)
        if (
            flat in ORG_STRONG
            or flat in ORG_WEAK
            or (folded.endswith(ORG_SUFFIXES) and len(folded) >= 10 and not self.flags(folded))
        ):
            # "Engineering", "Marketing", "Sales"; "Charity" is a given name too.
            return NameCheck(0.6 if self.flags(folded) & GIVEN else 0.9, ORGANISATION)
        if len(parts) >= 2:
            return self.username([fold(p) for p in parts], token)
        if _MASH_RE.search(folded):
            return NameCheck(0.9, HANDLE)
        flags = self.flags(folded)
        if folded.rstrip(".") in TITLES and not flags:
            # A title with no name: "Prof", "Dr."
            return NameCheck(0.85, GENERIC_WORD)
        upper = token.isupper()
        if upper and len(letters) == 2:
            return NameCheck(0.7 if flags else 0.9, INITIALS)
        if flags:
            return NameCheck(0.1, PERSON, named=True)
        if upper and not _VOWELS & set(folded):
            return NameCheck(0.9, INITIALS)
        if upper and len(letters) <= 4:
            # An unknown short word in capitals: an acronym, or a name the lists lack
            # ("HEE", "KYM"): not enough on its own.
            return NameCheck(0.7, INITIALS)
        if token.islower() and len(letters) <= 3:
            return NameCheck(0.85, INITIALS)
        capitalised = token[:1].isupper()
        if self.is_word(folded):
            # One ordinary word. In lower case it is a handle ("overfit", "insider"); a
            # capitalised one may be a name the lexicon lacks ("Honey", "Numbers" are US
            # surnames), so it stays under the threshold unless a list above caught it.
            return NameCheck(0.75 if capitalised else 0.9, GENERIC_WORD)
        if not _VOWELS & set(folded):
            return NameCheck(0.85, HANDLE)
        pieces = self.segment_word(folded)
        if pieces is not None:
            if self.person_parts(pieces) >= len(pieces):
                return NameCheck(0.25, PERSON, named=True)
            if any(self.word_only(p) for p in pieces):
                return NameCheck(0.7 if capitalised else 0.88, HANDLE)
        return NameCheck(0.15 if capitalised else 0.35, PERSON)

    def parts(self, token: str) -> list[str]:
        """A token cut at separators and CamelCase humps, name prefixes kept whole."""
        out: list[str] = []
        for chunk in _PART_SPLIT_RE.split(token):
            if not chunk:
                continue
            if chunk[1:].islower() or chunk.isupper() or not chunk.isalnum():
                # Simple word, acronym, or an apostrophe name: no humps to find.
                humps = (
                    re.findall(r"\d+|[^\W\d]+", chunk)
                    if any(c.isdigit() for c in chunk)
                    else [chunk]
                )
            else:
                humps = self._split_acronym(_CAMEL_RE.findall(chunk))
                merged: list[str] = []
                for hump in humps:
                    if (
                        merged
                        and fold(merged[-1]) in NAME_PREFIXES
                        and merged[-1][:1].isupper()
                        and len(merged) == 1
                    ):
                        merged[-1] += hump
                    else:
                        merged.append(hump)
                humps = merged
            out.extend(h for h in humps if h)
        return out

    def _split_acronym(self, humps: list[str]) -> list[str]:
        """ "AIwatchdog" is read "A" + "Iwatchdog" by the CamelCase pattern; prefer the
        reading whose lower-case part is a known word or name ("AI" + "watchdog")."""
        out: list[str] = []
        for hump in humps:
            if (
                out
                and len(hump) >= 2
                and hump[0].isupper()
                and hump[1:].islower()
                and out[-1].isupper()
                and out[-1].isalpha()
            ):
                tail = fold(hump[1:])
                whole = fold(hump)
                if (self.is_word(tail) or self.flags(tail)) and not (
                    self.is_word(whole) or self.flags(whole)
                ):
                    out[-1] += hump[0]
                    out.append(hump[1:])
                    continue
            out.append(hump)
        return out

    def name_part(self, parts: list[str], i: int) -> bool:
        """Whether part i of a handle reads as a name: a lexicon name that is not a handle
        or generic word, or such a word in surname position after a plain name
        ("tom_reader"), or in given-name position before a plain surname ("dev_patel")."""
        p = parts[i]
        flags = self.flags(p)
        if len(p) < 2 or not flags:
            return False
        if p not in HANDLE_WORDS and p not in GENERIC:
            return True
        plain = [
            j
            for j, q in enumerate(parts)
            if j != i and self.flags(q) and q not in HANDLE_WORDS and q not in GENERIC
        ]
        if i == len(parts) - 1 and flags & SURNAME and plain:
            return True
        return i == 0 and bool(flags & GIVEN) and any(self.flags(parts[j]) & SURNAME for j in plain)

    def person_parts(self, folded_parts: list[str]) -> int:
        """How many parts read as a name: lexicon names, particles and initials (an
        initial counts only next to a lexicon name)."""
        named = [self.name_part(folded_parts, i) for i in range(len(folded_parts))]
        if not any(named):
            return 0
        return sum(
            1
            for p, n in zip(folded_parts, named, strict=True)
            if n or len(p) == 1 or p in PARTICLES
        )

    def username(self, parts: list[str], token: str) -> NameCheck:
        """A handle-shaped token ("tom_okafor", "night_owl_", "TechPolicyFan")."""
        if (
            len(parts) >= 2
            and any(p in ARTICLES and len(p) > 1 for p in parts)
            and not all(self.flags(p) for p in parts if p not in ARTICLES)
        ):
            return NameCheck(0.9, HANDLE)
        if any(p in GENERIC and not self.flags(p) for p in parts):
            return NameCheck(0.92, GENERIC_WORD)
        if any(p in ORG_STRONG for p in parts):
            return NameCheck(0.9, ORGANISATION)
        if self.person_parts(parts) == len(parts):
            return NameCheck(0.2, PERSON, named=True)
        if any(self.word_only(p) or p in HANDLE_WORDS for p in parts):
            return NameCheck(0.9, HANDLE)
        for p in parts:
            if self.flags(p) or self.is_word(p):
                continue
            pieces = self.segment_word(p)
            if (
                pieces
                and any(self.word_only(q) for q in pieces)
                and (self.person_parts(pieces) < len(pieces))
            ):
                # "dataninja_ke": a run-together part made of ordinary words.
                return NameCheck(0.88, HANDLE)
        if "_" in token:
            return NameCheck(0.6, HANDLE)
        # Unknown parts with dots or hyphens: a name the lexicon lacks ("kwabena.asante").
        return NameCheck(0.3, PERSON)

    def segment_word(self, word: str) -> list[str] | None:
        """Cut a run-together lower-case word into known pieces (names, words), fewest
        pieces first, preferring a reading made of names; None when there is none."""
        return _segment(word, self)

    # ---- several words

    def multi(self, tokens: list[str]) -> NameCheck:
        folded = [fold(t) for t in tokens]
        flats = [compact(t) for t in tokens]
        key = " ".join(folded)
        # Organisation words and legal forms ("Council" and "Charity" are also names:
        # those count as weak organisation words).
        strong = [
            i
            for i, (f, c) in enumerate(zip(folded, flats, strict=True))
            if (f in ORG_STRONG or c in ORG_STRONG)
            and (not self.flags(f) or (tokens[i].isupper() and len(tokens[i]) >= 2))
        ]
        weak = [
            i
            for i, (f, c) in enumerate(zip(folded, flats, strict=True))
            if (f in ORG_STRONG or c in ORG_STRONG or f in ORG_WEAK) and i not in strong
        ]
        if strong and strong[0] == len(tokens) - 1 and folded[-1] in SOLE_TRADER:
            head = folded[:-1]
            if (
                len(head) >= 2
                and self.flags(head[0]) & GIVEN
                and self.flags(head[-1]) & SURNAME
                and not any(self.word_only(f) for f in head)
            ):
                # "Amara Okafor Consulting": a freelancer's business under their own
                # full name names a person; left to moderators.
                return NameCheck(0.5, ORGANISATION)
        if strong or any(
            f.endswith(ORG_SUFFIXES) and len(f) >= 10 and not self.flags(f) for f in folded
        ):
            return NameCheck(0.93, ORGANISATION)
        padded = f" {key} "
        if any(f" {p} " in padded for p in ORG_PHRASES):
            return NameCheck(0.9, ORGANISATION)
        if flats[-1] in ORG_LEGAL and len(tokens) >= 2:
            short = flats[-1] in ORG_LEGAL_SHORT
            before = folded[-2]
            if not short or (
                (tokens[-1].isupper() or "." in tokens[-1] or tokens[-1] == "Oy")
                and not self.flags(before)
                and before not in PARTICLES
            ):
                return NameCheck(0.93, ORGANISATION)
        if any(c in ORG_LEGAL and len(c) > 2 for c in flats[1:-1]):
            return NameCheck(0.93, ORGANISATION)
        if any(
            c in ORG_LEGAL_SHORT and _DOTTED_RE.fullmatch(t)
            for t, c in zip(tokens[1:], flats[1:], strict=True)
        ) and not all(len(_letters(t)) <= 2 for t in tokens):
            # "S.A.", "B.V.", "e.V." written with dots (unlike a person's "A.B." initials,
            # which come with no other word or only other initials).
            return NameCheck(0.93, ORGANISATION)
        nonlatin = [t for t in tokens if not _is_latin(t)]
        if nonlatin:
            for t in nonlatin:
                c = self.nonlatin(t)
                if c.score >= 0.8:
                    return c
        if weak and not self._weak_org_is_name(tokens, folded, weak):
            return NameCheck(0.88, ORGANISATION)
        # Handles, digits and initials inside a longer name.
        for t in tokens:
            if _letters(t) and any(ch.isdigit() for ch in t):
                return NameCheck(0.9, DIGITS)
            if "_" in t:
                c = self.single(t)
                if c.score >= 0.8:
                    return c
        latin_letters = [_letters(t) for t in tokens if _is_latin(t)]
        if (
            latin_letters
            and len(latin_letters) == len(tokens)
            and all(len(x) <= 1 for x in latin_letters)
        ):
            return NameCheck(0.93, INITIALS)
        # Articles: "The Privacy Paladin", "Gandalf the Grey".
        raw = [t.casefold() for t in tokens]
        if raw[0] in ("the", "a", "an") and (tokens[0].islower() or raw[0] == "the"):
            return NameCheck(0.9, HANDLE)
        if raw[0] in ("der", "die", "das"):
            return NameCheck(0.85, HANDLE)
        if "the" in raw[1:-1]:
            return NameCheck(0.85, HANDLE)
        # Generic words: a generic word that is also a name counts as a name only beside
        # another name ("Dev Patel", "Tom Reader"); otherwise the name is generic.
        generic = [i for i, f in enumerate(folded) if f in GENERIC or flats[i] in GENERIC]
        if generic:
            others = [
                i
                for i, f in enumerate(folded)
                if i not in generic
                and f not in PARTICLES
                and (self.flags(f) or (tokens[i][:1].isupper() and not self.is_word(f)))
            ]
            real_generic = [i for i in generic if not (self.flags(folded[i]) and others)]
            if real_generic:
                if any(self.flags(folded[i]) & GIVEN for i in others):
                    return NameCheck(0.45, GENERIC_WORD)
                return NameCheck(0.92, GENERIC_WORD)
        content = [
            f
            for i, (t, f) in enumerate(zip(tokens, folded, strict=True))
            if _letters(f)
            and (f not in CONNECTORS or f in ("e", "y"))
            and (f not in PARTICLES or ((i == 0 or t[:1].isupper()) and self.flags(f)))
        ]
        # A word right after a particle is a surname: "bin Laden", "van Dyke", "de Gaulle".
        after_particle = {
            folded[i + 1]
            for i in range(len(folded) - 1)
            if folded[i] in PARTICLES and folded[i] not in ("e", "y", "i")
        }
        names = [f for f in content if self.flags(f) or f in after_particle]
        plain_words = [f for f in content if self.word_only(f) and f not in after_particle]
        unknown = [
            f
            for f in content
            if not self.flags(f) and not self.is_word(f) and f not in after_particle
        ]
        if not names:
            if plain_words and not unknown:
                return NameCheck(0.88, GENERIC_WORD)
            if plain_words:
                return self._with_probablepeople(" ".join(tokens), NameCheck(0.5, PERSON))
            # Capitalised words the lexicon lacks: name-shaped ("Kwabena Asante").
            return self._with_probablepeople(" ".join(tokens), NameCheck(0.15, PERSON, named=True))
        if (
            len([w for w in plain_words if len(w) >= 4]) >= 2
            and content
            and self.word_only(content[0])
            and len(content[0]) >= 4
            and not tokens[0].isupper()
        ):
            # "Responsible Tech Ronin": ordinary words lead, a name-like word trails.
            return NameCheck(0.85, GENERIC_WORD)
        if plain_words and not unknown:
            # Name-shaped word pairs: "Summer Rain", "Mickey Mouse". The given name must
            # be a common one where English is spoken for the pair to pass easily.
            if any(self.flags(f) & GIVEN and self.flags(f) & ENGLISH for f in names):
                return NameCheck(0.3, PERSON, named=True)
            return NameCheck(0.55, PERSON)
        if (
            len(names) >= 2
            and any(self.flags(f) & GIVEN for f in names)
            and any(self.flags(f) & SURNAME for f in names)
        ):
            return _PERSON_STRONG
        return _PERSON

    def _weak_org_is_name(self, tokens: list[str], folded: list[str], weak: list[int]) -> bool:
        """Whether the weak organisation words of a name are better read as names:
        "Maria Sales" (a surname after a given name), "Charity Korir" (a given name first),
        "Rhavi Sales" (a surname after a capitalised word the lexicon lacks)."""
        for i, f in enumerate(folded):
            if i in weak:
                continue
            flags = self.flags(f)
            if flags & GIVEN and f not in GENERIC and f not in HANDLE_WORDS:
                return True
        first, last = weak[0], weak[-1]
        if first == 0 and self.flags(folded[0]) & GIVEN and len(weak) == 1:
            rest = folded[1:]
            return bool(rest) and all(self.flags(f) or not self.is_word(f) for f in rest)
        if len(weak) == 1 and last == len(folded) - 1 and self.flags(folded[last]) & SURNAME:
            before = [t for t in tokens[:last] if _letters(t)]
            return bool(before) and all(
                t[:1].isupper() and not self.is_word(fold(t)) for t in before
            )
        return False

    def _probablepeople_org(self, text: str) -> bool:
        return self.use_probablepeople and _probablepeople(text)[0] == "Corporation"

    def _with_probablepeople(self, text: str, check: NameCheck) -> NameCheck:
        if not self.use_probablepeople:
            return check
        kind, labels = _probablepeople(text)
        if kind != "Corporation":
            return check
        if "CorporationLegalType" in labels:
            return NameCheck(max(check.score, 0.85), ORGANISATION)
        # probablepeople reads many unfamiliar personal names as companies ("Memory
        # Chirwa"): alone, its opinion raises the score but never past the threshold.
        bump = 0.25 if labels & _PP_ORG_LABELS else 0.15
        return NameCheck(max(check.score, min(check.score + bump, 0.75)), ORGANISATION)

    # ---- other scripts

    def nonlatin(self, token: str) -> NameCheck:
        folded = fold(token)
        if any(ch.isdigit() for ch in folded) and any(ch.isalpha() for ch in folded):
            return NameCheck(0.9, DIGITS)
        if "_" in folded:
            return NameCheck(0.88, HANDLE)
        if folded in NONLATIN_GENERIC:
            return NameCheck(0.93, GENERIC_WORD)
        if folded in NONLATIN_ORG:
            return NameCheck(0.93, ORGANISATION)
        stripped = folded.removeprefix("ال").removeprefix("ה")
        if stripped != folded and (stripped in NONLATIN_ORG or stripped in NONLATIN_GENERIC):
            return NameCheck(0.9, ORGANISATION if stripped in NONLATIN_ORG else GENERIC_WORD)
        if _is_unspaced_script(folded):
            if len(folded) >= 3 and folded.endswith(NONLATIN_ORG_ENDINGS):
                return NameCheck(0.9, ORGANISATION)
            if any(w in folded for w in _UNSPACED_ORG):
                return NameCheck(0.9, ORGANISATION)
            if any(w in folded for w in _UNSPACED_GENERIC):
                return NameCheck(0.9, GENERIC_WORD)
            if any(w in folded for w in _UNSPACED_HANDLE):
                return NameCheck(0.88, HANDLE)
        return NameCheck(0.1, PERSON, named=True)


_UNSPACED_PREFIXES: Final = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI")


def _is_unspaced_script(text: str) -> bool:
    """CJK, kana, Hangul and Thai: scripts where a name and a word run together."""
    return any(unicodedata.name(ch, "").startswith(_UNSPACED_PREFIXES) for ch in text)


# Words of the unspaced scripts, found inside a longer run ("ゲストユーザー", "示例科技有限公司").
_UNSPACED_ORG: Final = tuple(w for w in NONLATIN_ORG if len(w) >= 2 and _is_unspaced_script(w))
_UNSPACED_GENERIC: Final = tuple(
    w for w in NONLATIN_GENERIC if len(w) >= 2 and _is_unspaced_script(w)
)
_UNSPACED_HANDLE: Final = tuple(w for w in NONLATIN_HANDLE if _is_unspaced_script(w))


def _segment(word: str, judge: _Judge, max_pieces: int = 4) -> list[str] | None:
    n = len(word)
    if n < 5 or n > 40:
        return None

    def known(piece: str, start: int) -> bool:
        if len(piece) == 1:
            return start == 0
        if len(piece) < 3:
            return False
        return bool(judge.flags(piece)) or judge.is_word(piece)

    # best[i]: (pieces, non-name pieces) for word[:i], fewest pieces then most names.
    best: list[tuple[int, int, list[str]] | None] = [None] * (n + 1)
    best[0] = (0, 0, [])
    for i in range(1, n + 1):
        for j in range(max(0, i - 20), i):
            prev = best[j]
            if prev is None or prev[0] >= max_pieces:
                continue
            piece = word[j:i]
            if not known(piece, j):
                continue
            cand = (
                prev[0] + 1,
                prev[1] + (0 if judge.flags(piece) or len(piece) == 1 else 1),
                [*prev[2], piece],
            )
            cur = best[i]
            if cur is None or (cand[0], cand[1]) < (cur[0], cur[1]):
                best[i] = cand
    final = best[n]
    if final is None or final[0] < 2:
        return None
    return final[2]


# --------------------------------------------------------------------------- probablepeople

_PP_ORG_LABELS: Final = frozenset(
    {
        "CorporationLegalType",
        "CorporationNameOrganization",
        "CorporationNameBranchType",
        "CorporationCommitteeType",
        "CorporationNameAndCompany",
    }
)


@lru_cache(maxsize=4096)
def _probablepeople(text: str) -> tuple[str, frozenset[str]]:
    """probablepeople's reading: ("Person" | "Corporation" | "", labels); ("", ∅) when
    the package is not installed or cannot parse the text."""
    try:
        probablepeople = importlib.import_module("probablepeople")
    except ImportError:
        return "", frozenset()
    try:
        tagged, kind = probablepeople.tag(text)
    except Exception:  # RepeatedLabelError and the like: no opinion
        return "", frozenset()
    return str(kind), frozenset(str(label) for label in tagged)


# --------------------------------------------------------------------------- policy


def _is_derived_from(short: str, long: str) -> bool:
    """ "RAII" for "Responsible AI Institute", "ETT" for "Example Think Tank", "acme" for
    "Acme Inc", "priya" for "Priya Raman"."""
    letters = compact(short)
    if not letters:
        return False
    whole = compact(long)
    if letters == whole or (len(letters) >= 3 and whole.startswith(letters)):
        return True
    if letters in {compact(w) for w in long.split()}:
        return True
    if not 2 <= len(letters) <= 6:
        return False
    words = [w for w in long.replace("-", " ").split() if w[:1].isalnum()]
    for keep_connectors in (False, True):
        initials = "".join(
            fold(w) if w.isupper() and len(w) <= 4 else fold(w[0])
            for w in words
            if keep_connectors or fold(w) not in CONNECTORS
        )
        if letters == initials:
            return True
    return False


def check_name(name: str, lex: Lexicon | None = None) -> NameCheck | None:
    """Score one profile name (None when it is empty)."""
    return _Judge(lex or lexicon()).check(name)


class AnonymousAccountPolicy:
    """Flags accounts whose profile names name no person: anonymous labels, handles,
    initials, emoji, and organisation-only names. See the module docstring for the rule."""

    id: ClassVar[PolicyId] = PolicyId.ANONYMOUS_ACCOUNT
    clause: ClassVar[str] = CLAUSE

    def __init__(self, lex: Lexicon | None = None, *, use_probablepeople: bool = True) -> None:
        self._judge = _Judge(lex or lexicon(), use_probablepeople=use_probablepeople)

    def check_name(self, name: str) -> NameCheck | None:
        return self._judge.check(name)

    def evaluate_account(self, account: Account) -> Assessment | None:
        names = dict.fromkeys(n for n in (account.real_name, account.display_name) if n.strip())
        if len(names) == 2 and _is_derived_from(account.display_name, account.real_name):
            # "RAII" for "Responsible AI Institute", "acme" for "Acme Inc": the display
            # name is cut from the real name and adds no evidence of its own.
            del names[account.display_name]
        checks = [c for c in (self._judge.check(n) for n in names) if c is not None]
        if not checks:
            return Assessment(score=1.0, reason=EMPTY)
        best = min(checks, key=lambda c: c.score)
        return Assessment(score=round(best.score, 3), reason=best.reason)
