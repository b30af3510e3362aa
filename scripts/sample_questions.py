"""Questions about the sample knowledge base: fact id -> paraphrases.

Data for scripts/make_sample.py. The gold answer of each question is the value of its fact in
sample_kb.py (old value for kb_v1, new value for kb_v2), so only the wording lives here. The
first paraphrase of a fact is the plain one; later ones use other words on purpose.
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------------
# Questions: fact id -> paraphrases. The gold answer is the fact's value (old value for kb_v1,
# new value for kb_v2); gold documents are every document that mentions the fact.
# ---------------------------------------------------------------------------------------------

QUESTIONS: dict[str, list[str]] = {
    # company-overview
    "company_founded": [
        "In what year was Quorvane founded?",
        "When did Maren Holt and Idris Vandewalle start Quorvane?",
        "How old is Quorvane, i.e. what is its founding year?",
    ],
    "company_hq": [
        "In which city is Quorvane's head office?",
        "Where is Quorvane headquartered?",
    ],
    "company_employees": ["Roughly how many people work at Quorvane?"],
    "company_regions": [
        "Which two hosting regions does Quorvane run in?",
        "Where can a Quorvane workspace's booking data be hosted?",
    ],
    # getting-started
    "trial_length": [
        "How long is the free trial for a new Quorvane workspace?",
        "What trial do new workspaces get when they sign up?",
        "Do new workspaces get a trial of the Business plan, and for how long?",
    ],
    "calendars_per_user": [
        "How many calendars can each user connect to Quorvane?",
        "What is the maximum number of connected calendars per member?",
    ],
    "invite_expiry": [
        "After how long does a member invitation expire?",
        "How long is an invitation to join a workspace valid?",
    ],
    # plans-and-pricing
    "starter_seats": ["How many seats does the free Starter plan include?"],
    "starter_booking_limit": [
        "What is the monthly booking limit on the Starter plan?",
        "How many bookings can a free Starter workspace take each month?",
        "Is there a cap on bookings for free accounts, and what is it?",
        "How many bookings per month are allowed before a Starter workspace has to upgrade?",
    ],
    "team_price": [
        "How much does the Team plan cost with annual billing?",
        "What is the per-seat price of Team when paid yearly?",
        "What does one Team seat cost per month on an annual subscription?",
        "Annual Team plan price per user?",
    ],
    "team_price_monthly": [
        "What does the Team plan cost if billed monthly?",
        "Price of a Team seat on month-to-month billing?",
    ],
    "team_max_seats": [
        "What is the maximum number of seats on the Team plan?",
        "How many seats can a Team workspace have at most?",
        "What's the seat cap before a Team workspace must move to Business?",
    ],
    "business_price": [
        "How much is the Business plan per seat?",
        "What is the annual per-seat price of Quorvane Business?",
        "How much would one Business seat cost us per month if we pay annually?",
    ],
    "enterprise_min_seats": [
        "What is the minimum number of seats for an Enterprise contract?",
        "How many seats does Enterprise pricing start at?",
    ],
    "nonprofit_discount": [
        "What discount do non-profits and schools get?",
        "How much off Team and Business do registered charities receive?",
    ],
    # billing-invoices
    "renewal_notice": [
        "When is the reminder email sent before an annual renewal?",
        "How far ahead of renewal are billing admins warned?",
    ],
    "invoice_prefix": ["What prefix do Quorvane invoice numbers start with?"],
    "invoice_payment_threshold": [
        "How large must an annual subscription be to pay by bank transfer?",
        "From what amount can an annual plan be paid against an invoice?",
    ],
    "invoice_terms": [
        "What are the payment terms on Quorvane invoices?",
        "If we pay by bank transfer, how many days do we have to pay the invoice?",
    ],
    "invoice_overdue_grace": [
        "How long after the due date does an unpaid invoice make the workspace read-only?",
    ],
    # billing-payment-methods
    "card_retry_count": [
        "How many times is a failed card payment retried?",
        "If my card is declined, how often will Quorvane try to charge it again?",
        "How many retries happen after a failed card charge?",
    ],
    "sepa_first_debit": ["How long does the first SEPA Direct Debit take to clear?"],
    "payment_grace": [
        "How long is the grace period after all payment retries fail?",
        "How many days does a workspace keep working after its payment fails for good?",
    ],
    # seats-and-members
    "viewer_role": [
        "Which role can see calendars and reports without using a seat?",
        "What is the free role for members who do not host bookings called?",
    ],
    "reactivation_window": [
        "Within how many days can a deactivated member be reactivated?",
        "How long do I have to bring back a deactivated member?",
    ],
    # refund-policy
    "refund_window_annual": [
        "How long is the refund window for a new annual subscription?",
        "Within how many days of paying can I cancel an annual plan for a full refund?",
        "What is the money-back period on yearly plans?",
        "If I upgrade from monthly to annual billing, how long do I have to get a refund?",
    ],
    "refund_contact": [
        "Which email address handles refund requests?",
        "Where should the workspace Owner write to ask for a refund?",
    ],
    "refund_processing": [
        "How long do approved refunds take to reach the original payment method?",
    ],
    # cancellation-policy
    "pause_max": [
        "For how long can a subscription be paused each year?",
        "What is the longest a seasonal business can pause its plan per calendar year?",
    ],
    # data-retention-policy
    "trash_retention": [
        "How long can deleted bookings be restored from the trash?",
        "How many days do deleted items stay in the trash?",
        "I deleted a contact by accident. How long can I still restore it?",
    ],
    "deleted_workspace_retention": [
        "How long is a deleted workspace kept in a recoverable state?",
        "If an Owner deletes the workspace by mistake, how long is there to recover it?",
        "After deleting a workspace, when is its data erased from production?",
        "What is the recovery period for deleted workspaces?",
    ],
    "backup_rollover": ["Within what period do encrypted backups roll over after deletion?"],
    "app_log_retention": [
        "How long are application logs containing IP addresses kept?",
        "What is the retention of app logs with IP addresses?",
    ],
    "invoice_retention": [
        "How long does Quorvane keep invoices and payment records?",
        "For how many years are payment records retained for tax reasons?",
        "Are invoices kept after a workspace is deleted, and for how long?",
    ],
    "dsar_response": [
        "Within how many days does Quorvane help customers answer data subject requests?",
    ],
    # sla
    "sla_uptime": [
        "What monthly uptime does the Enterprise SLA commit to?",
        "What is Quorvane's uptime guarantee for Enterprise contracts?",
        "Which uptime percentage is promised for booking pages, the web app and the API?",
    ],
    "maintenance_notice": [
        "How much advance notice must scheduled maintenance have to be excluded from downtime?",
    ],
    "credit_tier1": [
        "What service credit is given when uptime is below the commitment but at least 99.0%?",
    ],
    "credit_tier2": [
        "What credit applies when monthly uptime is between 95.0% and 99.0%?",
        "How much service credit do Enterprise customers get for uptime below 99.0%?",
    ],
    "credit_claim_window": [
        "How long do customers have to claim a service credit?",
    ],
    "enterprise_critical_response": [
        "What is the first response target for critical Enterprise tickets?",
        "How quickly does support respond to a critical issue on Enterprise?",
    ],
    # security-overview
    "security_cert": [
        "Which SOC 2 report does Quorvane hold?",
        "What type of SOC 2 audit report is available?",
    ],
    "encryption_at_rest": [
        "What encryption does Quorvane use for data at rest?",
        "Which algorithm protects stored data?",
    ],
    "password_min_length": [
        "What is the minimum password length for Quorvane accounts?",
        "How long must a password be?",
        "How many characters does a Quorvane password need at least?",
    ],
    "session_timeout": [
        "After how much inactivity do sessions expire?",
        "How long can a session stay idle before the user is signed out?",
        "How long before an inactive Quorvane login session expires?",
    ],
    "pentest_frequency": [
        "How often is a penetration test run?",
        "How frequently does an outside firm pentest Quorvane?",
        "How many penetration tests are done per year?",
    ],
    "breach_notification": [
        "Within how many hours are customers notified of a confirmed security incident?",
        "What is the deadline for notifying customers of a data breach?",
    ],
    # privacy-and-dpa
    "dpo_name": [
        "Who is Quorvane's Data Protection Officer?",
        "What is the name of the DPO?",
        "Who should we name as Quorvane's data protection officer in our records?",
    ],
    "support_access_expiry": [
        "When does temporary support access to an EU workspace expire?",
    ],
    "subprocessor_notice": [
        "How much notice is given before a new subprocessor is added?",
        "How far in advance are customers told about new subprocessors?",
    ],
    # subprocessors
    "sms_provider": [
        "Which company sends Quorvane's SMS reminders?",
        "Who is the subprocessor for SMS?",
        "Which subprocessor delivers text messages?",
    ],
    "subprocessors_reviewed": ["When was the subprocessor list last reviewed?"],
    # acceptable-use
    "sms_per_booking": [
        "How many SMS messages may a workspace send per booking?",
        "What is the SMS limit per booking under the acceptable use policy?",
    ],
    "aup_cure_period": [
        "How long does a workspace get to fix a policy violation after a warning?",
    ],
    "abuse_review": ["How quickly does trust and safety review abuse reports?"],
    # api-overview
    "api_version": ["What is the current version of the Quorvane API?"],
    "api_v1_retired": [
        "When was API v1 retired?",
        "On what date did the old v1 API stop working?",
    ],
    "api_key_prefix": [
        "What prefix do production API keys have?",
        "How do live API keys start?",
    ],
    "api_keys_max": [
        "How many API keys can a workspace have?",
        "What is the maximum number of API keys per workspace?",
        "Is there a cap on how many API keys one workspace can create?",
    ],
    "api_rate_limit": [
        "What is the standard API rate limit?",
        "How many API requests per minute are allowed on the Business plan?",
        "What is the per-minute request limit for Team workspaces?",
        "How many calls a minute can I make to the API before getting 429s?",
    ],
    "sandbox_retention": [
        "How long are sandbox bookings kept?",
        "After how many days are bookings in a sandbox workspace deleted?",
        "How long do test bookings live in the sandbox?",
    ],
    # api-rate-limits
    "api_rate_limit_enterprise": [
        "What is the API rate limit for Enterprise?",
        "How many requests per minute can an Enterprise workspace make?",
        "What is the Enterprise per-minute API limit?",
    ],
    "bulk_weight": [
        "How many records count as one request on bulk endpoints?",
    ],
    "rate_limit_status": [
        "Which HTTP status code is returned when the rate limit is exceeded?",
        "What status do requests over the limit receive?",
        "What HTTP code tells me I am being rate limited?",
    ],
    # api-webhooks
    "webhook_endpoints_max": [
        "How many webhook endpoints can a workspace have?",
        "What is the maximum number of webhook endpoints?",
        "Can a workspace register more than ten webhook URLs?",
    ],
    "webhook_timeout": [
        "How quickly must a webhook endpoint respond?",
        "What is the webhook delivery timeout?",
        "How many seconds does my server have to answer a webhook POST?",
    ],
    "webhook_retries": [
        "How many attempts does Quorvane make to deliver a webhook?",
        "How many times is a failed webhook delivery tried?",
        "What is the maximum number of webhook delivery attempts?",
    ],
    "webhook_retry_window": [
        "Over what period are failed webhooks retried?",
        "How long does Quorvane keep retrying a failed webhook?",
        "For how long are webhook retries spread?",
    ],
    "webhook_disable_after": [
        "After how long of failing deliveries is an endpoint disabled?",
        "When does Quorvane automatically disable a webhook endpoint?",
    ],
    # api-pagination-and-errors
    "page_default": ["What is the default page size of list endpoints?"],
    "page_max": [
        "What is the maximum value of the limit parameter?",
        "How many results can one API page contain at most?",
        "What's the largest page size I can request from GET /bookings?",
    ],
    "cursor_ttl": [
        "How long does a pagination cursor stay valid?",
        "When does a next_cursor value expire?",
    ],
    "idempotency_window": [
        "For how long are idempotency keys remembered?",
        "Within what window does resending an Idempotency-Key return the first response?",
    ],
    # sdks
    "sdk_python_min": [
        "What is the minimum Python version for the Quorvane SDK?",
        "Which Python version does the quorvane package need at least?",
    ],
    "sdk_node_min": ["Which Node.js version is required by @quorvane/sdk?"],
    "sdk_support_window": [
        "How long does the previous SDK major version get security fixes?",
    ],
    "sdk_timeout": [
        "What is the default request timeout in the SDKs?",
        "How long do the official clients wait for a response by default?",
        "What timeout do the Quorvane SDKs use unless configured otherwise?",
    ],
    # integrations
    "gcal_poll_interval": [
        "How often does Quorvane poll Google Calendar as a fallback?",
        "What is the polling interval for Google calendars?",
    ],
    "gcal_token_deletion": [
        "How soon are Google access tokens deleted after disconnecting?",
    ],
    "exchange_min_version": [
        "Which is the oldest on-premises Exchange version supported?",
        "From which Exchange server version does the Outlook integration work?",
    ],
    "graph_renewal": [
        "How often does Quorvane renew Microsoft Graph subscriptions?",
    ],
    "zoom_free_limit": [
        "How long can group meetings last on a free Zoom account?",
        "What is the meeting length limit for free Zoom accounts?",
    ],
    "zoom_daily_meetings": [
        "Above how many bookings a day may Zoom meeting creation fail?",
    ],
    "slack_command": [
        "Which Slack command shows today's bookings?",
        "What do I type in Slack to see my bookings for today?",
    ],
    "slack_digest_time": [
        "At what time is the Slack daily digest sent by default?",
        "When does the morning Slack digest arrive by default?",
    ],
    "slack_message_limit": [
        "How many Slack messages per minute can be posted to one channel?",
    ],
    "salesforce_edition": [
        "Which Salesforce edition is required for the integration?",
        "What is the minimum Salesforce edition that works with Quorvane?",
    ],
    "salesforce_sync_delay": [
        "How long until a new booking appears in Salesforce?",
        "What is the sync delay to Salesforce?",
        "How quickly do bookings sync to Salesforce?",
    ],
    "salesforce_retries": ["How many times is a rejected Salesforce record retried?"],
    "stripe_min_charge": [
        "What is the smallest amount that can be charged for a booking?",
        "What is the minimum booking payment through Stripe?",
        "What is the lowest price I can charge for a paid appointment?",
    ],
    "attendee_refund_cutoff": [
        "In the example rule, up to when before the start do attendees get a full refund?",
    ],
    "payment_hold": [
        "How long is a slot held while an attendee pays?",
        "When does an unpaid slot get released for others?",
        "How many minutes does an attendee have to finish paying before the slot is freed?",
    ],
    "hubspot_field_map": [
        "How many custom questions per event type can be mapped to HubSpot?",
    ],
    "hubspot_sync_delay": [
        "How long does it usually take for meetings to show up in HubSpot?",
    ],
    # booking-pages
    "custom_questions_max": [
        "How many custom questions can an event type ask?",
        "What is the maximum number of custom questions on a booking form?",
        "Can I add more than a dozen questions to an event type? What's the cap?",
    ],
    "smart_slots_name": [
        "What is the feature that highlights recommended booking times called?",
        "Which option recommends compact times on booking pages?",
        "What is the name of the suggested-times feature?",
        "Which feature launched in July 2025 to recommend times?",
    ],
    "booking_window_default": [
        "What is the default booking window?",
        "By default, how far ahead can people book?",
    ],
    "booking_languages": [
        "In how many languages are booking pages available?",
        "How many languages do booking pages support?",
        "How many languages can the booking page be shown in?",
    ],
    # availability-rules
    "conflict_lookahead": [
        "How far ahead does Quorvane check calendars for conflicts?",
    ],
    "buffer_max": [
        "What is the maximum buffer before or after a booking?",
        "How long can a buffer be?",
        "What's the longest buffer time I can set between appointments?",
    ],
    "slot_increment_default": [
        "What is the default increment between offered start times?",
        "By default, at what interval are start times offered?",
    ],
    # team-scheduling
    "round_robin_window": [
        "Over what period are bookings counted for equal-distribution round robin?",
    ],
    "round_robin_pool_max": [
        "How many hosts can a round-robin pool include?",
        "What is the largest round-robin pool allowed?",
    ],
    "collective_max": [
        "How many hosts can a collective event include?",
        "What is the host limit for collective event types?",
        "How many people can host a collective meeting together?",
    ],
    "routing_rules_max": ["How many rules can a routing form have?"],
    # reminders-and-notifications
    "email_reminders_max": [
        "How many email reminders can an event type have?",
        "What is the maximum number of reminder emails per event type?",
        "How many reminder emails can I schedule for one appointment type?",
    ],
    "sms_included_team": [
        "How many SMS are included per month on the Team plan?",
        "What is the monthly SMS allowance for Team workspaces?",
        "How many text message reminders does the Team plan include each month?",
    ],
    "sms_included_business": [
        "How many SMS per month does the Business plan include?",
        "What is the monthly SMS allowance on Business?",
    ],
    "sms_overage": [
        "What does an extra SMS cost in the United States?",
        "What is the overage price per SMS in the US and Canada?",
        "How much is each SMS over the included allowance in North America?",
    ],
    "followup_max": ["What is the latest a follow-up can be sent after a booking?"],
    # sso-saml
    "scim_plan": [
        "Which plan includes SCIM provisioning?",
        "On what plan is SCIM 2.0 available?",
    ],
    "scim_deactivation": [
        "How quickly is a seat freed after a user is deactivated in the identity provider?",
    ],
    "saml_cert_warning": [
        "When does Quorvane warn admins about an expiring SAML certificate?",
    ],
    # roles-and-permissions
    "ownership_transfer_expiry": [
        "How long does the new Owner have to accept an ownership transfer?",
    ],
    "custom_roles_max": [
        "How many custom roles can an Enterprise workspace create?",
        "What is the limit on custom roles?",
        "How many custom roles does the Enterprise plan allow?",
    ],
    # audit-log
    "audit_retention_business": [
        "How long are audit log entries kept on the Business plan?",
        "What is the audit log retention for Business workspaces?",
        "For how many days can a Business customer see past audit events?",
    ],
    "audit_retention_enterprise": [
        "What is the longest audit log retention Enterprise can choose?",
    ],
    "audit_export_rows": [
        "How many rows can one audit log export contain?",
        "What is the row limit for exporting the audit log?",
        "Is there a maximum number of rows per audit log CSV export?",
    ],
    # data-export-and-import
    "export_link_expiry": [
        "How long is an export download link valid?",
    ],
    "full_export_time": [
        "How long does a full workspace export usually take?",
    ],
    "import_max_size": [
        "What is the maximum size of an import file?",
        "How big can a CSV file be when importing contacts?",
        "What file size limit applies to imports?",
    ],
    "export_daily_limit": [
        "How many exports can a workspace start per day?",
    ],
    # mobile-apps
    "ios_min": [
        "Which iOS version does the Quorvane app need?",
        "What is the minimum iOS version for the mobile app?",
        "Will the iPhone app run on iOS 15, or what version is needed?",
    ],
    "android_min": [
        "Which Android version is required?",
        "What is the oldest Android version the app supports?",
    ],
    "mobile_offline_days": [
        "How many days of bookings do the mobile apps keep offline?",
    ],
    # custom-domains-and-branding
    "cname_target": [
        "What should the CNAME record for a custom domain point to?",
        "Which hostname is the CNAME target for booking page domains?",
    ],
    "custom_domains_max": ["How many custom domains can a workspace use?"],
    "logo_max_size": [
        "What is the maximum logo file size?",
        "How large can an uploaded logo be?",
    ],
    # support-and-contact
    "support_hours": [
        "What are the support team's hours?",
        "When is chat and email support staffed on weekdays?",
        "What time does Quorvane support open and close?",
    ],
    "team_response": [
        "What is the first response target for Team plan support?",
        "How fast does support answer Team customers?",
    ],
    "business_response": [
        "What is the first response target on the Business plan?",
    ],
    "support_languages": [
        "In which languages is support available?",
        "What languages does the support team speak?",
        "Can I get support in German? Which languages are offered?",
    ],
    "roadmap_review": [
        "How often does the product team review the most voted ideas?",
    ],
    # status-and-maintenance
    "incident_update_interval": [
        "How often is the status page updated during an incident?",
    ],
    "postmortem_deadline": [
        "Within how long is a post-incident review published?",
        "When is the written post-incident review due?",
    ],
    "maintenance_day": [
        "On which day of the week does planned maintenance happen?",
    ],
    "maintenance_window": [
        "What is the planned maintenance window?",
        "Between which hours is scheduled maintenance done?",
        "At what time of night does Quorvane do maintenance?",
    ],
    "status_history": [
        "How many days of uptime history does the status page show?",
    ],
    # changelog
    "release_sept_date": ["On what date was the September 2025 release shipped?"],
    "scim_beta_customers": [
        "How many customers took part in the SCIM beta?",
    ],
    # faq-general
    "starter_event_types": [
        "How many event types does the Starter plan allow?",
        "What is the event type limit on the free plan?",
        "How many event types can a free workspace create?",
    ],
    "group_event_max": [
        "How many attendees can book the same slot of a group event?",
        "What is the maximum group event size?",
        "How many people can sign up for one slot of a class-style group event?",
    ],
    # faq-billing
    "startup_discount": [
        "What discount do startups in partner accelerators get?",
    ],
    "invoice_email_example": [
        "Which example accounting address is given for emailing invoices?",
    ],
    # troubleshooting
    "sync_error_code": [
        "Which error code means Quorvane cannot write to the calendar?",
        "What sync log error indicates a missing calendar write permission?",
    ],
    "sync_log_days": [
        "How many days of sync attempts does the calendar sync log keep?",
    ],
    "saml_clock_skew": [
        "For how long after issue are SAML responses accepted?",
    ],
    "sso_recovery_url": [
        "Where can the Owner sign in with a password when locked out by SSO?",
        "What is the SSO recovery sign-in address?",
    ],
    "sso_error_code": [
        "Which error code means the email domain is not verified for SSO?",
    ],
    "sso_log_days": [
        "How long can support find SSO sign-in attempts in the logs?",
    ],
    "webhook_log_days": [
        "How long do entries stay in the webhook delivery log?",
        "For how many days is webhook delivery history shown?",
    ],
    "webhook_test_header": [
        "Which header do webhook test events carry?",
    ],
    "bounce_suppression": [
        "After how many hard bounces is an email address suppressed?",
    ],
    "dkim_fallback": [
        "How soon does Quorvane fall back to its own sender when DKIM records disappear?",
    ],
    "email_daily_limit": [
        "How many notification emails can a workspace send per day?",
        "What is the daily email sending limit?",
        "Is there a per-day cap on notification emails from a workspace?",
    ],
    "stripe_error_code": [
        "Which error code means Stripe has not enabled charges on the account?",
    ],
    "stripe_accounts_max": [
        "How many Stripe accounts can one workspace connect?",
        "What is the maximum number of connected Stripe accounts?",
    ],
    "bank_refund_days": [
        "How long can a bank take to show a booking refund?",
    ],
    "reset_link_expiry": [
        "How long is a password reset link valid?",
        "When does the forgot-password link expire?",
        "I requested a password reset; how long does the link work?",
    ],
    "lockout_attempts": [
        "After how many failed sign-in attempts is an account locked?",
        "How many wrong passwords in a row lock an account?",
    ],
    "lockout_duration": [
        "How long does an account stay locked after too many failed sign-ins?",
        "What is the lockout duration?",
    ],
    "recovery_codes": [
        "How many two-factor recovery codes does each member get?",
        "How many backup codes come with two-factor authentication?",
    ],
    "magic_link_expiry": [
        "How long is a magic sign-in link valid?",
        "When does an email magic link expire?",
    ],
}
