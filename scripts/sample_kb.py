"""The sample knowledge base: Quorvane's documents as Markdown with fact markers.

Data for scripts/make_sample.py, which explains the marker syntax and renders kb_v1 / kb_v2.
Each entry is (doc_id, text); the doc id becomes the file stem and the first heading the title.
Written for ragtune; edit here, then rerun `python scripts/make_sample.py`.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Knowledge base. One entry per document: (doc_id, markdown with fact markers).
# ---------------------------------------------------------------------------------------------

DOCS: list[tuple[str, str]] = [
    (
        "company-overview",
        """# About Quorvane

Quorvane is an online scheduling and booking platform for service businesses: clinics, tutoring
centres, repair shops, consultancies and anyone else whose customers need to book time with a
person. Customers pick a slot on a booking page, Quorvane checks every connected calendar, sends
confirmations and reminders, and can take a deposit at the time of booking.

## Company facts

Quorvane, Inc. was founded in [[company_founded|2016]] by Maren Holt and Idris Vandewalle. The
head office is in [[company_hq|Rotterdam]], with a second office in Austin, Texas that handles
North American customer success. The company employs about [[company_employees|140 people]] and
serves more than 9,000 paying organisations in 41 countries.

## What the product covers

- **Booking pages** that customers use to pick a time, with branding and custom questions.
- **Availability rules** that combine working hours, buffers and connected calendars.
- **Team scheduling** with round-robin and collective events.
- **Reminders** by email and SMS, with templates per event type.
- **Payments** through Stripe, so a booking can require a deposit or full prepayment.
- **An API and webhooks** for developers who want bookings inside their own systems.

## Where your data lives

Quorvane runs in two hosting regions: [[company_regions|Frankfurt and Virginia]]. Each
organisation chooses a region when its workspace is created, and all booking data for that
workspace stays in that region. Moving a workspace between regions is possible on the Business
and Enterprise plans and is handled by the support team.

## Getting help

The help centre, this knowledge base and the status page are public. Paying customers can also
reach the support team by chat and email; see the support document for hours and response
targets.
""",
    ),
    (
        "getting-started",
        """# Getting started with Quorvane

This guide takes a new workspace from sign-up to its first booking. Most teams finish it in
under half an hour.

## 1. Create the workspace

Sign up with a work email address. The first person to sign up becomes the workspace
**Owner**, the only role that can delete the workspace or change the hosting region. Every new
workspace starts a [[trial_length|14-day trial]] of the Business plan; no payment card is needed
during the trial. When the trial ends without a plan being chosen, the workspace moves to the
free Starter plan and keeps its data.

## 2. Connect a calendar

Open **Settings → Calendars** and connect Google Calendar, Microsoft Outlook or an iCloud
calendar. Quorvane reads busy times from every connected calendar and writes new bookings to the
one you mark as primary. Each user can connect up to [[calendars_per_user|6 calendars]].

## 3. Create an event type

An event type describes one kind of appointment: its name, length, location and questions.
Common lengths are 15, 30 and 60 minutes, but any length from 5 minutes to 8 hours is allowed.

## 4. Share the booking page

Each event type gets a link on your booking page, for example
`book.quorvane.com/your-team/consultation`. Paste the link into emails, add the embed snippet
to your website, or place a booking button in your email signature.

## 5. Invite your team

Go to **Settings → Members** and invite colleagues by email. Invitations expire after
[[invite_expiry|7 days]]; an admin can resend an expired invitation at any time.

## Next steps

Read the documents on availability rules, reminders and integrations to fine-tune how bookings
are offered. Developers should start with the API overview.
""",
    ),
    (
        "plans-and-pricing",
        """# Plans and pricing

Quorvane has four plans. Prices are per seat, where a seat is one member who can host bookings.
Guests who only book appointments never need a seat.

## Starter (free)

The Starter plan is free for [[starter_seats|one seat]]. It includes one booking page, email
reminders and a limit of [[starter_booking_limit|100 bookings per month|150 bookings per month]].
Starter workspaces show a small "Scheduled with Quorvane" badge on booking pages.

## Team

The Team plan costs [[team_price|$12 per seat per month|$14 per seat per month]] when billed
annually, or [[team_price_monthly|$15 per seat per month]] when billed monthly. It adds
round-robin scheduling, SMS reminders, Stripe payments and the Zoom, Slack and HubSpot
integrations. A Team workspace can have up to [[team_max_seats|50 seats]].

## Business

The Business plan costs [[business_price|$24 per seat per month]] billed annually. It adds
single sign-on with SAML, the audit log, the Salesforce integration, custom domains and
priority support. There is no seat maximum on Business.

## Enterprise

Enterprise pricing is agreed per contract and starts at a minimum of
[[enterprise_min_seats|100 seats]]. It adds a contractual uptime commitment, a named customer
success manager, region migration on request and a security review with our team.

## Discounts

- Registered non-profits and schools receive [[nonprofit_discount|40% off]] Team and Business.
- Annual billing is cheaper than monthly billing on the Team plan, as shown above.

Prices exclude VAT and sales tax, which are added at checkout depending on the billing address.
""",
    ),
    (
        "billing-invoices",
        """# Invoices and billing cycles

This document explains when Quorvane charges, what appears on an invoice and how to get copies.

## Billing cycles

Workspaces on monthly billing are charged on the same day each month as the day they first
subscribed. Annual workspaces are charged once a year on their renewal date. Owners and billing
admins receive a reminder email [[renewal_notice|30 days before an annual renewal]], which is
the last convenient moment to change seat counts or cancel.

## What an invoice contains

Each invoice lists the plan, the number of seats, the billing period, any proration from seat
changes and the tax applied. Invoices are issued in the workspace's billing currency: US
dollars, euros or pounds sterling. The currency is chosen at the first payment and cannot be
changed afterwards without contacting support.

## Downloading invoices

Open **Settings → Billing → Invoices**. Every invoice since the workspace was created is
available as a PDF. Invoices are numbered with the prefix [[invoice_prefix|QV-]] followed by the
year and a sequence number, for example QV-2025-004812.

## Paying by bank transfer

Annual subscriptions of [[invoice_payment_threshold|$5,000 or more]] can be paid by bank
transfer against an invoice instead of by card. Invoice payment terms are
[[invoice_terms|net 30]]. If an invoice is still unpaid [[invoice_overdue_grace|15 days]] after
its due date, the workspace is restricted to read-only access until payment arrives.

## Purchase orders and tax IDs

A purchase order number and a VAT or tax ID can be added under **Billing details**; both are
printed on all future invoices. Invoices that were already issued can be reissued with the new
details on request.
""",
    ),
    (
        "billing-payment-methods",
        """# Payment methods

Quorvane accepts several ways to pay. The workspace Owner and members with the Billing Admin
role can change the payment method at any time.

## Cards

Visa, Mastercard and American Express are accepted for all plans. Cards are stored by our
payment processor, not on Quorvane servers. When a card payment fails, Quorvane retries the
charge [[card_retry_count|3 times]] over the following week and emails the billing contacts
after each failed attempt.

## SEPA Direct Debit

Workspaces billed in euros can pay by SEPA Direct Debit. Set it up under
**Settings → Billing → Payment method** by entering the account holder and IBAN. The first
debit takes up to [[sepa_first_debit|5 business days]] to clear.

## Bank transfer

Bank transfer against an invoice is available for larger annual subscriptions; the billing
invoices document lists the threshold and payment terms.

## Failed payments

If every retry fails, the workspace enters a grace period of [[payment_grace|10 days]]. During
the grace period everything keeps working and a banner asks admins to update the payment method.
After the grace period the workspace is downgraded to the Starter plan. Booking pages stay
online, but features that the Starter plan does not include stop working until payment is made.

## Currencies

Cards can be charged in US dollars, euros or pounds sterling. SEPA Direct Debit is only
available for euro billing.
""",
    ),
    (
        "seats-and-members",
        """# Seats and members

A seat lets one member host bookings. This document explains how seats are counted, added and
removed.

## Who needs a seat

Every member with the Host, Admin or Owner role occupies a seat. Members with the
[[viewer_role|Viewer]] role can see calendars and reports but cannot host bookings, and Viewers
are free. Guests who book appointments never count towards seats.

## Adding seats

Admins can add seats at any time under **Settings → Billing → Seats**. New seats are charged
immediately, prorated to the end of the current billing period. Adding seats never requires
talking to sales, except on Enterprise contracts, where seat changes follow the contract.

## Removing seats

Seats can be removed at any time, but the billing effect depends on the cycle:

- **Monthly billing**: the lower seat count applies from the next monthly charge.
- **Annual billing**: removed seats stay paid until the renewal date; there is no refund for
  unused seat time. Lower the seat count before renewal to pay less for the next year.

## Seat limits per plan

The Starter plan has [[starter_seats]]. The Team plan allows up to [[team_max_seats]].
Business and Enterprise have no seat maximum. A workspace that needs more seats than the Team
plan allows must move to Business.

## Deactivating a member

When someone leaves, deactivate the member instead of deleting them. Deactivated members free
their seat immediately, their future bookings are reassigned to a host you choose, and their
booking history stays in reports. A deactivated member can be reactivated within
[[reactivation_window|90 days]]; after that their account is removed and only anonymised
history remains.
""",
    ),
    (
        "refund-policy",
        """# Refund policy

We want customers to pay only for a product they are happy with. This policy explains when
Quorvane gives money back.

## Annual plans

A new annual subscription can be cancelled for a full refund within
[[refund_window_annual|14 days|30 days]] of the first payment. The same window applies to an
upgrade from monthly to annual billing. After the window, annual subscriptions are not refunded,
but you can cancel renewal at any time so that the subscription ends at the end of the paid year.

## Monthly plans

Monthly payments are not refunded. Cancelling a monthly plan stops the next charge; the
workspace keeps its paid features until the end of the month already paid.

## Seat reductions

Removing seats during an annual term does not create a refund or credit. See the document on
seats and members for how seat changes are billed.

## Service credits are not refunds

Enterprise customers whose monthly uptime falls below the commitment receive service credits
under the service level agreement. Credits are applied to future invoices and are never paid
out in cash.

## How to request a refund

The workspace Owner writes to [[refund_contact|billing@quorvane.com]] from the Owner's email
address with the workspace name. Approved refunds go back to the original payment method within
[[refund_processing|10 business days]]. Refunds for bank transfers need the account details to
be confirmed by the Owner first.

## Exceptions

We may refuse a refund where an account broke the acceptable use policy, for example by sending
spam through SMS reminders. Duplicate charges caused by our systems are always refunded in full,
whenever they are reported.
""",
    ),
    (
        "cancellation-policy",
        """# Cancelling a subscription

Cancelling is self-service and takes a minute. Only the workspace Owner can cancel a paid plan.

## How to cancel

Open **Settings → Billing → Plan** and choose **Cancel subscription**. You will be asked for a
reason; the answer is optional and helps us improve. Monthly subscriptions stop at the end of
the current month. Annual subscriptions stop at the end of the paid year, and automatic renewal
is switched off straight away.

## What happens after cancellation

When the paid period ends, the workspace moves to the free Starter plan. Nothing is deleted:
event types, booking history and contacts stay, but features above the Starter plan stop
working. Extra members become Viewers until a plan with enough seats is chosen again.

## Deleting the workspace

Cancelling is not the same as deleting. To delete all data, the Owner chooses
**Settings → Workspace → Delete workspace** and confirms by typing the workspace name. Deletion
is final after the recovery period described in the data retention policy.

## Pausing instead of cancelling

Seasonal businesses can pause a monthly Team or Business subscription for up to
[[pause_max|3 months]] per calendar year. While paused, booking pages show a
"not taking bookings" message, no charges are made, and all settings are kept. A pause can be
ended early at any time.

## Win-back offers

We do not use dark patterns. Cancelling never requires a phone call, and any discount we offer
during cancellation is optional and shown once.
""",
    ),
    (
        "data-retention-policy",
        """# Data retention policy

This policy says how long Quorvane keeps each kind of data and what happens when you delete it.

## Booking data

Bookings, their answers to custom questions and attendee contact details are kept for as long
as the workspace exists. Admins can set an automatic clean-up that deletes bookings older than a
chosen age, from 6 months to 10 years.

## Deleted items

Individual bookings, contacts and event types that a user deletes go to the trash, where they
can be restored for [[trash_retention|30 days]]. After that they are removed permanently.

## Deleted workspaces

When an Owner deletes a workspace, its data is kept in a recoverable state for
[[deleted_workspace_retention|35 days|21 days]] in case the deletion was a mistake. After that
period all workspace data is erased from production systems. Encrypted backups roll over within
a further [[backup_rollover|60 days]], after which no copy remains.

## Logs

- Application logs that contain IP addresses are kept for [[app_log_retention|45 days]].
- The audit log has its own retention, described in the audit log document.
- Email and SMS delivery records are kept for 12 months so that delivery problems can be
  investigated.

## Payments

Invoices and payment records are kept for [[invoice_retention|7 years]] because tax law
requires it, even after a workspace is deleted.

## Requests from individuals

People who booked with one of our customers should contact that customer first, because the
customer controls their booking data. Quorvane helps customers answer such requests within
[[dsar_response|30 days]].
""",
    ),
    (
        "sla",
        """# Service level agreement

This document summarises the uptime commitment for Enterprise contracts. Other plans are run to
the same standard but without a contractual commitment or credits.

## Uptime commitment

Quorvane commits to [[sla_uptime|99.9%|99.95%]] monthly uptime for booking pages, the web app
and the API. Uptime is measured every minute from three locations; a minute counts as down when
at least two locations cannot complete a booking-page request.

## Exclusions

Scheduled maintenance announced at least [[maintenance_notice|72 hours]] in advance does not
count as downtime. Neither do outages caused by third parties outside our control, such as a
calendar provider's API, nor problems caused by the customer's own systems.

## Service credits

If monthly uptime falls below the commitment, the customer receives a service credit on the
next invoice:

| Monthly uptime | Credit |
|---|---|
| below the commitment, at least 99.0% | [[credit_tier1|10%]] of the monthly fee |
| below 99.0%, at least 95.0% | [[credit_tier2|25%]] of the monthly fee |
| below 95.0% | 50% of the monthly fee |

Credits must be claimed within [[credit_claim_window|30 days]] of the end of the affected month
by writing to the customer success manager.

## Support response targets

Enterprise tickets marked as critical get a first response within
[[enterprise_critical_response|1 hour]], at any time of day. High-priority tickets get a first
response within 4 business hours.
""",
    ),
    (
        "security-overview",
        """# Security overview

Security is part of how Quorvane is built and run. This document describes the main controls;
Enterprise customers can request the full report under a non-disclosure agreement.

## Certifications

Quorvane holds a [[security_cert|SOC 2 Type II]] report, renewed every year, and is certified to
ISO/IEC 27001. The latest SOC 2 audit period ended on 30 June 2025.

## Encryption

Data is encrypted in transit with TLS 1.2 or newer and at rest with
[[encryption_at_rest|AES-256]]. Database backups are encrypted with separate keys held in a
managed key service, and keys are rotated every year.

## Accounts and passwords

Passwords must be at least [[password_min_length|10 characters|12 characters]] long and are
checked against lists of known breached passwords. Two-factor authentication with an
authenticator app is available to every user, and admins on Business and Enterprise can make it
mandatory for the whole workspace. Sessions expire after [[session_timeout|14 days]] of
inactivity.

## Testing and disclosure

An independent firm runs a penetration test [[pentest_frequency|twice a year]]. Security
researchers can report issues to security@quorvane.com; we acknowledge reports within two
business days and do not take legal action against good-faith research.

## Staff access

Employees access customer data only when a customer asks for help or when needed to operate the
service. Every such access is logged, and production access requires hardware security keys.

## Incidents

If a security incident affects customer data, we notify affected customers without undue delay
and in any case within [[breach_notification|48 hours]] of confirming it.
""",
    ),
    (
        "privacy-and-dpa",
        """# Privacy and the data processing agreement

Our customers decide what booking data they collect; Quorvane processes it on their behalf.
This document explains the legal basis and how to sign the data processing agreement.

## Roles

For booking data, the customer is the controller and Quorvane is the processor. For account
data of people who use Quorvane itself, such as their login email, Quorvane is the controller.

## Data processing agreement

The data processing agreement (DPA) is part of the terms of service for every plan, so no
separate signature is needed. Customers who need a countersigned copy can generate one under
**Settings → Legal**, which produces a PDF signed by our Data Protection Officer. The DPA
includes the EU Standard Contractual Clauses for transfers outside the European Economic Area.

## Data Protection Officer

Our Data Protection Officer is [[dpo_name|Lotte Brandsma]], reachable at privacy@quorvane.com.

## Data residency

Workspaces in the Frankfurt region keep booking data in the European Union. Support staff in
Austin may view EU workspace data only when the customer grants temporary support access, which
expires automatically after [[support_access_expiry|72 hours]].

## Subprocessors

The list of companies that process data for us is kept in the subprocessors document. We give
customers [[subprocessor_notice|30 days' notice]] before adding a new subprocessor, and
customers may object during that time.

## Cookies

Booking pages set only strictly necessary cookies by default. Analytics on booking pages is off
unless the customer turns it on and adds their own consent banner.
""",
    ),
    (
        "subprocessors",
        """# Subprocessors

Quorvane uses a small number of other companies to run the service. Each one is bound by a data
processing agreement with terms at least as strict as ours.

## Current subprocessors

| Company | Purpose | Data location |
|---|---|---|
| Amazon Web Services | Hosting and backups | Frankfurt or Virginia, per workspace region |
| [[sms_provider|Twilio]] | Sending SMS reminders | United States |
| Postmark | Sending email notifications | United States and European Union |
| Stripe | Card payments for Quorvane subscriptions | United States and European Union |
| Zendesk | Support tickets | European Union |
| Sentry | Error monitoring, with personal data scrubbed | European Union |

## Integrations are not subprocessors

When a customer connects Zoom, Salesforce, HubSpot or another integration, data flows to that
service because the customer chose it. Those services are not our subprocessors; the customer's
own agreement with them applies.

## Changes

We add a subprocessor only when it is needed to run the service. Customers who subscribe to
updates under **Settings → Legal → Subprocessor updates** receive an email before any change
takes effect, with the notice period set out in the privacy and DPA document. The list above was
last reviewed on [[subprocessors_reviewed|2 September 2025]].

## Objections

A customer who objects to a new subprocessor on reasonable data protection grounds can write to
privacy@quorvane.com. If we cannot resolve the objection, the customer may end the affected
part of the service and receive a prorated refund for the unused term.
""",
    ),
    (
        "acceptable-use",
        """# Acceptable use policy

This policy lists what customers may not do with Quorvane. It protects the people who book
through our customers and keeps our email and SMS sending reputation healthy.

## Messaging

- Reminders and confirmations must relate to a booking the recipient made or was invited to.
- Do not use SMS reminders for marketing. Each workspace may send at most
  [[sms_per_booking|3 SMS messages per booking]], counting confirmations, reminders and
  follow-ups together.
- Respect opt-outs. A reply of STOP to an SMS ends all SMS from that workspace to that number.

## Content

Booking pages must not collect payment card numbers, government identity numbers or passwords
through custom questions. Use the Stripe integration for payments instead. Health providers may
collect health information only on the Business or Enterprise plan with a signed addendum.

## Automated use

Do not scrape booking pages or create bookings automatically except through the API.
Automated traffic that ignores the API limits may be blocked without notice.

## Enforcement

We may suspend a workspace that breaks this policy. Where possible, we first send a warning
and allow [[aup_cure_period|5 days]] to fix the problem. Serious abuse, such as phishing or
harassment, leads to immediate suspension.

## Reporting abuse

Anyone can report a booking page that breaks this policy to abuse@quorvane.com. The trust and
safety team reviews every report within [[abuse_review|2 business days]].
""",
    ),
    (
        "api-overview",
        """# API overview

The Quorvane REST API lets developers read and create bookings, manage event types and members,
and receive webhooks. It is available on the Team, Business and Enterprise plans.

## Base URL and versions

All requests go to `https://api.quorvane.com/v2/`. The current version is
[[api_version|v2]]; version v1 was retired on [[api_v1_retired|31 January 2025]] and now
returns HTTP 410 for every request.

## Authentication

Create a key under **Settings → Developers → API keys**. Send it in the
`Authorization: Bearer` header. Keys have the prefix [[api_key_prefix|qv_live_]] for production
and `qv_test_` for sandbox workspaces. Each workspace can hold up to
[[api_keys_max|20 API keys]]. Keys never expire on their own, but an admin can revoke a key at
any time and every request made with it fails straight away.

OAuth 2.0 is available for partners who build apps for many Quorvane workspaces; see the
partner programme page.

## Limits

Requests are rate limited per workspace. The standard limit is
[[api_rate_limit|600 requests per minute|1,000 requests per minute]]; the rate limits document
explains the headers and how to handle HTTP 429 responses.

## Formats

Requests and responses use JSON with UTF-8. Times are ISO 8601 strings in UTC, for example
`2025-06-01T09:30:00Z`. Identifiers are opaque strings; do not parse them.

## Sandbox

Every Team, Business and Enterprise workspace can create one sandbox workspace for testing.
Sandbox bookings never send real emails or SMS and are deleted after
[[sandbox_retention|14 days]].
""",
    ),
    (
        "api-rate-limits",
        """# API rate limits

Rate limits keep the API fast for everyone. Limits apply per workspace, across all of its API
keys together.

## The limits

| Plan | Requests per minute | Burst |
|---|---|---|
| Team | [[api_rate_limit]] | 100 requests per second |
| Business | [[api_rate_limit]] | 100 requests per second |
| Enterprise | [[api_rate_limit_enterprise|3,000 requests per minute]] | 300 requests per second |

Bulk endpoints that create or update many records in one call count as one request for each
[[bulk_weight|25 records]] they touch.

## Headers

Every response includes three headers:

- `X-RateLimit-Limit`: the limit for the current window.
- `X-RateLimit-Remaining`: requests left in the window.
- `X-RateLimit-Reset`: seconds until the window resets.

## When you hit the limit

Requests over the limit receive HTTP [[rate_limit_status|429]] with a `Retry-After` header.
Wait for the number of seconds given, then retry. Our official SDKs retry automatically with
exponential backoff, up to 5 times.

## Good practice

- Use webhooks instead of polling for new bookings.
- Ask for up to [[page_max]] per page with the `limit` parameter rather than many small pages.
- Cache event types and members, which change rarely.

## Raising the limit

Enterprise customers can ask their customer success manager for a higher limit. On other plans
the limits are fixed.
""",
    ),
    (
        "api-webhooks",
        """# Webhooks

Webhooks tell your system about changes as they happen, so you do not have to poll the API.

## Events

Quorvane sends these events: `booking.created`, `booking.rescheduled`, `booking.cancelled`,
`booking.no_show`, `payment.succeeded` and `member.deactivated`. Subscribe to any subset when
creating a webhook endpoint under **Settings → Developers → Webhooks**. A workspace can have up
to [[webhook_endpoints_max|10 webhook endpoints]].

## Delivery

Each event is sent as an HTTP POST with a JSON body. Your endpoint must answer with a 2xx status
within [[webhook_timeout|10 seconds]]; otherwise the delivery counts as failed.

## Retries

Failed deliveries are retried with exponential backoff. Quorvane makes up to
[[webhook_retries|8 attempts|12 attempts]] over [[webhook_retry_window|24 hours|72 hours]]. When
every attempt fails, the event is marked as failed in the delivery log and can be resent by
hand from the dashboard.

## Automatic disabling

An endpoint whose deliveries have all failed for [[webhook_disable_after|5 consecutive days]] is
disabled automatically, and the workspace admins receive an email. Re-enable it from the
dashboard once it is fixed.

## Signatures

Every request carries a `Quorvane-Signature` header: an HMAC-SHA256 of the raw body using the
endpoint's signing secret. Compare it with a constant-time function and reject requests older
than 5 minutes, using the timestamp in the header, to prevent replays.

## Ordering

Events are delivered at least once and not always in order. Use the event `id` to ignore
duplicates and the `occurred_at` field to put events in order.
""",
    ),
    (
        "api-pagination-and-errors",
        """# API pagination and errors

This document explains how list endpoints return pages and how the API reports errors.

## Pagination

List endpoints such as `GET /bookings` use cursor pagination. The response contains a `data`
array and a `next_cursor` string. Pass `cursor=<next_cursor>` to get the next page; when
`next_cursor` is null there are no more results. The `limit` parameter defaults to
[[page_default|25 results]] and may be at most [[page_max|100 results]].

Cursors stay valid for [[cursor_ttl|24 hours]]. Using an older cursor returns HTTP 400 with the
error code `cursor_expired`.

## Filtering

Bookings can be filtered by `start_after`, `start_before`, `event_type_id`, `host_id` and
`status`. Filters can be combined. Date filters accept ISO 8601 times in UTC.

## Error format

Errors return a JSON body with `code`, `message` and `request_id`. Always log the
`request_id`; support can trace a request only with it.

| Status | Meaning |
|---|---|
| 400 | The request is malformed or a parameter is invalid |
| 401 | The API key is missing or revoked |
| 403 | The key is valid but the plan or role does not allow this action |
| 404 | The object does not exist or belongs to another workspace |
| 409 | The slot was taken by another booking at the same moment |
| 429 | Rate limit exceeded |

## Idempotency

Send an `Idempotency-Key` header with POST requests. If the same key is sent again within
[[idempotency_window|48 hours]], the API returns the first response instead of creating a
duplicate booking.
""",
    ),
    (
        "sdks",
        """# Official SDKs

Quorvane maintains client libraries for the most common languages. They wrap authentication,
pagination, retries and webhook signature checks.

## Available libraries

| Language | Package | Minimum runtime |
|---|---|---|
| Python | `quorvane` on PyPI | Python [[sdk_python_min|3.9]] |
| JavaScript and TypeScript | `@quorvane/sdk` on npm | Node.js [[sdk_node_min|18]] |
| Ruby | `quorvane` gem | Ruby 3.1 |
| PHP | `quorvane/quorvane-php` on Packagist | PHP 8.1 |

Community libraries for Go and Java exist, but Quorvane does not support them.

## Versioning

The SDKs follow semantic versioning. A new major version is released only when the API itself
changes in a breaking way, and the previous major version receives security fixes for
[[sdk_support_window|12 months]] after a new major version comes out.

## Retries and timeouts

The SDKs retry on HTTP 429 and on network errors, waiting longer each time, up to five attempts.
The default request timeout is [[sdk_timeout|30 seconds]], and it can be changed when the
client is created.

## Webhook helpers

Each SDK includes a function that checks the `Quorvane-Signature` header of an incoming webhook
and returns the parsed event, or raises an error when the signature is wrong or the request is
too old.

## Reporting problems

SDK issues can be reported on the public repository of each library. Questions about the API
itself belong with the support team.
""",
    ),
    (
        "integration-google-calendar",
        """# Google Calendar integration

Connecting Google Calendar lets Quorvane see when you are busy and add new bookings to your
calendar automatically.

## Connecting

Go to **Settings → Calendars → Add calendar → Google** and sign in with the Google account you
use for work. Quorvane asks for permission to see events and to create events in calendars you
choose. Google Workspace admins can pre-approve Quorvane for their whole domain.

## How sync works

Quorvane checks connected Google calendars for changes through push notifications and, as a
fallback, polls every [[gcal_poll_interval|5 minutes]]. A meeting added in Google Calendar
normally blocks the slot on your booking page within seconds.

Events marked as "Free" in Google Calendar do not block bookings. All-day events block the day
only if you switch on **Treat all-day events as busy**.

## Which calendars are checked

You can choose several Google calendars to check for conflicts, for example a personal calendar
and a shared team calendar. New bookings are written to one calendar, the primary calendar you
choose in the settings.

## Google Meet

When an event type uses Google Meet as its location, Quorvane creates a unique Meet link for
each booking. This needs the Google account to be on Google Workspace or a personal Google
account with Meet enabled.

## Disconnecting

Removing the connection stops conflict checks straight away. Bookings already written to Google
Calendar stay there. Access tokens are deleted within [[gcal_token_deletion|24 hours]] of
disconnecting.
""",
    ),
    (
        "integration-microsoft-outlook",
        """# Microsoft Outlook and Microsoft 365 integration

Quorvane works with Outlook calendars on Microsoft 365 and Outlook.com. On-premises Exchange
servers are supported from Exchange [[exchange_min_version|2016]] onwards through Exchange Web
Services.

## Connecting

Go to **Settings → Calendars → Add calendar → Microsoft** and sign in. If your organisation
requires admin consent for third-party apps, a Microsoft 365 administrator must approve the
Quorvane app once for the tenant. After that, every user in the tenant can connect without
further approval.

## Sync

Quorvane subscribes to change notifications from Microsoft Graph. Microsoft requires these
subscriptions to be renewed regularly; Quorvane renews them every [[graph_renewal|2 days]]
without any action from you. If a renewal fails, Quorvane falls back to checking the calendar
every 10 minutes and shows a warning in the calendar settings.

## Teams meetings

Event types can use Microsoft Teams as their location. A Teams meeting link is created for each
booking, which needs a Microsoft 365 work or school account; personal Outlook.com accounts
cannot create Teams meetings.

## Shared mailboxes and rooms

Room mailboxes can be added as resources, so a booking reserves a meeting room as well as a
person. Shared mailboxes cannot be used as primary calendars.

## Troubleshooting

If bookings do not appear in Outlook, see the calendar sync troubleshooting document. The most
common cause is an expired connection after a password change, which needs the user to
reconnect.
""",
    ),
    (
        "integration-zoom",
        """# Zoom integration

The Zoom integration creates a unique Zoom meeting for every booking, so hosts never share a
personal meeting link by accident.

## Requirements

The integration is available on the Team plan and above. Each host connects their own Zoom
account under **Settings → Integrations → Zoom**. Both free and paid Zoom accounts work, but
free Zoom accounts limit group meetings to [[zoom_free_limit|40 minutes]], which Quorvane cannot
change.

## Meeting settings

Quorvane creates meetings with a waiting room switched on and a random passcode. Admins can set
workspace defaults for these options, and hosts can override them per event type if the admin
allows it.

## Rescheduling and cancellation

When a booking is rescheduled, the Zoom meeting keeps its link and moves to the new time. When a
booking is cancelled, the meeting is deleted from Zoom.

## Recordings

Quorvane does not download or store Zoom recordings. Recordings stay in the host's Zoom
account, under Zoom's own retention settings.

## Limits

Zoom lets each user create a limited number of meetings through the API per day. Quorvane hosts
rarely reach it, but a host who receives more than [[zoom_daily_meetings|100 bookings in a day]]
may see "meeting could not be created" errors; those bookings fall back to the event type's
backup location.

## Disconnecting

If the Zoom connection is removed, future bookings that used Zoom fall back to the backup
location set on the event type. Existing meetings stay in Zoom.
""",
    ),
    (
        "integration-slack",
        """# Slack integration

The Slack app posts booking notifications to channels and lets hosts see their day from Slack.

## Installing

A Slack workspace admin installs the app from **Settings → Integrations → Slack**. The app asks
for permission to post messages and to read basic user profiles, which it uses to match Slack
users to Quorvane members by email address. The Slack integration is available on the Team plan
and above.

## Channel notifications

Choose a channel for each event type, or one channel for the whole workspace. New bookings,
reschedules and cancellations are posted as messages with the attendee's name, the time and
the answers to custom questions. Sensitive answers can be hidden from Slack messages with the
**Hide answers in Slack** setting.

## The /quorvane command

Type [[slack_command|/quorvane today]] to see your bookings for today, or `/quorvane link` to
get your booking page link to paste into a conversation. Commands answer only to the person who
typed them.

## Daily digest

Each host can receive a direct message every morning that lists the day's bookings. The digest
is sent at [[slack_digest_time|08:00]] in the host's time zone by default, and hosts can choose
another time.

## Limits

Slack notifications are grouped when many bookings arrive at once: at most
[[slack_message_limit|20 messages per minute]] are posted to one channel, and further bookings
are summarised in a single message.

## Removing the app

Uninstalling the Slack app stops all notifications. Quorvane deletes the Slack access token
immediately.
""",
    ),
    (
        "integration-salesforce",
        """# Salesforce integration

The Salesforce integration writes bookings to Salesforce so that sales teams see every meeting
next to the account it belongs to.

## Availability

The integration needs the Business or Enterprise plan on the Quorvane side and Salesforce
[[salesforce_edition|Enterprise Edition]] or higher on the Salesforce side, because it uses the
Salesforce API.

## What is synced

For each booking, Quorvane looks up the attendee's email address. If it finds a Lead or
Contact, it creates an Event on that record. If it finds nothing, it creates a new Lead with the
attendee's name, email and company, depending on your settings. Answers to custom questions can
be mapped to Salesforce fields.

## Sync direction and timing

Sync is one way: from Quorvane to Salesforce. New bookings appear in Salesforce within
[[salesforce_sync_delay|2 minutes]]. Changes made in Salesforce are not written back to
Quorvane.

## Round-robin by owner

On the Business plan, round-robin event types can assign the booking to the Salesforce owner of
the matching Account, so that existing customers always meet their own account manager.

## Errors

If Salesforce rejects a record, for example because a required field has no value, the error is
shown in **Settings → Integrations → Salesforce → Sync log**, and Quorvane retries the record
[[salesforce_retries|3 times]] before giving up.

## Connected user

Connect the integration with a dedicated integration user rather than a person's account, so
that it keeps working when people change roles.
""",
    ),
    (
        "integration-stripe-payments",
        """# Taking payments with Stripe

Quorvane can ask customers to pay when they book. Payments go through the customer's own Stripe
account, so money is paid out by Stripe directly.

## Setting up

Connect a Stripe account under **Settings → Integrations → Stripe**. Payments are available on
the Team plan and above. Quorvane does not add a fee on top of Stripe's own fees.

## Payment options per event type

- **Full prepayment**: the booking is confirmed only after payment succeeds.
- **Deposit**: a fixed amount or a percentage is charged at booking; the rest is settled outside
  Quorvane.
- **No-show fee**: the card is saved and a fee is charged only if the attendee does not turn up.

The smallest amount that can be charged is [[stripe_min_charge|$1.00]] or the equivalent in
another currency.

## Refunds of booking payments

When a host cancels a paid booking, the payment is refunded automatically. When an attendee
cancels, the refund follows the event type's cancellation rule, for example a full refund up to
[[attendee_refund_cutoff|24 hours]] before the start time and no refund afterwards.

## Currencies

Any currency that the connected Stripe account supports can be used, set per event type.

## Payment links expire

When an attendee starts a booking but does not finish paying, the slot is held for
[[payment_hold|10 minutes]]. After that, the slot is released for other people.

## Disputes

Disputes and chargebacks are handled in the Stripe dashboard. Quorvane shows the booking
details that help answer a dispute, such as the booking time and the attendee's answers.
""",
    ),
    (
        "integration-hubspot",
        """# HubSpot integration

The HubSpot integration records meetings booked through Quorvane in HubSpot, so marketing and
sales can see which contacts booked time.

## Availability

The integration is available on the Team plan and above and works with every HubSpot edition,
including the free CRM.

## What is synced

When a booking is made, Quorvane finds the HubSpot contact with the attendee's email address or
creates one. It then logs a meeting on the contact's timeline with the event type, the host and
the answers to custom questions. Reschedules update the meeting, and cancellations mark it as
cancelled rather than deleting it.

## Field mapping

Up to [[hubspot_field_map|30 custom questions]] per event type can be mapped to HubSpot contact
properties. Property types must match: a single-choice question maps to a dropdown property, a
number question to a number property.

## Lifecycle stage

You can choose a lifecycle stage to set on new contacts, for example "Lead" for demo bookings.
Existing contacts keep their stage unless you switch on **Advance lifecycle stage**.

## Timing

Meetings usually appear in HubSpot within [[hubspot_sync_delay|1 minute]]. During HubSpot
outages, updates are queued and retried for up to 24 hours.

## Forms

HubSpot forms can route people to a Quorvane booking page after they submit the form, with the
answers carried over so they do not have to type their name and email again.
""",
    ),
    (
        "booking-pages",
        """# Booking pages

A booking page is where your customers choose a time. Each workspace has a main booking page,
and each event type has its own link.

## Layout

Booking pages show the event type, its length and location, and a calendar of available days.
Attendees see times in their own time zone, detected from their browser, and can change it.

## Custom questions

Each event type can ask up to [[custom_questions_max|20 custom questions]]. Question types are
short text, long text, single choice, multiple choice, number, phone number and checkbox.
Questions can be required or optional.

## Suggested times

[[smart_slots_name|Smart Slots|Adaptive Slots]] highlights up to three recommended times that
keep hosts' days compact, by favouring slots next to existing meetings. Attendees can still pick
any free time. The feature is switched on per event type.

## Limits on how far ahead

Hosts choose how far in advance people can book, from 1 day to 365 days, and the minimum notice
before a booking, for example 4 hours. The default booking window is
[[booking_window_default|60 days]].

## Embedding

Booking pages can be embedded on a website inline, as a pop-up or as a floating button. The
embed script is about 20 KB and loads asynchronously, so it does not slow down the host page.

## Languages

Booking pages are available in [[booking_languages|14 languages]]. The language follows the
attendee's browser unless the event type sets a fixed language.

## Accessibility

Booking pages are designed to meet WCAG 2.1 level AA, including full keyboard navigation and
screen reader labels.
""",
    ),
    (
        "availability-rules",
        """# Availability rules

Availability rules decide which times appear on your booking page. Quorvane combines several
layers, and a time is offered only when every layer allows it.

## Working hours

Each host sets weekly working hours, with several blocks per day if needed, for example
09:00–12:00 and 13:00–17:00. Date overrides change the hours for a single day, such as a
holiday.

## Calendar conflicts

Busy events in every connected calendar block the matching times. Quorvane looks at calendars
up to [[conflict_lookahead|400 days]] ahead.

## Buffers

Buffers add free time before or after each booking, for travel or preparation. Each buffer can
be up to [[buffer_max|120 minutes]].

## Daily limits

A host can cap the number of bookings per day for each event type or across all event types.
When the cap is reached, the rest of the day disappears from the booking page.

## Suggested times

The [[smart_slots_name]] option on an event type uses these availability rules too: it never
recommends a time that the rules would not offer. It only changes which of the offered times are
highlighted.

## Minimum notice and rounding

The minimum notice stops last-minute bookings. Start times are offered at a fixed increment,
[[slot_increment_default|15 minutes]] by default, which can be changed to 5, 10, 20, 30 or 60
minutes.

## Time zones

Working hours are set in the host's time zone. Daylight saving changes are handled
automatically; a host working 09:00–17:00 stays on 09:00–17:00 local time after the clocks
change.
""",
    ),
    (
        "team-scheduling",
        """# Team scheduling

Team event types let several hosts share bookings. They are available on the Team plan and
above.

## Round robin

A round-robin event type assigns each booking to one host from a pool. Quorvane offers a time if
at least one host in the pool is free, and then picks the host:

- **By priority**: the highest-priority free host gets the booking.
- **By equal distribution**: the free host with the fewest bookings over the last
  [[round_robin_window|30 days]] gets it.

A round-robin pool can include up to [[round_robin_pool_max|100 hosts]].

## Collective events

A collective event type needs every selected host to attend. Only times when all of them are
free are offered. Collective events can include up to [[collective_max|8 hosts]].

## Managed event types

Admins can create managed event types and push them to many hosts at once. Hosts can change
only the fields the admin unlocks, such as their own location. Changes made by the admin are
pushed to every host within a few minutes.

## Routing forms

Routing forms ask attendees a few questions and then send them to the right event type or team,
for example by region or company size. Routing forms can have up to
[[routing_rules_max|50 rules]].

## Reporting

The team report shows bookings, cancellations and no-shows per host and per event type, and
can be exported as CSV.
""",
    ),
    (
        "reminders-and-notifications",
        """# Reminders and notifications

Reminders reduce no-shows. Quorvane sends confirmations, reminders and follow-ups by email and,
on paid plans, by SMS.

## Email

Every plan includes email confirmations and reminders. Each event type can have up to
[[email_reminders_max|5 email reminders]] at times you choose, for example 24 hours and 1 hour
before the start. Emails are sent from notifications@quorvane.com unless you set up a custom
sending domain.

## SMS

SMS reminders are available on the Team plan and above. Each workspace on the Team plan includes
[[sms_included_team|500 SMS per month|750 SMS per month]]; Business includes
[[sms_included_business|2,000 SMS per month]]. Extra messages are billed at
[[sms_overage|$0.04 per SMS]] in the United States and Canada, and at country rates elsewhere.

Attendees must give their phone number and agree to receive SMS when they book. Messages longer
than 160 characters are split and count as several SMS.

## Templates

Templates support placeholders such as `{attendee_name}`, `{start_time}` and `{meeting_link}`.
Each event type can use its own templates in any of the booking page languages.

## Follow-ups

A follow-up can be sent after a booking ends, for example with a feedback link. Follow-ups are
sent no later than [[followup_max|7 days]] after the booking.

## No-show tracking

Hosts can mark an attendee as a no-show within 48 hours after the start time. No-show data
appears in reports and can trigger a webhook.
""",
    ),
    (
        "sso-saml",
        """# Single sign-on with SAML

Single sign-on (SSO) lets members sign in to Quorvane with your identity provider. It is
available on the Business and Enterprise plans.

## Supported identity providers

Any SAML 2.0 identity provider works. Step-by-step guides exist for Okta, Microsoft Entra ID,
Google Workspace, OneLogin and JumpCloud.

## Setting up

1. In Quorvane, open **Settings → Security → Single sign-on** and copy the ACS URL and Entity ID.
2. Create a SAML app in your identity provider with those values.
3. Paste the identity provider's metadata URL or certificate into Quorvane.
4. Test the connection with your own account before enforcing it.

Quorvane verifies your email domain with a DNS TXT record before SSO can be enforced.

## Enforcing SSO

When SSO is enforced, members must sign in through the identity provider; password sign-in is
turned off for everyone except the Owner, who keeps a password as a recovery path.

## Provisioning with SCIM

On the [[scim_plan|Enterprise plan]], SCIM 2.0 provisioning creates, updates and deactivates
members automatically from the identity provider. Deactivating a user in the identity provider
frees their Quorvane seat within [[scim_deactivation|40 minutes]].

## Just-in-time accounts

Without SCIM, new members can be created the first time they sign in through SSO, if
just-in-time provisioning is switched on. They join with the Host role by default.

## Certificates

SAML signing certificates must be renewed before they expire. Quorvane emails admins
[[saml_cert_warning|30 days before]] the certificate on file expires.
""",
    ),
    (
        "roles-and-permissions",
        """# Roles and permissions

Every member of a workspace has exactly one role. Roles decide what a member can see and change.

## The roles

| Role | Can host bookings | Manage members | Manage billing | Delete workspace |
|---|---|---|---|---|
| Owner | yes | yes | yes | yes |
| Admin | yes | yes | no | no |
| Billing Admin | no | no | yes | no |
| Host | yes | no | no | no |
| Viewer | no | no | no | no |

A workspace has exactly one Owner. The Owner can transfer ownership to an Admin under
**Settings → Workspace → Transfer ownership**; the transfer needs the new Owner to accept within
[[ownership_transfer_expiry|48 hours]].

## Billing Admin

The Billing Admin role is for finance staff: they can change payment methods, download invoices
and change seat counts, but cannot see booking details. A Billing Admin does not take a seat.

## Custom roles

On the Enterprise plan, admins can create up to [[custom_roles_max|10 custom roles]] from a list
of around forty individual permissions, such as "view all bookings" or "edit routing forms".

## Teams inside a workspace

Members can be grouped into teams, for example by office. Admins can limit Hosts to seeing only
the bookings of their own team.

## Changing a role

Admins can change any role except the Owner's. Role changes take effect immediately, and the
member is signed out of other sessions so that the new permissions apply everywhere.
""",
    ),
    (
        "audit-log",
        """# Audit log

The audit log records who changed what in a workspace. It is available on the Business and
Enterprise plans.

## What is recorded

- Sign-ins, failed sign-ins and changes to two-factor settings.
- Changes to members, roles, teams and invitations.
- Changes to event types, availability, routing forms and integrations.
- API key creation and revocation, and webhook changes.
- Billing changes such as plan, seats and payment method.

Each entry has the time, the member or API key that acted, their IP address, the object changed
and the values before and after.

## Retention

Audit log entries are kept for [[audit_retention_business|180 days|365 days]] on the Business
plan. Enterprise customers can choose a retention of up to
[[audit_retention_enterprise|7 years]].

## Viewing and exporting

Admins open **Settings → Security → Audit log** to search by member, action and date. Results can
be exported as CSV, up to [[audit_export_rows|50,000 rows]] per export.

## Streaming

Enterprise workspaces can stream audit events to a security information and event management
system. Supported targets are Splunk, Datadog and any HTTPS endpoint. Streamed events usually
arrive within a minute.

## Integrity

Entries cannot be edited or deleted by anyone in the workspace, including the Owner. Each entry
includes a hash of the previous entry, so gaps or changes can be detected.
""",
    ),
    (
        "data-export-and-import",
        """# Exporting and importing data

You own your data. Quorvane makes it easy to take it out or to bring it in from another tool.

## Exporting bookings

Admins can export bookings as CSV or JSON under **Settings → Data → Export**. Exports include
booking times, hosts, attendees, answers to custom questions and payment status. Large exports
are prepared in the background; a download link is emailed when ready and stays valid for
[[export_link_expiry|7 days]].

## Full workspace export

The Owner can request a full export with every booking, contact, event type and setting. It is
delivered as a ZIP file, usually within [[full_export_time|24 hours]].

## Importing contacts and bookings

Contacts and past bookings can be imported from CSV files. Each import file may be up to
[[import_max_size|25 MB|50 MB]] and up to 100,000 rows. Quorvane checks the file first and
shows every problem, such as a missing column or an invalid date, before anything is imported.

## Importing from other tools

Guided imports exist for Calendly and Acuity Scheduling. They copy event types, availability
and upcoming bookings. Attendees of imported upcoming bookings are not notified unless you
choose to send them a message.

## Formats

Dates in CSV files must use ISO 8601, for example 2025-06-01 09:30. Phone numbers should include
the country code. Text files must be UTF-8.

## Limits on frequency

Each workspace can start up to [[export_daily_limit|10 exports per day]]. The API is a better
fit for frequent synchronisation.
""",
    ),
    (
        "mobile-apps",
        """# Mobile apps

The Quorvane apps for iOS and Android let hosts see and manage bookings away from their desk.

## Requirements

The iOS app needs iOS [[ios_min|16]] or later. The Android app needs Android
[[android_min|10]] or later. Both apps are free on every plan, including Starter.

## What the apps do

- Show today's and upcoming bookings, with attendee details and answers.
- Reschedule or cancel bookings, and mark no-shows.
- Share booking links from any app through the share sheet.
- Turn availability off for the rest of the day with one tap.
- Send push notifications for new bookings, cancellations and reschedules.

The apps do not include workspace settings, billing or integrations; use the web app for those.

## Signing in

Members sign in with their email and password, with a magic link, or through single sign-on
when the workspace uses it. The apps support Face ID, Touch ID and Android biometric unlock.

## Offline use

The apps keep the next [[mobile_offline_days|14 days]] of bookings available offline. Changes
made offline are sent when the device is online again; if a slot was taken in the meantime, the
app shows a conflict and asks what to do.

## Push notifications

Push notifications can be limited to certain event types or switched off at night with quiet
hours. The apps never show attendee answers on the lock screen.

## Lost devices

An admin can sign a member out of all devices under **Settings → Members**. Signing out removes
offline data from the device the next time it connects.
""",
    ),
    (
        "custom-domains-and-branding",
        """# Custom domains and branding

Business and Enterprise workspaces can serve booking pages from their own domain and match
their brand.

## Custom domain

Set a subdomain such as `book.example.com` under **Settings → Branding → Custom domain**, then
add a CNAME record pointing to [[cname_target|domains.quorvane.com]]. Quorvane issues and renews
a TLS certificate automatically once the record is found. DNS changes can take up to 48 hours to
spread, but most domains work within an hour.

A workspace can use [[custom_domains_max|3 custom domains]], for example one per brand or
country.

## Logo and colours

Upload a logo in PNG or SVG format, up to [[logo_max_size|2 MB]]. Choose a primary colour and a
background colour; Quorvane checks that text stays readable and warns when the contrast is too
low.

## Removing the Quorvane badge

The "Scheduled with Quorvane" badge is shown on Starter booking pages and can be switched off on
every paid plan.

## Custom sending domain

Confirmation and reminder emails can be sent from your own domain. Quorvane gives you SPF and
DKIM records to add to your DNS; the domain is verified automatically within a few minutes of
the records appearing.

## Custom CSS

Enterprise workspaces can add custom CSS to booking pages. Custom CSS is not supported by our
support team if it breaks the layout, so test changes in a sandbox first.
""",
    ),
    (
        "support-and-contact",
        """# Support and contact

This document explains how to reach the Quorvane support team and how quickly we answer.

## Channels

- **Help centre and knowledge base**: open to everyone.
- **Email**: support@quorvane.com, for all paid plans.
- **Chat**: in the web app, for Business and Enterprise.
- **Phone**: for Enterprise, through the customer success manager.

Starter workspaces can use the community forum, where the support team answers questions on
weekdays.

## Hours

Chat and email support are staffed from
[[support_hours|08:00 to 20:00 CET|07:00 to 22:00 CET]] on weekdays. Enterprise critical issues
are handled at any time, as described in the service level agreement.

## First response targets

| Plan | First response |
|---|---|
| Team | [[team_response|1 business day]] |
| Business | [[business_response|4 business hours]] |
| Enterprise | [[enterprise_critical_response]] for critical issues, 4 business hours otherwise |

## Support languages

Support is available in [[support_languages|English, Dutch, German and Spanish]].

## Giving support access

For some problems, the support team needs to look at your workspace. Grant access under
**Settings → Security → Support access**. Access is time limited and logged in the audit log.

## Feature requests

Send feature requests to the support team or vote on the public roadmap. We read every request,
and the product team reviews the most voted ideas every [[roadmap_review|quarter]].

## Status page

Incidents and maintenance are posted at status.quorvane.com; see the status and maintenance
document.
""",
    ),
    (
        "status-and-maintenance",
        """# Status page and maintenance

Quorvane publishes the health of every component on its status page and announces maintenance in
advance.

## The status page

status.quorvane.com shows the current state of booking pages, the web app, the API, webhooks,
email delivery, SMS delivery and each calendar integration. Anyone can subscribe to updates by
email, SMS, RSS or a Slack channel.

## Incidents

During an incident, the status page is updated at least every
[[incident_update_interval|30 minutes]] until the problem is resolved. A written post-incident
review is published within
[[postmortem_deadline|5 business days]] for any incident that affected booking pages for more
than 15 minutes.

## Maintenance windows

Planned maintenance happens on [[maintenance_day|Sundays]] between
[[maintenance_window|02:00 and 05:00 UTC]]. Most maintenance causes no downtime at all; when a
short interruption is expected, it is announced on the status page and by email at least three
days ahead.

## What happens to bookings during an outage

Booking pages are served from several locations and keep working during most incidents. If
calendar providers cannot be reached, Quorvane keeps offering times based on the last known
busy times and checks for conflicts again when the connection returns.

## Historical uptime

The status page shows uptime for the last [[status_history|90 days]] for each component.
Monthly uptime reports for Enterprise customers are sent by the customer success manager.
""",
    ),
    (
        "changelog",
        """# Changelog

Notable changes to Quorvane, newest first. Small fixes are not listed.

{{v2:## November 2025

- **Adaptive Slots**: Smart Slots is now called Adaptive Slots, and it learns from the times
  attendees actually pick.
- **Higher API limit**: the standard API rate limit rose from 600 to 1,000 requests per minute.
- **Longer webhook retries**: failed webhook deliveries are now retried for up to 72 hours.
- **Team plan**: Team workspaces now include 750 SMS per month. The annual Team price changed to
  $14 per seat per month for new subscriptions and renewals.
- **Security**: the minimum password length is now 12 characters.

}}## September 2025

- **Routing forms** can now send attendees to an external URL as well as to event types.
- **HubSpot**: meetings now record the booking's UTM parameters.
- Released on [[release_sept_date|16 September 2025]].

## July 2025

- **[[smart_slots_name]]** launched for all paid plans, recommending compact times on booking
  pages.
- **Microsoft Teams** meeting links can now be created for collective events.

## May 2025

- **Mobile apps**: offline access to upcoming bookings.
- **Audit log streaming** to Splunk and Datadog for Enterprise.
- **New language**: booking pages are now available in Polish, bringing the total to
  [[booking_languages]].

## March 2025

- **No-show fees** through Stripe: save the card at booking and charge only if the attendee does
  not turn up.
- **Bulk endpoints** in the API for creating up to 500 bookings in one call.

## January 2025

- **API v1 retired**. All integrations must use API v2.
- **SCIM provisioning** became generally available on the [[scim_plan]] after a beta with
  [[scim_beta_customers|35 customers]].

## November 2024

- **Pause subscription** for seasonal businesses.
- **Dark mode** for the web app, following the system setting by default.
""",
    ),
    (
        "faq-general",
        """# Frequently asked questions

Short answers to the questions we hear most often. Each answer links to the longer document.

## Do the people who book with us need an account?

No. Attendees book from your booking page without signing up. Only members who host bookings
need a seat.

## Can I try the paid features before paying?

Yes. New workspaces start with a free trial of the Business plan; see the getting started guide.

## How many calendars can I connect?

Each member can connect several calendars from Google, Microsoft and iCloud; the getting started
guide gives the exact number.

## Does Quorvane work for in-person appointments?

Yes. An event type can use an address, a phone call, a video meeting or a custom location text.
Several locations can be offered and the attendee chooses.

## Can attendees reschedule on their own?

Yes, through the link in their confirmation email, unless you switch this off. You can require a
minimum notice for rescheduling, such as 12 hours.

## Is there a limit on event types?

There is no limit on paid plans. The Starter plan allows [[starter_event_types|3 event types]].

## Can I use Quorvane in my own app?

Yes, with the API and webhooks on the Team plan and above, or by embedding booking pages.

## Where is Quorvane based?

The company is headquartered in [[company_hq]] in the Netherlands.

## Which browsers are supported?

The latest two versions of Chrome, Edge, Firefox and Safari. Internet Explorer is not
supported.

## Does Quorvane support group bookings?

Yes. A group event type lets up to [[group_event_max|200 attendees]] book the same time slot,
which suits classes and webinars.
""",
    ),
    (
        "faq-billing",
        """# Billing questions

Answers to common questions about plans, invoices and payments.

## How much does the Team plan cost?

[[team_price]] with annual billing, or [[team_price_monthly]] with monthly billing.

## Do you charge per booking?

No. Paid plans have no booking limits. Only the free Starter plan is capped, at
[[starter_booking_limit]].

## Can I switch plans in the middle of a term?

Yes. Upgrades take effect immediately and the difference is prorated. Downgrades take effect at
the end of the current billing period.

## Can I get a refund?

New annual subscriptions can be refunded within a short window after the first payment; the
refund policy has the details. Monthly payments are not refunded.

## Why was I charged tax?

Prices exclude VAT and sales tax. Tax is added based on your billing address. Businesses in the
European Union can enter a VAT ID to use the reverse charge.

## What if my card payment fails?

We retry the payment and email your billing contacts. Your workspace keeps working during a
grace period; the payment methods document explains the timing.

## Do you offer discounts?

Non-profits and schools receive [[nonprofit_discount]] Team and Business. We also offer a
[[startup_discount|50% discount]] for the first year to startups in partner accelerator
programmes.

## Who can see invoices?

The Owner and members with the Billing Admin role. Invoices can also be emailed automatically to
an accounting address, such as [[invoice_email_example|accounts@example.com]].
""",
    ),
    (
        "troubleshooting-calendar-sync",
        """# Troubleshooting calendar sync

Use this guide when bookings do not show in your calendar or busy times do not block your booking
page.

## Check the connection status

Open **Settings → Calendars**. A green dot means the connection works. A red dot with
"Reconnect" means the calendar provider rejected our access, usually after a password change or
when an administrator removed the app. Click **Reconnect** and sign in again.

## Busy events still show as available

- Check that the event is marked as busy, not free, in your calendar.
- Check that the calendar holding the event is selected under **Check for conflicts**.
- All-day events only block time if **Treat all-day events as busy** is on.
- Wait a few minutes: polling falls back to every few minutes if push notifications stop.

## Bookings do not appear in my calendar

Check which calendar is set as the primary calendar for new bookings. If it is a shared
calendar, your account needs write access to it. Error code [[sync_error_code|CAL-403]] in the
sync log means Quorvane does not have permission to write to the calendar.

## Duplicate events

Duplicates usually appear when the same calendar is connected through two accounts, for example
an Outlook calendar also shared into Google. Disconnect one of the two connections.

## Wrong times

If bookings appear at the wrong time, compare the time zone in **Settings → Profile** with the
time zone of your calendar. A mismatch of exactly one hour usually means a time zone without
daylight saving was chosen.

## Still stuck?

Send the sync log to support. The log keeps the last [[sync_log_days|14 days]] of sync attempts,
which is usually enough to find the cause.
""",
    ),
    (
        "troubleshooting-sso",
        """# Troubleshooting single sign-on

This guide covers the errors members see most often when signing in through SAML single
sign-on.

## "Your account is not part of this workspace"

The member signed in successfully with the identity provider, but no Quorvane member has that
email address and just-in-time provisioning is off. Invite the member first, or switch on
just-in-time provisioning.

## "Signature validation failed"

The certificate stored in Quorvane does not match the one the identity provider signs with.
This happens after the identity provider rotates its certificate. Upload the new certificate or
use the metadata URL, which updates automatically.

## "Response expired"

SAML responses are accepted for [[saml_clock_skew|3 minutes]] after they are issued. If the
identity provider's server clock is wrong, responses arrive already expired. Ask the identity
provider administrator to check the server time.

## Locked out after enforcing SSO

The Owner can always sign in with their password at the recovery address
[[sso_recovery_url|app.quorvane.com/login/recovery]]. From there, SSO enforcement can be turned
off while the configuration is fixed.

## Error SSO-117

Error [[sso_error_code|SSO-117]] means the identity provider sent an email address in a domain
that has not been verified in Quorvane. Verify the domain under **Settings → Security → Domains**.

## Members signed out unexpectedly

When SSO is enforced, Quorvane sessions follow the identity provider's session length if it is
shorter than ours. Check the session policy in your identity provider.

## Collecting information for support

Send the time of the attempt, the member's email address and the SAML tracer output. Support can
find the attempt in our logs for [[sso_log_days|30 days]].
""",
    ),
    (
        "troubleshooting-webhooks",
        """# Troubleshooting webhooks

Use this guide when your endpoint does not receive webhooks or receives them more than once.

## Check the delivery log

Open **Settings → Developers → Webhooks** and select the endpoint. The delivery log lists each
attempt with the status code your server returned and the time taken. Entries stay in the log
for [[webhook_log_days|30 days]].

## Timeouts

Your endpoint must respond within the time limit set out in the webhooks document. Slow
endpoints should accept the event, put it on a queue and return 200 straight away, then do the
work in the background.

## Retries and missing events

Failed deliveries are retried automatically up to [[webhook_retries]] over
[[webhook_retry_window]]. If your server was down for longer than that, resend the failed events
from the delivery log, or fetch recent bookings with the API to fill the gap.

## Endpoint disabled

If every delivery fails for several days in a row, the endpoint is disabled. Fix the problem,
then click **Enable** on the endpoint; failed events are not resent automatically after
re-enabling.

## Signature mismatch

Compute the signature over the raw request body exactly as received. Frameworks that parse and
re-serialise JSON change the bytes and break the signature. Check that you use the signing
secret of this endpoint; each endpoint has its own secret.

## Duplicate events

Deliveries are at least once, so duplicates are expected now and then. Store the event `id`
and skip events you have already processed.

## Test events

Use **Send test event** to deliver a sample `booking.created` event. Test events carry the
header [[webhook_test_header|Quorvane-Test: true]].
""",
    ),
    (
        "troubleshooting-email-delivery",
        """# Troubleshooting email delivery

Use this guide when attendees say they did not receive confirmations or reminders.

## Check the delivery record

Open the booking and select **Notifications**. Each email shows one of these states: queued,
sent, delivered, opened, bounced or blocked. Delivery records are kept for twelve months.

## Bounced emails

A bounce means the receiving server rejected the message, usually because the address is
misspelled. Quorvane does not retry hard bounces. After [[bounce_suppression|2 hard bounces]] an
address is suppressed, and no more emails are sent to it from any workspace until the attendee
books again with a confirmed address.

## Emails in spam

- Set up a custom sending domain with SPF and DKIM records; this helps most.
- Avoid templates with only a link and no text.
- Avoid words typical of spam in subject lines.

## Emails sent from your domain do not arrive

Check that the SPF and DKIM records are still in your DNS. If a DNS change removed them, Quorvane
falls back to sending from notifications@quorvane.com within [[dkim_fallback|1 hour]] and warns
the admins.

## Reminders sent at the wrong time

Reminder times are relative to the booking's start time. If a booking is rescheduled, reminders
move with it. Reminders that would fall in the past when a booking is made late are skipped,
except for the confirmation.

## Daily sending limits

Each workspace can send up to [[email_daily_limit|10,000 notification emails per day]]. Contact
support if you expect more, for example for a large event.
""",
    ),
    (
        "troubleshooting-payments",
        """# Troubleshooting booking payments

Use this guide when attendees cannot pay for a booking or payments do not appear in Stripe.

## "Payment could not be completed"

The attendee's bank declined the payment. Quorvane shows the decline reason from Stripe in the
booking's payment details, such as insufficient funds or a card that needs authentication. The
attendee can try again with another card while the slot is still held.

## Strong customer authentication

Cards issued in the European Economic Area often need the attendee to confirm the payment in
their banking app. If the confirmation does not happen in time, the payment fails and the slot is
released.

## Stripe account not ready

New Stripe accounts may need more verification before they can take payments. Error
[[stripe_error_code|PAY-221]] in Quorvane means Stripe has not yet enabled charges on the
connected account. Finish the verification in the Stripe dashboard.

## Payments missing in Stripe

Check that the event type is connected to the right Stripe account; workspaces can connect up
to [[stripe_accounts_max|5 Stripe accounts]], for example one per country. Payments appear under
the account chosen on the event type.

## Refund not received

Refunds are sent to Stripe straight away, but the attendee's bank may take
[[bank_refund_days|5 to 10 business days]] to show them. The refund reference in the booking
details can be shared with the attendee.

## Wrong currency

The currency is set per event type. Changing it affects only future bookings; existing payments
keep their original currency.
""",
    ),
    (
        "troubleshooting-login",
        """# Troubleshooting sign-in problems

Use this guide when a member cannot sign in with email and password. For single sign-on
problems, see the SSO troubleshooting guide.

## Forgotten password

Choose **Forgot password** on the sign-in page. The reset link is valid for
[[reset_link_expiry|1 hour]] and can be used once. If the email does not arrive, check the spam
folder and that the address matches the one on the account.

## Account locked

After [[lockout_attempts|10 failed sign-in attempts]] in a row, the account is locked for
[[lockout_duration|15 minutes]]. Waiting is enough; support cannot unlock it sooner for security
reasons.

## Two-factor codes not accepted

Codes from authenticator apps depend on the phone's clock. Turn on automatic time on the phone
and try again. Each member receives [[recovery_codes|10 recovery codes]] when setting up
two-factor authentication; each code works once.

## Lost phone and no recovery codes

An admin of the workspace can reset two-factor authentication for a member under
**Settings → Members**. If the member is the Owner and there is no other admin, support verifies
ownership through the billing details before resetting it.

## Magic links

Members can sign in with a one-time link sent by email instead of a password. Magic links are
valid for [[magic_link_expiry|10 minutes]].

## Changed email address

Members change their sign-in email under **Settings → Profile**. The new address must be
confirmed from a link sent to it; until then, the old address keeps working.
""",
    ),
]
