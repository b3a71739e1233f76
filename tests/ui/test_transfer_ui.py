"""Transfers between panels on the desktop: "Transfer to another panel…" on the case screen, the
partner panels and transfers on the Exchange screen, an incoming offer previewed read-only and
accepted there, the partner's acceptance imported there closing the case; the dashboard line for
an offer left unanswered. File and input dialogs are replaced by returning values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog

from app.services import partners, transfer, ui_queries
from tests.support.partner_stores import build_south, card_of, open_case_id
from tests.support.stores import PASSPHRASE, copy_store, today
from tests.support.ui import Harness


@pytest.fixture(scope="session")
def south_ui_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_south(tmp_path_factory.mktemp("south-ui") / "south.rtdb")


@pytest.fixture
def south(south_ui_template: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    from app.services.setup import unlock

    s = unlock(copy_store(south_ui_template, tmp_path / "south"), passphrase=PASSPHRASE, today_fn=today)
    yield s
    s.close()


def _partner_up(h: Harness, south) -> None:  # type: ignore[no-untyped-def]
    north_card, north_fpr = h.tasks.call_sync(lambda: card_of(h.session))
    south_card, south_fpr = card_of(south)
    h.tasks.call_sync(lambda: partners.enrol_partner(h.session, south_card, south_fpr))
    partners.enrol_partner(south, north_card, north_fpr)


def test_offer_from_the_case_screen_and_import_the_acceptance(demo_ui: Harness, south, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch):
    h = demo_ui
    _partner_up(h, south)
    case_id = h.tasks.call_sync(lambda: open_case_id(h.session))
    h.win.open_case(case_id)
    h.idle()
    view = h.win.cases.view
    assert view.transfer.button.isVisible() and view.transfer.button.isEnabled()
    assert not view.transfer.note.isVisible()
    offer = tmp_path / "offer.rtt"
    name = south.workstation.panel_name
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (name, True))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(offer), ""))
    view.transfer.button.click()
    h.idle()
    assert offer.exists()
    assert "Transfer offered to" in view.transfer.note.text()

    reply = tmp_path / "reply.rtt"
    transfer.import_file(south, path=offer, accept=True, out=reply)

    screen = h.win.show_screen("Exchange")
    h.idle()
    page = screen.partners_page
    assert screen.tabs.isTabVisible(screen.tabs.indexOf(page))
    assert page.partners.rowCount() == 1 and page.transfers.rowCount() == 1
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(reply), ""))
    page.import_button.click()
    h.idle()
    assert "closed here as transferred out" in page.status.text()
    assert page.transfers.record(0).state == "accepted"
    h.win.open_case(case_id)
    h.idle()
    assert view.transfer.note.text().startswith("Transferred out to")
    assert not view.transfer.button.isEnabled()


def test_an_incoming_offer_is_previewed_and_accepted(demo_ui: Harness, south, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    # here the window is the receiving panel's: Southshire offers nothing, so the demo panel
    # (the window) receives a case from Southshire after Southshire opened one
    from app.services import demo

    h = demo_ui
    _partner_up(h, south)
    demo.build_demo(south, cases=2, seed=5)
    offer = tmp_path / "offer.rtt"
    north_name = h.session.workstation.panel_name
    r = transfer.offer(south, case=open_case_id(south), to=north_name, out=offer)
    screen = h.win.show_screen("Exchange")
    h.idle()
    page = screen.partners_page
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(offer), ""))
    page.import_button.click()
    h.idle()
    dlg = page.dialog
    assert dlg is not None and dlg.isVisible()
    assert dlg.history.isReadOnly() and r.case_ref in dlg.history.toPlainText()
    assert dlg.accept_button.isVisible()
    reply = tmp_path / "reply.rtt"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(reply), ""))
    dlg.accept_button.click()
    h.idle()
    assert reply.exists()
    assert dlg.outcome.text().startswith("Accepted as RT-")
    dlg.close()
    h.idle()
    assert page.transfers.record(0).state == "accepted"
    # the new case says where it came from and shows the history that travelled, read-only
    t = page.transfers.record(0)
    new_id = h.tasks.call_sync(lambda: transfer.list_transfers(h.session))[0]
    assert new_id.local_ref
    from app.services import cases

    new_case = h.tasks.call_sync(lambda: cases.resolve_case(h.session, new_id.local_ref))
    h.win.open_case(new_case.id)
    h.idle()
    view = h.win.cases.view
    assert view.transfer.note.text().startswith(f"Transferred in from {t.partner}, ref {r.case_ref}")
    assert view.transfer.history_button.isVisible()
    view.transfer.history_button.click()
    h.idle()
    hist = view.transfer.dialog
    assert hist is not None and r.case_ref in hist.history.toPlainText()
    assert not hist.accept_button.isVisible()
    hist.close()


def test_an_offer_unanswered_for_20_working_days_is_on_the_dashboard(demo_ui: Harness, south, tmp_path: Path):
    h = demo_ui
    _partner_up(h, south)
    case_id = h.tasks.call_sync(lambda: open_case_id(h.session))
    name = south.workstation.panel_name
    h.tasks.call_sync(lambda: transfer.offer(h.session, case=case_id, to=name, out=tmp_path / "o.rtt"))
    d = h.tasks.call_sync(lambda: ui_queries.dashboard(h.session))
    assert d.unanswered_transfers == ()
    h.session.today_fn = lambda: today() + dt.timedelta(days=28)  # 20 working days later
    d = h.tasks.call_sync(lambda: ui_queries.dashboard(h.session))
    assert [t.partner for t in d.unanswered_transfers] == [name]
    screen = h.win.show_screen("Dashboard")
    screen.load()
    h.idle()
    assert "no answer in 20 working days" in screen.transfers_late.text()
    assert screen.transfers_late.isVisible()
