"""``make bench`` part: attachments (issue 16). Each step runs in a fresh process and prints its
time and peak resident memory beside the resident memory once its store is open:

- attaching a 25 MB PDF (a real one: 30 pages of incompressible JPEG noise, made with ReportLab);
- viewing it: the content out of the store (``open_attachment``), opened from memory by PDFium
  and its first page rendered, as the desktop viewer does;
- an exchange file carrying 100 MB of attachments (four 25 MB files): export at the hub, import at
  an agency store.

``python -m tools.bench.attachment_bench`` runs it alone in a temporary folder.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

MB = 1e6


def _pdf(path: Path, pages: int = 30) -> None:
    """A PDF of about 25 MB that PDFium can render: each page a 900x900 JPEG of noise."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for n in range(pages):
        noise = Image.frombytes("RGB", (900, 900), os.urandom(900 * 900 * 3))
        jpeg = io.BytesIO()
        noise.save(jpeg, "JPEG", quality=95)
        jpeg.seek(0)
        c.drawImage(ImageReader(jpeg), 40, 200, 500, 500)
        c.drawString(40, 760, f"Bench page {n + 1}")
        c.showPage()
    c.save()
    data = buf.getvalue()
    if len(data) > 25 * 1024 * 1024:  # over the limit: one page fewer
        _pdf(path, int(pages * 25 * 1024 * 1024 / len(data)))
        return
    path.write_bytes(data)


def _stores(folder: Path) -> None:
    from app.crypto.identity import read_identity_card
    from app.crypto.keyfile import KdfParams
    from app.models.enums import Role
    from app.models.referral_input import ReferralInput, SubjectInput
    from app.services import exchange, setup
    from app.services.cases import referrals

    hub = setup.create_store(folder / "hub.rtdb", passphrase="bench-pass", name="Hub", agency="Council",
                             role=Role.COORDINATOR, kdf=KdfParams.floor()).session
    pol = setup.create_store(folder / "pol.rtdb", passphrase="bench-pass", name="Pol", agency="Police",
                             role=Role.OFFICER, kdf=KdfParams.floor()).session
    for a, b in ((hub, pol), (pol, hub)):
        card = exchange.identity_card(b)
        exchange.enrol(a, card=card, fingerprint=read_identity_card(card).fingerprint)
    import datetime as dt

    cid = referrals.open_referral(
        hub, subject=SubjectInput(forenames="Jo", surname="Bench", date_of_birth=dt.date(2000, 1, 1)),
        referral=ReferralInput(received=dt.date(2026, 11, 1), referrer="Bench", sector="education",
                               concern="other", narrative="Bench."),
        shared_with=[pol.workstation.agency.id],
    )
    (folder / "case").write_text(str(cid))
    (folder / "peer").write_text(pol.workstation.device_id)
    hub.close()
    pol.close()


def _peak_rss() -> int:
    """This process's peak resident memory in bytes: VmHWM (reset at exec, unlike ru_maxrss,
    which a child started from a large parent inherits), else ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _child(step: str, folder: Path) -> int:
    import time

    from app.services import attachments, exchange
    from app.services.context import Session
    from app.storage.store import Store

    name = "pol.rtdb" if step == "import" else "hub.rtdb"
    session = Session(Store.open_with_passphrase(folder / name, "bench-pass"))
    rss0 = _peak_rss()
    case_id = (folder / "case").read_text()
    t0 = time.perf_counter()
    extra = ""
    if step == "attach":
        aid = attachments.add_attachment(session, case_id=case_id, path=folder / "big.pdf")
        (folder / "attachment").write_text(aid)
    elif step == "view":
        aid = (folder / "attachment").read_text()
        data = attachments.open_attachment(session, attachment_id=aid)
        try:
            import pypdfium2

            doc = pypdfium2.PdfDocument(data)
            page = doc[0]
            bitmap = page.render(scale=1.5, prefer_bgrx=True)
            extra = f"{len(doc)} pages, first rendered {bitmap.width}x{bitmap.height}"
            bitmap.close()
            page.close()
            doc.close()
        except ImportError:
            extra = "pypdfium2 not installed: content read only"
    elif step == "more":
        for n in range(3):
            attachments.add_attachment(session, case_id=case_id, path=folder / f"more{n}.pdf")
    elif step == "export":
        exchange.export_bundle(session, to_member=(folder / "peer").read_text(), out=folder / "big.rtb")
    else:
        r = exchange.import_bundle(session, path=folder / "big.rtb")
        assert r.outcome == "applied", r.reason
    seconds = time.perf_counter() - t0
    rss = _peak_rss()
    session.close()
    print(f"{seconds:.2f}|{rss}|{rss0}|{extra}")
    return 0


def _step(step: str, folder: Path) -> tuple[float, int, int, str]:
    done = subprocess.run([sys.executable, "-m", "tools.bench.attachment_bench", "--child", step, str(folder)],
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{step}: {(done.stderr.strip().splitlines() or ['failed'])[-1]}")
    out = done.stdout.strip().splitlines()[-1]
    s, rss, rss0, extra = out.split("|", 3)
    return float(s), int(rss), int(rss0), extra


def lines(folder: Path) -> list[str]:
    _stores(folder)
    _pdf(folder / "big.pdf")
    for n in range(3):  # three more 25 MB files for the 100 MB bundle (not rendered: bytes only)
        with (folder / f"more{n}.pdf").open("wb") as f:
            f.write(b"%PDF-1.7\n" + os.urandom(25 * 1024 * 1024 - 9))
    size = (folder / "big.pdf").stat().st_size
    out = []
    for step, what in (("attach", f"attach a {size / MB:.0f} MB PDF"), ("view", "view it (from memory)")):
        s, rss, rss0, extra = _step(step, folder)
        out.append(f"{what}: {s:.2f} s, peak RSS {rss / MB:.0f} MB (store open: {rss0 / MB:.0f} MB)"
                   + (f"; {extra}" if extra else ""))
    _step("more", folder)
    for step in ("export", "import"):
        s, rss, rss0, _ = _step(step, folder)
        bundle = (folder / "big.rtb").stat().st_size
        out.append(f"{step} a bundle with 4 attachments ({bundle / MB:.0f} MB file): {s:.2f} s, "
                   f"peak RSS {rss / MB:.0f} MB (store open: {rss0 / MB:.0f} MB)")
    return out


def run(workdir: Path, *, cases: int) -> None:
    """The ``make bench`` section (``tools/bench/run.py``)."""
    print("\n== attachments: a 25 MB PDF attached and viewed; a bundle carrying 100 MB ==")
    with tempfile.TemporaryDirectory(dir=workdir) as d:
        for line in lines(Path(d)):
            print(line)


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--child":
        sys.exit(_child(sys.argv[2], Path(sys.argv[3])))
    with tempfile.TemporaryDirectory() as d:
        for line in lines(Path(d)):
            print(line)
