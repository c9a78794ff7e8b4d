"""The fact check: different spellings of one value meet; a changed or new value does not."""

from __future__ import annotations

import pytest

from assistant.rewriting.facts import compare, extract, to_number

# (draft, output): every fact of the draft is kept by the output, and nothing is added.
SAME = [
    # times
    ("下午三点开会", "15:00开会"),
    ("15:00开会", "下午三点开会"),
    ("下午3点", "下午三点"),
    ("三点半", "15:30"),
    ("三点半", "03:30"),
    ("三点半", "3:30"),
    ("下午两点半", "14:30"),
    ("下午2:30", "下午两点半"),
    ("上午九点半", "上午9:30"),
    ("早上7点半", "7:30"),
    ("晚上八点", "20:00"),
    ("中午十二点", "12:00"),
    ("3点20分", "15:20"),
    ("11:40开饭", "11点40分开饭"),
    ("下午4点前", "16:00前"),
    ("下午5:00下班", "17:00下班"),
    # dates
    ("26号", "11月26日"),
    ("11月26日", "26号"),
    ("本月30号前", "30号前"),
    ("十一月二十六日", "11月26日"),
    ("2026-11-27", "11月27日"),
    ("12月7号到9号", "12月7日至12月9日"),
    ("下周一", "下星期一"),
    ("周四上午7点半", "星期四上午7:30"),
    ("今日", "今天"),
    ("12月底前", "12月底前"),
    # numbers
    ("五份", "5份"),
    ("带材料5份", "带材料五份"),
    ("15个人", "15人"),
    ("十五名", "15人"),
    ("客人6位", "客人六人"),
    ("3500元", "3,500元"),
    ("8.6万元", "86000元"),
    ("预算18万元", "预算十八万元"),
    ("预算3000元", "预算三千元"),
    ("2000字", "两千字"),
    ("20分钟", "二十分钟"),
    ("50%", "50％"),
    ("46人次", "46人次"),
    # phones
    ("电话13912345678", "电话139 1234 5678"),
    ("电话13912345678", "电话139-1234-5678"),
    ("0731-84567890", "0731 84567890"),
    ("0731-84567890", "073184567890"),
    ("拨打12345热线", "拨打12345热线"),
    # documents
    ("《党支部工作条例》", "《党支部工作条例》"),
    ("《关于 做好安全生产工作的通知》", "《关于做好安全生产工作的通知》"),
    # places
    ("三楼第二会议室", "3楼第2会议室"),
    ("3楼第2会议室", "三楼第二会议室"),
    ("五楼会议室", "5楼会议室"),
    ("一楼大会议室", "1楼大会议室"),
    ("区政务中心5楼501", "区政务中心5楼501室"),
    ("5楼501", "501室"),
    ("2楼203办公室", "2楼203"),
    ("四楼党员活动室", "4楼党员活动室"),
    # the year may be left out, and a phone the draft gives to no one may be given its person
    ("2026年11月30日检查", "11月30日检查"),
    ("二〇二六年十一月三十日", "2026年11月30日"),
    ("赵刚，身份证号略，联系电话13912345678", "赵刚，联系电话13912345678"),
]

# (draft, output, missing, added): the output dropped, changed or invented a fact.
DIFFERENT = [
    ("明天下午三点开会", "11月27日下午三点开会", ["明天"], ["11月27日"]),
    ("26号开会", "11月27日开会", ["26号"], ["11月27日"]),
    ("下午三点开会", "下午四点开会", ["下午三点"], ["下午四点"]),
    ("下午三点开会", "上午三点开会", ["下午三点"], ["上午三点"]),
    ("三点半", "16:30", ["三点半"], ["16:30"]),
    ("带材料5份", "带材料6份", ["5份"], ["6份"]),
    ("带材料5份", "带好材料", ["5份"], []),
    ("3500元", "35000元", ["3500元"], ["35000元"]),
    ("12月想去韶山", "12月3日去韶山", ["12月"], ["12月3日"]),
    ("电话13912345678", "电话13912345679", ["13912345678"], ["13912345679"]),
    ("打0731-84567890", "打0731-84567891", ["0731-84567890"], ["0731-84567891"]),
    ("有问题打0731-84567890", "有问题请联系", ["0731-84567890"], []),
    ("《党支部工作条例》", "党支部工作条例", ["《党支部工作条例》"], []),
    ("《党支部工作条例》", "《党章》", ["《党支部工作条例》"], ["《党章》"]),
    ("三楼第二会议室", "三楼会议室", ["三楼第二会议室"], ["三楼会议室"]),
    ("三楼第二会议室", "二楼第二会议室", ["三楼第二会议室"], ["二楼第二会议室"]),
    ("5楼501开会", "5楼开会", ["5楼501"], ["5楼"]),
    ("下周一", "周一", ["下周一"], ["周一"]),
    ("明天开会", "明天开会，会后发2个红包", [], ["2个"]),
    # a year is part of its date: written in, changed, or the date's day moved
    ("下周一11月30日检查", "2026年11月24日检查", ["11月30日", "下周一"], ["2026年11月24日"]),
    ("2025年11月30日检查", "2026年11月30日检查", ["2025年11月30日"], ["2026年11月30日"]),
    ("11月30日检查", "2026年11月30日检查", [], ["2026年11月30日"]),
    ("2026年工作总结", "2025年工作总结", ["2026年"], ["2025年"]),
    # a phone given to someone else
    ("王强13812345678", "李明13812345678", ["13812345678"], ["13812345678"]),
]


@pytest.mark.parametrize(("draft", "output"), SAME, ids=[f"{a}≡{b}" for a, b in SAME])
def test_equivalent_spellings_keep_the_fact(draft, output):
    kept, missing, added = compare(draft, output)
    assert kept, f"no fact found in {draft!r}"
    assert missing == []
    assert added == []


@pytest.mark.parametrize(
    ("draft", "output", "missing", "added"), DIFFERENT, ids=[f"{d[0]}→{d[1]}" for d in DIFFERENT]
)
def test_a_changed_dropped_or_invented_fact_is_reported(draft, output, missing, added):
    _, got_missing, got_added = compare(draft, output)
    assert got_missing == missing
    assert got_added == added


def test_facts_are_reported_as_written_in_the_draft_and_the_output():
    draft = "在吗各位，明天26号下午三点三楼第二会议室开防汛会，带材料5份，有事打13912345678"
    output = (
        "11月26日15:00在3楼第2会议室召开防汛会，请带材料五份，联系电话13912345678；另11月27日再议。"
    )
    kept, missing, added = compare(draft, output)
    assert set(kept) == {"26号", "下午三点", "三楼第二会议室", "5份", "13912345678"}
    assert missing == ["明天"]
    assert added == ["11月27日"]


def test_extract_kinds():
    facts = {
        f.text: f.kind
        for f in extract("11月28日上午九点半在5楼501开会，带2份《议程》，电话0731-84567890")
    }
    assert facts == {
        "11月28日": "date",
        "上午九点半": "time",
        "5楼501": "place",
        "2份": "number",
        "《议程》": "document",
        "0731-84567890": "phone",
    }


def test_an_id_number_is_one_fact_not_a_phone_or_a_date():
    [fact] = extract("身份证号11010519491231002X")
    assert fact.kind == "number"
    assert fact.text == "11010519491231002X"
    assert compare("身份证号11010519491231002x", "证件号11010519491231002X")[1] == []


def test_a_document_title_is_one_fact_even_with_numbers_inside():
    facts = extract("《2026年度个人述职报告》周五前交")
    assert [f.text for f in facts] == ["《2026年度个人述职报告》", "周五"]


def test_text_without_facts():
    assert extract("") == []
    assert compare("请大家准时参加。", "请准时参加。") == ([], [], [])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("26", 26),
        ("二十六", 26),
        ("两", 2),
        ("十", 10),
        ("十五", 15),
        ("一百零五", 105),
        ("三千", 3000),
        ("十八万", 180000),
        ("3,500", 3500),
        ("8.6", 8.6),
        ("", None),
        ("半", None),
    ],
)
def test_to_number(text, value):
    assert to_number(text) == value


def test_small_talk_day_words_are_not_facts_but_real_ones_are():
    kept, missing, added = compare("大家好，今天天气真好，明天上午9点开会", "明天上午9点开会")
    assert missing == [] and added == []
    assert "明天" in kept
    _, missing, _ = compare("今天下午3点开会", "下午3点开会")
    assert missing == ["今天"]
