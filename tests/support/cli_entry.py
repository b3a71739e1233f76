"""``python -m tests.support.cli_entry ARGS``: the real command line (``app.cli.main.main``) for the
tests that run it in a child process, with the suite's cheap key derivation set in that process
first (``tests.support.kdf``). Run it from the repository's root (``cwd=ROOT``) so that ``tests``
can be imported. The shipped ``python -m app`` has no such setting."""

from __future__ import annotations

import sys

from tests.support.kdf import cheap_for_this_process


def main() -> int:
    cheap_for_this_process()
    from app.cli.main import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
