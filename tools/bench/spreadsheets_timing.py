"""Benchmark helpers for ``make bench``: referral import against openpyxl's own read rate.

Builds a realistic referral workbook in memory (no file is written), times
:func:`read_referral_file` on it, and times a bare openpyxl read-only pass over the same bytes in
the same run, so the ratio shows how much our checks cost over the library's floor. All data is
invented.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from dataclasses import dataclass

import openpyxl

from app.config.programmes import DEFAULT_PROGRAMME, load_programme
from app.models.programme import Programme
from app.spreadsheets.referrals import read_referral_file

BENCH_TODAY = dt.date(2026, 6, 30)
HEADERS = (
    "Referral date", "Referrer", "Referring agency", "Forename(s)", "Surname", "Also known as",
    "DOB", "Gender", "Address", "Postcode", "PNC", "NHS number", "Type of concern",
    "Reason for referral",
)  # fmt: skip
_FORENAMES = ("Zoë", "Łukasz", "Siobhán", "Mohammed", "Aoife", "Jean-Luc", "Amara", "Dafydd",
              "Ngozi", "Olivia", "Tomás", "Priya", "Kacper", "Ellie-Mae", "Yusuf", "Ffion")
_SURNAMES = ("O'Brien", "Ó Súilleabháin", "Nowak", "Smith-Jones", "Khan", "Müller", "Nguyễn",
             "Williams", "D'Souza", "MacLeod", "Okafor", "Ap Rhys", "Brown", "Kowalczyk")
_SECTORS = ("Education", "school", "Police", "NHS", "council", "Children's services", "Probation",
            "GP", "family", "Housing", "Mental health", "college")
_CONCERNS = ("Islamist", "far right", "ERW", "Mixed", "unclear", "School massacre", "left wing",
             "No clear ideology", "Conflicted")
_STREETS = ("High Street", "Church Lane", "Station Road", "Heol y Bont", "Mill Road", "Park View")
_GENDERS = ("Male", "Female", "Male", "Female", "Non-binary", "")  # fmt: skip


@dataclass(frozen=True)
class BenchResult:
    rows: int
    file_bytes: int
    read_seconds: float  # read_referral_file, best of the repeats
    raw_seconds: float  # openpyxl read-only, values only, best of the repeats
    drafts: int
    problems: int

    @property
    def ratio(self) -> float:
        return self.read_seconds / self.raw_seconds if self.raw_seconds else float("inf")

    def lines(self) -> list[str]:
        return [
            f"referral import: {self.rows:,} rows, {self.file_bytes / 1024:,.0f} KiB xlsx",
            f"  read_referral_file  {self.read_seconds:7.3f} s  "
            f"({self.rows / self.read_seconds:,.0f} rows/s; {self.drafts:,} drafts, "
            f"{self.problems:,} problems)",
            f"  openpyxl raw read   {self.raw_seconds:7.3f} s  "
            f"({self.rows / self.raw_seconds:,.0f} rows/s)",
            f"  ratio               {self.ratio:7.2f}x",
        ]


def _nhs(rng: random.Random) -> str:
    while True:
        first = [rng.randrange(10) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(first, range(10, 1, -1), strict=True)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            digits = "".join(map(str, [*first, check]))
            return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def build_referral_xlsx(rows: int = 10_000, *, seed: int = 1, problem_every: int = 50) -> bytes:
    """A workbook of ``rows`` invented referrals; every ``problem_every``-th row has one fault."""
    rng = random.Random(seed)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Referrals")
    ws.append(HEADERS)
    for i in range(rows):
        received = BENCH_TODAY - dt.timedelta(days=rng.randrange(700))
        born = received - dt.timedelta(days=rng.randrange(11 * 365, 70 * 365))
        dob: object = born if i % 3 else born.strftime(rng.choice(("%d/%m/%Y", "%d-%b-%Y")))
        row: list[object] = [
            received if i % 2 else received.strftime("%d/%m/%Y"),
            f"{rng.choice(_FORENAMES)} {rng.choice(_SURNAMES)} (DSL)",
            rng.choice(_SECTORS),
            rng.choice(_FORENAMES),
            rng.choice(_SURNAMES),
            "" if i % 5 else f"{rng.choice(_FORENAMES)}; {rng.choice(_FORENAMES)}",
            dob,
            rng.choice(_GENDERS),
            f"{rng.randrange(1, 200)} {rng.choice(_STREETS)}, Cardiff",
            f"cf{rng.randrange(1, 99)} {rng.randrange(10)}{rng.choice('ABD')}{rng.choice('HJL')}",
            "" if i % 4 else f"{received.year}/{rng.randrange(10**7):07d}{rng.choice('ABCDEFGH')}",
            "" if i % 3 else _nhs(rng),
            rng.choice(_CONCERNS),
            "Concerns raised after comments in class and online activity. " * rng.randrange(1, 4),
        ]
        if problem_every and i % problem_every == problem_every - 1:
            row[rng.choice((0, 2, 4, 6, 12))] = rng.choice(("", "31/02/2020", "not known"))
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _raw_read(data: bytes) -> int:
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()
        return sum(1 for _ in ws.iter_rows(values_only=True))
    finally:
        wb.close()


def bench_referral_import(
    rows: int = 10_000, *, repeat: int = 3, programme: Programme | None = None
) -> BenchResult:
    data = build_referral_xlsx(rows)
    programme = programme or load_programme(DEFAULT_PROGRAMME)
    raw, ours = float("inf"), float("inf")
    sheet = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        _raw_read(data)
        raw = min(raw, time.perf_counter() - t0)
        t0 = time.perf_counter()
        sheet = read_referral_file(data, "bench.xlsx", programme=programme, today=BENCH_TODAY)
        ours = min(ours, time.perf_counter() - t0)
    assert sheet is not None
    return BenchResult(rows, len(data), ours, raw, len(sheet.drafts), len(sheet.problems))


def main() -> None:
    for line in bench_referral_import().lines():
        print(line)


if __name__ == "__main__":
    main()
