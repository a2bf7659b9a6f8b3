"""Roll-out in the demo: a campaign on a schedule (with its reminders due), one scheduled to open
later, and invitations, all captured in the admin outbox (the demo has no SMTP server)."""

from __future__ import annotations

from datetime import timedelta

from webapp.models.types import utcnow
from webapp.periods import is_quarter, shift_quarter
from webapp.store import campaigns, people, schedules

INVITED = ("manager2@demo.test", "rep2@demo.test", "rep3@demo.test")


def show_rollout() -> str:
    """Schedule the open planning campaign's close and reminders, schedule a pulse, send invitations."""
    from webapp import notifications
    from webapp.infra.scheduler import tick

    now = utcnow().replace(second=0, microsecond=0)
    open_plan = next((c for c in campaigns.list_campaigns() if c.is_open and c.template_id == "quarterly-planning"),
                     None)
    lines = []
    if open_plan is not None:
        schedules.attach_schedule(open_plan.id, closes_at=now + timedelta(days=7), reminder_days="7,2")
        period = open_plan.period.code
        following = shift_quarter(period, 1) if is_quarter(period) else period
        pulse = schedules.create_schedule(
            name=f"Engagement pulse {following}", template_id="engagement-annual", template_version=1,
            period_code=following, audience=("rep", "manager"), has_plan=False,
            opens_at=now + timedelta(days=3), closes_at=now + timedelta(days=17), reminder_days="3,1")
        lines.append(f"“{open_plan.name}” closes {now + timedelta(days=7):%Y-%m-%d}; "
                     f"“{pulse.name}” opens {pulse.opens_at:%Y-%m-%d}")
    invited = notifications.invite([p.id for p in map(people.person_by_email, INVITED) if p is not None])
    lines.append(f"{invited} invitations")
    lines.append(tick(now))
    return "; ".join(lines)
