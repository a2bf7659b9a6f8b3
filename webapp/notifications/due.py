"""What the scheduler does on each tick: open and close scheduled campaigns, remind those who have
not answered, and tell people of decisions, waiting plans and actions. Every step is idempotent
(conditional updates for opening and closing, a unique dedupe key per message), so a tick may run
twice, or in two processes, or after a restart, without anything happening twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from webapp.infra import jobs
from webapp.models.types import utcnow
from webapp.notifications import campaign_opened, compose, external_url, send_batch
from webapp.store import schedules

LOOK_BACK = timedelta(days=2)  # decisions and actions older than this were told of already, or never will be
OUTCOMES = {"approve": "approved", "adjust": "adjusted", "return": "returned for revision"}


def run_due(now: datetime | None = None) -> str:
    """Do everything due at `now` (UTC, naive; default the current time); return a one-line summary."""
    now = now or utcnow()
    summary: list[str] = []
    for schedule_id in schedules.due_to_open(now):
        campaign = schedules.open_scheduled(schedule_id, now)
        if campaign is not None:
            told = campaign_opened(campaign.id)
            summary.append(f"opened “{campaign.name}” ({told} told)")
    for schedule_id in schedules.due_to_close(now):
        campaign_id = schedules.close_scheduled(schedule_id)
        if campaign_id is not None:
            jobs.start("engagement_results", {"campaign_id": campaign_id})
            summary.append(f"closed campaign {campaign_id}")
    for schedule, days in schedules.reminder_rounds(now):
        link = external_url("respond.respond", campaign_id=schedule.campaign_id)
        rows = [compose("campaign_reminder", person, f"reminder:{schedule.campaign_id}:{days}:{person.id}",
                        send=False, campaign=schedule.campaign, closes_at=schedule.closes_at, link=link)
                for person in schedules.non_respondents(schedule.campaign_id)]
        rows = [row for row in rows if row is not None]
        send_batch(rows)
        if rows:
            summary.append(f"{len(rows)} reminders for “{schedule.name}”")
    summary += _people_notifications(now)
    return "; ".join(summary) or "Nothing due."


def _people_notifications(now: datetime) -> list[str]:
    rows = []
    history = external_url("plans.history")
    for decision in schedules.recent_decisions(now - LOOK_BACK):
        plan = decision.submission
        rows.append(compose("plan_decided", plan.person, f"decision:{decision.id}", send=False,
                            period=plan.period.code, outcome=OUTCOMES[decision.action], decider=decision.actor.name,
                            reason=decision.reason, link=history))
    queue = external_url("plans.queue")
    for manager_id, count in schedules.waiting_counts().items():
        manager = schedules.get_person(manager_id)
        if manager is not None and manager.active:
            rows.append(compose("plans_waiting", manager, f"waiting:{manager_id}:{now.date().isoformat()}",
                                send=False, count=count, link=queue))
    home = external_url("home.index")
    for action in schedules.recent_actions(now - LOOK_BACK):
        rows.append(compose("action_assigned", action.owner, f"action:{action.id}:{action.owner_id}", send=False,
                            action=action, link=home))
    for action in schedules.overdue_actions(now.date()):
        rows.append(compose("action_overdue", action.owner, f"overdue:{action.id}", send=False, action=action,
                            link=home))
    rows = [row for row in rows if row is not None]
    send_batch(rows)
    return [f"{len(rows)} notifications"] if rows else []


def scheduler_enabled() -> bool:
    return current_app.config.get("SCHEDULER", "embedded") == "embedded"
