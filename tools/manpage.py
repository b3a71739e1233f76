"""The ``roundtable(1)`` man page and the bash completion, both generated from the command line's
argparse parser (``app.cli.main.build_parser``), so they never disagree with ``--help``.

``python -m tools.manpage OUTDIR`` writes ``OUTDIR/roundtable.1`` and ``OUTDIR/roundtable.bash``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.main import build_parser
from app.config.identity import app_version

ENVIRONMENT = {
    "ROUNDTABLE_STORE": "the store file (default: panel.rtdb in the data folder)",
    "ROUNDTABLE_DATA_DIR": "the data folder (default: ~/.local/share/Roundtable)",
    "ROUNDTABLE_LOG_DIR": "the log folder (default: ~/.local/state/Roundtable/log)",
    "ROUNDTABLE_PASSPHRASE": "the store passphrase, for scripts (otherwise --passphrase-file or a prompt)",
    "ROUNDTABLE_SETTINGS": "an ini file for the desktop client's window settings",
    "ROUNDTABLE_NO_LOG": "set to any value: write no log file",
}


def _roff(text: str) -> str:
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + ln if ln.startswith((".", "'")) else ln) for ln in text.splitlines())


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            return [(name, helps.get(name, ""), sub) for name, sub in action.choices.items()]
    return []


def _options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if not isinstance(a, argparse._SubParsersAction | argparse._HelpAction)]


def _option_line(action: argparse.Action) -> str:
    if not action.option_strings:
        return f"\\fI{action.metavar or action.dest}\\fR"
    names = ", ".join(f"\\fB{_roff(o)}\\fR" for o in action.option_strings)
    if action.nargs == 0:
        return names
    metavar = action.metavar or action.dest.upper()
    return f"{names} \\fI{_roff(str(metavar))}\\fR"


def manpage(parser: argparse.ArgumentParser) -> str:
    out = [
        f'.TH ROUNDTABLE 1 "" "Roundtable {app_version()}" "User Commands"',
        ".SH NAME",
        "roundtable, roundtable\\-gui \\- " + _roff((parser.description or "").split(": ", 1)[-1]),
        ".SH SYNOPSIS",
        "\\fBroundtable\\fR [\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]",
        ".br",
        "\\fBroundtable\\fR",
        ".br",
        "\\fBroundtable\\-gui\\fR",
        ".SH DESCRIPTION",
        "With a command, \\fBroundtable\\fR runs it against the encrypted store and exits: 0 done; 1 "
        "refused (one line on standard error, nothing changed); 2 usage error; 3 the store could "
        "not be unlocked. With no command, and as \\fBroundtable\\-gui\\fR, it opens the desktop "
        "client.",
        ".SH OPTIONS",
    ]
    for action in _options(parser):
        out += [".TP", _option_line(action), _roff(action.help or "")]
    out.append(".SH COMMANDS")
    for name, help_text, sub in _subcommands(parser):
        out += [".SS " + _roff(name), _roff(help_text)]
        for action in _options(sub):
            out += [".TP", _option_line(action), _roff(action.help or "")]
    out.append(".SH ENVIRONMENT")
    for name, text in ENVIRONMENT.items():
        out += [".TP", f"\\fB{name}\\fR", _roff(text)]
    out += [
        ".SH FILES",
        ".TP",
        "\\fI/opt/roundtable\\fR",
        "the installed program (Debian package)",
        ".SH SEE ALSO",
        "/usr/share/doc/roundtable/THIRD\\-PARTY\\-LICENSES",
    ]
    return "\n".join(out) + "\n"


def bash_completion(parser: argparse.ArgumentParser) -> str:
    commands = _subcommands(parser)
    global_opts = " ".join(o for a in _options(parser) for o in a.option_strings)
    cases = "\n".join(
        f"        {name}) opts=\"{' '.join(o for a in sub._actions for o in a.option_strings)}\" ;;"
        for name, _, sub in commands
    )
    return f"""# bash completion for roundtable (generated from its argparse parser by tools/manpage.py)
_roundtable() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}} command="" opts word
    case "$prev" in
        --store|--passphrase-file|--out|--file|--from|--to) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
    for word in "${{COMP_WORDS[@]:1:COMP_CWORD-1}}"; do
        case "$word" in -*) ;; *) command=$word; break ;; esac
    done
    if [[ -z "$command" ]]; then
        COMPREPLY=($(compgen -W "{' '.join(n for n, _, _ in commands)} {global_opts} --help" -- "$cur"))
        return
    fi
    case "$command" in
{cases}
        *) opts="" ;;
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}}
complete -o default -F _roundtable roundtable
"""


def main(argv: list[str] | None = None) -> int:
    out = Path((argv or sys.argv[1:] or ["build/man"])[0])
    out.mkdir(parents=True, exist_ok=True)
    parser = build_parser()
    (out / "roundtable.1").write_text(manpage(parser), encoding="utf-8")
    (out / "roundtable.bash").write_text(bash_completion(parser), encoding="utf-8")
    print(f"man page and bash completion → {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
