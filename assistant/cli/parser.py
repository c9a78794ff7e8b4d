"""The command line: subcommands, options and their help, with argparse's messages in Chinese.

argparse writes its own errors and headings in English; a user who mistypes an option gets the
same message in Chinese here, and a usage error is an exit 2 like any other bad input.
"""

from __future__ import annotations

import argparse
import re

from assistant.cli.reading import UsageError
from assistant.vocabulary import Channel, Kind

# argparse's own messages (Python 3.11), each with its Chinese form.
_MESSAGES = [
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1"),
    (r"the following arguments are required: (.*)", r"缺少必需的参数：\1"),
    (
        r"argument (\S+): invalid choice: '?([^']*)'? \(choose from (.*)\)",
        r"参数 \1 的值「\2」无效，可选：\3",
    ),
    (r"argument (\S+): expected one argument", r"参数 \1 需要一个值"),
    (r"argument (\S+): expected at least one argument", r"参数 \1 至少需要一个值"),
    (r"argument (\S+): invalid (\S+) value: '?([^']*)'?", r"参数 \1 的值「\3」不是有效的 \2"),
    (r"argument (\S+): ignored explicit argument '?([^']*)'?", r"参数 \1 不接受值「\2」"),
    (r"ambiguous option: (\S+) could match (.*)", r"选项 \1 有歧义，可能是：\2"),
    (r"argument (\S+): not allowed with argument (\S+)", r"参数 \1 不能与 \2 同时使用"),
]
_HEADINGS = {"positional arguments": "位置参数", "options": "选项"}

# argparse looks each of its English strings up in gettext, whose first lookup imports `locale`
# and compiles a regex (1.5 ms of every start). No catalogue for argparse ships with Python and
# its messages are put in Chinese here, so the lookup is the identity.
argparse._ = lambda message: message  # type: ignore[attr-defined]


def translate(message: str) -> str:
    for pattern, chinese in _MESSAGES:
        translated, n = re.subn(f"^{pattern}$", chinese, message)
        if n:
            return translated
    return message


def _columns() -> int:
    """The terminal's width as `shutil.get_terminal_size` reads it, without importing shutil:
    argparse builds a formatter for every option it adds, and that import was 2 ms of each
    `check`'s start."""
    import os

    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(1).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):  # type: ignore[no-untyped-def]
        if width is None:
            width = _columns() - 2  # as argparse does with shutil's figure
        super().__init__(prog, indent_increment, max_help_position, width)

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[override]
        # argparse asks with prefix "" to build a subcommand's prog: that one stays bare.
        super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)

    def start_section(self, heading):  # type: ignore[override]
        super().start_section(_HEADINGS.get(heading or "", heading))


class ChineseParser(argparse.ArgumentParser):
    """argparse with Chinese help and errors; an error raises UsageError instead of exiting."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="显示这条帮助并退出")

    def error(self, message: str):  # type: ignore[override]
        raise UsageError(f"{translate(message)}（运行 `{self.prog} -h` 查看用法）")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseParser(
        prog="python -m assistant", description="党员干部微信、短信公务消息助手：检查与改写。"
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="{check,rewrite,eval,explain}", title="子命令"
    )

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=help, formatter_class=_Formatter)

    check = command("check", "这条消息能发吗？给出结论、问题位置、依据和修改建议")
    check.add_argument("file", nargs="?", help="消息文件；- 或省略表示从标准输入读取")
    check.add_argument(
        "--channel", choices=[c.value for c in Channel], default="work_group", help="发送渠道"
    )
    check.add_argument("--time", help="计划发送时间：HH:MM 或 2026-11-24 23:10（北京时间）")
    check.add_argument("--kind", choices=[k.value for k in Kind], help="按公务消息格式检查")
    check.add_argument("--json", action="store_true", help="输出 JSON")
    check.add_argument("--jsonl", metavar="FILE", help="批量：每行一个 {id,text,channel,time}")
    check.add_argument("--second-opinion", action="store_true", help="同时请已配置的模型复核")

    rewrite = command("rewrite", "把草稿改写成规范的公务消息")
    rewrite.add_argument("file", nargs="?", help="草稿文件；- 或省略表示从标准输入读取")
    rewrite.add_argument("--sender", help="署名（单位或姓名）；省略时从草稿中推断")
    rewrite.add_argument("--audience", help="称谓对象，如「各位同事」")
    rewrite.add_argument(
        "--kind", choices=[k.value for k in Kind], default="notice", help="消息类型"
    )
    rewrite.add_argument("--important", action="store_true", help="重要事项：结尾请对方回复确认")
    rewrite.add_argument("--json", action="store_true", help="输出 JSON")
    rewrite.add_argument(
        "--jsonl", metavar="FILE", help="批量：每行一个 {id,draft,sender,audience,kind,important}"
    )
    rewrite.add_argument("--offline", action="store_true", help="只用离线改写，不连接模型")
    rewrite.add_argument(
        "--show-prompt", action="store_true", help="打印发给模型的提示词（已脱敏）"
    )

    ev = command("eval", "离线回归评测")
    ev.add_argument(
        "--mode",
        choices=["offline", "replay", "live", "record"],
        default="offline",
        help="评测方式",
    )
    ev.add_argument("--filter", metavar="TAG", help="只跑带这个标签的用例")
    ev.add_argument("--repeat", type=int, default=1, help="重复次数")
    ev.add_argument("--report", metavar="DIR", help="写出 report.json、report.html、junit.xml")
    ev.add_argument("--update-baseline", action="store_true", help="接受当前结果为新基线")
    ev.add_argument("--cases", metavar="DIR", help=argparse.SUPPRESS)
    ev.add_argument("--baseline", metavar="FILE", help=argparse.SUPPRESS)

    explain = command("explain", "说明一条规则：查什么、为什么、错误与正确示例")
    explain.add_argument("rule_id", nargs="?", help="规则编号；省略则列出全部规则")
    return parser
