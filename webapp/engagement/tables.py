"""The HR dashboard as tables, charts and JSON, all built from one `webapp.engagement.dashboard.Dashboard`.

The page renders these tables, the CSV export writes them and `groundswell engagement --json`
prints `dashboard_as_dict` of the same Dashboard, so all three show the same suppressed numbers.
Suppressed values appear as "not enough responses" in tables and CSV, and as
``{"suppressed": true, "reason": "not enough responses"}`` (no numbers) in JSON.
"""

from __future__ import annotations

from analysis import charts
from analysis.engagement import OVERALL
from webapp.infra.exports import SUPPRESSED, Table
from webapp.engagement.dashboard import BY_TITLES, Dashboard


def _r(value, digits: int = 1):
    return None if value is None else round(float(value), digits)


def _cell(value, digits: int = 1):
    return SUPPRESSED if value is None else round(float(value), digits)


def _overall(d: Dashboard):
    return d.results.groups.get(OVERALL)


def _group_label(d: Dashboard, name: str) -> str:
    if name == OVERALL:
        return "Organisation"
    for row in d.rows:
        if row.group == name:
            return row.label
    return name.split("=", 1)[-1]


def tables(d: Dashboard) -> dict[str, Table]:
    """Build every table the dashboard shows, in page order."""
    out: dict[str, Table] = {}
    drivers = [x for x in d.drivers if not x.outcome]
    if d.trend:
        out["trend"] = Table(
            "trend", "Engagement across closed campaigns",
            ("Campaign", "Period", "Engagement index (%)", "eNPS", "Participation (%)"),
            tuple((c.name, c.period, _cell(p.engagement_index), _cell(p.enps), _cell(p.participation_rate))
                  for c, p in d.trend),
            "Whole organisation; engagement index = % favourable on the engagement items; "
            "eNPS = % promoters (9–10) − % detractors (0–6).")
    part_rows = []
    for name in [OVERALL] + [r.group for r in d.rows]:
        p = d.results.participation.get(name)
        if p is None:
            continue
        part_rows.append((_group_label(d, name), *(
            (SUPPRESSED, SUPPRESSED, SUPPRESSED) if p.suppressed else (p.invited, p.submitted, _r(p.rate)))))
    out["participation"] = Table(
        "participation", "Participation", ("Group", "Invited", "Answered", "Participation (%)"), tuple(part_rows),
        f"Shown for groups of at least {d.k} invitees.")
    if not d.campaign.closed:
        return out
    overall = _overall(d)
    if overall is not None:
        impact = {i.driver_id: i for i in overall.driver_impact}
        rows = []
        if overall.suppressed:
            rows.append(("Engagement index", SUPPRESSED, ""))
        else:
            rows.append(("Engagement index", _cell(overall.engagement_index), ""))
            rows.append(("eNPS", _cell(overall.enps), ""))
            for x in drivers:
                i = impact.get(x.id)
                rows.append((x.title, _cell(overall.driver_scores.get(x.id)),
                             "" if i is None or i.rho is None else round(i.rho, 2)))
        out["drivers"] = Table("drivers", "Drivers (whole organisation)",
                               ("Driver", "% favourable", "Impact on engagement (Spearman ρ)"), tuple(rows),
                               "Driver score = % favourable (4 or 5) over the driver's items.")
    if d.by is not None:
        rows = []
        for r in d.rows:
            s = d.results.groups[r.group]
            if s.suppressed:
                rows.append((r.label, SUPPRESSED, SUPPRESSED, SUPPRESSED, *([SUPPRESSED] * len(drivers))))
            else:
                rows.append((r.label, s.n, _cell(s.engagement_index), _cell(s.enps),
                             *(_cell(s.driver_scores.get(x.id)) for x in drivers)))
        out["heatmap"] = Table(
            "heatmap", f"Drivers by {BY_TITLES[d.by].lower()}",
            (BY_TITLES[d.by], "Responses", "Engagement index (%)", "eNPS", *(x.title for x in drivers)),
            tuple(rows), f"% favourable; groups or values with fewer than {d.k} responses, or that could be "
                         "worked out from other groups, show “not enough responses”.")
    if d.comment_themes is not None:
        out["comment_themes"] = Table(
            "comment_themes", "Themes in engagement comments",
            ("Theme", "Key terms", "Comments", "Share (%)", "Sentiment"),
            tuple((t.label, ", ".join(t.terms), t.count, round(100 * t.share, 1), _r(t.sentiment, 2))
                  for t in d.comment_themes), "Whole organisation only.")
    if d.results.comments is not None:
        out["comments"] = Table("comments", "Comments", ("Comment",), tuple((c,) for c in d.results.comments),
                                "Whole organisation, without authors, in random order.")
    else:
        out["comments"] = Table("comments", "Comments", ("Comment",), ((SUPPRESSED,),),
                                f"Shown when at least {d.k} people commented.")
    return out


def figures(d: Dashboard) -> dict[str, object]:
    """Build the dashboard's charts: the engagement trend and the driver heatmap."""
    out = {}
    if d.trend:
        out["trend"] = charts.engagement_trend(
            [c.name for c, _ in d.trend], [_r(p.engagement_index) for _, p in d.trend],
            [_r(p.enps) for _, p in d.trend], [_r(p.participation_rate) for _, p in d.trend])
    if d.campaign.closed and d.by is not None and d.rows:
        drivers = [x for x in d.drivers if not x.outcome]
        scores = []
        for r in d.rows:
            s = d.results.groups[r.group]
            scores.append([None if s.suppressed else _r(s.driver_scores.get(x.id)) for x in drivers])
        out["heatmap"] = charts.driver_heatmap([r.label for r in d.rows], [x.title for x in drivers], scores)
    return out


def _summary(s) -> dict:
    if s.suppressed:
        return {"group": s.group, "suppressed": True, "reason": SUPPRESSED}
    return {
        "group": s.group, "suppressed": False, "n": s.n, "engagement_index": _r(s.engagement_index),
        "enps": _r(s.enps), "promoters_pct": _r(s.promoters_pct), "detractors_pct": _r(s.detractors_pct),
        "driver_scores": {k: _r(v) for k, v in s.driver_scores.items()},
    }


def _participation(p) -> dict:
    if p.suppressed:
        return {"group": p.group, "suppressed": True, "reason": SUPPRESSED}
    return {"group": p.group, "suppressed": False, "invited": p.invited, "submitted": p.submitted,
            "rate": _r(p.rate)}


def dashboard_as_dict(d: Dashboard) -> dict:
    """Turn a Dashboard into the JSON `groundswell engagement --json` prints."""
    c = d.campaign
    data = {
        "campaign": {"id": c.id, "name": c.name, "period": c.period, "status": c.status},
        "min_group_size": d.k,
        "by": d.by,
        "drivers": [{"id": x.id, "title": x.title, "outcome": x.outcome} for x in d.drivers],
        "participation": [_participation(d.results.participation[n])
                          for n in [OVERALL] + [r.group for r in d.rows] if n in d.results.participation],
        "trend": [{"campaign": {"id": cc.id, "name": cc.name, "period": cc.period},
                   "suppressed": p.suppressed, "engagement_index": _r(p.engagement_index), "enps": _r(p.enps),
                   "participation_rate": _r(p.participation_rate)} for cc, p in d.trend],
        "results": None,
    }
    if not c.closed:
        return data
    overall = _overall(d)
    groups = [_summary(d.results.groups[r.group]) | {"label": r.label} for r in d.rows]
    data["results"] = {
        "overall": _summary(overall) | (
            {} if overall.suppressed else
            {"driver_impact": [{"driver_id": i.driver_id, "rho": _r(i.rho, 3), "p": i.p, "n": i.n}
                               for i in overall.driver_impact]}),
        "groups": groups,
        "comments": list(d.results.comments) if d.results.comments is not None else None,
        "comment_themes": None if d.comment_themes is None else [
            {"id": t.theme_key, "label": t.label, "terms": list(t.terms), "count": t.count,
             "share": round(t.share, 4), "sentiment": _r(t.sentiment, 3)} for t in d.comment_themes],
    }
    return data
