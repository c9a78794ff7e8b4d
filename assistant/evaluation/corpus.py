"""Reading the judgement corpus (`corpus/judgement/`): validated records, their expected
verdicts, the splits. Training reads the `train` split; the eval suite measures the `blind` one.

A record's labels are rows of the severity policy (`rumor`, `red_packet.official`, …); its
expected verdict is not written by hand but follows from the labels and the channel through
`rules/policy.yaml`, so the corpus and the checker can never disagree about what a label means.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.engine.loader import load_rule_set
from assistant.vocabulary import Channel, Severity, Verdict

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
JUDGEMENT = CORPUS / "judgement"
# Rows the learned model judges: the content of a message, not its timing, format or etiquette.
CONTENT_ROWS = (
    "political_commentary",
    "rumor",
    "vote_buying",
    "vulgar",
    "chain_message",
    "secret",
    "privacy.personal",
    "privacy.photo",
    "gossip.fact",
    "gossip.question",
    "inducement",
    "advertising",
    "red_packet.official",
    "red_packet.casual",
    "screenshot.private",
    "screenshot.other",
    "off_topic",
)
LOOKALIKES = (
    "warning",
    "refutation",
    "training",
    "inspection",
    "election_notice",
    "antifraud",
    "returned_red_packet",
    "contact_in_notice",
    "discipline_news",
    "policy_study",
    "secrecy_procedure",
    "health_notice",
    "official_red_packet_rule",
    "other",
)


class Message(BaseModel):
    """One written message and what a careful reviewer says of it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+-\d+$")
    text: str = Field(min_length=1)
    labels: tuple[str, ...] = ()
    channel: Channel
    genre: str
    lookalike: str | None = None

    @field_validator("labels")
    @classmethod
    def _known_rows(cls, labels: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [x for x in labels if x not in CONTENT_ROWS]
        if unknown:
            raise ValueError(f"unknown labels {unknown}; known: {list(CONTENT_ROWS)}")
        return tuple(sorted(set(labels)))

    @field_validator("lookalike")
    @classmethod
    def _known_lookalike(cls, value: str | None) -> str | None:
        if value is not None and value not in LOOKALIKES:
            raise ValueError(f"unknown lookalike {value!r}")
        return value

    @property
    def writer(self) -> str:
        return self.id.split("-")[0]


@cache
def _policy():
    return load_rule_set().policy


def category_of(row: str) -> str:
    return row.partition(".")[0]


def severity(row: str, channel: Channel) -> Severity | None:
    return _policy().severities(row).get(channel)


def expected_verdict(message: Message) -> Verdict:
    ranks = [severity(row, message.channel) for row in message.labels]
    worst = max((s.rank for s in ranks if s is not None), default=0)
    return (Verdict.ok, Verdict.revise, Verdict.block)[worst]


def expected_categories(message: Message) -> list[str]:
    """The categories a checker should report at revise or block for this message."""
    return sorted({category_of(r) for r in flagged_rows(message)})


def flagged_rows(message: Message) -> tuple[str, ...]:
    """The labels that matter on the message's channel (off_topic in a family group does not)."""
    return tuple(
        r for r in message.labels if severity(r, message.channel) not in (None, Severity.info)
    )


def read(path: Path) -> Iterator[Message]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield Message.model_validate(json.loads(line))
        except ValueError as exc:
            raise ValueError(f"{path.name}:{number}: {exc}") from None


def load(split: str) -> list[Message]:
    """`train` (the writers of corpus/judgement/train) or `blind` (never used for training or
    tuning); sorted by id so that training is deterministic."""
    folder = JUDGEMENT / split
    messages = [m for path in sorted(folder.glob("*.jsonl")) for m in read(path)]
    ids = [m.id for m in messages]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{split}: duplicate ids")
    return sorted(messages, key=lambda m: m.id)
