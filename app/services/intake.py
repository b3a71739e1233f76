"""Referral intake from spreadsheets: preview a file, then import all of its rows or none.

Job: read a referral file's bytes (size checked before reading), let ``app.spreadsheets`` check
every row, add what only the store knows (which rows are people already known to the panel, and
the checks of the referral form's own door), and open one case per row through
``referrals.open_referral_in`` — the same door as the form — in ONE transaction.

Invariants:
- All rows or none: if any row has a problem that the caller did not explicitly leave out
  (``skip_rows``), nothing is written and :class:`IntakeRefused` lists the problems. A problem on
  the header row (a required column missing) cannot be skipped.
- Leaving rows out is audited (``referral-import-skip`` with the row numbers); the import itself is
  audited as ``referral-import`` with counts only — never the file name or any cell.
- A row whose person matches an existing subject (name or alias and date of birth, or an
  identifier), or an earlier row of the same file, is linked to that subject, not duplicated.
- A dry run does the whole import inside the transaction and rolls it back: the report is exact
  and the store is unchanged.
- A mapping the user chose (field -> header) is remembered inside the encrypted store (meta key
  ``mapping:<header signature>``) and used for the next file with the same headers.
- Only the coordinator imports or previews referral files.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.models import people, rules
from app.models.domain import Subject
from app.models.enums import Role
from app.models.errors import InvalidInput, SpreadsheetError
from app.models.ids import CaseId, SubjectId, new_id
from app.models.intake import FIELDS, ReferralDraft, ReferralSheet, RowProblem
from app.models.referral_input import ALIAS, REQUIRED, SubjectInput, input_problems
from app.services.cases import referrals
from app.services.context import Session
from app.spreadsheets.referrals import DEFAULT_MAX_BYTES, read_referral_file
from app.storage import intake_queries, ref_queries
from app.storage import meta as meta_store
from app.storage.writer import Writer

MAX_FILE_BYTES = DEFAULT_MAX_BYTES
SHOWN_PROBLEMS = 5


class IntakeRefused(InvalidInput):
    """The file has problems in rows that were not left out; ``problems`` lists every one."""

    def __init__(self, problems: tuple[RowProblem, ...]) -> None:
        rows = len({p.row for p in problems})
        shown = "; ".join(p.describe() for p in problems[:SHOWN_PROBLEMS])
        more = f"; and {len(problems) - SHOWN_PROBLEMS} more" if len(problems) > SHOWN_PROBLEMS else ""
        super().__init__(
            f"Nothing was imported: {len(problems)} problem{'s' if len(problems) != 1 else ''} "
            f"in {rows} row{'s' if rows != 1 else ''}. {shown}{more}".rstrip(".") + "."
        )
        self.problems = problems


@dataclass(frozen=True)
class SubjectLink:
    subject_id: SubjectId
    case_refs: tuple[str, ...]
    reason: str  # "name and date of birth" | "identifier" | "same person as row N"

    def describe(self) -> str:
        refs = ", ".join(self.case_refs) or "no case yet"
        return f"linked to existing subject {refs} ({self.reason})"


@dataclass(frozen=True)
class PreviewRow:
    row: int
    draft: ReferralDraft | None  # None when the row has problems
    problems: tuple[RowProblem, ...]
    matches: tuple[SubjectLink, ...] = ()  # existing subjects, best first
    same_as_row: int | None = None  # an earlier row of this file about the same person
    # the person recorded in another role on a case (a programme's linked roles: "recorded as
    # person causing harm on RT-…"): shown, never linked to (docs/programmes.md, "Linked people")
    also_recorded: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class IntakePreview:
    rows: tuple[PreviewRow, ...]
    problems: tuple[RowProblem, ...]  # every problem, header-row ones first
    unknown_columns: tuple[str, ...]
    mapping: dict[str, str]  # field -> header used
    mapping_source: str  # "guessed" | "remembered" | "chosen"
    header_signature: str
    headers: tuple[str, ...]
    sheet_names: tuple[str, ...]
    sheet: str
    header_row: int
    rows_read: int
    encoding: str

    @property
    def blocking(self) -> tuple[RowProblem, ...]:
        """Problems of the file itself (on the header row): no row can be imported."""
        return tuple(p for p in self.problems if p.row == self.header_row)

    @property
    def problem_rows(self) -> frozenset[int]:
        return frozenset(p.row for p in self.problems if p.row != self.header_row)


@dataclass(frozen=True)
class ImportedRow:
    row: int
    case_id: CaseId
    ref: str
    link: SubjectLink | None = None
    # the person recorded in another role on a case, as the preview's ``also_recorded``
    also_recorded: tuple[str, ...] = ()


@dataclass(frozen=True)
class IntakeReport:
    imported: tuple[ImportedRow, ...]
    skipped_rows: tuple[int, ...]
    rows_read: int
    dry_run: bool
    unknown_columns: tuple[str, ...] = ()
    mapping: dict[str, str] = field(default_factory=dict)

    @property
    def linked(self) -> tuple[ImportedRow, ...]:
        return tuple(r for r in self.imported if r.link is not None)


class _DryRun(Exception):
    def __init__(self, report: IntakeReport) -> None:
        super().__init__("dry run")
        self.report = report


# --- remembered mappings -------------------------------------------------------------------------


def _mapping_key(signature: str) -> str:
    if not signature or not all(ch in "0123456789abcdef" for ch in signature):
        raise InvalidInput("That is not a header signature.")
    return f"mapping:{signature}"


def remembered_mapping(session: Session, header_signature: str) -> dict[str, str] | None:
    """The column choice remembered for files with these headers, if any."""
    with session.view() as conn:
        raw = meta_store.get(conn, _mapping_key(header_signature))
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    return {str(k): str(v) for k, v in value.items() if k in FIELDS}


def remember_mapping(session: Session, *, header_signature: str, mapping: Mapping[str, str]) -> None:
    """Remember a column choice (field -> header text; "" = not imported) for these headers."""
    rules.check_role(session.me, Role.COORDINATOR, doing="import referral files")
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise InvalidInput("Unknown fields in the column choices: " + ", ".join(sorted(unknown)))
    key = _mapping_key(header_signature)
    with session.change() as w:
        meta_store.put(w.conn, key, json.dumps(dict(mapping), ensure_ascii=False, sort_keys=True))


# --- reading -------------------------------------------------------------------------------------


def read_file_bytes(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes, refusing a missing, special or too-large file before reading it all."""
    path = Path(path)
    try:
        info = path.stat()
    except OSError:
        raise InvalidInput("There is no file at that location.") from None
    if not path.is_file():
        raise InvalidInput("That is not a file.")
    if info.st_size > max_bytes:
        raise SpreadsheetError(
            f"The file is larger than {max_bytes / 2**20:g} MiB. Split it into smaller files."
        )
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError:
        raise InvalidInput("The file could not be read.") from None
    if len(data) > max_bytes:
        raise SpreadsheetError(
            f"The file is larger than {max_bytes / 2**20:g} MiB. Split it into smaller files."
        )
    return data


def _read(
    session: Session, path: Path, sheet: str | None, mapping: Mapping[str, str] | None
) -> tuple[ReferralSheet, str]:
    rules.check_role(session.me, Role.COORDINATOR, doing="import referral files")
    data = read_file_bytes(path)
    kw = {"programme": session.programme, "today": session.today(), "sheet": sheet}
    if mapping is not None:
        return read_referral_file(data, Path(path).name, mapping=mapping, **kw), "chosen"  # type: ignore[arg-type]
    result = read_referral_file(data, Path(path).name, **kw)  # type: ignore[arg-type]
    remembered = remembered_mapping(session, result.header_signature)
    if remembered and remembered != result.mapping.as_dict():
        try:
            return read_referral_file(data, Path(path).name, mapping=remembered, **kw), "remembered"  # type: ignore[arg-type]
        except SpreadsheetError:
            pass  # the remembered choice no longer fits: fall back to the guess
    return result, "remembered" if remembered else "guessed"


# What intake says where the referral form's door says "<Label> is required".
_MISSING = {"referrer": "The referrer is missing.", "narrative": "The reason for referral is missing.",
            "surname": "The surname is missing."}  # fmt: skip


def _door_problems(draft: ReferralDraft, columns: Mapping[str, str]) -> list[RowProblem]:
    """What the referral form's door would refuse (the same rules, ``models.referral_input``),
    reported as row problems against the row's columns instead."""
    out: list[RowProblem] = []
    for f, problem in input_problems(*draft.inputs()):
        column = columns.get(f.name) or (FIELDS[f.name][0] if f.name in FIELDS else f.label)
        if problem == REQUIRED:
            message = _MISSING.get(f.name, f"The {f.label.lower()} is missing.")
        elif f is ALIAS:
            message = f"An alias {problem}."
        else:
            phrase = problem.removeprefix("is ")
            message = f"{phrase[0].upper()}{phrase[1:]}."
        out.append(RowProblem(draft.source_row, column, message))
    return out


def _person_keys(d: ReferralDraft) -> set[people.PersonKey]:
    """Keys under which two rows of one file are the same person (the duplicate check's rule)."""
    ids = [(i.kind, i.value) for i in d.identifiers]
    return people.person_keys(d.forenames, d.surname, d.aliases, d.date_of_birth, ids)


def _subject_keys(s: SubjectInput | Subject) -> set[people.PersonKey]:
    """The keys ``referrals.find_matching_subjects`` matches a new referral's subject on."""
    return people.person_keys(
        s.forenames, s.surname, s.aliases, s.date_of_birth, [(i.kind, i.value) for i in s.identifiers]
    )


class _Matcher:
    """``_links`` for every row of an import, from the candidates of all rows read in a few
    queries (``storage.intake_queries``) instead of one query a row. The same rule as
    ``referrals.find_matching_subjects``: candidates born the same day or holding one of the
    identifiers, then ``people.same_person_reason``; subjects written during the import are
    added (``add``) as they are written."""

    def __init__(self, w: Writer, drafts: list[ReferralDraft]) -> None:
        self.conn = conn = w.conn
        self.by_dob: dict[object, list[Subject]] = {}
        self.by_key: dict[str, list[Subject]] = {}
        self._add(intake_queries.subjects_matching_any(
            conn, dates_of_birth=[d.date_of_birth for d in drafts if d.date_of_birth],
            identifier_values=[i.value for d in drafts for i in d.identifiers if i.value],
        ))  # fmt: skip

    def _add(self, subjects: list[Subject]) -> None:
        for subj in subjects:
            if subj.date_of_birth:
                self.by_dob.setdefault(subj.date_of_birth, []).append(subj)
            for k in {people.identifier_key(i.value) for i in subj.identifiers} - {""}:
                self.by_key.setdefault(k, []).append(subj)

    def add(self, ids: list[str]) -> None:
        self._add(intake_queries.subjects_by_id(self.conn, ids))

    def links(self, d: ReferralDraft) -> tuple[SubjectLink, ...]:
        subject = d.inputs()[0]
        wanted = _subject_keys(subject)
        seen: dict[str, Subject] = {}
        for subj in self.by_dob.get(subject.date_of_birth, []) if subject.date_of_birth else []:
            seen.setdefault(subj.id, subj)
        for k in {people.identifier_key(i.value) for i in subject.identifiers if i.value} - {""}:
            for subj in self.by_key.get(k, []):
                seen.setdefault(subj.id, subj)
        found = []
        for subj in seen.values():
            reason = people.same_person_reason(wanted, _subject_keys(subj))
            if reason:
                found.append(SubjectLink(subj.id, tuple(ref_queries.refs_for_subject(self.conn, subj.id)), reason))
        found.sort(key=lambda m: m.reason != "identifier")
        return tuple(found)


def _links(session: Session, d: ReferralDraft) -> tuple[SubjectLink, ...]:
    found = referrals.find_matching_subjects(session, d.inputs()[0])
    found.sort(key=lambda m: m.reason != "identifier")
    return tuple(SubjectLink(m.subject.id, m.case_refs, m.reason) for m in found)


def _also_recorded(session: Session, d: ReferralDraft) -> tuple[str, ...]:
    if not session.programme.linked_roles:
        return ()
    from app.services import linked_people

    found = linked_people.find_matching_linked(
        session, forenames=d.forenames, surname=d.surname, date_of_birth=d.date_of_birth,
        aliases=d.aliases, identifiers=d.identifiers,
    )
    return tuple(f"recorded as {m.role_label.lower()} on {m.case_ref} ({m.reason})" for m in found)


def preview_referral_file(
    session: Session,
    *,
    path: Path,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
) -> IntakePreview:
    """Read a referral file and show what an import would do; changes nothing."""
    result, source = _read(session, path, sheet, mapping)
    return _preview(session, result, source, with_matches=True)


def _preview(
    session: Session, result: ReferralSheet, source: str, *, with_matches: bool
) -> IntakePreview:
    columns = result.mapping.as_dict()
    by_row: dict[int, list[RowProblem]] = {}
    for p in result.problems:
        by_row.setdefault(p.row, []).append(p)
    drafts = {d.source_row: d for d in result.drafts}
    for d in result.drafts:
        if found := _door_problems(d, columns):
            by_row.setdefault(d.source_row, []).extend(found)
    seen: dict[tuple[str, ...], int] = {}
    rows: list[PreviewRow] = []
    for number in sorted(set(drafts) | (set(by_row) - {result.header_row})):
        problems = tuple(by_row.get(number, ()))
        draft = None if problems else drafts.get(number)
        same = None
        links: tuple[SubjectLink, ...] = ()
        also: tuple[str, ...] = ()
        if draft is not None:
            keys = _person_keys(draft)
            same = min((seen[k] for k in keys if k in seen), default=None)
            for k in keys:
                seen.setdefault(k, number)
            if with_matches:
                links = _links(session, draft)
                also = _also_recorded(session, draft)
        rows.append(PreviewRow(number, draft, problems, links, same, also))
    header = tuple(by_row.get(result.header_row, ()))
    every = header + tuple(p for r in rows for p in r.problems)
    return IntakePreview(
        rows=tuple(rows), problems=every, unknown_columns=result.unknown_columns,
        mapping=columns, mapping_source=source, header_signature=result.header_signature,
        headers=result.headers, sheet_names=result.sheet_names, sheet=result.sheet,
        header_row=result.header_row, rows_read=result.rows_read, encoding=result.encoding,
    )  # fmt: skip


# --- importing -----------------------------------------------------------------------------------


def import_referrals(
    session: Session,
    *,
    path: Path,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
    skip_rows: frozenset[int] = frozenset(),
    dry_run: bool = False,
) -> IntakeReport:
    """Open one case per row of the file, all in one transaction, or refuse and change nothing.

    ``skip_rows`` are rows the user explicitly leaves out (audited); every other row must be free
    of problems. ``mapping`` is the user's column choice, remembered on success."""
    result, source = _read(session, path, sheet, mapping)
    preview = _preview(session, result, source, with_matches=False)
    if preview.blocking:
        raise IntakeRefused(preview.blocking)
    unskipped = tuple(p for p in preview.problems if p.row not in skip_rows)
    if unskipped:
        raise IntakeRefused(unskipped)
    todo = [r for r in preview.rows if r.draft is not None and r.row not in skip_rows]
    skipped = tuple(sorted(r.row for r in preview.rows if r.row in skip_rows))
    if not todo:
        raise InvalidInput("There are no rows to import; nothing was imported.")
    try:
        with session.change() as w:
            report = _write(session, w, todo, skipped, preview, dry_run=dry_run)
            if mapping is not None and not dry_run:
                meta_store.put(
                    w.conn, _mapping_key(preview.header_signature),
                    json.dumps(dict(mapping), ensure_ascii=False, sort_keys=True),
                )  # fmt: skip
            if dry_run:
                raise _DryRun(report)
    except _DryRun as done:
        return done.report
    return report


def _write(
    session: Session,
    w: Writer,
    todo: list[PreviewRow],
    skipped: tuple[int, ...],
    preview: IntakePreview,
    *,
    dry_run: bool,
) -> IntakeReport:
    subject_of_row: dict[int, SubjectId] = {}
    imported: list[ImportedRow] = []
    numbers: dict[int, int] = {}  # the next case number of each year of receipt
    pending: list[tuple[int, referrals.OpenedReferral, SubjectLink | None, str, tuple[str, ...]]] = []
    waiting: set[SubjectId] = set()  # subjects of rows whose case is not written yet
    new_keys: set[people.PersonKey] = set()  # person keys of the new subjects not written yet
    matcher = _Matcher(w, [r.draft for r in todo if r.draft is not None])

    def write_pending() -> None:
        """The subjects, cases, referrals and status changes of the rows read so far, in bulk
        (in this order: each row's records were once written one row at a time)."""
        new = [o for _, o, _, _, _ in pending if o.subject is not None]
        w.create_many("subject", [o.subject for o in new if o.subject is not None],
                      record_ids=[o.subject_id for o in new])  # fmt: skip
        matcher.add([o.subject_id for o in new])
        case_ids = w.create_many("case", [o.case for _, o, _, _, _ in pending])
        w.create_many("referral", [{"case_id": c, **o.referral}
                                   for c, (_, o, _, _, _) in zip(case_ids, pending, strict=True)])
        w.create_many("status_change", [{"case_id": c, "at": at, **o.status_change}
                                        for c, (_, o, _, at, _) in zip(case_ids, pending, strict=True)])
        imported.extend(ImportedRow(n, CaseId(c), o.ref, link, also)
                        for c, (n, o, link, _, also) in zip(case_ids, pending, strict=True))
        pending.clear()
        waiting.clear()
        new_keys.clear()

    for r in todo:
        draft = r.draft
        assert draft is not None
        subject, referral = draft.inputs()
        # Matching reads the store: a row that may be the same person as a row not yet written
        # has the rows so far written first, so it sees them as the row-by-row import did.
        if new_keys & _subject_keys(subject):
            write_pending()
        links = matcher.links(draft)  # inside the transaction: sees rows imported so far
        if waiting & {x.subject_id for x in links}:  # its case refs must include the pending one
            write_pending()
            links = matcher.links(draft)
        link: SubjectLink | None = links[0] if links else None
        if link is not None and link.subject_id in subject_of_row.values():
            first = min(n for n, s in subject_of_row.items() if s == link.subject_id)
            link = SubjectLink(link.subject_id, link.case_refs, f"same person as row {first}")
        also = _also_recorded(session, draft)  # before the row's own case exists
        year = referral.received.year
        if year not in numbers:
            numbers[year] = ref_queries.next_case_number(w.conn, year)
        try:
            opened = referrals.referral_records(
                session, w, subject=subject, referral=referral,
                link_subject=link.subject_id if link else None, case_number=numbers[year],
                new_subject_id=None if link else SubjectId(new_id()),
            )  # fmt: skip
        except InvalidInput as exc:
            raise InvalidInput(f"Row {r.row}: {exc.user_message} Nothing was imported.") from None
        numbers[year] += 1
        subject_of_row[r.row] = opened.subject_id
        waiting.add(opened.subject_id)
        if opened.subject is not None:
            v = opened.subject
            new_keys.update(people.person_keys(
                v["forenames"], v["surname"], v["aliases"], v["date_of_birth"],
                [(i["kind"], i["value"]) for i in v["identifiers"]],
            ))  # fmt: skip
        pending.append((r.row, opened, link, w.audit_time(), also))
    write_pending()
    batch = secrets.token_hex(8)
    linked = sum(1 for i in imported if i.link is not None)
    w.record_event(
        "referral-import", "file", batch,
        [f"rows:{len(imported)}", f"linked:{linked}", f"skipped:{len(skipped)}"],
    )  # fmt: skip
    if skipped:
        w.record_event("referral-import-skip", "file", batch, [f"row:{n}" for n in skipped])
    return IntakeReport(
        imported=tuple(imported), skipped_rows=skipped, rows_read=preview.rows_read,
        dry_run=dry_run, unknown_columns=preview.unknown_columns, mapping=preview.mapping,
    )  # fmt: skip

