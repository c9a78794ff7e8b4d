"""What every detector sees: the original text, its normalized views and the context of sending."""

from __future__ import annotations

from assistant.engine.normalize import View, make_view, squeeze_view
from assistant.vocabulary import Channel, Kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime

    from assistant.engine.compiled import Compiled


class Document:
    __slots__ = (
        "_folded",
        "_squeezed",
        "channel",
        "compiled",
        "draft",
        "kind",
        "memo",
        "raw",
        "when",
    )

    def __init__(
        self,
        raw: str,
        compiled: Compiled,
        channel: Channel = Channel.work_group,
        kind: Kind | None = None,
        when: datetime | None = None,
        *,
        draft: str | None = None,
    ) -> None:
        self.raw = raw
        # For a rewritten message: the draft it came from (the facts it must keep), else None.
        self.draft = draft
        self.compiled = compiled
        self.channel = channel
        self.kind = kind
        self.when = when
        self._folded: View | None = None
        self._squeezed: View | None = None
        self.memo: dict[str, object] = {}  # what one detector computed that another can reuse

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
            self._squeezed = squeeze_view(self.folded)
        return self._squeezed
