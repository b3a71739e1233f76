"""Joining a panel through the window (issue 9): the first-run dialog's "Join a panel with an
invitation", the Panel screen's Invite… button, and the enrol dialog asking which existing agency
an unmatched card belongs to. Offscreen; file dialogs are bypassed by calling the methods they
lead to; no fixed sleeps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.config.programmes import load_programme
from app.crypto.identity import read_identity_card
from app.models.enums import Role
from app.services import exchange, joining, panel, setup
from app.storage.store_files import key_path
from tests.support.kdf import CHEAP
from tests.support.stores import PASSPHRASE, copy_store, today
from tests.support.ui import Harness, first_run_dialog

WAIT = 60_000
NEW_PASS = "four unrelated words here"


def click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    assert button.isEnabled(), button.accessibleName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _invitation(mappa_template: Path, tmp_path: Path, **kw: object) -> tuple[Path, Path, str, str]:
    """(hub store, invitation file, coordinator's fingerprint, invited member id)."""
    hub_path = copy_store(mappa_template, tmp_path / "hub")
    hub = setup.unlock(hub_path, passphrase=PASSPHRASE)
    police = next(a for a in panel.list_agencies(hub) if a.name == "Northshire Police")
    member = next(m for m in panel.list_members(hub) if m.agency_id == police.id and m.role is Role.OFFICER)
    r = joining.invite(hub, member=member.id, out=tmp_path / "pat.rtinv", **kw)  # type: ignore[arg-type]
    hub.close()
    return hub_path, r.path, r.fingerprint, member.id


def _texts(widget) -> str:  # type: ignore[no-untyped-def]
    return " ".join(label.text() for label in widget.findChildren(QLabel))


def test_first_run_joins_a_panel_with_an_invitation(qtbot, isolated_env, mappa_template: Path,
                                                     tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hub_path, inv, fp, member_id = _invitation(mappa_template, tmp_path)
    path = isolated_env / "panel.rtdb"
    dlg, tasks = first_run_dialog(qtbot, path)
    assert dlg.mode_new.isChecked()
    click(qtbot, dlg.mode_join)
    assert dlg.create_button.text().replace("&", "") == "Join panel"
    dlg.load_invitation(inv)
    assert "Ann Coordinator" in dlg.invitation_from.text()
    assert "Northshire Police" in dlg.invitation_for.text()
    assert "MAPPA" in dlg.invitation_panel.text()
    digits = fp.replace(" ", "")
    assert digits not in _texts(dlg).replace(" ", "")  # never shown before it is typed

    # a wrong fingerprint: refused with one sentence, nothing created
    qtbot.keyClicks(dlg.coordinator_fingerprint, "12345 " * 8)
    qtbot.keyClicks(dlg.passphrase, NEW_PASS)
    qtbot.keyClicks(dlg.repeat, NEW_PASS)
    click(qtbot, dlg.create_button)
    qtbot.waitUntil(lambda: dlg.create_button.isEnabled(), timeout=WAIT)
    assert "fingerprint does not match" in dlg.error.text()
    assert not path.exists() and not key_path(path).exists()

    dlg.coordinator_fingerprint.setText(fp)
    click(qtbot, dlg.create_button)
    qtbot.waitUntil(lambda: dlg.session is not None, timeout=WAIT)
    assert len(dlg.recovery.text()) > 20
    assert dlg.coordinator_fingerprint.text() == ""
    assert not dlg.next_step.isHidden() and "identity card" in dlg.next_step.text()
    card_path = tmp_path / "pat.rtid"
    dlg.save_identity_card(card_path)
    qtbot.waitUntil(lambda: dlg.card_saved is not None, timeout=WAIT)
    card = read_identity_card(card_path.read_bytes())
    assert card.member_id == member_id and card.fingerprint in dlg.next_step.text()
    dlg.confirm.setChecked(True)
    click(qtbot, dlg.finish_button)
    assert dlg.result() == dlg.DialogCode.Accepted
    session = dlg.session
    ws = tasks.call_sync(lambda: session.workstation)
    assert ws.member.id == member_id and ws.programme == "mappa"
    assert ws.panel_name == "Northshire MAPPA panel"
    tasks.call_sync(session.close)
    tasks.shutdown()

    hub = setup.unlock(hub_path, passphrase=PASSPHRASE)
    before = (len(panel.list_members(hub)), len(panel.list_agencies(hub)))
    e = exchange.enrol(hub, card=card_path.read_bytes(), fingerprint=card.fingerprint)
    assert e.member_id == member_id and not e.created_agency
    assert (len(panel.list_members(hub)), len(panel.list_agencies(hub))) == before
    hub.close()


def test_first_run_refuses_an_expired_invitation_and_creates_nothing(
        qtbot, isolated_env, mappa_template: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    long_ago = dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=30)
    _hub, inv, fp, _ = _invitation(mappa_template, tmp_path, now=lambda: long_ago)
    path = isolated_env / "panel.rtdb"
    dlg, tasks = first_run_dialog(qtbot, path)
    click(qtbot, dlg.mode_join)
    dlg.load_invitation(inv)
    assert "expired" in dlg.invitation_expires.text() and "expired" in dlg.error.text()
    dlg.coordinator_fingerprint.setText(fp)
    qtbot.keyClicks(dlg.passphrase, NEW_PASS)
    qtbot.keyClicks(dlg.repeat, NEW_PASS)
    click(qtbot, dlg.create_button)
    qtbot.waitUntil(lambda: dlg.create_button.isEnabled(), timeout=WAIT)
    assert "expired on" in dlg.error.text()
    assert dlg.session is None and not path.exists() and not key_path(path).exists()
    bad = tmp_path / "bad.rtinv"
    bad.write_bytes(inv.read_bytes().replace(b"Northshire Police", b"Northshire Polise"))
    dlg.load_invitation(bad)
    assert dlg.invitation is None and "altered" in dlg.error.text()
    dlg.reject()
    tasks.shutdown()


def test_panel_screen_invites_the_selected_member(demo_ui, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = demo_ui
    pnl = h.win.show_screen("Panel")
    h.idle()
    assert not pnl.invite_button.isEnabled()
    officer = next(m for m in h.ctx.snap.members if m.role is Role.OFFICER)
    assert pnl.select_member(officer.id)
    assert pnl.invite_button.isEnabled()
    assert pnl.select_member(h.session.me.id)  # not the coordinator themself
    assert not pnl.invite_button.isEnabled()
    assert pnl.select_member(officer.id)
    out = tmp_path / "inv.rtinv"
    pnl.invite_selected(out)
    qtbot.waitUntil(lambda: not pnl.invite_note.isHidden(), timeout=WAIT)
    assert out.is_file() and pnl.error.text() == ""
    assert h.session.workstation.fingerprint in pnl.invite_note.text()
    preview = joining.preview_invitation(out.read_bytes())
    assert preview.member_name == officer.name
    win = h.window_as(officer.id, is_hub=False)  # an officer's window: no invitations
    other = win.show_screen("Panel")
    h.idle()
    assert other.select_member(officer.id) and not other.invite_button.isEnabled()


def test_enrol_dialog_asks_which_agency_and_never_duplicates_one(demo_ui, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h = demo_ui
    police = next(a for a in h.ctx.snap.agencies if a.name == "Northshire Police")
    officer = setup.create_store(tmp_path / "o" / "o.rtdb", passphrase=PASSPHRASE, name="Sam Sergeant",
                                 agency="Northshire Police", role=Role.OFFICER,
                                 kdf=CHEAP).session
    card_path = exchange.write_identity_card(officer, out=tmp_path / "sam.rtid")
    officer.close()
    fp = read_identity_card(card_path.read_bytes()).fingerprint
    agencies_before = len(h.ctx.snap.agencies)
    screen = h.win.show_screen("Exchange")
    h.idle()
    dlg = screen._on_enrol_button_clicked()
    dlg.load_card(card_path)
    qtbot.waitUntil(lambda: not dlg.agency_choice.isHidden(), timeout=WAIT)
    assert dlg.agency_choice.currentData() == police.id
    items = [dlg.agency_choice.itemText(i) for i in range(dlg.agency_choice.count())]
    assert not any(t.startswith("A new agency") for t in items)
    dlg.fingerprint.setText(fp)
    click(qtbot, dlg.enrol_button)
    h.idle()
    members = h.tasks.call_sync(lambda: panel.list_members(h.session))
    sam = next(m for m in members if m.name == "Sam Sergeant")
    assert sam.agency_id == police.id
    agencies = h.tasks.call_sync(lambda: panel.list_agencies(h.session))
    assert len(agencies) == agencies_before
    assert [a.name for a in agencies].count("Northshire Police") == 1


def test_a_joined_member_store_shows_the_panels_name_and_programme(
        qtbot, mappa_template: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]

    hub_path, inv, fp, member_id = _invitation(mappa_template, tmp_path)
    joined_path = tmp_path / "joined" / "panel.rtdb"
    joined = joining.join_panel(joined_path, invitation=inv.read_bytes(), fingerprint=fp,
                                passphrase=PASSPHRASE, kdf=CHEAP, today_fn=today).session
    card = exchange.identity_card(joined)
    hub = setup.unlock(hub_path, passphrase=PASSPHRASE)
    exchange.enrol(hub, card=card, fingerprint=read_identity_card(card).fingerprint)
    out = tmp_path / "to-member.rtb"
    exchange.export_bundle(hub, to_member=joined.workstation.device_id, out=out)
    panel_name = hub.workstation.panel_name
    hub.close()
    assert exchange.import_bundle(joined, path=out).outcome == "applied"
    joined.close()
    h = Harness(qtbot, joined_path, tmp_path / "member.ini")
    try:
        assert panel_name in h.win.windowTitle() and "Risk panel" not in h.win.windowTitle()
        assert h.ctx.snap.programme.id == "mappa"
        assert h.ctx.snap.workstation.member.id == member_id
        screen = h.win.show_screen("Cases")
        h.idle()
        model = screen.model
        qtbot.waitUntil(lambda: model.rowCount() > 0 and model.summary(0) is not None, timeout=WAIT)
        headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
        fields = load_programme("mappa").case_fields
        assert [cf.heading for cf in fields] == headers[5:5 + len(fields)]  # the programme's case fields
        mappa = load_programme("mappa")
        status_col = model.column_of("status")
        for row in range(model.rowCount()):
            summary = model.summary(row)
            if summary is None:
                continue
            shown = model.data(model.index(row, status_col))
            assert shown == mappa.status_label(summary.status) and shown != summary.status
    finally:
        h.close()
