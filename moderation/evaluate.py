"""`python -m moderation.evaluate`: how the engine does on data it never trained on.

Reports, per policy, precision / recall / F1 on the held-out split of our own examples (the
whole engine, with channels and the default thresholds; a finding counts when the bot acts
on it, by a nudge or a moderator flag, and again counting nudges alone) and, per public
source, on that source's held-out split; the share of ordinary chat nudged, and the share
flagged for moderators; and how often tech-policy posts in general-discussions are taken for
geopolitics. Metrics are per source, never
pooled: each source has its own register and artefacts. Examples written but not trained on
yet (`data/pending/`) are scored whole and by their held-out split (the part no head ever
trains on, whatever reads `data/pending/`).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from moderation import corpus
from moderation.classifier import HEADS_DIR, LazyClassifier
from moderation.config import EngineConfig
from moderation.corpus import Example
from moderation.engine import Engine
from moderation.ids import PolicyId, Response
from moderation.message import Account, Message
from moderation.splits import split_of
from moderation.train import CLASSIFIER_POLICIES, public_sources
from moderation.verdict import Verdict

RULE_POLICIES = (PolicyId.PRIVATE_INFO,)
PUBLIC_CAP = 1500


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self) -> dict[str, float | int]:
        if self.tp + self.fn == 0:
            # A source with no positives measures only how often the policy fires wrongly.
            return {
                "false_positive_rate": round(self.fp / max(self.fp + self.tn, 1), 4),
                "n": self.fp + self.tn,
                "positives": 0,
            }
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "n": self.tp + self.fp + self.fn + self.tn,
            "positives": self.tp + self.fn,
        }


def score(labels: Sequence[int], predicted: Sequence[bool]) -> Scores:
    c = Counter((bool(label), p) for label, p in zip(labels, predicted, strict=True))
    return Scores(c[(True, True)], c[(False, True)], c[(True, False)], c[(False, False)])


NUDGING = (Response.NUDGE, Response.NUDGE_FLAG)
FLAGGING = (Response.FLAG, Response.NUDGE_FLAG)


def acts(response: Response) -> bool:
    return response is not Response.NONE


def as_messages(examples: Sequence[Example], channel: str | None) -> list[Message]:
    """Each example in its own channel, or all of them in `channel` when given."""
    return [
        Message(text=e.text, channel=channel if channel is not None else e.channel)
        for e in examples
    ]


def responses(
    engine: Engine, policy: PolicyId, examples: Sequence[Example], channel: str | None = None
) -> list[Response]:
    """What the bot does about `policy` for each example."""
    verdicts = engine.check_batch(as_messages(examples, channel))
    return [f.response if (f := v.finding(policy)) is not None else Response.NONE for v in verdicts]


def predict(
    engine: Engine, policy: PolicyId, examples: Sequence[Example], channel: str | None = None
) -> list[bool]:
    return [acts(r) for r in responses(engine, policy, examples, channel)]


def heldout(examples: Sequence[Example]) -> list[Example]:
    return [e for e in examples if e.split == "heldout"]


def evaluate(
    engine: Engine, include_public: bool = True, show_errors: bool = False
) -> dict[str, object]:
    report: dict[str, object] = {}
    own: dict[str, object] = {}
    own_nudged: dict[str, object] = {}
    for policy in (*CLASSIFIER_POLICIES, *RULE_POLICIES):
        examples = heldout(corpus.own_examples(policy))
        answered = responses(engine, policy, examples)
        predicted = [acts(r) for r in answered]
        own[policy.value] = score([e.label for e in examples], predicted).row()
        own_nudged[policy.value] = score(
            [e.label for e in examples], [r in NUDGING for r in answered]
        ).row()
        if show_errors:
            for e, p in zip(examples, predicted, strict=True):
                if p != bool(e.label):
                    print(
                        f"  [{policy.value}] {'FP' if p else 'FN'} #{e.channel}: {e.text[:160]!r}"
                    )
    accounts = [
        (r, d, label) for r, d, label in corpus.own_accounts() if split_of(f"{r}|{d}") == "heldout"
    ]
    account_predicted = [
        (f := engine.check_account(Account(r, d)).finding(PolicyId.ANONYMOUS_ACCOUNT)) is not None
        and acts(f.response)
        for r, d, _ in accounts
    ]
    own[PolicyId.ANONYMOUS_ACCOUNT.value] = score([a[2] for a in accounts], account_predicted).row()
    report["own_heldout"] = own
    report["own_heldout_nudged"] = own_nudged

    pending: dict[str, object] = {}
    for policy in CLASSIFIER_POLICIES:
        examples = corpus.own_examples(policy, corpus.PENDING_DIR)
        if examples:
            predicted = predict(engine, policy, examples)
            pending[policy.value] = score([e.label for e in examples], predicted).row()
            # A second pass trained `--with-pending` saw the train split of these: then only
            # their held-out split is unseen.
            kept = [
                (e.label, p)
                for e, p in zip(examples, predicted, strict=True)
                if e.split == "heldout"
            ]
            pending[f"{policy.value}, held-out split"] = score(
                [label for label, _ in kept], [p for _, p in kept]
            ).row()
    report["pending_examples"] = pending

    geo = [
        e
        for e in heldout(corpus.own_examples(PolicyId.GEOPOLITICS))
        if e.label == 0 and e.channel == "general-discussions" and e.kind == "hard_negative"
    ]
    flagged = predict(engine, PolicyId.GEOPOLITICS, geo)
    report["tech_policy_taken_for_geopolitics"] = {
        "rate": round(sum(flagged) / max(len(geo), 1), 4),
        "n": len(geo),
    }

    chat = {
        "own:ordinary_chat": as_messages(heldout(corpus.own_ordinary_chat()), None),
        "slack-chat (as #general-discussions)": as_messages(
            heldout(corpus.slack_chat()), "general-discussions"
        ),
    }
    verdicts = {source: engine.check_batch(messages) for source, messages in chat.items()}
    report["false_nudge_rate"] = {
        source: share_answered(found, NUDGING) for source, found in verdicts.items()
    }
    report["moderator_flag_rate"] = {
        source: share_answered(found, FLAGGING) for source, found in verdicts.items()
    }

    if include_public:
        public: dict[str, object] = {}
        for policy in CLASSIFIER_POLICIES:
            channel = "general-discussions" if policy is PolicyId.GEOPOLITICS else "random"
            for loader, _, _ in public_sources(policy):
                examples = heldout(loader())[:PUBLIC_CAP]
                by_source: dict[str, list[Example]] = {}
                for e in examples:
                    by_source.setdefault(e.source.split(":")[0], []).append(e)
                for source, rows in by_source.items():
                    predicted = predict(engine, policy, rows, channel)
                    public[f"{policy.value} / {source}"] = score(
                        [e.content for e in rows], predicted
                    ).row()
        report["public_heldout"] = public
    return report


def share_answered(verdicts: Sequence[Verdict], kinds: tuple[Response, ...]) -> dict[str, object]:
    """The share of these messages with a finding answered by one of `kinds`, by policy."""
    hit = [v for v in verdicts if any(f.response in kinds for f in v.findings)]
    by_policy = Counter(f.policy.value for v in hit for f in v.findings if f.response in kinds)
    return {
        "rate": round(len(hit) / max(len(verdicts), 1), 4),
        "n": len(verdicts),
        "by_policy": dict(by_policy),
    }


def _metrics_line(name: str, row: dict[str, float | int], width: int) -> str:
    """One `Scores.row()` as a line of the report (a set without positives: its firing rate)."""
    if "false_positive_rate" in row:
        return (
            f"  {name:<{width}} fires on {row['false_positive_rate']:.2%} of {row['n']} negatives"
        )
    return f"  {name:<{width}}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1']:>7.3f}{row['n']:>6}{row['positives']:>6}"


def print_report(report: dict[str, object]) -> None:
    own = report["own_heldout"]
    assert isinstance(own, dict)
    print("Held-out split of our own examples (whole engine, default thresholds):")
    print(f"  {'policy':<20}{'precision':>10}{'recall':>8}{'F1':>7}{'n':>6}{'pos':>6}")
    for policy, row in own.items():
        print(_metrics_line(policy, row, 20))
    nudged = report.get("own_heldout_nudged")
    if isinstance(nudged, dict) and nudged != own:
        print("Counting nudges alone (a flag tells moderators, not the member):")
        for policy, row in nudged.items():
            if row != own.get(policy):
                print(_metrics_line(policy, row, 20))
    pending = report.get("pending_examples")
    if isinstance(pending, dict) and pending:
        print("\nExamples in data/pending (never trained on by the first pass):")
        for name, row in pending.items():
            print(_metrics_line(name, row, 28))
    geo = report["tech_policy_taken_for_geopolitics"]
    assert isinstance(geo, dict)
    print(
        f"\nTech-policy posts in #general-discussions taken for geopolitics: {geo['rate']:.2%} of {geo['n']}"
    )
    print("\nOrdinary chat nudged by any policy:")
    rates = report["false_nudge_rate"]
    assert isinstance(rates, dict)
    for source, row in rates.items():
        print(f"  {source:<40} {row['rate']:.2%} of {row['n']}  {row['by_policy'] or ''}")
    flags = report.get("moderator_flag_rate")
    if isinstance(flags, dict):
        print("Ordinary chat flagged for moderators (nudged or not):")
        for source, row in flags.items():
            print(f"  {source:<40} {row['rate']:.2%} of {row['n']}  {row['by_policy'] or ''}")
    public = report.get("public_heldout")
    if isinstance(public, dict):
        print("\nPublic sets, held-out split (the head's view of the words, per source):")
        for name, row in public.items():
            print(_metrics_line(name, row, 40))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m moderation.evaluate", description=__doc__)
    parser.add_argument("--no-public", action="store_true", help="skip the public sets")
    parser.add_argument("--show-errors", action="store_true", help="print held-out mistakes")
    parser.add_argument("--json", type=Path, help="also write the metrics to this file")
    parser.add_argument(
        "--heads", type=Path, default=HEADS_DIR, help="heads (and encoder adapter) to evaluate"
    )
    args = parser.parse_args(argv)
    engine = Engine(EngineConfig(), LazyClassifier(args.heads))
    report = evaluate(engine, include_public=not args.no_public, show_errors=args.show_errors)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print_report(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
