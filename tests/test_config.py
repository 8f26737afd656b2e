"""Finding control as pure functions: selectors, severities, waivers, config, today, exit status."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from govkb import config as cfg
from govkb.errors import FatalError
from govkb.findings import CODES, Finding
from govkb.model import Location

TODAY = dt.date(2026, 11, 25)


def f(code: str, severity: str = "error", subject: str = "X", path: str = "sop/a.md") -> Finding:
    return Finding(code, severity, path, 3, 1, "m", subject)


FINDINGS = [f("KB301"), f("KB302"), f("KB403", "warning"), f("KB501"), f("KB901")]


@pytest.mark.parametrize("values, expected", [
    (None, ()), ("KB5", ("KB5",)), (["KB5,kb301", " KB9 "], ("KB5", "KB301", "KB9")), (["", ","], ()),
])
def test_parse_selectors(values, expected):
    assert cfg.parse_selectors(values) == expected


@pytest.mark.parametrize("select, ignore, kept", [
    ((), (), ["KB301", "KB302", "KB403", "KB501", "KB901"]),
    (("KB5", "KB301"), (), ["KB301", "KB501"]),
    ((), ("KB9",), ["KB301", "KB302", "KB403", "KB501"]),
    (("KB3",), ("KB302",), ["KB301"]),
    (("KB301",), ("KB3",), ["KB301"]),      # the more specific selector wins
    (("KB",), ("KB",), []),                 # a tie drops
])
def test_select_findings(select, ignore, kept):
    assert [x.code for x in cfg.select_findings(FINDINGS, select, ignore)] == kept


def test_unknown_selectors():
    assert cfg.unknown_selectors(["KB5", "KB301", "KB999", "XX"]) == ["KB999", "XX"]


def test_apply_severities_longest_prefix_wins():
    result = cfg.apply_severities(FINDINGS, {"KB3": "info", "KB301": "warning", "KB403": "error"})
    assert [(x.code, x.severity) for x in result] == [
        ("KB301", "warning"), ("KB302", "info"), ("KB403", "error"), ("KB501", "error"), ("KB901", "error")]


def test_fails():
    assert cfg.fails([f("KB403", "warning")], strict=False) is False
    assert cfg.fails([f("KB403", "warning")], strict=True) is True
    assert cfg.fails([f("KB304", "info")], strict=True) is False
    assert cfg.fails([f("KB301")], strict=False) is True


def waiver(**changes) -> cfg.Waiver:
    base = dict(code="KB403", reason="r", owner="lmg-qa", expires=dt.date(2027, 1, 1), subject="X",
                location=Location("govkb-waivers.yaml", 2, 5))
    base.update(changes)
    return cfg.Waiver(**base)


@pytest.mark.parametrize("w, kept", [
    (waiver(), ["KB301", "KB302", "KB501", "KB901"]),
    (waiver(subject="Y"), ["KB301", "KB302", "KB403", "KB501", "KB901", "KB003"]),
    (waiver(code="KB3", subject="", path="sop/*.md"), ["KB403", "KB501", "KB901"]),
    (waiver(subject="", path="policies/*"), ["KB301", "KB302", "KB403", "KB501", "KB901", "KB003"]),
    (waiver(expires=TODAY), ["KB301", "KB302", "KB501", "KB901"]),   # valid through its last day
    (waiver(expires=dt.date(2026, 11, 24)), ["KB301", "KB302", "KB403", "KB501", "KB901", "KB002"]),
])
def test_apply_waivers(w, kept):
    result = cfg.apply_waivers(FINDINGS, [w], TODAY)
    assert [x.code for x in result] == kept
    for item in result:
        if item.code in ("KB002", "KB003"):
            assert (item.path, item.line, item.subject) == ("govkb-waivers.yaml", 2, "KB403")


GOOD = """\
waivers:
  - code: KB403
    subject: SOP_QA
    reason: Review postponed until the re-org.
    owner: lmg-qa
    expires: 2027-01-31
"""


@pytest.mark.parametrize("text, line, words", [
    ("waivers: [\n", 2, "YAML"),
    ("- code: KB403\n", 1, "one key"),
    ("waivers:\n  - just text\n", 2, "mapping"),
    (GOOD.replace("    owner: lmg-qa\n", ""), 2, "missing owner"),
    (GOOD.replace("    subject: SOP_QA\n", ""), 2, "subject"),
    (GOOD.replace("2027-01-31", "soon"), 2, "not a date"),
    (GOOD.replace("KB403", "KB999"), 2, "not a finding code"),
    (GOOD + "    colour: red\n", 2, "unknown field"),
    ("waivers:\n  - &a {code: KB403}\n  - *a\n", 3, "alias"),
    ("", 1, ""),
])
def test_malformed_waivers_are_findings(tmp_path: Path, text, line, words):
    (tmp_path / "w.yaml").write_text(text, encoding="utf-8")
    waivers, problems = cfg.load_waivers(tmp_path, "w.yaml")
    assert problems and all(p.code == "KB001" and p.path == "w.yaml" for p in problems)
    assert problems[0].line == line and words in problems[0].message


def test_missing_waiver_file_is_a_finding(tmp_path: Path):
    _, problems = cfg.load_waivers(tmp_path, "nope.yaml")
    assert [(p.code, p.path) for p in problems] == [("KB001", "nope.yaml")]


def test_good_waiver_file(tmp_path: Path):
    (tmp_path / "w.yaml").write_text(GOOD, encoding="utf-8")
    waivers, problems = cfg.load_waivers(tmp_path, "w.yaml")
    assert problems == []
    assert waivers[0].subject == "SOP_QA" and waivers[0].expires == dt.date(2027, 1, 31)
    assert waivers[0].location == Location("w.yaml", 2, 5)


@pytest.mark.parametrize("table, words", [
    ({"colour": "red"}, "unknown key"),
    ({"select": ["KB999"]}, "unknown code"),
    ({"severity": {"KB403": "fatal"}}, "use error, warning, info"),
    ({"severity": "KB403=error"}, "must be a table"),
    ({"today": "tomorrow"}, "not a date"),
    ({"help_uri": ""}, "URL of the site's Checks page"),
    ({"help_uri": "https://kb.example.org/docs/checks page.html"}, "URL of the site's Checks page"),
    ({"help_uri": 3}, "URL of the site's Checks page"),
])
def test_bad_config_is_a_usage_error(table, words):
    with pytest.raises(FatalError, match=words):
        cfg.config_from_table(table, "pyproject.toml")


def test_config_from_table():
    config = cfg.config_from_table({"select": "KB3,KB4", "ignore": ["kb9"], "severity": {"kb403": "Error"},
                                    "waivers": "w.yaml", "today": "2026-01-02"})
    assert config.select == ("KB3", "KB4") and config.ignore == ("KB9",)
    assert config.severity == (("KB403", "error"),) and config.waivers == "w.yaml"
    assert config.today == dt.date(2026, 1, 2)
    assert config.help_uri == "docs/checks.html"  # relative to the site's root by default
    assert cfg.config_from_table({"help_uri": "https://kb.example.org/docs/checks.html"}).help_uri == \
        "https://kb.example.org/docs/checks.html"


def test_load_config_reads_tool_govkb(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.govkb]\nignore = ["KB9"]\n', encoding="utf-8")
    assert cfg.load_config(tmp_path).ignore == ("KB9",)
    assert cfg.load_config(tmp_path / "nothing") == cfg.Config()
    (tmp_path / "pyproject.toml").write_text("[tool.govkb\n", encoding="utf-8")
    with pytest.raises(FatalError, match="pyproject.toml"):
        cfg.load_config(tmp_path)


def test_resolve_today_precedence():
    config = cfg.Config(today=dt.date(2020, 1, 1))
    assert cfg.resolve_today(config, {"GOVKB_TODAY": "2021-01-01"}, "2022-01-01") == dt.date(2022, 1, 1)
    assert cfg.resolve_today(config, {"GOVKB_TODAY": "2021-01-01"}) == dt.date(2021, 1, 1)
    assert cfg.resolve_today(config, {}) == dt.date(2020, 1, 1)
    assert cfg.resolve_today(cfg.Config(), {}) == dt.date.today()
    with pytest.raises(FatalError, match="GOVKB_TODAY"):
        cfg.resolve_today(config, {"GOVKB_TODAY": "someday"})


def test_every_code_is_documented():
    # The site renders one page per code from these fields.
    for code in CODES.values():
        assert code.title and code.hint and code.severity in ("error", "warning", "info"), code.code
        if code.code[2] in "023456789":
            assert code.example, f"{code.code} has no example"
