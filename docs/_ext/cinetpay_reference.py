"""Sphinx directives that write the reference from django-cinetpay's code (see :mod:`cinetpay_collect`).

=================================  ===========================================================
``.. cinetpay-settings:: CLASS``   every setting of an ``AppConf`` class: default and meaning
``.. cinetpay-signals:: MODULE``   every signal of a module and its arguments
``.. cinetpay-checks:: MODULE…``   every system check id: message and hint
``.. cinetpay-commands:: APP``     every management command of an app and its options
``.. cinetpay-error-codes:: DICT`` a table of CinetPay's answer codes and their hints
``.. cinetpay-states:: DICT``      a transition table drawn as a state diagram (Graphviz)
=================================  ===========================================================

It also adds the ``setting`` cross-reference type (``:setting:`CINETPAY_BACKEND```), as Django's docs do.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

import cinetpay_collect as collect
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.ext.graphviz import graphviz
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles


def _escape(text: str) -> str:
    """Plain text made safe inside reST (no accidental emphasis, literal or reference)."""
    for char in "\\*`|_":
        text = text.replace(char, "\\" + char)
    return text


def _indent(text: str, prefix: str = "   ") -> list[str]:
    return [prefix + line if line else "" for line in text.splitlines()]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int]) -> nodes.table:
    """A docutils table of plain-text cells (rendered as text, never parsed as reST)."""
    table = nodes.table(classes=["cinetpay-reference", "colwidths-given"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    group.extend(nodes.colspec(colwidth=width) for width in widths)

    def row(cells: Sequence[str], literal_first: bool) -> nodes.row:
        line = nodes.row()
        for index, cell in enumerate(cells):
            text: nodes.Node = nodes.literal(cell, cell) if literal_first and index == 0 else nodes.Text(cell)
            line += nodes.entry("", nodes.paragraph("", "", text))
        return line

    group += nodes.thead("", row(headers, literal_first=False))
    group += nodes.tbody("", *(row(cells, literal_first=True) for cells in rows))
    return table


class _RstDirective(SphinxDirective):
    """A directive that writes reST lines and parses them in place (titles allowed)."""

    required_arguments = 1
    optional_arguments = 10

    def lines(self) -> list[str]:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        container = nodes.container()
        source = StringList(self.lines(), source=f"<{self.name} {' '.join(self.arguments)}>")
        nested_parse_with_titles(self.state, source, container)
        return container.children


class SettingsDirective(_RstDirective):
    def lines(self) -> list[str]:
        out: list[str] = []
        for setting in collect.collect_settings(self.arguments[0]):
            out += [f".. setting:: {setting.name}", "", f"``{setting.name}``"]
            out += [f"   **Default:** {setting.default}", ""]
            out += [*_indent(setting.description), ""]
        return out


class SignalsDirective(_RstDirective):
    def lines(self) -> list[str]:
        out: list[str] = []
        for signal in collect.collect_signals(self.arguments[0]):
            out += [f".. data:: {signal.name}", f"   :module: {self.arguments[0]}", ""]
            out += [*_indent(signal.description), ""]
            out += ["   **Arguments:** " + signal.arguments.replace("\n", " "), ""]
        return out


class CommandsDirective(_RstDirective):
    def lines(self) -> list[str]:
        out: list[str] = []
        for command in collect.collect_commands(self.arguments[0]):
            out += [command.name, "-" * len(command.name), "", f".. program:: {command.name}", ""]
            out += [
                _escape(command.help),
                "",
                ".. code-block:: console",
                "",
                f"   $ python {command.usage}",
                "",
            ]
            for option in command.options:
                out += [f".. option:: {', '.join(option.flags)} {option.metavar}".rstrip(), ""]
                if option.help:
                    out += [*_indent(_escape(option.help)), ""]
                if option.default and "default" not in option.help:
                    out += [f"   Default: ``{option.default}``.", ""]
            if not command.options:
                out += ["No options of its own.", ""]
        return out


class ChecksDirective(SphinxDirective):
    required_arguments = 1
    optional_arguments = 10

    def run(self) -> list[nodes.Node]:
        rows = [(check.id, check.message, check.hint) for check in collect.collect_checks(*self.arguments)]
        return [_table(("id", "message", "hint"), rows, (20, 40, 40))]


class ErrorCodesDirective(SphinxDirective):
    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        rows = [
            (code.code, code.name, code.hint, code.error) for code in collect.collect_codes(self.arguments[0])
        ]
        return [_table(("code", "name", "what to do", "exception"), rows, (8, 22, 48, 22))]


class StatesDirective(SphinxDirective):
    """A transition table (``{from: frozenset(to)}``) as a Graphviz digraph, with a text alternative."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        module_name, _, name = self.arguments[0].rpartition(".")
        table: dict[str, frozenset[str]] = getattr(importlib.import_module(module_name), name)
        targets = {str(to) for moves in table.values() for to in moves}
        starts = [str(state) for state in table if str(state) not in targets]
        lines = [
            "digraph states {",
            "  rankdir=LR;",
            '  node [shape=box, style=rounded, fontname="sans-serif"];',
        ]
        lines += [f'  "{state}" [shape=box, style="rounded,bold"];' for state in table if not table[state]]
        lines += ["  start [shape=point, width=0.15];"] + [f'  start -> "{state}";' for state in starts]
        lines += [f'  "{src}" -> "{dst}";' for src in table for dst in sorted(map(str, table[src]))]
        lines.append("}")
        alt = "; ".join(
            f"{src} → {', '.join(sorted(map(str, moves))) or 'final'}" for src, moves in table.items()
        )
        node = graphviz()
        node["code"] = "\n".join(lines)
        node["options"] = {"docname": self.env.docname}
        node["alt"] = f"{name}: {alt}"
        figure = nodes.figure("", node, classes=["cinetpay-states"])
        figure += nodes.caption("", f"{name} (bold: final states; the dot: where a row starts)")
        return [figure]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_crossref_type("setting", "setting", indextemplate="pair: %s; setting")
    app.add_directive("cinetpay-settings", SettingsDirective)
    app.add_directive("cinetpay-signals", SignalsDirective)
    app.add_directive("cinetpay-commands", CommandsDirective)
    app.add_directive("cinetpay-checks", ChecksDirective)
    app.add_directive("cinetpay-error-codes", ErrorCodesDirective)
    app.add_directive("cinetpay-states", StatesDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
