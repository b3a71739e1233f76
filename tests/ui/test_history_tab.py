"""The case's History tab reads as sentences in local time, in the programme's words: "Status
changed from … to … by … at …", never field names (``agency_id, author, case_id``) or UTC."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt


@pytest.fixture
def new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A time zone five hours behind UTC in December, so local time differs from UTC."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_history_reads_as_sentences_in_local_time(demo_ui, new_york) -> None:  # type: ignore[no-untyped-def]
    from app.services import cases, contributions
    from app.services.cases import lifecycle

    h = demo_ui
    s = h.session
    prog = s.programme

    def prepare() -> tuple[str, str, str]:
        cid = next(c for c in cases.list_case_ids(s) if cases.get_case_file(s, c, audit_view=False).case.status
                   == prog.initial_status)
        first = prog.transitions[0]
        lifecycle.change_status(s, case_id=cid, status=first.target, rationale="Checked.")
        contributions.add_contribution(s, case_id=cid, text="Known to us.")
        return cid, prog.status_label(first.source), prog.status_label(first.target)

    cid, old, new = h.tasks.call_sync(prepare)
    h.win.open_case(cid)
    h.idle()
    view = h.win.screens["Cases"].view
    tab = view.history
    view.tabs.setCurrentWidget(tab)
    h.idle()
    model = tab.table.model()
    h.qtbot.waitUntil(lambda: model.rowCount() > 0)
    rows = [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    texts = [r[-1] for r in rows]
    me = s.me.name
    status = next(t for t in texts if t.startswith("Status changed from"))
    assert re.fullmatch(rf"Status changed from {re.escape(old)} to {re.escape(new)} by {re.escape(me)} "
                        r"at \d\d:\d\d on \d{1,2}/\d{1,2}/\d{4}\.", status), status
    assert any(t.startswith(f"Information added by {me} at ") for t in texts)
    whole = " ".join(str(x) for r in rows for x in r) + " ".join(str(x) for x in headers)
    for word in ("agency_id", "case_id", "author", "UTC", "status_change", "contribution"):
        assert word not in whole, word
    # local time: the newest entry's hour is New York's, not UTC's
    now_local = dt.datetime.now().astimezone()
    hour = int(re.search(r" at (\d\d):", texts[0]).group(1))  # type: ignore[union-attr]
    assert hour in {now_local.hour, (now_local.hour - 1) % 24}
    assert now_local.utcoffset() != dt.timedelta(0)
