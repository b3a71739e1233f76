"""`attach`, `attachments` and `attachment save` from the command line (in-process): output, exit
status, one sentence and nothing changed on refusal, the saved copy audited."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support import attachment_files as files
from tests.support.cli_inprocess import Run, one_sentence


def _ref(run: Run, store: Path) -> str:
    code, out, err = run(store, "cases", "--json")
    assert code == 0, err
    return str(json.loads(out)[0]["ref"])


def test_attach_list_and_save(run: Run, store_path: Path, tmp_path: Path) -> None:
    ref = _ref(run, store_path)
    src = files.write(tmp_path, "Referral form.pdf", files.pdf_bytes(2))
    code, out, err = run(store_path, "attach", ref, str(src), "--description", "From the school",
                         "--restricted-to", "Northshire Police")
    assert code == 0, err
    assert f"Attached to {ref}: Referral form.pdf" in out
    code, out, err = run(store_path, "attachments", ref, "--json")
    assert code == 0, err
    [item] = json.loads(out)
    assert item["filename"] == "Referral form.pdf" and item["description"] == "From the school"
    assert len(item["restricted_to"]) == 2 and item["size"] == src.stat().st_size
    code, out, _ = run(store_path, "attachments", ref)
    assert "Referral form.pdf" in out and "restricted" in out

    target = tmp_path / "copy.pdf"
    code, out, err = run(store_path, "attachment", "save", item["id"][:8], "--out", str(target))
    assert code == 0, err
    assert target.read_bytes() == src.read_bytes()
    code, out, err = run(store_path, "audit", "verify")
    assert code == 0, err


def test_refusals_are_one_sentence_and_change_nothing(run: Run, store_path: Path, tmp_path: Path) -> None:
    ref = _ref(run, store_path)
    for name, content in (("empty.txt", b""), ("fake.pdf", files.png_bytes()),
                          ("locked.pdf", files.encrypted_pdf_bytes()),
                          ("bomb.docx", files.zip_bomb_docx())):
        code, _, err = run(store_path, "attach", ref, str(files.write(tmp_path, name, content)))
        assert code == 1, err
        one_sentence(err)
    code, out, _ = run(store_path, "attachments", ref)
    assert code == 0 and "No files are attached" in out
    code, _, err = run(store_path, "attachment", "save", "nosuchattachment", "--out", str(tmp_path / "x"))
    assert code == 1 and "no attachment" in one_sentence(err).lower()
    assert not (tmp_path / "x").exists()


def test_case_show_counts_the_attachments_the_user_may_see(
    run: Run, store_path: Path, tmp_path: Path, monkeypatch
) -> None:
    ref = _ref(run, store_path)
    code, out, err = run(store_path, "case", "show", ref, "--json")
    assert code == 0, err
    assert json.loads(out)["attachment_count"] == 0
    assert "Attachments: 0" in run(store_path, "case", "show", ref)[1]
    for name, content in (("Referral form.pdf", files.pdf_bytes(1)), ("Photo.png", files.png_bytes())):
        code, _, err = run(store_path, "attach", ref, str(files.write(tmp_path, name, content)))
        assert code == 0, err
    code, out, err = run(store_path, "case", "show", ref, "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["attachment_count"] == 2 and shown["case"]["ref"] == ref
    assert "Attachments: 2 (attachments CASE lists them)" in run(store_path, "case", "show", ref)[1]

    # one the user may not see (a restriction that leaves their agency out) is not counted
    from app.services import attachments as attach_svc

    seen = attach_svc.agency_may_see_attachment
    monkeypatch.setattr(attach_svc, "agency_may_see_attachment",
                        lambda a, agency: a.filename != "Photo.png" and seen(a, agency))  # fmt: skip
    code, out, err = run(store_path, "case", "show", ref, "--json")
    assert code == 0 and json.loads(out)["attachment_count"] == 1, err
    assert "Attachments: 1" in run(store_path, "case", "show", ref)[1]
