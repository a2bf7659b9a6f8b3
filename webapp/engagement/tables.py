"""The HR dashboard as tables, charts and JSON, all built from one `webapp.engagement.dashboard.Dashboard`.

The page renders these tables, the CSV export writes them and `groundswell engagement --json`
prints `dashboard_as_dict` of the same Dashboard, so all three show the same suppressed numbers.
A hidden value says why, in tables, CSV and JSON alike: "fewer than 5 responses" (a group below
k) or "hidden so that another group can't be worked out" (secondary suppression), with k written out
(`analysis.privacy.describe`); JSON adds the one-line explanation and never any number.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis import charts, privacy
from analysis.engagement import OVERALL
from analysis.sentiment import RULE_EXPLANATION, SCALE_EXPLANATION
from webapp.engagement.comments import OTHER_LABEL
from webapp.engagement.dashboard import BY_TITLES, Dashboard
from webapp.engagement.teams import TeamView
from webapp.infra.exports import SUPPRESSED, Hidden, Table
from webapp.insights.report_json import sentiment_fields
from webapp.insights.tables import sentiment_cells


def _r(value, digits: int = 1):
    return None if value is None else round(float(value), digits)


def _why(reason: str | None, k: int) -> Hidden:
    """The label a hidden value shows: its reason with k written out."""
    try:
        return Hidden(privacy.describe(reason or privacy.REASON_TOO_FEW, k)[0])
    except ValueError:  # a reason written by older code
        return Hidden(SUPPRESSED)


def _explain(reason: str | None, k: int) -> str:
    try:
        return privacy.describe(reason or privacy.REASON_TOO_FEW, k)[1]
    except ValueError:
        return ""


def _cell(value, digits: int = 1, hidden: str | None = None):
    return (hidden or Hidden(SUPPRESSED)) if value is None else round(float(value), digits)


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
            tuple((c.name, c.period, *(_cell(v, hidden=_why(p.reason, d.k))
                                       for v in (p.engagement_index, p.enps, p.participation_rate)))
                  for c, p in d.trend),
            "Whole organisation; engagement index = % favourable on the engagement items; "
            "eNPS = % promoters (9–10) − % detractors (0–6).")
    part_rows = []
    for name in [OVERALL] + [r.group for r in d.rows]:
        p = d.results.participation.get(name)
        if p is None:
            continue
        part_rows.append((_group_label(d, name), *(
            (_why(p.reason, d.k),) * 3 if p.suppressed else (p.invited, p.submitted, _r(p.rate)))))
    out["participation"] = Table(
        "participation", "Participation", ("Group", "Invited", "Answered", "Participation (%)"), tuple(part_rows),
        f"Shown for groups of at least {d.k} invitees, under the same rules as the results.")
    if not d.campaign.closed:
        return out
    overall = _overall(d)
    if overall is not None:
        impact = {i.driver_id: i for i in overall.driver_impact}
        rows = []
        if overall.suppressed:
            rows.append(("Engagement index", _why(overall.reason, d.k), ""))
        else:
            few = _why(privacy.REASON_TOO_FEW, d.k)
            rows.append(("Engagement index", _cell(overall.engagement_index, hidden=few), ""))
            for x in drivers:
                i = impact.get(x.id)
                rows.append((x.title, _cell(overall.driver_scores.get(x.id), hidden=few),
                             "" if i is None or i.rho is None else round(i.rho, 2)))
        out["drivers"] = Table("drivers", "Drivers (whole organisation)",
                               ("Driver", "% favourable", "Link to engagement (Spearman ρ)"), tuple(rows),
                               "Driver score = % favourable (4 or 5) over the driver's items; eNPS, in points "
                               "from −100 to +100, is not a % favourable and is shown on its own.")
    if d.by is not None:
        rows = []
        for r in d.rows:
            s = d.results.groups[r.group]
            if s.suppressed:
                rows.append((r.label, *([_why(s.reason, d.k)] * (3 + len(drivers)))))
            else:
                few = _why(privacy.REASON_TOO_FEW, d.k)
                rows.append((r.label, s.n, _cell(s.engagement_index, hidden=few), _cell(s.enps, hidden=few),
                             *(_cell(s.driver_scores.get(x.id), hidden=few) for x in drivers)))
        out["heatmap"] = Table(
            "heatmap", f"Drivers by {BY_TITLES[d.by].lower()}",
            (BY_TITLES[d.by], "Responses", "Engagement index (%)", "eNPS", *(x.title for x in drivers)),
            tuple(rows), f"% favourable; a hidden group or value says why (fewer than {d.k} responses, or "
                         "hidden so that another group can't be worked out).")
    view = d.comments
    if d.comment_themes is not None and view is not None:
        rows = [(t.label, ", ".join(t.terms), t.count, round(100 * t.share, 1),
                 _r(t.sentiment.mean if t.sentiment else None, 2), *sentiment_cells(t.sentiment))
                for t in d.comment_themes]
        rows += [(g.label, "", g.count, round(100 * g.count / view.total, 1), "", "", "",
                  "several small themes together: no sentiment of their own")
                 for g in view.groups if g.theme_key is None]
        out["comment_themes"] = Table(
            "comment_themes", "Themes in engagement comments",
            ("Theme", "Key terms", "Comments", "Share (%)", "Sentiment",
             # the leader report's sentiment columns, after the ones above (which keep their order)
             "Sentiment shown", "Sentiment band", "Sentiment note"), tuple(rows),
            f"Whole organisation only. A theme has its own row when at least {d.k} people wrote in it; "
            f"smaller themes are counted together under “{OTHER_LABEL}”. {SCALE_EXPLANATION} {RULE_EXPLANATION}")
    if view is not None:
        searched = f" Comments containing “{view.query}”." if view.query else ""
        out["comments"] = Table("comments", "Comments", ("Comment", "Theme"),
                                tuple((c, g.label) for g in view.groups for c in g.comments),
                                "Whole organisation, without authors, in random order." + searched)
    else:
        out["comments"] = Table("comments", "Comments", ("Comment", "Theme"),
                                ((_why(privacy.REASON_TOO_FEW, d.k), ""),),
                                f"Shown when at least {d.k} people commented.")
    return out


def _survey_title(template_id: str, version: int) -> str:
    from surveys.loader import get_survey

    try:
        return get_survey(template_id, version).title
    except KeyError:
        return template_id


def figures(d: Dashboard) -> dict[str, object]:
    """Build the dashboard's chart: engagement across closed campaigns, one series per survey.

    The engagement index and participation (%) share the upper axis; eNPS (points, -100..100) has
    its own axis below. Different surveys (the short planning pulse, the annual survey) are never
    joined into one line: their items differ, so their indexes don't compare point to point.
    """
    return {"trend": _trend_figure(d.trend)} if d.trend else {}


def _trend_figure(points):
    periods = list(dict.fromkeys(c.period for c, _ in points))
    percent: dict[str, list] = {}
    enps: dict[str, list] = {}
    for c, p in points:
        survey = _survey_title(c.template_id, c.template_version)
        percent.setdefault(f"Engagement index (%) · {survey}", []).append((c.period, _r(p.engagement_index)))
        percent.setdefault(f"Participation (%) · {survey}", []).append((c.period, _r(p.participation_rate)))
        enps.setdefault(f"eNPS (points) · {survey}", []).append((c.period, _r(p.enps)))
    return charts.engagement_trend(periods, percent, enps)


#: Words for the strength of a driver's link to engagement (|Spearman rho|; Cohen's conventions).
LINK_WORDS = ((0.5, "strong link"), (0.3, "moderate link"), (0.1, "weak link"), (0.0, "little or no link"))
FAVOURABLE_BANDS = 10  # the heatmap colours % favourable in bands of 10 points (CSS classes fav-0..fav-10)


@dataclass(frozen=True)
class Cell:
    """One heatmap or summary cell as the page shows it: a value, its colour band, and why it is empty."""

    text: str
    band: int | None = None  # 0..10 (% favourable // 10), None for no colour
    hidden_reason: str | None = None  # set when the value is not shown

    @property
    def css(self) -> str:
        if self.hidden_reason is not None:
            return "cell-hidden"
        return "" if self.band is None else f"fav-{self.band}"


@dataclass(frozen=True)
class HeatmapRow:
    label: str
    responses: Cell
    index: Cell
    enps: Cell
    drivers: tuple[Cell, ...]


def _reason_of(s, k: int) -> str:
    return f"{_why(s.reason, k)}: {_explain(s.reason, k)}"


def _pct_cell(value, reason: str | None) -> Cell:
    if value is None:
        return Cell("", hidden_reason=reason or SUPPRESSED)
    v = float(value)
    return Cell(f"{v:.0f}%", band=min(FAVOURABLE_BANDS, max(0, int(v // 10))))


def heatmap(d: Dashboard) -> tuple[tuple[str, ...], tuple[HeatmapRow, ...]] | None:
    """Groups x drivers coloured by % favourable; hidden cells empty, with the reason to hover."""
    if d.by is None or not d.campaign.closed or not d.rows:
        return None
    drivers = [x for x in d.drivers if not x.outcome]
    rows = []
    for r in d.rows:
        s = d.results.groups[r.group]
        if s.suppressed:
            hidden = Cell("", hidden_reason=_reason_of(s, d.k))
            rows.append(HeatmapRow(r.label, hidden, hidden, hidden, tuple(hidden for _ in drivers)))
            continue
        why = f"fewer than {d.k} answers to this driver's items in the group"
        rows.append(HeatmapRow(
            r.label, Cell(str(s.n)), _pct_cell(s.engagement_index, why),
            Cell("" if s.enps is None else f"{s.enps:+.0f}", hidden_reason=None if s.enps is not None else why),
            tuple(_pct_cell(s.driver_scores.get(x.id), why) for x in drivers)))
    return tuple(x.title for x in drivers), tuple(rows)


@dataclass(frozen=True)
class DriverLine:
    title: str
    favourable: Cell
    link: str  # the link to engagement in words
    statistic: str  # the statistic behind the words, shown on hover


def driver_lines(d: Dashboard) -> tuple[DriverLine, ...]:
    """The organisation's drivers, strongest link to engagement first, the statistic on hover."""
    overall = _overall(d)
    if overall is None or overall.suppressed or not d.campaign.closed:
        return ()
    impact = {i.driver_id: i for i in overall.driver_impact}
    lines = []
    for x in d.drivers:
        if x.outcome:
            continue
        i = impact.get(x.id)
        rho = None if i is None else i.rho
        words = "not enough answers to tell"
        stat = ""
        if rho is not None:
            words = next(w for cut, w in LINK_WORDS if abs(rho) >= cut)
            stat = f"Spearman ρ = {rho:.2f} between this driver and the engagement items (n = {i.n})"
        lines.append((-(abs(rho) if rho is not None else -1), DriverLine(
            x.title, _pct_cell(overall.driver_scores.get(x.id), f"fewer than {d.k} answers"), words, stat)))
    ordered = [line for _, line in sorted(lines, key=lambda t: t[0])]
    if ordered and ordered[0].statistic:
        ordered[0] = DriverLine(ordered[0].title, ordered[0].favourable, "strongest link to engagement",
                                ordered[0].statistic)
    return tuple(ordered)


def _hidden(group: str, reason: str | None, k: int) -> dict:
    return {"group": group, "suppressed": True, "reason": str(_why(reason, k)), "explanation": _explain(reason, k)}


def _summary(s, k: int) -> dict:
    if s.suppressed:
        return _hidden(s.group, s.reason, k)
    return {
        "group": s.group, "suppressed": False, "n": s.n, "engagement_index": _r(s.engagement_index),
        "enps": _r(s.enps), "promoters_pct": _r(s.promoters_pct), "detractors_pct": _r(s.detractors_pct),
        "driver_scores": {k: _r(v) for k, v in s.driver_scores.items()},
    }


def _participation(p, k: int) -> dict:
    if p.suppressed:
        return _hidden(p.group, p.reason, k)
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
        "participation": [_participation(d.results.participation[n], d.k)
                          for n in [OVERALL] + [r.group for r in d.rows] if n in d.results.participation],
        "trend": [{"campaign": {"id": cc.id, "name": cc.name, "period": cc.period},
                   "suppressed": p.suppressed, "engagement_index": _r(p.engagement_index), "enps": _r(p.enps),
                   "participation_rate": _r(p.participation_rate)} for cc, p in d.trend],
        "results": None,
    }
    if not c.closed:
        return data
    overall = _overall(d)
    groups = [_summary(d.results.groups[r.group], d.k) | {"label": r.label} for r in d.rows]
    data["results"] = {
        "overall": _summary(overall, d.k) | (
            {} if overall.suppressed else
            {"driver_impact": [{"driver_id": i.driver_id, "rho": _r(i.rho, 3), "p": i.p, "n": i.n}
                               for i in overall.driver_impact]}),
        "groups": groups,
        "comments": list(d.results.comments) if d.results.comments is not None else None,
        "comment_groups": None if d.comments is None else [
            {"theme_id": g.theme_key, "label": g.label, "count": g.count, "comments": list(g.comments)}
            for g in d.comments.groups],
        "comment_themes": None if d.comment_themes is None else [
            {"id": t.theme_key, "label": t.label, "terms": list(t.terms), "count": t.count,
             "share": round(t.share, 4), "sentiment": _r(t.sentiment.mean if t.sentiment else None, 3),
             **sentiment_fields(t.sentiment)} for t in d.comment_themes],
        "sentiment_scale": SCALE_EXPLANATION,
        "sentiment_rule": RULE_EXPLANATION,
    }
    return data


# --------------------------------------------------------------------------------------------
# one manager team (webapp.engagement.teams): its rows of the published results, nothing more


@dataclass(frozen=True)
class Card:
    title: str
    value: Cell
    note: str


def team_cards(v: TeamView) -> tuple[Card, ...]:
    """The team's participation, responses, engagement index and eNPS; a hidden one says why."""
    if v.team is None:
        return ()
    cards = []
    p = v.participation
    if p is None or p.suppressed:  # the short reason on the card, the explanation under the cards
        short = str(_why(p.reason, v.k)) if p is not None else SUPPRESSED
        cards.append(Card("Participation", Cell(short, hidden_reason=_reason_of(p, v.k) if p else short), ""))
    else:
        cards.append(Card("Participation", Cell(f"{p.rate:.0f}%"), f"{p.submitted} of {p.invited} invited answered"))
    s = v.summary
    if not v.campaign.closed or s is None:
        return tuple(cards)
    if s.suppressed:
        hidden = Cell(str(_why(s.reason, v.k)), hidden_reason=_reason_of(s, v.k))
        return tuple(cards + [Card("Engagement index", hidden, ""), Card("eNPS", hidden, "")])
    why = f"fewer than {v.k} answers to these items in the team"
    cards.append(Card("Engagement index", _pct_cell(s.engagement_index, why),
                      f"% favourable (4–5) on the engagement items, {s.n} responses"))
    cards.append(Card("eNPS", Cell("" if s.enps is None else f"{s.enps:+.0f} points",
                                   hidden_reason=None if s.enps is not None else why),
                      "% promoters (9–10) − % detractors (0–6)"))
    return tuple(cards)


def team_hidden_explanation(v: TeamView) -> str | None:
    """One line saying why the team's numbers are hidden (None when they are shown)."""
    if v.team is None:
        return None
    hidden = v.summary if v.summary is not None and v.summary.suppressed else (
        v.participation if v.participation is not None and v.participation.suppressed else None)
    return None if hidden is None else _reason_of(hidden, v.k)


def team_drivers(v: TeamView) -> tuple[tuple[str, Cell], ...]:
    """The team's % favourable per driver, coloured like the heatmap; hidden ones say why."""
    s = v.summary
    if v.team is None or s is None or not v.campaign.closed:
        return ()
    drivers = [x for x in v.drivers if not x.outcome]
    if s.suppressed:  # the short reason in the cell, the explanation on hover
        return tuple((x.title, Cell(str(_why(s.reason, v.k)), hidden_reason=_reason_of(s, v.k))) for x in drivers)
    why = f"fewer than {v.k} answers to this driver's items in the team"
    return tuple((x.title, _pct_cell(s.driver_scores.get(x.id), why)) for x in drivers)


def team_trend(v: TeamView) -> Table | None:
    """The team across closed campaigns, as a table (hidden values say why)."""
    if not v.trend:
        return None
    return Table(
        "team_trend", "This team across closed campaigns",
        ("Campaign", "Period", "Engagement index (%)", "eNPS", "Participation (%)"),
        tuple((c.name, c.period, *(_cell(x, hidden=_why(p.reason, v.k))
                                   for x in (p.engagement_index, p.enps, p.participation_rate)))
              for c, p in v.trend),
        "The team's own rows of each campaign's published results (team membership as frozen at launch).")


def team_figures(v: TeamView) -> dict[str, object]:
    """The team's trend chart (same axes and series as the dashboard's); none when it would be empty
    (every value of the team hidden in every campaign: the table says why)."""
    shown = any(x is not None for _, p in v.trend for x in (p.engagement_index, p.enps, p.participation_rate))
    return {"trend": _trend_figure(v.trend)} if shown else {}
