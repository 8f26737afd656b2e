"""``govkb decide``: input shapes, formats, exit codes, the statement-of-reasons batches."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from govkb.cli import main
from govkb.decide import dsa_sor

REPO = Path(__file__).resolve().parent.parent
ROOT = ["--root", str(REPO)]


def case(n: int = 1, market: str = "US", **extra: object) -> dict:
    return {"case_id": f"C{n}", "rule": "LMG_SOLICIT_01", "decision_date": "2026-06-01", "market": market,
            "history": [{"rule": "LMG_SOLICIT_01", "strike": 1, "decision_date": "2026-05-01"}], **extra}


EU = {"content_date": "2026-05-30", "source_type": "SOURCE_VOLUNTARY", "automated_detection": False,
      "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED", "facts": "Gift requests every minute."}


def run(capsys, monkeypatch, stdin: str, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main([*ROOT, "decide", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_one_case_text(capsys, monkeypatch) -> None:
    assert run(capsys, monkeypatch, json.dumps(case()), "--format", "text") == (0, (
        "C1: LMG_SOLICIT_01 strike 2 -> ACT_GIFTING_SUSPEND (7 d), starts 2026-06-01, ends 2026-06-08; "
        "strike expires 2026-08-30; appeal until 2026-12-01\n"), "")


def test_one_pretty_object_json(capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, json.dumps(case(), indent=2))
    assert code == 0
    record = json.loads(out)
    assert list(record) == ["case_id", "policy", "policy_version", "rule", "severe", "decision_date", "strike",
                            "action", "duration_days", "start_date", "end_date", "strike_expires", "appeal_until",
                            "statement_of_reasons", "error"]
    assert (record["strike"], record["end_date"], record["error"]) == (2, "2026-06-08", None)


def test_list_and_jsonl_with_an_error_exit_1(capsys, monkeypatch) -> None:
    cases = [case(1), case(2, rule="LMG_NOPE_01"), case(3)]
    code, out, _ = run(capsys, monkeypatch, json.dumps(cases), "--format", "jsonl")
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["case_id"] for line in lines] == ["C1", "C2", "C3"]
    assert lines[1]["error"] == {"field": "rule", "message": "unknown rule 'LMG_NOPE_01'"}
    jsonl = "\n".join(json.dumps(c) for c in cases) + "\nnot json\n"
    code, out, _ = run(capsys, monkeypatch, jsonl, "--format", "json")
    decided = json.loads(out)
    assert code == 1 and len(decided) == 4 and decided[3]["error"]["field"] == "(line)"
    assert "line 4 is not JSON" in decided[3]["error"]["message"]


def test_today_dates_undated_cases(capsys, monkeypatch) -> None:
    undated = case()
    del undated["decision_date"]
    code, out, _ = run(capsys, monkeypatch, json.dumps(undated), "--today", "2026-06-10", "--format", "jsonl")
    assert code == 0 and json.loads(out)["decision_date"] == "2026-06-10"


@pytest.mark.parametrize("stdin, argv, words", [
    ("", (), "no cases"),
    ("[1, 2", (), "not JSON"),
    ("42", (), "expected a case object"),
    ("{}", ("--format", "xml"), "invalid choice"),
    ("{}", ("--today", "tomorrow"), "not a date"),
    ("{}", ("/no/such/file.jsonl",), "cannot read"),
])
def test_usage_errors_exit_2(capsys, monkeypatch, stdin, argv, words) -> None:
    code, _, err = run(capsys, monkeypatch, stdin, *argv)
    assert code == 2 and words in err


def test_sor_batches_of_100(capsys, monkeypatch, tmp_path) -> None:
    cases = [case(n, market="EU", **EU) for n in range(250)] + [case(999)]  # the US case owes no statement
    stdin = "\n".join(json.dumps(c) for c in cases) + "\n"
    code, out, _ = run(capsys, monkeypatch, stdin, "--format", "sor")
    bodies = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [len(b["statements"]) for b in bodies] == [100, 100, 50]
    assert all(dsa_sor.validate_statement(s) == [] for b in bodies for s in b["statements"])
    code, out, _ = run(capsys, monkeypatch, stdin, "--format", "sor", "-o", str(tmp_path / "sor"))
    files = sorted(p.name for p in (tmp_path / "sor").iterdir())
    assert (code, out, files) == (0, "", ["statements-00001.json", "statements-00002.json", "statements-00003.json"])


def test_sor_errors_go_to_stderr(capsys, monkeypatch) -> None:
    bad = case(market="EU", **{**EU, "facts": "mail me: a@b.example"})
    code, out, err = run(capsys, monkeypatch, json.dumps(bad), "--format", "sor")
    assert (code, out) == (1, "")
    assert err.startswith("govkb: C1: error: facts: holds an e-mail address")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_long_stream_decides_in_order_on_any_number_of_processes(capsys, monkeypatch, jobs) -> None:
    from govkb.commands import decide_read as command

    monkeypatch.setattr(command, "CHUNK", 7)  # several chunks, so the pool is used
    cases = [case(n) if n % 5 else case(n, rule="LMG_NOPE_01") for n in range(60)]
    stdin = "\n".join(json.dumps(c) for c in cases) + "\n{broken\n"
    code, out, _ = run(capsys, monkeypatch, stdin, "--format", "jsonl", "--jobs", jobs)
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [line["case_id"] for line in lines] == [f"C{n}" for n in range(60)] + [""]
    assert [n for n, line in enumerate(lines) if line["error"]] == [*range(0, 60, 5), 60]
    assert lines[60]["error"]["message"].startswith("line 61 is not JSON")
    code, out, _ = run(capsys, monkeypatch, stdin, "--format", "json", "--jobs", jobs)
    assert [d["case_id"] for d in json.loads(out)] == [line["case_id"] for line in lines]


@pytest.mark.parametrize("chunk", [7, 1 << 20])
def test_a_stream_in_blocks_reads_as_lines(capsys, monkeypatch, chunk) -> None:
    """Blank lines, CRLF line ends, a broken line that ends at its newline and a last line
    without one: the same decisions and messages whatever the block size and process count."""
    from govkb.commands import decide_read as command

    monkeypatch.setattr(command, "CHUNK", chunk)
    stdin = (json.dumps(case(1)) + "\r\n\n" + json.dumps(case(2, market="EU", **EU)) + "\n" + '{"case_id": "C3"\n'
             + "   \n" + json.dumps(case(4, rule="LMG_NOPE_01")) + "\n" + json.dumps(case(5)))
    outputs = {run(capsys, monkeypatch, stdin, "--format", "jsonl", "--jobs", jobs) for jobs in ("1", "2")}
    assert len(outputs) == 1
    code, out, _ = outputs.pop()
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and [line["case_id"] for line in lines] == ["C1", "C2", "", "C4", "C5"]
    assert lines[1]["statement_of_reasons"]["puid"] == "C2"
    assert lines[2]["error"]["message"] == "line 4 is not JSON (Expecting ',' delimiter: line 2 column 1 (char 17))"
    assert lines[3]["error"]["field"] == "rule"


@pytest.mark.parametrize("form", ["jsonl", "sor"])
def test_line_numbers_count_blank_lines(capsys, monkeypatch, form) -> None:
    stdin = "\n" + json.dumps(case(1)) + "\n\n\nnot json\n"
    code, out, err = run(capsys, monkeypatch, stdin, "--format", form)
    assert code == 1 and "line 5 is not JSON" in (out if form == "jsonl" else err)


def run_bytes(capsys, monkeypatch, stdin: bytes, *argv: str) -> tuple[int, str, str]:
    """``run`` with standard input as bytes (a byte layer under a text stream, as a terminal or pipe)."""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = main([*ROOT, "decide", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("form", ["jsonl", "text", "sor"])
def test_a_line_that_is_not_utf8_is_an_error_for_that_case(capsys, monkeypatch, jobs, form) -> None:
    from govkb.commands import decide_read as command

    monkeypatch.setattr(command, "CHUNK", 7)  # a block a line: the bad line's block and the others
    lines = [json.dumps(case(1)).encode(), b'{"case_id": "C2\xff"}', json.dumps(case(3)).encode()]
    code, out, err = run_bytes(capsys, monkeypatch, b"\n".join(lines) + b"\n", "--format", form, "--jobs", jobs)
    assert code == 1 and "Traceback" not in err
    assert "line 2 is not UTF-8 text (byte 16: invalid start byte)" in (err if form == "sor" else out)
    if form == "jsonl":
        assert [json.loads(line)["case_id"] for line in out.splitlines()] == ["C1", "", "C3"]


def test_a_document_that_is_not_utf8_is_a_usage_error(capsys, monkeypatch) -> None:
    code, out, err = run_bytes(capsys, monkeypatch, b'[\n{"case_id": "C1"},\n{"case_id": "\xe9"}]')
    assert (code, out) == (2, "")
    assert "line 3 is not UTF-8 text (invalid continuation byte)" in err and "Traceback" not in err


@pytest.mark.parametrize("form", ["jsonl", "json", "text"])
def test_a_lone_surrogate_is_an_error_for_that_case_and_a_pair_is_text(capsys, monkeypatch, form) -> None:
    stdin = (json.dumps(case(1)).replace('"C1"', '"C1\\ud800"') + "\n"
             + json.dumps(case(2)).replace('"C2"', '"C2\\ud83d\\ude00"') + "\n")
    code, out, err = run(capsys, monkeypatch, stdin, "--format", form)
    assert code == 1 and "Traceback" not in err
    assert "line 1 holds a lone surrogate" in out and "C2\N{GRINNING FACE}" in out
    listed = json.dumps([case(1)]).replace('"C1"', '"C1\\udc00"')
    code, out, err = run(capsys, monkeypatch, listed, "--format", form)
    assert code == 1 and "case 1 holds a lone surrogate" in out
