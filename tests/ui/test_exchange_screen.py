"""The Exchange screen against the real exchange services: a coordinator's store and a Police
officer's store, enrolled with each other (as ``tests/support/sync_support`` builds them: cheap key
derivation, built once per test process, copied per test), each opened in its own main window.

File dialogs are replaced by returning paths; no fixed sleeps (``waitUntil`` with generous
timeouts); every model goes through the model tester.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from tests.support.stores import PASSPHRASE, today
from tests.support.ui import Harness

WAIT = 60_000


# --- stores ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Templates:
    plain: Path  # hub + police enrolled with each other; a case shared with Police, an action
    conflicted: Path  # the same after a round of files and concurrent edits of the action's status
    health_card: Path  # an unenrolled Health officer's identity card
    health_fingerprint: str


def _open(path: Path):  # type: ignore[no-untyped-def]
    from app.services.context import Session
    from app.storage.store import Store

    return Session(Store.open_with_passphrase(path, PASSPHRASE), today_fn=today)


def _copy_stores(src: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.suffix in (".rtdb", ".rtkey"):
            shutil.copy2(f, dest / f.name)


def _ship(sender, recipient, folder: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    from app.services import exchange

    out = folder / name
    exchange.export_bundle(sender, to_member=recipient.workstation.device_id, out=out)
    return out


@pytest.fixture(scope="session")
def exchange_templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    from app.crypto.identity import read_identity_card
    from app.models.enums import ActionStatus, Role
    from app.models.referral_input import ReferralInput, SubjectInput
    from app.services import actions, exchange, setup
    from app.services.cases import referrals
    from tests.support.kdf import CHEAP

    root = tmp_path_factory.mktemp("exchange-ui")
    work = root / "work"
    made = {}
    for key, name, agency, role in (
        ("hub", "Cora Ordinator", "Borough Council", Role.COORDINATOR),
        ("police", "Pat Constable", "Police", Role.OFFICER),
        ("health", "Harriet Nurse", "NHS Health", Role.OFFICER),
    ):
        made[key] = setup.create_store(work / f"{key}.rtdb", passphrase=PASSPHRASE, name=name,
                                       agency=agency, role=role, kdf=CHEAP,
                                       today_fn=today).session
    hub, police, health = made["hub"], made["police"], made["health"]
    card, hub_card = exchange.identity_card(police), exchange.identity_card(hub)
    exchange.enrol(hub, card=card, fingerprint=read_identity_card(card).fingerprint)
    exchange.enrol(police, card=hub_card, fingerprint=read_identity_card(hub_card).fingerprint)
    health_card = root / "health.rtid"
    exchange.write_identity_card(health, out=health_card)
    health.close()
    cid = referrals.open_referral(
        hub,
        subject=SubjectInput(forenames="Jo", surname="Doe", date_of_birth=dt.date(2005, 3, 1)),
        referral=ReferralInput(received=dt.date(2026, 11, 20), referrer="A teacher", sector="education",
                               concern="other", narrative="Concerning remarks in class."),
        shared_with=[police.workstation.agency.id],
    )
    aid = actions.create_action(hub, case_id=str(cid), title="Home visit",
                                owner_agency=police.workstation.agency.id, due=dt.date(2026, 12, 20))
    hub.close()
    police.close()
    _copy_stores(work, root / "plain")

    hub, police = _open(work / "hub.rtdb"), _open(work / "police.rtdb")

    def round_trip(n: int) -> None:
        assert exchange.import_bundle(police, path=_ship(hub, police, work, f"h{n}.rtb")).ok
        assert exchange.import_bundle(hub, path=_ship(police, hub, work, f"p{n}.rtb")).ok

    round_trip(1)
    actions.update_action(hub, action_id=str(aid), status=ActionStatus.CANCELLED)
    actions.update_action(police, action_id=str(aid), status=ActionStatus.DONE)
    round_trip(2)
    round_trip(3)
    assert len(exchange.list_conflicts(hub)) == 1
    assert len(exchange.list_conflicts(police)) == 1
    hub.close()
    police.close()
    _copy_stores(work, root / "conflicted")
    return Templates(root / "plain", root / "conflicted", health_card,
                     read_identity_card(health_card.read_bytes()).fingerprint)


@dataclass
class Pair:
    folder: Path
    hub: Harness
    police: Harness

    def screen(self, h: Harness):  # type: ignore[no-untyped-def]
        s = h.win.show_screen("Exchange")
        h.idle(WAIT)
        return s


def _pair(qtbot, template: Path, tmp_path: Path) -> Iterator[Pair]:  # type: ignore[no-untyped-def]
    _copy_stores(template, tmp_path / "stores")
    files = tmp_path / "files"
    files.mkdir()
    hub = Harness(qtbot, tmp_path / "stores" / "hub.rtdb", tmp_path / "hub.ini")
    police = Harness(qtbot, tmp_path / "stores" / "police.rtdb", tmp_path / "police.ini")
    try:
        yield Pair(files, hub, police)
    finally:
        police.close()
        hub.close()


@pytest.fixture
def pair(qtbot, exchange_templates: Templates, tmp_path: Path) -> Iterator[Pair]:  # type: ignore[no-untyped-def]
    yield from _pair(qtbot, exchange_templates.plain, tmp_path)


@pytest.fixture
def conflicted(qtbot, exchange_templates: Templates, tmp_path: Path) -> Iterator[Pair]:  # type: ignore[no-untyped-def]
    yield from _pair(qtbot, exchange_templates.conflicted, tmp_path)


def _export(qtbot, pair: Pair, monkeypatch, name: str = "for-police.rtb") -> Path:  # type: ignore[no-untyped-def]
    screen = pair.screen(pair.hub)
    out = pair.folder / name
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    screen.members_table.selectRow(0)
    screen.export_button.click()
    qtbot.waitUntil(lambda: screen.last_export is not None and screen.last_export.path == out, timeout=WAIT)
    pair.hub.idle(WAIT)
    return out


def _import(qtbot, h: Harness, monkeypatch, *paths: Path):  # type: ignore[no-untyped-def]
    screen = h.win.show_screen("Exchange")
    h.idle(WAIT)
    before = screen.reports.rowCount()
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(p) for p in paths], ""))
    screen.import_button.click()
    qtbot.waitUntil(lambda: screen.reports.rowCount() == before + len(paths) and not screen.busy, timeout=WAIT)
    h.idle(WAIT)
    return screen


def _texts(model, row: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [model.index(row, c).data() for c in range(model.columnCount())]


# --- members ---------------------------------------------------------------------------------------
def test_members_table_shows_fingerprint_status_and_silence(pair: Pair, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    screen = pair.screen(pair.hub)
    assert screen.members.rowCount() == 1
    name, agency, role, fpr, sent, received, status = _texts(screen.members, 0)
    assert (name, agency, role) == ("Pat Constable", "Police", "Officer")
    lines = fpr.split("\n")  # eight groups of five digits, two lines of four
    assert len(lines) == 2 and all(len(line.split(" ")) == 4 for line in lines)
    assert " ".join(lines) == pair.police.session.workstation.fingerprint
    assert sent == "Never" and received == "Never"
    assert status == "Active \u00b7 no file received yet"
    assert pair.hub.session.workstation.fingerprint in screen.me.text()
    qtmodeltester.check(screen.members, force_py=True)
    qtmodeltester.check(screen.conflicts, force_py=True)
    qtmodeltester.check(screen.reports, force_py=True)


def test_gap_and_silence_are_worded_for_people() -> None:
    from app.services.exchange import PeerStatus
    from app.ui.screens.exchange.models import attention, attention_kind, status_cell

    p = PeerStatus("m", "d", "Pat", "Police", "officer", "1 2", "active", None, 0,
                   "2026-11-01T10:00:00+00:00", 8, (7,), 12, True)
    assert attention(p) == "File 7 from Police not received; Last file from Police: 12 days ago"
    assert attention_kind(p) == "danger"
    assert status_cell(p) == "File 7 not received \u00b7 Silent for 12 days"
    quiet = dataclasses.replace(p, missing=())
    assert attention(quiet) == "Last file from Police: 12 days ago" and attention_kind(quiet) == "warn"
    revoked = dataclasses.replace(quiet, status="revoked", silent=False)
    assert attention(revoked).startswith("Revoked") and attention_kind(revoked) == "danger"


# --- export and import ------------------------------------------------------------------------------
def test_export_from_the_hub_and_import_into_the_agency_through_the_screens(
        qtbot, pair: Pair, monkeypatch, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    out = _export(qtbot, pair, monkeypatch)
    hub_screen = pair.hub.win.screens["Exchange"]
    assert out.is_file()
    assert "File 1 for Pat Constable written" in hub_screen.export_result.text()
    assert hub_screen.members.index(0, 4).data().startswith("File 1\n")

    screen = _import(qtbot, pair.police, monkeypatch, out)
    outcome, _reason, applied = _texts(screen.reports, 0)[1:4]
    assert outcome == "Imported" and int(applied) > 0
    assert not screen.alert.isVisible()
    assert screen.members.index(0, 5).data().startswith("File 1\n")
    assert "changes applied" in screen.report_detail.text()
    # The case arrived: the Cases screen of the officer's window lists it.
    cases = pair.police.win.show_screen("Cases")
    pair.police.idle(WAIT)
    qtbot.waitUntil(lambda: cases.model.rowCount() == 1, timeout=WAIT)

    # The same file again is a reported no-op.
    _import(qtbot, pair.police, monkeypatch, out)
    assert _texts(screen.reports, 0)[1] == "Already imported"
    qtmodeltester.check(screen.reports, force_py=True)


def test_several_files_in_one_go_each_get_a_report(qtbot, pair: Pair, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    first = _export(qtbot, pair, monkeypatch, "one.rtb")
    second = _export(qtbot, pair, monkeypatch, "two.rtb")
    junk = pair.folder / "notes.rtb"
    junk.write_bytes(b"not an exchange file")
    screen = _import(qtbot, pair.police, monkeypatch, first, second, junk)
    outcomes = {screen.reports.index(r, 0).data(): screen.reports.index(r, 1).data() for r in range(3)}
    assert outcomes == {"one.rtb": "Imported", "two.rtb": "Imported", "notes.rtb": "Rejected"}
    assert "Imported 3 files" in screen.status.text()


def test_a_tampered_file_shows_a_rejection_and_changes_nothing(qtbot, pair: Pair, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out = _export(qtbot, pair, monkeypatch)
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0x01
    out.write_bytes(bytes(data))
    screen = _import(qtbot, pair.police, monkeypatch, out)
    row = _texts(screen.reports, 0)
    assert row[1] == "Rejected" and row[2]
    assert row[3:] == [""] * 6  # nothing counted for a rejected file
    assert "Rejected" in screen.report_detail.text()
    assert screen.members.index(0, 5).data() == "Never"


def test_a_reused_sequence_number_is_a_security_alert_that_stands_out(
        qtbot, pair: Pair, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.services import exchange

    # A twin of the hub's store (same keys, same stream) made before it exported anything.
    twin_dir = tmp_path / "twin"
    twin_dir.mkdir()
    for f in (pair.hub.store, pair.hub.store.with_suffix(".rtkey")):
        shutil.copy2(f, twin_dir / f.name)
    out = _export(qtbot, pair, monkeypatch)
    _import(qtbot, pair.police, monkeypatch, out)
    twin = _open(twin_dir / pair.hub.store.name)
    try:
        other = pair.folder / "other.rtb"
        exchange.export_bundle(twin, to_member=pair.police.session.workstation.device_id, out=other)
    finally:
        twin.close()
    screen = _import(qtbot, pair.police, monkeypatch, other)
    assert _texts(screen.reports, 0)[1] == "Security alert"
    assert screen.alert.isVisible()
    assert screen.alert_text.text().startswith("Security alert")
    assert screen.alert_text.textFormat() == Qt.TextFormat.PlainText
    screen.alert_dismiss.click()
    assert not screen.alert.isVisible()


def test_an_audit_warning_is_shown_in_the_banner(qtbot, pair: Pair, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A file saying this store's log was different when the sender last saw it: imported, and
    the warning stands out (docs/sync.md, "Audit witnesses")."""
    import hashlib

    from app.storage import audit as audit_store
    from tests.support.sync_support import craft

    police = pair.police.session
    with police.view() as conn:
        seq, _ = audit_store.head(conn)
    crafted = pair.folder / "witness.rtb"
    crafted.write_bytes(craft(pair.hub.session, police,
                              manifest={"witness": [0, seq, hashlib.sha256(b"other").hexdigest()]}))
    screen = _import(qtbot, pair.police, monkeypatch, crafted)
    assert _texts(screen.reports, 0)[1] == "Imported, audit warning"
    assert screen.alert.isVisible() and screen.alert_text.text().startswith("Audit warning")
    assert f"entry {seq}" in screen.alert_text.text()
    assert screen.alert_text.textFormat() == Qt.TextFormat.PlainText


def test_a_revoked_membership_is_shown_in_the_banner(qtbot, pair: Pair, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A file from the coordinator revoking this workstation's member: the cases go, and the
    banner says why (docs/sync.md, "Revoking a member")."""
    from app.models.enums import MemberStatus
    from app.services import cases, panel

    police = pair.police.session
    panel.set_member_status(pair.hub.session, member_id=police.workstation.member.id,
                            status=MemberStatus.REVOKED)
    out = _ship(pair.hub.session, police, pair.folder, "revoking.rtb")
    screen = _import(qtbot, pair.police, monkeypatch, out)
    assert screen.alert.isVisible()
    assert screen.alert_text.text().startswith("Access revoked — The coordinator has revoked")
    assert cases.list_cases(police) == []


def _drag_and_drop(widget, mime: QMimeData) -> tuple[bool, bool]:  # type: ignore[no-untyped-def]
    """A drag entering ``widget`` and dropping there, as the window system delivers it (Qt sends a
    drop only to a widget that accepted the drag's entry). Returns (entry accepted, drop accepted)."""
    enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False, False
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, drop)
    return True, drop.isAccepted()


@pytest.mark.filterwarnings("ignore:Function.*QDragEnterEvent:DeprecationWarning")
def test_dropping_files_on_the_screen_imports_them(qtbot, pair: Pair, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out = _export(qtbot, pair, monkeypatch)
    screen = pair.screen(pair.police)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(out))])
    assert _drag_and_drop(screen, mime) == (True, True)
    qtbot.waitUntil(lambda: screen.reports.rowCount() == 1 and not screen.busy, timeout=WAIT)
    assert screen.reports.index(0, 1).data() == "Imported"
    assert screen.reports.record(0).source == "dropped"
    # Text that is not a file is not taken.
    text = QMimeData()
    text.setText("hello")
    assert _drag_and_drop(screen, text) == (False, False)
    pair.police.idle(WAIT)
    assert screen.reports.rowCount() == 1


def _watch_a_folder(pair: Pair, monkeypatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The Police officer chooses a new folder to watch, through the screen."""
    watched = tmp_path / "shared"
    watched.mkdir()
    screen = pair.screen(pair.police)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(watched))
    screen.watch_button.click()
    return screen, watched


def test_watched_folder_imports_each_new_file_once(qtbot, pair: Pair, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    screen, watched = _watch_a_folder(pair, monkeypatch, tmp_path)
    assert screen.watch_label.text() == f"Watching {watched}"
    out = _export(qtbot, pair, monkeypatch, "drop.rtb")
    pair.police.win.show_screen("Exchange")
    shutil.copy2(out, watched / "drop.rtb")
    (watched / "readme.txt").write_text("ignored")
    qtbot.waitUntil(lambda: screen.reports.rowCount() == 1 and not screen.busy, timeout=WAIT)
    assert screen.reports.index(0, 1).data() == "Imported"
    assert screen.reports.record(0).source == "watched"
    # The folder changing again (another file, or a look without changes) never re-imports it.
    screen.scan_watched()
    (watched / "other.txt").write_text("x")
    screen.scan_watched()
    pair.police.idle(WAIT)
    assert screen.reports.rowCount() == 1
    screen.watch_button.click()
    assert screen.watch_label.text() == "" and not screen.watcher.directories()
    pair.police.idle(WAIT)
    assert _remembered(pair.police) is None  # stopping forgets it for the next session too


def _remembered(h: Harness) -> Path | None:
    from app.services import exchange

    return h.tasks.call_sync(lambda: exchange.watched_folder(h.session))  # type: ignore[no-any-return]


def _reopen(qtbot, h: Harness, tmp_path: Path) -> Harness:  # type: ignore[no-untyped-def]
    """Quit the client on this store and start it again (a new session, a new window)."""
    store = h.store
    h.close()
    return Harness(qtbot, store, tmp_path / "again.ini")


def test_the_watched_folder_is_remembered_in_the_store_and_resumed_at_start(  # type: ignore[no-untyped-def]
        qtbot, pair: Pair, monkeypatch, tmp_path: Path) -> None:
    from app.services import panel

    _screen, watched = _watch_a_folder(pair, monkeypatch, tmp_path)
    pair.police.idle(WAIT)
    assert _remembered(pair.police) == watched
    store_id = pair.police.session.store.store_id
    entries = pair.police.tasks.call_sync(
        lambda: panel.history(pair.police.session, entity="store", record_id=store_id))
    assert any(e.action == "settings" and "watched-folder" in e.fields for e in entries)
    settings_text = (tmp_path / "police.ini").read_text() if (tmp_path / "police.ini").exists() else ""
    assert str(watched) not in settings_text  # the path lives in the encrypted store only

    out = _export(qtbot, pair, monkeypatch, "while-away.rtb")
    police = _reopen(qtbot, pair.police, tmp_path)
    pair.police = police
    shutil.copy2(out, watched / "while-away.rtb")  # arrives after the restart
    again = police.win.screens["Exchange"]  # built at start-up because a folder is remembered
    qtbot.waitUntil(lambda: again.watcher.directories() == [str(watched)], timeout=WAIT)
    assert again.watch_label.text() == f"Watching {watched}"
    qtbot.waitUntil(lambda: again.reports.rowCount() == 1 and not again.busy, timeout=WAIT)
    assert again.reports.index(0, 1).data() == "Imported" and again.reports.record(0).source == "watched"


def test_a_remembered_folder_that_is_not_there_is_reported_not_watched(  # type: ignore[no-untyped-def]
        qtbot, pair: Pair, tmp_path: Path) -> None:
    from app.services import exchange

    gone = tmp_path / "usb-stick"
    pair.police.tasks.call_sync(lambda: exchange.remember_watched_folder(pair.police.session, gone))
    police = _reopen(qtbot, pair.police, tmp_path)
    pair.police = police
    screen = police.win.screens["Exchange"]
    qtbot.waitUntil(lambda: "not available" in screen.watch_label.text(), timeout=WAIT)
    assert str(gone) in screen.watch_label.text() and not screen.watcher.directories()
    assert _remembered(police) == gone  # kept: the stick may be back tomorrow


def test_nothing_is_imported_while_locked_and_the_folder_is_looked_at_on_unlock(  # type: ignore[no-untyped-def]
        qtbot, pair: Pair, monkeypatch, tmp_path: Path) -> None:
    screen, watched = _watch_a_folder(pair, monkeypatch, tmp_path)
    out = _export(qtbot, pair, monkeypatch, "while-locked.rtb")
    win = pair.police.win
    win.lock()
    assert pair.police.ctx.is_locked
    shutil.copy2(out, watched / "while-locked.rtb")
    screen.scan_watched()  # what the folder watcher would do: nothing, while locked
    assert not screen.busy and screen.reports.rowCount() == 0
    dlg = win.unlock_dialog
    assert dlg is not None
    qtbot.keyClicks(dlg.secret, PASSPHRASE)
    qtbot.mouseClick(dlg.unlock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not win.is_locked, timeout=WAIT)
    pair.police.session = pair.police.ctx._session
    qtbot.waitUntil(lambda: screen.reports.rowCount() == 1 and not screen.busy, timeout=WAIT)
    assert screen.reports.index(0, 1).data() == "Imported"


# --- enrolment and identity card ----------------------------------------------------------------------
def test_write_identity_card(qtbot, pair: Pair, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.crypto.identity import read_identity_card

    screen = pair.screen(pair.police)
    out = pair.folder / "me.rtid"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    screen.card_button.click()
    qtbot.waitUntil(out.is_file, timeout=WAIT)
    pair.police.idle(WAIT)
    assert read_identity_card(out.read_bytes()).name == "Pat Constable"
    assert "Identity card written" in screen.status.text()


def test_enrol_refuses_a_wrong_fingerprint_and_enrols_the_right_one(
        qtbot, pair: Pair, exchange_templates: Templates) -> None:  # type: ignore[no-untyped-def]
    screen = pair.screen(pair.hub)
    dlg = screen._on_enrol_button_clicked()
    dlg.load_card(exchange_templates.health_card)
    assert (dlg.name.text(), dlg.agency.text(), dlg.role.text()) == ("Harriet Nurse", "NHS Health", "Officer")
    assert dlg.name.textFormat() == Qt.TextFormat.PlainText
    assert not dlg.enrol_button.isEnabled()
    right = exchange_templates.health_fingerprint
    wrong = right[:-1] + ("1" if right[-1] != "1" else "2")
    qtbot.keyClicks(dlg.fingerprint, wrong.replace(" ", "-"))
    assert dlg.enrol_button.isEnabled()
    dlg.enrol_button.click()
    qtbot.waitUntil(lambda: dlg.message.isVisible(), timeout=WAIT)
    assert dlg.message.text().startswith("Not enrolled. The fingerprint does not match")
    pair.hub.idle(WAIT)
    assert screen.members.rowCount() == 1
    dlg.fingerprint.setText(right)
    dlg.enrol_button.click()
    qtbot.waitUntil(lambda: screen.members.rowCount() == 2, timeout=WAIT)
    names = {screen.members.index(r, 0).data() for r in range(2)}
    assert names == {"Pat Constable", "Harriet Nurse"}


def test_enrol_dialog_rejects_a_file_that_is_not_a_card(qtbot, pair: Pair) -> None:  # type: ignore[no-untyped-def]
    screen = pair.screen(pair.hub)
    dlg = screen._on_enrol_button_clicked()
    bad = pair.folder / "bad.rtid"
    bad.write_text("<b>hello</b>")
    dlg.load_card(bad)
    assert dlg.message.isVisible() and "not a Roundtable identity card" in dlg.message.text()
    assert dlg.card is None and not dlg.enrol_button.isEnabled()
    dlg.reject()


# --- conflicts ---------------------------------------------------------------------------------------
def test_conflict_resolved_through_the_dialog_closes_it(qtbot, conflicted: Pair, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    from app.services import exchange

    screen = conflicted.screen(conflicted.hub)
    assert screen.conflicts.rowCount() == 1
    record, fieldname, kind, versions = _texts(screen.conflicts, 0)
    assert record.startswith("Action in ") and fieldname == "status" and versions == "2"
    assert kind == "Edited on two workstations"
    qtmodeltester.check(screen.conflicts, force_py=True)
    dlg = screen.open_conflict(screen.conflicts.index(0, 0))
    assert dlg is not None and len(dlg.cards) == 2
    assert not dlg.keep_both.isVisible() and not dlg.merge.isVisible()  # a status is not free text
    values = {card.value.toPlainText() for card in dlg.cards}
    assert values == {"cancelled", "done"}
    keep = next(card for card in dlg.cards if card.value.toPlainText() == "done")
    assert keep.keep.isVisible()
    keep.keep.click()
    qtbot.waitUntil(lambda: screen.conflicts.rowCount() == 0, timeout=WAIT)
    conflicted.hub.idle(WAIT)
    assert conflicted.hub.tasks.call_sync(lambda: exchange.list_conflicts(conflicted.hub.session)) == []
    assert screen.conflicts_note.text() == "No open conflicts."


def test_an_officer_sees_the_conflict_awaiting_the_coordinator(qtbot, conflicted: Pair) -> None:  # type: ignore[no-untyped-def]
    screen = conflicted.screen(conflicted.police)
    assert screen.conflicts.rowCount() == 1
    assert screen.conflicts_note.text() == "These await the coordinator."
    dlg = screen.open_conflict(screen.conflicts.index(0, 0))
    assert dlg is not None
    assert dlg.awaiting.isVisible()
    assert not any(card.keep.isVisible() for card in dlg.cards)
    assert not dlg.keep_both.isVisible() and not dlg.merge.isVisible()
    dlg.reject()


def test_merge_text_prefills_both_and_sends_the_merged_text(qtbot, conflicted: Pair, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.services import exchange
    from app.ui.screens.exchange.conflict_dialog import ConflictDialog

    screen = conflicted.screen(conflicted.hub)
    real = screen.conflicts.record(0)
    a, b = real.candidates
    c = dataclasses.replace(real, entity="action", field="title", candidates=(
        dataclasses.replace(a, value="Home visit <b>with</b> school"),
        dataclasses.replace(b, value="Home visit by PCSO")))
    seen: dict[str, object] = {}

    def fake_resolve(session, *, conflict_id, keep=None, merged_text=None):  # type: ignore[no-untyped-def]
        seen.update(conflict_id=conflict_id, keep=keep, merged_text=merged_text)
        return "op"

    monkeypatch.setattr(exchange, "resolve_conflict", fake_resolve)
    dlg = ConflictDialog(conflicted.hub.ctx, c, screen)
    dlg.open()
    assert dlg.keep_both.isVisible() and dlg.merge.isVisible()
    dlg.merge.click()
    assert dlg.merge_editor.toPlainText() == "Home visit <b>with</b> school\n\nHome visit by PCSO"
    dlg.merge_editor.setPlainText("Home visit with school and PCSO")
    with qtbot.waitSignal(dlg.resolved, timeout=WAIT):
        dlg.save_merge.click()
    assert seen == {"conflict_id": real.id, "keep": None, "merged_text": "Home visit with school and PCSO"}


def test_hostile_names_and_values_are_plain_text(qtbot, conflicted: Pair) -> None:  # type: ignore[no-untyped-def]
    from app.ui.screens.exchange.conflict_dialog import ConflictDialog

    screen = conflicted.screen(conflicted.hub)
    real = screen.conflicts.record(0)
    hostile = "<b>Robert'); DROP TABLE</b>"
    c = dataclasses.replace(real, candidates=tuple(
        dataclasses.replace(x, origin_name=hostile, value=hostile) for x in real.candidates))
    dlg = ConflictDialog(conflicted.hub.ctx, c, screen)
    assert dlg.cards[0].origin.text() == f"From {hostile}"
    assert dlg.cards[0].origin.textFormat() == Qt.TextFormat.PlainText
    assert dlg.cards[0].value.toPlainText() == hostile
    dlg.deleteLater()


# --- accessibility -----------------------------------------------------------------------------------
def _unnamed(root) -> list[str]:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QLineEdit,
        QPlainTextEdit,
        QTabBar,
        QWidget,
    )

    missing = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, (QAbstractButton, QLineEdit, QPlainTextEdit, QAbstractItemView)):
            continue
        if isinstance(w.parentWidget(), QTabBar) or w.objectName().startswith("qt_"):
            continue
        if w.focusPolicy() != Qt.FocusPolicy.NoFocus and not w.accessibleName().strip():
            missing.append(f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r}")
    return missing


def test_screen_and_dialogs_name_every_control(qtbot, conflicted: Pair, exchange_templates: Templates) -> None:  # type: ignore[no-untyped-def]
    screen = conflicted.screen(conflicted.hub)
    assert _unnamed(screen) == []
    enrol = screen._on_enrol_button_clicked()
    enrol.load_card(exchange_templates.health_card)
    assert _unnamed(enrol) == []
    enrol.reject()
    dlg = screen.open_conflict(screen.conflicts.index(0, 0))
    dlg.merge.setVisible(True)
    dlg._on_merge_clicked()
    assert _unnamed(dlg) == []
    dlg.reject()


def test_keyboard_opens_a_conflict_and_keeps_a_version(qtbot, conflicted: Pair) -> None:  # type: ignore[no-untyped-def]
    from app.ui.screens.exchange.conflict_dialog import ConflictDialog

    screen = conflicted.screen(conflicted.hub)
    screen.tabs.setCurrentIndex(1)
    screen.conflicts_table.setFocus()
    screen.conflicts_table.setCurrentIndex(screen.conflicts.index(0, 0))
    qtbot.keyClick(screen.conflicts_table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(screen._dialog, ConflictDialog) and screen._dialog.isVisible(), timeout=WAIT)
    dlg = screen._dialog
    assert dlg.focusWidget() is dlg.cards[0].keep  # the dialog opens on the first "Keep this"
    qtbot.keyClick(dlg.cards[0].keep, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: screen.conflicts.rowCount() == 0, timeout=WAIT)
    conflicted.hub.idle(WAIT)
