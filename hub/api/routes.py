"""The HTTP API's URL table (under /api/v1): every endpoint, listed once, in one place.

Each handler declares its roles, body and response beside its code (`kit.endpoint`); the
method and path are here, so the whole surface can be read at a glance."""

from collections.abc import Awaitable, Callable

from aiohttp import web

from wijkhub.hub.api import (
    advices,
    approvals,
    chain_report,
    clients,
    consents,
    consultation,
    escalation,
    inwoner_codes,
    partners,
    plan,
    plugins,
    preview,
    privacy_officer,
    transparency,
)
from wijkhub.hub.api.kit import Api, Endpoint

TABLE: list[tuple[str, str, Endpoint]] = [
    ("POST", "/clients", clients.create_client),
    ("GET", "/clients/{client_id}", clients.get_client),
    ("POST", "/clients/{client_id}/consents", consents.record_consent),
    ("GET", "/clients/{client_id}/consents", consents.list_consents),
    ("POST", "/consents/{consent_id}/withdraw", consents.withdraw_consent),
    ("POST", "/clients/{client_id}/inwoner-codes", inwoner_codes.create_code),
    ("POST", "/advices", advices.submit_advice),
    ("GET", "/advices/{advice_id}", advices.get_advice),
    ("POST", "/partners/{partner_id}/status", partners.partner_status),
    ("GET", "/partners/{partner_id}/inbox", partners.partner_inbox),
    ("POST", "/partners/{partner_id}/inbox/{delivery_id}/ack", partners.partner_ack),
    ("GET", "/partners/{partner_id}/receipts/{span_id}", partners.partner_receipt),
    ("GET", "/plugins", plugins.list_plugins),
    ("GET", "/processing-log", privacy_officer.processing_log),
    ("GET", "/approvals", approvals.list_awaiting),
    ("POST", "/approvals/{item_id}/approve", approvals.approve_item),
    ("POST", "/approvals/{item_id}/reject", approvals.reject_item),
    ("GET", "/reports/chain", chain_report.chain_json),
    ("GET", "/reports/chain.csv", chain_report.chain_csv),
    ("GET", "/items/{item_id}/consultation", consultation.list_messages),
    ("POST", "/items/{item_id}/consultation", consultation.send_message),
    ("POST", "/items/{item_id}/consultation/{proposal_id}/accept", consultation.accept_proposal),
    ("POST", "/items/{item_id}/consultation/{proposal_id}/decline", consultation.decline_proposal),
    ("GET", "/escalations/notices", escalation.notices),
    ("GET", "/escalations/my-notices", escalation.coach_notices),
    ("POST", "/escalations/notices/{item_id}/read", escalation.notice_read),
    ("GET", "/escalations/steering", escalation.steering),
    ("POST", "/escalations/run", escalation.run_now),
    ("POST", "/households", plan.create_household),
    ("GET", "/households/{household_id}", plan.get_household),
    ("POST", "/households/{household_id}/members", plan.add_member),
    ("GET", "/households/{household_id}/plan", plan.get_plan),
    ("POST", "/households/{household_id}/plan/goals", plan.add_goal),
    ("POST", "/households/{household_id}/plan/items", plan.link_item),
    ("POST", "/advices/preview", preview.preview_advice),
    ("GET", "/privacy/consents", privacy_officer.consents_route),
    ("GET", "/processing-log/csv", privacy_officer.log_csv_route),
    ("GET", "/processing-log/logboek", privacy_officer.log_logboek_route),
    ("GET", "/privacy/clients/{client_id}/access-report", privacy_officer.access_report_route),
    (
        "GET",
        "/privacy/clients/{client_id}/access-report.html",
        privacy_officer.access_report_html_route,
    ),
    ("GET", "/privacy/clients/{client_id}/consents/fhir", privacy_officer.fhir_route),
]

api = Api(TABLE)

# Public URLs outside /api/v1, plain aiohttp handlers (no token, no body).
PUBLIC: list[tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]] = [
    ("GET", "/.well-known/wijkhub-log/checkpoint", transparency.checkpoint),
    ("GET", "/.well-known/wijkhub-log/keys", transparency.keys),
]


def install_public(app: web.Application) -> None:
    for method, path, handler in PUBLIC:
        app.router.add_route(method, path, handler)
