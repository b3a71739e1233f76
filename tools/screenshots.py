"""Render every main screen and every case-view tab with demo data to PNG files.

Usage: ``python tools/screenshots.py OUT_DIR [--cases N] [--only NAME,NAME] [--programme mappa]``

Fixed size (1280x800), fixed fonts (the shipped Noto Sans), fixed date (16/03/2026 through the
Session's ``today_fn``), offscreen. The demo store is built in a private temporary folder with a
cheap key derivation (screenshots hold synthetic data only) and removed afterwards.

Besides every screen and case tab: the Summary scrolled down, the new-referral form (and its
"link to RT-… or create a new person?" prompt, dialog-duplicate-person), the import
wizard over a small messy CSV (a problem row and a person already known), the packs dialog, and the
exchange with a Police officer's workstation enrolled both ways (files sent and received, an import
report, a conflict): the Exchange screen, the enrol dialog and the conflict dialog. Dialogs are
drawn over the dimmed window. ``--only`` takes screen names and ``case``, ``dialogs``, ``exchange``,
``lock`` (the lock screen after Ctrl+L), ``attachments`` (a case's Attachments tab with a generated
one-page PDF letter and a PNG chart attached, the viewer showing the PDF's page, and
Records › Disclosures after a copy of the letter was saved).
``--scale 2`` renders at a device pixel ratio of 2 (high-DPI check; files end in ``@2x``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TODAY = dt.date(2026, 3, 16)
SIZE = (1280, 800)


def wait_idle(app: object, tasks: object, timeout: float = 30.0) -> None:
    """Process events until the task manager has nothing pending twice in a row."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
        if tasks.pending == 0:  # type: ignore[attr-defined]
            quiet += 1
            if quiet > 3:
                return
        else:
            quiet = 0
            time.sleep(0.005)
    raise TimeoutError("background work did not finish")


PASS = "screenshots only"


def wait_for(app: object, cond: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not get there")
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.005)


PANEL_NAMES = {"extremism": "Northshire Channel Panel", "mappa": "Northshire MAPPA", "marac": "Northshire MARAC"}


def build_store(folder: Path, cases: int, *, exchange: bool = True, programme: str = "extremism") -> Path:
    from app.crypto.keyfile import KdfParams
    from app.models.enums import Role
    from app.services import demo, setup

    path = folder / "panel.rtdb"
    created = setup.create_store(path, passphrase=PASS, name="Alex Morgan",
                                 agency="Northshire County Council", role=Role.COORDINATOR,
                                 panel=PANEL_NAMES.get(programme, "Northshire panel"), programme=programme,
                                 kdf=KdfParams.floor(), today_fn=lambda: TODAY)
    demo.build_demo(created.session, cases=cases, seed=1)
    if exchange:
        build_partner(created.session, folder)
    created.session.close()
    return path


def build_partner(hub: object, folder: Path) -> None:
    """A Police officer's workstation (same agency as the demo's Northshire Police), enrolled with
    the hub both ways; two rounds of files; the same action edited on both sides (a conflict);
    then a newer Police file waiting in ``folder/files`` for the hub to import on screen, and the
    Health officer's card for the enrol dialog."""
    from app.crypto.identity import read_identity_card
    from app.crypto.keyfile import KdfParams
    from app.models.enums import ActionStatus, Role
    from app.services import actions, exchange, panel, setup

    s: Any = hub
    police = [a for a in panel.list_agencies(s) if a.is_police]  # the local force, not CT policing
    police_agency = next((a for a in police if a.sector == "police"), police[0])
    police = setup.create_store(folder / "police.rtdb", passphrase=PASS, name="Dan Whitfield",
                                agency=police_agency.name, agency_id=police_agency.id, role=Role.OFFICER,
                                kdf=KdfParams.floor(), today_fn=lambda: TODAY).session
    health = setup.create_store(folder / "health.rtdb", passphrase=PASS, name="Harriet Nurse", agency="NHS Health",
                                role=Role.OFFICER, kdf=KdfParams.floor(), today_fn=lambda: TODAY).session
    exchange.write_identity_card(health, out=folder / "harriet-nurse.rtid")
    health.close()
    card, hub_card = exchange.identity_card(police), exchange.identity_card(s)
    exchange.enrol(s, card=card, fingerprint=read_identity_card(card).fingerprint)
    exchange.enrol(police, card=hub_card, fingerprint=read_identity_card(hub_card).fingerprint)
    files = folder / "files"
    files.mkdir()

    def ship(a: Any, b: Any, name: str) -> Path:
        out = files / name
        exchange.export_bundle(a, to_member=b.workstation.device_id, out=out)
        return out

    def round_trip(n: int) -> None:
        exchange.import_bundle(police, path=ship(s, police, f"to-police-{n}.rtb"))
        exchange.import_bundle(s, path=ship(police, s, f"from-police-{n}.rtb"))

    round_trip(1)
    act = next(a for a in actions.list_actions(police, agency=police_agency.id) if not a.status.is_closed)
    actions.update_action(s, action_id=act.id, status=ActionStatus.CANCELLED, note="No longer needed.")
    actions.update_action(police, action_id=act.id, status=ActionStatus.DONE, note="Visit made on 12/03.")
    round_trip(2)
    round_trip(3)
    later = next((a for a in actions.list_actions(police, agency=police_agency.id) if a.id != act.id), None)
    if later is not None:
        actions.update_action(police, action_id=later.id, status=ActionStatus.IN_PROGRESS, note="First contact made.")
    else:
        actions.create_action(police, case_id=act.case_id, title="Check for access to firearms",
                              owner_agency=police_agency.id, due=TODAY + dt.timedelta(days=21))
    ship(police, s, "from-police-4.rtb")
    police.close()


def over_window(win: Any, dialog: Any, path: Path) -> Path:
    """The window, dimmed, with the dialog drawn on top in the middle: what the user sees."""
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QColor, QPainter

    shot = win.grab()
    pix = dialog.grab()
    p = QPainter(shot)
    p.fillRect(shot.rect(), QColor(23, 35, 47, 90))
    ratio = shot.devicePixelRatio() or 1
    x = int((shot.width() / ratio - pix.width() / ratio) / 2)
    y = int((shot.height() / ratio - pix.height() / ratio) / 2)
    p.fillRect(x - 1, y - 1, int(pix.width() / ratio) + 2, int(pix.height() / ratio) + 2, QColor("#9aa5b1"))
    p.drawPixmap(QPoint(x, y), pix)
    p.end()
    shot.save(str(path))
    return path


MESSY_CSV = [
    "Referral date,Referrer,Referring agency,Forename(s),Surname,DOB,Type of concern,Reason for referral",
    "03/03/2026,Mrs Jones (head of year),school,Zo\u00eb,Nowak,17/05/2009,far right,Shared images of a banned group in class.",
    "04/03/2026,PC Smith,police,Jan,Dvo\u0159\u00e1k,31/02/2009,Islamist,Seen viewing extremist material online.",
    "{known}",
    "10/03/2026,  Duty social worker ,social care,Amira,  Haddad,2/11/2008,mixed,Talks of harming others; new online contacts.",
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--cases", type=int, default=60)
    ap.add_argument("--only", default="")
    ap.add_argument("--scale", type=float, default=1.0, help="device pixel ratio (2 for a high-DPI check)")
    ap.add_argument("--programme", default="extremism", help="the panel's programme (resources/programmes)")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    only = {x.strip().lower() for x in args.only.split(",") if x.strip()}
    if args.scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)

    def wanted(name: str) -> bool:
        return not only or name in only

    def png(name: str) -> Path:
        return args.out / (f"{name}@2x.png" if args.scale != 1.0 else f"{name}.png")

    from PySide6.QtWidgets import QApplication

    from app.services import cases, setup
    from app.ui.app import prepare_app
    from app.ui.context import UiContext
    from app.ui.mainwindow import SCREENS, MainWindow
    from app.ui.screens.cases.case_view import TAB_NAMES
    from app.ui.tasks import TaskManager

    with tempfile.TemporaryDirectory(prefix="rt-shots-") as tmp:
        os.environ["ROUNDTABLE_SETTINGS"] = str(Path(tmp) / "settings.ini")
        store = build_store(Path(tmp), args.cases, exchange=wanted("exchange"), programme=args.programme)
        app = QApplication.instance() or QApplication([])
        prepare_app(app, point_size=9.5)  # type: ignore[arg-type]
        from PySide6.QtCore import QSettings

        from app.ui.housekeeping import GarbageCollector

        collector = GarbageCollector()  # as the client: cycles are freed on the GUI thread only
        collector.start()
        tasks = TaskManager()
        ctx = UiContext(tasks, QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat))
        ctx.today_fn = lambda: TODAY
        ctx.store_path = store
        from app.ui.context import load_snapshot

        # unlock and close on the store worker: the store's file lock belongs to one thread
        session = tasks.call_sync(lambda: setup.unlock(store, passphrase=PASS, today_fn=lambda: TODAY))
        ctx.attach(session, tasks.call_sync(lambda: load_snapshot(session)))
        win = MainWindow(ctx)
        win.resize(*SIZE)
        win.show()
        written = []
        try:
            for name in SCREENS:
                if only and name.lower() not in only:
                    continue
                win.show_screen(name)
                wait_idle(app, tasks)
                p = png(f"screen-{name.lower()}")
                win.grab().save(str(p))
                written.append(p)
            if not only or "case" in only:
                prog = session.programme
                # a case under an active plan (any programme): the richest case view
                ids = tasks.call_sync(lambda: cases.list_case_ids(session, statuses=["support-plan"])) \
                    if any(st.id == "support-plan" for st in prog.statuses) else []
                ids = ids or tasks.call_sync(lambda: cases.list_case_ids(session))
                best = ids[0]
                for cid in ids:
                    cf = tasks.call_sync(lambda c=cid: cases.get_case_file(session, c, audit_view=False))
                    if len(cf.assessments) >= 2 and cf.plans and cf.contributions:
                        best = cid
                        break
                del prog
                win.open_case(best)
                wait_idle(app, tasks)
                view = win.screens["Cases"].view  # type: ignore[attr-defined]
                for i, tab in enumerate(TAB_NAMES):
                    view.tabs.setCurrentWidget(view._tabs[i])  # a People tab may come before it
                    wait_idle(app, tasks)
                    p = png(f"case-{i + 1}-{tab.lower()}")
                    win.grab().save(str(p))
                    written.append(p)
                    if i == 0:  # the Summary scrolls inside the tab: its lower half too
                        bar = view.summary.page_scroll.verticalScrollBar()
                        bar.setValue(bar.maximum())
                        app.processEvents()
                        p = png("case-1b-summary-scrolled")
                        win.grab().save(str(p))
                        written.append(p)
                        bar.setValue(0)
                view.tabs.setCurrentWidget(view.assessment)
                view.assessment.show_diff()
                wait_idle(app, tasks)
                p = png("case-2b-assessment-diff")
                win.grab().save(str(p))
                written.append(p)
                if session.programme.linked_roles:  # MARAC: the people linked to a repeat case
                    written += people_shot(app, tasks, session, win, png)
            if wanted("attachments"):
                written += attachment_shots(app, tasks, win, session, Path(tmp), png)
            if wanted("dialogs"):
                written += dialog_shots(app, tasks, ctx, win, session, Path(tmp), png)
            if wanted("exchange"):
                written += exchange_shots(app, tasks, ctx, win, Path(tmp), png)
            if wanted("lock"):  # last: it closes the store and opens it again
                shots, session = lock_shots(app, tasks, ctx, win, png)
                written += shots
        finally:
            win.close_discarding_drafts()
            ctx.detach()
            tasks.call_sync(session.close)
            tasks.shutdown()
            collector.stop()
    for p in written:
        print(p)
    return 0


def people_shot(app: Any, tasks: Any, session: Any, win: Any, png: Any) -> list[Path]:
    """The People tab of a case with linked people: a repeat case if the panel has one (its note
    shows), else the case with the most people."""
    from app.services import cases, linked_people

    ids = tasks.call_sync(lambda: cases.list_case_ids(session))
    found = {c: tasks.call_sync(lambda c=c: (linked_people.repeat_of_case(session, c),
                                             len(linked_people.people_of(session, c)))) for c in ids}
    best = max(ids, key=lambda c: (bool(found[c][0]), found[c][1]))
    win.open_case(best)
    wait_idle(app, tasks)
    view = win.screens["Cases"].view
    view.tabs.setCurrentWidget(view.people)
    wait_idle(app, tasks)
    p = png("case-people")
    win.grab().save(str(p))
    return [p]


def _letter_pdf(path: Path, ref: str) -> Path:
    """A one-page letter (ReportLab), invented, as a school might send one."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, invariant=True)
    c.setTitle("Letter from Northshire Academy")
    c.setFont("Helvetica-Bold", 15)
    c.drawString(72, 770, "Northshire Academy")
    c.setFont("Helvetica", 10)
    c.drawString(72, 754, "Safeguarding office · 1 School Lane · Northshire")
    c.drawString(72, 720, f"12 March 2026 · our reference SG/114 · your reference {ref}")
    c.setFont("Helvetica-Bold", 11)
    c.drawString(72, 690, "Attendance and behaviour since the last panel")
    c.setFont("Helvetica", 10.5)
    text = c.beginText(72, 668)
    text.setLeading(15)
    for line in ("Attendance this half-term is 91%, up from 78% last term.",
                 "Two incidents of sharing unsuitable material were logged in February;",
                 "both were dealt with by the head of year and the family was told.",
                 "The mentor sessions agreed at the panel began on 2 March and take place",
                 "weekly. The school will report again before the next panel.",
                 "", "Designated safeguarding lead"):
        text.textLine(line)
    c.drawText(text)
    c.showPage()
    c.save()
    return path


def _chart_png(path: Path) -> Path:
    """A small invented chart (Qt), as a partner might attach a picture."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    image = QImage(640, 360, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setFont(QFont("Noto Sans", 14))
    p.drawText(QRectF(20, 10, 600, 30), "Attendance by week (%)")
    for i, value in enumerate((74, 78, 81, 85, 88, 90, 91, 93)):
        h = value * 2.6
        p.fillRect(QRectF(40 + i * 72, 340 - h, 48, h), QColor("#2f6f9f"))
        p.setPen(Qt.GlobalColor.black)
        p.drawText(QRectF(40 + i * 72, 316 - h, 48, 20), Qt.AlignmentFlag.AlignCenter, str(value))
    p.end()
    image.save(str(path), "PNG")
    return path


def attachment_shots(app: Any, tasks: Any, win: Any, session: Any, tmp: Path, png: Any) -> list[Path]:
    """A case's Attachments tab with a PDF and a PNG attached, the viewer on the PDF's page, and
    Records › Disclosures once a copy of the letter was saved (a disclosure)."""
    from app.services import attachments, cases

    out: list[Path] = []
    cid = tasks.call_sync(lambda: cases.list_case_ids(session))[0]
    ref = tasks.call_sync(lambda: cases.get_case_file(session, cid, audit_view=False)).case.ref
    letter = _letter_pdf(tmp / "Letter from Northshire Academy.pdf", ref)
    chart = _chart_png(tmp / "Attendance chart.png")
    tasks.call_sync(lambda: attachments.add_attachment(
        session, case_id=cid, path=letter, description="School's update before the panel"))
    tasks.call_sync(lambda: attachments.add_attachment(session, case_id=cid, path=chart,
                                                       description="Attendance since September"))
    win.open_case(cid)
    wait_idle(app, tasks)
    view = win.screens["Cases"].view
    tab = view.attachments_tab
    view.tabs.setCurrentWidget(tab)
    tab.refresh()
    wait_for(app, lambda: tab.model.rowCount() == 2)
    wait_idle(app, tasks)
    tab.table.selectRow(0)
    app.processEvents()
    p = png("case-attachments")
    win.grab().save(str(p))
    out.append(p)
    first = tab.selected()
    tab.view(first)
    wait_for(app, lambda: tab.viewer is not None and tab.viewer.isVisible())
    wait_idle(app, tasks)
    out.append(over_window(win, tab.viewer, png("dialog-attachment-viewer")))
    tab.viewer.close()
    tasks.call_sync(lambda: attachments.save_attachment(session, attachment_id=first.id,
                                                        out=tmp / "copy of the letter.pdf"))
    win._cmd_disclosures()
    dlg = win.disclosures_dialog
    wait_for(app, lambda: dlg.isVisible() and dlg.model.rowCount() > 0)
    wait_idle(app, tasks)
    for _ in range(5):
        app.processEvents()
    out.append(over_window(win, dlg, png("dialog-disclosures")))
    dlg.close()
    return out


def lock_shots(app: Any, tasks: Any, ctx: Any, win: Any, png: Any) -> tuple[list[Path], Any]:
    """The lock screen after Ctrl+L (over the locked window), then unlocked again; returns the
    new session."""
    win.show_screen("Dashboard")
    wait_idle(app, tasks)
    win.lock()
    wait_for(app, lambda: win.unlock_dialog is not None and win.unlock_dialog.isVisible())
    wait_idle(app, tasks)
    dlg = win.unlock_dialog
    dlg.secret.setText("typed")  # shows the dots of a passphrase being typed
    win.activateWindow()
    dlg.secret.setFocus()
    for _ in range(5):
        app.processEvents()
    out = [over_window(win, dlg, png("dialog-lock-screen"))]
    dlg.secret.setText(PASS)
    dlg.unlock_button.click()
    wait_for(app, lambda: not win.is_locked)
    wait_idle(app, tasks)
    return out, ctx._session


def dialog_shots(app: Any, tasks: Any, ctx: Any, win: Any, session: Any, tmp: Path, png: Any) -> list[Path]:
    from app.services import cases, meetings
    from app.ui.dialogs.import_wizard import ImportWizard
    from app.ui.documents.pack_dialog import PackDialog

    out: list[Path] = []
    # the new-referral form, half filled, focus in a field (the focus ring shows)
    ref = win.show_screen("Referrals")
    ref.tabs.setCurrentWidget(ref.form)
    ref.form.forenames.setText("Amira")
    ref.form.surname.setText("Haddad")
    ref.form.dob.setText("02/11/2008")
    win.activateWindow()
    ref.form.aliases.setFocus()
    wait_idle(app, tasks)
    p = png("screen-referrals-new")
    win.grab().save(str(p))
    out.append(p)
    ref.form.clear()
    ref.tabs.setCurrentIndex(0)
    # the import wizard over a messy CSV: a bad date, a person already known, untidy spaces
    known = tasks.call_sync(lambda: cases.get_case_file(session, cases.list_case_ids(session)[3], audit_view=False))
    sub = known.subject
    dob = sub.date_of_birth.strftime("%d/%m/%Y") if sub.date_of_birth else ""
    csv_rows = list(MESSY_CSV)
    csv_rows[3] = f"09/03/2026,Youth worker,school,{sub.forenames},{sub.surname},{dob},other,Known to the panel; new concerns."
    path = tmp / "referrals-march.csv"
    path.write_text("\n".join(csv_rows) + "\n", encoding="utf-8")
    wiz = ImportWizard(ctx, win)
    wiz.resize(1100, 640)
    got: list[object] = []
    wiz.preview_ready.connect(got.append)
    wiz.show()
    wiz.load_file(path)
    wait_for(app, lambda: bool(got))
    wait_idle(app, tasks)
    out.append(over_window(win, wiz, png("dialog-import-wizard")))
    wiz.close()
    # a new referral for a person already known: the plain match note and "link or create?"
    ref.tabs.setCurrentWidget(ref.form)
    ref.form.forenames.setText(sub.forenames)
    ref.form.surname.setText(sub.surname)
    ref.form.dob.setText(sub.date_of_birth.strftime("%d%m%Y") if sub.date_of_birth else "")
    ref.form.referrer.setText("Youth worker")
    ref.form.narrative.setPlainText("New concerns raised at the youth club.")
    ref.form.submit()
    wait_for(app, lambda: ref.form.duplicate_prompt is not None and ref.form.duplicate_prompt.isVisible())
    wait_idle(app, tasks)
    prompt = ref.form.duplicate_prompt
    out.append(over_window(win, prompt, png("dialog-duplicate-person")))
    prompt.reject()
    ref.form.clear()
    ref.tabs.setCurrentIndex(0)
    # the packs dialog for the next meeting
    nxt = min((m for m in tasks.call_sync(lambda: meetings.list_meetings(session)) if m.held_on >= TODAY),
              key=lambda m: m.held_on)
    packs = PackDialog(win, ctx.session_for_documents(), nxt.id, tasks=ctx.tasks)
    loaded: list[object] = []
    packs.recipients_loaded.connect(loaded.append)
    packs.show()
    wait_for(app, lambda: bool(loaded))
    wait_idle(app, tasks)
    for _ in range(5):  # queued shows and layout of the rows just added
        app.processEvents()
    out.append(over_window(win, packs, png("dialog-packs")))
    packs.close()
    return out


def exchange_shots(app: Any, tasks: Any, ctx: Any, win: Any, tmp: Path, png: Any) -> list[Path]:
    from app.ui.screens.exchange.enrol_dialog import EnrolDialog

    out: list[Path] = []
    screen = win.show_screen("Exchange")
    wait_idle(app, tasks)
    files = tmp / "files"
    screen.import_files([files / "from-police-3.rtb", files / "from-police-4.rtb"], source="screenshots")
    wait_for(app, lambda: screen.reports.rowCount() == 2 and not screen.busy)
    wait_idle(app, tasks)
    screen.members_table.selectRow(0)
    app.processEvents()
    p = png("screen-exchange-with-member")
    win.grab().save(str(p))
    out.append(p)
    # the conflict: the same action closed differently at the hub and at Police
    screen.tabs.setCurrentIndex(1)
    wait_idle(app, tasks)
    p = png("screen-exchange-conflicts")
    win.grab().save(str(p))
    out.append(p)
    dlg = screen.open_conflict(screen.conflicts_table.model().index(0, 0))
    if dlg is not None:
        wait_idle(app, tasks)
        out.append(over_window(win, dlg, png("dialog-conflict")))
        dlg.close()
    screen.tabs.setCurrentIndex(0)
    # enrolling a Health officer's card: the card read, the fingerprint being typed
    enrol = EnrolDialog(ctx, win)
    enrol.show()
    enrol.load_card(tmp / "harriet-nurse.rtid")
    enrol.fingerprint.setText("04213 88107 52966 ")
    app.processEvents()
    out.append(over_window(win, enrol, png("dialog-enrol")))
    enrol.close()
    return out


if __name__ == "__main__":
    raise SystemExit(main())
