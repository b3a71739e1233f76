"""Hypothesis: whatever the order and repetition in which two panels import each other's offer,
acceptance and decline files (and files sent to the wrong end), both sides end in one consistent
state once every file has been delivered:

- each transfer is in the same final state at the sender and the receiver;
- the sender's case is closed "Transferred out" exactly when one of its transfers was accepted,
  and is otherwise open at the status it had;
- the receiver holds exactly one new case per accepted transfer;
- every file refused left the store exactly as it was.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.models.errors import AppError
from app.services import cases, transfer
from app.services.setup import unlock
from tests.support.partner_stores import enrol_each_other, open_case_id
from tests.support.stores import PASSPHRASE, copy_store, dump_store, today

# a step: (what, which, choice) read modulo what exists when it runs
STEP = st.tuples(st.sampled_from(["offer", "at-receiver", "at-sender", "wrong-end"]),
                 st.integers(0, 7), st.sampled_from(["preview", "accept", "decline"]))


class World:
    def __init__(self, north_tpl: Path, south_tpl: Path, tmp: Path) -> None:
        self.tmp = tmp
        self.north = unlock(copy_store(north_tpl, tmp / "n"), passphrase=PASSPHRASE, today_fn=today)
        self.south = unlock(copy_store(south_tpl, tmp / "s"), passphrase=PASSPHRASE, today_fn=today)
        enrol_each_other(self.north, self.south)
        self.case_ids = [open_case_id(self.north, 0), open_case_id(self.north, 1)]
        self.status = {c: cases.get_case_file(self.north, c, audit_view=False).case.status
                       for c in self.case_ids}
        self.offers: list[Path] = []
        self.replies: list[Path] = []
        self.n = 0

    def close(self) -> None:
        self.north.close()
        self.south.close()

    def _path(self, what: str) -> Path:
        self.n += 1
        return self.tmp / f"{what}-{self.n}.rtt"

    def attempt(self, session, fn) -> None:
        """Run ``fn``; if it is refused the store must be unchanged."""
        before = dump_store(session)
        try:
            fn()
        except AppError:
            assert dump_store(session) == before

    def step(self, what: str, i: int, choice: str) -> None:
        if what == "offer":
            out = self._path("offer")
            case_id = self.case_ids[i % 2]

            def do() -> None:
                transfer.offer(self.north, case=case_id, to=self.south.workstation.panel_name, out=out)
                self.offers.append(out)

            self.attempt(self.north, do)
        elif what == "at-receiver" and self.offers:
            self.receive(self.offers[i % len(self.offers)], choice)
        elif what == "at-sender" and self.replies:
            f = self.replies[i % len(self.replies)]
            self.attempt(self.north, lambda: transfer.import_file(self.north, path=f))
        elif what == "wrong-end":
            if self.offers:
                f = self.offers[i % len(self.offers)]
                self.attempt(self.north, lambda: transfer.import_file(self.north, path=f))
            if self.replies:
                f = self.replies[i % len(self.replies)]
                self.attempt(self.south, lambda: transfer.import_file(self.south, path=f))

    def receive(self, f: Path, choice: str) -> None:
        out = self._path("reply")

        def do() -> None:
            if choice == "preview":
                transfer.import_file(self.south, path=f)
            elif choice == "accept":
                transfer.import_file(self.south, path=f, accept=True, out=out)
            else:
                transfer.import_file(self.south, path=f, decline=True, reason="Not ours", out=out)
            if out.exists():
                self.replies.append(out)

        self.attempt(self.south, do)

    def deliver_everything(self) -> None:
        """Every offer answered (declined if still open) and every reply imported at the sender."""
        for f in list(self.offers):
            self.receive(f, "decline")
        for f in list(self.replies):
            self.attempt(self.north, lambda f=f: transfer.import_file(self.north, path=f))

    def check(self) -> None:
        sent = {t.id: t for t in transfer.list_transfers(self.north)}
        got = {t.id: t for t in transfer.list_transfers(self.south)}
        assert set(sent) == set(got)  # every offer delivered was received
        for tid, t in sent.items():
            assert t.direction == "out" and got[tid].direction == "in"
            assert t.state == got[tid].state != "offered"
            if t.state == "accepted":
                assert t.their_ref == got[tid].local_ref
        accepted_refs = {t.case_ref for t in sent.values() if t.state == "accepted"}
        for case_id in self.case_ids:
            c = cases.get_case_file(self.north, case_id, audit_view=False).case
            if c.ref in accepted_refs:
                assert c.status == self.north.programme.transfer.out_status
            else:
                assert c.status == self.status[case_id]
        mine = cases.list_cases(self.south)
        assert len(mine) == len([t for t in got.values() if t.state == "accepted"])
        assert len(accepted_refs) == len([t for t in sent.values() if t.state == "accepted"])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                               HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=12))
def test_any_order_and_repetition_ends_consistent(template_store, south_template, steps):
    with tempfile.TemporaryDirectory() as tmp:
        world = World(template_store, south_template, Path(tmp))
        try:
            for what, i, choice in steps:
                world.step(what, i, choice)
            world.deliver_everything()
            world.check()
        finally:
            world.close()
