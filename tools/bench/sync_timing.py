"""Benchmark figures for ``make bench``: export and import of N operations, bytes per operation,
beside the raw signing and encryption rates of this machine measured in the same run.

Job: pure timing of the layers below (no store access here): the caller (``tools/bench`` or a
test) passes callables that export and import; ``raw_rates`` measures Ed25519 signing and sealing
(ChaCha20-Poly1305 + HPKE wrap) of a payload of the same size, so the ratio shows how close the
exchange path is to the limit of the primitives.

Run ``python -m tools.bench.sync_timing`` for a self-contained measurement in a temporary folder.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from app.crypto.bundle import seal_bundle
from app.crypto.identity import DeviceKeys, sign


@dataclass(frozen=True)
class SyncBench:
    operations: int
    export_s: float
    import_s: float
    bundle_bytes: int
    raw_sign_per_s: float  # Ed25519 signatures of 1 KiB per second
    raw_seal_mb_per_s: float  # sealing (encrypt + sign) throughput for a bundle of the same size

    @property
    def bytes_per_op(self) -> float:
        return self.bundle_bytes / max(1, self.operations)

    def lines(self) -> list[str]:
        seal_s = self.bundle_bytes / (self.raw_seal_mb_per_s * 1e6) if self.raw_seal_mb_per_s else 0
        return [
            f"export {self.operations} ops: {self.export_s:.2f} s (target < 2 s)",
            f"import {self.operations} ops: {self.import_s:.2f} s (target < 2 s)",
            f"bundle: {self.bundle_bytes} bytes, {self.bytes_per_op:.0f} bytes per op",
            f"raw: {self.raw_sign_per_s:.0f} signatures/s, sealing {self.raw_seal_mb_per_s:.0f} MB/s "
            f"(sealing this bundle alone: {seal_s * 1000:.1f} ms)",
        ]


def raw_rates(size: int) -> tuple[float, float]:
    keys = DeviceKeys.generate()
    msg = b"x" * 1024
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 0.3:
        sign(keys, msg)
        n += 1
    sig_rate = n / (time.perf_counter() - t0)
    other = DeviceKeys.generate().public()
    blob = bytes(max(size, 1))
    header = {"bundle_id": "b", "sender": "s", "stream": "s>r/0", "sequence": 1, "created_hlc": 1,
              "schema": [1, 0], "min_reader": [1, 0], "registry_version": 0}
    t0 = time.perf_counter()
    rounds = 0
    while time.perf_counter() - t0 < 0.3 or rounds == 0:
        seal_bundle(plaintext=blob, header_fields=header, signer=keys, recipients=[("r", other)])
        rounds += 1
    seal_rate = rounds * len(blob) / (time.perf_counter() - t0) / 1e6
    return sig_rate, seal_rate


def measure(
    operations: int, export: Callable[[], bytes], import_: Callable[[bytes], object]
) -> SyncBench:
    """Time ``export()`` (returns the bundle) and ``import_(bundle)``, then the raw rates."""
    t0 = time.perf_counter()
    data = export()
    t1 = time.perf_counter()
    import_(data)
    t2 = time.perf_counter()
    sig, seal = raw_rates(len(data))
    return SyncBench(operations, t1 - t0, t2 - t1, len(data), sig, seal)


if __name__ == "__main__":  # pragma: no cover - a measurement, run by hand or by make bench
    import sys

    print(
        "Run tools/bench/sync_bench.py (it builds the stores); this module holds the timing.",
        file=sys.stderr,
    )
