"""The regional return end to end through the command line, over three panels' generated stores
and a region's store: enrolment both ways, ``stats --for-region``, ``region import``,
``region returns``, ``region report``; the regional return equals the sum of the panels'
unsuppressed counts and its published tables pass the panel return's suppression check; every
refusal leaves the region's store unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest

from app.crypto.identity import PublicIdentity
from app.models.region import return_body
from app.models.statistics import Count
from app.services import region as region_svc
from app.services import statistics as stats_svc
from app.services.partners import list_partners
from app.services.setup import unlock
from app.sync.region_file import seal_return
from tests.support.cli_inprocess import make_run, one_sentence
from tests.support.region_stores import PANELS, REGION_NAME
from tests.support.stores import PASSPHRASE, build_store, copy_store, dump_store, today
from tests.support.suppression_check import assert_nothing_small_follows

FROM, TO = "2025-12-01", "2026-11-30"


def _card(run, store: Path, out: Path) -> str:
    code, text, err = run(store, "identity", "--out", str(out))
    assert code == 0, err
    return text.split("Fingerprint: ")[1].strip()


@pytest.fixture
def world(monkeypatch, capfd, tmp_path: Path, panel_templates, region_template):
    """The region and three panels, each enrolled at the other; returns (run, region, panels)."""
    run = make_run(monkeypatch, capfd, tmp_path)
    region = copy_store(region_template, tmp_path / "region")
    panels = [copy_store(p, tmp_path / f"panel{i}") for i, p in enumerate(panel_templates)]
    region_fpr = _card(run, region, tmp_path / "region.card")
    for i, panel in enumerate(panels):
        code, _, err = run(panel, "partner", "enrol", str(tmp_path / "region.card"),
                           "--fingerprint", region_fpr, "--region")  # fmt: skip
        assert code == 0, err
        fpr = _card(run, panel, tmp_path / f"panel{i}.card")
        code, _, err = run(region, "partner", "enrol", str(tmp_path / f"panel{i}.card"),
                           "--fingerprint", fpr)  # fmt: skip
        assert code == 0, err
    return run, region, panels


def _write_returns(run, panels, tmp_path: Path, start: str = FROM, end: str = TO) -> list[Path]:
    files = []
    for i, panel in enumerate(panels):
        out = tmp_path / f"return{i}-{start}.rtreturn"
        code, text, err = run(panel, "stats", "--for-region", "--from", start, "--to", end,
                              "--region", REGION_NAME, "--out", str(out))  # fmt: skip
        assert code == 0, err
        assert "unsuppressed" in text
        files.append(out)
    return files


def _open(path: Path):
    return unlock(path, passphrase=PASSPHRASE, today_fn=today)


def test_the_regional_return_is_the_sum_of_the_panels(world, tmp_path: Path):
    run, region, panels = world
    files = _write_returns(run, panels, tmp_path)
    assert b"referrals" not in files[0].read_bytes()  # encrypted
    code, out, err = run(region, "region", "import", *map(str, files), "--json")
    assert code == 0, err
    assert sorted(r["panel"] for r in json.loads(out)) == sorted(n for n, _ in PANELS)
    # each panel's raw figures, as its own store counts them
    raw = []
    for panel in panels:
        s = _open(panel)
        st = stats_svc.compute(s, start=_d(FROM), end=_d(TO))
        raw.append((s.workstation.panel_name, st.counts()))
        s.close()
    s = _open(region)
    tables, period = region_svc.regional_tables(s, start=_d(FROM), end=_d(TO))
    s.close()
    assert period.missing == ()
    stats = tables.statistics()
    names = stats.breakdowns[0].columns
    assert names[-1] == "Region" and sorted(names[:-1]) == sorted(n for n, _ in PANELS)
    by_name = dict(raw)
    checked = 0
    for b in stats.breakdowns:
        for row in b.rows:
            counts = [v for v in row.values if isinstance(v, Count)]
            if not counts:
                continue
            key = counts[-1].key.split("|", 1)[1]
            for name, c in zip(names[:-1], counts[:-1], strict=True):
                assert c.value == by_name[name].get(key, 0), (b.key, key, name)
            assert counts[-1].value == sum(v.get(key, 0) for v in by_name.values())
            checked += 1
    assert checked > 100
    assert stats.breakdown("case_progress").rows[0].values[-1].value == sum(
        v["referrals"] for v in by_name.values()) > 0  # fmt: skip
    assert_nothing_small_follows(stats, tables.published())


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_the_published_files_hold_only_suppressed_figures(world, tmp_path: Path):
    run, region, panels = world
    files = _write_returns(run, panels, tmp_path)
    assert run(region, "region", "import", *map(str, files))[0] == 0
    s = _open(region)
    published = region_svc.regional_tables(s, start=_d(FROM), end=_d(TO))[0].published()
    s.close()
    expected = {(b.title, r.label, c): v for b in published.breakdowns for r in b.rows
                for c, v in zip(b.columns, r.values, strict=True)}  # fmt: skip
    code, _, err = run(region, "region", "report", "--from", FROM, "--to", TO,
                         "--out", str(tmp_path / "region.csv"))  # fmt: skip
    assert code == 0, err
    rows = list(csv.reader(io.StringIO((tmp_path / "region.csv").read_text("utf-8-sig"))))
    seen = {(r[3], r[4], r[5]): r[6] for r in rows[1:] if r[3] != "Notes"}
    assert seen == {k: (("'" + v) if v.startswith(("=", "+", "-", "@")) else v)
                    for k, v in expected.items()}  # fmt: skip
    assert any(v == "<5" for v in seen.values())
    code, _, err = run(region, "region", "report", "--from", FROM, "--to", TO,
                         "--out", str(tmp_path / "region.xlsx"))  # fmt: skip
    assert code == 0, err
    wb = openpyxl.load_workbook(tmp_path / "region.xlsx")
    sheet = wb["By sector"]
    assert [c.value for c in sheet[5]][1:] == list(published.breakdown("referrals_by_sector").columns)
    code, _out, err = run(region, "region", "report", "--from", FROM, "--to", TO,
                         "--out", str(tmp_path / "region.pdf"))  # fmt: skip
    assert code == 0, err
    assert (tmp_path / "region.pdf").read_bytes().startswith(b"%PDF")


def test_a_panel_without_a_return_is_named(world, tmp_path: Path):
    run, region, panels = world
    files = _write_returns(run, panels[:2], tmp_path)
    assert run(region, "region", "import", *map(str, files))[0] == 0
    code, out, err = run(region, "region", "returns", "--from", FROM, "--to", TO, "--json")
    assert code == 0, err
    assert json.loads(out)["missing"] == [PANELS[2][0]]
    code, out, err = run(region, "region", "report", "--from", FROM, "--to", TO,
                         "--out", str(tmp_path / "r.pdf"))  # fmt: skip
    assert code == 0, err
    assert f"No return for this period from: {PANELS[2][0]}." in out
    s = _open(region)
    published = region_svc.regional_tables(s, start=_d(FROM), end=_d(TO))[0].published()
    data = region_svc.report_data(s, published)
    s.close()
    assert any(PANELS[2][0] in n for n in data.notes[:2])  # on the cover


def _refused(run, region: Path, *args: str) -> str:
    """The import refused through the service (the store byte-for-byte unchanged, in one
    session) and through the command line (exit 1, one sentence)."""
    from app.models.errors import AppError

    files = [Path(a) for a in args if not a.startswith("--") and a[:4] != "2026" and a[:4] != "2025"]
    period = [_d(a) for a in args if a[:4] in ("2025", "2026")]
    s = _open(region)
    before = dump_store(s)
    with pytest.raises(AppError) as refused:
        region_svc.import_returns(s, files, start=period[0] if period else None,
                                  end=period[1] if period else None)  # fmt: skip
    assert dump_store(s) == before
    s.close()
    code, out, err = run(region, "region", "import", *args)
    assert code == 1, (out, err)
    line = one_sentence(err)
    assert refused.value.user_message in line
    return line


def test_every_refusal_leaves_the_region_unchanged(world, tmp_path: Path):
    run, region, panels = world
    files = _write_returns(run, panels, tmp_path)
    # altered: one byte of the ciphertext
    data = bytearray(files[0].read_bytes())
    data[len(data) // 2] ^= 1
    (tmp_path / "altered.rtreturn").write_bytes(bytes(data))
    assert "signature is not valid" in _refused(run, region, str(tmp_path / "altered.rtreturn"))
    # one bad file refuses the whole import
    assert "signature" in _refused(run, region, str(files[1]), str(tmp_path / "altered.rtreturn"))
    # for another period than asked, and two periods in one import
    msg = _refused(run, region, str(files[0]), "--from", "2026-01-01", "--to", TO)
    assert "not for 2026-01-01 to 2026-11-30" in msg
    other = _write_returns(run, panels[:1], tmp_path, start="2026-01-01")
    assert "one period at a time" in _refused(run, region, str(files[1]), str(other[0]))
    # the same panel twice in one import
    (tmp_path / "twice").mkdir()
    twice = _write_returns(run, panels[:1], tmp_path / "twice")[0]
    assert "both returns from" in _refused(run, region, str(files[0]), str(twice))
    # from a panel this region has not enrolled (it enrolled the region, not the other way)
    fpr = _card(run, region, tmp_path / "r.card")
    new_panel = build_store(tmp_path / "new" / "panel.rtdb", panel="Westshire Panel", demo_cases=3)
    assert run(new_panel, "partner", "enrol", str(tmp_path / "r.card"), "--fingerprint", fpr,
               "--region")[0] == 0  # fmt: skip
    unknown = _write_returns(run, [new_panel], tmp_path / "new")[0]
    assert "has not enrolled" in _refused(run, region, str(unknown))
    # not a return at all
    (tmp_path / "junk.rtreturn").write_bytes(b"hello")
    assert "not a regional return" in _refused(run, region, str(tmp_path / "junk.rtreturn"))
    # imported once; then the same file again, and another return of that panel for that period
    assert run(region, "region", "import", str(files[0]))[0] == 0
    assert "already been imported" in _refused(run, region, str(files[0]))
    assert "already holds a return from" in _refused(run, region, str(twice))


def test_a_return_of_another_programme_is_refused(world, tmp_path: Path):
    """Signed by an enrolled panel and addressed to the region, but of another programme."""
    run, region, panels = world
    s = _open(panels[0])
    st = stats_svc.compute(s, start=_d(FROM), end=_d(TO))
    body = return_body(st, return_id="f" * 32, panel_id="p", panel_name="x", programme_id="mappa",
                       days={})  # fmt: skip
    reg = next(p for p in list_partners(s) if p.kind == "region")
    data = seal_return(body, signer=s.store.device_keys(), sender_device=s.workstation.device_id,
                       recipient_device=reg.device_id,
                       recipient=PublicIdentity(reg.sign_pub, reg.enc_pub), created=1)  # fmt: skip
    s.close()
    path = tmp_path / "mappa.rtreturn"
    path.write_bytes(data)
    assert "another programme" in _refused(run, region, str(path))


def test_only_a_region_imports_and_only_a_coordinator_writes(world, tmp_path: Path):
    run, region, panels = world
    files = _write_returns(run, panels[:1], tmp_path)
    code, _, err = run(panels[1], "region", "import", str(files[0]))
    assert code == 1 and "Only a region may" in one_sentence(err)
    code, _, err = run(panels[0], "stats", "--for-region", "--from", FROM, "--to", TO,
                         "--region", PANELS[1][0], "--out", str(tmp_path / "x.rtreturn"))  # fmt: skip
    assert code == 1 and "no such partner" in one_sentence(err)
    code, _out, err = run(region, "region", "report", "--from", "2020-01-01", "--to", "2020-12-31",
                         "--out", str(tmp_path / "x.csv"))  # fmt: skip
    assert code == 1 and "No panel's return" in one_sentence(err)
    assert not (tmp_path / "x.csv").exists()


def test_an_installation_that_cannot_load_pandas_refuses_the_report_in_one_sentence(world, tmp_path, monkeypatch):
    run, region, panels = world
    assert run(region, "region", "import", *map(str, _write_returns(run, panels, tmp_path)))[0] == 0
    monkeypatch.setattr(region_svc, "AVAILABLE", False)
    code, _, err = run(region, "region", "report", "--from", FROM, "--to", TO,
                       "--out", str(tmp_path / "r.xlsx"))  # fmt: skip
    assert code == 1 and "cannot load: reinstall Roundtable" in one_sentence(err)
    assert not (tmp_path / "r.xlsx").exists()


def test_a_partner_panel_is_not_a_region(world, tmp_path: Path):
    run, _region, panels = world
    fpr = _card(run, panels[1], tmp_path / "p1.card")
    assert run(panels[0], "partner", "enrol", str(tmp_path / "p1.card"), "--fingerprint", fpr)[0] == 0
    code, _, err = run(panels[0], "stats", "--for-region", "--from", FROM, "--to", TO,
                       "--region", PANELS[1][0], "--out", str(tmp_path / "x.rtreturn"))  # fmt: skip
    assert code == 1 and "is a partner panel, not a region" in one_sentence(err)
    code, _, err = run(panels[0], "stats", "--for-region", "--from", FROM, "--to", TO,
                       "--out", str(tmp_path / "x.rtreturn"))  # fmt: skip
    assert code == 2 and "--region" in err
    assert not (tmp_path / "x.rtreturn").exists()


def test_a_return_for_another_region_is_refused(world, tmp_path: Path):
    from tests.support.region_stores import build_region

    run, region, panels = world
    other = build_region(tmp_path / "other" / "region.rtdb")  # same name, its own keys
    fpr = _card(run, other, tmp_path / "other.card")
    # the panel knows both regions by their cards; the second has the same name: enrol by id
    code, out, err = run(panels[0], "partner", "enrol", str(tmp_path / "other.card"),
                         "--fingerprint", fpr, "--region")  # fmt: skip
    assert code == 0, err
    other_id = out.split(", id ")[1].split()[0]
    path = tmp_path / "to-other.rtreturn"
    code, _, err = run(panels[0], "stats", "--for-region", "--from", FROM, "--to", TO,
                       "--region", other_id, "--out", str(path))  # fmt: skip
    assert code == 0, err
    assert "not addressed to this workstation" in _refused(run, region, str(path))
