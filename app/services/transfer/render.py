"""The history that travelled with a case, as lines of text: the read-only preview the receiving
coordinator reads before accepting, and the history attached to the case once accepted (the
command line prints it; the desktop shows it in a read-only view)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def _uk(iso: object) -> str:
    """An ISO date (or the date part of an ISO time) as dd/mm/yyyy; "" for none."""
    text = str(iso or "")[:10]
    try:
        return dt.date.fromisoformat(text).strftime("%d/%m/%Y")
    except ValueError:
        return text


def _name(p: dict[str, Any]) -> str:
    return f"{p.get('forenames', '')} {p.get('surname', '')}".strip()


def _ids(p: dict[str, Any]) -> str:
    return ", ".join(f"{i['kind'].upper()} {i['value']}" for i in p.get("identifiers", []))


def history_lines(content: dict[str, Any]) -> list[str]:
    """Every part of the offered case, headed, in the order of the transfer file."""
    s = content["subject"]
    lines = [f"Case {content['ref']} ({content['status_label']}), opened {_uk(content['opened'])}, "
             f"marked {content['marking']}",
             "", "Subject",
             f"  {_name(s)}" + (f", born {_uk(s['date_of_birth'])}" if s["date_of_birth"] else "")]
    for label, key in (("Also known as", "aliases"),):
        if s[key]:
            lines.append(f"  {label}: {', '.join(s[key])}")
    for label, key in (("Gender", "gender"), ("Ethnicity", "ethnicity"), ("Address", "address"),
                       ("Postcode", "postcode"), ("Area", "area"),
                       ("Vulnerabilities", "vulnerabilities")):
        if s[key]:
            lines.append(f"  {label}: {s[key]}")
    if s["identifiers"]:
        lines.append(f"  Identifiers: {_ids(s)}")
    for p in content["linked_people"]:
        born = f", born {_uk(p['date_of_birth'])}" if p["date_of_birth"] else ""
        lines.append(f"  {p['role_label']}: {_name(p)}{born}")
    r = content["referral"]
    if r:
        lines += ["", "Referral",
                  f"  Received {_uk(r['received'])} from {r['referrer']} ({r['sector_label']}); "
                  f"concern: {r['concern_label']}", f"  {r['narrative']}"]
    lines += ["", "Status history"]
    lines += [f"  {_uk(h['at'])}  {h['status_label']}" + (f" — {h['rationale']}" if h["rationale"] else "")
              for h in content["status_history"]]
    if content["assessments"]:
        lines += ["", "Risk assessments"]
        for a in content["assessments"]:
            lines.append(f"  Version {a['version']}, {_uk(a['assessed_on'])}: {a['risk_label'] or 'no level'}"
                         + (f" (by {a['author']})" if a["author"] else ""))
            if a["overall"]:
                lines.append(f"    {a['overall']}")
            lines += [f"    {f['dimension_label']} / {f['factor_label']}: {f['rating_label']}"
                      + (f" — {f['evidence']}" if f["evidence"] else "") for f in a["factors"]]
    p = content["plan"]
    if p:
        lines += ["", f"Current plan (version {p['version']}, {_uk(p['created_on'])})"]
        risk = p["risk"]
        for label, key in (("Risk", "nature"), ("To whom", "who_at_risk"), ("How soon", "imminence")):
            if risk[key]:
                lines.append(f"  {label}: {risk[key]}")
        lines += [f"  {o['heading']}: {o['text']}" for o in p["objectives"]]
        if p["contingency"]:
            lines.append(f"  Contingency: {p['contingency']}")
    if content["actions"]:
        lines += ["", "Open actions"]
        lines += [f"  {a['title']} — {a['owner_agency']}, due {_uk(a['due'])} ({a['status']})"
                  for a in content["actions"]]
    if content["contributions"] or content["restricted"]:
        lines += ["", "Information from agencies"]
        items = [(str(c["recorded_on"] or ""), f"  {_uk(c['recorded_on'])}  {c['agency']}"
                  + (f" ({c['author']})" if c["author"] else "") + f": {c['text']}")
                 for c in content["contributions"]]
        items += [(str(r["recorded_on"] or ""),
                   f"  {_uk(r['recorded_on'])}  Restricted information {r['line']}")
                  for r in content["restricted"]]
        lines += [line for _day, line in sorted(items, key=lambda x: x[0])]
    if content["minutes"]:
        lines += ["", "Minutes"]
        for m in content["minutes"]:
            lines.append(f"  {_uk(m['held_on'])}  {m['kind']}" + (f": {m['title']}" if m["title"] else ""))
            for label, key in (("Discussion", "discussion"), ("Decision", "decision"),
                               ("Rationale", "rationale"), ("Dissent", "dissent")):
                if m[key]:
                    lines.append(f"    {label}: {m[key]}")
    return lines


__all__ = ["history_lines"]
