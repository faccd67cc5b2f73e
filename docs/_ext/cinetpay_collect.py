"""What the reference documents, read straight from django-cinetpay's code, so the docs cannot drift.

Each ``collect_*`` function returns plain data that :mod:`cinetpay_reference` renders and that
``tests/docs/test_reference_drift.py`` compares with an independent discovery of the same things. None of
them needs Sphinx; all need Django configured (the settings classes and commands import the package).

* settings: the ``AppConf`` classes' attributes, their defaults as written in the source and their ``#:``
  comments (or, for a setting without one, its note in :mod:`setting_notes`);
* signals: every ``Signal()`` of a module with its ``#:`` comment, split at ``Arguments:``;
* system checks: every id a checks module can emit, with its level, message and hint, read from the source
  with :mod:`ast` (ids built by a helper such as ``_severity(debug, "004", …)`` included);
* management commands: each command's own options, from its real argparse parser;
* error codes: a ``{code: CodeInfo}`` table of the client.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from setting_notes import SETTING_NOTES

UNKNOWN = "…"


def _source(dotted: str) -> tuple[Any, str, ast.Module]:
    module = importlib.import_module(dotted)
    source = inspect.getsource(module)
    return module, source, ast.parse(source)


def _doc_comment(lines: list[str], lineno: int) -> str:
    """The ``#:`` comment lines just above line ``lineno`` (1-based), joined."""
    found: list[str] = []
    index = lineno - 2
    while index >= 0 and lines[index].strip().startswith("#:"):
        found.insert(0, lines[index].strip()[2:].strip())
        index -= 1
    return "\n".join(found)


# --- settings ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    description: str
    #: ``"code"`` when the description is the setting's ``#:`` comment, ``"notes"`` when it comes from
    #: :data:`setting_notes.SETTING_NOTES`, ``""`` when there is none.
    described_in: str


def _render_default(node: ast.expr, source: str, module: Any) -> str:
    """A setting's default as reST: an environment variable, a named constant's value, or the source."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_env":
        variable = ast.literal_eval(node.args[0])
        fallback = ast.literal_eval(node.args[1]) if len(node.args) > 1 else ""
        return f"environment variable ``{variable}``, else ``{fallback!r}``"
    if isinstance(node, ast.Name):
        return f"``{getattr(module, node.id)!r}``"
    return f"``{ast.get_source_segment(source, node)}``"


def collect_settings(dotted_class: str) -> list[Setting]:
    """The settings an ``AppConf`` class declares, in the order of its source."""
    module_name, _, class_name = dotted_class.rpartition(".")
    module, source, tree = _source(module_name)
    lines = source.splitlines()
    klass = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name)
    meta = next(n for n in klass.body if isinstance(n, ast.ClassDef) and n.name == "Meta")
    prefix = next(
        ast.literal_eval(s.value)
        for s in meta.body
        if isinstance(s, ast.Assign) and getattr(s.targets[0], "id", "") == "prefix"
    )
    found = []
    for statement in klass.body:
        if isinstance(statement, ast.Assign):
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        if not (isinstance(target, ast.Name) and target.id.isupper()):
            continue
        name = f"{prefix}_{target.id}"
        comment = _doc_comment(lines, statement.lineno)
        note = SETTING_NOTES.get(name, "")
        found.append(
            Setting(
                name=name,
                default=_render_default(value, source, module),
                description=comment or note,
                described_in="code" if comment else ("notes" if note else ""),
            )
        )
    return found


# --- signals -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalDoc:
    name: str
    description: str
    arguments: str


def collect_signals(dotted: str) -> list[SignalDoc]:
    """Every module-level ``name = Signal()`` with its ``#:`` comment, ``Arguments:`` split off."""
    _, source, tree = _source(dotted)
    lines = source.splitlines()
    found = []
    for statement in tree.body:
        if not (
            isinstance(statement, ast.Assign)
            and isinstance(statement.value, ast.Call)
            and getattr(statement.value.func, "id", "") == "Signal"
        ):
            continue
        comment = _doc_comment(lines, statement.lineno)
        description, _, arguments = comment.partition("Arguments:")
        found.append(SignalDoc(statement.targets[0].id, description.strip(), arguments.strip()))
    return found


# --- system checks -------------------------------------------------------------------------------------

_LEVELS = {"Debug", "Info", "Warning", "Error", "Critical"}
CHECK_ID = re.compile(r"cinetpay\.[EW]\d{3}")


@dataclass(frozen=True)
class CheckDoc:
    id: str
    level: str
    message: str
    hint: str
    module: str


class _CheckReader:
    """Evaluates, as far as the source allows, the ids, messages and hints a checks module builds.

    Strings are rendered with their parts bound where the source binds them (a call's constant argument,
    a comprehension over a module-level list of tuples, a module-level constant); a part only known at
    run time (the setting's value) is shown as "…".
    """

    def __init__(self, dotted: str) -> None:
        self.dotted = dotted
        _, _, self.tree = _source(dotted)
        self.constants: dict[str, ast.expr] = {
            s.targets[0].id: s.value
            for s in self.tree.body
            if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name)
        }
        self.constants.update(
            {
                s.target.id: s.value
                for s in self.tree.body
                if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and s.value is not None
            }
        )
        #: Helpers that build a check message from their parameters (an id that is not a constant).
        self.helpers = {
            f.name: f
            for f in self.tree.body
            if isinstance(f, ast.FunctionDef)
            and any(not isinstance(self._id_node(c), ast.Constant) for c in self._check_calls(f))
        }

    @staticmethod
    def _is_check_call(node: ast.AST) -> bool:
        """``checks.Error(…, id=…)`` and the like."""
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _LEVELS
            and any(k.arg == "id" for k in node.keywords)
        )

    @classmethod
    def _check_calls(cls, node: ast.AST) -> Iterator[ast.Call]:
        return (call for call in ast.walk(node) if cls._is_check_call(call))

    @staticmethod
    def _id_node(call: ast.Call) -> ast.expr:
        return next(k.value for k in call.keywords if k.arg == "id")

    def render(self, node: ast.expr | None, env: dict[str, str]) -> str:
        if node is None:
            return ""
        if isinstance(node, ast.Constant):
            return str(node.value)
        if isinstance(node, ast.JoinedStr):
            return "".join(self.render(part, env) for part in node.values)
        if isinstance(node, ast.FormattedValue):
            return self.render(node.value, env) if isinstance(node.value, ast.Name) else UNKNOWN
        if isinstance(node, ast.Name):
            if node.id in env:
                return env[node.id]
            if node.id in self.constants:
                return self.render(self.constants[node.id], {})
        return UNKNOWN

    def _envs(self, generators: list[ast.comprehension], env: dict[str, str]) -> list[dict[str, str]]:
        """The bindings a comprehension gives its element, one per item of a module-level list."""
        envs = [env]
        for generator in generators:
            items = self.constants.get(getattr(generator.iter, "id", ""))
            if not isinstance(items, (ast.List, ast.Tuple)):
                continue
            names = [t.id for t in getattr(generator.target, "elts", [generator.target])]
            envs = [
                {
                    **e,
                    **{
                        n: self.render(v, e)
                        for n, v in zip(names, getattr(item, "elts", [item]), strict=True)
                    },
                }
                for e, item in itertools.product(envs, items.elts)
            ]
        return envs

    def _emit(self, call: ast.Call, env: dict[str, str]) -> Iterator[CheckDoc]:
        hint = next((k.value for k in call.keywords if k.arg == "hint"), None)
        check_id = self.render(self._id_node(call), env)
        if CHECK_ID.fullmatch(check_id):
            message = self.render(call.args[0], env) if call.args else ""
            level = call.func.attr
            yield CheckDoc(check_id, level, message, self.render(hint, env), self.dotted)

    def _visit(self, node: ast.AST, env: dict[str, str]) -> Iterator[CheckDoc]:
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            for bound in self._envs(node.generators, env):
                yield from self._visit(node.elt, bound)
            return
        if isinstance(node, ast.Call):
            if self._is_check_call(node):
                yield from self._emit(node, env)
            helper = self.helpers.get(getattr(node.func, "id", ""))
            if helper is not None:
                params = [a.arg for a in helper.args.args]
                bound = {p: self.render(a, env) for p, a in zip(params, node.args, strict=False)}
                bound.update({k.arg: self.render(k.value, env) for k in node.keywords if k.arg})
                for call in self._check_calls(helper):
                    yield from self._emit(call, bound)
        for child in ast.iter_child_nodes(node):
            yield from self._visit(child, env)

    def read(self) -> list[CheckDoc]:
        return list(self._visit(self.tree, {}))


def collect_checks(*modules: str) -> list[CheckDoc]:
    """Every check id the modules can emit, each once, by number then level (errors first)."""
    found = {doc.id: doc for dotted in modules for doc in _CheckReader(dotted).read()}
    return sorted(found.values(), key=lambda d: (d.id[-3:], d.id[-4]))


# --- management commands -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionDoc:
    flags: tuple[str, ...]
    metavar: str
    default: str
    help: str


@dataclass(frozen=True)
class CommandDoc:
    name: str
    help: str
    usage: str
    options: tuple[OptionDoc, ...]


def _base_dests() -> set[str]:
    from django.core.management.base import BaseCommand

    return {a.dest for a in BaseCommand().create_parser("manage.py", "command")._actions}


def _option(parser: Any, action: Any) -> OptionDoc:
    if action.choices:
        metavar = "{" + ",".join(map(str, action.choices)) + "}"
    elif action.nargs == 0:
        metavar = ""
    else:
        metavar = action.metavar or action.dest.upper()
    default = action.default
    shown = "" if default in (None, False, [], "==SUPPRESS==") else repr(default)
    help_text = parser._get_formatter()._expand_help(action) if action.help else ""
    return OptionDoc(tuple(action.option_strings) or (action.dest,), metavar, shown, help_text)


def collect_commands(app_module: str) -> list[CommandDoc]:
    """The app's management commands (modules of ``management/commands`` not starting with ``_``)."""
    from django.core.management import load_command_class

    package = importlib.import_module(f"{app_module}.management.commands")
    base = _base_dests()
    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        command = load_command_class(app_module, info.name)
        parser = command.create_parser("manage.py", info.name)
        options = tuple(_option(parser, a) for a in parser._actions if a.dest not in base)
        usage = " ".join(
            [f"manage.py {info.name}"] + [f"[{o.flags[0]} {o.metavar}]".replace(" ]", "]") for o in options]
        )
        found.append(CommandDoc(info.name, str(command.help), usage, options))
    return found


# --- CinetPay's error codes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeDoc:
    code: str
    name: str
    hint: str
    error: str


def collect_codes(dotted_table: str) -> list[CodeDoc]:
    """A ``{code: CodeInfo}`` table, in its own order."""
    module_name, _, name = dotted_table.rpartition(".")
    table = getattr(importlib.import_module(module_name), name)
    return [CodeDoc(code, info.name, str(info.hint), info.error.__name__) for code, info in table.items()]
