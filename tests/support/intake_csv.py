"""Referral spreadsheets for the intake tests: one row of the usual columns, a CSV file of rows."""

from __future__ import annotations

from pathlib import Path

HEAD = ["Referral date", "Referrer", "Referring agency", "Forename(s)", "Surname", "D.O.B.",
        "Gender", "NHS number", "Type of concern", "Reason for referral"]  # fmt: skip


def row(**kw: object) -> list[object]:
    base: dict[str, object] = {
        "Referral date": "03/02/2026", "Referrer": "Mrs Jones (DSL)", "Referring agency": "school",
        "Forename(s)": "Zoë", "Surname": "O'Brien-Ó Súilleabháin", "D.O.B.": "17/05/2009",
        "Gender": "Female", "NHS number": "", "Type of concern": "far right",
        "Reason for referral": "Shared extremist images; said \"they deserve it\".",
    }  # fmt: skip
    base.update({k.replace("_", " "): v for k, v in kw.items()})
    return [base[h] for h in HEAD]


def csv_bytes(rows: list[list[object]], *, sep: str = ",", encoding: str = "utf-8",
              headers: list[str] = HEAD, tail: str = "") -> bytes:  # fmt: skip
    def cell(v: object) -> str:
        text = str(v)
        return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(c in text for c in f'{sep}"\n') else text

    lines = [sep.join(headers)] + [sep.join(cell(v) for v in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n" + tail).encode(encoding)


def put(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path
