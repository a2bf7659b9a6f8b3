"""Results of engagement campaigns, suppressed per role scope, and their stored copies.

A closed campaign's results never change, so they are computed once (when it closes, by
`groundswell analyze`) and kept per (campaign, k, role scope) in `campaign_result` through
`webapp.store.engagement`; reopening deletes them. Should they be recomputed (a fix in the code
changes the inputs digest), the new version is suppressed together with the stored one -- the
version its readers have already seen -- so the two can never be differenced. An open campaign is computed on every call
(participation only). The decoded copies are remembered in this process (`_DECODED`) so a page
never re-reads megabytes of comments of every closed campaign just for the trend.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading

from analysis.engagement import (
    HR_ATTRIBUTES,
    CampaignResults,
    DriverImpact,
    GroupSummary,
    campaign_results,
    published_record,
    warm_workers,
)
from analysis.engagement import (
    Participation as ParticipationResult,
)
from analysis.privacy import DisclosureError
from webapp.infra.fingerprint import source_fingerprint
from webapp.store import engagement as store
from webapp.store.engagement import CampaignRef

log = logging.getLogger(__name__)

#: What each role may group by: HR (and admins) the full breakdown, leaders the organisation only.
ROLE_SCOPES: dict[str, tuple[tuple[str, ...], bool]] = {
    "hr": (HR_ATTRIBUTES, True),
    "admin": (HR_ATTRIBUTES, True),
    "leader": ((), False),
}


#: The stored-result scope of each role (roles with the same view share one stored result).
SCOPE_OF_ROLE = {"hr": "full", "admin": "full", "leader": "organisation"}


SCOPES = {"full": ROLE_SCOPES["hr"], "organisation": ROLE_SCOPES["leader"]}


def _plain(value):
    """json.dumps fallback for numpy scalars."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__}")


def encode_results(res: CampaignResults) -> str:
    """The suppressed results as JSON text (suppressed groups carry no numbers)."""
    def summary(s: GroupSummary) -> dict:
        return {"group": s.group, "suppressed": s.suppressed, "reason": s.reason, "n": s.n,
                "engagement_index": s.engagement_index, "enps": s.enps, "promoters_pct": s.promoters_pct,
                "detractors_pct": s.detractors_pct, "n_enps": s.n_enps, "favourable": s.favourable,
                "driver_scores": s.driver_scores,
                "distributions": {k: None if v is None else list(v) for k, v in s.distributions.items()},
                "driver_impact": [[i.driver_id, i.rho, i.p, i.n, i.method] for i in s.driver_impact],
                "comments": None if s.comments is None else list(s.comments)}

    data = {"closed": res.closed,
            "groups": [summary(g) for g in res.groups.values()],
            "participation": [[p.group, p.suppressed, p.reason, p.invited, p.submitted, p.rate]
                              for p in res.participation.values()],
            "comments": None if res.comments is None else list(res.comments)}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_plain)


def decode_results(text: str) -> CampaignResults:
    """Rebuild the CampaignResults that `encode_results` stored."""
    data = json.loads(text)
    groups = {}
    for g in data["groups"]:
        groups[g["group"]] = GroupSummary(
            group=g["group"], suppressed=g["suppressed"], reason=g["reason"], n=g["n"],
            engagement_index=g["engagement_index"], enps=g["enps"], promoters_pct=g["promoters_pct"],
            detractors_pct=g["detractors_pct"], n_enps=g["n_enps"], favourable=g["favourable"],
            driver_scores=g["driver_scores"],
            distributions={k: None if v is None else tuple(v) for k, v in g["distributions"].items()},
            driver_impact=tuple(DriverImpact(*i) for i in g["driver_impact"]),
            comments=None if g["comments"] is None else tuple(g["comments"]))
    participation = {p[0]: ParticipationResult(*p) for p in data["participation"]}
    return CampaignResults(data["closed"], groups, participation,
                           None if data["comments"] is None else tuple(data["comments"]))


def compute_results(campaign: CampaignRef, scope: str, k: int) -> CampaignResults:
    """Run the single suppression call for one campaign and one scope (reads the responses)."""
    attributes, trees = SCOPES[scope]
    _, items, outcome = store.drivers(campaign)
    # While a campaign is open its participation counts are live: released only in batches of k
    # submissions (store.invitees' rule), so no count moves because of one person's answer.
    audience = store.invitees(campaign.id) if campaign.closed else store.invitees(campaign.id, batch=k)
    return campaign_results(
        store.records(campaign.id) if campaign.closed else [], audience, store.parent_map(campaign.id), items,
        outcome, closed=campaign.closed, attributes=attributes, manager_trees=trees, k=k, random_state=campaign.id,
    )


_DECODED: dict[tuple, tuple] = {}  # (campaign, scope, k) -> ((row id, created_at), CampaignResults)


_DECODED_LOCK = threading.Lock()


def _stored(campaign_ids: list[int], scope: str, k: int) -> dict[int, CampaignResults]:
    """Stored results of these campaigns; a row's JSON is read and decoded only when this process has
    not decoded that very row (id and time stored) yet, so a page never reads megabytes of comments
    of every closed campaign just for the trend."""
    if not campaign_ids:
        return {}
    rows = store.stored_result_rows(campaign_ids, scope, k)
    out, missing = {}, {}
    with _DECODED_LOCK:
        for campaign_id, row_id, created in rows:
            hit = _DECODED.get((campaign_id, scope, k))
            if hit is not None and hit[0] == (row_id, created):
                out[campaign_id] = hit[1]
            else:
                missing[row_id] = (campaign_id, created)
    if missing:
        for row_id, text in store.stored_result_texts(list(missing)):
            campaign_id, created = missing[row_id]
            res = out[campaign_id] = decode_results(text)
            with _DECODED_LOCK:
                _DECODED[(campaign_id, scope, k)] = ((row_id, created), res)
    return out


def _code_fingerprint() -> str:
    """Source fingerprint of the modules that compute stored results (``webapp.infra.fingerprint``).

    Part of every result's inputs digest, so a fix in the statistics or the suppression rules
    recomputes every stored result at the next ``groundswell analyze``, whatever the version number.
    """
    return source_fingerprint("analysis.engagement", "analysis.privacy", __name__)


def _inputs_digest(campaign: CampaignRef, k: int, scope: str, drivers, invitees, parent, responses) -> str:
    """One SHA-256 of everything a closed campaign's stored result for (k, scope) depends on.

    The template's drivers, the invitees' frozen attributes and who answered, the current hierarchy
    above them (manager trees), the responses (``store.response_span``: a closed campaign takes no more
    answers, and reopening it forgets its results), k, the scope and the code.
    """
    parts = (_code_fingerprint(), campaign.id, k, scope, drivers, invitees, sorted(parent.items(), key=repr),
             responses)
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def store_results(campaign: CampaignRef, k: int, scopes=None, *, replace: bool = False,
                  skip_unchanged: bool = False) -> dict[str, str]:
    """Compute and store a closed campaign's results for k (every scope by default); returns the JSON texts.

    The responses are read once and shared by the scopes. Another process storing the same row first
    is not an error: its (identical) row is kept. Each row keeps the digest of its inputs
    (:func:`_inputs_digest`); with ``skip_unchanged`` a scope whose stored row has the same digest
    is left as it is (and not returned), and the responses are read only if some scope changed.
    """
    if not campaign.closed:
        raise ValueError("only a closed campaign's results are stored")
    scopes = tuple(SCOPES) if scopes is None else tuple(scopes)
    drivers = store.drivers(campaign)
    _, items, outcome = drivers
    invitees, parent = store.invitees(campaign.id), store.parent_map(campaign.id)
    responses = store.response_span(campaign.id)
    inputs = {scope: _inputs_digest(campaign, k, scope, drivers, invitees, parent, responses) for scope in scopes}
    if skip_unchanged:
        stored = store.stored_result_inputs(campaign.id, k)
        scopes = tuple(scope for scope in scopes if stored.get(scope) != inputs[scope])
        if not scopes:
            return {}
    warm_workers(len(invitees))  # large campaigns: worker processes start while the answers are read
    records = store.records(campaign.id)
    shown_before = _stored_versions(campaign.id, scopes, k)
    texts = {}
    for scope in scopes:
        attributes, trees = SCOPES[scope]
        published = None
        if scope in shown_before:
            try:
                published = published_record(shown_before[scope], records, invitees, parent, items, outcome,
                                             attributes=attributes, manager_trees=trees)
            except ValueError as exc:
                # The shown version names groups these inputs lack: it can't be checked against, so it stands.
                log.warning("campaign %s, scope %s: kept the results already shown (%s)", campaign.id, scope, exc)
                continue
        try:
            res = campaign_results(records, invitees, parent, items, outcome, closed=True, attributes=attributes,
                                   manager_trees=trees, k=k, random_state=campaign.id, published=published)
        except DisclosureError as exc:
            # With the version already shown, no new version is safe: the shown one stands.
            log.warning("campaign %s, scope %s: kept the results already shown (%s)", campaign.id, scope, exc)
            continue
        texts[scope] = encode_results(res)
    del records
    if not texts:
        return {}
    store.write_results(campaign.id, k, texts, inputs, replace=replace)
    return texts


def _stored_versions(campaign_id: int, scopes, k: int) -> dict[str, CampaignResults]:
    """The stored version of each scope of a campaign for k: what that scope's readers were shown.

    A recompute of a closed campaign (a code fix: its inputs are frozen) is checked against it
    (:func:`analysis.engagement.published_record`), so two versions can't be differenced.
    """
    out = {}
    for scope in scopes:
        rows = store.stored_result_rows([campaign_id], scope, k)
        for _, text in store.stored_result_texts([row_id for _, row_id, _ in rows]):
            out[scope] = decode_results(text)
    return out


def has_stored_results(campaign_id: int, k: int) -> bool:
    """Whether every scope of the campaign's results for k is stored."""
    return store.count_stored_results(campaign_id, k) >= len(SCOPES)


def store_closed_results(k: int, *, replace: bool = False, skip_unchanged: bool = False) -> tuple[int, int]:
    """Compute and store the results of every closed campaign for k (`groundswell analyze`).

    Rows stored for another k (the setting changed) are deleted. With ``skip_unchanged``, a campaign
    whose stored results were computed from the same inputs is not recomputed. Returns (campaigns
    recomputed, campaigns left as they were).
    """
    store.forget_results_of_other_k(k)
    done = unchanged = 0
    for c in store.list_campaigns():
        if c.closed:
            if store_results(c, k, replace=replace, skip_unchanged=skip_unchanged):
                done += 1
            else:
                unchanged += 1
    return done, unchanged


def results_many(campaigns: list[CampaignRef], role: str, k: int) -> dict[int, CampaignResults]:
    """Results of several campaigns as one role may see them: stored ones for closed campaigns."""
    scope = SCOPE_OF_ROLE[role]
    stored = _stored([c.id for c in campaigns if c.closed], scope, k)
    out = {}
    for c in campaigns:
        if not c.closed:
            out[c.id] = compute_results(c, scope, k)
        elif c.id in stored:
            out[c.id] = stored[c.id]
        else:
            # Not stored yet (the job started at close hasn't finished, or k changed): compute
            # it for this page without writing, so a GET never changes a row (CSRF-1).
            out[c.id] = compute_results(c, scope, k)
    return out


def results(campaign: CampaignRef, role: str, k: int) -> CampaignResults:
    """One campaign's results as one role may see them (stored for closed campaigns)."""
    return results_many([campaign], role, k)[campaign.id]


def clear_cache() -> None:
    """Forget stored and decoded results (responses were reloaded, tests); needs an app context to
    delete the stored rows, otherwise forgets the in-process decodings only."""
    with _DECODED_LOCK:
        _DECODED.clear()
    from flask import has_app_context

    if has_app_context():
        try:
            store.forget_results()
        except Exception:  # no table yet (a database not created): nothing stored to forget
            store.rollback()



def store_engagement_results(campaign_id: int, k: int) -> bool:
    """Compute a closed campaign's dashboard results once and store them; False if none apply.

    Heavy at scale (it reads every answer of the campaign), so it runs as a background job
    started when the campaign closes, never inside the request that closes it.
    """
    ref = next((c for c in store.list_campaigns() if c.id == campaign_id), None)
    if ref is None or not ref.closed:
        return False  # no engagement section, or reopened meanwhile
    if not has_stored_results(ref.id, k):
        store_results(ref, k)
    return True

