"""What every detector sees: the original text, its normalized views and the context of sending."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from assistant.engine.compiled import Compiled
from assistant.engine.normalize import View, make_view
from assistant.models import Channel, Kind


class Hit(NamedTuple):
    """A rule firing on original-text offsets; `detail` fills the rule message's {placeholders}."""

    rule: int
    start: int
    end: int
    detail: dict[str, str] | None = None


class Document:
    __slots__ = ("_folded", "_squeezed", "channel", "compiled", "kind", "raw", "when")

    def __init__(
        self,
        raw: str,
        compiled: Compiled,
        channel: Channel = Channel.work_group,
        kind: Kind | None = None,
        when: datetime | None = None,
    ) -> None:
        self.raw = raw
        self.compiled = compiled
        self.channel = channel
        self.kind = kind
        self.when = when
        self._folded: View | None = None
        self._squeezed: View | None = None

    @property
    def folded(self) -> View:
        """Width, case, script and invisible characters undone; punctuation and spaces kept."""
        if self._folded is None:
            c = self.compiled
            self._folded = make_view(self.raw, c.fold, c.fold_deleted)
        return self._folded

    @property
    def squeezed(self) -> View:
        """`folded` with whitespace and filler symbols removed too: what keywords are matched on."""
        if self._squeezed is None:
            c = self.compiled
            self._squeezed = make_view(self.raw, c.squeeze, c.squeeze_deleted)
        return self._squeezed
