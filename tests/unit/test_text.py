"""moderation.text: Slack markup, normalisation, keyword folding, relaying."""

from __future__ import annotations

import random
import string
import time

import pytest

from moderation.text import (
    KeywordSet,
    SlackText,
    contains_keyword,
    escape_mrkdwn,
    excerpt,
    fold,
    fold_for_keywords,
    keyword_tokens,
    normalize,
    parse_slack_text,
    unescape_entities,
)


def spans_render(parsed: SlackText) -> None:
    """Every part's span points at its own rendering in ``plain``."""
    for link in parsed.links:
        assert parsed.plain[link.start : link.end] == (link.label or link.url)
    for email in parsed.emails:
        shown = parsed.plain[email.start : email.end]
        assert shown == email.address if email.bare else shown
    for mention in parsed.user_mentions:
        assert parsed.plain[mention.start : mention.end] == "@user"
    for channel in parsed.channel_mentions:
        assert parsed.plain[channel.start : channel.end] == "#" + (channel.name or "channel")
    for broadcast in parsed.broadcasts:
        assert parsed.plain[broadcast.start : broadcast.end] == "@" + broadcast.kind
    for code in parsed.code:
        assert parsed.plain[code.start : code.end] == code.text
    for quote in parsed.quotes:
        assert parsed.plain[quote.start : quote.end] == quote.text


# --------------------------------------------------------------------------- Slack markup


class TestLinks:
    def test_link_with_label_renders_label_and_keeps_url(self) -> None:
        parsed = parse_slack_text("see <https://www.Example.com/a?b=1&amp;c=2|the docs> now")
        assert parsed.plain == "see the docs now"
        (link,) = parsed.links
        assert link.url == "https://www.Example.com/a?b=1&c=2"
        assert link.label == "the docs"
        assert link.host == "www.example.com"
        assert link.domain == "example.com"
        assert (link.start, link.end) == (4, 12)
        assert not link.bare
        spans_render(parsed)

    def test_link_without_label_renders_url(self) -> None:
        parsed = parse_slack_text("<https://foo.io/x>")
        assert parsed.plain == "https://foo.io/x"
        assert parsed.links[0].label is None
        assert parsed.links[0].domain == "foo.io"

    def test_empty_label_falls_back_to_url(self) -> None:
        assert parse_slack_text("<https://foo.io|>").plain == "https://foo.io"

    def test_escaped_angle_bracket_inside_label_is_unescaped(self) -> None:
        parsed = parse_slack_text("<https://x.org|a &lt; b &amp;&gt; c>")
        assert parsed.plain == "a < b &> c"
        assert parsed.links[0].label == "a < b &> c"
        spans_render(parsed)

    def test_port_and_userinfo_are_not_part_of_the_domain(self) -> None:
        (link,) = parse_slack_text("<http://user:pw@Shop.Example.co.uk:8080/p>").links
        assert link.host == "shop.example.co.uk"
        assert link.domain == "shop.example.co.uk"

    def test_domains_are_listed_once_in_order(self) -> None:
        parsed = parse_slack_text("<https://a.com/1> <https://www.a.com/2> <https://b.io>")
        assert parsed.domains == ("a.com", "b.io")

    def test_non_http_scheme_is_a_link_without_domain(self) -> None:
        (link,) = parse_slack_text("<tel:+15551234|call me>").links
        assert link.url == "tel:+15551234"
        assert link.domain == ""

    def test_angle_text_without_scheme_is_kept_as_text(self) -> None:
        parsed = parse_slack_text("a <not a link> b")
        assert parsed.plain == "a <not a link> b"
        assert parsed.links == ()


class TestBareLinks:
    def test_bare_url_in_text_is_found_and_trailing_punctuation_dropped(self) -> None:
        parsed = parse_slack_text("go to https://x.org/a_(b)). Thanks")
        (link,) = parsed.links
        assert link.url == "https://x.org/a_(b)"
        assert link.bare
        spans_render(parsed)

    def test_domain_with_path_typed_in_text_is_a_link(self) -> None:
        parsed = parse_slack_text("give at gofundme.com/f/help-me, please")
        (link,) = parsed.links
        assert link.url == "gofundme.com/f/help-me"
        assert link.domain == "gofundme.com"
        assert parsed.plain[link.start : link.end] == link.url

    @pytest.mark.parametrize(
        ("text", "domain"),
        [
            ("mycoolstartup.io is live", "mycoolstartup.io"),
            ("try www.thing.zz today", "thing.zz"),
            ("paypal.me/someone", "paypal.me"),
            ("EXAMPLE.COM", "example.com"),
        ],
    )
    def test_bare_domains_are_found(self, text: str, domain: str) -> None:
        assert parse_slack_text(text).domains == (domain,)

    @pytest.mark.parametrize(
        "text",
        [
            "run main.py then README.md",
            "e.g. this, i.e. that",
            "the U.S. and Ph.D. holders",
            "version 3.5 at 10:30",
            "I did it.It was fun",
            "config.yaml and node.js",
            "a sentence.Next one",
        ],
    )
    def test_file_names_abbreviations_and_typos_are_not_links(self, text: str) -> None:
        assert parse_slack_text(text).links == ()

    def test_email_local_part_is_not_taken_for_a_domain(self) -> None:
        parsed = parse_slack_text("write to first.me@example.com")
        assert parsed.links == ()
        assert [e.address for e in parsed.emails] == ["first.me@example.com"]


class TestEmails:
    def test_mailto_markup_is_an_email_not_a_link(self) -> None:
        parsed = parse_slack_text("mail <mailto:a.b@c.org|a.b@c.org> now")
        assert parsed.plain == "mail a.b@c.org now"
        (email,) = parsed.emails
        assert email.address == "a.b@c.org"
        assert parsed.plain[email.start : email.end] == "a.b@c.org"
        assert not email.bare
        assert parsed.links == ()

    def test_mailto_query_is_not_part_of_the_address(self) -> None:
        (email,) = parse_slack_text("<mailto:x@y.com?subject=hi>").emails
        assert email.address == "x@y.com"

    def test_bare_email_in_text_is_found(self) -> None:
        parsed = parse_slack_text("reach j.doe+tag@ex-ample.com.")
        (email,) = parsed.emails
        assert email.address == "j.doe+tag@ex-ample.com"
        assert email.bare


class TestMentions:
    @pytest.mark.parametrize("raw", ["<@U123>", "<@U123|bob>", "<@W0ABC|bob smith>"])
    def test_user_mention_renders_placeholder(self, raw: str) -> None:
        parsed = parse_slack_text(f"hi {raw}!")
        assert parsed.plain == "hi @user!"
        (mention,) = parsed.user_mentions
        assert mention.user_id == raw[2:].split("|")[0].rstrip(">")
        assert (mention.start, mention.end) == (3, 8)

    def test_user_mention_keeps_label_out_of_plain(self) -> None:
        parsed = parse_slack_text("<@U1|alice> and <@U2> and <@U1>")
        assert parsed.user_mentions[0].label == "alice"
        assert parsed.user_ids == ("U1", "U2")
        assert "alice" not in parsed.plain

    def test_channel_mention_renders_name(self) -> None:
        parsed = parse_slack_text("see <#C123|general>")
        assert parsed.plain == "see #general"
        (channel,) = parsed.channel_mentions
        assert (channel.channel_id, channel.name) == ("C123", "general")
        spans_render(parsed)

    @pytest.mark.parametrize("raw", ["<#C123>", "<#C123|>"])
    def test_channel_mention_without_name(self, raw: str) -> None:
        parsed = parse_slack_text(raw)
        assert parsed.plain == "#channel"
        assert parsed.channel_mentions[0].name is None

    @pytest.mark.parametrize(
        ("raw", "kind"),
        [
            ("<!here>", "here"),
            ("<!here|@here>", "here"),
            ("<!channel>", "channel"),
            ("<!everyone>", "everyone"),
            ("<!group>", "channel"),
        ],
    )
    def test_broadcasts(self, raw: str, kind: str) -> None:
        parsed = parse_slack_text(f"hey {raw} look")
        assert parsed.plain == f"hey @{kind} look"
        (broadcast,) = parsed.broadcasts
        assert (broadcast.kind, broadcast.start, broadcast.end) == (kind, 4, 5 + len(kind))

    def test_usergroup_mention_renders_handle(self) -> None:
        parsed = parse_slack_text("ping <!subteam^S123|@mods> and <!subteam^S9|team>")
        assert parsed.plain == "ping @mods and @team"
        assert [(g.group_id, g.handle) for g in parsed.usergroup_mentions] == [
            ("S123", "@mods"),
            ("S9", "team"),
        ]

    def test_usergroup_mention_without_label(self) -> None:
        assert parse_slack_text("<!subteam^S123>").plain == "@usergroup"

    def test_date_renders_fallback(self) -> None:
        raw = "at <!date^1392734382^{date_short} {time}^https://x.com|Feb 18, 2014 6:39 AM> ok"
        parsed = parse_slack_text(raw)
        assert parsed.plain == "at Feb 18, 2014 6:39 AM ok"
        assert parsed.links == ()


class TestEntities:
    def test_entities_are_unescaped_in_text(self) -> None:
        assert parse_slack_text("a &amp; b &lt;3 &gt;_&gt;").plain == "a & b <3 >_>"

    def test_nested_entities_unescape_once(self) -> None:
        # The member typed "&lt;" literally; Slack sent "&amp;lt;".
        assert parse_slack_text("&amp;lt;b&amp;gt;").plain == "&lt;b&gt;"
        assert unescape_entities("&amp;amp;") == "&amp;"

    def test_other_entities_are_left_alone(self) -> None:
        assert unescape_entities("&quot;&#39;") == "&quot;&#39;"

    def test_plain_text_passes_through_unchanged(self) -> None:
        raw = "Just a normal message, with *bold* and _italics_ — and ünïcode."
        parsed = parse_slack_text(raw)
        assert parsed.plain == raw
        assert parsed.prose == raw
        assert parse_slack_text("").plain == ""


# --------------------------------------------------------------------------- prose


class TestProse:
    def test_inline_code_is_removed_from_prose_but_kept_in_plain(self) -> None:
        parsed = parse_slack_text("run `pip install venmo` then donate")
        assert parsed.plain == "run `pip install venmo` then donate"
        assert "venmo" not in parsed.prose
        assert parsed.prose.split() == ["run", "then", "donate"]
        (code,) = parsed.code
        assert (code.text, code.block) == ("pip install venmo", False)
        spans_render(parsed)

    def test_code_block_is_removed_from_prose(self) -> None:
        parsed = parse_slack_text("before\n```\ngofundme = 1\n&lt;tag&gt;\n```\nafter")
        assert "gofundme" not in parsed.prose
        assert parsed.prose.split() == ["before", "after"]
        (code,) = parsed.code
        assert code.block
        assert code.text == "\ngofundme = 1\n<tag>\n"
        spans_render(parsed)

    def test_links_inside_code_are_marked_as_code(self) -> None:
        parsed = parse_slack_text("`curl <https://api.example.com>` and <https://shop.io>")
        assert [(link.domain, link.zone) for link in parsed.links] == [
            ("api.example.com", "code"),
            ("shop.io", "prose"),
        ]

    def test_backtick_inside_link_label_does_not_open_code(self) -> None:
        parsed = parse_slack_text("<https://x.io|it`s> and `real code`")
        assert parsed.links[0].label == "it`s"
        assert [c.text for c in parsed.code] == ["real code"]

    @pytest.mark.parametrize("raw", ["it`s fine", "```not closed", "a `b\nc` d"])
    def test_unclosed_backticks_are_text(self, raw: str) -> None:
        parsed = parse_slack_text(raw)
        assert parsed.code == ()
        assert parsed.prose == parsed.plain == raw

    @pytest.mark.parametrize("marker", ["&gt; ", "&gt;", "> "])
    def test_quoted_line_is_removed_from_prose_and_kept_as_quote(self, marker: str) -> None:
        parsed = parse_slack_text(f"{marker}send money to my paypal\nthat is against the rules")
        assert "paypal" not in parsed.prose
        assert parsed.prose.strip() == "that is against the rules"
        assert parsed.quoted_text == "send money to my paypal"
        assert parsed.plain.startswith(">")
        spans_render(parsed)

    def test_greater_than_mid_line_is_not_a_quote(self) -> None:
        parsed = parse_slack_text("5 &gt; 3 and x&gt;y")
        assert parsed.quotes == ()
        assert parsed.prose == "5 > 3 and x>y"

    def test_triple_quote_quotes_the_rest_of_the_message(self) -> None:
        parsed = parse_slack_text("my reply\n&gt;&gt;&gt; quoted one\nquoted two")
        assert parsed.prose.strip() == "my reply"
        assert parsed.quoted_text == "quoted one\nquoted two"

    def test_mentions_in_quotes_are_marked_as_quote(self) -> None:
        parsed = parse_slack_text("&gt; <@U1> said <https://a.io>\n<@U2>")
        assert [m.zone for m in parsed.user_mentions] == ["quote", "prose"]
        assert parsed.links[0].zone == "quote"

    def test_prose_span_maps_back_to_plain(self) -> None:
        parsed = parse_slack_text("&gt; ignore this\nrun `code` now and donate today")
        start = parsed.prose.index("donate")
        plain_start, plain_end = parsed.prose_to_plain(start, start + len("donate"))
        assert parsed.plain[plain_start:plain_end] == "donate"

    def test_prose_to_plain_is_identity_without_code_or_quotes(self) -> None:
        parsed = parse_slack_text("hello donate now")
        assert parsed.prose_to_plain(6, 12) == (6, 12)


# --------------------------------------------------------------------------- normalize


class TestNormalize:
    def test_nfkc_casefold_and_whitespace(self) -> None:
        assert normalize("  ＨＥＬＬＯ\t\n  Wörld  ﬁne Straße ") == "hello wörld fine strasse"

    @pytest.mark.parametrize(
        "invisible",
        ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\u2064", "\ufeff", "\u00ad"],
    )
    def test_zero_width_characters_are_removed(self, invisible: str) -> None:
        assert normalize(f"ven{invisible}mo") == "venmo"

    @pytest.mark.parametrize(
        "control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2069"]
    )
    def test_bidi_controls_are_removed(self, control: str) -> None:
        assert normalize(f"pay{control}pal") == "paypal"

    def test_normalize_keeps_homoglyphs_and_leetspeak(self) -> None:
        assert normalize("g0fundme раураl") == "g0fundme раураl"

    @pytest.mark.parametrize(
        "text", ["日本語のテキスト", "مرحبا بالعالم", "नमस्ते दुनिया", "Привет мир"]
    )
    def test_other_scripts_only_nfkc_and_casefold(self, text: str) -> None:
        assert normalize(text) == text.casefold()


# --------------------------------------------------------------------------- folding


class TestFoldEvasion:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("g0fundme", "gofundme"),
            ("G0FUNDM3", "gofundme"),
            ("d0n4t3", "donate"),
            ("p@ypal", "paypal"),
            ("ca$h app", "cash app"),
            ("v3nm0", "venmo"),
            ("1nvest", "invest"),
            ("d.o.n.a.t.e", "donate"),
            ("d-o-n-a-t-e", "donate"),
            ("d_o_n_a_t_e", "donate"),
            ("d. o. n. a. t. e.", "donate."),
            ("d . o . n . a . t . e", "donate"),
            ("G O F U N D M E", "gofundme"),
            ("g o f u n d m e", "gofundme"),
            ("d.0.n.4.t.e", "donate"),
            ("ｇｏｆｕｎｄｍｅ", "gofundme"),
            ("𝐝𝐨𝐧𝐚𝐭𝐞", "donate"),
            ("ⓓⓞⓝⓐⓣⓔ", "donate"),
            ("ᴅᴏɴᴀᴛᴇ", "donate"),
            ("раураl.me", "paypal.me"),  # Cyrillic р а у
            ("РАУРАL", "paypal"),  # Cyrillic capitals
            ("ΡΑΥΡΑL", "paypal"),  # Greek capitals
            ("dоnаtе", "donate"),  # Cyrillic о а е
            ("dônátè", "donate"),
            ("d\u0336o\u0336n\u0336a\u0336t\u0336e\u0336", "donate"),  # strike-through marks
            ("ven\u200bmo", "venmo"),
            ("ven\u200dmo", "venmo"),
            ("pay\u202epal", "paypal"),
            ("g\u00ado\u00adf\u00adu\u00adn\u00add\u00adm\u00ade", "gofundme"),
            ("ven\ufe0fmo", "venmo"),
        ],
    )
    def test_evasion_is_folded(self, text: str, expected: str) -> None:
        assert fold_for_keywords(text) == expected

    def test_evasion_inside_a_sentence(self) -> None:
        folded = fold_for_keywords("Please  support me on g.o.f.u.n.d.m.e or P@yPaI!")
        assert folded == "please support me on gofundme or paypai!"


class TestFoldLeavesNormalTextAlone:
    @pytest.mark.parametrize(
        "text",
        [
            "e.g. this and i.e. that",
            "the U.S. and the U.K.",
            "J. R. R. Tolkien wrote it",
            "George R. R. Martin",
            "it costs $1,000 or $50",
            "US$50 and €20",
            "send it to $cashtag",
            "version 3.5 at 10:30 on 2024-01-15",
            "call 555-123-4567 or 1.2.3.4",
            "the 1st, 2nd, 3rd and 4th at 10am, 5km away",
            "covid19 b2b x86 i18n k8s ec2 gr8",
            "use code SAVE20 or ATIH50 with python311",
            "mail j0hn.d0e@example.com or a.b.c.d@x.org",
            "@user said hi to @here",
            "a b c",
            "a.m. and p.m.",
        ],
    )
    def test_normal_text_is_only_normalized(self, text: str) -> None:
        assert fold_for_keywords(text) == normalize(text)

    @pytest.mark.parametrize(
        "text",
        [
            "日本語のテキスト",
            "مرحبا بالعالم",
            "नमस्ते दुनिया",
            "Привет мир, как дела?",
            "Καλημέρα κόσμε",
            "שלום עולם",
            "안녕하세요 세계",
        ],
    )
    def test_other_scripts_are_untouched_apart_from_nfkc_and_casefold(self, text: str) -> None:
        assert fold_for_keywords(text) == normalize(text)

    def test_latin_words_mixed_with_other_scripts(self) -> None:
        assert fold_for_keywords("Café in 東京 and naïve") == "cafe in 東京 and naive"


class TestFoldOffsets:
    @pytest.mark.parametrize(
        ("text", "needle"),
        [
            ("Please G.O.F.U.N.D.M.E now", "G.O.F.U.N.D.M.E"),
            ("send to  ven\u200bmo  today", "ven\u200bmo"),
            ("my раураl please", "раураl"),
            ("a ｇｏｆｕｎｄｍｅ b", "ｇｏｆｕｎｄｍｅ"),
            ("ß and g0fundme", "g0fundme"),
            ("\n\n  p@ypal", "p@ypal"),
        ],
    )
    def test_keyword_hit_maps_back_to_the_source(self, text: str, needle: str) -> None:
        keywords = KeywordSet(["gofundme", "venmo", "paypal"])
        (hit,) = keywords.find_in(fold(text))
        assert text[hit.start : hit.end] == needle

    def test_source_spans_stay_in_bounds(self) -> None:
        rng = random.Random(1234)
        alphabet = string.ascii_letters + string.digits + " .-@$\u200bа\u202eｇ\n"
        for _ in range(200):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
            folded = fold(text)
            previous = 0
            for start in range(len(folded.text) + 1):
                s, _ = folded.source_span(start, start)
                assert s >= previous  # order is kept
                previous = s
                for end in range(start, len(folded.text) + 1, 2):
                    s, e = folded.source_span(start, end)
                    assert 0 <= s <= e <= len(text)


class TestKeywords:
    def test_keywords_match_on_word_boundaries(self) -> None:
        keywords = KeywordSet(["venmo", "cash app"])
        assert contains_keyword(fold_for_keywords("my venmo is x"), keywords)
        assert contains_keyword(fold_for_keywords("venmo."), keywords)
        assert not contains_keyword(fold_for_keywords("venmoney"), keywords)
        assert not contains_keyword(fold_for_keywords("supervenmo"), keywords)

    def test_keyword_separators_are_optional(self) -> None:
        keywords = KeywordSet(["go fund me", "cash app", "ko-fi"])
        for text in ["gofundme", "go-fund-me", "go fund me", "cashapp", "kofi", "ko fi"]:
            assert contains_keyword(fold_for_keywords(text), keywords), text

    def test_i_and_l_are_one_letter_in_keywords(self) -> None:
        keywords = KeywordSet(["paypal"])
        for text in ["paypa1", "PayPaI", "paypaІ"]:  # digit one, capital i, Cyrillic І
            assert contains_keyword(fold_for_keywords(text), keywords), text

    def test_trailing_star_matches_word_endings(self) -> None:
        keywords = KeywordSet(["donat*"])
        assert [h.keyword for h in keywords.find_all("donate donation donations")] == ["donat*"] * 3
        assert not contains_keyword("undonated", keywords)

    def test_keywords_are_folded_like_text(self) -> None:
        assert contains_keyword(fold_for_keywords("GoFundMe"), ["GOFUNDME"])
        assert contains_keyword(fold_for_keywords("pаypal"), ["PayPal"])

    def test_longest_keyword_wins(self) -> None:
        keywords = KeywordSet(["paypal", "paypal.me"])
        (hit,) = keywords.find_all(fold_for_keywords("paypal.me/x"))
        assert hit.keyword == "paypal.me"

    def test_empty_keyword_set_matches_nothing(self) -> None:
        assert not contains_keyword("anything", [])
        assert KeywordSet(["", " ", "*"]).find_all("anything") == []

    def test_keyword_tokens(self) -> None:
        assert keyword_tokens("Send $5 to my V3NM0, or g o f u n d m e!") == [
            "send",
            "5",
            "to",
            "my",
            "venmo",
            "or",
            "gofundme",
        ]


# --------------------------------------------------------------------------- relaying


class TestEscapeMrkdwn:
    def test_broadcast_markup_cannot_ping(self) -> None:
        assert escape_mrkdwn("<!channel> hi <@U1>") == "&lt;!channel&gt; hi &lt;@U1&gt;"

    def test_links_cannot_form(self) -> None:
        assert escape_mrkdwn("<https://evil.com|paypal.com>") == (
            "&lt;https://evil.com|paypal.com&gt;"
        )

    def test_ampersand_is_escaped_first(self) -> None:
        assert escape_mrkdwn("a & b &lt; c") == "a &amp; b &amp;lt; c"

    def test_plain_of_a_message_relays_as_the_member_wrote_it(self) -> None:
        raw = "if a &lt; b &amp;&amp; c &gt; d"
        assert escape_mrkdwn(parse_slack_text(raw).plain) == raw

    def test_round_trip_with_unescape(self) -> None:
        rng = random.Random(7)
        for _ in range(200):
            text = "".join(rng.choice("<>&;amplgt !@x") for _ in range(rng.randint(0, 30)))
            escaped = escape_mrkdwn(text)
            assert "<" not in escaped and ">" not in escaped
            assert unescape_entities(escaped) == text


class TestExcerpt:
    def test_short_text_is_returned_with_whitespace_collapsed(self) -> None:
        assert excerpt("  hello \n\n world  ") == "hello world"

    def test_long_text_is_cut_on_a_word_boundary(self) -> None:
        text = "alpha beta gamma delta epsilon"
        assert excerpt(text, limit=18) == "alpha beta gamma…"

    def test_a_single_long_word_is_cut_hard(self) -> None:
        assert excerpt("x" * 50, limit=10) == "x" * 9 + "…"

    def test_trailing_punctuation_before_the_ellipsis_is_dropped(self) -> None:
        assert excerpt("one, two, three, four", limit=12) == "one, two…"

    def test_bidi_controls_are_dropped(self) -> None:
        assert excerpt("abc\u202eevil\u202c") == "abcevil"

    def test_accent_is_not_split_from_its_letter(self) -> None:
        assert excerpt("e\u0301" * 10, limit=6) == "e\u0301e\u0301…"

    @pytest.mark.parametrize("limit", [1, 2, 5, 17, 200])
    def test_result_never_exceeds_limit(self, limit: int) -> None:
        rng = random.Random(limit)
        for _ in range(100):
            text = "".join(rng.choice("ab  \n.,") for _ in range(rng.randint(0, 300)))
            assert len(excerpt(text, limit)) <= limit

    def test_limit_must_be_positive(self) -> None:
        with pytest.raises(ValueError, match="limit"):
            excerpt("x", limit=0)


# --------------------------------------------------------------------------- robustness


class TestRobustness:
    def test_random_slack_like_text_parses_with_consistent_spans(self) -> None:
        rng = random.Random(42)
        atoms = [
            "word ",
            "<@U1>",
            "<#C1|gen>",
            "<!here>",
            "<https://a.io|lbl>",
            "<mailto:a@b.co|a@b.co>",
            "`code`",
            "```blk```",
            "\n",
            "&gt; ",
            "&amp;",
            "x.com/p ",
            "<",
            ">",
            "|",
            "`",
        ]
        for _ in range(500):
            raw = "".join(rng.choice(atoms) for _ in range(rng.randint(0, 25)))
            parsed = parse_slack_text(raw)
            spans_render(parsed)
            assert len(parsed.prose) <= len(parsed.plain) + len(parsed.code)
            for start in range(0, len(parsed.prose) + 1, 3):
                s, e = parsed.prose_to_plain(start, len(parsed.prose))
                assert 0 <= s <= e <= len(parsed.plain)

    @pytest.mark.parametrize(
        "text",
        [
            "a" * 20000,
            "a." * 10000,
            "a@" * 10000,
            "1" * 20000,
            "0a" * 10000,
            "a " * 10000,
            "`" * 20000,
            "&gt;" * 5000,
            "<" * 20000,
            "http://" + "a" * 20000,
            "a-" * 10000 + "!",
            "раураl " * 3000,
        ],
    )
    def test_pathological_input_stays_fast(self, text: str) -> None:
        # Linear-time scanning: ~0.1 s at most here for 20k characters; a quadratic
        # regex would take minutes. The bound is loose so a busy CI stays green.
        began = time.perf_counter()
        parse_slack_text(text)
        fold(text)
        normalize(text)
        assert time.perf_counter() - began < 2.0


class TestMoreEdges:
    def test_keyword_starting_with_i_matches_leet_one_and_l(self) -> None:
        keywords = KeywordSet(["invest"])
        for text in ["1nvest now", "lnvest now", "INVEST now"]:
            assert contains_keyword(fold_for_keywords(text), keywords), text

    def test_contains_keyword_accepts_a_single_string(self) -> None:
        assert contains_keyword("my venmo", "venmo")
        assert not contains_keyword("v", "venmo")

    def test_spans_survive_nfkc_expansion_before_the_hit(self) -> None:
        text = "ﬁne ㎏ then g0fundme"  # ligature and ㎏ grow under NFKC
        (hit,) = KeywordSet(["gofundme"]).find_in(fold(text))
        assert text[hit.start : hit.end] == "g0fundme"

    def test_inline_code_inside_a_quote_is_quote(self) -> None:
        parsed = parse_slack_text("&gt; run `venmo` now\nok")
        assert parsed.prose.strip() == "ok"
        assert parsed.code[0].text == "venmo"
        assert parsed.quoted_text == "run `venmo` now"

    def test_code_block_after_triple_quote_is_quoted(self) -> None:
        parsed = parse_slack_text("&gt;&gt;&gt; look\n```paypal```")
        assert "paypal" not in parsed.prose
        assert "paypal" in parsed.quoted_text

    def test_fold_keeps_slack_placeholders(self) -> None:
        plain = parse_slack_text("<@U1> <!channel> <#C1|gen>").plain
        assert fold_for_keywords(plain) == "@user @channel #gen"
