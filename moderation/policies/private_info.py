"""Posting, or threatening to post, someone else's private contact details.

The detectors in :mod:`moderation.pii` say *what* a message contains; this policy asks
*whose* it is. Sharing your own contact, a business's or organisation's public contact,
or someone's details with their permission is fine; the same details with a cue that
they belong to someone else are not.

Cues are read in a window around each detail (other details and code blanked out, so
a list of addresses keeps its heading in view) and come in four tiers; the strongest
tier present decides, and within it the nearest cue (a cue after the detail counts as
further away than one before it):

1. decisive phrases tying a detail to an owner: "my number", "reach me at", "her
   personal email", "Priya's address", "lives at", "the venue:", "our office", "the
   Example Institute's address", a signature above the detail;
2. hints about people: a pronoun ("he", "her"), a relation ("my cousin"), an honorific
   ("Dr. Alvarez"), a possessive name, a name labelling the detail ("Tunde: 0803…"), a
   greeting that introduces the author ("Hi all! I'm Priya");
3. hints about organisations: "hotline", "foundation", "Example Hub";
4. "they"/"their", which could be either.

A decisive cue for someone else scores 0.93; a hint 0.84, or 0.7 for a role noun ("the
driver", "the recruiter"), 0.65 for "they". Message-wide phrases then adjust it:
explicit permission ("she asked me to share") clears the message; permission denied
aloud ("she doesn't know I'm posting this") raises any detail not the author's to 0.95;
intent to target ("flood her inbox", "spread it") adds 0.25; "personal", "home",
"cell" next to the detail add 0.1. A detail with no cue scores 0.5, below the default
thresholds (0.8): on the training examples most details posted without comment were the
author's own, a business's, or someone's with permission.

Details in quoted lines (``> …``) are someone's words reposted: a first-person cue inside
the quote ("call me on …") makes them the quoted person's, unless the author says the
quote is their own ("copying my earlier post:").

Threats to post private information are matched separately ("I'll post your address",
"your number goes in #general", "I have your address… don't make me use it", "I have her
address, should I drop it?", "anyone want his home address?"); a threat reported in
quotation marks ('someone said "I know where you live"') is not the author's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import ClassVar, Final

from moderation.config import ChannelScopes
from moderation.ids import PolicyId
from moderation.pii import PiiMatch, contains_any
from moderation.policies.base import Assessment
from moderation.signals import MessageSignals
from moderation.verdict import Span

__all__ = ["CLAUSE", "DEFAULT_PUBLIC_DOMAINS", "THREAT_REASON", "Owner", "PrivateInfoPolicy"]

CLAUSE: Final = (
    "Posting or threatening to post others' private information, such as a physical or "
    "email address, without their explicit permission"
)

_REASONS: Final = {
    "email": "email of another person",
    "phone": "phone number of another person",
    "address": "street address of another person",
}
THREAT_REASON: Final = "threat to post private info"

# Domains whose every address is an organisation's public contact.
DEFAULT_PUBLIC_DOMAINS: Final = frozenset({"alltechishuman.org"})


class Owner(Enum):
    """Whose a contact detail is, as far as the words around it tell."""

    SELF = "self"
    OTHER = "other"
    ORGANISATION = "organisation"
    UNKNOWN = "unknown"


# --------------------------------------------------------------------------- lexicon

# What a contact detail is called, in the languages our members post in.
_PII_NOUN: Final = (
    r"(?:e-?mails?(?:\s+address)?|gmail|inbox|address(?:es)?|addy|addr|numbers?|no\.|phone|"
    r"cell|cellphone|mobile|mob|line|whatsapp|signal|telegram|zap|contacts?(?:\s+(?:details|"
    r"info))?|details|digits|house|home|flat|apartment|place|studio|celular|número|numero|"
    r"telefone|endereço|dirección|correo|handynummer|adresse|nummer|portable)"
)
# Where people point to their own details.
_OWN_NOUN: Final = rf"(?:{_PII_NOUN}|profile|bio|website|site|page|signature|cv|resume|dms?)"
_REL: Final = (
    r"(?:friend|bff|cousin|sister|sis|brother|bro|mom|mum|mother|dad|father|wife|husband|"
    r"partner|ex|roommate|flatmate|housemate|neighbou?r|colleague|co-?worker|mentor|"
    r"landlord|landlady|boss|manager|aunt|aunty|auntie|uncle|niece|nephew|son|daughter|"
    r"kid|child|grandma|grandpa|granny|parents?|teacher|coach|tutor|"
    r"tía|tia|tío|tio|primo|prima|amigo|amiga|hermano|hermana|vecino|vecina|coloc|ami|"
    r"amie|frère|soeur|sœur|irmão|irmã|freund|freundin|schwester|bruder|kollege|kollegin)"
)
# People talked about: a detail next to one of these is likely theirs.
_PERSON_NOUN: Final = (
    r"(?:guy|dude|woman|man|person|lady|girl|boy|teen|admin|owner|founder|ceo|cto|"
    r"reporter|journalist|recruiter|lobbyist|staffer|official|consultant|freelancer|"
    r"moderator|mod|speaker|guest|annotator|intern|student|professor|driver|mechanic|"
    r"harasser|troll|stalker|scammer|whistleblower|registrant|operator|impersonator|"
    r"leaker|diputad[oa]|senador[a]?|deputad[oa]|aide|chief\s+of\s+staff|councilmember|"
    r"senator|mp|minister|commissioner|volunteer|member|candidate|applicant|organi[sz]er)"
)
_MY: Final = r"(?:my|mine|meu|minha|mi|mon|ma|mein|meine|meinen|mio|mia)"
_OTHER_PRONOUN: Final = r"(?:his|her|hers|him|he|she|he's|she's|he’s|she’s|himself|herself)"
_OTHER_POSSESSIVE: Final = r"(?:his|her|su|seu|sua|son|sa|sein|seine|ihr|ihre)"
_THEIR: Final = r"(?:they|their|them|they're|they’re|theirs)"
_CALENDAR: Final = (
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|"
    r"April|May|June|July|August|September|October|November|December|Today|Tomorrow|Tonight)"
)
_HONORIFIC: Final = (
    r"\b(?:Mr|Mrs|Ms|Mx|Dr|Prof|Mme|Mlle|Sr|Sra|Herr|Frau|Aunty|Auntie|Ate|Kuya|Pak|Bu|"
    r"Mama|Baba|Coach|Councilmember|Senator|Commissioner)\.?\s+[A-Z]"
)
# Organisations and the public contact points they run.
_ORG_NOUN: Final = (
    r"(?:office|offices|venue|hq|headquarters|hub|library|clinic|company|agency|ministry|"
    r"commission|committee|embassy|consulate|bank|airlines?|university|school|institute|"
    r"foundation|hotel|restaurant|trattoria|café|cafe|coffee\s+shop|store|shop|stall|"
    r"organi[sz]ation|org|ngo|nonprofit|charity|coworking|co-working|centre|center|"
    r"secretariat|ombudsman|authority|regulator|registry|council|parliament|newsroom|"
    r"portal|firm|startup|lab|labs|platform|provider|broker|publisher|press|team)"
)
# "Priya's", "@user's", "the troll's": a possessor that is not a pronoun, a detail or an
# organisation ("the venue's front desk").
_NOT_POSSESSORS: Final = (
    "it", "that", "what", "there", "here", "who", "let", "he", "she", "one", "everyone",
    "anyone", "someone", "nobody", "today", "tonight", "yesterday", "tomorrow", "where",
    "how", "email", "e-mail", "number", "phone", "address", "mine", "yours", "hers", "ours",
    "theirs", "his", "name", "world", "year", "week", "month", "people",
)  # fmt: skip
_POSSESSOR: Final = (
    r"(?:(?<![\w@])(?!(?:"
    + "|".join(_NOT_POSSESSORS)
    + rf")['’])(?!{_ORG_NOUN}['’])(?:[A-Z][a-z][\w\-]*|[a-z][\w\-]*|@\w+)"
    r"['’]s?(?=\s))"
)
_CONTACT_POINT: Final = (
    r"(?:hotline|helpline|tip\s*line|reporting\s+line|report\s+line|public\s+line|"
    r"intake\s+line|fraud\s+line|complaints?\s+line|program\s+line|main\s+line|"
    r"switchboard|helpdesk|help\s*desk|front\s+desk|inbox|desk|line|phone\s+tree|"
    r"contact\s+centre|call\s+centre|customer\s+service)"
)
_ORG_SUFFIX: Final = (
    r"(?:Hub|Library|Centre|Center|Institute|Foundation|Labs?|Inc|Ltd|LLC|GmbH|Bank|"
    r"University|School|Office|Tower|Space|Coworking|Airlines?|Health|Press|Union|Clinic|"
    r"Commission|Ministry|Agency|Council|Legal|AI|Network|Trust|Fund|Project|Coalition|"
    r"Corporation|Corp|Company|Co|Services|Group|Partners|Associates|Solutions|Systems|"
    r"Technologies|Consulting|Holdings|Enterprises|Media|Studios?|Society|Association)"
)
_ORG_NAME: Final = rf"(?:Example\s+[A-Z][\w\-]+|[A-Z][\w\-]+\s+{_ORG_SUFFIX}|[A-Z]{{2,}}[\w\-]*)"
_CONTACT_VERB: Final = (
    r"(?:reach\s+out\s+to|talk\s+to|write\s+to|reach|ask|try|call|text|e-?mail|ping|message|"
    r"contact|ring|whatsapp|pick\s+up)"
)
_STOP_LABELS: Final = (
    "Email", "E-mail", "Phone", "Tel", "Cell", "Mobile", "Address", "Contact", "WhatsApp",
    "Signal", "Venue", "Location", "Where", "Home", "Office", "Note", "PS", "Reminder",
    "Update", "Here", "Try", "Call", "Text", "Or", "Also", "Hotline", "Helpline", "Thanks",
    "Hi", "Hey", "Hello", "Yes", "No", "Ok", "Okay", "Registrant", "Name", "Real",
    "Persona", "Details", "Info", "Line", "Number", "Fax", "Web", "Website", "Site",
    "User", "Bot", "Customer", "Agent", "Me", "Q", "A", "Billing", "Shipping", "Mailing",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Cue:
    pattern: re.Pattern[str]
    owner: Owner
    tier: int  # 0 decisive phrase, 1 hint, 2 organisation hint, 3 weak hint
    side: str  # "both"; "left" for a label before the detail; "right" for what follows it
    unless: re.Pattern[str] | None  # a match is void when this is found just before it
    score: float  # how sure a detail is someone else's when this cue decides (OTHER only)

    def finditer(self, text: str) -> list[re.Match[str]]:
        return [m for m in self.pattern.finditer(text) if not self._void(text, m)]

    def search(self, text: str) -> re.Match[str] | None:
        return next((m for m in self.pattern.finditer(text) if not self._void(text, m)), None)

    def _void(self, text: str, m: re.Match[str]) -> bool:
        if self.unless is None:
            return False
        return self.unless.search(text, max(m.start() - _UNLESS_REACH, 0), m.end()) is not None


_UNLESS_REACH = 30


def _cue(
    pattern: str,
    owner: Owner,
    tier: int,
    flags: int = re.IGNORECASE,
    *,
    side: str = "both",
    unless: str | None = None,
    score: float = 0.0,
) -> _Cue:
    if owner is Owner.OTHER and not score:
        score = _SCORE_BY_TIER[tier]
    return _Cue(
        re.compile(pattern, flags),
        owner,
        tier,
        side,
        re.compile(unless) if unless else None,
        score,
    )


_DECISIVE, _HINT, _ORG_HINT, _WEAK_HINT = 0, 1, 2, 3
_TIERS: Final = (_DECISIVE, _HINT, _ORG_HINT, _WEAK_HINT)
# Scores when a cue says "someone else's". A hint alone clears the default thresholds
# (0.8) only when it names a person: a pronoun, a relation, a name. A role noun ("the
# driver") or "they" could as well be a business, and stays below.
_SCORE_BY_TIER: Final = {_DECISIVE: 0.93, _HINT: 0.84, _WEAK_HINT: 0.65}
_SCORE_PERSON_NOUN = 0.7

# At equal distance an earlier cue wins: an organisation's possessive beats a person's.
_CUES: Final = (
    # -- decisive: an organisation's
    _cue(
        rf"(?:{_ORG_NAME}|\b{_ORG_NOUN})['’]s?\s+(?:[\w\-]+\s+){{0,3}}?(?:{_PII_NOUN}|{_CONTACT_POINT})\b",
        Owner.ORGANISATION,
        _DECISIVE,
        flags=0,
    ),
    _cue(
        rf"\b(?:our|the|their|its|a|an)\s+(?:[\w\-]+\s+){{0,3}}?{_CONTACT_POINT}\b|"
        rf"\b(?:our|their|the|its)\s+(?:\w+\s+){{0,2}}?{_ORG_NOUN}\s+(?:(?:is|are|will\s+be)"
        r"\s+(?:at|in|on|now|live)\b|moved\b)|"
        rf"\b{_PII_NOUN}\s+(?:for|of)\s+(?:the\s+)?(?-i:{_ORG_NAME})|"
        r"^\W*(?:venue|location|where|lugar|ort|lieu|place)\s*[:\-]|"
        r"\b(?:venue|location|office|hq|headquarters)\b(?:\s+\w+){0,3}?\s*:|\bwhere\s*:|"
        r"\b(?:venue|office|hq|headquarters)\s+is\b|会場|\btoll[\s\-]?free\b|\b24/7\b|\b24h\b|"
        r"\bper\s+(?:their|the)\s+(?:site|website|ad|listing|posting|page)\b|"
        r"\bfrom\s+the\s+\w+['’]s\s+(?:site|website)\b|\bpublic\s+(?:\w+\s+)?(?:line|phone|"
        r"number|hotline|helpline|inbox|address|email|contact)\b|"
        r"\b(?:our|my)\s+org(?:ani[sz]ation)?['’]?s?\b",
        Owner.ORGANISATION,
        _DECISIVE,
        flags=re.IGNORECASE | re.MULTILINE,
    ),
    # -- decisive: the author's own
    _cue(rf"\b{_MY}\s+(?!{_REL}\b)(?:[\w\-'’]+\s+){{0,2}}?{_OWN_NOUN}\b", Owner.SELF, _DECISIVE),
    _cue(
        r"\b(?:reach|call|text|e-?mail|mail|ring|dm|ping|contact|find|message|whatsapp|"
        r"signal|write\s+to|wire|send\s+(?:[\w\-]+\s+){0,4}?to|add|hit|schreibt|escríbeme|"
        r"ligue\s+pra|appelle)\s+me\b|\bme\s+a\s+line\b|"
        r"\bI['’]?m\s+(?:at|on|in|reachable|available)\b|\bI\s+(?:live|am\s+at|stay)\b|"
        r"\b(?:that['’]?s|this\s+is|it['’]?s)\s+(?:me|mine)\b|\(me\b|\bme,\s+[A-Z]|"
        r"\bmine['’]?s\b|\bmine\s+is\b|\bI['’]?m\s+the\s+(?:hiring\s+manager|organi[sz]er|"
        r"host|one)\b|\bis\s+me\b|\bwe['’]?re\s+(?:at|in)\b|\bwe['’]ll\s+be\s+at\b|"
        r"\bthat['’]s\s+what\s+I\s+do\b|\bhire\s+me\b|\bfor\s+hire\b|"
        r"\b(?:straight|directly)\s+to\s+me\b|\bto\s+me\s+directly\b|"
        r"\b(?:hiring\s+manager|recruiter|organi[sz]er|host|author|maintainer)\s+here\b|"
        r"\bhappy\s+to\s+(?:connect|chat|help|talk|mentor)\b|\bfeel\s+free\s+to\s+(?:reach\s+out|"
        r"call|text|e-?mail|message|ping|contact)\b(?!\s+(?:him|her|them)\b)|"
        r"\b(?:meet|meeting|see)\s+(?:you|me|us|everyone|y['’]?all)\s+(?:at|in)\b|"
        r"\b(?:we['’]ll|let['’]s|we\s+will|we\s+can)\s+meet\b",
        Owner.SELF,
        _DECISIVE,
    ),
    # A signature: "—Priya" or "Thanks,\nPriya" above the details.
    _cue(
        r"(?:^|\n)\s*(?:--|—|–|~)\s*[A-Z][^\n]{0,40}\n|(?:^|\n)\s*(?:best|thanks|cheers|"
        r"regards|warm\s+regards|kind\s+regards|thank\s+you|sincerely)[,!.]?\s*\n",
        Owner.SELF,
        _DECISIVE,
    ),
    # -- decisive: someone else's
    _cue(
        rf"(?:\b{_OTHER_PRONOUN}|\b{_OTHER_POSSESSIVE}|\b{_THEIR}|{_POSSESSOR})\s+"
        rf"(?:[\w\-]+\s+){{0,4}}?{_PII_NOUN}\b|\b{_PII_NOUN}\s+of\s+(?:the|a|an|this|that|every\w*|"
        rf"all|my|our)\s+(?!(?:venue|office|org|company|organi[sz]ation)\b)|\bfrom\s+(?:the|a|an|our|their)\s+(?:[\w\-]+\s+){{0,2}}?(?:form|"
        r"sheet|sign-?up\s+sheet|export|roster|directory|spreadsheet|list|database|crm|"
        r"group\s+chat|whatsapp\s+group|mailing\s+list|invoice|attendee\s+list)\b",
        Owner.OTHER,
        _DECISIVE,
    ),
    _cue(
        rf"\b(?:reach|call|text|e-?mail|mail|ring|dm|ping|contact|message|whatsapp|"
        rf"write\s+to|ask|try|hit\s+up|tell)\s+(?:{_OTHER_PRONOUN}|them)\b|"
        rf"(?i:\b{_CONTACT_VERB})\s+(?!{_ORG_NAME}|{_CALENDAR}\b)[A-Z][\w\-]+\b",
        Owner.OTHER,
        _DECISIVE,
        flags=0,
    ),
    _cue(r"@\w+(?:\s+(?:at|on))?\s*[:,—–\-]?\s*$", Owner.OTHER, _DECISIVE, side="left"),
    # "<email> is the guy who…", "<number> belongs to her"
    _cue(
        rf"\A[\s,]*(?:is|was|=|belongs\s+to)\s+(?:the|that|this|his|her|their|my\s+{_REL}|@\w+)\b",
        Owner.OTHER,
        _DECISIVE,
        side="right",
    ),
    _cue(
        rf"\b(?:{_OTHER_PRONOUN}|{_THEIR}|who)\s+(?:lives?|is\s+staying|stays|moved|mora|vive|"
        rf"wohnt|habite)\b|\b(?:lives|living|mora|vive|wohnt|habite)\s+(?:at|on|in|en|em|à|"
        rf"lá|here|there)\b|\b{_OTHER_PRONOUN}['’]?s\s+(?:at|on)\b|\b(?:he|she)\s+is\s+(?:at|on)\b|"
        rf"\bwhere\s+(?:\w+\s+){{1,3}}?(?:lives|moved|is\s+staying)\b",
        Owner.OTHER,
        _DECISIVE,
    ),
    _cue(
        rf"\b(?:that['’]?s|this\s+is|it['’]?s)\s+(?:{_OTHER_PRONOUN}|them|the\s+\w+|"
        rf"{_POSSESSOR})|\b(?:that['’]s|this\s+is|here['’]s)\s+where\b",
        Owner.OTHER,
        _DECISIVE,
    ),
    # -- hints
    _cue(rf"\b(?:{_MY}|our)\s+(?:old\s+|dear\s+|best\s+|ex-?)?{_REL}\b", Owner.OTHER, _HINT),
    _cue(rf"\b(?:{_MY}|our)\s+\w+['’]s\b", Owner.OTHER, _HINT),
    _cue(
        rf"\b{_OTHER_PRONOUN}\b|\b(?:ele|ela|dele|dela|elle|lui|él|ella|ihm|ihn)\b|"
        r"-(?:le|la|lo)\b",
        Owner.OTHER,
        _HINT,
    ),
    _cue(_HONORIFIC, Owner.OTHER, _HINT, flags=0),
    _cue(_POSSESSOR, Owner.OTHER, _HINT),
    _cue(rf"\b{_REL}\b", Owner.OTHER, _HINT),
    _cue(rf"\b{_PERSON_NOUN}\b", Owner.OTHER, _HINT, score=_SCORE_PERSON_NOUN),
    # "the guy who spammed #general is <email>": the person is the sentence's subject
    _cue(
        rf"\b(?:the|that|this)\s+(?:[\w\-]+\s+){{0,2}}?{_PERSON_NOUN}\b[^.!?\n]{{0,60}}?"
        r"(?:\b(?:is|=)\s*:?|:)\s*$",
        Owner.OTHER,
        _HINT,
        side="left",
    ),
    # "Tunde: 0803…", "Rick Thompson, <email>": a name labelling the detail.
    _cue(
        r"(?<!\bin\s)(?<!\bat\s)(?<!\bto\s)(?<!\bof\s)(?<!\bnear\s)(?<!\bfrom\s)"
        r"(?:^|(?<=[\s(\"'‘“]))(?!(?:" + "|".join(_STOP_LABELS) + r")\b)"
        r"[A-Z][\w\-]+(?:[ \t]+(?:de[ \t]+|da[ \t]+|van[ \t]+|von[ \t]+|del[ \t]+)?[A-Z][\w\-]+){0,2}"
        r"[ \t]*[:—–=,\-][ \t]*$",
        Owner.OTHER,
        _HINT,
        flags=re.MULTILINE,
        side="left",
        # An organisation's name labels a public contact: "Office of the Secretary, …"
        unless=rf"\b(?:{_ORG_SUFFIX}|Example|The|Casa|Café|Cafe|Bar|Hotel|Trattoria|Office|"
        r"Committee|Restaurant|Studio|Salon|Shop|Store|Market)\b",
    ),
    _cue(
        r"^\W*(?:hi|hey|hello|hallo|bonjour|ciao|olá|ola|hola|salaam|salam|sawubona|sannu|"
        r"namaste|kia\s+ora|habari|jambo|greetings)\b[^\n]{0,25}?[!,.:]\s*(?:I['’]?m|I\s+am|"
        r"it['’]s|sou\s+an?|sou\s+o|je\s+suis|ich\s+bin|soy)?\s*[A-Z][\w\-]+(?:\s+here|\s+from|,)",
        Owner.SELF,
        _HINT,
        flags=re.IGNORECASE | re.MULTILINE,
    ),
    _cue(r"\b[A-Z][\w\-]+\s+here\b", Owner.SELF, _HINT, flags=0),
    _cue(rf"\b{_ORG_NOUN}\b|\b{_CONTACT_POINT}\b", Owner.ORGANISATION, _ORG_HINT),
    _cue(rf"\b{_ORG_NAME}\b|\bThe\s+[A-Z][\w\-]+", Owner.ORGANISATION, _ORG_HINT, flags=0),
    _cue(rf"\b{_THEIR}\b", Owner.OTHER, _WEAK_HINT),
)

# Said anywhere in the message, these decide or adjust the whole message.
_PERMISSION_RE: Final = re.compile(
    r"\bwith\s+(?:(?:his|her|their|\w+['’]s)\s+)?(?:permission|consent|blessing|ok|okay)\b|"
    r"\b(?:asked|told|begged|wanted|wants|invited)\s+(?:me|us)\s+to\s+(?:share|post|pass|"
    r"spread|circulate|let|put|send|forward|cross-?post)\b|"
    r"\bsaid\s+(?:I|we|you)\s+(?:can|could|may|should)\b|\bsaid\s+to\s+(?:share|post)\b|"
    r"\b(?:he|she|they)\s+(?:asked|agreed|consented|okayed|said\s+yes)\b|"
    r"\b(?:he|she|they)['’]?(?:s|re| is| are)\s+(?:fine|happy|ok|okay)\s+with\b|"
    r"\b(?:fine|happy|ok|okay)\s+for\s+(?:me|us)\s+to\s+(?:share|post|pass|give|send)\b|"
    r"\b(?:okayed|consented|go-ahead|green\s+light)\b|"
    r"\bat\s+(?:his|her|their|\w+['’]s)\s+(?:own\s+)?request\b|"
    r"\bon\s+behalf\s+of\b|\b(?:she|he|they)\s+asked!|\(\s*(?:he|she|they)\s+asked\b|"
    r"\bI\s+asked,\s+(?:she|he|they)\s+said\s+yes\b|\bshared\s+with\s+permission\b|"
    r"\bagreed\s+to\s+(?:be|have|share)\b|\bpermission\s+(?:from|to\s+share)\b",
    re.IGNORECASE,
)
_NO_PERMISSION_RE: Final = re.compile(
    r"\b(?:does\s*n[o']t|doesn['’]t|did\s*n['’]?t|didn['’]t|has\s*n['’]?t|hasn['’]t|"
    r"haven['’]t|have\s+not|never)\s+(?:know|asked?|checked|told|agreed|consented|"
    r"said\s+(?:yes|I\s+could))\b|\bwithout\s+(?:(?:his|her|their|\w+['’]s)\s+)?"
    r"(?:knowledge|permission|consent|knowing|asking)\b|\bin\s+confidence\b|"
    r"\b(?:said|told\s+me)\s+(?:not\s+to|don['’]t)\s+share\b|\bdon['’]t\s+tell\s+(?:him|her|them)\b|"
    r"\byou\s+didn['’]t\s+(?:get|hear)\s+(?:it|this)\s+from\s+me\b|\bsait\s+pas\b|"
    r"\bdoesn['’]t\s+know\s+(?:I|me)\b|\b(?:not|isn['’]t|is\s+not)\s+(?:on\s+)?(?:here|slack)\s+yet\b",
    re.IGNORECASE,
)
# Signs that a detail is posted so others can go after its owner.
_TARGETING_RE: Final = re.compile(
    r"\b(?:flood|yell\s+at|let\s+(?:him|her|them)\s+know\s+what\s+you\s+think|tell\s+(?:him|"
    r"her|them)\s+how\s+you\s+feel|spread\s+(?:it|the\s+word|this)|share\s+widely|"
    r"do\s+what\s+you\s+(?:want|will)|go\s+say\s+hi|dog-?pile|as\s+much\s+as\s+you\s+like|"
    r"everyone\s+should\s+have\s+it|so\s+(?:people|everyone)\s+(?:know|can)|want\s+everyone\s+"
    r"to\s+know|before\s+(?:the\s+)?mods?\s+delete|use\s+it|taste\s+of\s+(?:his|her|their)\s+"
    r"own|dox+(?:ed|ing)?|osint|nam(?:e|ing)\s+and\s+sham(?:e|ing)|pile\s+on|warn\s+your|"
    r"go\s+ring|scam\s+(?:him|her|them)\s+back|return\s+the\s+favou?r|anyone\s+bored|"
    r"screenshot|make\s+of\s+that\s+what|leaked|from\s+a\s+leak|registered\s+to|"
    r"real\s+(?:name|email|address)|harasser|stalker|troll|scammer|whois|"
    r"not\s+as\s+anonymous|remember\s+that|just\s+saying)\b",
    re.IGNORECASE,
)
# Words that mark a detail as private rather than a public contact.
_PRIVATE_RE: Final = re.compile(
    r"\b(?:personal|private|home|cell|mobile|whatsapp|own|real|direct(?:ly)?)\b",
    re.IGNORECASE,
)

# "I'll post your address", "your number goes in #general", "I have your home email".
_THREAT_NOUN: Final = (
    r"(?:(?:home|personal|private|real|work|boss['’]s|wife['’]s|husband['’]s|parents['’]?|"
    r"mum['’]s|mom['’]s|family['’]s|\w+['’]s)\s+)*(?:address(?:es)?|addy|numbers?|phone(?:\s+numbers?)?|"
    r"cell|mobile|e-?mail|contact\s+(?:details|info)|details|whatsapp(?:\s+number)?|info|"
    r"location|dox)"
)
_FIRST_PERSON_FUTURE: Final = (
    r"\b(?:I['’]?ll|I\s+will|I['’]?m\s+(?:going\s+to|gonna)|I['’]?m|I\s+am|gonna|"
    r"im\s+(?:going\s+to|gonna)|make\s+sure)\s+(?!not\b|never\b)(?:\w+\s+){0,6}?"
)
_WHOSE: Final = r"(?:your|ur|his|her|their)"
# Verbs that make something public by themselves ("post your address"), and verbs that do
# so only before an audience ("share your email with everyone here").
_THREAT_RES: Final = (
    re.compile(
        rf"{_FIRST_PERSON_FUTURE}(?:post|posting|publish|publishing|drop|dropping|leak|"
        r"leaking|put|putting|pin|pinning|dox+|doxx?ing|tell\s+everyone|telling\s+everyone|"
        rf"give\s+everyone|send\s+everyone)\b(?:\s+\w+){{0,4}}?\s+{_WHOSE}\s+{_THREAT_NOUN}\b",
        re.IGNORECASE,
    ),
    # the detail as subject: "your personal number goes in #general"
    re.compile(
        rf"\b(?:your|ur)\s+{_THREAT_NOUN}(?:\s+and\s+(?:your|ur)\s+{_THREAT_NOUN})?\s+"
        r"(?:goes|go|is\s+going|are\s+going|will\s+go|will\s+be|gets|ends?\s+up|going)\s+"
        r"(?:in|on|up|into|out|public|everywhere)\b",
        re.IGNORECASE,
    ),
    # the audience gets it: "this whole slack has your home address by morning"
    re.compile(
        r"\b(?:everyone|everybody|the\s+whole\s+(?:slack|channel|server)|this\s+whole\s+"
        r"(?:slack|channel)|\d[\d,]*\s+people|all\s+of\s+(?:you|us)|the\s+channel)"
        r"(?:\s+(?:here|in\s+here|in\s+this\s+channel|on\s+(?:this\s+|the\s+)?slack))?\s+"
        rf"(?:has|have|gets|get|will\s+have|will\s+get|knows|will\s+know)\s+(?:your|ur)\s+{_THREAT_NOUN}\b|"
        r"\b(?:tell|telling|show|showing)\s+(?:everyone|everybody|people|the\s+(?:whole\s+)?"
        r"(?:slack|channel))\s+where\s+(?:you|he|she|they)\s+(?:live|lives|work)\b|"
        r"\bI\s+know\s+where\s+you\s+live\b",
        re.IGNORECASE,
    ),
    # holding someone's details and offering to post them: "I have her address and her
    # mum's number, should I drop them?", "we've got their home addresses. Time to publish"
    re.compile(
        r"\b(?:I|we)(?:['’]ve|\s+have)?\s+(?:have|got|found|know|dug\s+up)\s+"
        rf"(?:[\w'’]+\s+){{0,6}}?{_THREAT_NOUN}\b[^.!?]{{0,80}}[.!?]?[^.!?]{{0,40}}?\b"
        r"(?:post|publish|drop|leak|share|put\s+up)\s+(?:it|them|those|both|these)\b",
        re.IGNORECASE,
    ),
    # offering someone's details: "anyone want the home address of the guy who…"
    re.compile(
        r"\b(?:anyone|who|does\s+anyone|y['’]?all)\s+(?:want|wants|need|needs)\s+(?:to\s+have\s+)?"
        r"(?:his|her|their|@\w+['’]s|[A-Z][\w\-]+['’]s|the\s+(?:home|personal|private|real)"
        r"(?:\s+\w+)?)\s+(?:home\s+|personal\s+|private\s+|real\s+)?(?:address|addy|number|"
        r"phone(?:\s+number)?|cell|mobile|e-?mail)\b",
        re.IGNORECASE,
    ),
    # asking for someone's details in order to post them
    re.compile(
        r"\b(?:dig\s+up|find|get|track\s+down|does\s+anyone\s+have|anyone\s+have|who\s+has)\b"
        rf"[^.?!]{{0,60}}?\b{_THREAT_NOUN}\b[^.!]{{0,80}}?\b(?:post|share|drop|publish)\s+"
        r"(?:it|them)\s+(?:here|in\s+here|in\s+#|publicly)",
        re.IGNORECASE,
    ),
)
# Threats only with an audience or intimidation in the message: "I'll share your email"
# is as often a kindness ("…with the organisers so they can send the certificate").
_CONTEXT_THREAT_RES: Final = (
    re.compile(
        rf"{_FIRST_PERSON_FUTURE}(?:share|sharing|send|sending|give|giving|tell|telling|"
        rf"spread|spreading|forward|forwarding)\b(?:\s+\w+){{0,4}}?\s+{_WHOSE}\s+{_THREAT_NOUN}\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b(?:your|ur)\s+{_THREAT_NOUN}\s+(?:posted\s+)?(?:in|on)\s+#[\w\-]+", re.IGNORECASE
    ),
    # "I have your address": holding it is the threat
    re.compile(
        rf"\bI(?:['’]ve|\s+have)?\s+(?:have|got|found|know)\s+(?:your|ur)\s+{_THREAT_NOUN}\b",
        re.IGNORECASE,
    ),
)
_AUDIENCE_RE: Final = re.compile(
    r"\b(?:everyone|everybody|the\s+whole\s+\w+|this\s+whole\s+\w+|in\s+here|here|"
    r"publicly|the\s+world|the\s+internet|all\s+of\s+(?:you|us)|the\s+channel)\b|#[\w\-]+",
    re.IGNORECASE,
)
_INTIMIDATION_RE: Final = re.compile(
    r"\b(?:don['’]?t\s+make\s+me|not\s+afraid\s+to|think\s+about\s+that|shame\s+if|careful|"
    r"watch\s+(?:it|yourself)|or\s+else|last\s+warning|try\s+me|keep\s+it\s+up|keep\s+going|"
    r"one\s+more|next\s+time|would\s+be\s+a\s+shame|ended\s+up|if\s+you\s+(?:don['’]?t|keep|"
    r"reply|post|say)|or\s+I['’]?ll|don['’]?t\s+test\s+me|your\s+call)\b",
    re.IGNORECASE,
)
# Every threat pattern names a detail and whose it is; both are looked for as plain
# substrings first, so a message without them costs a few microseconds.
_THREAT_NOUN_HINTS: Final = (
    "address", "addy", "number", "phone", "cell", "mobile", "mail", "contact", "details",
    "whatsapp", "info", "location", "where you live", "dox",
)  # fmt: skip
_THREAT_WHOSE_HINTS: Final = (
    "your", "ur ", "his ", "her ", "their ", "where you", "anyone", "dig up", "track down",
    "find", "who has", "i have", "we have", "i've", "we've", "got ", "want",
)  # fmt: skip

# Window around a detail in which cues count; cues after it count at a longer distance.
_LEFT_WINDOW = 110
_RIGHT_WINDOW = 70
_RIGHT_PENALTY = 1.6

# Scores. An unattributed detail stays below the default thresholds (0.8): measured on the
# training examples, most details posted without comment are the author's own.
_SCORE_UNKNOWN = 0.5
_BOOST_PRIVATE = 0.1
_BOOST_TARGETING = 0.25
_SCORE_NO_PERMISSION = 0.95
_SCORE_CLEARED = 0.05
_SCORE_THREAT = 0.9
_SCORE_THREAT_UNSURE = 0.6
_AUDIENCE_REACH = 60  # characters after a threat's verb and noun where "…with everyone" counts


# The author quoting their own earlier words ("copying my own post", "that was me").
_SELF_QUOTE_RE: Final = re.compile(
    r"\bmy\s+(?:own\s+)?(?:earlier\s+|previous\s+|last\s+|old\s+|original\s+)?"
    r"(?:message|post|reply|comment|answer)\b|\bthat\s+(?:was|is|'s)\s+(?:me|mine)\b|"
    r"\b(?:quoting|copying|reposting)\s+(?:myself|my\s+own)\b|"
    r"\bI\s+(?:wrote|posted|said)\s+(?:this\s+)?(?:earlier|before|last\s+\w+)\b",
    re.IGNORECASE,
)
_OPENING_QUOTES: Final = ("'", '"', "‘", "“")
_REPORTED_RE: Final = re.compile(
    r"\b(?:wrote|said|says|posted|DM['’]?d|messaged|texted|sent|emailed|copying|copied|"
    r"type\s+out|quote|quoting|forwarding|forwarded|reposting|details)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Attribution:
    owner: Owner
    score: float


class PrivateInfoPolicy:
    """Someone else's e-mail, phone number or street address, or a threat to post one."""

    id: ClassVar[PolicyId] = PolicyId.PRIVATE_INFO
    clause: ClassVar[str] = CLAUSE
    uses_classifier: ClassVar[bool] = False

    def __init__(self, public_domains: frozenset[str] = DEFAULT_PUBLIC_DOMAINS) -> None:
        self.public_domains = frozenset(d.lower() for d in public_domains)

    def in_scope(self, channel: str, scopes: ChannelScopes) -> bool:
        return True

    def evaluate(self, signals: MessageSignals) -> Assessment | None:
        best = _assess_threat(signals)
        items = signals.pii
        if items:
            prose = signals.prose
            cleared = _PERMISSION_RE.search(prose) is not None
            denied = _NO_PERMISSION_RE.search(prose) is not None
            targeting = _TARGETING_RE.search(prose) is not None
            for item in items:
                assessment = self._assess_item(
                    signals, item, cleared and not denied, denied, targeting
                )
                if best is None or assessment.score > best.score:
                    best = assessment
        return best

    def _assess_item(
        self,
        signals: MessageSignals,
        item: PiiMatch,
        cleared: bool,
        denied: bool,
        targeting: bool,
    ) -> Assessment:
        evidence = Span(item.start, item.end)
        reason = _REASONS[item.kind]
        if item.public or self._is_public_domain(item) or cleared:
            return Assessment(_SCORE_CLEARED, evidence, reason)
        attribution = _attribute(signals, item)
        if attribution.owner in (Owner.SELF, Owner.ORGANISATION):
            return Assessment(_SCORE_CLEARED, evidence, reason)
        score = attribution.score if attribution.owner is Owner.OTHER else _SCORE_UNKNOWN
        if denied:
            score = max(score, _SCORE_NO_PERMISSION)
        if targeting:
            score += _BOOST_TARGETING
        if _PRIVATE_RE.search(_window(signals.plain, item, 40, 10)):
            score += _BOOST_PRIVATE
        return Assessment(round(min(score, 0.99), 2), evidence, reason)

    def _is_public_domain(self, item: PiiMatch) -> bool:
        if item.kind != "email":
            return False
        domain = item.value.rpartition("@")[2]
        return any(domain == d or domain.endswith("." + d) for d in self.public_domains)


# --------------------------------------------------------------------------- attribution


def _attribute(signals: MessageSignals, item: PiiMatch) -> _Attribution:
    """The owner named by the nearest cue of the strongest tier present, else unknown."""
    text, start, end = _masked(signals, keep=item)
    left = text[max(start - _LEFT_WINDOW, 0) : start]
    right = text[end : end + _RIGHT_WINDOW]
    quoted = _in_reported_quote(text, start)
    if item.quoted and _SELF_QUOTE_RE.search(signals.prose):
        return _Attribution(Owner.SELF, _SCORE_CLEARED)  # "my earlier post:" over a quote
    block = _quote_block(signals, item) if item.quoted else None
    for tier in _TIERS:
        found = [
            (distance, cue, position)
            for cue in _CUES
            if cue.tier == tier
            for distance, position in _distances(cue, left, right, start, end)
        ]
        if not found:
            continue
        _, nearest, position = min(found, key=lambda f: f[0])
        owner = nearest.owner
        if owner is Owner.SELF and (
            quoted or (block is not None and block[0] <= position <= block[1])
        ):
            # "my address is …" in someone else's words, or in a quoted line ("> call me
            # on …"): the quoted person's own. "my earlier post:" above a quote stays mine.
            return _Attribution(Owner.OTHER, _SCORE_BY_TIER[_DECISIVE])
        # Several cues pointing at another person are surer than the nearest alone.
        return _Attribution(owner, max(cue.score for _, cue, _ in found if cue.owner is owner))
    return _Attribution(Owner.UNKNOWN, _SCORE_UNKNOWN)


def _distances(cue: _Cue, left: str, right: str, start: int, end: int) -> list[tuple[float, int]]:
    """How far each match of ``cue`` ends before the detail, or starts after it, and where
    it is (``left`` ends at ``start``, where the detail starts; ``right`` starts at ``end``)."""
    out = (
        []
        if cue.side == "right"
        else [(float(len(left) - m.end()), start - len(left) + m.end()) for m in cue.finditer(left)]
    )
    m = None if cue.side == "left" else cue.search(right)
    if m is not None:
        out.append((m.start() * _RIGHT_PENALTY, end + m.start()))
    return out


def _in_reported_quote(text: str, start: int) -> bool:
    """Whether the detail sits in quotation marks after "X wrote", "what Marco DM'd me"…"""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    opening = max(before.rfind(q) for q in _OPENING_QUOTES)
    if opening < 0 or (before[opening] == "'" and opening > 0 and before[opening - 1].isalpha()):
        return False
    return _REPORTED_RE.search(before[:opening]) is not None


def _quote_block(signals: MessageSignals, item: PiiMatch) -> tuple[int, int] | None:
    """The run of quoted lines holding ``item``, in the coordinates of ``_masked``."""
    quotes = signals.slack.quotes
    plain = signals.plain
    for i, q in enumerate(quotes):
        if not q.start <= item.start <= q.end:
            continue
        first, last = i, i
        while first > 0 and not plain[quotes[first - 1].end : quotes[first].start].strip("\n >"):
            first -= 1
        while last + 1 < len(quotes) and not plain[quotes[last].end : quotes[last + 1].start].strip(
            "\n >"
        ):
            last += 1
        return _to_masked(signals, item, quotes[first].start), _to_masked(
            signals, item, quotes[last].end
        )
    return None


def _to_masked(signals: MessageSignals, keep: PiiMatch, pos: int) -> int:
    """Where ``pos`` in plain lands in the text ``_masked`` makes for ``keep``."""
    shift = 0
    done = 0
    for cut_start, cut_end in _cuts(signals, keep):
        if cut_start < done:
            continue
        if cut_end <= pos:
            shift += cut_end - cut_start - 1
        done = cut_end
    return pos - shift


def _cuts(signals: MessageSignals, keep: PiiMatch) -> list[tuple[int, int]]:
    return sorted(
        [(c.start, c.end) for c in signals.slack.code]
        + [(o.start, o.end) for o in signals.pii if o is not keep]
    )


def _masked(signals: MessageSignals, keep: PiiMatch) -> tuple[str, int, int]:
    """``plain`` with code and every other detail cut to one space, and where ``keep`` is
    in it: their words are no cues, and a list of details does not push its heading out
    of the window."""
    cuts = _cuts(signals, keep)
    plain = signals.plain
    pieces: list[str] = []
    pos = 0
    start, end = keep.start, keep.end
    for cut_start, cut_end in cuts:
        if cut_start < pos:
            continue  # inside a cut already made
        pieces.append(plain[pos:cut_start])
        pieces.append(" ")
        if cut_end <= keep.start:
            start -= cut_end - cut_start - 1
            end -= cut_end - cut_start - 1
        pos = cut_end
    pieces.append(plain[pos:])
    return "".join(pieces), start, end


def _window(text: str, item: PiiMatch, before: int, after: int) -> str:
    return text[max(item.start - before, 0) : item.end + after]


# --------------------------------------------------------------------------- threats


def _assess_threat(signals: MessageSignals) -> Assessment | None:
    prose = signals.prose
    lowered = prose.lower()
    if not (
        contains_any(lowered, _THREAT_NOUN_HINTS) and contains_any(lowered, _THREAT_WHOSE_HINTS)
    ):
        return None
    for pattern in _THREAT_RES:
        m = pattern.search(prose)
        if m is not None and not _in_reported_quote(prose, m.start()):
            return _threat(signals, m, _SCORE_THREAT)
    for pattern in _CONTEXT_THREAT_RES:
        m = pattern.search(prose)
        if m is not None and not _in_reported_quote(prose, m.start()):
            audience = _AUDIENCE_RE.search(prose, m.end(), m.end() + _AUDIENCE_REACH)
            menacing = audience or _INTIMIDATION_RE.search(prose)
            return _threat(signals, m, _SCORE_THREAT if menacing else _SCORE_THREAT_UNSURE)
    return None


def _threat(signals: MessageSignals, m: re.Match[str], score: float) -> Assessment:
    start, end = signals.slack.prose_to_plain(m.start(), m.end())
    return Assessment(score, Span(start, end), THREAT_REASON)
