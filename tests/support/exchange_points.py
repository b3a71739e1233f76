"""Named points of an import or an export, for tests that crash or tamper there.

The product has no test hooks: these wrap the product's own steps (by ``patch``, which is
``monkeypatch.setattr`` in a test, plain ``setattr`` in a child process that is killed anyway) so
that ``call()`` runs at the point named:

import: ``staged`` (the private copy made), ``verified`` (the first pass and the signature done),
``start`` (inside the transaction, the registry applied), ``evicted`` (before the first batch of
ops is applied), ``applied`` (all ops applied), ``before-commit`` (the import's audit event
written, just before the commit).

export: ``reserved`` (the sequence number committed, before the export's transaction does
anything), ``selected`` (all selected and audited, before the file is opened), ``op-N`` (after
the N-th operation is written), ``written`` (the file complete under a temporary name, before the commit), ``committed``
(the export committed and audited, before the file is put in place).

Import with ``import tests.support.exchange_points`` from a child process started in the project's
folder (``sys.path[0]`` is the working directory there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

Patch = Callable[[object, str, Any], None]


def _after(patch: Patch, owner: object, name: str, call: Callable[[], None], when: Callable[..., bool]
           = lambda *a, **k: True) -> None:
    original = getattr(owner, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if when(*args, **kwargs):
            call()
        return result

    patch(owner, name, wrapped)


def _before(patch: Patch, owner: object, name: str, call: Callable[[], None]) -> None:
    original = getattr(owner, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        call()
        return original(*args, **kwargs)

    patch(owner, name, wrapped)


def at_import_point(point: str, call: Callable[[], None], patch: Patch = setattr) -> None:
    from app.services.exchange import apply, importing
    from app.storage.sync.apply import Applier
    from app.storage.writer import Writer

    if point == "staged":
        _after(patch, importing, "_stage", call)
    elif point == "verified":
        _after(patch, importing, "open_bundle_stream", call)
    elif point == "start":
        _after(patch, apply, "apply_registry", call)
    elif point == "evicted":
        _before(patch, Applier, "apply_batch", call)
    elif point == "applied":
        _after(patch, Applier, "finish", call)
    elif point == "before-commit":
        _after(patch, Writer, "record_event", call, lambda _w, action, *a, **k: action == "import")
    else:
        raise ValueError(f"no import point {point!r}")


def at_export_point(point: str, call: Callable[[], None], patch: Patch = setattr) -> None:
    from app.services import exchange
    from app.services.exchange import exporting

    if point == "reserved":
        _before(patch, exchange, "do_export", call)
    elif point == "written":
        _after(patch, exchange, "do_export", call)
    elif point == "selected":
        _before(patch, exporting, "staged_writer", call)
    elif point == "committed":
        from app.storage.files import Staged

        _before(patch, Staged, "publish", call)
    elif point.startswith("op-"):
        n = int(point[3:])
        original = exporting.write_payload

        def write_payload(write: Any, manifest: Any, registry: Any, ops: Iterable[Any], **kw: Any) -> Any:
            def counted() -> Iterator[Any]:
                for done, op in enumerate(ops, start=1):
                    yield op
                    if done == n:
                        call()

            return original(write, manifest, registry, counted(), **kw)

        patch(exporting, "write_payload", write_payload)
    else:
        raise ValueError(f"no export point {point!r}")
