"""Generate ragtune's bundled sample workload (fictional company "Quorvane") deterministically.

Writes, under src/ragtune/examples/sample/ (or --out DIR):
  kb_v1/*.md, kb_v2/*.md, changes.json   knowledge base before/after an update
  qa.jsonl                               questions with gold answers, gold docs, splits, fact ids
  intents.jsonl, labels.json             support-intent classification
  extract.jsonl, extract_schema.json     support email -> JSON extraction
  README.md                              what the files hold and how to regenerate them

All text is written for this project: the documents live in sample_kb.py, the questions in
sample_questions.py, the templates for intents and extraction below. Facts inside the
documents are inline markers:
  [[fact_id|value]]            a fact that is the same in both versions
  [[fact_id|old|new]]          a fact that changes in kb_v2
  [[fact_id]]                  a later mention of an already defined fact (same value)
  {{v2:text}}                  text that exists only in kb_v2 (e.g. a new changelog entry)
Questions name a fact id; their gold documents are every document that mentions the fact, so
the answer appears verbatim in each gold document by construction.

Stdlib only; a fixed seed; re-running reproduces the committed files byte for byte:
    python scripts/make_sample.py            # rewrite the bundled sample
    python scripts/make_sample.py --out DIR  # write elsewhere (the tests compare the two)

It deliberately does not call any model or network: every string comes from these three files.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

# Sibling modules holding the prose (scripts/ is on sys.path when this file runs as a script).
from sample_kb import DOCS
from sample_questions import QUESTIONS

SEED = 20251121
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src" / "ragtune" / "examples" / "sample"

# ---------------------------------------------------------------------------------------------
# Knowledge base rendering
# ---------------------------------------------------------------------------------------------

MARKER = re.compile(r"\[\[([a-z0-9_]+)(?:\|([^|\]]*))?(?:\|([^|\]]*))?\]\]")
V2_BLOCK = re.compile(r"\{\{v2:(.*?)\}\}", re.DOTALL)


def collect_facts() -> tuple[dict[str, tuple[str, str]], dict[str, list[str]]]:
    """Return fact id -> (v1 value, v2 value) and fact id -> ids of the documents mentioning it."""
    facts: dict[str, tuple[str, str]] = {}
    docs_of: dict[str, list[str]] = {}
    for doc_id, text in DOCS:
        for match in MARKER.finditer(text):
            fact_id, old, new = match.groups()
            if old is not None:
                if fact_id in facts:
                    raise ValueError(f"fact {fact_id!r} is defined twice (second in {doc_id})")
                if "\n" in old or (new is not None and "\n" in new):
                    raise ValueError(f"fact {fact_id!r} in {doc_id} spans two lines")
                facts[fact_id] = (old, new if new is not None else old)
            docs_of.setdefault(fact_id, [])
            if doc_id not in docs_of[fact_id]:
                docs_of[fact_id].append(doc_id)
    undefined = sorted(set(docs_of) - set(facts))
    if undefined:
        raise ValueError(f"facts mentioned but never defined: {undefined}")
    return facts, docs_of


def render(text: str, facts: dict[str, tuple[str, str]], version: int) -> str:
    """Resolve markers to the values of kb_v1 (version=1) or kb_v2 (version=2)."""
    text = V2_BLOCK.sub(lambda m: m.group(1) if version == 2 else "", text)
    return MARKER.sub(lambda m: facts[m.group(1)][version - 1], text)


def build_kb(facts: dict[str, tuple[str, str]], docs_of: dict[str, list[str]]) -> dict[str, str]:
    files: dict[str, str] = {}
    for doc_id, text in DOCS:
        files[f"kb_v1/{doc_id}.md"] = render(text, facts, 1)
        files[f"kb_v2/{doc_id}.md"] = render(text, facts, 2)
    changes: list[dict[str, object]] = []
    for fact_id, (old, new) in facts.items():
        if old != new:
            for doc_id in docs_of[fact_id]:
                changes.append(
                    {
                        "fact_id": fact_id,
                        "doc_id": doc_id,
                        "kind": CHANGE_KINDS[fact_id],
                        "old": old,
                        "new": new,
                    }
                )
    for doc_id, text in DOCS:
        for block in V2_BLOCK.findall(text):
            title = block.strip().splitlines()[0].lstrip("# ").strip()
            changes.append(
                {
                    "fact_id": None,
                    "doc_id": doc_id,
                    "kind": "added_section",
                    "old": None,
                    "new": title,
                }
            )
    files["changes.json"] = json.dumps(changes, indent=2, ensure_ascii=False) + "\n"
    return files


# What kind of update each changed fact is (listed in changes.json).
CHANGE_KINDS: dict[str, str] = {
    "starter_booking_limit": "limit",
    "team_price": "price",
    "refund_window_annual": "policy",
    "deleted_workspace_retention": "retention",
    "sla_uptime": "policy",
    "password_min_length": "limit",
    "api_rate_limit": "limit",
    "webhook_retries": "limit",
    "webhook_retry_window": "limit",
    "smart_slots_name": "rename",
    "sms_included_team": "limit",
    "audit_retention_business": "retention",
    "import_max_size": "limit",
    "support_hours": "policy",
}

# ---------------------------------------------------------------------------------------------
# Question-answer pairs and their splits
# ---------------------------------------------------------------------------------------------

# Each fact gets one plan for its questions, so that train and test share some facts (a tuned
# model can memorise those) and not others (only retrieval can answer those):
#   train_only  every paraphrase in train
#   shared      paraphrases spread over train, test and validation (train first)
#   held_out    every paraphrase in test, or every one in validation; never seen in train
PLAN_WEIGHTS = {"train_only": 0.37, "shared": 0.40, "held_out": 0.23}
SHARED_ORDER = ["train", "test", "validation", "train", "test", "train"]


def plan_splits(rng: random.Random, facts: dict[str, tuple[str, str]]) -> dict[str, list[str]]:
    """Fact id -> the split of each of its questions, in question order."""
    plans: dict[str, list[str]] = {}
    changed_seen = 0
    for fact_id, questions in QUESTIONS.items():
        old, new = facts[fact_id]
        if old != new:
            # Changed facts alternate shared / held-out so every split gets some of them.
            plan = "shared" if changed_seen % 3 != 2 else "held_out"
            changed_seen += 1
        else:
            plan = rng.choices(list(PLAN_WEIGHTS), weights=list(PLAN_WEIGHTS.values()))[0]
        n = len(questions)
        if plan == "shared" and n == 1:
            plan = "train_only"
        if plan == "train_only":
            splits = ["train"] * n
        elif plan == "shared":
            splits = SHARED_ORDER[:n]
        else:
            splits = ["validation" if rng.random() < 0.45 else "test"] * n
        plans[fact_id] = splits
    return plans


def build_qa(
    facts: dict[str, tuple[str, str]], docs_of: dict[str, list[str]], rng: random.Random
) -> list[dict[str, object]]:
    unknown = sorted(set(QUESTIONS) - set(facts))
    if unknown:
        raise ValueError(f"questions about unknown facts: {unknown}")
    plans = plan_splits(rng, facts)
    rows: list[dict[str, object]] = []
    for fact_id, questions in QUESTIONS.items():
        old, new = facts[fact_id]
        for question, split in zip(questions, plans[fact_id], strict=True):
            rows.append(
                {
                    "id": f"qa-{len(rows) + 1:04d}",
                    "question": question,
                    "answer": old,
                    "doc_ids": docs_of[fact_id],
                    "split": split,
                    "fact_id": fact_id,
                    "changed": old != new,
                    "answer_v2": new,
                }
            )
    return rows


def to_jsonl(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


# ---------------------------------------------------------------------------------------------
# Shared slot values for the generated sets (all invented)
# ---------------------------------------------------------------------------------------------

FIRST_NAMES = [
    "Amara",
    "Bastian",
    "Chiara",
    "Dev",
    "Elif",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Keiko",
    "Lars",
    "Maya",
    "Nils",
    "Olu",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tamsin",
    "Umar",
    "Vera",
    "Wim",
    "Ximena",
    "Yusuf",
    "Zofia",
    "Anouk",
    "Bram",
    "Carmen",
    "Dmitri",
]
LAST_NAMES = [
    "Achterberg",
    "Baptiste",
    "Castellanos",
    "Dijkstra",
    "Eriksen",
    "Fontaine",
    "Gallagher",
    "Haddad",
    "Iversen",
    "Jankowski",
    "Kowalczyk",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinlan",
    "Rasmussen",
    "Schouten",
    "Takahashi",
    "Umberto",
    "Verhoeven",
    "Whitfield",
    "Yilmaz",
    "Zanetti",
]
COMPANIES = [
    "Harbor Dental",
    "Kestrel Tutoring",
    "Brightwell Physio",
    "Northgate Legal",
    "Pine & Birch Salon",
    "Lumen Eye Clinic",
    "Ridgeway Repairs",
    "Saltmarsh Consulting",
    "Fieldstone Vets",
    "Copperleaf Accounting",
    "Orchard Lane Therapy",
    "Bluefin Driving School",
    "Mossgrove Studio",
    "Tideway Property",
    "Alder Street Clinic",
    "Quayside Fitness",
    "Westbrook Tax Advisors",
    "Cinder Hill Music School",
    "Greyfriars Recruitment",
    "Marlowe Interiors",
]
INTEGRATIONS = ["Google Calendar", "Outlook", "Zoom", "Slack", "Salesforce", "HubSpot", "Stripe"]
FEATURES = [
    "booking pages",
    "round robin",
    "SMS reminders",
    "routing forms",
    "the mobile app",
    "the audit log",
    "group events",
    "custom questions",
    "the booking page embed",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
PLAN_NAMES = {
    "starter": "Starter",
    "team": "Team",
    "business": "Business",
    "enterprise": "Enterprise",
}


def fill(template: str, rng: random.Random) -> str:
    """Fill {slot} placeholders with values drawn from rng (each slot drawn once per message)."""
    values = {
        "integration": rng.choice(INTEGRATIONS),
        "feature": rng.choice(FEATURES),
        "plan": rng.choice(list(PLAN_NAMES.values())),
        "month": rng.choice(MONTHS),
        "amount": f"${rng.choice([36, 48, 75, 120, 144, 180, 288, 360, 576, 720])}",
        "n": str(rng.choice([2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40])),
        "code": rng.choice(["HTTP 500", "E-1042", "E-2210", "E-3007"]),
        "browser": rng.choice(["Chrome", "Firefox", "Safari", "Edge"]),
        "device": rng.choice(["iPhone", "Android phone", "iPad", "Pixel"]),
        "name": rng.choice(FIRST_NAMES),
        "company": rng.choice(COMPANIES),
    }
    return template.format(**values)


# ---------------------------------------------------------------------------------------------
# Support-intent classification
# ---------------------------------------------------------------------------------------------

LABELS: dict[str, str] = {
    "billing": "Charges, invoices, prices, payment methods, refunds and tax.",
    "bug_report": "Something in the product behaves wrongly or shows an error.",
    "feature_request": "Asks for a capability the product does not have yet.",
    "account_access": "Cannot sign in, passwords, two-factor, SSO or locked accounts.",
    "cancellation": "Wants to cancel, pause, downgrade or delete the workspace.",
    "integration": "Setting up or using a connected service (calendars, Zoom, Slack, CRM, API).",
    "data_privacy": "Personal data, GDPR, DPA, retention, data location and security questions.",
    "other": "Anything else: sales questions, praise, general how-to, partnerships.",
}

INTENT_TEMPLATES: dict[str, list[str]] = {
    "billing": [
        "I was charged {amount} twice this month, can you refund one of them?",
        "Where can I download the invoice for {month}?",
        "Our card expired and the payment failed. How do I update it?",
        "Can you add our VAT number to the {month} invoice?",
        "Why did our bill go up to {amount}? We only added {n} seats.",
        "Do you accept SEPA direct debit for the {plan} plan?",
        "We need a purchase order number printed on our invoices.",
        "Is the {plan} price per seat or per workspace?",
        "We got charged tax even though we are a business in the EU.",
        "Can we switch from monthly to annual billing and what would it cost for {n} seats?",
        "The invoice says {amount} but the pricing page says something different.",
        "How do I pay by bank transfer instead of card?",
        "Can we get the non-profit discount? We're a registered charity.",
        "Our finance team needs all invoices emailed to one address automatically.",
    ],
    "bug_report": [
        "The booking page shows a blank screen in {browser} since this morning.",
        "Times on my booking page are off by one hour after the clock change.",
        "Reminder SMS went out twice to the same attendee.",
        "I get error {code} when I open the event type settings.",
        "The {device} app crashes as soon as I open tomorrow's bookings.",
        "Custom questions are not saved when I click Save, they just disappear.",
        "The CSV export of bookings is missing the answers column.",
        "Round robin keeps giving every booking to the same host.",
        "The embed button on our website does nothing when clicked in {browser}.",
        "Attendees see the wrong language on the booking page even though it is set to Dutch.",
        "The team report shows {n} no-shows but we marked none.",
        "Dark mode makes the calendar text unreadable in {browser}.",
        "Our booking page says no times available although my calendar is empty.",
        "After rescheduling, the old slot still looks taken on the booking page.",
    ],
    "feature_request": [
        "Could you add recurring bookings, like every Tuesday for {n} weeks?",
        "It would be great if {feature} supported waitlists.",
        "Any plans for a Microsoft Teams bot similar to the Slack app?",
        "Please let attendees pay with PayPal, not just cards.",
        "We'd love an option to hide the host's last name on booking pages.",
        "Can you add a dark theme for booking pages, not just the app?",
        "Would you consider a Go SDK? We don't use Python or Node.",
        "Please make {feature} available on the {plan} plan too.",
        "It would help if reports could be scheduled and emailed weekly.",
        "Could the mobile app show bookings for the whole team, not only mine?",
        "Feature idea: let attendees book two back-to-back slots at once.",
        "Can you support WhatsApp reminders in addition to SMS?",
        "We need multi-currency prices on one event type. Is that on the roadmap?",
    ],
    "account_access": [
        "I can't log in, it says my account is locked.",
        "The password reset email never arrives.",
        "I lost my phone and can't get my two-factor code.",
        "Our SSO login fails with error SSO-117.",
        "{name} left the company and we need access to their bookings.",
        "I changed my email address and now I can't sign in.",
        "The magic link says it has expired every time I click it.",
        "Our Owner is on leave and nobody can get into billing settings.",
        "After enforcing SSO, half of the team is locked out.",
        "I'm stuck in a sign-in loop on the {device} app.",
        "My recovery codes don't work anymore.",
        "How do I transfer ownership of the workspace to {name}?",
        "The invitation link for our new colleague has expired.",
    ],
    "cancellation": [
        "Please cancel our subscription at the end of this month.",
        "We're closing the business in {month}. How do we cancel?",
        "Can we pause our plan over the summer instead of cancelling?",
        "I want to downgrade from {plan} to the free plan.",
        "How do I delete our workspace and all its data?",
        "We've moved to another tool, please stop the renewal.",
        "Turn off auto-renew for our annual plan please.",
        "We no longer need {n} seats, we're shutting down the team.",
        "Cancel my account. I don't want any more charges.",
        "Our clinic is closing; what happens to our data if we cancel?",
        "We want to end the {plan} subscription before it renews in {month}.",
        "How can I stop the trial from turning into a paid plan?",
    ],
    "integration": [
        "Bookings are not showing up in {integration}.",
        "How do I connect {integration} to Quorvane?",
        "The Zoom links in confirmations are missing since yesterday.",
        "Our Salesforce sync log is full of errors about a required field.",
        "Webhooks to our endpoint keep failing with a timeout.",
        "Can the HubSpot integration set the lifecycle stage to Lead?",
        "Our API calls return HTTP 429, are we over the rate limit?",
        "Outlook busy times are not blocking slots on my booking page.",
        "The Slack app posts every booking twice in the channel.",
        "Which scopes does the Google Calendar connection ask for?",
        "Stripe says charges are not enabled on our connected account.",
        "How do I verify the webhook signature in PHP?",
        "Our Microsoft 365 admin needs to approve the app. What should they click?",
        "Can {integration} sync run both ways?",
    ],
    "data_privacy": [
        "Can you send us a signed DPA?",
        "Where is our booking data stored? We need it to stay in the EU.",
        "A patient asked us to delete all their data. How do we do that?",
        "How long do you keep data after we delete our workspace?",
        "Do you have a SOC 2 report we can review?",
        "Which subprocessors do you use for SMS?",
        "Is our data encrypted at rest?",
        "We received a GDPR access request from an attendee, what do we do?",
        "Who is your Data Protection Officer?",
        "Can support staff in the US see our EU workspace data?",
        "Do booking pages set any tracking cookies?",
        "How quickly would you notify us of a data breach?",
        "Can we get our audit logs kept for longer for compliance?",
    ],
    "other": [
        "Just wanted to say the new booking page design looks great!",
        "Do you have a partner programme for agencies?",
        "Can I book a demo of the {plan} plan for our team of {n}?",
        "Is Quorvane a good fit for a yoga studio?",
        "What's the difference between a host and a viewer?",
        "Are you hiring support staff in Austin?",
        "Can we feature Quorvane in a case study about {company}?",
        "How do I add a second location to an event type?",
        "Do you offer training sessions for new admins?",
        "Is there a community forum where I can ask other users?",
        "We're comparing tools, how is Quorvane different?",
        "Thanks {name}, the issue from last week is solved now.",
    ],
}
INTENT_PREFIXES = ["", "", "", "Hi, ", "Hello team, ", "Hey! ", "Good morning. ", "Quick one: "]
INTENT_SUFFIXES = [
    "",
    "",
    "",
    " Thanks!",
    " Thank you.",
    " Please help.",
    " Cheers, {name}",
    " Regards, {company}",
]
INTENTS_PER_LABEL = 45


def split_stratified(rng: random.Random, n: int) -> list[str]:
    """n split names in a random order: 60% train, 15% validation, the rest test."""
    n_train, n_val = round(n * 0.60), round(n * 0.15)
    splits = ["train"] * n_train + ["validation"] * n_val + ["test"] * (n - n_train - n_val)
    rng.shuffle(splits)
    return splits


def build_intents(rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for label, templates in INTENT_TEMPLATES.items():
        texts: list[str] = []
        attempts = 0
        while len(texts) < INTENTS_PER_LABEL:
            attempts += 1
            if attempts > 50 * INTENTS_PER_LABEL:
                raise ValueError(f"not enough distinct messages for {label!r}")
            body = rng.choice(templates)
            prefix = rng.choice(INTENT_PREFIXES)
            if prefix.endswith((", ", ": ")) and not body.startswith(("I ", "I'")):
                body = body[0].lower() + body[1:]
            text = fill(prefix + body + rng.choice(INTENT_SUFFIXES), rng)
            if text not in texts:
                texts.append(text)
        for text, split in zip(texts, split_stratified(rng, len(texts)), strict=True):
            rows.append({"text": text, "label": label, "split": split})
    rng.shuffle(rows)
    return [{"id": f"intent-{i + 1:04d}", **row} for i, row in enumerate(rows)]


# ---------------------------------------------------------------------------------------------
# JSON extraction: support emails and order notes -> a ticket object
# ---------------------------------------------------------------------------------------------

ISSUE_TYPES = ["billing", "bug", "access", "integration", "cancellation", "upgrade", "other"]

EXTRACT_SCHEMA: dict[str, object] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "SupportTicket",
    "description": "Fields a support agent fills in from one customer email or order note.",
    "type": "object",
    "additionalProperties": False,
    "required": ["customer_name", "company", "plan", "seats", "issue_type", "urgent"],
    "properties": {
        "customer_name": {
            "type": "string",
            "minLength": 1,
            "description": "Full name of the person writing.",
        },
        "company": {
            "type": ["string", "null"],
            "description": "Customer organisation, null when not stated.",
        },
        "plan": {"enum": list(PLAN_NAMES), "description": "Current Quorvane plan, lower case."},
        "seats": {
            "type": ["integer", "null"],
            "minimum": 1,
            "description": "Seats the customer has or asks for; null if not stated.",
        },
        "issue_type": {"enum": ISSUE_TYPES, "description": "What the message is about."},
        "urgent": {
            "type": "boolean",
            "description": "True only when the writer says it is urgent or time-critical.",
        },
    },
}

ISSUE_SENTENCES: dict[str, list[str]] = {
    "billing": [
        "We were charged {amount} twice in {month} and need one charge refunded.",
        "Our invoice for {month} shows the wrong VAT number.",
        "The card payment failed and we would like to pay by bank transfer instead.",
        "Could you explain why the last invoice was {amount}?",
    ],
    "bug": [
        "The booking page shows no available times even though our calendars are empty.",
        "Reminder emails are going out at the wrong time since the clock change.",
        "The mobile app crashes when we open the bookings list.",
        "Error {code} appears whenever we save an event type.",
    ],
    "access": [
        "I am locked out of my account and the reset email never arrives.",
        "Our SSO sign-in fails with error SSO-117.",
        "A colleague lost her phone and cannot pass two-factor authentication.",
        "Nobody can reach the billing settings because our Owner has left.",
    ],
    "integration": [
        "New bookings are not appearing in {integration}.",
        "Our webhook endpoint keeps receiving duplicate events.",
        "The {integration} connection shows a red dot and asks us to reconnect.",
        "The API returns HTTP 429 for our nightly sync.",
    ],
    "cancellation": [
        "We would like to cancel our subscription at the end of the term.",
        "Please stop the renewal in {month}, we are moving to another tool.",
        "We are closing the practice and want to delete the workspace.",
        "We want to pause the plan over the summer instead of cancelling.",
    ],
    "upgrade": [
        "We want to move up to a bigger plan to get single sign-on.",
        "We are growing and would like a quote for more seats.",
        "Please upgrade us so we can use the Salesforce integration.",
        "We need the audit log, so we would like to change plans.",
    ],
    "other": [
        "Do you run onboarding sessions for new admins?",
        "We would like to be featured in a customer story.",
        "Can you recommend how to set up booking pages for two locations?",
        "Just a note to say the new booking page looks great.",
    ],
}
URGENT_PHRASES = [
    "This is urgent.",
    "Please treat this as urgent, patients cannot book.",
    "We need this fixed today.",
    "URGENT: our front desk is waiting on this.",
    "Please help as soon as possible, this is blocking us.",
]
CALM_PHRASES = ["No rush on this.", "Whenever you have time.", "", "", "Any pointers welcome."]
PLAN_PHRASES = [
    "We are on the {plan} plan",
    "Our workspace uses the {plan} plan",
    "We subscribe to Quorvane {plan}",
    "We have a {plan} subscription",
]
SEAT_PHRASES = [
    "with {seats} {seat_word}",
    "for {seats} {user_word}",
    "({seats} {seat_word})",
    "covering {seats} {user_word}",
]
# Seat counts that fit each plan's limits in the knowledge base (Team <= 50, Enterprise >= 100).
SEAT_CHOICES = {
    "starter": [1],
    "team": [2, 3, 5, 8, 12, 15, 20, 25, 40],
    "business": [6, 12, 20, 35, 60, 85, 150],
    "enterprise": [100, 120, 250, 400, 600],
}
EXTRACT_COUNT = 240
# Plan and issue pairs that contradict the knowledge base (Starter is free; Enterprise is top).
IMPOSSIBLE = {("starter", "billing"), ("starter", "cancellation"), ("enterprise", "upgrade")}


def make_extract_item(rng: random.Random) -> tuple[str, dict[str, object]]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    name = f"{first} {last}"
    company = rng.choice(COMPANIES) if rng.random() < 0.75 else None
    plan = rng.choice(list(PLAN_NAMES))
    seats = rng.choice(SEAT_CHOICES[plan]) if rng.random() < 0.7 else None
    issue = rng.choice([i for i in ISSUE_TYPES if (plan, i) not in IMPOSSIBLE])
    urgent = rng.random() < 0.3
    plan_text = rng.choice(PLAN_PHRASES).format(plan=PLAN_NAMES[plan])
    if seats is not None:
        plural = "" if seats == 1 else "s"
        plan_text += " " + rng.choice(SEAT_PHRASES).format(
            seats=seats, seat_word="seat" + plural, user_word="user" + plural
        )
    issue_text = fill(rng.choice(ISSUE_SENTENCES[issue]), rng)
    tone = rng.choice(URGENT_PHRASES if urgent else CALM_PHRASES)
    if rng.random() < 0.7:
        # An email: greeting, body, sign-off with the name and (maybe) the company.
        greeting = rng.choice(["Hello,", "Hi Quorvane support,", "Dear support team,", "Hi there,"])
        signature = f"{name}\n{company}" if company else name
        sign_off = rng.choice(["Best regards,", "Thanks,", "Kind regards,", "Cheers,"])
        body = " ".join(s for s in [f"{plan_text}.", issue_text, tone] if s)
        text = f"{greeting}\n\n{body}\n\n{sign_off}\n{signature}"
    else:
        # An order note written by a sales or support colleague.
        who = f"{name} ({company})" if company else name
        parts = [f"Note from call with {who}.", f"{plan_text}.", issue_text]
        parts.append("Marked urgent by the customer." if urgent else "Not urgent.")
        text = " ".join(parts)
    target: dict[str, object] = {
        "customer_name": name,
        "company": company,
        "plan": plan,
        "seats": seats,
        "issue_type": issue,
        "urgent": urgent,
    }
    return text, target


def build_extract(rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    while len(rows) < EXTRACT_COUNT:
        text, target = make_extract_item(rng)
        if text in seen:
            continue
        seen.add(text)
        rows.append({"text": text, "target": target})
    splits = split_stratified(rng, len(rows))
    return [
        {"id": f"extract-{i + 1:04d}", **row, "split": split}
        for i, (row, split) in enumerate(zip(rows, splits, strict=True))
    ]


# ---------------------------------------------------------------------------------------------
# README of the sample folder (counts are computed, so it never drifts from the data)
# ---------------------------------------------------------------------------------------------


def count_by(rows: list[dict[str, object]], key: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[str(row[key])] = counts.get(str(row[key]), 0) + 1
    return counts


def splits_text(rows: list[dict[str, object]]) -> str:
    counts = count_by(rows, "split")
    return ", ".join(f"{s} {counts.get(s, 0)}" for s in ("train", "validation", "test"))


def render_readme(
    files: dict[str, str],
    qa: list[dict[str, object]],
    intents: list[dict[str, object]],
    extract: list[dict[str, object]],
) -> str:
    n_docs = sum(1 for rel in files if rel.startswith("kb_v1/"))
    changes = json.loads(files["changes.json"])
    changed_facts = {c["fact_id"] for c in changes if c["fact_id"]}
    changed_docs = {c["doc_id"] for c in changes}
    changed_qa = [r for r in qa if r["changed"]]
    train_facts = {r["fact_id"] for r in qa if r["split"] == "train"}
    test = [r for r in qa if r["split"] == "test"]
    test_seen = sum(1 for r in test if r["fact_id"] in train_facts)
    n_facts = len({r["fact_id"] for r in qa})
    label_counts = count_by(intents, "label")
    labels = {label: label_counts.get(label, 0) for label in LABELS}
    issue_counts = count_by([r["target"] for r in extract], "issue_type")  # type: ignore[misc]
    issues = {issue: issue_counts.get(issue, 0) for issue in ISSUE_TYPES}
    label_text = ", ".join(f"{k} {v}" for k, v in labels.items())
    return f"""# Sample workload: Quorvane

A small, realistic workload for `ragtune demo`, the evidence-run tests and the retrieval
benchmarks. Quorvane is a fictional B2B SaaS company selling an online scheduling and booking
platform (plans, API, integrations, billing, policies, changelog). Every text here was written
for ragtune or generated by `scripts/make_sample.py`; nothing is copied from elsewhere. Any
resemblance to real companies or people is accidental.

Regenerate (stdlib only, fixed seed, byte-for-byte identical output):

```bash
python scripts/make_sample.py              # rewrites this folder
python scripts/make_sample.py --out /tmp/s # writes elsewhere
```

Edit the generator, never these files: the test suite regenerates the sample into a temporary
folder and fails if anything differs.

## Files

- `kb_v1/*.md`: the knowledge base, first version ({n_docs} documents): product docs, policies,
  pricing, changelog, FAQ, troubleshooting.
- `kb_v2/*.md`: the same {n_docs} documents after an update.
- `changes.json`: every change between the versions, one entry per document ({len(changes)}
  entries: {len(changed_facts)} facts in {len(changed_docs)} documents).
- `qa.jsonl`: {len(qa)} questions about {n_facts} facts, with short extractive gold answers and
  gold documents.
- `intents.jsonl`: {len(intents)} short customer messages labelled with a support intent.
- `labels.json`: the closed intent label set ({len(LABELS)} labels), one-line description each.
- `extract.jsonl`: {len(extract)} support emails and call notes with the JSON object to extract.
- `extract_schema.json`: JSON Schema (draft 2020-12) of the extraction target.

## Knowledge base

Each document's id is its file stem (for example `refund-policy`) and its title is its first
`# ` heading. Documents are 150-600 words of Markdown with headings, lists and tables. `kb_v2`
changes {len(changed_facts)} facts (prices, limits, retention periods, an uptime commitment,
support hours and a renamed feature) and adds a "November 2025" entry to `changelog`. That
entry restates several new values (and one old one, "from 600 to 1,000"), so under `kb_v2` the
changelog is an extra relevant document for some changed questions; `doc_ids` lists only the
documents that state the fact in both versions.

`changes.json` is a list of objects: `fact_id`, `doc_id`, `kind` (`price`, `limit`,
`retention`, `policy`, `rename`, or `added_section` for new text, whose `fact_id` and `old` are
null), `old`, `new`.

## qa.jsonl

One JSON object per line:

- `id`: `qa-0001`...
- `question`: the question as a customer or agent might ask it.
- `answer`: the gold answer under `kb_v1`; a short string that appears verbatim in every gold
  document.
- `doc_ids`: the gold documents, i.e. every document that states the fact.
- `split`: `train`, `validation` or `test` ({splits_text(qa)}).
- `fact_id`: the fact the question targets. Several questions are paraphrases of one fact.
- `changed`: true when the answer differs in `kb_v2` ({len(changed_qa)} questions:
  {splits_text(changed_qa)}).
- `answer_v2`: the gold answer under `kb_v2` (equal to `answer` when `changed` is false); it
  appears verbatim in the `kb_v2` version of every gold document.

Splits are planned per fact, so overlap can be analysed with `fact_id`: some facts have every
paraphrase in train, some are spread over train and test (a fine-tuned model may have memorised
them), and some appear only in validation or test (only retrieval can know them). Of the
{len(test)} test questions, {test_seen} target a fact that also has a train question and
{len(test) - test_seen} do not.

Short answers such as `30 days` can also occur in documents about other facts; the gold
documents are the ones that state this fact. Answers are matched case-sensitively as written.

## intents.jsonl and labels.json

`intents.jsonl` has `id`, `text`, `label` and `split` ({splits_text(intents)}, stratified per
label). Messages are built from templates with slot fills (names, amounts, integrations, error
codes), so they vary but stay deterministic. Per label: {label_text}.

`labels.json` is a list of `{{"label", "description"}}` objects; no message uses a label outside
it.

## extract.jsonl and extract_schema.json

`extract.jsonl` has `id`, `text` (an email or a short call note), `target` (the object to
extract) and `split` ({splits_text(extract)}). Every target validates against
`extract_schema.json`:

- `customer_name` (string), `company` (string or null when not stated),
- `plan` (`starter`, `team`, `business`, `enterprise`),
- `seats` (integer >= 1, or null when not stated),
- `issue_type` ({", ".join(f"`{k}` {v}" for k, v in issues.items())}),
- `urgent` (true only when the writer says it is urgent or time-critical).

## Caveats

The intent and extraction sets reuse their templates across splits, so test items are often
close paraphrases of train items: a tuned model gains a lot from the train split, and test
accuracy here overstates accuracy on real customer traffic. Treat them as a harness check and a
relative comparison between strategies, not as an absolute benchmark.
"""


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def build() -> dict[str, str]:
    """Every file of the sample, relative path -> text. Same output on every call."""
    facts, docs_of = collect_facts()
    files = build_kb(facts, docs_of)
    qa = build_qa(facts, docs_of, random.Random(SEED))
    files["qa.jsonl"] = to_jsonl(qa)
    intents = build_intents(random.Random(SEED + 1))
    files["intents.jsonl"] = to_jsonl(intents)
    labels = [{"label": label, "description": text} for label, text in LABELS.items()]
    files["labels.json"] = json.dumps(labels, indent=2, ensure_ascii=False) + "\n"
    extract = build_extract(random.Random(SEED + 2))
    files["extract.jsonl"] = to_jsonl(extract)
    files["extract_schema.json"] = json.dumps(EXTRACT_SCHEMA, indent=2, ensure_ascii=False) + "\n"
    files["README.md"] = render_readme(files, qa, intents, extract)
    return files


def write(files: dict[str, str], out: Path) -> None:
    for rel, text in sorted(files.items()):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args()
    files = build()
    write(files, args.out)
    print(f"wrote {len(files)} files to {args.out}")


if __name__ == "__main__":
    main()
