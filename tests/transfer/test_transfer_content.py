"""The receiver's reading of an offered case (``check_content``) behind the signature: whatever a
partner's (buggy or hostile) software puts in it, the answer is the checked content or one
``InvalidInput`` — never another exception — and what it keeps is exactly what was sent."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.models.errors import InvalidInput
from app.services.transfer.content import case_content, check_content
from tests.support.partner_stores import open_case_id


@pytest.fixture(scope="module")
def sample(template_store, tmp_path_factory) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from tests.support.partner_stores import unlock_copy

    gen = unlock_copy(template_store, tmp_path_factory.mktemp("content") / "s")
    s = next(gen)
    try:
        with s.view() as conn:  # type: ignore[attr-defined]
            return case_content(s, conn, open_case_id(s, 3))  # type: ignore[arg-type]
    finally:
        next(gen, None)


def test_what_is_sent_is_what_is_kept(sample):
    assert check_content(copy.deepcopy(sample)) == sample


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


HOSTILE = st.one_of(st.none(), st.integers(-(2**40), 2**40), st.booleans(), st.text(max_size=30),
                    st.just("a\x1b[31m"), st.just("x" * 200_001), st.lists(st.integers(), max_size=3),
                    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_mutation_is_accepted_checked_or_refused_in_one_sentence(sample, data):
    doc = copy.deepcopy(sample)
    paths = _paths(doc)[1:]
    path = data.draw(st.sampled_from(paths))
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    action = data.draw(st.sampled_from(["replace", "drop", "add"]))
    if action == "replace":
        parent[path[-1]] = data.draw(HOSTILE)
    elif action == "drop":
        del parent[path[-1]]
    elif isinstance(parent, dict):
        parent["unexpected"] = 1
    else:
        parent.append(data.draw(HOSTILE))
    try:
        kept = check_content(doc)
    except InvalidInput as exc:
        assert exc.user_message.startswith("The transfer file")
        return
    assert kept == check_content(kept)  # what is kept reads back the same
