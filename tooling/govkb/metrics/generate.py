"""A synthetic case log for any period and size, with seeded randomness.

``python -m govkb.metrics.generate --from 2026-06-01 --to 2026-11-30 --cases 3000 --seed 7 -o data/cases``
writes one CSV per case table (see ``cases.schema.json``).  The decisions come from the
repository's own policies through ``govkb.decide.decide`` (the ladder step for the creator's
active strikes, its dates and appeal window), so the log is consistent with the policies;
everything else (signals, delays, appeals, QA, notices) is drawn from ``random.Random(seed)``
with rates chosen to look like a working review operation (mostly on target, not always).

A module rather than a ``govkb`` subcommand: it is a tool for tests, benchmarks and the
site's sample, not something a policy author runs, so it stays out of the command list.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any, Mapping, Sequence

from govkb.decide import decide
from govkb.metrics.schema import case_schema
from govkb.model import KnowledgeBase, Rule

Row = dict[str, Any]
# Review service levels by severity (hours), as KPI_SLA_ATTAINMENT counts them.
SLA_HOURS = {"critical": 1.0, "severe": 4.0, "major": 24.0, "minor": 72.0}


def _stamp(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


class _Generator:
    def __init__(self, kb: KnowledgeBase, start: dt.date, end: dt.date, seed: int) -> None:
        self.kb, self.rng = kb, random.Random(seed)
        self.start = dt.datetime.combine(start, dt.time())
        self.span = (dt.datetime.combine(end, dt.time()) + dt.timedelta(days=1) - self.start).total_seconds()
        self.end = self.start + dt.timedelta(seconds=self.span)
        self.decide = decide
        self.markets = [m for m in kb.markets if m.id != "GLOBAL"] or list(kb.markets)
        self.policies = [p for p in kb.policies if p.status == "active" and p.ladder.steps and p.rules]
        self.tables: dict[str, list[Row]] = {t: [] for t in case_schema().table_names}
        self.history: dict[str, list[dict[str, Any]]] = {}

    def _minutes(self, mean: float) -> dt.timedelta:
        return dt.timedelta(minutes=self.rng.expovariate(1.0 / mean))

    def _rule(self, market: str) -> Rule:
        eligible = [p for p in self.policies if "GLOBAL" in p.markets or market in p.markets] or self.policies
        return self.rng.choice(self.rng.choice(eligible).rules)

    def run(self, cases: int) -> dict[str, list[Row]]:
        creators = [(f"U{i:06d}", self.rng.choice(self.markets)) for i in range(max(1, cases // 3))]
        moments = sorted(self.start + dt.timedelta(seconds=self.rng.random() * self.span) for _ in range(cases))
        for index, decided in enumerate(moments):
            creator, market = self.rng.choice(creators)
            self._case(f"C{index + 1:07d}", creator, market, decided)
        self._policy_changes()
        return self.tables

    def _case(self, case_id: str, creator: str, market: Any, decided: dt.datetime) -> None:
        rng, rule = self.rng, self._rule(market.id)
        severity = rule.severity
        # A slow month now and then: the review backlog that a trend chart should show.
        backlog = 1.8 if decided.month % 4 == 0 else 1.0
        wait = dt.timedelta(hours=rng.expovariate(1.0 / (SLA_HOURS.get(severity, 24.0) * 0.35 * backlog)))
        first = decided - wait
        dismissed = rng.random() < 0.1
        self._signals(case_id, market.id, rule, first, decided, dismissed)
        if dismissed:
            return
        severe = rule.severe_case is not None and rng.random() < 0.15
        history = self.history.setdefault(f"{creator}", [])
        case = {"case_id": case_id, "rule": rule.id, "severe": severe, "decision_date": decided.date().isoformat(),
                "market": market.id, "history": [dict(h) for h in history]}
        decision = self.decide(self.kb, case)
        if decision.error is not None or decision.action is None:
            return
        action = self.kb.action_by_id.get(decision.action)
        restriction = bool(action and action.restricts)
        automated = severity in ("minor", "major") and not severe and rng.random() < 0.3
        escalated = severity == "critical"
        raised = first + self._minutes(5) if escalated else None
        self.tables["decisions"].append({
            "case_id": case_id, "creator_id": creator, "market": market.id, "policy": decision.policy,
            "policy_version": decision.policy_version, "rule": decision.rule, "severity": severity,
            "severe": _flag(severe), "strike": decision.strike, "action": decision.action,
            "restriction": _flag(restriction), "automated": _flag(automated), "dsa": _flag(market.dsa),
            "opened_time": _stamp(first), "decided_time": _stamp(decided), "effective_time": _stamp(decided), "end_date": str(decision.end_date or ""),
            "strike_expires": str(decision.strike_expires), "appeal_until": str(decision.appeal_until),
            "escalation_raised_time": _stamp(raised),
            "escalation_accepted_time": _stamp(raised + self._minutes(18) if raised else None),
        })
        entry = {"policy": decision.policy, "rule": decision.rule, "strike": decision.strike,
                 "decision_date": decided.date().isoformat(), "reversed": False}
        history.append(entry)
        self._notice(case_id, decided, market.dsa)
        self._appeal(case_id, decided, decision, entry)
        self._qa(case_id, decided)

    def _signals(self, case_id: str, market: str, rule: Rule, first: dt.datetime, decided: dt.datetime,
                 dismissed: bool) -> None:
        rng = self.rng
        for n in range(1 + (rng.random() < 0.35) + (rng.random() < 0.1)):
            kind = "flag" if rng.random() < 0.65 else "report"
            moment = first if n == 0 else first + (decided - first) * rng.random()
            realtime = kind == "flag" and rng.random() < 0.3
            reviewed = kind == "report" or rng.random() < 0.8
            confirmed = (not dismissed and rng.random() < 0.95) if reviewed else None
            action_time = moment + self._minutes(6) if realtime and confirmed else None
            self.tables["signals"].append({
                "signal_id": f"S{len(self.tables['signals']) + 1:08d}", "case_id": case_id, "kind": kind,
                "realtime": _flag(realtime), "signal_time": _stamp(moment), "market": market,
                "policy": rule.policy_id, "rule": rule.id, "reviewed": _flag(reviewed), "confirmed": _flag(confirmed),
                "session_action_time": _stamp(action_time),
            })

    def _notice(self, case_id: str, decided: dt.datetime, dsa: bool) -> None:
        rng = self.rng
        late = rng.random() < 0.008
        sent = decided + (dt.timedelta(hours=rng.uniform(1, 12)) if late else dt.timedelta(0))
        score = rng.choices([1, 2, 3, 4, 5], weights=[4, 6, 12, 38, 40])[0] if rng.random() < 0.4 else ""
        self.tables["notices"].append({"notice_id": f"N{len(self.tables['notices']) + 1:08d}", "case_id": case_id,
                                       "sent_time": _stamp(sent), "sor": _flag(dsa), "survey_score": score})

    def _appeal(self, case_id: str, decided: dt.datetime, decision: Any, entry: dict[str, Any]) -> None:
        rng = self.rng
        if rng.random() >= 0.12:
            return
        filed = decided + dt.timedelta(hours=rng.uniform(1, 24 * 20))
        answered: dt.datetime | None = filed + dt.timedelta(hours=rng.expovariate(1.0 / (24 * 4.5)))
        outcome = rng.choices(["upheld", "reduced", "reversed"], weights=[88, 4, 8])[0]
        if answered is not None and answered > self.end:
            answered, outcome = None, ""
        if filed > self.end:
            return
        entry["reversed"] = outcome == "reversed"
        self.tables["appeals"].append({"appeal_id": f"A{len(self.tables['appeals']) + 1:07d}", "case_id": case_id,
                                       "filed_time": _stamp(filed), "decided_time": _stamp(answered),
                                       "outcome": outcome})

    def _qa(self, case_id: str, decided: dt.datetime) -> None:
        rng = self.rng
        for kind, rate, agree in (("qa", 0.05, 0.96), ("calibration", 0.02, 0.91)):
            if rng.random() < rate:
                moment = min(decided + dt.timedelta(days=rng.uniform(0.5, 5)), self.end - dt.timedelta(seconds=1))
                self.tables["qa_samples"].append({
                    "sample_id": f"Q{len(self.tables['qa_samples']) + 1:07d}", "case_id": case_id, "kind": kind,
                    "sampled_time": _stamp(moment), "agreed": _flag(rng.random() < agree)})

    def _policy_changes(self) -> None:
        """One version change per policy at a random day of the period (SOP counts from the model)."""
        for policy in sorted(self.policies, key=lambda p: p.id):
            day = (self.start + dt.timedelta(seconds=self.rng.random() * self.span)).date()
            serving = sum(1 for s in self.kb.sops if policy.id in s.policies)
            reviewed = serving if self.rng.random() < 0.85 else max(0, serving - 1)
            self.tables["policy_changes"].append({"policy": policy.id, "version": policy.version,
                                                  "effective_date": day.isoformat(), "sops_serving": serving,
                                                  "sops_rereviewed": reviewed})


def generate(kb: KnowledgeBase, start: dt.date, end: dt.date, cases: int, seed: int) -> dict[str, list[Row]]:
    """The tables of a synthetic case log: ``{table: rows}`` in the schema's column order."""
    if end < start:
        raise ValueError(f"--to {end} is before --from {start}")
    return _Generator(kb, start, end, seed).run(cases)


def write_csv(tables: Mapping[str, Sequence[Row]], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in case_schema().tables:
        path = folder / f"{table.name}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(table.column_names), lineterminator="\n")
            writer.writeheader()
            writer.writerows(tables.get(table.name, ()))
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    from govkb.load import load_knowledge_base

    parser = argparse.ArgumentParser(prog="python -m govkb.metrics.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--from", dest="start", type=dt.date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="end", type=dt.date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--root", type=Path, default=Path("."), help="knowledge-base root (default: .)")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="DIR")
    args = parser.parse_args(argv)
    if args.end < args.start:
        parser.error(f"--to {args.end} is before --from {args.start}")
    kb = load_knowledge_base(args.root).kb
    for path in write_csv(generate(kb, args.start, args.end, args.cases, args.seed), args.output):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
