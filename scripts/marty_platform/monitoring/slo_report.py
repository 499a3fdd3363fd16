"""Remaining error budget per SLO, from the recording rules Sloth generates.

Every generated rule file (monitoring/rules/generated/slo-<service>.yaml) records, per SLO and
labelled `sloth_service` / `sloth_slo`:

- `slo:objective:ratio`            the objective (0.9995 for 99.95%)
- `slo:error_budget:ratio`         1 - objective
- `slo:sli_error:ratio_rate30d`    the error ratio over the 30-day SLO period

The budget remaining is `1 - error_ratio / error_budget` (1 = untouched, 0 = spent, negative =
overspent), the same as Sloth's `slo:period_error_budget_remaining:ratio`.

This module is pure computation: `parse_results` turns Prometheus HTTP API query responses into
samples, `build_report` joins them into rows, `text`/`as_json` format them. Fetching the
responses (live, or from a results file) lives in `fetch_live` and `load_results_file`; both
return the same `{query: response body}` mapping.

Results file format (`--results FILE`, JSON), either of:

    {"slo:objective:ratio": <body>, "slo:error_budget:ratio": <body>,
     "slo:sli_error:ratio_rate30d": <body>}

    [{"query": "slo:objective:ratio", "response": <body>}, ...]

where <body> is exactly what `GET /api/v1/query?query=<query>` returns:
`{"status": "success", "data": {"resultType": "vector", "result": [{"metric": {...},
"value": [<unix time>, "<value>"]}, ...]}}`. A sample whose labels carry `__name__` is
classified by that name, so a single selector query over all three series also works.
"""
from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from marty_platform.monitoring import budget_bars

OBJECTIVE = "slo:objective:ratio"
ERROR_BUDGET = "slo:error_budget:ratio"
ERROR_RATIO = "slo:sli_error:ratio_rate30d"
QUERIES = (OBJECTIVE, ERROR_BUDGET, ERROR_RATIO)

SERVICE_LABEL = "sloth_service"
SLO_LABEL = "sloth_slo"

OK = "OK"
AT_RISK = "AT RISK"
EXHAUSTED = "EXHAUSTED"
NO_DATA = "NO DATA"

DEFAULT_AT_RISK_BELOW = 0.25  # less than 25% of the budget left


class ResultsError(ValueError):
    """A results file or a Prometheus response that is not a query response."""


@dataclass(frozen=True)
class Sample:
    metric: str
    service: str
    slo: str
    value: float  # NaN when Prometheus has no defined value (0/0: no traffic)


@dataclass(frozen=True)
class Row:
    service: str
    slo: str
    objective: float | None        # ratio, 0.9995
    error_ratio_30d: float | None  # ratio over the period; None without traffic
    budget_remaining: float | None  # 1 untouched, 0 spent, < 0 overspent
    status: str

    def as_dict(self) -> dict:
        return asdict(self)


# --- parsing -----------------------------------------------------------------------------------

def _value(raw: object) -> float:
    if not (isinstance(raw, list) and len(raw) == 2):
        raise ResultsError(f"sample value must be [time, \"value\"], got {raw!r}")
    try:
        return float(raw[1])  # Prometheus sends "NaN", "+Inf" as strings; float() takes them
    except (TypeError, ValueError):
        raise ResultsError(f"sample value {raw[1]!r} is not a number") from None


def parse_response(query: str, body: object) -> list[Sample]:
    """Samples of one instant-query response body. Samples of other series are skipped."""
    if not isinstance(body, dict):
        raise ResultsError(f"{query}: response is not a JSON object")
    if body.get("status") != "success":
        raise ResultsError(f"{query}: Prometheus answered {body.get('status')!r}: "
                           f"{body.get('error', 'no error message')}")
    data = body.get("data")
    if not isinstance(data, dict) or data.get("resultType") != "vector":
        raise ResultsError(f"{query}: expected an instant vector (data.resultType: vector)")
    samples = []
    for item in data.get("result") or []:
        if not isinstance(item, dict) or not isinstance(item.get("metric"), dict):
            raise ResultsError(f"{query}: a result entry has no `metric` object")
        labels = item["metric"]
        name = labels.get("__name__") or query.strip()
        if name not in QUERIES or SERVICE_LABEL not in labels or SLO_LABEL not in labels:
            continue
        samples.append(Sample(name, str(labels[SERVICE_LABEL]), str(labels[SLO_LABEL]),
                              _value(item.get("value"))))
    return samples


def parse_results(results: dict[str, object]) -> list[Sample]:
    return [s for query, body in results.items() for s in parse_response(query, body)]


def normalise_results(document: object) -> dict[str, object]:
    """The two accepted shapes of a results file, as one {query: body} mapping."""
    if isinstance(document, dict):
        if "status" in document and "data" in document:
            return {"": document}  # a single bare response: samples must carry __name__
        return {str(k): v for k, v in document.items()}
    if isinstance(document, list):
        out: dict[str, object] = {}
        for index, entry in enumerate(document):
            if not (isinstance(entry, dict) and "query" in entry and "response" in entry):
                raise ResultsError(f"entry {index}: expected {{\"query\": ..., \"response\": ...}}")
            out[str(entry["query"])] = entry["response"]
        return out
    raise ResultsError("expected a JSON object {query: response} or a list of "
                       "{query, response} entries")


# --- computation -------------------------------------------------------------------------------

def _defined(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def status_of(remaining: float | None, at_risk_below: float = DEFAULT_AT_RISK_BELOW) -> str:
    if not _defined(remaining):
        return NO_DATA
    if remaining <= 0:
        return EXHAUSTED
    if remaining < at_risk_below:
        return AT_RISK
    return OK


def build_report(samples: list[Sample], *, expected: list[tuple[str, str]] = (),
                 at_risk_below: float = DEFAULT_AT_RISK_BELOW) -> list[Row]:
    """One row per (service, slo), sorted. Several series of the same SLO (Prometheus replicas,
    external labels) are reduced conservatively: the highest error ratio, the lowest objective.
    `expected` adds rows (NO DATA) for SLOs the repository defines but Prometheus does not know.
    """
    values: dict[tuple[str, str], dict[str, float]] = {}
    for s in samples:
        per = values.setdefault((s.service, s.slo), {})
        if math.isnan(s.value):
            continue
        if s.metric == ERROR_RATIO:
            per[s.metric] = max(per.get(s.metric, s.value), s.value)
        elif s.metric == OBJECTIVE:
            per[s.metric] = min(per.get(s.metric, s.value), s.value)
        else:  # error budget: the largest objective's budget is the smallest
            per[s.metric] = min(per.get(s.metric, s.value), s.value)
    for key in expected:
        values.setdefault(key, {})
    rows = []
    for (service, slo), per in sorted(values.items()):
        objective = per.get(OBJECTIVE)
        budget = per.get(ERROR_BUDGET)
        if budget is None and objective is not None:
            budget = 1 - objective
        if objective is None and budget is not None:
            objective = 1 - budget
        ratio = per.get(ERROR_RATIO)
        remaining = None
        if ratio is not None and budget is not None and budget > 0:
            remaining = 1 - ratio / budget
        rows.append(Row(service, slo, objective, ratio, remaining,
                        status_of(remaining, at_risk_below)))
    return rows


def exhausted(rows: list[Row]) -> list[Row]:
    return [r for r in rows if r.status == EXHAUSTED]


# --- formatting --------------------------------------------------------------------------------

def _pct(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value * 100:.{digits}f}%"


def text(rows: list[Row]) -> str:
    header = ("SERVICE", "SLO", "OBJECTIVE", "30D ERROR RATIO", "BUDGET REMAINING", "STATUS")
    table = [header] + [(r.service, r.slo, _pct(r.objective, 2), _pct(r.error_ratio_30d, 4),
                         _pct(r.budget_remaining, 1), r.status) for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    right = {2, 3, 4}
    lines = ["  ".join(cell.rjust(w) if i in right else cell.ljust(w)
                       for i, (cell, w) in enumerate(zip(line, widths))).rstrip()
             for line in table]
    counts = {s: sum(r.status == s for r in rows) for s in (OK, AT_RISK, EXHAUSTED, NO_DATA)}
    summary = ", ".join(f"{n} {s.lower()}" for s, n in counts.items() if n) or "no SLOs"
    return "\n".join(lines + ["", f"{len(rows)} SLO(s): {summary}"]) + "\n"


@dataclass(frozen=True)
class SloReport:
    """What `scripts/slo-report` reports: one row per SLO."""

    rows: list[Row]

    @property
    def exhausted(self) -> list[Row]:
        return exhausted(self.rows)


def report_for(results: dict[str, object], root: Path, services: tuple[str, ...] = (),
               at_risk_below: float = DEFAULT_AT_RISK_BELOW) -> SloReport:
    """The report of the query `results` for the SLOs specified under `root` (only `services`'
    when given)."""
    samples = parse_results(results)
    expected = expected_slos(root)
    if services:
        samples = [s for s in samples if s.service in services]
        expected = [e for e in expected if e[0] in services]
    return SloReport(build_report(samples, expected=expected, at_risk_below=at_risk_below))


def markdown(rows: list[Row]) -> str:
    out = ["<!-- marty-slo-report -->", "### Error budgets (30 days)", "",
           "| Service | SLO | Objective | 30d error ratio | Budget remaining | Status |",
           "|---|---|---:|---:|---:|---|"]
    out += [f"| {r.service} | {r.slo} | {_pct(r.objective, 2)} | {_pct(r.error_ratio_30d, 4)} "
            f"| {_pct(r.budget_remaining, 1)} | {r.status} |" for r in rows]
    bars = budget_bars.bar_lines(rows)
    if bars:
        out += ["", "#### Budget remaining per service (its lowest SLO)", "", "```text", *bars,
                "```"]
    return "\n".join(out) + "\n"


def as_json(rows: list[Row]) -> str:
    return json.dumps({"slos": [r.as_dict() for r in rows],
                       "exhausted": len(exhausted(rows))}, indent=2) + "\n"


# --- I/O ---------------------------------------------------------------------------------------

class PrometheusUnreachable(RuntimeError):
    pass


def fetch_live(url: str, timeout: float = 10.0) -> dict[str, object]:
    """Run the three instant queries against Prometheus at `url`."""
    results: dict[str, object] = {}
    base = url.rstrip("/")
    for query in QUERIES:
        target = f"{base}/api/v1/query?{urllib.parse.urlencode({'query': query})}"
        try:
            with urllib.request.urlopen(target, timeout=timeout) as response:  # noqa: S310
                results[query] = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            # Prometheus answers 400/422/503 with a JSON error body; show its message.
            try:
                detail = json.loads(exc.read().decode("utf-8")).get("error", exc.reason)
            except (ValueError, AttributeError):
                detail = exc.reason
            raise PrometheusUnreachable(f"{base}: HTTP {exc.code} for {query}: {detail}"
                                        ) from None
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PrometheusUnreachable(f"cannot reach Prometheus at {base}: {reason}") from None
        except ValueError:
            raise PrometheusUnreachable(f"{base}: the answer to {query} is not JSON") from None
    return results


def load_results_file(path: Path) -> dict[str, object]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ResultsError(f"{path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ResultsError(f"{path}: not JSON: {exc}") from None
    return normalise_results(document)


def expected_slos(root: Path) -> list[tuple[str, str]]:
    """(service, slo) of every SLO spec in monitoring/slo/."""
    from marty_platform.monitoring.slo_specs import load_specs

    out = []
    for doc in load_specs(root).values():
        if isinstance(doc, dict):
            for slo in doc.get("slos") or []:
                if isinstance(slo, dict) and slo.get("name"):
                    out.append((str(doc.get("service")), str(slo["name"])))
    return out
