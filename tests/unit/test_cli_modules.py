"""The command line's modules (app.cli.main.COMMAND_MODULES, which the bundle's spec also reads):
every command module is listed, each registers its own commands without leaning on another's, and
a listed module that cannot be imported makes the command line fail loudly instead of quietly
losing commands."""

from __future__ import annotations

import argparse
import ast
import importlib
import sys
from pathlib import Path

import pytest

from app.cli import main as cli_main
from app.cli.base import ArgumentParser

CLI = Path(cli_main.__file__).parent


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> set[str]:
    """Every command path of a parser, nested ones included ("case share", "keyring status")."""
    found: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                path = f"{prefix}{name}"
                found |= {path} | _commands(sub, path + " ")
    return found


def _registered_alone(module_name: str) -> set[str]:
    parser = ArgumentParser(prog="roundtable")
    sub = parser.add_subparsers(dest="command", parser_class=ArgumentParser)
    importlib.import_module(module_name).register(sub)
    return _commands(parser)


def test_every_command_module_is_listed_for_the_bundle() -> None:
    on_disk = {f"app.cli.{p.stem}" for p in CLI.glob("*_commands.py")}
    assert set(cli_main.COMMAND_MODULES) == on_disk
    assert len(cli_main.COMMAND_MODULES) == len(set(cli_main.COMMAND_MODULES))


def test_each_module_registers_its_own_commands_whole() -> None:
    # a module that adds to another's parser ("members add" under "members") would lose those
    # commands, silently, whenever the other is missing or registered later
    alone = [_registered_alone(name) for name in cli_main.COMMAND_MODULES]
    assert set().union(*alone) == _commands(cli_main.build_parser())
    tops = [{c for c in cmds if " " not in c} for cmds in alone]
    assert sum(len(t) for t in tops) == len(set().union(*tops)), "a command registered twice"


def test_no_module_is_over_the_size_limits() -> None:
    for path in CLI.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 450, path.name
        long = [
            f"{path.name}:{node.name}"
            for node in ast.walk(ast.parse(text))
            if isinstance(node, ast.FunctionDef) and (node.end_lineno or 0) - node.lineno >= 80
        ]
        assert long == []


def test_a_missing_command_module_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        cli_main, "COMMAND_MODULES", (*cli_main.COMMAND_MODULES, "app.cli.gone_commands")
    )
    with pytest.raises(ModuleNotFoundError, match=r"app\.cli\.gone_commands"):
        cli_main.build_parser()
    with pytest.raises(ModuleNotFoundError):
        cli_main.main(["cases"])


def test_a_command_module_that_cannot_import_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    # as in a bundle that left out a dependency of one module: the CLI does not start without it
    monkeypatch.setitem(sys.modules, "app.cli.document_commands", None)
    with pytest.raises(ImportError):
        cli_main.main(["--version"])
