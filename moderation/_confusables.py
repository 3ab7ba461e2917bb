"""Homoglyph table for keyword folding (data only; used by ``moderation.text``).

Maps a letter that looks like a Latin letter to that Latin letter (lower case). Read only
through :func:`moderation.text.fold_for_keywords`, which applies it to a word only when
*every* letter of the word is Latin or in this table, so ordinary Cyrillic, Greek or
Armenian words are left alone while "раураl" (Cyrillic р, а, у) folds to "paypal".

Provenance (regenerate the same way if it ever needs to grow):

* Unicode's ``confusables.txt`` (UTS #39), read from the ``confusables.json`` shipped in
  the ``confusable-homoglyphs`` 3.3.1 wheel (MIT; data under the Unicode License v3).
  Kept: single code points of general category L*, unchanged by NFKC (NFKC runs first,
  so full-width and mathematical letters never reach this table), whose Unicode name
  starts with CYRILLIC, GREEK, LATIN, CHEROKEE, LISU, ARMENIAN, COPTIC or CANADIAN, and
  whose confusable prototype is exactly one ASCII letter. Digits and letters of other
  scripts (Devanagari ०, Arabic ه, ...) are deliberately left out: they are real text.
* Latin small capitals ("LATIN LETTER SMALL CAPITAL X", the "ᴅᴏɴᴀᴛᴇ" fancy-text style),
  selected by Unicode name.
* Latin letters with no canonical decomposition, which diacritic stripping cannot reach
  (ł ø đ ħ ŧ ß æ œ þ ð ...).

Unicode gives ``l`` as the prototype of capital-I look-alikes (Cyrillic І, Greek Ι);
keyword matching treats ``i`` and ``l`` as one letter, so either value matches.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

HOMOGLYPHS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "\u15c5": "a",  # ᗅ CANADIAN SYLLABICS CARRIER GHO
        "\u13aa": "a",  # Ꭺ CHEROKEE LETTER GO
        "\u0410": "a",  # А CYRILLIC CAPITAL LETTER A
        "\u0430": "a",  # а CYRILLIC SMALL LETTER A
        "\u0391": "a",  # Α GREEK CAPITAL LETTER ALPHA
        "\u03b1": "a",  # α GREEK SMALL LETTER ALPHA
        "\u0251": "a",  # ɑ LATIN SMALL LETTER ALPHA
        "\u1d00": "a",  # ᴀ LATIN LETTER SMALL CAPITAL A
        "\ua4ee": "a",  # ꓮ LISU LETTER A
        "\u00c6": "ae",  # Æ LATIN CAPITAL LETTER AE
        "\u00e6": "ae",  # æ LATIN SMALL LETTER AE
        "\u1472": "b",  # ᑲ CANADIAN SYLLABICS KA
        "\u15af": "b",  # ᖯ CANADIAN SYLLABICS AIVILIK B
        "\u15f7": "b",  # ᗷ CANADIAN SYLLABICS CARRIER KHE
        "\u13cf": "b",  # Ꮟ CHEROKEE LETTER SI
        "\u13f4": "b",  # Ᏼ CHEROKEE LETTER YV
        "\u0412": "b",  # В CYRILLIC CAPITAL LETTER VE
        "\u042c": "b",  # Ь CYRILLIC CAPITAL LETTER SOFT SIGN
        "\u0392": "b",  # Β GREEK CAPITAL LETTER BETA
        "\u0180": "b",  # ƀ LATIN SMALL LETTER B WITH STROKE
        "\u0184": "b",  # Ƅ LATIN CAPITAL LETTER TONE SIX
        "\u0299": "b",  # ʙ LATIN LETTER SMALL CAPITAL B
        "\ua7b4": "b",  # Ꞵ LATIN CAPITAL LETTER BETA
        "\ua4d0": "b",  # ꓐ LISU LETTER BA
        "\u13df": "c",  # Ꮯ CHEROKEE LETTER TLI
        "\uabaf": "c",  # ꮯ CHEROKEE SMALL LETTER TLI
        "\u2ca4": "c",  # Ⲥ COPTIC CAPITAL LETTER SIMA
        "\u2ca5": "c",  # ⲥ COPTIC SMALL LETTER SIMA
        "\u0421": "c",  # С CYRILLIC CAPITAL LETTER ES
        "\u0441": "c",  # с CYRILLIC SMALL LETTER ES
        "\u1d04": "c",  # ᴄ LATIN LETTER SMALL CAPITAL C
        "\ua4da": "c",  # ꓚ LISU LETTER CA
        "\u146f": "d",  # ᑯ CANADIAN SYLLABICS KO
        "\u15de": "d",  # ᗞ CANADIAN SYLLABICS CARRIER THE
        "\u15ea": "d",  # ᗪ CANADIAN SYLLABICS CARRIER PE
        "\u13a0": "d",  # Ꭰ CHEROKEE LETTER A
        "\u13e7": "d",  # Ꮷ CHEROKEE LETTER TSU
        "\u0501": "d",  # ԁ CYRILLIC SMALL LETTER KOMI DE
        "\u00f0": "d",  # ð LATIN SMALL LETTER ETH
        "\u0110": "d",  # Đ LATIN CAPITAL LETTER D WITH STROKE
        "\u0111": "d",  # đ LATIN SMALL LETTER D WITH STROKE
        "\u1d05": "d",  # ᴅ LATIN LETTER SMALL CAPITAL D
        "\ua4d2": "d",  # ꓒ LISU LETTER PHA
        "\ua4d3": "d",  # ꓓ LISU LETTER DA
        "\u13ac": "e",  # Ꭼ CHEROKEE LETTER GV
        "\u0415": "e",  # Е CYRILLIC CAPITAL LETTER IE
        "\u0435": "e",  # е CYRILLIC SMALL LETTER IE
        "\u04bd": "e",  # ҽ CYRILLIC SMALL LETTER ABKHASIAN CHE
        "\u0395": "e",  # Ε GREEK CAPITAL LETTER EPSILON
        "\u1d07": "e",  # ᴇ LATIN LETTER SMALL CAPITAL E
        "\uab32": "e",  # ꬲ LATIN SMALL LETTER BLACKLETTER E
        "\ua4f0": "e",  # ꓰ LISU LETTER E
        "\u0584": "f",  # ք ARMENIAN SMALL LETTER KEH
        "\u15b4": "f",  # ᖴ CANADIAN SYLLABICS BLACKFOOT WE
        "\u03dc": "f",  # Ϝ GREEK LETTER DIGAMMA
        "\u1e9d": "f",  # ẝ LATIN SMALL LETTER LONG S WITH HIGH STROKE
        "\ua730": "f",  # ꜰ LATIN LETTER SMALL CAPITAL F
        "\ua798": "f",  # Ꞙ LATIN CAPITAL LETTER F WITH STROKE
        "\ua799": "f",  # ꞙ LATIN SMALL LETTER F WITH STROKE
        "\uab35": "f",  # ꬵ LATIN SMALL LETTER LENIS F
        "\ua4dd": "f",  # ꓝ LISU LETTER TSA
        "\u0581": "g",  # ց ARMENIAN SMALL LETTER CO
        "\u13c0": "g",  # Ꮐ CHEROKEE LETTER NAH
        "\u13f3": "g",  # Ᏻ CHEROKEE LETTER YU
        "\u050c": "g",  # Ԍ CYRILLIC CAPITAL LETTER KOMI SJE
        "\u018d": "g",  # ƍ LATIN SMALL LETTER TURNED DELTA
        "\u0261": "g",  # ɡ LATIN SMALL LETTER SCRIPT G
        "\u0262": "g",  # ɢ LATIN LETTER SMALL CAPITAL G
        "\u1d83": "g",  # ᶃ LATIN SMALL LETTER G WITH PALATAL HOOK
        "\ua4d6": "g",  # ꓖ LISU LETTER GA
        "\u0570": "h",  # հ ARMENIAN SMALL LETTER HO
        "\u157c": "h",  # ᕼ CANADIAN SYLLABICS NUNAVUT H
        "\u13bb": "h",  # Ꮋ CHEROKEE LETTER MI
        "\u13c2": "h",  # Ꮒ CHEROKEE LETTER NI
        "\u2c8e": "h",  # Ⲏ COPTIC CAPITAL LETTER HATE
        "\u041d": "h",  # Н CYRILLIC CAPITAL LETTER EN
        "\u04bb": "h",  # һ CYRILLIC SMALL LETTER SHHA
        "\u0397": "h",  # Η GREEK CAPITAL LETTER ETA
        "\u0126": "h",  # Ħ LATIN CAPITAL LETTER H WITH STROKE
        "\u0127": "h",  # ħ LATIN SMALL LETTER H WITH STROKE
        "\u029c": "h",  # ʜ LATIN LETTER SMALL CAPITAL H
        "\ua4e7": "h",  # ꓧ LISU LETTER XA
        "\u13a5": "i",  # Ꭵ CHEROKEE LETTER V
        "\uab75": "i",  # ꭵ CHEROKEE SMALL LETTER V
        "\u0456": "i",  # і CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I
        "\u04cf": "i",  # ӏ CYRILLIC SMALL LETTER PALOCHKA
        "\ua647": "i",  # ꙇ CYRILLIC SMALL LETTER IOTA
        "\u03b9": "i",  # ι GREEK SMALL LETTER IOTA
        "\u0131": "i",  # ı LATIN SMALL LETTER DOTLESS I
        "\u0268": "i",  # ɨ LATIN SMALL LETTER I WITH STROKE
        "\u0269": "i",  # ɩ LATIN SMALL LETTER IOTA
        "\u026a": "i",  # ɪ LATIN LETTER SMALL CAPITAL I
        "\u148d": "j",  # ᒍ CANADIAN SYLLABICS CO
        "\u13ab": "j",  # Ꭻ CHEROKEE LETTER GU
        "\u0408": "j",  # Ј CYRILLIC CAPITAL LETTER JE
        "\u0458": "j",  # ј CYRILLIC SMALL LETTER JE
        "\u037f": "j",  # Ϳ GREEK CAPITAL LETTER YOT
        "\u03f3": "j",  # ϳ GREEK LETTER YOT
        "\u1d0a": "j",  # ᴊ LATIN LETTER SMALL CAPITAL J
        "\ua7b2": "j",  # Ʝ LATIN CAPITAL LETTER J WITH CROSSED-TAIL
        "\ua4d9": "j",  # ꓙ LISU LETTER JA
        "\u13e6": "k",  # Ꮶ CHEROKEE LETTER TSO
        "\u2c94": "k",  # Ⲕ COPTIC CAPITAL LETTER KAPA
        "\u041a": "k",  # К CYRILLIC CAPITAL LETTER KA
        "\u039a": "k",  # Κ GREEK CAPITAL LETTER KAPPA
        "\u1d0b": "k",  # ᴋ LATIN LETTER SMALL CAPITAL K
        "\ua4d7": "k",  # ꓗ LISU LETTER KA
        "\u14aa": "l",  # ᒪ CANADIAN SYLLABICS MA
        "\u13de": "l",  # Ꮮ CHEROKEE LETTER TLE
        "\u2c92": "l",  # Ⲓ COPTIC CAPITAL LETTER IAUDA
        "\u2cd0": "l",  # Ⳑ COPTIC CAPITAL LETTER L-SHAPED HA
        "\u0406": "l",  # І CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I
        "\u04c0": "l",  # Ӏ CYRILLIC LETTER PALOCHKA
        "\u0399": "l",  # Ι GREEK CAPITAL LETTER IOTA
        "\u0141": "l",  # Ł LATIN CAPITAL LETTER L WITH STROKE
        "\u0142": "l",  # ł LATIN SMALL LETTER L WITH STROKE
        "\u0196": "l",  # Ɩ LATIN CAPITAL LETTER IOTA
        "\u01c0": "l",  # ǀ LATIN LETTER DENTAL CLICK
        "\u029f": "l",  # ʟ LATIN LETTER SMALL CAPITAL L
        "\ua4e1": "l",  # ꓡ LISU LETTER LA
        "\ua4f2": "l",  # ꓲ LISU LETTER I
        "\u15f0": "m",  # ᗰ CANADIAN SYLLABICS CARRIER GO
        "\u13b7": "m",  # Ꮇ CHEROKEE LETTER LU
        "\u2c98": "m",  # Ⲙ COPTIC CAPITAL LETTER MI
        "\u041c": "m",  # М CYRILLIC CAPITAL LETTER EM
        "\u039c": "m",  # Μ GREEK CAPITAL LETTER MU
        "\u03fa": "m",  # Ϻ GREEK CAPITAL LETTER SAN
        "\u1d0d": "m",  # ᴍ LATIN LETTER SMALL CAPITAL M
        "\ua4df": "m",  # ꓟ LISU LETTER MA
        "\u0578": "n",  # ո ARMENIAN SMALL LETTER VO
        "\u057c": "n",  # ռ ARMENIAN SMALL LETTER RA
        "\u2c9a": "n",  # Ⲛ COPTIC CAPITAL LETTER NI
        "\u039d": "n",  # Ν GREEK CAPITAL LETTER NU
        "\u0274": "n",  # ɴ LATIN LETTER SMALL CAPITAL N
        "\ua4e0": "n",  # ꓠ LISU LETTER NA
        "\u0555": "o",  # Օ ARMENIAN CAPITAL LETTER OH
        "\u0585": "o",  # օ ARMENIAN SMALL LETTER OH
        "\u2c9e": "o",  # Ⲟ COPTIC CAPITAL LETTER O
        "\u2c9f": "o",  # ⲟ COPTIC SMALL LETTER O
        "\u041e": "o",  # О CYRILLIC CAPITAL LETTER O
        "\u043e": "o",  # о CYRILLIC SMALL LETTER O
        "\u039f": "o",  # Ο GREEK CAPITAL LETTER OMICRON
        "\u03bf": "o",  # ο GREEK SMALL LETTER OMICRON
        "\u03c3": "o",  # σ GREEK SMALL LETTER SIGMA
        "\u00d8": "o",  # Ø LATIN CAPITAL LETTER O WITH STROKE
        "\u00f8": "o",  # ø LATIN SMALL LETTER O WITH STROKE
        "\u1d0f": "o",  # ᴏ LATIN LETTER SMALL CAPITAL O
        "\u1d11": "o",  # ᴑ LATIN SMALL LETTER SIDEWAYS O
        "\uab3d": "o",  # ꬽ LATIN SMALL LETTER BLACKLETTER O
        "\ua4f3": "o",  # ꓳ LISU LETTER O
        "\u0152": "oe",  # Œ LATIN CAPITAL LIGATURE OE
        "\u0153": "oe",  # œ LATIN SMALL LIGATURE OE
        "\u146d": "p",  # ᑭ CANADIAN SYLLABICS KI
        "\u13e2": "p",  # Ꮲ CHEROKEE LETTER TLV
        "\u2ca2": "p",  # Ⲣ COPTIC CAPITAL LETTER RO
        "\u2ca3": "p",  # ⲣ COPTIC SMALL LETTER RO
        "\u0420": "p",  # Р CYRILLIC CAPITAL LETTER ER
        "\u0440": "p",  # р CYRILLIC SMALL LETTER ER
        "\u03a1": "p",  # Ρ GREEK CAPITAL LETTER RHO
        "\u03c1": "p",  # ρ GREEK SMALL LETTER RHO
        "\u1d18": "p",  # ᴘ LATIN LETTER SMALL CAPITAL P
        "\ua4d1": "p",  # ꓑ LISU LETTER PA
        "\u0563": "q",  # գ ARMENIAN SMALL LETTER GIM
        "\u0566": "q",  # զ ARMENIAN SMALL LETTER ZA
        "\u051b": "q",  # ԛ CYRILLIC SMALL LETTER QA
        "\ua7af": "q",  # ꞯ LATIN LETTER SMALL CAPITAL Q
        "\u1587": "r",  # ᖇ CANADIAN SYLLABICS TLHI
        "\u13a1": "r",  # Ꭱ CHEROKEE LETTER E
        "\u13d2": "r",  # Ꮢ CHEROKEE LETTER SV
        "\uab81": "r",  # ꮁ CHEROKEE SMALL LETTER HU
        "\u2c85": "r",  # ⲅ COPTIC SMALL LETTER GAMMA
        "\u0433": "r",  # г CYRILLIC SMALL LETTER GHE
        "\u1d26": "r",  # ᴦ GREEK LETTER SMALL CAPITAL GAMMA
        "\u01a6": "r",  # Ʀ LATIN LETTER YR
        "\u0280": "r",  # ʀ LATIN LETTER SMALL CAPITAL R
        "\uab47": "r",  # ꭇ LATIN SMALL LETTER R WITHOUT HANDLE
        "\uab48": "r",  # ꭈ LATIN SMALL LETTER DOUBLE R
        "\ua4e3": "r",  # ꓣ LISU LETTER ZHA
        "\u054f": "s",  # Տ ARMENIAN CAPITAL LETTER TIWN
        "\u13d5": "s",  # Ꮥ CHEROKEE LETTER DE
        "\u13da": "s",  # Ꮪ CHEROKEE LETTER DU
        "\uabaa": "s",  # ꮪ CHEROKEE SMALL LETTER DU
        "\u0405": "s",  # Ѕ CYRILLIC CAPITAL LETTER DZE
        "\u0455": "s",  # ѕ CYRILLIC SMALL LETTER DZE
        "\u017f": "s",  # ſ LATIN SMALL LETTER LONG S
        "\u01bd": "s",  # ƽ LATIN SMALL LETTER TONE FIVE
        "\ua731": "s",  # ꜱ LATIN LETTER SMALL CAPITAL S
        "\ua4e2": "s",  # ꓢ LISU LETTER SA
        "\u00df": "ss",  # ß LATIN SMALL LETTER SHARP S
        "\u1e9e": "ss",  # ẞ LATIN CAPITAL LETTER SHARP S
        "\u13a2": "t",  # Ꭲ CHEROKEE LETTER I
        "\u2ca6": "t",  # Ⲧ COPTIC CAPITAL LETTER TAU
        "\u0422": "t",  # Т CYRILLIC CAPITAL LETTER TE
        "\u03a4": "t",  # Τ GREEK CAPITAL LETTER TAU
        "\u0166": "t",  # Ŧ LATIN CAPITAL LETTER T WITH STROKE
        "\u0167": "t",  # ŧ LATIN SMALL LETTER T WITH STROKE
        "\u1d1b": "t",  # ᴛ LATIN LETTER SMALL CAPITAL T
        "\ua4d4": "t",  # ꓔ LISU LETTER TA
        "\u00de": "th",  # Þ LATIN CAPITAL LETTER THORN
        "\u00fe": "th",  # þ LATIN SMALL LETTER THORN
        "\u054d": "u",  # Ս ARMENIAN CAPITAL LETTER SEH
        "\u057d": "u",  # ս ARMENIAN SMALL LETTER SEH
        "\u144c": "u",  # ᑌ CANADIAN SYLLABICS TE
        "\u03c5": "u",  # υ GREEK SMALL LETTER UPSILON
        "\u0289": "u",  # ʉ LATIN SMALL LETTER U BAR
        "\u028b": "u",  # ʋ LATIN SMALL LETTER V WITH HOOK
        "\u1d1c": "u",  # ᴜ LATIN LETTER SMALL CAPITAL U
        "\ua79f": "u",  # ꞟ LATIN SMALL LETTER VOLAPUK UE
        "\uab4e": "u",  # ꭎ LATIN SMALL LETTER U WITH SHORT RIGHT LEG
        "\uab52": "u",  # ꭒ LATIN SMALL LETTER U WITH LEFT HOOK
        "\ua4f4": "u",  # ꓴ LISU LETTER U
        "\u142f": "v",  # ᐯ CANADIAN SYLLABICS PE
        "\u13d9": "v",  # Ꮩ CHEROKEE LETTER DO
        "\uaba9": "v",  # ꮩ CHEROKEE SMALL LETTER DO
        "\u0474": "v",  # Ѵ CYRILLIC CAPITAL LETTER IZHITSA
        "\u0475": "v",  # ѵ CYRILLIC SMALL LETTER IZHITSA
        "\u03bd": "v",  # ν GREEK SMALL LETTER NU
        "\u1d20": "v",  # ᴠ LATIN LETTER SMALL CAPITAL V
        "\ua4e6": "v",  # ꓦ LISU LETTER HA
        "\u0561": "w",  # ա ARMENIAN SMALL LETTER AYB
        "\u13b3": "w",  # Ꮃ CHEROKEE LETTER LA
        "\u13d4": "w",  # Ꮤ CHEROKEE LETTER TA
        "\uab83": "w",  # ꮃ CHEROKEE SMALL LETTER LA
        "\u0461": "w",  # ѡ CYRILLIC SMALL LETTER OMEGA
        "\u051c": "w",  # Ԝ CYRILLIC CAPITAL LETTER WE
        "\u051d": "w",  # ԝ CYRILLIC SMALL LETTER WE
        "\u026f": "w",  # ɯ LATIN SMALL LETTER TURNED M
        "\u1d21": "w",  # ᴡ LATIN LETTER SMALL CAPITAL W
        "\ua4ea": "w",  # ꓪ LISU LETTER WA
        "\u1541": "x",  # ᕁ CANADIAN SYLLABICS SAYISI YI
        "\u157d": "x",  # ᕽ CANADIAN SYLLABICS HK
        "\u2cac": "x",  # Ⲭ COPTIC CAPITAL LETTER KHI
        "\u0425": "x",  # Х CYRILLIC CAPITAL LETTER HA
        "\u0445": "x",  # х CYRILLIC SMALL LETTER HA
        "\u03a7": "x",  # Χ GREEK CAPITAL LETTER CHI
        "\ua7b3": "x",  # Ꭓ LATIN CAPITAL LETTER CHI
        "\ua4eb": "x",  # ꓫ LISU LETTER SHA
        "\u13a9": "y",  # Ꭹ CHEROKEE LETTER GI
        "\u13bd": "y",  # Ꮍ CHEROKEE LETTER MU
        "\u2ca8": "y",  # Ⲩ COPTIC CAPITAL LETTER UA
        "\u0423": "y",  # У CYRILLIC CAPITAL LETTER U
        "\u0443": "y",  # у CYRILLIC SMALL LETTER U
        "\u04ae": "y",  # Ү CYRILLIC CAPITAL LETTER STRAIGHT U
        "\u04af": "y",  # ү CYRILLIC SMALL LETTER STRAIGHT U
        "\u03a5": "y",  # Υ GREEK CAPITAL LETTER UPSILON
        "\u03b3": "y",  # γ GREEK SMALL LETTER GAMMA
        "\u0263": "y",  # ɣ LATIN SMALL LETTER GAMMA
        "\u028f": "y",  # ʏ LATIN LETTER SMALL CAPITAL Y
        "\u1d8c": "y",  # ᶌ LATIN SMALL LETTER V WITH PALATAL HOOK
        "\u1eff": "y",  # ỿ LATIN SMALL LETTER Y WITH LOOP
        "\uab5a": "y",  # ꭚ LATIN SMALL LETTER Y WITH SHORT RIGHT LEG
        "\ua4ec": "y",  # ꓬ LISU LETTER YA
        "\u13c3": "z",  # Ꮓ CHEROKEE LETTER NO
        "\uab93": "z",  # ꮓ CHEROKEE SMALL LETTER NO
        "\u0396": "z",  # Ζ GREEK CAPITAL LETTER ZETA
        "\u1d22": "z",  # ᴢ LATIN LETTER SMALL CAPITAL Z
        "\ua4dc": "z",  # ꓜ LISU LETTER DZA
    }
)
