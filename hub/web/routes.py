"""The web UI's URL table: every page, listed once, in one place (the API's is `api.routes`).

Each page declares who may open it beside its code (`kit.page`, `kit.public`)."""

from wijkhub.hub.web import (
    approver_pages,
    coach_pages,
    code_pages,
    inwoner_pages,
    privacy_pages,
    signin,
    team_pages,
)
from wijkhub.hub.web.kit import Page, Public
from wijkhub.hub.web.oidc import CALLBACK_PATH
from wijkhub.hub.web.session import LINK_PATH

TABLE: list[tuple[str, str, Page | Public]] = [
    ("GET", "/", signin.home),
    ("GET", "/aanmelden", signin.signin_page),
    ("GET", "/aanmelden/oidc", signin.signin_oidc),
    ("GET", LINK_PATH + "{token}", signin.signin_link),
    ("GET", CALLBACK_PATH, signin.oidc_callback),
    ("POST", "/afmelden", signin.signout),
    ("GET", "/goedkeuringen", approver_pages.awaiting),
    ("POST", "/goedkeuringen/{item_id}/goedkeuren", approver_pages.approve_page),
    ("POST", "/goedkeuringen/{item_id}/afwijzen", approver_pages.reject_page),
    ("GET", "/privacy", privacy_pages.overview),
    ("POST", "/privacy/controleren", privacy_pages.check_chain),
    ("GET", "/privacy/toestemmingen", privacy_pages.consents),
    ("GET", "/privacy/verwerkingen", privacy_pages.processing_log),
    ("GET", "/privacy/verwerkingen.csv", privacy_pages.processing_log_csv),
    ("GET", "/privacy/inzage", privacy_pages.access_search),
    ("GET", "/privacy/inzage/{client_id}", privacy_pages.access_page),
    ("GET", "/privacy/inzage/{client_id}/afdrukken", privacy_pages.access_print),
    ("GET", "/privacy/inzage/{client_id}/inzage.pdf", privacy_pages.access_pdf),
    ("GET", "/privacy/inzage/{client_id}/verwerkingen.csv", privacy_pages.access_csv),
    ("GET", "/team/ketenrapport", team_pages.chain_report_page),
    ("GET", "/team/ketenrapport.csv", team_pages.chain_report_csv),
    ("GET", "/team/meldingen", team_pages.notices),
    ("POST", "/team/meldingen/{item_id}/gelezen", team_pages.notice_read),
    ("GET", "/team/stuurgroep", team_pages.steering),
    ("GET", "/coach", coach_pages.my_households),
    ("POST", "/coach/zoeken", coach_pages.search_households),
    ("GET", "/coach/clienten/{client_id}", coach_pages.household),
    ("POST", "/coach/clienten/{client_id}/toestemmingen", coach_pages.record_consent),
    ("POST", "/coach/toestemmingen/{consent_id}/intrekken", coach_pages.withdraw_consent),
    ("POST", "/coach/clienten/{client_id}/inwonercode", code_pages.hand_over_code),
    ("GET", "/coach/clienten/{client_id}/advies", coach_pages.composer),
    ("POST", "/coach/clienten/{client_id}/advies", coach_pages.composer_post),
    ("GET", "/coach/adviezen/{advice_id}", coach_pages.advice_page),
    ("GET", "/coach/adviezen/{advice_id}/stand", coach_pages.advice_state),
    ("POST", "/coach/onderdelen/{item_id}/overleg", coach_pages.send_message),
    (
        "POST",
        "/coach/onderdelen/{item_id}/overleg/{proposal_id}/aanvaarden",
        coach_pages.accept_proposal,
    ),
    (
        "POST",
        "/coach/onderdelen/{item_id}/overleg/{proposal_id}/afwijzen",
        coach_pages.decline_proposal,
    ),
    ("GET", "/inwoner/aanmelden", inwoner_pages.signin_form),
    ("POST", "/inwoner/aanmelden", inwoner_pages.signin_post),
    ("GET", "/inwoner", inwoner_pages.overview),
    ("GET", "/inwoner/gegevens/{client_id}", inwoner_pages.own_page),
    (
        "GET",
        "/inwoner/gegevens/{client_id}/toestemmingen/{consent_id}/intrekken",
        inwoner_pages.confirm_withdrawal,
    ),
    (
        "POST",
        "/inwoner/gegevens/{client_id}/toestemmingen/{consent_id}/intrekken",
        inwoner_pages.withdraw_consent,
    ),
]
