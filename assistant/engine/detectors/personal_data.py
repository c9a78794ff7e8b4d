"""Personal data: mobile numbers, resident ID numbers, bank cards.

Candidates come from cheap regexes on the folded view (full-width digits already ASCII); a
validating library confirms each one (phonenumbers; python-stdnum's `cn.ric` checksum and birth
date; Luhn) and is imported only when a candidate exists, so plain messages never pay for it.
Landlines and service numbers such as 12345 or 110 never match the candidates: public numbers are
not private data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from assistant.engine.detectors.base import Hit
from assistant.engine.normalize import LazyPattern

TYPE_CHECKING = False  # typing costs start-up time; annotations are strings
if TYPE_CHECKING:
    from assistant.engine.document import Document
    from assistant.engine.rule import RuntimeRule

_SEP = r"[ \-]?"
MOBILE = LazyPattern(rf"(?<!\d)(?:\+?86{_SEP})?1[3-9]\d(?:{_SEP}\d){{8}}(?!\d)", re.ASCII)
ID_NUMBER = LazyPattern(
    rf"(?<![\da-z])[1-9]\d{{5}}(?:{_SEP}\d){{11}}{_SEP}[\dx](?![\da-z])", re.ASCII
)
LONG_DIGITS = re.compile(rf"\d(?:{_SEP}\d){{10}}", re.ASCII)
BANK_CARD = LazyPattern(rf"(?<!\d)[3-6]\d{{3}}(?:{_SEP}\d){{12,15}}(?!\d)", re.ASCII)


def _digits(s: str) -> str:
    return s.replace(" ", "").replace("-", "").upper()


@lru_cache(maxsize=4096)
def is_mobile(digits: str) -> bool:
    import phonenumbers

    try:
        number = phonenumbers.parse(digits[-11:], "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and (
        phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    )


@lru_cache(maxsize=4096)
def is_id_number(digits: str) -> bool:
    from stdnum.cn import ric

    return ric.is_valid(digits)


@lru_cache(maxsize=4096)
def is_bank_card(digits: str) -> bool:
    from stdnum import luhn

    # An 18-digit ID number is reported by its own rule, never twice.
    if len(digits) == 18 and is_id_number(digits):
        return False
    return len(set(digits)) > 1 and luhn.is_valid(digits)


class _Candidates:
    pattern: LazyPattern
    valid: Callable[[str], bool]

    def __init__(self, rule: RuntimeRule) -> None:
        self.rule = rule

    def detect(self, doc: Document) -> Iterator[Hit]:
        view = doc.folded
        # One shared look for 11+ digits spares the three patterns on most messages.
        has_digits = doc.memo.get("long_digits")
        if has_digits is None:
            has_digits = doc.memo["long_digits"] = LONG_DIGITS.search(view.text) is not None
        if not has_digits:
            return
        for m in self.pattern.finditer(view.text):
            if type(self).valid(_digits(m.group())):
                s, e = view.orig_span(m.start(), m.end())
                yield Hit(self.rule.index, s, e)


class MobileNumber(_Candidates):
    pattern = MOBILE
    valid = staticmethod(is_mobile)


class IdNumber(_Candidates):
    pattern = ID_NUMBER
    valid = staticmethod(is_id_number)


class BankCard(_Candidates):
    pattern = BANK_CARD
    valid = staticmethod(is_bank_card)


DETECTORS = {"mobile": MobileNumber, "id_number": IdNumber, "bank_card": BankCard}
