"""Message text: Slack markup, normalisation for matching, keyword folding, safe relaying.

Pure functions over strings: no Slack SDK, no database, no module state beyond compiled
regular expressions and constant tables.

Three views of one message, from the most faithful to the most aggressive:

``parse_slack_text(raw)``
    Slack's ``text`` field (entity-escaped, with ``<…>`` markup) to a :class:`SlackText`:
    ``plain`` (what a person reads), ``prose`` (``plain`` without code and quoted lines,
    which most policies ignore: quoting someone is not saying it) and the structured
    parts (links, mentions, broadcasts, e-mail addresses, code, quotes), each with its
    ``start``/``end`` offsets in ``plain``. ``prose_to_plain`` maps a span of ``prose``
    back to ``plain``.

``normalize(text)``
    NFKC, case folding, invisible and bidi control characters removed, whitespace
    collapsed. Meaning-preserving: fit for any matcher and for the classifier.

``fold(text)`` / ``fold_for_keywords(text)``
    ``normalize`` plus evasion folding, for keyword signals only: homoglyphs, diacritics,
    leetspeak and spaced-out letters. :class:`FoldedText` maps a span of the folded text
    back to the text it was folded from, so a keyword hit can be shown as evidence.
    :class:`KeywordSet` / :func:`contains_keyword` match keywords on word boundaries.

``escape_mrkdwn`` and ``excerpt`` prepare member text for relaying into Slack (a
moderator card, an audit report) without pinging anyone or forming links.

Folding rules and their false-positive guards (each has tests):

* Homoglyphs (``moderation._confusables``) are applied per word, and only when *every*
  letter of the word then becomes Latin: "раураl" (Cyrillic р, а, у) → "paypal" and
  "dоnаtе" → "donate", while Russian, Greek, Arabic, Devanagari or CJK words keep
  their letters. Diacritics are dropped from Latin letters only ("café" → "cafe";
  Devanagari vowel signs stay).
* Leetspeak (0→o 1→i 3→e 4→a 5→s 7→t, and @→a, $→s inside a word) is applied to a run
  of ``[a-z0-9@$]`` only when the run has at least two letters, no digit outside that
  set (so "covid19", "b2b", "i18n", "x86" stay), does not start with two digits
  ("100k", "2024plan") and is not a number with a short unit or ordinal suffix ("1st",
  "4th", "10am", "5km"), nor a code or name ending in a number ("SAVE20", "python311"),
  nor holds "$" before a digit ("US$50"). ``@`` folds only
  between two characters of the run (never a leading "@user"), ``$`` never as the first
  character (the Cash App tag "$name" survives). Numbers without letters ("$1,000",
  "3.5", "10:30") and e-mail addresses are never touched. Because "1" is i or l, keyword
  patterns treat ``i`` and ``l`` as one letter (this also catches "PayPaI" with a
  capital I).
* Spaced-out letters ("d.o.n.a.t.e", "g o f u n d m e", "d-o-n-a-t-e", "d. o. n. a.")
  are joined when at least four single characters are separated by the *same*
  separator (a space, or one of ``. - _ * · • | / ~ +`` with an optional space on
  either side), at least three of them are letters, and the run is not glued to a word
  or a separator on its left. So "e.g.", "U.S.", "a.m.", "J. R. R. Tolkien" (three
  initials), "U.S. J. R. R." (the run cannot start at "S."), phone numbers, dates and IP
  addresses are left alone; four initials ("A. B. C. D. Smith") do join, harmlessly.
* E-mail addresses are protected from both rules ("j0hn.d0e@example.com" stays).
"""

from __future__ import annotations

import re
import string
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal
from urllib.parse import urlsplit

from moderation._confusables import HOMOGLYPHS

__all__ = [
    "Broadcast",
    "BroadcastKind",
    "ChannelMention",
    "CodeSpan",
    "Email",
    "FoldedText",
    "KeywordMatch",
    "KeywordSet",
    "Link",
    "Quote",
    "SlackText",
    "UserMention",
    "UsergroupMention",
    "Zone",
    "contains_keyword",
    "escape_mrkdwn",
    "excerpt",
    "fold",
    "fold_for_keywords",
    "keyword_tokens",
    "normalize",
    "parse_slack_text",
    "unescape_entities",
]

Zone = Literal["prose", "code", "quote"]
"""Where a part sits: ordinary text, a code span/block, or a quoted line."""

BroadcastKind = Literal["here", "channel", "everyone"]

# (out_start, out_end, in_start, in_end): text[in_start:in_end] became out[out_start:out_end].
_Edit = tuple[int, int, int, int]


# --------------------------------------------------------------------------- parts


@dataclass(frozen=True, slots=True)
class Link:
    """A link: Slack markup ``<url|label>`` or a URL/domain typed in the text (``bare``).

    ``url`` is as written (entities unescaped; a bare ``example.com/x`` has no scheme).
    ``host`` is the lower-cased host name, ``domain`` the same without a leading
    ``www.`` (not reduced to the registrable domain: ``docs.example.com`` stays).
    ``start``/``end`` cover the rendered label (or URL) in ``SlackText.plain``.
    """

    url: str
    label: str | None
    host: str
    domain: str
    start: int
    end: int
    zone: Zone
    bare: bool = False


@dataclass(frozen=True, slots=True)
class UserMention:
    """``<@U123>`` or ``<@U123|name>``, rendered ``@user`` in ``plain``."""

    user_id: str
    label: str | None
    start: int
    end: int
    zone: Zone


@dataclass(frozen=True, slots=True)
class ChannelMention:
    """``<#C123|name>``, rendered ``#name`` (``#channel`` when Slack sent no name)."""

    channel_id: str
    name: str | None
    start: int
    end: int
    zone: Zone


@dataclass(frozen=True, slots=True)
class UsergroupMention:
    """``<!subteam^S123|@mods>``, rendered ``@mods`` (``@usergroup`` without a label)."""

    group_id: str
    handle: str | None
    start: int
    end: int
    zone: Zone


@dataclass(frozen=True, slots=True)
class Broadcast:
    """``<!here>``, ``<!channel>`` or ``<!everyone>``, rendered ``@here`` and so on."""

    kind: BroadcastKind
    start: int
    end: int
    zone: Zone


@dataclass(frozen=True, slots=True)
class Email:
    """An e-mail address: Slack's ``<mailto:a@b.c|a@b.c>`` or typed in the text (``bare``)."""

    address: str
    start: int
    end: int
    zone: Zone
    bare: bool = False


@dataclass(frozen=True, slots=True)
class CodeSpan:
    """Inline code or a code block; ``start``/``end`` exclude the backticks."""

    text: str
    start: int
    end: int
    block: bool


@dataclass(frozen=True, slots=True)
class Quote:
    """One quoted line (``> …``, or every line after ``>>>``), without its marker."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SlackText:
    """A parsed Slack message ``text``. All offsets index ``plain``."""

    raw: str
    plain: str
    prose: str
    links: tuple[Link, ...] = ()
    user_mentions: tuple[UserMention, ...] = ()
    channel_mentions: tuple[ChannelMention, ...] = ()
    usergroup_mentions: tuple[UsergroupMention, ...] = ()
    broadcasts: tuple[Broadcast, ...] = ()
    emails: tuple[Email, ...] = ()
    code: tuple[CodeSpan, ...] = ()
    quotes: tuple[Quote, ...] = ()
    # How prose was cut out of plain; read through prose_to_plain().
    prose_map: tuple[_Edit, ...] = field(default=(), repr=False)

    @property
    def quoted_text(self) -> str:
        """The quoted lines, one per line (what ``prose`` leaves out as quotation)."""
        return "\n".join(q.text for q in self.quotes)

    @property
    def user_ids(self) -> tuple[str, ...]:
        """Mentioned user ids, first mention first, without repeats."""
        return tuple(dict.fromkeys(m.user_id for m in self.user_mentions))

    @property
    def domains(self) -> tuple[str, ...]:
        """Domains of all links, first occurrence first, without repeats or blanks."""
        return tuple(dict.fromkeys(link.domain for link in self.links if link.domain))

    def prose_to_plain(self, start: int, end: int) -> tuple[int, int]:
        """Map the span ``prose[start:end]`` to the matching span of ``plain``."""
        return _map_span(self.prose_map, start, end)


# --------------------------------------------------------------------------- regexes

_ENTITY_RE: Final = re.compile(r"&(amp|lt|gt);")
_ENTITIES: Final = {"amp": "&", "lt": "<", "gt": ">"}
_BROADCASTS: Final[dict[str, BroadcastKind]] = {
    "here": "here",
    "channel": "channel",
    "everyone": "everyone",
    "group": "channel",  # the pre-2016 name of @channel in private channels
}

_CODE_BLOCK_RE: Final = re.compile(r"```(.*?)```", re.DOTALL)
# A markup token or an inline code span, whichever starts first.
_INLINE_RE: Final = re.compile(r"<(?P<markup>[^<>\n]*)>|`(?P<code>[^`\n]+)`")
_MARKUP_RE: Final = re.compile(r"<([^<>\n]*)>")
# At the start of a line: ">>>" (the rest of the message is quoted) or ">" (this line).
_QUOTE_RE: Final = re.compile(r"(?P<multi>(?:&gt;|>){3}) ?|(?:&gt;|>) ?")
_QUOTE_START_RE: Final = re.compile(r"(?:&gt;|>)")
_SCHEME_RE: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")

_LABEL: Final = r"[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?"
# Bare links and addresses are found from cheap triggers ("@", "://", a dot before a
# letter) and then matched anchored, so the cost follows the triggers, not the length.
_EMAIL_DOMAIN_RE: Final = re.compile(rf"(?:{_LABEL}\.)+[a-z]{{2,24}}(?![\w\-])", re.IGNORECASE)
_URL_TAIL_RE: Final = re.compile(r'[^\s<>"]+')
_DOT_LETTER_RE: Final = re.compile(r"\.[A-Za-z]")
_HOST_RE: Final = re.compile(
    rf"(?:{_LABEL}\.)+(?P<tld>[a-z]{{2,24}})(?![\w@\-])(?P<path>[/?#][^\s<>\"]*)?",
    re.IGNORECASE,
)
_EMAIL_LOCAL_CHARS: Final = frozenset(string.ascii_letters + string.digits + "._%+-")
_HOST_CHARS: Final = frozenset(string.ascii_letters + string.digits + ".-")
_URL_SCHEMES: Final = frozenset({"http", "https", "ftp"})
# TLDs accepted for a bare host with neither "www." nor a path. Slack links what it
# recognises itself, so this only backs up exports and unlinked text; file names such as
# "main.py", "README.md" or "run.sh" are not links, and ccTLDs that are English words
# (in, it, at, no, be, us) are left out: "I did it.it was" is a missing space.
# fmt: off
_COMMON_TLDS: Final = frozenset({
    "com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "io", "co", "me", "ly",
    "gg", "tv", "fm", "ai", "app", "dev", "page", "site", "online", "store", "shop", "xyz",
    "link", "live", "news", "blog", "tech", "cloud", "club", "art", "design", "studio",
    "agency", "money", "fund", "foundation", "charity", "gives", "finance", "capital",
    "network", "digital", "media", "social", "email", "world", "uk", "ca", "au", "nz", "ie",
    "de", "fr", "es", "nl", "ch", "se", "dk", "fi", "eu", "jp", "kr", "cn", "hk", "sg", "tw",
    "br", "mx", "ar", "za", "ng", "ke", "il", "ae",
})
# fmt: on
_URL_TRAILING: Final = ".,;:!?'\"*_~"
_CLOSERS: Final = {")": "(", "]": "[", "}": "{"}

# Invisible characters: the zero-width set U+200B-U+200F, U+2060-U+2064, U+FEFF, soft
# hyphen, the bidi controls U+202A-U+202E and U+2066-U+2069, plus other characters that
# render as nothing and only serve to split words: combining grapheme joiner, Arabic
# letter mark, Mongolian vowel separator, Hangul fillers, variation selectors and tags.
_INVISIBLE_RE: Final = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f\U000e0100-\U000e01ef]+"
)
_BIDI_RE: Final = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+")
# Whitespace that fold() rewrites: runs, non-space whitespace, leading/trailing space.
_WS_FOLD_RE: Final = re.compile(r"[^\S ]\s*| \s+|\A |\ \Z")
_NON_ASCII_RE: Final = re.compile(r"[^\x00-\x7f]+")
# Combining marks used on Latin letters: diacritics, and the overlays of "s̶t̶r̶i̶k̶e̶".
_LATIN_MARK_RANGES: Final = (
    (0x0300, 0x036F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
)
_LATIN_MARKS: Final = "".join(f"{chr(a)}-{chr(b)}" for a, b in _LATIN_MARK_RANGES)
# A word (word characters and Latin combining marks) holding a non-ASCII character;
# the lookbehind makes each word start the only place a match is tried.
_NON_ASCII_WORD_RE: Final = re.compile(
    rf"(?<![\w{_LATIN_MARKS}])[\w{_LATIN_MARKS}]*?(?![\x00-\x7f])[\w{_LATIN_MARKS}]"
    rf"[\w{_LATIN_MARKS}]*"
)
# Characters a word may hold and still fold to ASCII: ASCII, homoglyphs, Latin letters
# with diacritics (Latin-1 Supplement to Latin Extended-B, Latin Extended Additional)
# and the Latin combining marks. Any other character leaves the word alone.
_UNFOLDABLE_RE: Final = re.compile(
    "[^\x00-\x7f\u00c0-\u024f\u1e00-\u1eff"
    + _LATIN_MARKS
    + re.escape("".join(sorted(HOMOGLYPHS)))
    + "]"
)
# For a word in NFD: homoglyphs to their Latin letter, Latin combining marks deleted,
# ASCII kept (listed, so that translate() never misses).
_FOLD_TABLE: Final[Mapping[int, str | None]] = MappingProxyType(
    {
        **{cp: chr(cp) for cp in range(128)},
        **{ord(k): v for k, v in HOMOGLYPHS.items()},
        **dict.fromkeys((cp for a, b in _LATIN_MARK_RANGES for cp in range(a, b + 1)), None),
    }
)
_SPACING: Final = r".\-_*·•|/~+"  # separators of spaced-out letters, besides a space
# Four or more single characters split by one repeated separator, not glued to a word or
# to another separator on the left (so "U.S. J. R. R." does not start a run at "S").
_SPACED_RE: Final = re.compile(
    rf"(?<![\w@${_SPACING}])[a-z0-9@$](?P<sep> ?[{_SPACING}] ?| )"
    r"(?:[a-z0-9@$](?P=sep)){2,}[a-z0-9@$](?![\w@$])"
)
_LEET_TRIGGER_RE: Final = re.compile(r"[013457@$]")
_LEET_TOKEN_CHARS: Final = frozenset(string.ascii_lowercase + string.digits + "@$")
_LEET_TOKEN_RE: Final = re.compile(r"[a-z0-9@$]*")
_LEET_SKIP_RE: Final = re.compile(r"[2689]|\A\d\d|\A\d+[a-z]{1,3}\Z|\A[a-z]+\d\d+\Z|\$\d")
_LEET_DIGITS: Final = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"}
_ASCII_LOWER: Final = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_TOKEN_RE: Final = re.compile(r"\w+")
_KEYWORD_SEPARATORS: Final = frozenset(" .-_")


# --------------------------------------------------------------------------- Slack markup


def unescape_entities(text: str) -> str:
    """Undo Slack's escaping (``&amp;`` ``&lt;`` ``&gt;`` only), in one pass.

    ``&amp;lt;`` becomes ``&lt;``, not ``<``: what the member typed was "&lt;".
    """
    if "&" not in text:
        return text
    return _ENTITY_RE.sub(lambda m: _ENTITIES[m.group(1)], text)


def parse_slack_text(raw: str) -> SlackText:
    """Parse Slack's ``text`` field (entity-escaped mrkdwn with ``<…>`` markup).

    ``plain`` renders markup (links as their label or URL, ``@user`` for user
    mentions, ``#name`` for channels, ``@here``/``@channel``/``@everyone``, user group
    handles, date fallbacks) and unescapes entities; mrkdwn formatting characters
    (``*`` ``_`` ``~`` backticks, a leading ``>``) are kept as typed. ``prose`` is
    ``plain`` with code (inline and blocks, backticks included) and quoted lines
    removed.
    """
    builder = _Builder()
    pos = 0
    for m in _CODE_BLOCK_RE.finditer(raw):
        builder.region(raw[pos : m.start()], at_line_start=pos == 0 or raw[pos - 1] == "\n")
        builder.code_block(m.group(1))
        pos = m.end()
    builder.region(raw[pos:], at_line_start=pos == 0 or raw[pos - 1] == "\n")
    return builder.finish(raw)


class _Builder:
    """Accumulates ``plain`` and the parts found while walking a message."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.pos = 0
        self.in_multi_quote = False
        self.links: list[Link] = []
        self.users: list[UserMention] = []
        self.channels: list[ChannelMention] = []
        self.groups: list[UsergroupMention] = []
        self.broadcasts: list[Broadcast] = []
        self.emails: list[Email] = []
        self.code: list[tuple[int, int, bool]] = []
        self.quotes: list[tuple[int, int]] = []
        self.excluded: list[tuple[int, int, str]] = []  # plain ranges left out of prose

    def emit(self, text: str) -> tuple[int, int]:
        start = self.pos
        if text:
            self.chunks.append(text)
            self.pos += len(text)
        return start, self.pos

    # -- structure

    def region(self, text: str, *, at_line_start: bool) -> None:
        """Text between code blocks: lines, quote markers, inline code and markup."""
        for i, line in enumerate(text.split("\n")):
            if i:
                self.emit("\n")
            self.line(line, at_line_start=at_line_start or i > 0)

    def line(self, line: str, *, at_line_start: bool) -> None:
        if not self.in_multi_quote and not (at_line_start and _QUOTE_START_RE.match(line)):
            self.inline(line, "prose")
            return
        line_start = self.pos
        if not self.in_multi_quote:
            m = _QUOTE_RE.match(line)
            assert m is not None  # _QUOTE_RE matches wherever _QUOTE_START_RE does
            self.emit(unescape_entities(m.group()))
            if m.group("multi"):
                self.in_multi_quote = True
            line = line[m.end() :]
        start = self.pos
        self.inline(line, "quote")
        if self.pos > start:
            self.quotes.append((start, self.pos))
        if self.pos > line_start:
            self.excluded.append((line_start, self.pos, ""))

    def code_block(self, content: str) -> None:
        zone: Zone = "quote" if self.in_multi_quote else "code"
        start, _ = self.emit("```")
        content_start = self.pos
        self.rich(content, zone)
        content_end = self.pos
        self.emit("```")
        self.code.append((content_start, content_end, True))
        if zone == "quote" and content_end > content_start:
            self.quotes.append((content_start, content_end))
        self.excluded.append((start, self.pos, " "))

    def inline(self, text: str, zone: Zone) -> None:
        pos = 0
        for m in _INLINE_RE.finditer(text):
            self.text(text[pos : m.start()], zone)
            code = m.group("code")
            if code is None:
                self.markup(m.group("markup"), zone)
            else:
                start, content_start = self.emit("`")
                self.rich(code, "quote" if zone == "quote" else "code")
                content_end = self.pos
                self.emit("`")
                self.code.append((content_start, content_end, False))
                if zone != "quote":
                    self.excluded.append((start, self.pos, " "))
            pos = m.end()
        self.text(text[pos:], zone)

    def rich(self, text: str, zone: Zone) -> None:
        """Markup and text, no code detection (inside code)."""
        pos = 0
        for m in _MARKUP_RE.finditer(text):
            self.text(text[pos : m.start()], zone)
            self.markup(m.group(1), zone)
            pos = m.end()
        self.text(text[pos:], zone)

    # -- leaves

    def text(self, escaped: str, zone: Zone) -> None:
        if not escaped:
            return
        text = unescape_entities(escaped)
        offset, _ = self.emit(text)
        if "." in text or "@" in text:
            self.bare(text, offset, zone)

    def bare(self, text: str, offset: int, zone: Zone) -> None:
        emails = _find_emails(text)
        for start, end in emails:
            self.emails.append(Email(text[start:end], offset + start, offset + end, zone, True))
        urls = _find_urls(text)
        taken = sorted(emails + urls)
        found = [(start, end, _host_of(text[start:end])) for start, end in urls]
        for start, end in _find_hosts(text):
            if not _overlaps(start, end, taken):
                found.append((start, end, _host_of("//" + text[start:end])))
        for start, end, host in sorted(found):
            self.links.append(
                Link(
                    text[start:end],
                    None,
                    host,
                    _strip_www(host),
                    offset + start,
                    offset + end,
                    zone,
                    True,
                )
            )

    def markup(self, content: str, zone: Zone) -> None:
        head = content[:1]
        if head == "@":
            user_id, _, label = content[1:].partition("|")
            start, end = self.emit("@user")
            self.users.append(
                UserMention(user_id, unescape_entities(label) or None, start, end, zone)
            )
        elif head == "#":
            channel_id, _, label = content[1:].partition("|")
            name = unescape_entities(label) or None
            start, end = self.emit("#" + (name or "channel"))
            self.channels.append(ChannelMention(channel_id, name, start, end, zone))
        elif head == "!":
            self.special(content[1:], zone)
        else:
            target, _, label_text = content.partition("|")
            url = unescape_entities(target)
            link_label = unescape_entities(label_text) or None
            if not _SCHEME_RE.match(url):
                # Not Slack markup (Slack escapes a typed "<"): keep it as text.
                self.text("&lt;" + content + "&gt;", zone)
            elif url[:7].lower() == "mailto:":
                address = url[7:].split("?", 1)[0]
                start, end = self.emit(link_label or address)
                self.emails.append(Email(address, start, end, zone))
            else:
                start, end = self.emit(link_label or url)
                host = _host_of(url)
                self.links.append(Link(url, link_label, host, _strip_www(host), start, end, zone))

    def special(self, body: str, zone: Zone) -> None:
        command, _, label_text = body.partition("|")
        label = unescape_entities(label_text)
        kind = _BROADCASTS.get(command)
        if kind is not None:
            start, end = self.emit("@" + kind)
            self.broadcasts.append(Broadcast(kind, start, end, zone))
        elif command.startswith("subteam^"):
            shown = label if label.startswith("@") else "@" + (label or "usergroup")
            start, end = self.emit(shown)
            self.groups.append(
                UsergroupMention(command[len("subteam^") :], label or None, start, end, zone)
            )
        else:
            # <!date^…|fallback> and anything newer: Slack's fallback text.
            self.emit(label)

    def finish(self, raw: str) -> SlackText:
        plain = "".join(self.chunks)
        prose, prose_map = _cut(plain, self.excluded)
        return SlackText(
            raw=raw,
            plain=plain,
            prose=prose,
            links=tuple(self.links),
            user_mentions=tuple(self.users),
            channel_mentions=tuple(self.channels),
            usergroup_mentions=tuple(self.groups),
            broadcasts=tuple(self.broadcasts),
            emails=tuple(self.emails),
            code=tuple(CodeSpan(plain[s:e], s, e, block) for s, e, block in self.code),
            quotes=tuple(Quote(plain[s:e], s, e) for s, e in self.quotes),
            prose_map=prose_map,
        )


def _trim_url(url: str) -> str:
    """Drop sentence punctuation after a URL, and closing brackets it did not open."""
    while url:
        last = url[-1]
        unbalanced = last in _CLOSERS and url.count(_CLOSERS[last]) < url.count(last)
        if last not in _URL_TRAILING and not unbalanced:
            break
        url = url[:-1]
    return url


def _host_of(url: str) -> str:
    """Lower-cased host of ``url``; "" for schemes without one (``tel:``, ``slack:``…)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".")


def _strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _find_emails(text: str) -> list[tuple[int, int]]:
    """Spans of e-mail addresses, found from each "@" (local parts up to 64 chars)."""
    spans: list[tuple[int, int]] = []
    at = text.find("@")
    while at != -1:
        start = at
        floor = max(at - 64, spans[-1][1] if spans else 0)
        while start > floor and text[start - 1] in _EMAIL_LOCAL_CHARS:
            start -= 1
        m = None
        if start < at and (start == 0 or not _is_word_char(text[start - 1])):
            m = _EMAIL_DOMAIN_RE.match(text, at + 1)
        if m is not None:
            spans.append((start, m.end()))
            at = text.find("@", m.end())
        else:
            at = text.find("@", at + 1)
    return spans


def _find_urls(text: str) -> list[tuple[int, int]]:
    """Spans of http(s)/ftp URLs typed in text, trailing punctuation left out."""
    spans: list[tuple[int, int]] = []
    sep = text.find("://")
    while sep != -1:
        start = sep
        while start > max(sep - 5, 0) and text[start - 1].isascii() and text[start - 1].isalpha():
            start -= 1
        tail = _URL_TAIL_RE.match(text, sep + 3)
        if (
            tail is not None
            and text[start:sep].lower() in _URL_SCHEMES
            and (start == 0 or not _is_word_char(text[start - 1]))
        ):
            end = start + len(_trim_url(text[start : tail.end()]))
            if end > sep + 3:
                spans.append((start, end))
            sep = text.find("://", tail.end())
        else:
            sep = text.find("://", sep + 3)
    return spans


def _find_hosts(text: str) -> list[tuple[int, int]]:
    """Spans of ``host.tld`` or ``host.tld/path`` typed without a scheme.

    A host needs a path, a ``www.`` prefix or a TLD in ``_COMMON_TLDS`` (not written
    "Title" case: "did.In the end" is a missing space).
    """
    spans: list[tuple[int, int]] = []
    floor = 0
    for dot in _DOT_LETTER_RE.finditer(text):
        if dot.start() < floor:
            continue
        start = dot.start()
        while start > 0 and text[start - 1] in _HOST_CHARS:
            start -= 1
        end = dot.start() + 1
        while end < len(text) and text[end] in _HOST_CHARS:
            end += 1
        floor = end  # every dot of this token starts the same (failed or done) match
        if start == dot.start() or (
            start > 0 and (_is_word_char(text[start - 1]) or text[start - 1] in "@/:")
        ):
            continue
        m = _HOST_RE.match(text, start)
        if m is None:
            continue
        path = _trim_url(m.group("path") or "")
        tld = m.group("tld")
        if (
            path
            or text[start : start + 4].lower() == "www."
            or (tld.lower() in _COMMON_TLDS and not tld.istitle())
        ):
            spans.append((start, m.start("tld") + len(tld) + len(path)))
            floor = max(floor, m.end())
    return spans


def _cut(text: str, ranges: Sequence[tuple[int, int, str]]) -> tuple[str, tuple[_Edit, ...]]:
    """Replace sorted, disjoint ``(start, end, replacement)`` ranges of ``text``."""
    if not ranges:
        return text, ()
    pieces: list[str] = []
    edits: list[_Edit] = []
    pos = out = 0
    for start, end, replacement in ranges:
        pieces.append(text[pos:start])
        out += start - pos
        edits.append((out, out + len(replacement), start, end))
        pieces.append(replacement)
        out += len(replacement)
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces), tuple(edits)


# --------------------------------------------------------------------------- offset maps


def _map_start(edits: Sequence[_Edit], pos: int) -> int:
    i = bisect_right(edits, pos, key=lambda e: e[0]) - 1
    if i < 0:
        return pos
    _, out_end, in_start, in_end = edits[i]
    if pos < out_end:
        return in_start
    return in_end + (pos - out_end)


def _map_end(edits: Sequence[_Edit], pos: int) -> int:
    i = bisect_left(edits, pos, key=lambda e: e[0]) - 1
    if i < 0:
        return pos
    _, out_end, _, in_end = edits[i]
    if pos <= out_end:
        return in_end
    return in_end + (pos - out_end)


def _map_span(edits: Sequence[_Edit], start: int, end: int) -> tuple[int, int]:
    if not edits:
        return start, end
    mapped_start = _map_start(edits, start)
    return mapped_start, max(mapped_start, _map_end(edits, end))


def _sub(
    pattern: re.Pattern[str], text: str, replace: Callable[[re.Match[str]], str]
) -> tuple[str, tuple[_Edit, ...]]:
    """``pattern.sub`` that also records where each replacement went."""
    pieces: list[str] = []
    edits: list[_Edit] = []
    pos = out = 0
    for m in pattern.finditer(text):
        new = replace(m)
        start, end = m.span()
        if new == m.group():
            continue
        pieces.append(text[pos:start])
        out += start - pos
        edits.append((out, out + len(new), start, end))
        pieces.append(new)
        out += len(new)
        pos = end
    if not edits:
        return text, ()
    pieces.append(text[pos:])
    return "".join(pieces), tuple(edits)


# --------------------------------------------------------------------------- normalisation


def normalize(text: str) -> str:
    """NFKC, case folding, invisible/bidi characters removed, whitespace collapsed.

    Keeps meaning: no homoglyph, leetspeak or spacing folding (see
    :func:`fold_for_keywords`). Zero-width joiners are removed too, as asked for
    matching; that also splits emoji ZWJ sequences and Persian/Indic ZWNJ, harmlessly.
    """
    if text.isascii():
        s = text.lower()
    else:
        s = unicodedata.normalize("NFKC", _INVISIBLE_RE.sub("", text)).casefold()
        if not unicodedata.is_normalized("NFKC", s):
            s = unicodedata.normalize("NFKC", s)
    return " ".join(s.split())


@dataclass(frozen=True, slots=True)
class FoldedText:
    """Text folded for keyword matching, able to map its spans back to the source."""

    text: str
    source: str
    passes: tuple[tuple[_Edit, ...], ...] = field(default=(), repr=False)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Map ``self.text[start:end]`` to the span of ``self.source`` it came from."""
        for edits in reversed(self.passes):
            start, end = _map_span(edits, start, end)
        return start, end


def fold(text: str) -> FoldedText:
    """Fold ``text`` for keyword signals, keeping the way back to ``text``.

    Steps: invisible characters removed; NFKC (full-width, mathematical, circled,
    superscript letters); homoglyphs and Latin diacritics per word; case folding;
    whitespace collapsed; spaced-out letters joined; leetspeak. The module docstring
    gives the guards. Not for display, and not for money/phone/e-mail detection: run
    those on ``plain`` or :func:`normalize`.
    """
    passes: list[tuple[_Edit, ...]] = []
    s = text

    def step(pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> None:
        nonlocal s
        s, edits = _sub(pattern, s, replace)
        if edits:
            passes.append(edits)

    if s.isascii():  # every invisible character is outside ASCII
        s = s.lower()
    else:
        step(_INVISIBLE_RE, lambda m: "")
        if not unicodedata.is_normalized("NFKC", s):
            step(_NON_ASCII_RE, lambda m: unicodedata.normalize("NFKC", m.group()))
        step(_NON_ASCII_WORD_RE, lambda m: _fold_word(m.group()))
        lowered = s.casefold()
        if len(lowered) == len(s):  # casefold never shrinks, so this is char for char
            s = lowered
        else:
            step(_NON_ASCII_RE, lambda m: m.group().casefold())
            s = s.translate(_ASCII_LOWER)
    if s != " ".join(s.split()):
        step(_WS_FOLD_RE, _fold_space)
    emails = _find_emails(s)
    step(_SPACED_RE, lambda m: _join_spaced(m, emails))
    s, edits = _unleet_all(s)
    if edits:
        passes.append(edits)
    return FoldedText(s, text, tuple(passes))


def fold_for_keywords(text: str) -> str:
    """:func:`fold` without the offset map: the string keyword signals match on."""
    return fold(text).text


def keyword_tokens(text: str) -> list[str]:
    """The words of ``fold_for_keywords(text)``."""
    return _TOKEN_RE.findall(fold_for_keywords(text))


def _fold_word(word: str) -> str:
    """``word`` with homoglyphs and Latin diacritics folded, if it then is all ASCII.

    A word with a letter of another script (Привет, 日本語, नमस्ते) is returned as is.
    """
    if _UNFOLDABLE_RE.search(word):
        return word
    folded = unicodedata.normalize("NFD", word).translate(_FOLD_TABLE)
    return folded if folded.isascii() else word


def _fold_space(m: re.Match[str]) -> str:
    return "" if m.start() == 0 or m.end() == len(m.string) else " "


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _join_spaced(m: re.Match[str], emails: Sequence[tuple[int, int]]) -> str:
    run = m.group()
    if emails and _overlaps(m.start(), m.end(), emails):
        return run
    sep = m.group("sep")
    chars = run[:: len(sep) + 1]
    if sum(c.isalpha() for c in chars) < 3:
        return run
    return chars


def _unleet_all(text: str) -> tuple[str, tuple[_Edit, ...]]:
    """Leetspeak pass: each run of ``[a-z0-9@$]`` holding a leet character, once."""
    replacements: list[tuple[int, int, str]] = []
    emails: list[tuple[int, int]] | None = None
    floor = 0
    for trigger in _LEET_TRIGGER_RE.finditer(text):
        if trigger.start() < floor:
            continue
        start = trigger.start()
        while start > 0 and text[start - 1] in _LEET_TOKEN_CHARS:
            start -= 1
        rest = _LEET_TOKEN_RE.match(text, trigger.end())
        end = floor = trigger.end() if rest is None else rest.end()
        if (start > 0 and _is_word_char(text[start - 1])) or (
            end < len(text) and _is_word_char(text[end])
        ):
            continue  # glued to a letter of another script: not a Latin word
        token = text[start:end]
        if sum(map(str.isalpha, token)) < 2 or _LEET_SKIP_RE.search(token):
            continue
        if emails is None:
            emails = _find_emails(text) if "@" in text else []
        if emails and _overlaps(start, end, emails):
            continue
        new = _unleet(token)
        if new != token:
            replacements.append((start, end, new))
    return _cut(text, replacements)


def _unleet(token: str) -> str:
    out: list[str] = []
    last = len(token) - 1
    for i, c in enumerate(token):
        if c == "@":
            out.append("a" if 0 < i < last else c)
        elif c == "$":
            out.append("s" if i > 0 and not (i < last and token[i + 1].isdigit()) else c)
        else:
            out.append(_LEET_DIGITS.get(c, c))
    return "".join(out)


# --------------------------------------------------------------------------- keywords


@dataclass(frozen=True, slots=True)
class KeywordMatch:
    """A keyword hit: ``keyword`` as configured, ``start``/``end`` in the searched text."""

    keyword: str
    start: int
    end: int


class KeywordSet:
    """Keywords compiled once (per policy), matched on word boundaries in folded text.

    Each keyword is folded like the text. In the pattern ``i`` and ``l`` match each other
    (leet "1", capital "I" for "l"), a space, ``.``, ``-`` or ``_`` in a keyword matches
    one such separator or none ("go fund me" matches "gofundme", "go-fund-me"), and a
    trailing ``*`` matches the rest of a word ("donat*" matches "donations").
    """

    __slots__ = ("_pattern", "_singles", "keywords")

    def __init__(self, keywords: Iterable[str]) -> None:
        self.keywords: tuple[str, ...] = tuple(dict.fromkeys(k for k in keywords if k.strip(" *")))
        entries = sorted(
            ((fold_for_keywords(k.rstrip("*")), k.endswith("*"), k) for k in self.keywords),
            key=lambda entry: -len(entry[0]),
        )
        singles: list[tuple[str, re.Pattern[str]]] = []
        alternatives: list[str] = []
        for folded, wildcard, keyword in entries:
            if not folded:
                continue
            singles.append((keyword, re.compile(_keyword_pattern(folded, wildcard))))
            # Each alternative starts with a literal character so the regex engine can
            # skip ahead to possible first letters; the word boundary on the left is
            # checked just after that character.
            firsts = "il" if folded[0] in "il" else folded[0]
            rest = _keyword_pattern(folded[1:], wildcard)
            alternatives.extend(rf"{re.escape(c)}(?<!\w.){rest}" for c in firsts)
        self._singles = tuple(singles)
        self._pattern: re.Pattern[str] | None = (
            re.compile("(?:" + "|".join(alternatives) + r")(?!\w)") if alternatives else None
        )

    def __repr__(self) -> str:
        return f"KeywordSet({list(self.keywords)!r})"

    def search(self, folded_text: str) -> KeywordMatch | None:
        """The first keyword in ``folded_text`` (output of :func:`fold_for_keywords`)."""
        if self._pattern is None:
            return None
        m = self._pattern.search(folded_text)
        return None if m is None else self._match(m)

    def find_all(self, folded_text: str) -> list[KeywordMatch]:
        """Every keyword hit in ``folded_text``, left to right, not overlapping."""
        if self._pattern is None:
            return []
        return [self._match(m) for m in self._pattern.finditer(folded_text)]

    def find_in(self, folded: FoldedText) -> list[KeywordMatch]:
        """Every hit, with spans in ``folded.source`` (e.g. ``plain`` or ``prose``)."""
        hits = []
        for hit in self.find_all(folded.text):
            start, end = folded.source_span(hit.start, hit.end)
            hits.append(KeywordMatch(hit.keyword, start, end))
        return hits

    def _match(self, m: re.Match[str]) -> KeywordMatch:
        # The alternation tries keywords longest first, as _singles is ordered.
        text = m.group()
        keyword = next((k for k, p in self._singles if p.fullmatch(text)), text)
        return KeywordMatch(keyword, m.start(), m.end())


def _keyword_pattern(folded: str, wildcard: bool) -> str:
    parts: list[str] = []
    for ch in folded:
        if ch in "il":
            parts.append("[il]")
        elif ch in _KEYWORD_SEPARATORS:
            parts.append(r"[\s._\-]?")
        else:
            parts.append(re.escape(ch))
    if wildcard:
        parts.append(r"\w*")
    return "".join(parts)


def contains_keyword(folded_text: str, keywords: KeywordSet | Iterable[str]) -> bool:
    """Whether any keyword occurs, on word boundaries, in ``folded_text``.

    ``folded_text`` is the output of :func:`fold_for_keywords`. Pass a prebuilt
    :class:`KeywordSet` on hot paths; a plain iterable is compiled on each call.
    """
    if isinstance(keywords, str):
        keywords = (keywords,)
    keyword_set = keywords if isinstance(keywords, KeywordSet) else KeywordSet(keywords)
    return keyword_set.search(folded_text) is not None


# --------------------------------------------------------------------------- relaying


def escape_mrkdwn(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` so relayed member text cannot ping or form links.

    Use on *unescaped* text (``SlackText.plain``, a modal's input), never on Slack's raw
    ``text`` (already escaped: escaping again would show "&amp;lt;"). Post with
    ``link_names`` off (the default): with it on, a literal "@channel" still pings.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def excerpt(text: str, limit: int = 200) -> str:
    """``text`` with whitespace collapsed, cut to at most ``limit`` characters.

    A longer text is cut on a word boundary (when one falls in the second half of the
    allowance) and ends with "…". Bidi controls are dropped so an excerpt cannot reorder
    the text around it. Escape the result with :func:`escape_mrkdwn` before posting.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    s = " ".join(_BIDI_RE.sub("", text).split())
    if len(s) <= limit:
        return s
    cut = limit - 1
    space = s.rfind(" ", 0, cut + 1)
    if space >= limit // 2:
        cut = space
    else:
        while cut > 0 and unicodedata.combining(s[cut]):
            cut -= 1  # do not separate a letter from its accents
    return s[:cut].rstrip(" ,;:.-") + "…"
