"""The loader on the clean fixture KB: every record is located, MyST is scanned correctly."""

from __future__ import annotations

from pathlib import Path

import pytest

from govkb.load import load_knowledge_base
from govkb.load.myst import front_matter, ids, pv_uses, scan
from govkb.text import source_text
from govkb.model import Location

MINIKB = Path(__file__).parent / "fixtures" / "minikb"


@pytest.fixture(scope="module")
def kb():  # type: ignore[no-untyped-def]
    result = load_knowledge_base(MINIKB)
    assert result.findings == ()
    return result.kb


def test_minikb_loads_every_kind_of_record(kb) -> None:  # type: ignore[no-untyped-def]
    assert [p.id for p in kb.policies] == ["LMG_PASSIVE", "LMG_SOLICIT"]  # sorted by file name
    assert [r.id for r in kb.rules] == ["LMG_PASSIVE_01", "LMG_SOLICIT_01", "LMG_SOLICIT_02"]
    assert [s.id for s in kb.steps] == ["SOP_REVIEW_01", "SOP_REVIEW_02"]
    assert len(kb.actions) == 5 and len(kb.kpis) == 1 and len(kb.owners) == 3
    assert [r.id for r in kb.requirements] == ["REQ_0001"]
    assert dict(kb.catalog_paths)["actions"] == "policies/catalog/actions.yaml"


@pytest.mark.parametrize(("subject", "expected"), [
    ("LMG_SOLICIT", Location("policies/solicit.yaml", 1, 5)),
    ("LMG_SOLICIT_01", Location("policies/solicit.yaml", 40, 9)),
    ("LMG_SOLICIT_02", Location("policies/solicit.yaml", 52, 9)),
    ("SOP_REVIEW", Location("sop/review.md", 2, 5)),
    ("SOP_REVIEW_01", Location("sop/review.md", 29, 1)),
    ("SOP_REVIEW_02", Location("sop/review.md", 44, 1)),
    ("REQ_0001", Location("docs/requirements.md", 3, 1)),
])
def test_records_know_their_location(kb, subject: str, expected: Location) -> None:  # type: ignore[no-untyped-def]
    need = {n.id: n for n in kb.needs()}[subject]
    assert need.location == expected


def test_policy_parts_are_located(kb) -> None:  # type: ignore[no-untyped-def]
    policy = kb.policy_by_id["LMG_SOLICIT"]
    assert policy.ladder.location.line == 20
    assert [s.location.line for s in policy.ladder.steps] == [22, 24, 27, 30]
    assert policy.appeal.location.line == 33
    assert policy.rules[0].thresholds[0].location.line == 45
    assert policy.rules[1].severe_case is not None and policy.rules[1].severe_case.start_at_strike == 3
    assert policy.effective == "2026-03-01"  # dates stay the text the author wrote


def test_sop_front_matter_sections_and_steps(kb) -> None:  # type: ignore[no-untyped-def]
    sop = kb.sop_by_id["SOP_REVIEW"]
    assert sop.front_matter_keys == ("id", "title", "owner", "version", "status", "review_by", "policies", "satisfies")
    assert sop.review_by == "2027-05-31" and sop.policies == ("LMG_SOLICIT", "LMG_PASSIVE")
    assert [(s.title, s.level, s.location.line) for s in sop.sections] == [
        ("Review and decision", 1, 12), ("Purpose", 2, 14), ("Scope", 2, 18), ("Roles", 2, 22),
        ("Procedure", 2, 27), ("Escalation", 2, 57), ("Records", 2, 61), ("Metrics", 2, 65),
        ("Revision history", 2, 69),
    ]
    first = sop.steps[0]
    assert (first.title, first.actor, first.strike) == ("Confirm solicitation and record the strike", "Reviewer", 2)
    assert first.implements == ("LMG_SOLICIT_01", "LMG_SOLICIT_02") and first.applies == ("ACT_GIFTING_SUSPEND",)
    assert first.content_line == 38 and first.content.startswith("Count the requests")


def test_value_refs_are_located_and_literal_spans_ignored(kb) -> None:  # type: ignore[no-untyped-def]
    sop = kb.sop_by_id["SOP_REVIEW"]
    assert [(r.key, r.location.line, r.location.column) for r in sop.value_refs] == [
        ("LMG_SOLICIT_01.asks_per_10_minutes", 38, 31), ("LMG_SOLICIT.step2", 39, 28),
        ("LMG_SOLICIT.strike_window", 40, 1), ("LMG_SOLICIT_02.severe_start", 41, 1),
        ("LMG_PASSIVE_01.absence_minutes", 53, 43), ("LMG_PASSIVE.step1.action", 54, 19),
    ]
    index = next(d for d in kb.documents if d.path == "docs/index.md")
    assert [(r.key, r.location.line) for r in index.value_refs] == [("LMG_SOLICIT.strike_window", 4)]


@pytest.mark.parametrize(("key", "text"), [
    ("LMG_SOLICIT.strike_window", "90 days"),
    ("LMG_SOLICIT.appeal_window", "183 days"),
    ("LMG_SOLICIT.appeal_response", "14 days"),
    ("LMG_SOLICIT.steps", "4"),
    ("LMG_SOLICIT.step2", "Gifting suspension for 7 days"),
    ("LMG_SOLICIT.step2.duration", "7 days"),
    ("LMG_SOLICIT.step4.duration", "indefinite"),
    ("LMG_SOLICIT.step4", "Monetization termination"),
    ("LMG_PASSIVE.step1.action", "LIVE demotion"),
    ("LMG_SOLICIT_01.asks_per_10_minutes", "3 requests in 10 minutes"),
    ("LMG_SOLICIT_02.severe_start", "strike 3"),
    ("LMG_PASSIVE_01.absence_minutes", "5 minutes"),
])
def test_policy_values_from_loaded_yaml(kb, key: str, text: str) -> None:  # type: ignore[no-untyped-def]
    value = kb.policy_value(key)
    assert value is not None and value.text == text


@pytest.mark.parametrize("key", ["LMG_SOLICIT", "LMG_SOLICIT.step9", "LMG_SOLICIT.appeal_days",
                                 "LMG_NOPE.strike_window", "LMG_SOLICIT_01.severe_start"])
def test_unknown_policy_values(kb, key: str) -> None:  # type: ignore[no-untyped-def]
    assert kb.policy_value(key) is None


def test_every_offered_key_resolves(kb) -> None:  # type: ignore[no-untyped-def]
    for subject in ("LMG_SOLICIT", "LMG_PASSIVE", "LMG_SOLICIT_01", "LMG_SOLICIT_02"):
        keys = kb.policy_value_keys(subject)
        assert keys
        assert all(kb.policy_value(key) is not None for key in keys)


@pytest.mark.parametrize(("line", "expected"), [
    ("plain text", []),
    ("{pv}`LMG_X.step2`", [("LMG_X.step2", 1)]),
    ("a {pv}`LMG_X.a` and {pv}`LMG_X.b`.", [("LMG_X.a", 3), ("LMG_X.b", 21)]),
    ("shown literally: `` {pv}`LMG_X.a` ``", []),
    ("`{pv}` alone is code", []),
    ("{pv}``LMG_X.a``", [("LMG_X.a", 1)]),
])
def test_pv_uses(line: str, expected: list[tuple[str, int]]) -> None:
    assert pv_uses(line) == expected


@pytest.mark.parametrize(("text", "front", "body", "first_body_line"), [
    ("---\nid: X\n---\n# T\n", "id: X", "# T", 4),
    ("# no front matter\n", None, "# no front matter", 1),
    ("---\nid: X\nnever closed\n", None, "---\nid: X\nnever closed", 1),
    ("", None, "", 1),
    ("---", None, "---", 1),
    ("---\n---", "", "", 3),
    (" --- \r\na: 1\r\nb: 2\r\n\u3000---\t\r\nbody\r\n", "a: 1\nb: 2", "body", 5),
    ("---\na: 1\n----\n---x\n---\n", "a: 1\n----\n---x", "", 6),
])
def test_front_matter(text: str, front: str | None, body: str, first_body_line: int) -> None:
    source = source_text(text)
    got, at, start = front_matter(source)
    assert (got, source[at:], start) == (front, body, first_body_line)


def test_scan_directives_and_fences() -> None:
    lines = [
        "# Title",                       # 10
        "````{step} Outer",              # 11
        ":id: SOP_A_01",                 # 12
        ":actor: Reviewer",              # 13
        "",                              # 14
        "```python",                     # 15
        "# not a heading",               # 16
        "```",                           # 17
        "Uses {pv}`LMG_X.a`.",           # 18
        "````",                          # 19
        "```python",                     # 20
        "{pv}`LMG_X.in_code` is code",   # 21
        "```",                           # 22
        ":::{req} A requirement",        # 23
        ":id: REQ_0001",                 # 24
        ":::",                           # 25
        "## Procedure",                  # 26
    ]
    page = scan(lines, "sop/a.md", first_line=10)
    assert [(h.title, h.level, h.location.line) for h in page.headings] == [("Title", 1, 10), ("Procedure", 2, 26)]
    assert [(d.name, d.argument, d.line) for d in page.directives] == [("step", "Outer", 11), ("req", "A requirement", 23)]
    step = page.directives[0]
    assert step.options == {"id": "SOP_A_01", "actor": "Reviewer"}
    assert step.option_lines == {"id": 12, "actor": 13}
    assert step.body_line == 15 and "# not a heading" in step.body
    assert [(r.key, r.location.line) for r in page.value_refs] == [("LMG_X.a", 18)]


@pytest.mark.parametrize(("value", "expected"), [
    ("A_01, B_02", ("A_01", "B_02")), ("A_01 B_02", ("A_01", "B_02")), ("", ()), (" A_01 ,", ("A_01",)),
])
def test_ids(value: str, expected: tuple[str, ...]) -> None:
    assert ids(value) == expected


def _split_lines(text: str) -> tuple[str | None, list[str], int]:
    """The line-list reading front_matter replaced: the oracle for it (only \n ends a line)."""
    lines = text.replace("\r\n", "\n").split("\n")
    lines = lines[:-1] if lines[-1:] == [""] else lines
    if lines and lines[0].strip() == "---":
        for index in range(1, len(lines)):
            if lines[index].strip() == "---":
                return "\n".join(lines[1:index]), lines[index + 1:], index + 2
    return None, lines, 1


def test_front_matter_reads_as_the_line_list_did() -> None:
    import random

    pieces = ["---", " --- ", "---\t", "\u3000---", "----", "--- x", "a: 1", "", "x", "\x1f---"]
    breaks = ["\n", "\r\n", "\r", "\x0c", "\u2028"]
    rng = random.Random(3)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) + rng.choice(breaks) for _ in range(rng.randint(0, 6)))
        text = text[:-1] if rng.random() < 0.3 else text
        front, body, first = _split_lines(text)
        source = source_text(text)
        got, at, start = front_matter(source)
        assert (got, source[at:], start) == (front, "\n".join(body), first), text


@pytest.mark.parametrize(("path", "root"), [
    ("/kb/policies/a.yaml", "/kb"), ("/kb/a.yaml", "/kb/"), ("/kbx/a.yaml", "/kb"), ("/a.yaml", "/"),
    ("policies/a.yaml", "."), ("/kb/sop/x y.md", "/kb"), ("/elsewhere/a.md", "/kb"),
])
def test_relpath_is_what_relative_to_gives(path: str, root: str) -> None:
    from pathlib import Path

    from govkb.load import relpath

    try:
        expected = Path(path).relative_to(Path(root)).as_posix()
    except ValueError:
        expected = Path(path).as_posix()  # outside the root: the path as it is
    assert relpath(Path(path), Path(root)) == expected
