"""Fuzzing the envelope parser: whatever the bytes, ``open_bundle`` raises only BundleRejected.

Two harnesses: raw mutations (caught by the fixed fields or the signature), and mutations that are
re-signed with a registered test key, so the header parser, the key unwrap and the chunk
decryption behind the signature are exercised too (as sync.md asks).
"""

from __future__ import annotations

import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.crypto import bundle_format as B
from app.crypto._canonical import canonical_dumps, strict_loads
from app.crypto.bundle import seal_bundle
from app.crypto.bundle_format import MAGIC, PRELUDE_BYTES
from app.crypto.bundle_open import open_bundle
from app.crypto.identity import DeviceKeys
from app.models.errors import BundleRejected
from tests.support.crypto_support import sign_envelope

SIGNER = DeviceKeys.generate()
ME = DeviceKeys.generate()
REGISTRY = {SIGNER.public().key_id: SIGNER.public().sign_pub}
FIELDS = {
    "bundle_id": "b-1",
    "sender": "coord",
    "stream": "coord->me",
    "sequence": 1,
    "created_hlc": 12345,
    "schema": [1, 0],
    "min_reader": [1, 0],
    "registry_version": 1,
}
VALID = seal_bundle(
    plaintext=b'{"manifest":{},"ops":[]}',
    header_fields=FIELDS,
    signer=SIGNER,
    recipients=[("me", ME.public())],
)
FUZZ = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def _open(data: bytes) -> None:
    open_bundle(
        data,
        lookup_signer=REGISTRY.get,
        me_device_id="me",
        me=ME,
        max_size=1024 * 1024,
        max_plaintext=1024 * 1024,
    )


def _must_reject(data: bytes) -> None:
    try:
        _open(data)
    except BundleRejected:
        return
    raise AssertionError("a mutated bundle was accepted")


mutation = st.tuples(st.integers(min_value=0), st.integers(min_value=1, max_value=255))


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes(data: bytes) -> None:
    _must_reject(data)


@FUZZ
@given(st.binary(max_size=512))
def test_random_bytes_after_a_valid_prelude_shape(tail: bytes) -> None:
    prelude = struct.pack(">8sHH16sIQ", MAGIC, 1, 1, SIGNER.public().key_id, 0, 0)
    _must_reject(prelude + tail)


@FUZZ
@given(
    flips=st.lists(mutation, min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.integers(min_value=0)),
    extra=st.binary(max_size=16),
)
def test_mutated_valid_bundle(flips: list[tuple[int, int]], cut: int | None, extra: bytes) -> None:
    data = bytearray(VALID)
    for position, xor in flips:
        data[position % len(data)] ^= xor
    if cut is not None:
        del data[cut % len(data) :]
    data += extra
    if bytes(data) == VALID:
        return
    _must_reject(bytes(data))


@FUZZ
@given(flips=st.lists(mutation, min_size=1, max_size=8))
def test_mutated_and_resigned(flips: list[tuple[int, int]]) -> None:
    """Mutate the header or payload, fix nothing else, sign again with the trusted key."""
    body = bytearray(VALID[PRELUDE_BYTES:-64])
    for position, xor in flips:
        body[position % len(body)] ^= xor
    if bytes(body) == VALID[PRELUDE_BYTES:-64]:
        return  # the flips cancelled out
    _must_reject(sign_envelope(SIGNER, VALID[:PRELUDE_BYTES] + bytes(body)))


json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(max_size=20),
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(FUZZ, max_examples=150)
@given(
    header=st.one_of(
        json_value,
        st.fixed_dictionaries({k: json_value for k in sorted(B.SIGNED_HEADER_FIELDS)}),
    ),
    payload=st.binary(max_size=200),
)
def test_structured_headers_behind_a_valid_signature(header: object, payload: bytes) -> None:
    try:
        header_bytes = canonical_dumps(header)
    except ValueError:
        return
    prelude = struct.pack(
        ">8sHH16sIQ", MAGIC, 1, 1, SIGNER.public().key_id, len(header_bytes), len(payload)
    )
    _must_reject(sign_envelope(SIGNER, prelude + header_bytes + payload))


VALID_HEADER = strict_loads(
    VALID[PRELUDE_BYTES : PRELUDE_BYTES + B.read_prelude(VALID).header_length], B.HEADER_CAPS
)
VALID_PAYLOAD = VALID[PRELUDE_BYTES + B.read_prelude(VALID).header_length : -64]


@settings(FUZZ, max_examples=150)
@given(field=st.sampled_from(sorted(B.SIGNED_HEADER_FIELDS)), value=json_value)
def test_one_header_field_replaced_behind_a_valid_signature(field: str, value: object) -> None:
    header = {**VALID_HEADER, field: value}
    if header == VALID_HEADER:
        return
    try:
        header_bytes = canonical_dumps(header)
    except ValueError:
        return
    prelude = struct.pack(
        ">8sHH16sIQ", MAGIC, 1, 1, SIGNER.public().key_id, len(header_bytes), len(VALID_PAYLOAD)
    )
    _must_reject(sign_envelope(SIGNER, prelude + header_bytes + VALID_PAYLOAD))
