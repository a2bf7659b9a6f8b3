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
  have no effect on the target change, so an analysis must not find one.
* ``ENGAGEMENT_COMMENT_THEMES`` -- themes of confidential employee comments, with a sentiment.
* ``period_weight`` / ``pick_theme`` -- how often a theme appears in a period, so that
  ``emerging`` themes rise, ``fading`` ones fall and ``stable`` ones stay put.

Themes deliberately share vocabulary ("price" in discounting and in price-increase pushback,
"budget" in freezes and in procurement, "delay" in supply and in procurement) and not every
phrasing contains a keyword. Everything is deterministic given a ``random.Random``.

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
        "the analytics suite",
        "Pro licences",
        "the mobile add-on",
        "the reporting module",
        "Enterprise seats",
        "the connector pack",
        "the field service app",
        "the handheld scanners",
    ),
    "customer": (
        "a mid-size retailer",
        "two hospital groups",
        "the logistics account",
        "a regional bank",
        "a food distributor",
        "the university account",
        "a chain of clinics",
        "a large insurer",
        "three manufacturing customers",
        "a municipal client",
        "the telecoms account",
        "a family-owned wholesaler",
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
        change_effect=-0.10,
        forecast_bias=0.0,
        prevalence=1.3,
        templates=(
            "{competitor} is offering {percent} off list to win {customer} and we're getting undercut on every renewal.",
            "Lost {customer} to {competitor} on price; they discounted {percent} below us.",
            "competitor discounting again. {competitor} quoting way under our numbers",
            "Heavy discounting from {competitor} in my territory, especially against {product}.",
            "Why is {competitor} able to sell at {percent} less? {customer} asked us to match.",
            "{customer} showed me a {competitor} quote that was {percent} cheaper than ours.",
            "Seeing aggressive price cuts from competitors - deals now come down to who blinks first.",
            "{competitor} giving away the first year free to get a foot in the door at {customer}.",
            "undercut by {competitor} twice this month, both times on {product}",
            "Buyers keep waving rival quotes at us and asking for a better discount.",
            "{competitor} bundles their add-ons at no charge, which makes {product} look expensive.",
            "Had to discount {product} by {percent} to keep {customer} from switching to {competitor}.",
            "A competitor is dumping prices in the region; margins on new deals are getting squeezed.",
            "The {competitor} rep told {customer} they will beat any offer we make by {percent}.",
            "price war with {competitor} -- every RFP ends in a discount race",
            "Is anyone else losing to {competitor}'s cut-rate pricing? They sit {percent} under us on {product}.",
            "Competitors are discounting hard at quarter end to hit their numbers, and customers know it.",
            "{customer} will only renew if we match {competitor}'s discount.",
            "Low-ball offers from {competitor} are showing up in nearly every deal I work.",
            "Our list price is no longer credible: {customer} says {competitor} quoted {percent} below it.",
            "Procurement at {customer} is using a cheaper {competitor} bid as leverage.",
            "{competitor} is buying market share with deep discounts; we can't win on features alone right now.",
            "two deals slipped to {competitor} this quarter, both purely on price",
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
            "Customers are frustrated with delivery delays; {customer} has been waiting {weeks} weeks for {product}.",
            "supply issues again. units for {customer} pushed to {quarter}",
            "{customer} postponed the rollout because our hardware shipment is stuck at the port.",
            "Lead times on {product} went from two to {weeks} weeks and buyers are noticing.",
            "Backorders on the scanners are killing momentum at {customer}.",
            "Can we get a firm delivery date? {customer} won't sign until they see one.",
            "Shipping delays mean revenue I booked for {quarter} will probably land later.",
            "{customer} cancelled part of their order after the third missed delivery window.",
            "Our supply chain problems are now the first thing customers bring up.",
            "Delivery slipped again for {customer}, install now {weeks} weeks late",
            "Component shortages -> partial shipments -> unhappy buyers. {customer} is escalating.",
            "The warehouse is out of stock on {product} and nobody can tell me when it comes back.",
            "Installs keep getting rescheduled because the kit doesn't arrive on time.",
            "{customer} asked whether {competitor} can deliver faster. Honestly, right now they probably can.",
            "Delayed shipments are pushing go-lives from {quarter} into the following quarter.",
            "still waiting on supply for the {customer} order, {weeks} weeks and counting",
            "Logistics is the bottleneck: we sell it, then it sits in a backlog for a month.",
            "Expect {customer} to slip -- their delivery won't make {quarter}.",
            "Freight costs and slow shipping are eroding goodwill with smaller accounts.",
            "Product is great when it arrives. Problem is getting it there; {weeks}-week delays are normal now.",
            "Several customers are holding POs until we can confirm supply dates.",
            "Our delivery promises aren't credible anymore, {customer} told me straight out.",
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
            "Budget freeze at {customer}: nothing new gets signed without CFO approval.",
            "budgets frozen across the public sector accounts, renewals only",
            "Told by {customer} that their IT budget was cut by {percent} for the year.",
            "Everyone likes the demo, nobody has money. Purchases are on hold.",
            "Hiring and spend freeze at {customer}; the expansion we discussed is off the table.",
            "Are other regions seeing budgets pulled back? {number} of my accounts just paused projects.",
            "CFOs are cutting costs everywhere - {product} is seen as a nice-to-have.",
            "{customer} reallocated their budget to cost-saving projects and our upgrade lost out.",
            "No new budget until the next fiscal year, according to the {role} at {customer}.",
            "Spending freeze announced mid-quarter at {customer}. Pipeline for {quarter} took a hit.",
            "customer wants to renew but at a lower tier, their budget is down {percent}",
            "Deals are stalling at the money stage: the need is there, the budget isn't.",
            "{customer} asked for a six-month pause on payments because of budget pressure.",
            "Cost-cutting programme at {customer} means every renewal is re-justified line by line.",
            "Tight budgets all round. Even happy customers are trimming licences.",
            "The {role} at {customer} said it flatly: zero new spend this year.",
            "Projects shelved until budgets reopen in {quarter}.",
            "macro uncertainty => budget freezes => long silences from buyers",
            "{customer} cut headcount and wants fewer {product} to match.",
            "Quarter-end spend is frozen at most of my enterprise accounts.",
            "They want it, they just can't pay for it until finance loosens the purse strings.",
        ),
    ),
    DemoTheme(
        key="integration_demand",
        name="Integration demand (APIs, CRM connectors)",
        keywords=("integration", "integrate", "api", "crm", "connector"),
        tag="product",
        change_effect=0.05,
        forecast_bias=0.0,
        templates=(
            "{customer} wants {product} to integrate with their CRM before they'll commit.",
            "Every RFP now asks about our API; {customer} needs two-way sync with their ERP.",
            "Lots of questions on connectors for CRM, ERP and ticketing tools. Do we have a roadmap?",
            "api access is the #1 ask this quarter",
            "{customer} will expand if we can plug into their data warehouse.",
            "Integration is becoming a deal-breaker -- buyers don't want another standalone tool.",
            "Asked three times this week whether we have a native CRM connector.",
            "The IT team at {customer} wants webhooks and a documented REST API before signing off.",
            "Customers want our data flowing into their own dashboards, not living in ours.",
            "The connector pack is closing deals: {customer} bought it the same day they saw it.",
            "Can we prioritise the ERP integration? {number} deals in my pipeline depend on it.",
            "integrations integrations integrations. that's all buyers ask about",
            "{customer} ran a proof of concept mostly to test how well we integrate with their stack.",
            "Demand for single sign-on and CRM sync keeps growing at mid-market accounts.",
            "{competitor} won {customer} largely because their API was better documented.",
            "If {product} had an out-of-the-box connector for their service desk, {customer} would double the order.",
            "Buyers ask how we fit into their existing systems first and about features second.",
            "{customer} asking for API rate limits and sandbox access -- looks like a serious expansion.",
            "More integration requests than ever; partners could help us here.",
            "Upsell opportunity: {customer} wants CRM integration across all {number} regions.",
            "Technical buyers lead the evaluation now, and they care about APIs and connectors above all.",
            "Would {customer} pay for a custom integration? They say yes, at least {percent} on top.",
        ),
    ),
    DemoTheme(
        key="price_increase_pushback",
        name="Pushback on our price increase",
        keywords=("price", "increase", "pricing", "pushback", "uplift"),
        tag="pricing",
        change_effect=-0.04,
        forecast_bias=0.0,
        templates=(
            "{customer} pushed back hard on the {percent} price increase at renewal.",
            "The new pricing is a tough sell; several customers have asked for the old rates.",
            "Renewal uplift of {percent} went down badly with {customer}.",
            "Why did we raise prices mid-contract? {customer} is threatening to leave.",
            "price increase letters landed last week and the phone hasn't stopped",
            "Customers accept inflation, but not {percent}. {customer} called it opportunistic.",
            "Lots of pushback on the list price change for {product}.",
            "{customer} wants a multi-year price lock before they'll agree to the increase.",
            "Had to give back most of the uplift to save the {customer} renewal.",
            "Our increase is making {competitor} look attractive even without a discount.",
            "The {role} at {customer} said our new prices break their budget.",
            "Pricing change is the top objection in renewals this quarter.",
            "Small customers are downgrading rather than paying the higher rate.",
            "Got a formal complaint from {customer} about the price hike on {product}.",
            "We increased prices by {percent}; most customers grumble and a few are actually shopping around.",
            "Can sales get some flexibility on the uplift? Three renewals are stuck on it.",
            "{customer}: \"we'll pay more when the product does more.\"",
            "Resistance to the new rate card is strongest in the public sector.",
            "price rise = longest renewal conversations I've had in years",
            "{customer} agreed to the increase only after we threw in training for free.",
            "Customers compare this year's invoice with last year's, and they are not happy.",
            "Pushback on pricing everywhere; the value story isn't landing the way the old price did.",
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
            "{customer} sent a 300-question security questionnaire before they'll go any further.",
            "Security review at {customer} is adding {weeks} weeks to the deal.",
            "compliance team involved in every deal now",
            "Do we have SOC 2? The security lead at {customer} asked, and so did two others.",
            "Data residency is a hard requirement now: {customer} needs everything hosted in the EU.",
            "The infosec team at {customer} wants a pen-test report and our incident response policy.",
            "Audit requirements are tightening in financial services; {customer} wants full audit logs.",
            "Privacy questions come up in the first call now, not the last.",
            "The GDPR paperwork took longer than the commercial negotiation at {customer}.",
            "{customer} asked for a security architecture walkthrough with their CISO.",
            "Regulators are pushing {customer} to review every vendor, and we're on the list.",
            "Need a faster way to answer security reviews -- I'm filling in spreadsheets for days.",
            "Healthcare buyers insist on compliance certificates before a trial.",
            "{customer} wants SSO, MFA and role-based access as standard. Security is a must-have.",
            "vendor risk assessment at {customer}, round {number}",
            "Legal and compliance now have a veto on new tools at most of my accounts.",
            "Is our encryption at rest documented anywhere? {customer} needs it in writing for their auditors.",
            "Cyber incidents in the news have made buyers much more cautious about data access.",
            "{customer} passed us through their security audit; took {weeks} weeks but we're approved.",
            "Customers want to know where their data lives and who at our company can see it.",
            "Compliance reviews are the new gate. Product fit alone doesn't get you through.",
            "Got stuck at {customer} on a data-processing clause their privacy officer won't sign.",
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
            "{customer} is cutting its vendor list in half and we need to be on the right side of that.",
            "Consolidation is the word at {customer}: fewer tools, fewer contracts.",
            "vendor consolidation at {customer}, they want one platform for analytics and reporting",
            "Customers want fewer suppliers and are asking us to take over what {competitor} does for them.",
            "{customer} is rationalising software spend; we're up against their existing platform provider.",
            "Big push at {customer} to consolidate onto a single supplier by {quarter}.",
            "Could be an opportunity: {customer} wants to replace {number} point solutions with one.",
            "We risk being consolidated away at {customer}; their ERP vendor now bundles something similar.",
            "Procurement's goal this year is to reduce vendors by {percent}.",
            "Asked to present a platform story because {customer} only wants strategic vendors.",
            "fewer vendors, bigger contracts. that's the trend",
            "{customer} is moving everything to {competitor}'s suite to simplify; we might lose {product}.",
            "Tool sprawl is a board-level topic at {customer}; anything standalone is under review.",
            "Customers are asking whether {product} can replace their other reporting tools.",
            "Suppliers being cut at {customer} -- we survived round one.",
            "Vendor rationalisation at {customer} could double our footprint if we win it.",
            "Are we positioned as a consolidator or a point tool? Buyers increasingly ask.",
            "The {role} at {customer} wants one contract, one invoice, one support line.",
            "Consolidating suppliers seems to be a cost play for most of my accounts.",
            "{customer} gave us a shortlist spot because they're trimming the vendor base to {number}.",
            "Lost a small module at {customer} to their main vendor's bundle, but kept the core.",
            "Standardisation projects everywhere; customers want fewer, larger vendors.",
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
            "{customer} is opening {number} new sites and wants {product} at each one.",
            "Expansion mode at {customer}: more seats, more regions.",
            "growing demand from mid-market, {customer} doubled their order",
            "{customer} just announced {number} new locations for {quarter}; we're in the rollout plan.",
            "Several accounts are expanding headcount and adding licences without being asked.",
            "Strong growth in healthcare -- {customer} wants to extend to all sites.",
            "Upsell potential is big this quarter; customers are expanding into new markets.",
            "{customer} acquired one of their rivals and wants to roll us out to the new business.",
            "Demand is up. {customer} asked for {percent} more capacity.",
            "new warehouse, new team, new licences. {customer} is growing fast",
            "More seats requested at renewal than I've ever seen.",
            "{customer} is building a second distribution centre and wants the same setup there.",
            "Expansion deals now make up most of my pipeline.",
            "Is there a volume tier above Enterprise? {customer} will need it after their expansion.",
            "{customer} wants to standardise on {product} across all {number} of their sites.",
            "Customers are hiring again and it shows up in seat counts.",
            "International growth at {customer}: they want us in three new countries next year.",
            "Footfall is up at the retail accounts and they're adding stores.",
            "Land-and-expand is working: {customer} started with one team and now it's {number} departments.",
            "Demand growth in my territory is real, so I'm raising my own number.",
            "The pilot at {customer} went well; rollout to the remaining locations is budgeted.",
            "Big expansion at {customer} -- their new plant opens in {quarter}.",
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
            "{customer} wants carbon reporting on everything they buy, software included.",
            "Sustainability criteria are now scored in RFPs, {percent} of the weighting at {customer}.",
            "esg questionnaire from {customer}, due in {weeks} weeks",
            "Can we provide emissions data for our hosting? {customer} is asking for scope 3 numbers.",
            "Green credentials are becoming a tie-breaker with public sector buyers.",
            "The {role} at {customer} asked about our net-zero commitments before we even got to pricing.",
            "More customers ask about the energy use of the platform than ever before.",
            "Sustainability is on the agenda at every board-level meeting I attend.",
            "{customer} will only shortlist suppliers with a published climate policy.",
            "Carbon footprint of deliveries came up at {customer}; they want consolidated shipments.",
            "ESG reporting requirements are driving interest in the data exports of {product}.",
            "Do we have an environmental policy I can send? Third request this month.",
            "The retail accounts want recycled packaging and a take-back scheme for devices.",
            "{customer} now requires a sustainability statement from every vendor.",
            "Lots of talk about green IT; nobody has asked for a discount for it yet.",
            "Emissions reporting regulation is coming and {customer} is scrambling.",
            "Procurement at {customer} added a sustainability section to the tender.",
            "carbon numbers please -- asked by {customer} and basically every public account",
            "Buyers want proof we're reducing our own emissions, not just promises.",
            "Sustainability is a growing part of the value conversation in {quarter} renewals.",
            "Is anyone tracking ESG questions? They come up in most new deals now.",
            "{customer} asked whether {product} can help them measure their own footprint.",
        ),
    ),
    DemoTheme(
        key="ai_automation",
        name="Interest in AI and automation",
        keywords=("ai", "automation", "automate", "machine", "predictive"),
        tag="demand",
        change_effect=0.04,
        forecast_bias=0.0,
        trend="emerging",
        prevalence=0.9,
        templates=(
            "Every customer asks what our AI roadmap is.",
            "{customer} wants to automate their weekly reporting with {product}.",
            "AI features are on every RFP now, even when buyers can't say what they'd use them for.",
            "automation interest is huge at {customer}, they want fewer manual steps",
            "{customer} is piloting {competitor}'s AI assistant and asked if we have one.",
            "Can {product} predict demand? {customer} thinks machine learning will fix their forecasting.",
            "Buyers want generative AI in the product, preferably yesterday.",
            "{customer} is automating their back office and wants us to be part of it.",
            "Questions about AI governance came up in the security review at {customer}.",
            "Lots of curiosity about smart alerts and predictive insights in {product}.",
            "The {role} at {customer} has an automation mandate from the board.",
            "ai ai ai. if the demo has no AI the meeting ends early",
            "{customer} will pay {percent} more for automated anomaly detection.",
            "Customers want the tool to do the work, not just show the data.",
            "Interest in automating data entry is the strongest buying signal I see right now.",
            "{customer} asked whether our AI features keep their data private.",
            "Machine learning forecasting came up in {number} discovery calls this month.",
            "Workflow automation is replacing headcount requests at {customer}.",
            "Is there an AI add-on we can sell? The demand is there and {competitor} already pitches one.",
            "{customer} wants a chatbot on top of their reports -- an AI copilot, basically.",
            "Automation budgets seem safe even where everything else is frozen.",
            "Prospects ask for 'AI-powered' before they ask for anything else.",
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
            "Our champion at {customer} left last month and the new {role} doesn't know us.",
            "High turnover at {customer}: third project lead in a year.",
            "lost my main contact at {customer}, starting over",
            "The sponsor at {customer} moved to another company; the renewal has no owner.",
            "Every time a champion leaves we have to resell the whole value story.",
            "Staff turnover at customers makes adoption patchy because new users never get trained.",
            "The {role} who bought {product} at {customer} is leaving in {weeks} weeks.",
            "New decision-maker at {customer} wants to re-evaluate everything, including us.",
            "Reorg at {customer}: our sponsor was let go and nobody picked up the project.",
            "Who owns this now? {customer} can't tell me after the restructure.",
            "Key users at {customer} have left and usage of {product} dropped by {percent}.",
            "champion gone at {customer} -> renewal at risk",
            "{customer} brought in a new {role} who used {competitor} at her last job.",
            "Lots of churn in customer IT teams; relationships reset every few months.",
            "Need better multi-threading. Too many of my accounts hang on a single contact.",
            "Our advocate at {customer} retired and the successor hasn't returned a call.",
            "Turnover in procurement teams means re-explaining contract terms constantly.",
            "{customer} lost half its ops team this year. Adoption of {product} went with them.",
            "When our contact leaves, the deal leaves with them; saw it twice this quarter.",
            "Is there a playbook for when a champion leaves? It's happening at {number} of my accounts.",
            "New leadership at {customer} has no history with us and no loyalty.",
            "The person who signed with us at {customer} has left the company.",
        ),
    ),
    DemoTheme(
        key="procurement_cycles",
        name="Procurement lengthening sales cycles",
        keywords=("procurement", "approval", "cycle", "paperwork", "legal"),
        tag="budget",
        change_effect=-0.03,
        forecast_bias=-0.05,
        prevalence=0.9,
        templates=(
            "Procurement at {customer} added {weeks} weeks to a deal that was already agreed.",
            "Sales cycles are getting longer: more approvals, more stakeholders, same deal size.",
            "stuck in procurement at {customer}. again.",
            "{customer} now needs three quotes and a budget committee sign-off for anything over 10k.",
            "Legal review of our MSA has taken longer than the whole evaluation.",
            "Why does every renewal go through a full tender now? {customer} says it's policy.",
            "Approval chains have doubled; the {role} can no longer sign on their own.",
            "The deal with {customer} is verbally won but stuck in purchasing for {weeks} weeks.",
            "Procurement teams treat renewals like brand-new purchases.",
            "Expect {quarter} slippage: {number} of my deals are waiting on procurement paperwork.",
            "The buying process at {customer} now includes a budget holder, IT, legal and finance.",
            "PO still not issued at {customer}. Everything's signed except the approval from finance.",
            "Longer cycles across the board; average close time is up by {weeks} weeks.",
            "The new procurement portal at {customer} requires us to re-register as a supplier.",
            "deals closing but slowly. paperwork, paperwork, paperwork",
            "RFP processes at public sector accounts are stretching into {quarter}.",
            "Procurement is pushing for 90-day payment terms on top of the delay.",
            "{customer} wants our contract on their paper, and the legal back-and-forth is endless.",
            "More sign-offs needed even for small renewals; budgets are scrutinised harder.",
            "Forecasting close dates is guesswork when procurement can add a month at will.",
            "Central purchasing at {customer} took the deal away from the team that wanted it.",
            "The approval cycle at {customer} went from two weeks to {weeks}.",
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
            "{customer} complains that support takes days to answer a ticket.",
            "Service quality is the main complaint at renewals this quarter.",
            "support response times are hurting us at {customer}",
            "{customer} escalated to their {role} after a {weeks}-week-old ticket was closed without a fix.",
            "Customers say onboarding was great but after-sales service is weak.",
            "Spent my visit at {customer} apologising for support instead of selling.",
            "Why do tickets get bounced between teams? {customer} asked me and I had no answer.",
            "The outage last month is still the first thing {customer} mentions.",
            "Complaints about the help desk are up, and {competitor} is using it against us.",
            "{customer} wants a named account manager and a faster SLA.",
            "service issues at {customer}, renewal at risk unless fixed",
            "Nobody called {customer} back after the bug report. They noticed.",
            "Support is slow and customers are starting to say so in writing.",
            "Training and documentation gaps mean {customer} raises tickets for basic things.",
            "{customer} asked for a service credit after repeated downtime.",
            "Frustration with first-line support: scripted answers, no ownership.",
            "Is support understaffed? Response times have doubled since {quarter}.",
            "Users at {customer} have stopped logging issues because nothing happens.",
            "Premium support could be an upsell if the standard service were better.",
            "Complaint from {customer}: three different engineers, three different answers.",
            "The product is fine; the service around it is what customers grumble about.",
            "{customer} is scoring us low on support in their vendor review.",
        ),
    ),
    DemoTheme(
        key="multi_year_renewals",
        name="Renewals moving to multi-year contracts",
        keywords=("multi-year", "renew", "contract", "long-term", "commit", "years"),
        tag="demand",
        change_effect=0.02,
        forecast_bias=0.03,
        prevalence=0.7,
        templates=(
            "{customer} asked to move from an annual to a three-year contract.",
            "Multi-year renewals are back; buyers want price certainty.",
            "renewed {customer} for 3 years in exchange for a small discount",
            "Customers prefer locking in for longer rather than facing another increase.",
            "{customer} signed a {number}-year deal, prepaid.",
            "Long-term commitments are easier to get than new logos right now.",
            "Could we offer better multi-year terms? {customer} would commit today.",
            "Most of my {quarter} renewals are going multi-year.",
            "The finance team at {customer} wants a fixed price for five years and will pay upfront.",
            "Three-year terms are becoming the default in renewal talks.",
            "{customer} extended their contract early to avoid the next price rise.",
            "Customers are asking for longer contracts with step-up pricing.",
            "Annual is out, multi-year is in -- at least for the enterprise accounts.",
            "{customer} wants to bundle {product} into a long-term agreement.",
            "Early renewal with a 36-month term at {customer}; very happy with that one.",
            "Buyers see a multi-year commitment as a hedge against inflation.",
            "Happy surprise: {customer} asked us for a longer term, not the other way round.",
            "contract lengths creeping up, 2-3 years typical now",
            "Is there an approval path for 5-year deals? {customer} is serious.",
            "{customer} will commit to {number} years if we guarantee the roadmap items.",
            "Renewal conversations are shifting from 'whether' to 'for how long'.",
            "Locking customers in for longer terms is easy this quarter; they value stability.",
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
