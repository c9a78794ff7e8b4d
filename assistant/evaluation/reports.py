"""report.json, report.html and junit.xml of a run, and the plain-text summary.

Every piece of case text in the HTML goes through `html.escape`; the XML is built with
ElementTree, which escapes it.
"""

from __future__ import annotations

import difflib
import json
import xml.etree.ElementTree as ET
from html import escape
from pathlib import Path
from typing import Any

from assistant.evaluation.baseline import Gate
from assistant.evaluation.metrics import VERDICTS
from assistant.evaluation.runner import Item, RunResult
from assistant.models import CATEGORY_LABELS, Category

GROUP_LABELS = {
    "check": "检查（回归用例）",
    "check_blind": "检查（盲测集：语料 blind 部分，只测量不调参）",
    "rewrite_offline": "改写（离线改写器）",
    "rewrite_blind": "改写（盲测草稿，逐项质量检查）",
    "rewrite_replay": "改写（模型路径，回放夹具）",
    "rewrite_recorded": "改写（模型路径，回放录制）",
    "rewrite_live": "改写（模型路径，在线）",
}


def payload(result: RunResult, summary: dict[str, Any], gate: Gate) -> dict[str, Any]:
    return {
        "mode": result.mode,
        "filter": result.filter,
        "repeat": result.repeat,
        "seconds": round(result.seconds, 3),
        "summary": summary,
        "gate": gate.as_dict(),
        "items": [i.as_dict() for i in result.items],
    }


def status_of(item: Item, gate: Gate) -> str:
    if item.passed:
        return "improved" if item.id in gate.improvements else "pass"
    if not gate.baseline_found:
        return "FAIL (no baseline)"
    if item.id in gate.regressions:
        return "REGRESSION"
    if item.id in gate.new_failures:
        return "NEW FAILURE"
    return "known failure"


# ------------------------------------------------------------------------------------ text diff
def _lines(item: Item, side: dict[str, Any]) -> list[str]:
    if item.type == "check":
        return [
            f"verdict: {side.get('verdict')}",
            f"categories: {', '.join(side.get('categories', [])) or '-'}",
        ]
    if "error" in side:
        return [f"error: {side['error']}"]
    if side is item.expected:
        kept = side.get("facts", [])
        structure = ", ".join(k for k, ok in side.get("structure", {}).items() if ok)
    else:
        kept = side.get("facts_kept", [])
        structure = ", ".join(k for k, ok in side.get("structure", {}).items() if ok)
    recheck = side.get("recheck", {})
    out = [
        f"facts kept: {'、'.join(kept) or '-'}",
        f"invented: {'、'.join(side.get('invented', [])) or '-'}",
        f"structure: {structure or '-'}",
        f"re-check: {recheck.get('verdict')} {', '.join(recheck.get('categories', []))}".rstrip(),
    ]
    fixture = item.expected.get("fixture")
    if fixture:
        if side is item.expected:
            out += [
                f"backend: {fixture.get('backend')}",
                f"attempts: {fixture.get('attempts')}",
                f"requests: {fixture.get('requests')}",
            ]
        else:
            backend = side.get("backend", "")
            out += [
                f"backend: {'offline' if backend == 'offline' else 'llm'}",
                f"attempts: {side.get('attempts')}",
                f"requests: {side.get('requests')}",
            ]
    return out


def diff(item: Item) -> list[str]:
    return list(
        difflib.unified_diff(
            _lines(item, item.expected),
            _lines(item, item.got),
            "expected",
            "got",
            lineterm="",
            n=99,
        )
    )


# ----------------------------------------------------------------------------------------- JSON
def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------- JUnit
def write_junit(path: Path, result: RunResult, gate: Gate) -> None:
    root = ET.Element("testsuites", name="assistant eval")
    groups: dict[str, list[Item]] = {}
    for item in result.items:
        groups.setdefault(item.group, []).append(item)
    total = failures = 0
    for group, items in groups.items():
        failed = [i for i in items if not i.passed]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"eval.{group}",
            tests=str(len(items)),
            failures=str(len(failed)),
            errors="0",
            skipped="0",
            time=f"{sum(sum(i.latency_ms) for i in items) / 1000:.3f}",
        )
        for item in items:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"eval.{group}",
                name=item.id,
                time=f"{sum(item.latency_ms) / 1000:.3f}",
            )
            if not item.passed:
                status = status_of(item, gate)
                failure = ET.SubElement(
                    case, "failure", message=f"[{status}] " + "; ".join(item.reasons)
                )
                failure.text = "\n".join(diff(item))
        total += len(items)
        failures += len(failed)
    root.set("tests", str(total))
    root.set("failures", str(failures))
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


# ----------------------------------------------------------------------------------------- HTML
_CSS = """
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;
text-align:right}th{background:#f3f3f3}td.l,th.l{text-align:left}.bad{color:#b00020;font-weight:bold}
.good{color:#1b7f3b}pre{background:#f7f7f7;padding:.6em;white-space:pre-wrap}
.del{color:#b00020}.ins{color:#1b7f3b}section.case{border-top:1px solid #ddd;padding:.5em 0}
"""


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _table(head: list[str], rows: list[list[Any]], left: int = 1) -> str:
    def cell(tag: str, i: int, v: Any) -> str:
        cls = ' class="l"' if i < left else ""
        return f"<{tag}{cls}>{escape(_fmt(v))}</{tag}>"

    out = ["<table><tr>", *(cell("th", i, h) for i, h in enumerate(head)), "</tr>"]
    for row in rows:
        out += ["<tr>", *(cell("td", i, v) for i, v in enumerate(row)), "</tr>"]
    out.append("</table>")
    return "".join(out)


def _input_text(item: Item) -> str:
    data = dict(item.input)
    body = data.pop("text", None) or data.pop("draft", "")
    options = "，".join(f"{k}={v}" for k, v in data.items() if v not in (None, ""))
    return f"{body}\n（{options}）" if options else body


def _diff_html(item: Item) -> str:
    lines = []
    for line in diff(item):
        cls = (
            "del"
            if line.startswith("-") and not line.startswith("---")
            else "ins"
            if line.startswith("+") and not line.startswith("+++")
            else ""
        )
        lines.append(f'<span class="{cls}">{escape(line)}</span>' if cls else escape(line))
    return "<pre>" + "\n".join(lines) + "</pre>"


def _heatmap(confusion: dict[str, dict[str, int]]) -> str:
    """The confusion matrix as a picture: one square per (expected, got), darker for more; the
    diagonal (right verdicts) green, the rest red."""
    cell, pad = 64, 90
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{pad + 3 * cell + 10}" '
        f'height="{pad + 3 * cell + 10}" role="img" aria-label="混淆矩阵">',
        f'<text x="{pad + 1.5 * cell}" y="16" text-anchor="middle" font-size="13">实际</text>',
        f'<text x="14" y="{pad + 1.5 * cell}" font-size="13" '
        f'transform="rotate(-90 14 {pad + 1.5 * cell})" text-anchor="middle">期望</text>',
    ]
    for j, g in enumerate(VERDICTS):
        out.append(
            f'<text x="{pad + j * cell + cell / 2}" y="{pad - 8}" text-anchor="middle" '
            f'font-size="12">{g}</text>'
        )
    for i, e in enumerate(VERDICTS):
        row_total = max(1, sum(confusion[e].values()))
        out.append(
            f'<text x="{pad - 8}" y="{pad + i * cell + cell / 2 + 4}" text-anchor="end" '
            f'font-size="12">{e}</text>'
        )
        for j, g in enumerate(VERDICTS):
            n = confusion[e][g]
            share = n / row_total
            hue = 130 if e == g else 0
            light = 96 - int(56 * share) if n else 98
            out.append(
                f'<rect x="{pad + j * cell}" y="{pad + i * cell}" width="{cell - 2}" '
                f'height="{cell - 2}" fill="hsl({hue},60%,{light}%)"><title>{e}→{g}: {n}</title></rect>'
                f'<text x="{pad + j * cell + cell / 2 - 1}" y="{pad + i * cell + cell / 2 + 4}" '
                f'text-anchor="middle" font-size="13">{n}</text>'
            )
    out.append("</svg>")
    return "".join(out)


def _check_section(title: str, check: dict[str, Any]) -> list[str]:
    parts = [
        f"<h2>{escape(title)}</h2>",
        f"<p>判定准确率 {escape(_fmt(check['verdict_accuracy']))}；不要发的消息判为「不要发」"
        f"（block recall）{escape(_fmt(check['block_recall']))}；可以发的消息判为「可以发」"
        f"（benign pass）{escape(_fmt(check['benign_pass']))}</p>",
        _heatmap(check["confusion"]),
        _table(
            ["期望 \\ 实际", *VERDICTS],
            [[e, *(check["confusion"][e][g] for g in VERDICTS)] for e in VERDICTS],
        ),
        f"<p>类别 micro P/R/F1 {_fmt(check['micro_precision'])} / "
        f"{_fmt(check['micro_recall'])} / {_fmt(check['micro_f1'])}，"
        f"macro F1 {_fmt(check['macro_f1'])}</p>",
    ]
    cat_rows = [
        [
            c,
            CATEGORY_LABELS.get(Category(c), ""),
            s["support"],
            s["tp"],
            s["fp"],
            s["fn"],
            s["precision"],
            s["recall"],
            s["f1"],
        ]
        for c, s in check["categories"].items()
    ]
    parts.append(
        _table(["类别", "名称", "期望数", "TP", "FP", "FN", "精确率", "召回率", "F1"], cat_rows, 2)
    )
    return parts


def render_html(data: dict[str, Any], result: RunResult, gate: Gate) -> str:
    summary = data["summary"]
    parts = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        "<title>assistant eval</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>评测报告</h1>",
        f"<p>模式 {escape(result.mode)}"
        + (f"，筛选 {escape(result.filter)}" if result.filter else "")
        + f"，重复 {result.repeat} 次，{summary['cases']} 项，通过 {summary['passed']}，"
        f"失败 {summary['failed']}，用时 {result.seconds:.2f} 秒。</p>",
    ]
    verdict = (
        '<p class="good">基线对比：没有回归。</p>'
        if gate.ok
        else '<p class="bad">基线对比：有回归。</p>'
    )
    parts.append(verdict)
    gate_rows = [
        ["回归（基线通过，现在失败）", ", ".join(gate.regressions) or "–"],
        ["新增用例失败", ", ".join(gate.new_failures) or "–"],
        [
            "指标下降",
            "; ".join(
                f"{d['metric']} {_fmt(d['baseline'])} → {_fmt(d['now'])}" for d in gate.metric_drops
            )
            or "–",
        ],
        ["改进（基线失败，现在通过）", ", ".join(gate.improvements) or "–"],
        ["说明", "; ".join(gate.notes) or "–"],
    ]
    parts.append(_table(["基线", f"容差 {gate.as_dict()['tolerance']}"], gate_rows, left=2))

    parts.append("<h2>汇总</h2>")
    rows = []
    for group, g in summary["groups"].items():
        rows.append(
            [
                GROUP_LABELS.get(group, group),
                g["cases"],
                g["passed"],
                g["pass_rate"],
                g["latency_ms"]["p50"],
                g["latency_ms"]["p95"],
            ]
        )
    parts.append(_table(["组", "项数", "通过", "通过率", "p50 毫秒", "p95 毫秒"], rows))

    for group, check in summary["groups"].items():
        if group.startswith("check"):
            parts += _check_section(GROUP_LABELS.get(group, group), check)

    rewrite_rows = [
        [
            GROUP_LABELS.get(group, group),
            g["facts"],
            g["facts_kept"],
            g["facts_kept_rate"],
            g["facts_invented"],
            g["structure_complete"],
            g["recheck_ok"],
            g["repairs"],
            g["fallbacks"],
        ]
        for group, g in summary["groups"].items()
        if not group.startswith("check") and group != "rewrite_blind"
    ]
    blind = summary["groups"].get("rewrite_blind")
    if blind:
        parts.append(
            f"<h2>{escape(GROUP_LABELS['rewrite_blind'])}</h2><p>全部检查通过率 "
            f"{escape(_fmt(blind['all_checks_rate']))}</p>"
        )
        parts.append(_table(["检查", "通过率"], [[k, v] for k, v in blind["checks"].items()]))
    if rewrite_rows:
        parts.append("<h2>改写</h2>")
        parts.append(
            _table(
                ["组", "事实", "保留", "保留率", "编造", "结构完整", "复核通过", "修复", "回退"],
                rewrite_rows,
            )
        )

    failing = [i for i in result.items if not i.passed]
    parts.append(f"<h2>失败用例（{len(failing)}）</h2>")
    for item in failing:
        status = status_of(item, gate)
        cls = "" if status == "known failure" else "bad"
        parts.append(
            f'<section class="case" id="{escape(item.id)}"><h3>{escape(item.id)} '
            f'<span class="{cls}">[{escape(status)}]</span></h3>'
            f"<p>标签：{escape(', '.join(item.tags))}</p>"
            f"<pre>{escape(_input_text(item))}</pre><ul>"
            + "".join(f"<li>{escape(r)}</li>" for r in item.reasons)
            + "</ul>"
            + _diff_html(item)
        )
        message = item.got.get("message")
        if message:
            parts.append(f"<p>输出：</p><pre>{escape(message)}</pre>")
        notes = item.got.get("notes")
        if notes:
            parts.append("<p>说明：</p><ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes))
            parts.append("</ul>")
        findings = item.got.get("findings")
        if findings:
            parts.append(f"<p>发现：</p><pre>{escape(chr(10).join(findings))}</pre>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_reports(directory: Path, result: RunResult, summary: dict[str, Any], gate: Gate) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    data = payload(result, summary, gate)
    write_json(directory / "report.json", data)
    (directory / "report.html").write_text(render_html(data, result, gate), encoding="utf-8")
    write_junit(directory / "junit.xml", result, gate)


# ----------------------------------------------------------------------------------------- text
def text_summary(
    result: RunResult, summary: dict[str, Any], gate: Gate, *, updating: bool = False
) -> str:
    out = [
        f"评测 mode={result.mode}"
        + (f" filter={result.filter}" if result.filter else "")
        + (f" repeat={result.repeat}" if result.repeat > 1 else "")
        + f"：{summary['cases']} 项，通过 {summary['passed']}，失败 {summary['failed']}，"
        f"用时 {result.seconds:.2f} 秒",
        "",
        f"{'组':<18}{'项数':>6}{'通过':>6}{'通过率':>8}{'p50 ms':>9}{'p95 ms':>9}",
    ]
    for group, g in summary["groups"].items():
        out.append(
            f"{group:<18}{g['cases']:>6}{g['passed']:>6}{_fmt(g['pass_rate']):>8}"
            f"{_fmt(g['latency_ms']['p50']):>9}{_fmt(g['latency_ms']['p95']):>9}"
        )
    for group, check in summary["groups"].items():
        if not group.startswith("check"):
            continue
        out += [
            "",
            f"[{group}] 判定准确率 {_fmt(check['verdict_accuracy'])}，block recall "
            f"{_fmt(check['block_recall'])}，benign pass {_fmt(check['benign_pass'])}；"
            "混淆矩阵（行=期望，列=实际）：",
        ]
        out.append(f"{'':>10}" + "".join(f"{v:>8}" for v in VERDICTS))
        for e in VERDICTS:
            out.append(f"{e:>10}" + "".join(f"{check['confusion'][e][g]:>8}" for g in VERDICTS))
        out += [
            "",
            f"类别 micro P/R/F1 {_fmt(check['micro_precision'])}/{_fmt(check['micro_recall'])}/"
            f"{_fmt(check['micro_f1'])}，macro F1 {_fmt(check['macro_f1'])}",
            f"{'类别':<22}{'期望':>5}{'TP':>5}{'FP':>5}{'FN':>5}{'P':>8}{'R':>8}{'F1':>8}",
        ]
        for c, s in check["categories"].items():
            out.append(
                f"{c:<22}{s['support']:>5}{s['tp']:>5}{s['fp']:>5}{s['fn']:>5}"
                f"{_fmt(s['precision']):>8}{_fmt(s['recall']):>8}{_fmt(s['f1']):>8}"
            )
    for group, g in summary["groups"].items():
        if group == "rewrite_blind":
            checks = "，".join(f"{k} {_fmt(v)}" for k, v in g["checks"].items())
            out.append(f"{group}：全部检查通过 {_fmt(g['all_checks_rate'])}；{checks}")
            continue
        if group.startswith("check"):
            continue
        out.append(
            f"{group}：事实保留 {g['facts_kept']}/{g['facts']}（{_fmt(g['facts_kept_rate'])}），"
            f"编造 {g['facts_invented']}，结构完整 {g['structure_complete']}/{g['cases']}，"
            f"复核通过 {g['recheck_ok']}/{g['cases']}，修复 {g['repairs']}，回退 {g['fallbacks']}"
        )
    failing = [i for i in result.items if not i.passed]
    # The blind split's known failures are its measurement: counted here, listed in report.html.
    quiet = [
        i for i in failing if i.group == "check_blind" and status_of(i, gate) == "known failure"
    ]
    if failing:
        out += ["", f"失败用例（{len(failing)}）："]
        for item in failing:
            if item not in quiet:
                out.append(f"  {item.id} [{status_of(item, gate)}] {'; '.join(item.reasons)}")
        if quiet:
            out.append(f"  另有盲测集的已知失败 {len(quiet)} 项（见 report.html）")
    out.append("")
    if not gate.baseline_found:
        out.append("基线：没有找到基线文件（evals/baseline.json）；用 --update-baseline 生成。")
    else:
        out.append(
            f"基线（容差 {gate.as_dict()['tolerance']}）：回归 {len(gate.regressions)}，"
            f"新增失败 {len(gate.new_failures)}，指标下降 {len(gate.metric_drops)}，"
            f"改进 {len(gate.improvements)}，已知失败 {len(gate.known_failures)}"
        )
        for case_id in gate.regressions:
            out.append(f"  回归：{case_id}")
        for case_id in gate.new_failures:
            out.append(f"  新增失败：{case_id}")
        for d in gate.metric_drops:
            out.append(
                f"  指标下降：{d['metric']} {_fmt(d['baseline'])} → {_fmt(d['now'])}"
                f"（降 {_fmt(d['drop'])}）"
            )
        for case_id in gate.improvements:
            out.append(f"  改进：{case_id}")
        for note in gate.notes:
            out.append(f"  说明：{note}")
    if updating:
        out.append("结果：以本次结果为新基线（--update-baseline）")
    else:
        out.append("结果：通过（没有回归）" if gate.ok else "结果：失败（有回归）")
    return "\n".join(out)
