"""The offline writer, the embedded default and the model path's last fallback: deterministic,
no network. It reads the draft clause by clause (`writer/`) and writes the message an office
would send: a title that names the matter, the point first, numbered details, official wording,
the kind's closing, the signature — and leaves out what must not be broadcast, saying so."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from assistant.engine.checker import default_engine
from assistant.models import Kind
from assistant.rewriting.models import OfficialMessage, RewriteRequest
from assistant.rewriting.writer.compose import Layout, compose
from assistant.rewriting.writer.labeller import Labelled, label

NAME = "offline"


@dataclass(frozen=True)
class Reading:
    """What the writer understood of a draft."""

    labelled: tuple[Labelled, ...]
    layout_withheld: tuple[str, ...]
    sender: str | None  # as the draft names it, or None
    salutation: str | None  # whom the draft addresses (「各位老师」), or None

    def broadcastable(self, draft: str) -> str:
        """The draft without what must not be broadcast: the facts a message must keep."""
        for text in self.layout_withheld:
            draft = draft.replace(text, "")
        return draft


@lru_cache(maxsize=32)
def read(draft: str) -> Reading:
    """The draft read clause by clause. Kept for the drafts just read: a rewrite reads its draft
    to make the request and again to lay the message out, and labelling runs the checker and
    the clause model."""
    from assistant.rewriting.clause_labels import WITHHELD
    from assistant.rewriting.writer import sender
    from assistant.rewriting.writer.compose import salutation_of

    labelled = tuple(label(draft.replace("\r\n", "\n")))
    withheld = tuple(i.clause.text for i in labelled if i.label in WITHHELD) + tuple(
        part for i in labelled for part in i.removed
    )
    return Reading(
        labelled, withheld, sender.from_draft(list(labelled)), salutation_of(list(labelled))
    )


def layout(request: RewriteRequest, draft: str | None = None) -> Layout:
    kinds = default_engine().compiled.kinds
    spec = kinds[request.kind]
    text = request.draft if draft is None else draft
    return compose(
        list(read(text).labelled),
        request.kind,
        audience=request.audience,
        salutation=spec.salutation,
        suffix=spec.title_suffix,
        lead_in=spec.lead,
        topic_lead=spec.topic_lead,
        fallback_title=f"关于有关事项的{spec.title_suffix}",
    )


def generate(
    request: RewriteRequest, draft: str | None = None
) -> tuple[OfficialMessage, list[str]]:
    """The structured message for `draft` (the request's own by default)."""
    kinds = default_engine().compiled.kinds
    spec = kinds[request.kind]
    laid = layout(request, draft)
    closing = spec.closing
    if request.important:
        closing = (
            spec.confirm
            if request.kind in (Kind.reminder, Kind.reply)
            else f"{closing}\n{spec.confirm}"
        )
    message = OfficialMessage(
        subject=laid.subject,
        salutation=laid.salutation,
        points=laid.points,
        closing=closing,
        signature=request.sender or laid.signature or "",
        date=laid.date,
    )
    return message, laid.notes
