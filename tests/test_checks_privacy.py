"""Privacy checks KB901-KB905: no personal data in published text."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "checks"))
import kbfactory as k  # noqa: E402

from govkb.checks.privacy import scan_line  # noqa: E402

TEAMS = frozenset({"@example-org/lmg-ops"})


@pytest.mark.parametrize("text, code, column", [
    ("Write to jane.doe@gmail.com today.", "KB901", 10),
    ("Write to ops@corp.io", "KB901", 10),
    ("Call +44 7700 912345 now.", "KB902", 6),
    ("Call (212) 555-1234.", "KB902", 6),
    ("Call 212-555-1234.", "KB902", 6),
    ("@dancer_jane asked for roses.", "KB903", 1),
    ("Ask @someone.else about it.", "KB903", 5),
    ("Route to @real-org/team.", "KB903", 10),
    ("The case of uid 123456789.", "KB904", 13),
    ("user_id: 68123456789", "KB904", 1),
    ("Account ID = 1234567", "KB904", 1),
    ("See https://www.tiktok.com/@somecreator for the clip.", "KB905", 5),
    ("See youtube.com/@channelname.", "KB905", 5),
    ("See https://twitch.tv/streamer_x.", "KB905", 5),
    ("See instagram.com/some.creator", "KB905", 5),
])
def test_personal_data_fires(text, code, column):
    found = list(scan_line(text, TEAMS))
    assert [(c, col) for c, col, _ in found] == [(code, column)]


@pytest.mark.parametrize("text", [
    "Write to lmg-ops@example.com or ops@team.example.org or a@b.example.",
    "Write to ops@example.net.",
    "Ask @example_creator (a made-up handle) or @example-org/anything.",
    "Route reviews to @example-org/lmg-ops.",
    "The fictional number +1 555 0100 is fine.",
    "Policy 2026-03-01, version 1.2.0, REQ_0001, 3 requests in 10 minutes, 183 days.",
    "Read https://newsroom.tiktok.com/en-us/live-subscription-invite-only",
    "See https://www.twitch.tv/p/en/legal/community-guidelines/ and help.instagram.com/123",
    "The user id is in the case record, never here.",
    "An email like `name@domain` is not an address.",
    "Earn +10 % more, 100 000 viewers.",
])
def test_personal_data_quiet(text):
    assert list(scan_line(text, TEAMS)) == []


def test_sop_line_and_column():
    kb = k.with_sop(k.sop_text("Warn @dancer_jane before acting."))
    found = k.of(kb, "KB903")
    assert [(f.path, f.line, f.column, f.subject) for f in found] == [
        ("sop/review.md", k.BODY_LINE, 6, "SOP_REVIEW")]


def test_policy_lines_are_scanned():
    kb = k.with_policy(text="id: LMG_SOLICIT\nsummary: call jane@gmail.com")
    found = k.of(kb, "KB901")
    assert [(f.path, f.line, f.column, f.subject) for f in found] == [(k.P, 2, 15, "LMG_SOLICIT")]


def test_document_lines_are_scanned():
    doc = k.m.Document("docs/about.md", (), "# About\n\nFollow tiktok.com/@someone for news.")
    found = k.of(k.base_kb(documents=(doc,)), "KB905")
    assert [(f.path, f.line, f.column) for f in found] == [("docs/about.md", 3, 8)]


def test_catalog_text_is_scanned_at_the_record():
    kb = k.base_kb()
    owner = replace(kb.owners[1], contact="jane.doe@gmail.com")
    found = k.of(replace(kb, owners=(kb.owners[0], owner)), "KB901")
    assert k.where(found) == [("policies/catalog/owners.yaml", 8, "lmg-ops")]


def test_owner_team_handles_are_allowed_everywhere():
    kb = k.base_kb()
    owner = replace(kb.owners[1], github_team="@acme/ops-team")
    kb = replace(kb, owners=(kb.owners[0], owner), sops=(k.sop_from_text(k.sop_text("Ask @acme/ops-team.")),))
    assert k.of(kb, "KB903") == []


@pytest.mark.parametrize("text", [
    "call 212-555-0123", "call 212.555.0123", "call 212-555.0123", "call 212.555-0123", "uid 1234567",
    "id 123456", "id 12345", "212-55-0123", "12-345-6789", "a 999.999.9999 b", "no digits", "1.2.3 and 45-67",
])
def test_digit_hints_prefilter_loses_no_hint(text):
    # The one-pass shape test must let through every text _DIGITS_HINT matches, and only those.
    from govkb.checks.privacy import _DIGITS_HINT, _digit_hints

    assert [m.span() for m in _digit_hints(text)] == [m.span() for m in _DIGITS_HINT.finditer(text)]
