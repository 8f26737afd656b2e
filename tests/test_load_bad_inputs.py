"""Bad input never crashes govkb: each case is a finding with the exact code and location.

Every case copies the clean fixture ``tests/fixtures/minikb`` to a temporary folder, breaks
one file, and runs ``govkb check`` in process.  It must exit 1, print the expected
``path:line: CODE``, print no traceback, execute nothing and change no file.
"""

from __future__ import annotations

import re

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from govkb.cli import main
from govkb.load import load_knowledge_base

MINIKB = Path(__file__).parent / "fixtures" / "minikb"
POLICY = "policies/solicit.yaml"
SOP = "sop/review.md"
MARKER = "EXECUTED_MARKER"

BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def replace(path: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        target = root / path
        text = target.read_bytes().decode("utf-8")  # bytes: a lone CR stays one (no newline translation)
        assert old in text, f"{old!r} not in {path}"
        target.write_bytes(text.replace(old, new, 1).encode("utf-8"))
    return mutate


def write(path: str, content: str | bytes) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_bytes(content.encode("utf-8"))
    return mutate


def copy(source: str, destination: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        shutil.copyfile(root / source, root / destination)
    return mutate


def symlink(path: str, target: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        (root / path).symlink_to(target)
    return mutate


# (case id, mutation, expected "path:line: CODE")
CASES: list[tuple[str, Callable[[Path], None], str]] = [
    ("malformed-yaml", replace(POLICY, "title: Gift solicitation\n", "title: [Gift solicitation\n"),
     f"{POLICY}:3: KB101"),
    ("wrong-type", replace(POLICY, "window_days: 183", "window_days: six months"), f"{POLICY}:33: KB105"),
    ("missing-required-field", replace(POLICY, "summary: Creators may thank", "# Creators may thank"),
     f"{POLICY}:1: KB105"),
    ("duplicate-key", replace(POLICY, "owner: lmg-policy\n", "owner: lmg-policy\nowner: lmg-ops\n"),
     f"{POLICY}:7: KB102"),
    ("duplicate-id-across-files", copy(POLICY, "policies/solicit2.yaml"), "policies/solicit2.yaml:1: KB201"),
    ("not-utf8", write("policies/latin1.yaml", "id: LMG_LATIN\ntitle: caf\xe9\n".encode("latin-1")),
     "policies/latin1.yaml:2: KB100"),
    ("empty-file", write("policies/empty.yaml", ""), "policies/empty.yaml:1: KB104"),
    ("alias-bomb", write("policies/bomb.yaml", BILLION_LAUGHS), "policies/bomb.yaml:2: KB103"),
    ("python-tag", write("policies/evil.yaml", f"id: !!python/object/apply:os.system ['touch {MARKER}']\n"),
     "policies/evil.yaml:1: KB103"),
    ("unknown-field", replace(POLICY, "area: gifting-integrity\n", "area: gifting-integrity\ncolour: red\n"),
     f"{POLICY}:8: KB105"),
    ("bad-enum", replace(POLICY, "status: active", "status: live"), f"{POLICY}:4: KB105"),
    ("bad-date", replace(POLICY, "effective: 2026-03-01", "effective: 2026-02-30"), f"{POLICY}:5: KB105"),
    ("sop-without-front-matter", replace(SOP, "---\nid: SOP_REVIEW", "id: SOP_REVIEW"), f"{SOP}:1: KB106"),
    ("sop-front-matter-yaml-error", replace(SOP, "policies: [LMG_SOLICIT, LMG_PASSIVE]", "policies: [LMG_SOLICIT"),
     f"{SOP}:8: KB101"),  # the line with the unclosed '[', not the one after it
    ("step-missing-actor", replace(SOP, ":actor: Reviewer\n:input: A triaged", ":input: A triaged"),
     f"{SOP}:29: KB107"),
    ("step-bad-strike", replace(SOP, ":strike: 2", ":strike: second"), f"{SOP}:36: KB107"),
    ("catalog-wrong-key", replace("policies/catalog/areas.yaml", "areas:", "area:"),
     "policies/catalog/areas.yaml:1: KB105"),
    ("directory-named-yaml", lambda root: (root / "policies/x.yaml").mkdir(),
     "policies/x.yaml:1: KB100 [error] cannot read the file: it is a directory"),
    ("broken-symlink", symlink("policies/gone.yaml", "/nonexistent/gone.yaml"),
     "policies/gone.yaml:1: KB100 [error] cannot read the file: it is a link to nothing"),
    ("symlink-loop", symlink("policies/loop.yaml", "loop.yaml"),
     "policies/loop.yaml:1: KB100 [error] cannot read the file: it is a link to nothing (or a link loop)"),
    ("policy-is-a-list", write("policies/list.yaml", "- id: LMG_LIST\n- title: A list\n"),
     "policies/list.yaml:1: KB105"),
    ("sop-front-matter-is-a-list", write("sop/list.md", "---\n- id: SOP_LIST\n- title: A list\n---\n# A list\n"),
     "sop/list.md:2: KB106"),
    ("step-strike-not-a-number", replace(SOP, ":strike: 2", ":strike: abc"), f"{SOP}:36: KB107"),
    # Nesting of any depth is one finding at the first level too deep (MAX_DEPTH = 64).
    ("deep-flow-nesting", write("policies/deep.yaml", "id: " + "[" * 5000 + "]" * 5000 + "\n"),
     "policies/deep.yaml:1: KB109 [error] the YAML here is nested deeper than 64 levels"),
    ("deep-flow-mappings", write("policies/deep.yaml", "id: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n"),
     "policies/deep.yaml:1: KB109"),
    ("deep-block-nesting", write("policies/deep.yaml", "".join(" " * i + "k:\n" for i in range(300))),
     "policies/deep.yaml:65: KB109"),
    ("deep-sop-front-matter", write("sop/deep.md", "---\nid: " + "[" * 3000 + "]" * 3000 + "\n---\n# Deep\n"),
     "sop/deep.md:2: KB109"),
    # Files over 1 MiB are refused before they are read.
    ("large-policy", write("policies/big.yaml", "id: LMG_BIG\n" + "# padding\n" * 120_000),
     "policies/big.yaml:1: KB108 [error] the file is 1,200,012 bytes"),
    ("large-sop", write("sop/big.md", "---\nid: SOP_BIG\n---\n" + "text\n" * 220_000), "sop/big.md:1: KB108"),
    # Line numbers count \n only, whatever YAML or str.splitlines count as a line break.
    ("line-separators-in-a-policy",
     replace(POLICY, "title: Gift solicitation", "title: Gift\u2028soli\x85cit\u2029a\rtion"),
     f"{POLICY}:2: KB101"),
    ("line-separators-before-a-later-finding",
     lambda root: (replace(POLICY, "title: Gift solicitation", "title: \"Gift\u2028soli\x85cit\u2029a\rtion\"")(root),
                   replace(POLICY, "window_days: 183", "window_days: six months")(root)),
     f"{POLICY}:33: KB105"),
    ("line-separators-in-an-sop", lambda root: (replace(SOP, "# Review and decision", "# Review\u2028and\x85decision\r")(root),
                                                replace(SOP, ":strike: 2", ":strike: second")(root)),
     f"{SOP}:36: KB107"),
    # Reserved indicators and NUL escapes: located, with the fix.
    ("value-starts-with-at", replace(POLICY, "owner: lmg-policy", "owner: @lmg-policy"),
     f"{POLICY}:6: KB101 [error] YAML syntax error: a value cannot start with '@' (it is reserved in YAML); "
     "quote the value"),
    ("value-starts-with-backtick", replace(POLICY, "owner: lmg-policy", "owner: `lmg-policy`"),
     f"{POLICY}:6: KB101 [error] YAML syntax error: a value cannot start with a backtick"),
    ("nul-escape", replace(POLICY, "title: Gift solicitation", 'title: "Gift\\0 solicitation"'),
     f"{POLICY}:2: KB101 [error] a string holds a NUL character"),
]


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(path.relative_to(root).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(MINIKB, root)
    return root


@pytest.mark.parametrize(("mutate", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_a_located_finding(kb: Path, mutate: Callable[[Path], None], expected: str,
                                        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    mutate(kb)
    monkeypatch.chdir(kb)  # a `touch` run by a tag would land here
    before = tree_digest(kb)
    code = main(["--root", str(kb), "check"])
    out, err = capsys.readouterr()
    assert code == 1, out + err
    assert any(line.startswith(expected) for line in out.splitlines()), out
    assert "Traceback" not in out + err
    assert not (kb / MARKER).exists()
    assert tree_digest(kb) == before


def test_python_tag_is_never_executed_by_the_real_cli(kb: Path) -> None:
    write("policies/evil.yaml", f"id: !!python/object/apply:os.system ['touch {MARKER}']\n")(kb)
    before = tree_digest(kb)
    proc = subprocess.run([sys.executable, "-m", "govkb", "--root", str(kb), "check"], cwd=kb,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "policies/evil.yaml:1: KB103" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not (kb / MARKER).exists()
    assert tree_digest(kb) == before


def test_alias_bomb_is_refused_quickly(kb: Path) -> None:
    import time

    write("policies/bomb.yaml", BILLION_LAUGHS)(kb)
    start = time.perf_counter()
    result = load_knowledge_base(kb)
    assert time.perf_counter() - start < 5
    found = [f for f in result.findings if f.path == "policies/bomb.yaml"]
    assert {f.code for f in found} == {"KB103"}
    aliased_anchors = set(re.findall(r"\*(\w+)", BILLION_LAUGHS))
    assert len(found) == len(aliased_anchors), "one finding per anchor, not one per alias use"


def test_every_bad_input_keeps_the_rest_of_the_model(kb: Path) -> None:
    """A broken file is skipped; the other files still load (findings, not a crash)."""
    write("policies/empty.yaml", "")(kb)
    result = load_knowledge_base(kb)
    assert {p.id for p in result.kb.policies} == {"LMG_SOLICIT", "LMG_PASSIVE"}
    assert [f.code for f in result.findings] == ["KB104"]
