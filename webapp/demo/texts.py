"""Synthetic free text for the Groundswell demo organisation.

The demo organisation (``groundswell seed-demo``) needs customer-trend observations and
engagement comments that look like what sales reps really write, so that grouping them into
themes is a genuine task and not a lookup. This module holds that material and nothing else:

* ``OBSERVATION_THEMES`` -- customer-trend themes (competitor discounting, supply delays, budget
  freezes, ...). Each carries at least 20 different phrasings with slots (``{competitor}``,
  ``{product}``, ``{customer}``, ...), the keywords a reader would expect in its label, an
  observation tag, and the *planted effects* the demo generator applies to reps who report it:
  ``change_effect`` (added to the rep's proposed target change %) and ``forecast_bias`` (the
  actual comes in at ``forecast * (1 + forecast_bias)``). At least four themes are "null": they
  have no effect on the target change, so an analysis must not find one. The planted change
  effects are 6 to 10 points: smaller ones are lost in the spread of reps' changes over six
  quarters of 80 reps (``tests/webapp/test_insights.py``).
* ``ENGAGEMENT_COMMENT_THEMES`` -- themes of confidential employee comments, with a sentiment.
* ``period_weight`` / ``pick_theme`` -- how often a theme appears in a period, so that
  ``emerging`` themes rise, ``fading`` ones fall and ``stable`` ones stay put.

Themes deliberately share vocabulary ("price" in discounting and in price-increase pushback,
"budget" in freezes and in procurement, "delay" in supply and in procurement) and not every
phrasing contains a keyword. Each theme's phrasings still carry words of their own (multi-year
renewals speak of terms and years, not of "renewal" or "contract" alone; procurement of approvals
and paperwork, not of weeks), or the theme engine files them with a neighbour. As in real rep
notes, the theme's own wording carries the meaning: slot values are one or two plain words ("a
bank", "the app") and most phrasings have one slot or none, so that customer types and products
do not outweigh the theme (see ``tests/webapp/test_demo_theme_recovery.py``). Everything is
deterministic given a ``random.Random``.

The module is pure: standard library only, no Flask, SQLAlchemy or numpy.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "TAGS",
    "TRENDS",
    "SENTIMENTS",
    "SLOT_VALUES",
    "DemoTheme",
    "CommentTheme",
    "OBSERVATION_THEMES",
    "ENGAGEMENT_COMMENT_THEMES",
    "template_slots",
    "fill_template",
    "generate_observation",
    "generate_observations",
    "generate_comment",
    "generate_comments",
    "period_weight",
    "pick_theme",
    "observation_theme",
    "comment_theme",
]

# Same vocabulary as surveys.kinds.OBSERVATION_TAGS (kept literal so this module stays standalone).
TAGS = ("competitor", "pricing", "product", "demand", "budget", "service", "other")
TRENDS = ("emerging", "fading", "stable")
SENTIMENTS = ("positive", "negative")

# Values for the slots a template may use. Competitors are fictional.
SLOT_VALUES: dict[str, tuple[str, ...]] = {
    "competitor": (
        "Northwind",
        "Brightline",
        "Acme Corp",
        "Vantix",
        "Corelli",
        "Halden Systems",
        "Quorra",
    ),
    "product": (
        "Pro",
        "the app",
        "the scanners",
        "the add-on",
        "Enterprise",
        "the suite",
    ),
    "customer": (
        "a retailer",
        "a bank",
        "a hospital",
        "an insurer",
        "a university",
        "a manufacturer",
        "a distributor",
        "a clinic",
        "a council",
        "a telco",
        "a wholesaler",
        "a carrier",
    ),
    "percent": ("5%", "8%", "10%", "12%", "15%", "20%", "25%", "30%"),
    "weeks": ("2", "3", "4", "6", "8", "10"),
    "quarter": ("Q1", "Q2", "Q3", "Q4"),
    "number": ("2", "3", "4", "5", "6"),
    "role": (
        "IT director",
        "head of procurement",
        "CFO",
        "operations manager",
        "project lead",
        "finance director",
    ),
}


@dataclass(frozen=True)
class DemoTheme:
    """A customer-trend theme of the demo data, with its phrasings and planted effects."""

    key: str
    name: str
    keywords: tuple[str, ...]
    tag: str
    change_effect: float  # added to the proposed target change % (a fraction) of reps reporting it
    forecast_bias: float  # actual ~= forecast * (1 + forecast_bias); < 0 means reps over-forecast
    templates: tuple[str, ...]
    trend: str = "stable"  # one of TRENDS; see period_weight
    prevalence: float = 1.0  # relative frequency among themes in an average period

    def __post_init__(self) -> None:
        _check_theme(self.key, self.keywords, self.templates, self.trend, self.prevalence)
        if self.tag not in TAGS:
            raise ValueError(f"theme {self.key!r}: unknown tag {self.tag!r}")


@dataclass(frozen=True)
class CommentTheme:
    """A theme of confidential engagement comments, with its phrasings and sentiment."""

    key: str
    name: str
    keywords: tuple[str, ...]
    sentiment: str  # "positive" or "negative"
    driver: str  # the engagement driver it speaks to, e.g. "workload", "manager"
    templates: tuple[str, ...]
    trend: str = "stable"
    prevalence: float = 1.0

    def __post_init__(self) -> None:
        _check_theme(self.key, self.keywords, self.templates, self.trend, self.prevalence)
        if self.sentiment not in SENTIMENTS:
            raise ValueError(f"theme {self.key!r}: unknown sentiment {self.sentiment!r}")

    @property
    def sign(self) -> int:
        """+1 for a positive theme, -1 for a negative one."""
        return 1 if self.sentiment == "positive" else -1


def _check_theme(
    key: str, keywords: tuple[str, ...], templates: tuple[str, ...], trend: str, prevalence: float
) -> None:
    if not keywords or not templates:
        raise ValueError(f"theme {key!r}: needs keywords and templates")
    if trend not in TRENDS:
        raise ValueError(f"theme {key!r}: unknown trend {trend!r}")
    if prevalence <= 0:
        raise ValueError(f"theme {key!r}: prevalence must be > 0")


# --------------------------------------------------------------------------------------------
# Customer-trend observation themes
# --------------------------------------------------------------------------------------------

OBSERVATION_THEMES: tuple[DemoTheme, ...] = (
    DemoTheme(
        key="competitor_discounting",
        name="Competitor discounting",
        keywords=("competitor", "discount", "undercut", "price", "cheaper"),
        tag="competitor",
        change_effect=-0.1,
        forecast_bias=0.0,
        prevalence=1.3,
        templates=(
            "{competitor} is discounting hard to take our accounts.",
            "Lost a deal to {competitor} on price alone.",
            "competitor discounting again, {competitor} way under our price",
            "Heavy discounts from competitors this quarter; every deal turns into a price fight.",
            "Why can {competitor} sell so much cheaper than us?",
            "{customer} showed me a competitor quote {percent} cheaper than ours.",
            "Aggressive price cuts from competitors - deals come down to who blinks first.",
            "{competitor} is giving the first year away free to undercut us.",
            "undercut by {competitor} twice this month",
            "Buyers wave rival quotes at us and ask for a bigger discount.",
            "{competitor} bundles add-ons at no charge, so our price looks high.",
            "Had to discount {percent} to stop a customer switching to a cheaper competitor.",
            "A competitor is dumping prices in the region and squeezing our margins.",
            "The {competitor} rep promises to beat any offer we make.",
            "price war with {competitor}, every RFP ends in a discount race",
            "Is anyone else losing to cut-rate competitor pricing?",
            "Competitors slash prices at quarter end to hit their numbers, and buyers know it.",
            "Renewal only happens if we match the competitor discount.",
            "Low-ball offers from {competitor} show up in nearly every deal I work.",
            "Our list price isn't credible when rivals quote {percent} below it.",
            "Procurement keeps using a cheaper competitor bid as leverage.",
            "{competitor} is buying market share with deep discounts.",
            "two deals lost on price this quarter, both to the cheaper competitor",
        ),
    ),
    DemoTheme(
        key="supply_delays",
        name="Supply and delivery delays",
        keywords=("supply", "delivery", "delay", "shipping", "backorder"),
        tag="other",
        change_effect=0.0,
        forecast_bias=-0.08,
        trend="fading",
        templates=(
            "Delivery delays again; customers have waited {weeks} weeks for hardware.",
            "supply issues, units pushed to {quarter}",
            "Rollout postponed because the shipment is stuck at the port.",
            "Shipping lead times on {product} went from two to {weeks} weeks.",
            "Backorders on the scanners are killing momentum.",
            "Can we get a firm delivery date? They won't sign without one.",
            "Shipping delays mean booked revenue will land a quarter late.",
            "{customer} cancelled part of the order after a third missed delivery.",
            "Supply chain shortages and late deliveries are all customers talk about.",
            "delivery slipped again, install now {weeks} weeks late",
            "Component shortages -> partial shipments -> unhappy buyers.",
            "Warehouse is out of stock on {product} and nobody knows when it's back.",
            "Installs keep being rescheduled because the kit arrives late.",
            "Delayed shipments are pushing go-lives into next quarter.",
            "still waiting on supply for one order, {weeks} weeks and counting",
            "Logistics is the bottleneck: we sell it, then it sits on backorder for a month.",
            "That delivery won't make {quarter}, expect slippage.",
            "Freight costs and slow shipping are eroding goodwill.",
            "Great product once it arrives, but {weeks}-week delays are normal now.",
            "Several customers are holding orders until we confirm supply dates.",
            "Our delivery promises aren't credible anymore.",
            "Can {competitor} deliver faster? With our supply delays, probably.",
        ),
    ),
    DemoTheme(
        key="budget_freeze",
        name="Customer budget freezes",
        keywords=("budget", "freeze", "frozen", "spend", "cut"),
        tag="budget",
        change_effect=-0.08,
        forecast_bias=-0.02,
        prevalence=1.1,
        templates=(
            "{customer} has frozen all discretionary spend until {quarter}.",
            "Budget freeze: nothing new gets signed without CFO approval.",
            "budgets frozen across the public sector, renewals only",
            "Their IT budget was cut by {percent} this year.",
            "Everyone likes the demo, nobody has money. Purchases on hold.",
            "Hiring and spending freeze; the expansion we discussed is off.",
            "Are other regions seeing budgets pulled? {number} of my accounts paused projects.",
            "CFOs are cutting costs everywhere and we're a nice-to-have.",
            "Budget moved to cost-saving projects and our upgrade lost out.",
            "No new budget until the next fiscal year, says the {role}.",
            "Spending freeze announced mid-quarter. Pipeline took a hit.",
            "wants to renew at a lower tier, budget down {percent}",
            "The need is there, the budget isn't.",
            "Budget pressure: they asked for a six-month pause on payments.",
            "A cost-cutting programme froze every purchase not already budgeted.",
            "Tight budgets all round; even happy customers are trimming licences.",
            "Zero new spend this year, the {role} said flatly.",
            "Projects shelved until budgets reopen in {quarter}.",
            "macro uncertainty => budget freezes => long silences",
            "Headcount and budget cuts at {customer}, spending is frozen.",
            "Quarter-end spend is frozen at most of my accounts.",
            "They want it but can't pay until finance loosens the purse strings.",
        ),
    ),
    DemoTheme(
        key="integration_demand",
        name="Integration demand (APIs, CRM connectors)",
        keywords=("integration", "integrate", "api", "crm", "connector"),
        tag="product",
        change_effect=0.07,
        forecast_bias=0.0,
        templates=(
            "Won't commit until it integrates with their CRM.",
            "Every RFP asks about our API and two-way sync.",
            "Lots of questions on CRM and ERP connectors. Roadmap?",
            "api access is the #1 ask this quarter",
            "{customer} needs an API to integrate with their data warehouse.",
            "Integration is a deal-breaker; the API has to plug into their stack.",
            "Asked three times this week for a native CRM connector.",
            "Their IT team wants webhooks and a documented REST API.",
            "Customers want our data flowing into their own dashboards.",
            "The connector pack is closing deals on its own.",
            "Can we prioritise the ERP integration? {number} deals depend on it.",
            "integrations integrations integrations. that's all buyers ask about",
            "The proof of concept was mostly a test of how well we integrate.",
            "Demand for single sign-on and CRM sync keeps growing.",
            "{competitor} won because their API docs were better.",
            "An out-of-the-box ERP connector would double the order.",
            "Buyers ask how we integrate with their existing systems before features.",
            "Asking for API rate limits and sandbox access, looks serious.",
            "More integration requests than ever; partners could help.",
            "Upsell: {customer} wants CRM integration in every region.",
            "Technical buyers care about APIs and connectors above all.",
            "Would they pay for a custom integration? Yes, {percent} on top.",
        ),
    ),
    DemoTheme(
        key="price_increase_pushback",
        name="Pushback on our price increase",
        keywords=("price", "increase", "pricing", "pushback", "uplift"),
        tag="pricing",
        change_effect=-0.07,
        forecast_bias=0.0,
        templates=(
            "Pushback on the {percent} price increase from almost everyone.",
            "The new pricing is a tough sell; customers want the old rates.",
            "The {percent} uplift went down badly.",
            "Why raise prices mid-contract? {customer} threatens to leave.",
            "price increase letters went out and the phone hasn't stopped",
            "Customers accept inflation, but not {percent}. One called it opportunistic.",
            "Lots of pushback on the list price change for {product}.",
            "They'll only accept the increase if the new price is capped.",
            "Gave back most of the uplift to calm the pushback.",
            "Our price increase makes {competitor} look attractive.",
            "The {role} pushed back: our price increase is too steep.",
            "The pricing change is the top objection this quarter.",
            "Small customers downgrade rather than pay the higher rate.",
            "Formal pushback from {customer} about the price hike.",
            "Prices up {percent}; most grumble, a few are shopping around.",
            "Can we get flexibility on the uplift? Three customers refuse the higher price.",
            '"we\'ll pay more when the product does more" -- {customer} on the increase',
            "Resistance to the new rate card is strongest in the public sector.",
            "price rise = longest pricing arguments I've had",
            "Agreed to the increase only after we threw in free training.",
            "Customers compare the new invoice with the old one and push back.",
            "Pushback on pricing everywhere; the value story isn't landing.",
        ),
    ),
    DemoTheme(
        key="security_compliance",
        name="Security and compliance reviews",
        keywords=("security", "compliance", "audit", "privacy", "review", "gdpr"),
        tag="other",
        change_effect=0.0,
        forecast_bias=0.0,
        prevalence=0.8,
        templates=(
            "{customer} sent a 300-question security questionnaire.",
            "Security review is adding {weeks} weeks to the deal.",
            "compliance team involved in every deal now",
            "Do we have SOC 2? Their security lead asked.",
            "Data residency and privacy are hard requirements: everything hosted in the EU.",
            "Infosec wants a pen-test report and our incident response policy.",
            "Audit requirements are tightening; {customer} wants full audit logs.",
            "Privacy questions come up in the first call now.",
            "The GDPR and privacy questions took longer than the commercial talks.",
            "Security architecture walkthrough with their CISO next week.",
            "Regulators want every bank to audit its software for security and privacy.",
            "Need a faster way through security reviews; days of spreadsheets.",
            "Healthcare buyers insist on compliance certificates before a trial.",
            "SSO, MFA and role-based access are must-haves for security.",
            "security review of us as a vendor, round {number}",
            "Legal and compliance now have a veto on new tools.",
            "Is encryption at rest documented? Their auditors need it in writing.",
            "Cyber attacks in the news make buyers strict about security.",
            "Passed the security audit at {customer}; took {weeks} weeks.",
            "Security teams want to know where data lives and who can access it.",
            "Compliance reviews are the new gate.",
            "Stuck on a data-processing clause their privacy officer won't sign.",
        ),
    ),
    DemoTheme(
        key="vendor_consolidation",
        name="Customers consolidating vendors",
        keywords=("vendor", "consolidation", "consolidate", "supplier", "fewer"),
        tag="competitor",
        change_effect=0.0,
        forecast_bias=0.0,
        prevalence=0.7,
        templates=(
            "{customer} is cutting its vendor list in half.",
            "Consolidation is the word: fewer tools, fewer contracts.",
            "vendor consolidation, they want one platform",
            "Customers want fewer suppliers and ask us to take over what {competitor} does.",
            "Rationalising software spend; we're up against their platform provider.",
            "Big push to consolidate onto a single supplier by {quarter}.",
            "Opportunity: consolidate {number} point solutions into one vendor.",
            "We risk being consolidated away; their ERP vendor bundles something similar.",
            "Procurement wants {percent} fewer vendors this year.",
            "Asked for a platform story because they only want strategic vendors.",
            "fewer vendors, bigger contracts. that's the trend",
            "{customer} is moving everything to one suite to simplify.",
            "Tool sprawl is a board topic; anything standalone is under review.",
            "Can {product} replace their other tools? Consolidation again.",
            "Suppliers being cut -- we survived round one.",
            "Vendor rationalisation could double our footprint if we win.",
            "Are we a consolidator or a point tool? Buyers ask.",
            "The {role} wants one contract, one invoice, one vendor.",
            "Consolidating suppliers is a cost play for most accounts.",
            "Shortlisted because they're trimming the vendor base to {number}.",
            "Lost a module to their main vendor's bundle but kept the core.",
            "Standardisation everywhere; customers want fewer, larger vendors.",
        ),
    ),
    DemoTheme(
        key="expansion_growth",
        name="Customer expansion and new sites",
        keywords=("expansion", "expand", "growth", "growing", "sites", "locations"),
        tag="demand",
        change_effect=0.09,
        forecast_bias=0.0,
        templates=(
            "{customer} is opening {number} new sites and wants us at each.",
            "Expansion mode: more sites, more regions.",
            "growing demand from mid-market, order doubled",
            "{number} new locations announced for {quarter}; we're in the rollout.",
            "Accounts are expanding headcount and adding licences unprompted.",
            "Strong growth in healthcare -- they want all sites covered.",
            "Upsell potential is big; customers are expanding into new markets.",
            "{customer} acquired a rival and wants us rolled out to the new business.",
            "Demand is growing; they asked for {percent} more capacity.",
            "another warehouse, another team. growing fast",
            "Growing accounts are expanding to more sites than I've ever seen.",
            "A second distribution centre means the same setup again.",
            "Expansion deals now make up most of my pipeline.",
            "Volume tier above Enterprise? They'll need it after the expansion.",
            "They want to standardise on {product} across all their sites.",
            "Customers are hiring again; growth is back.",
            "International growth: three new countries next year.",
            "Retail accounts are adding stores and locations.",
            "Land-and-expand works: one team became {number} departments.",
            "Growth in my territory is real, so I'm raising my number.",
            "Pilot went well; rollout to all their locations is next.",
            "Big expansion at {customer} -- a new plant opens in {quarter}.",
        ),
    ),
    DemoTheme(
        key="sustainability",
        name="Sustainability requirements",
        keywords=("sustainability", "carbon", "emissions", "esg", "green"),
        tag="other",
        change_effect=0.0,
        forecast_bias=0.0,
        trend="emerging",
        prevalence=0.6,
        templates=(
            "{customer} wants carbon reporting on everything they buy.",
            "Sustainability criteria now carry {percent} of the tender score.",
            "esg questionnaire due in {weeks} weeks",
            "Can we provide emissions data for our hosting? Scope 3 numbers.",
            "Green credentials are a tie-breaker with public buyers.",
            "Net-zero and carbon commitments came up before anything else.",
            "More customers ask about the energy use and emissions of the platform.",
            "Sustainability is on every board agenda I see.",
            "Only suppliers with a published climate policy get shortlisted.",
            "Carbon footprint of deliveries came up; they want consolidated shipments.",
            "ESG reporting rules are pushing climate questions into every deal.",
            "Do we have an environmental policy I can send? Third request.",
            "Retail accounts want recycled packaging -- green is a buying criterion.",
            "{customer} requires a sustainability statement from every vendor.",
            "Lots of talk about green IT, nobody pays extra for it yet.",
            "Emissions regulation is coming and customers are scrambling.",
            "The tender added a sustainability section.",
            "carbon numbers please -- every public account asks",
            "Buyers want proof we cut our own emissions.",
            "Sustainability and carbon targets are part of every {quarter} conversation.",
            "Anyone tracking ESG questions? Most new deals have them.",
            "Can {product} help them measure their own carbon footprint?",
        ),
    ),
    DemoTheme(
        key="ai_automation",
        name="Interest in AI and automation",
        keywords=("ai", "automation", "automate", "machine", "predictive"),
        tag="demand",
        change_effect=0.06,
        forecast_bias=0.0,
        trend="emerging",
        prevalence=0.9,
        templates=(
            "Every customer asks about our AI roadmap.",
            "They want to automate weekly reporting with {product}.",
            "AI features are on every RFP, even when buyers can't say why.",
            "automation interest is huge, they want fewer manual steps",
            "Piloting {competitor}'s AI assistant and asked if we have one.",
            "Can it predict demand? They think machine learning fixes forecasting.",
            "Buyers want generative AI and smart automation, preferably yesterday.",
            "{customer} is automating the back office and wants us in it.",
            "They asked how our AI automates the manual steps.",
            "Lots of curiosity about smart alerts and predictive insights.",
            "The {role} has an automation mandate from the board.",
            "ai ai ai. no AI in the demo, meeting ends early",
            "Will pay {percent} more for automated anomaly detection.",
            "Customers want the tool to do the work, not just show data.",
            "Automating data entry is the strongest buying signal I see.",
            "Can our AI models learn from their own history?",
            "Machine learning forecasting came up in {number} discovery calls.",
            "Workflow automation is replacing headcount requests.",
            "Is there an AI assistant we can sell? {competitor} already pitches one.",
            "They want a chatbot on their reports, a copilot basically.",
            "Automation is top of the wish list; they want machines doing the busywork.",
            "Prospects ask for AI-powered before anything else.",
        ),
    ),
    DemoTheme(
        key="champion_turnover",
        name="Staff turnover at customers / champion leaving",
        keywords=("champion", "turnover", "leaving", "left", "contact", "sponsor"),
        tag="other",
        change_effect=0.0,
        forecast_bias=0.0,
        prevalence=0.7,
        templates=(
            "Our champion left last month and the new {role} doesn't know us.",
            "High turnover: third project lead in a year.",
            "lost my main contact at {customer}, starting over",
            "The sponsor moved on; the renewal has no owner.",
            "Every time a champion leaves we resell the whole value story.",
            "Staff turnover at customers means our contacts keep changing.",
            "The {role} who bought from us is leaving in {weeks} weeks.",
            "Our champion left; the new decision-maker wants to re-evaluate everything.",
            "Reorg: our sponsor was let go and nobody picked up the project.",
            "Who owns this now? Nobody can tell me after the restructure.",
            "Key users have left and usage dropped {percent}.",
            "champion gone -> renewal at risk",
            "Our champion was replaced by someone who used {competitor} before.",
            "Turnover in customer IT teams resets relationships every few months.",
            "Too many accounts hang on a single contact.",
            "Our advocate retired and the successor hasn't called back.",
            "Turnover in their team means re-introducing ourselves constantly.",
            "Half their ops team left this year and adoption went with them.",
            "When our contact leaves, the deal leaves too.",
            "Playbook for when a champion leaves? Happening at {number} accounts.",
            "New leadership at {customer} has no history with us.",
            "The person who signed with us has left the company.",
        ),
    ),
    DemoTheme(
        key="procurement_cycles",
        name="Procurement lengthening sales cycles",
        keywords=("procurement", "approval", "cycle", "paperwork", "legal"),
        tag="budget",
        change_effect=-0.06,
        forecast_bias=-0.05,
        prevalence=0.9,
        templates=(
            "Procurement reopened a deal that was agreed; more approvals needed.",
            "Sales cycles are longer: more approvals, more stakeholders.",
            "stuck in procurement approvals. again.",
            "Procurement wants three quotes and a budget committee approval for anything over 10k.",
            "Procurement and legal redlines on our MSA took longer than the evaluation.",
            "Every purchase needs a procurement tender and legal approval now.",
            "Approval chains doubled; the {role} can't sign alone.",
            "Verbally won, now stuck in the purchasing queue.",
            "Procurement treats every purchase like a brand-new tender.",
            "Expect {quarter} slippage: deals waiting on procurement approval.",
            "Procurement now needs sign-off from IT, legal and finance.",
            "PO still not issued; everything signed except finance approval.",
            "Longer buying cycles everywhere; approvals add {weeks} weeks.",
            "A new procurement portal means more purchasing paperwork for us.",
            "deals closing but slowly. approvals, paperwork, procurement",
            "Public sector procurement approvals stretch into {quarter}.",
            "Purchasing approval delays, and procurement wants 90-day payment terms too.",
            "They want our contract on their paper; the legal back-and-forth is endless.",
            "More approvals and sign-offs needed, even for small purchases.",
            "Close dates are guesswork while procurement sits on the paperwork.",
            "Central purchasing took the approval away from the team that wanted it.",
            "The approval cycle went from two weeks to {weeks}.",
        ),
    ),
    DemoTheme(
        key="support_complaints",
        name="Service and support complaints",
        keywords=("support", "service", "complaint", "ticket", "response"),
        tag="service",
        change_effect=0.0,
        forecast_bias=0.0,
        trend="fading",
        prevalence=0.8,
        templates=(
            "Support takes days to answer a ticket.",
            "Service quality is the main complaint I hear.",
            "support response times are hurting us",
            "Escalated to their {role} after a ticket was closed without a fix.",
            "Onboarding great, after-sales service weak.",
            "Spent my visit apologising for support instead of selling.",
            "Why do tickets bounce between teams? I had no answer.",
            "{customer} still complains about last month's outage and slow support.",
            "Help desk complaints are up and {competitor} uses it against us.",
            "They want a faster support SLA and someone who owns their tickets.",
            "service issues, renewal at risk unless fixed",
            "Nobody called back after the bug report. They noticed.",
            "Support is slow and customers say so in writing.",
            "Help desk tickets pile up for basic things nobody documented.",
            "Asked for a service credit after repeated downtime.",
            "Frustration with first-line support: scripted answers.",
            "Is support understaffed? Response times doubled since {quarter}.",
            "Users stopped logging issues because nothing happens.",
            "Premium support could be an upsell if standard service were better.",
            "Support complaint: three engineers, three different answers.",
            "The product is fine; the service around it isn't.",
            "{customer} scores our support and service low.",
        ),
    ),
    DemoTheme(
        key="multi_year_renewals",
        name="Renewals moving to multi-year terms",
        keywords=("multi-year", "year", "term", "long-term", "lock", "commit"),
        tag="demand",
        change_effect=0.06,
        forecast_bias=0.03,
        prevalence=0.7,
        templates=(
            "{customer} wants to move from annual to a three-year term.",
            "Multi-year deals are back; buyers want price certainty for years.",
            "renewed for 3 years in exchange for a small multi-year discount",
            "Customers want to lock in pricing for several years.",
            "Signed a {number}-year term, prepaid.",
            "Multi-year commitments are easier to win than new logos right now.",
            "Better multi-year terms and they'd sign for three years today.",
            "Most of my {quarter} deals are going multi-year.",
            "Finance wants a fixed price for five years, paid upfront.",
            "Three-year terms are now the default; one-year terms are rare.",
            "Extended early for another three years at today's rates.",
            "Customers ask for longer terms with step-up pricing each year.",
            "Annual is out, multi-year is in.",
            "{customer} wants a long-term, five-year agreement.",
            "Early extension on a 36-month term; very happy.",
            "Buyers see a multi-year lock-in as an inflation hedge.",
            "Happy surprise: they asked for a longer term, not us.",
            "term lengths creeping up, 2-3 years typical",
            "Approval path for 5-year terms? {customer} is serious.",
            "Will commit for {number} years if we guarantee the roadmap.",
            "Talks shift from 'whether' to 'for how many years'.",
            "Locking customers into multi-year terms is easy this quarter.",
            "They'd rather sign once and not revisit it until 2030.",
        ),
    ),
)


# --------------------------------------------------------------------------------------------
# Engagement comment themes
# --------------------------------------------------------------------------------------------

ENGAGEMENT_COMMENT_THEMES: tuple[CommentTheme, ...] = (
    CommentTheme(
        key="workload",
        name="Workload and hours",
        keywords=("workload", "hours", "overtime", "burnout", "stretched", "busy"),
        sentiment="negative",
        driver="workload",
        prevalence=1.2,
        templates=(
            "Workload is unsustainable; I'm regularly working evenings to keep up.",
            "Too many accounts per rep, so something has to give on workload.",
            "The hours this quarter have been brutal, and it's not the first time.",
            "admin workload keeps growing, selling time keeps shrinking",
            "I'm close to burnout. We need more people or fewer priorities.",
            "Stretched thin since two colleagues left and weren't replaced.",
            "Weekend work has become normal, which it shouldn't be.",
            "Targets went up {percent} but the team got smaller. Workload is the issue.",
            "Constant overtime at quarter end is wearing everyone down.",
            "Please look at territory sizes - the travel hours alone are too much.",
            "Busy doesn't begin to describe it; I can't do the job properly at this pace.",
            "Reporting requests on top of a full pipeline mean long days, every day.",
        ),
    ),
    CommentTheme(
        key="manager_support",
        name="Support from my manager",
        keywords=("manager", "support", "coaching", "listens", "backs"),
        sentiment="positive",
        driver="manager",
        templates=(
            "My manager is genuinely supportive and always makes time when I'm stuck.",
            "Great coaching from my manager this quarter; I closed deals I'd have lost before.",
            "I feel listened to. My manager backs my judgement on targets.",
            "manager is approachable and fair, best I've had",
            "Weekly one-to-ones with my manager are actually useful now.",
            "When a deal went wrong, my manager supported me instead of blaming me.",
            "Really appreciate how leadership looked after us during the reorg.",
            "My manager fights for the team and it shows.",
            "Coaching on negotiation has made a big difference. Thank you.",
            "Clear expectations and honest feedback from my manager, exactly what I need.",
            "I trust my manager to represent our numbers fairly upstairs.",
            "Good support when I needed time off; I was never made to feel guilty.",
        ),
    ),
    CommentTheme(
        key="recognition",
        name="Lack of recognition",
        keywords=("recognition", "recognise", "appreciated", "credit", "thank", "acknowledge"),
        sentiment="negative",
        driver="recognition",
        templates=(
            "Hard work goes unrecognised here unless you're top of the leaderboard.",
            "No recognition for the deals that took a year to build.",
            "Would be nice to hear thanks once in a while, not just 'what's next'.",
            "Only the big closes get celebrated; renewals and saves get no credit.",
            "i don't feel appreciated. extra effort just becomes the new expectation",
            "Recognition is inconsistent and seems to depend on who you know.",
            "Someone else got the credit for the expansion in my account.",
            "Our team hit target and nobody above our manager said a word.",
            "The bonus structure doesn't recognise team selling at all.",
            "Feels like we're only noticed when numbers drop.",
            "A simple thank-you from leadership would go a long way.",
            "Good work is expected, never acknowledged.",
        ),
    ),
    CommentTheme(
        key="career_growth",
        name="Limited career growth",
        keywords=("career", "growth", "promotion", "promoted", "progression", "development"),
        sentiment="negative",
        driver="growth",
        templates=(
            "I can't see a career path beyond my current role.",
            "Promotions seem to go to external hires rather than people already here.",
            "Would love more training and development; the budget for it disappeared.",
            "no clear progression criteria. what does it take to get to senior?",
            "Career conversations happen once a year and nothing follows.",
            "I've been in the same role for {number} years with no growth opportunities.",
            "Development plans are a form we fill in, not a plan anyone acts on.",
            "Good people are leaving because they can't get promoted here.",
            "Would like mentoring or a path into management.",
            "Learning budget cut again, so I'm paying for courses myself.",
            "Career growth depends too much on which manager you have.",
            "The promotion process is opaque and slow.",
        ),
    ),
    CommentTheme(
        key="tools_friction",
        name="Tools and CRM friction",
        keywords=("crm", "tool", "system", "admin", "data entry"),
        sentiment="negative",
        driver="tools",
        trend="fading",
        templates=(
            "The CRM is slow and I spend hours on data entry instead of selling.",
            "Too many tools that don't talk to each other.",
            "crm keeps logging me out mid-update, lost notes twice this week",
            "Quoting system is clunky; a simple quote takes 30 minutes.",
            "Admin overhead from the new tools is eating my selling time.",
            "Please fix the mobile CRM app, it's unusable on the road.",
            "We enter the same data in three systems.",
            "The reporting tool never matches the CRM, so nobody trusts either.",
            "Expense system is painfully slow and approvals get lost.",
            "Our tech stack feels ten years older than our customers'.",
            "Would save a day a week if the CRM pre-filled account info.",
            "Tooling friction is my biggest frustration, bigger than targets.",
        ),
    ),
    CommentTheme(
        key="team_spirit",
        name="Team spirit",
        keywords=("team", "colleagues", "together", "collaboration", "people"),
        sentiment="positive",
        driver="team",
        templates=(
            "Great team: everyone shares leads and helps out.",
            "Team spirit is the best it's been since I joined.",
            "love working with this team, we actually pull together",
            "Colleagues jump in to cover accounts without being asked.",
            "Collaboration across regions has really improved this year.",
            "We celebrate each other's wins and that keeps me going.",
            "I enjoy coming to work because of the people around me.",
            "Strong sense of trust within the team; we share what works.",
            "Best colleagues I've ever had. Honest, funny, generous with their time.",
            "The offsite was worth it -- we're working together much better.",
            "Good atmosphere; new starters settle in quickly.",
            "Proud of how the team handled a tough quarter together.",
        ),
    ),
    CommentTheme(
        key="plan_ownership",
        name="Ownership of my own plan",
        keywords=("target", "ownership", "own", "input", "plan", "planning"),
        sentiment="positive",
        driver="ownership",
        trend="emerging",
        templates=(
            "Setting my own target makes me feel responsible for it, in a good way.",
            "I like that my input on the plan is actually used.",
            "Finally asked what I think my territory can do instead of being handed a number.",
            "bottom-up targets = more ownership. keep it",
            "My forecast is more honest now that I own it.",
            "Being trusted to propose my target is motivating.",
            "The planning process feels fair for the first time.",
            "Having a say in the plan makes the number feel achievable.",
            "I appreciate seeing why my manager adjusted my target.",
            "Sharing what customers tell us and seeing it in the plan is rewarding.",
            "Ownership of my number has changed how I organise my week.",
            "More autonomy, less micromanagement. Good change.",
        ),
    ),
)


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------

_FORMATTER = string.Formatter()

# Shorthand reps use; applied only to lower-case whole words, so meaning and keywords survive.
_ABBREVIATIONS = {
    "customers": "custs",
    "customer": "cust",
    "quarter": "qtr",
    "because": "b/c",
    "without": "w/o",
    "with": "w/",
    "weeks": "wks",
    "management": "mgmt",
    "and": "&",
}
_ABBREVIATION_RE = re.compile(
    r"\b(" + "|".join(sorted(_ABBREVIATIONS, key=len, reverse=True)) + r")\b"
)


_SENTENCE_END_RE = re.compile(r"[.?!]\s+$")


def template_slots(template: str) -> tuple[str, ...]:
    """The slot names a template uses, in order of first appearance."""
    names = (field for _, field, _, _ in _FORMATTER.parse(template) if field is not None)
    return tuple(dict.fromkeys(names))


def fill_template(rng: random.Random, template: str) -> str:
    """Fill a template's slots with values drawn from ``SLOT_VALUES`` (one draw per slot name)."""
    values = {name: rng.choice(SLOT_VALUES[name]) for name in template_slots(template)}
    parts: list[str] = []
    for literal, field, spec, conversion in _FORMATTER.parse(template):
        parts.append(literal)
        if field is None:
            continue
        if spec or conversion:
            raise ValueError(f"slot {{{field}}} in {template!r}: no format spec or conversion")
        value = values[field]
        so_far = "".join(parts)
        if not so_far.strip() or _SENTENCE_END_RE.search(so_far):
            value = value[:1].upper() + value[1:]  # a slot that starts a sentence
        parts.append(value)
    return "".join(parts)


def _add_noise(rng: random.Random, text: str, enabled: bool = True) -> str:
    """Light, realistic noise: sometimes all lower case, shorthand, or no final full stop.

    Always draws the same three numbers from ``rng``, so turning noise off changes nothing else.
    """
    lower, abbreviate, drop_stop = rng.random(), rng.random(), rng.random()
    if not enabled:
        return text
    if abbreviate < 0.15:
        text = _ABBREVIATION_RE.sub(lambda m: _ABBREVIATIONS[m.group(1)], text)
    if lower < 0.12:
        text = text.lower()
    if drop_stop < 0.2 and text.endswith("."):
        text = text[:-1]
    return text


def generate_observation(rng: random.Random, theme: DemoTheme, *, noise: bool = True) -> str:
    """One observation text of ``theme``: a random phrasing, slots filled, optional noise."""
    return _add_noise(rng, fill_template(rng, rng.choice(theme.templates)), noise)


def generate_observations(
    rng: random.Random, theme: DemoTheme, n: int, *, noise: bool = True
) -> list[str]:
    """``n`` observation texts of ``theme``."""
    return [generate_observation(rng, theme, noise=noise) for _ in range(n)]


def generate_comment(rng: random.Random, theme: CommentTheme, *, noise: bool = True) -> str:
    """One engagement comment of ``theme``: a random phrasing, slots filled, optional noise."""
    return _add_noise(rng, fill_template(rng, rng.choice(theme.templates)), noise)


def generate_comments(
    rng: random.Random, theme: CommentTheme, n: int, *, noise: bool = True
) -> list[str]:
    """``n`` engagement comments of ``theme``."""
    return [generate_comment(rng, theme, noise=noise) for _ in range(n)]


# --------------------------------------------------------------------------------------------
# Trends across periods
# --------------------------------------------------------------------------------------------

_TREND_LOW, _TREND_HIGH = 0.25, 1.75


def period_weight(theme: DemoTheme | CommentTheme, period_index: int, n_periods: int) -> float:
    """Relative frequency of ``theme`` in period ``period_index`` (0 = oldest) of ``n_periods``.

    The weight is ``theme.prevalence`` times a trend factor: ``stable`` themes get 1.0 in every
    period; ``emerging`` themes rise linearly from 0.25 in the oldest period to 1.75 in the
    newest; ``fading`` themes fall from 1.75 to 0.25. The factor averages 1.0 over the periods,
    and a single period gets 1.0 whatever the trend. Raises ValueError for an index out of range.
    """
    if n_periods < 1 or not 0 <= period_index < n_periods:
        raise ValueError(f"period_index {period_index} out of range for {n_periods} periods")
    position = period_index / (n_periods - 1) if n_periods > 1 else 0.5
    rising = _TREND_LOW + (_TREND_HIGH - _TREND_LOW) * position
    factor = {"emerging": rising, "fading": _TREND_HIGH + _TREND_LOW - rising, "stable": 1.0}
    return theme.prevalence * factor[theme.trend]


def pick_theme(
    rng: random.Random,
    period_index: int,
    n_periods: int,
    themes: Sequence[DemoTheme] | Sequence[CommentTheme] = OBSERVATION_THEMES,
) -> DemoTheme | CommentTheme:
    """A theme drawn from ``themes`` with probability proportional to its ``period_weight``."""
    weights = [period_weight(t, period_index, n_periods) for t in themes]
    return rng.choices(list(themes), weights=weights, k=1)[0]


def observation_theme(key: str) -> DemoTheme:
    """The observation theme with this key (KeyError if none)."""
    for theme in OBSERVATION_THEMES:
        if theme.key == key:
            return theme
    raise KeyError(key)


def comment_theme(key: str) -> CommentTheme:
    """The engagement comment theme with this key (KeyError if none)."""
    for theme in ENGAGEMENT_COMMENT_THEMES:
        if theme.key == key:
            return theme
    raise KeyError(key)
