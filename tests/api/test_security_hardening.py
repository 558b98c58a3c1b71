"""Attacks from an outside test of the running hub, each written as a test before its fix.

Every test goes through the public interface (HTTP API, partner message) and failed on the
code before the fix it guards."""

import json
import os
import re
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.nl import bsn as stdnum_bsn
from yarl import URL

from tests.support.cli import run_on_fixed_clock as cli_run
from tests.support.harness import ApiClient, Env, status_body
from tests.support.ladder import item_for, move_to
from tests.support.roles import enable_approvals
from tests.support.web_client import WebClient
from wijkhub.consent.free_text import contains_bsn
from wijkhub.hub.casework.milestones import read_milestones
from wijkhub.hub.cli.main import main
from wijkhub.hub.cli.support import cli_obj
from wijkhub.hub.core.auth import DEFAULT_TOKEN_TTL, create_token
from wijkhub.hub.core.clock import AMSTERDAM, FakeClock
from wijkhub.hub.core.signatures import (
    INBOUND_HEADER,
    RECIPIENT_HEADER,
    SignatureError,
    jwks,
    public_keys_from_jwks,
    verify_outbound,
)
from wijkhub.hub.demo import household
from wijkhub.hub.records.clients import COLLISIONS_PER_DAY
from wijkhub.hub.web.session import create_signin_link


@pytest.fixture
def sim_options() -> dict[str, dict[str, Any]]:
    # The partners answer only what a test makes them answer.
    partners = (household.CORPORATIE, household.STADSBANK, household.GI, household.ZORG)
    return {pid: {"answer": False} for pid in partners}


# Digits that are not ASCII but that `\d` in Python's re and int() accept.
UNICODE_BSNS = [
    "９９９９９００１９",  # full-width
    "٩٩٩٩٩٠٠١٩",  # Arabic-Indic
    "𝟗𝟗𝟗𝟗𝟗𝟎𝟎𝟏𝟗",  # mathematical bold
    "99999001９",  # one full-width digit at the end
]


def field_messages(body: dict[str, Any]) -> dict[str, str]:
    return {f["field"]: f["message"] for f in body["error"]["fields"]}


@pytest.mark.parametrize("bsn", UNICODE_BSNS)
async def test_a_bsn_in_unicode_digits_is_refused_naming_the_field(env: Env, bsn: str) -> None:
    r = await env.coach.post("/api/v1/clients", json={**household.CLIENT, "bsn": bsn})
    assert r.status == 422, r.body
    message = field_messages(r.body)["bsn"]
    assert "BSN" in message and "cijfers" in message
    # The one ASCII registration still works: nothing was stored by the refused ones.
    assert (await env.coach.post("/api/v1/clients", json=household.CLIENT)).status == 201


# --- a BSN through free text --------------------------------------------------------------

FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}
ARABIC_INDIC = {str(d): chr(0x0660 + d) for d in range(10)}
# What a coach (or an attacker) can put between two digits without the text looking odd.
SEPARATORS = [
    " ",
    ".",
    "-",
    "/",
    "_",
    ",",
    " - ",
    "\u00a0",  # no-break space
    "\u2009",  # thin space
    "\u2013",  # en dash
    "\u200b",  # zero-width space (Cf)
    "\u200d",  # zero-width joiner (Cf)
    "\u2060",  # word joiner (Cf)
    "\u00ad",  # soft hyphen (Cf)
    "\ufeff",  # zero-width no-break space (Cf)
    "\u202e",  # right-to-left override (Cf)
    "\u2028",  # line separator (Zl)
    "\n",
]


def valid_bsns() -> st.SearchStrategy[str]:
    def complete(first8: str) -> str:
        check = sum((9 - i) * int(n) for i, n in enumerate(first8)) % 11
        return first8 + str(check) if check < 10 else ""

    return (
        st.integers(1, 99_999_999)
        .map(lambda n: complete(f"{n:08d}"))
        .filter(lambda b: b != "" and stdnum_bsn.is_valid(b))
    )


@st.composite
def rendered_bsns(draw: st.DrawFn) -> tuple[str, str]:
    """A valid BSN written with random separators and digit forms, inside a sentence."""
    bsn = draw(valid_bsns())
    out = []
    for i, d in enumerate(bsn):
        form = draw(st.sampled_from(["ascii", "ascii", "full-width", "arabic-indic"]))
        out.append({"ascii": d, "full-width": FULL_WIDTH[d], "arabic-indic": ARABIC_INDIC[d]}[form])
        if i < 8:
            out.append("".join(draw(st.lists(st.sampled_from(SEPARATORS), max_size=2))))
    before = draw(st.sampled_from(["", "BSN ", "Zie dossier bsn: ", "nummer ("]))
    after = draw(st.sampled_from(["", ".", " graag bellen", ")"]))
    return bsn, before + "".join(out) + after


@given(rendered_bsns())
@settings(max_examples=400, deadline=None)
def test_any_valid_bsn_with_any_separators_is_caught(case: tuple[str, str]) -> None:
    _, text = case
    assert contains_bsn(text), repr(text)


@pytest.mark.parametrize(
    "text",
    [
        "telefoon 06-12345678",
        "dossier 1999990019",
        "999990018 (geen geldig BSN)",
        "Huurachterstand van € 1.845; € 75 per maand, 25 maanden.",
        "IBAN NL91 ABNA 0417 1643 00",
        "",
    ],
)
def test_free_text_without_a_bsn_is_left_alone(text: str) -> None:
    assert not contains_bsn(text)


BSN_TEXTS = [
    "Kunt u dossier BSN 999990019 opzoeken?",
    "BSN 999 990 019",
    "BSN 999-990-019",
    "BSN 99-99-90-019",
    "BSN 9999\u200b90019",
    "BSN 9 9 9 9 9 0 0 1 9",
    "BSN ９９９９９００１９",
]


@pytest.mark.parametrize("text", BSN_TEXTS)
async def test_a_bsn_in_a_motivation_is_refused_however_it_is_written(env: Env, text: str) -> None:
    client_id = await env.household()
    advice = household.advice(client_id, env.today)
    advice["items"][0]["motivation"] = text
    r = await env.coach.post("/api/v1/advices", json=advice)
    assert r.status == 422, r.body
    assert "BSN" in field_messages(r.body)["items.0.motivation"]


async def delivered_items(env: Env) -> dict[str, dict[str, Any]]:
    client_id = await env.household()
    advice = await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    return {
        it["partner_id"]: {**it, "advice_id": advice["id"]}
        for it in advice["items"]
        if it["decision"]["allowed"]
    }


def consultations_sent(env: Env, partner_id: str) -> list[Any]:
    return [r for r in env.sims[partner_id].received if r.request.kind == "consultation"]


@pytest.mark.parametrize("text", BSN_TEXTS)
async def test_a_bsn_in_a_consultation_message_never_reaches_the_corporatie(
    env: Env, text: str
) -> None:
    items = await delivered_items(env)
    item = items[household.CORPORATIE]
    r = await env.coach.post(
        f"/api/v1/items/{item['id']}/consultation", json={"kind": "question", "text": text}
    )
    assert r.status == 422, r.body
    assert "BSN" in field_messages(r.body)["text"]
    await env.deliver()
    assert consultations_sent(env, household.CORPORATIE) == []
    # The Stadsbank may process the BSN: the same text goes there.
    r = await env.coach.post(
        f"/api/v1/items/{items[household.STADSBANK]['id']}/consultation",
        json={"kind": "question", "text": text},
    )
    assert r.status == 201, r.body


async def test_consultation_text_never_reaches_a_partner_whose_rules_exclude_free_text(
    env: Env,
) -> None:
    item = (await delivered_items(env))[household.GI]
    r = await env.coach.post(
        f"/api/v1/items/{item['id']}/consultation",
        json={"kind": "question", "text": "Hoe gaat het met Daan op school?"},
    )
    assert r.status == 422, r.body
    assert "vrije tekst" in field_messages(r.body)["text"]
    await env.deliver()
    assert consultations_sent(env, household.GI) == []


# --- four eyes compares people ------------------------------------------------------------


async def awaiting_item(
    env: Env, author: ApiClient, partner_id: str = household.GI
) -> dict[str, Any]:
    """The partner's item of the demo advice, by `author`, waiting for a second person."""
    enable_approvals(env)
    r = await author.post("/api/v1/clients", json=household.CLIENT)
    assert r.status == 201, r.body
    for c in household.consents(env.today):
        assert (await author.post(f"/api/v1/clients/{r.body['id']}/consents", json=c)).status == 201
    body = household.advice(r.body["id"], env.today)
    body["items"] = [it for it in body["items"] if it["partner_id"] == partner_id]
    r = await author.post("/api/v1/advices", json=body)
    assert r.status == 201, r.body
    [item] = r.body["items"]
    assert item["delivery_status"] == "awaiting_approval"
    return item


async def test_a_second_token_of_the_same_person_cannot_approve(env: Env) -> None:
    anna = ApiClient(env.session, await env.hub.token("coach", "Anna de Vries", team="team-a"))
    item = await awaiting_item(env, anna)
    # The attack: a new token with the same label (the same person) approves the own item.
    again = ApiClient(env.session, await env.hub.token("coach", "Anna de Vries", team="team-a"))
    assert (await again.get("/api/v1/approvals")).body == []
    r = await again.post(f"/api/v1/approvals/{item['id']}/approve")
    assert r.status == 403 and r.body["error"]["code"] == "own_item", r.body
    # Nor as a team manager: a second role does not make a second person.
    async with env.hub.ctx.db.write() as conn:
        boss = await create_token(
            conn,
            "team_manager",
            "Anna (teammanager)",
            env.clock.now(),
            "team-a",
            person="Anna de Vries",
        )
    r = await ApiClient(env.session, boss).post(f"/api/v1/approvals/{item['id']}/approve")
    assert r.status == 403 and r.body["error"]["code"] == "own_item", r.body
    await env.deliver()
    assert env.sims[household.GI].received == []
    # Another person can.
    bert = ApiClient(env.session, await env.hub.token("coach", "Bert Jansen", team="team-a"))
    assert (await bert.post(f"/api/v1/approvals/{item['id']}/approve")).status == 200
    await env.deliver()
    assert len(env.sims[household.GI].received) == 1


async def test_an_api_token_and_a_web_session_of_one_person_are_one_person(env: Env) -> None:
    anna = ApiClient(env.session, await env.hub.token("coach", "Anna de Vries", team="team-a"))
    item = await awaiting_item(env, anna)
    web = WebClient(env.hub.url)
    try:
        link = await create_signin_link(env.hub.ctx, "coach", "team-a", "Anna de Vries")
        assert (await web.follow(await web.get(link))).status == 200
        listed = await web.get("/goedkeuringen")
        assert item["id"] not in listed.text
        csrf = await web.csrf("/goedkeuringen")
        r = await web.post(f"/goedkeuringen/{item['id']}/goedkeuren", data={"csrf_token": csrf})
        assert r.status == 403, r.text[:300]
    finally:
        await web.close()
    await env.deliver()
    assert env.sims[household.GI].received == []


# --- consultation waits for approval ------------------------------------------------------


async def test_no_consultation_on_an_item_that_waits_for_approval(env: Env) -> None:
    item = await awaiting_item(env, env.coach, household.ZORG)
    r = await env.coach.post(
        f"/api/v1/items/{item['id']}/consultation",
        json={"kind": "question", "text": "Alvast een vraag over dit verzoek."},
    )
    assert r.status == 409, r.body
    assert "goedkeuring" in r.body["error"]["message"]
    await env.deliver()
    assert env.sims[household.ZORG].received == []
    # Once approved and delivered, the same question goes.
    bert = ApiClient(env.session, await env.hub.token("coach", "Bert Jansen", team="team-a"))
    assert (await bert.post(f"/api/v1/approvals/{item['id']}/approve")).status == 200
    await env.deliver()
    r = await env.coach.post(
        f"/api/v1/items/{item['id']}/consultation",
        json={"kind": "question", "text": "Alvast een vraag over dit verzoek."},
    )
    assert r.status == 201, r.body


# --- no BSN existence oracle --------------------------------------------------------------
#
# The design: registration of a BSN that another team holds is refused like a duplicate in
# the own team (409 `client_exists`, the same Dutch sentence; only a duplicate in the own team
# names the client's id, which that coach can see anyway), never naming the team or the id.
# That a free BSN registers and a held one does not cannot be hidden, so every collision with
# another team's client is logged against that client (the privacy officer's access report
# shows who tried) and counts against the person who tried: after COLLISIONS_PER_DAY of them in
# 24 hours the hub refuses every registration of that person (429), free BSN or not, so the
# refusal itself tells nothing either.


async def test_registering_another_teams_bsn_reveals_nothing_and_is_logged(env: Env) -> None:
    client_id = await env.household()
    own = await env.coach.post("/api/v1/clients", json=household.CLIENT)
    other = ApiClient(env.session, await env.hub.token("coach", "Carla", team="team-b"))
    theirs = await other.post("/api/v1/clients", json=household.CLIENT)
    assert own.status == theirs.status == 409
    assert own.body["error"]["code"] == theirs.body["error"]["code"] == "client_exists"
    assert theirs.body["error"]["message"] == own.body["error"]["message"].split(" (id ")[0] + "."
    assert client_id not in json.dumps(theirs.body) and "team" not in json.dumps(theirs.body)
    attempts = await env.log(name="client.register_collision")
    assert [e["data_subject_id"] for e in attempts] == [client_id]
    assert attempts[0]["actor"].startswith("coach/")


async def test_bsn_probing_is_rate_limited_per_person(env: Env) -> None:
    await env.household()
    prober = ApiClient(env.session, await env.hub.token("coach", "Carla", team="team-b"))
    for _ in range(COLLISIONS_PER_DAY):
        assert (await prober.post("/api/v1/clients", json=household.CLIENT)).status == 409
    # Now every registration of this person is refused, free BSN or not...
    free = {**household.CLIENT, "bsn": "999990020"}
    r = await prober.post("/api/v1/clients", json=free)
    assert r.status == 429 and "registraties" in r.body["error"]["message"], r.body
    # ...also under another token of the same person...
    again = ApiClient(env.session, await env.hub.token("coach", "Carla", team="team-b"))
    assert (await again.post("/api/v1/clients", json=free)).status == 429
    # ...while others work as usual, and the person again after a day.
    assert (await env.coach.post("/api/v1/clients", json=free)).status == 201
    env.clock.advance(hours=25)
    assert (await prober.post("/api/v1/clients", json=household.CLIENT)).status == 409


# --- partner times within a sane window ---------------------------------------------------


YEAR_ONE = datetime(1, 1, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("when", "accepted"),
    [
        (timedelta(days=-1), False),  # before the hub delivered the item: back-dated
        (None, False),  # "year 1", which the plugins' formats accept
        (timedelta(hours=1), False),  # in the future
        (timedelta(minutes=-10), True),  # earlier the same day: a day-dated format's midnight
        (timedelta(minutes=2), True),  # a partner clock a little ahead: within the skew
        (timedelta(0), True),
    ],
)
async def test_partner_times_outside_the_sane_window_are_refused(
    env: Env, when: timedelta | None, accepted: bool
) -> None:
    item = (await delivered_items(env))[household.CORPORATIE]
    occurred = YEAR_ONE if when is None else env.clock.now() + when
    body = status_body(
        "corporatie", item["id"], "carried_out", "t-1", occurred_at=occurred.isoformat()
    )
    r = await env.post_status(household.CORPORATIE, body)
    if accepted:
        assert r.status == 202, r.body
        return
    assert r.status == 422, r.body
    assert "tijdstip" in field_messages(r.body)["occurred_at"]
    after = next(
        it for it in (await env.advice(item["advice_id"]))["items"] if it["id"] == item["id"]
    )
    assert after["partner_status"] == item["partner_status"]


# --- outbound signatures name the recipient and cover the headers -------------------------


async def corporatie_request(env: Env) -> tuple[str, dict[str, str], bytes]:
    """The corporatie's delivery as its simulator received it: path, headers, body."""
    await delivered_items(env)
    [got] = [r for r in env.sims[household.CORPORATIE].received if r.request.kind == "advice"]
    partner = env.hub.ctx.partners.get(household.CORPORATIE)
    assert partner is not None
    return URL(str(partner.endpoint)).raw_path_qs, got.headers, got.body


async def test_a_delivery_signed_for_one_partner_does_not_verify_at_another(env: Env) -> None:
    path, headers, body = await corporatie_request(env)
    keys = public_keys_from_jwks(jwks(env.hub.ctx.keyring))
    now = env.clock.now()
    authority = headers["Host"]
    verify_outbound(keys, path, headers, body, now, recipient=household.CORPORATIE)
    with pytest.raises(SignatureError):
        verify_outbound(keys, path, headers, body, now, recipient=household.STADSBANK)
    # Re-labelled for the other partner: the signature covers the recipient header too.
    relabelled = {**headers, RECIPIENT_HEADER: household.STADSBANK}
    with pytest.raises(SignatureError):
        verify_outbound(keys, path, relabelled, body, now, recipient=household.STADSBANK)
    # Sent to another host with the same path.
    moved = {**headers, "Host": "elders.example:443"}
    with pytest.raises(SignatureError):
        verify_outbound(keys, path, moved, body, now, recipient=household.CORPORATIE)
    assert authority != "elders.example:443"


@pytest.mark.parametrize(
    ("header", "value"),
    [("Content-Type", "text/plain"), ("Idempotency-Key", "other-key"), ("X-Wijkhub-Item", "x")],
)
async def test_changing_a_signed_header_breaks_the_signature(
    env: Env, header: str, value: str
) -> None:
    path, headers, body = await corporatie_request(env)
    keys = public_keys_from_jwks(jwks(env.hub.ctx.keyring))
    changed = {**headers, header: value}
    with pytest.raises(SignatureError):
        verify_outbound(keys, path, changed, body, env.clock.now(), recipient=household.CORPORATIE)


async def test_the_signing_key_rotates_with_overlap_and_partners_refetch(env: Env) -> None:
    items = await delivered_items(env)  # the simulators have fetched (and cached) the key set
    old = env.hub.ctx.keyring.active_signing
    new = env.hub.ctx.keyring.rotate_signing()
    assert new != old
    r = await env.anonymous.get("/.well-known/wijkhub-keys.json")
    assert {k["kid"] for k in r.body["keys"]} == {old, new}, "old and new, for the overlap"
    # The next message is signed with the new key; the partner re-fetches on the unknown kid.
    r = await env.coach.post(
        f"/api/v1/items/{items[household.CORPORATIE]['id']}/consultation",
        json={"kind": "question", "text": "Lukt het voor 1 december?"},
    )
    assert r.status == 201, r.body
    await env.deliver()
    sim = env.sims[household.CORPORATIE]
    assert sim.rejected_signatures == 0
    [_, second] = sim.received
    assert second.request.kind == "consultation"
    assert f'keyid="{new}"' in second.headers[INBOUND_HEADER]


def test_the_documented_signature_test_vector_verifies() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "security.md").read_text()
    x = re.search(r"`x` = `([A-Za-z0-9_-]+)`", doc)
    assert x is not None
    headers = dict(
        line.split(": ", 1)
        for line in re.findall(r"^(?:X-Wijkhub-|Content-|Idempotency-).*$", doc, re.M)
        if "<" not in line
    )
    keys = public_keys_from_jwks(
        {"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "s1", "x": x.group(1)}]}
    )
    headers["Host"] = "partner.example:8443"
    created = datetime.fromtimestamp(1796374800, UTC)
    body = b'{"berichttype":"verzoek"}'
    verify_outbound(keys, "/wijkhub/verzoeken", headers, body, created, recipient="woonplaats")
    with pytest.raises(SignatureError):
        verify_outbound(keys, "/wijkhub/verzoeken", headers, body, created, recipient="stadsbank")


# --- smaller holes ------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
async def test_a_doctype_in_another_encoding_is_refused(env: Env, encoding: str) -> None:
    items = await delivered_items(env)
    item = items[household.STADSBANK]
    xml = status_body("stadsbank", item["id"], "in_progress", "sb-dt-1").decode()
    rest = xml.split("?>", 1)[1]
    label = encoding.upper().replace("-BE", "BE")
    doctype = '<!DOCTYPE x [<!ENTITY a "b">]>'
    body = (f'<?xml version="1.0" encoding="{label}"?>' + doctype + rest).encode(encoding)
    if encoding == "utf-16":
        assert b"<!DOCTYPE" not in body  # what the byte search looked for
    r = await env.post_status(household.STADSBANK, body, content_type="application/xml")
    assert r.status == 400, r.body
    after = next(
        it for it in (await env.advice(item["advice_id"]))["items"] if it["id"] == item["id"]
    )
    assert after["partner_status"] == item["partner_status"]


def test_init_keeps_the_data_directory_and_database_to_the_hubs_user(tmp_path: Path) -> None:
    config = tmp_path / "wijkhub.toml"
    data = tmp_path / "data"
    config.write_text(f'data_dir = "{data}"\n')
    old = os.umask(0o022)  # a usual umask: what was created 0755/0644 before
    try:
        assert cli_run("init", config=config).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for db_file in data.glob("wijkhub.db*"):
        assert stat.S_IMODE(db_file.stat().st_mode) == 0o600, db_file.name
    assert (data / "wijkhub.db").exists()


async def test_api_tokens_expire(env: Env) -> None:
    coach = ApiClient(
        env.session,
        await env.hub.token("coach", "Dirk", team="team-a", ttl=DEFAULT_TOKEN_TTL),
    )
    assert (await coach.get("/api/v1/approvals")).status == 200
    env.clock.advance(days=DEFAULT_TOKEN_TTL.days - 1)
    assert (await coach.get("/api/v1/approvals")).status == 200
    env.clock.advance(days=2)
    assert (await coach.get("/api/v1/approvals")).status == 401
    # A shorter life where asked for.
    async with env.hub.ctx.db.write() as conn:
        short = await create_token(
            conn, "coach", "Eva", env.clock.now(), "team-a", ttl=timedelta(hours=1)
        )
    assert (await ApiClient(env.session, short).get("/api/v1/approvals")).status == 200
    env.clock.advance(hours=2)
    assert (await ApiClient(env.session, short).get("/api/v1/approvals")).status == 401


def test_tokens_create_expiry_option_and_unknown_partner(tmp_path: Path) -> None:
    config = tmp_path / "wijkhub.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n')
    assert cli_run("init", config=config).exit_code == 0
    made = cli_run(
        "tokens",
        "create",
        "--role",
        "coach",
        "--label",
        "x",
        "--team",
        "team-a",
        "--days",
        "7",
        config=config,
    )
    assert made.exit_code == 0, made.output
    listed = cli_run("tokens", "list", config=config).output
    assert "geldig tot" in listed
    assert f"{FakeClock().now() + timedelta(days=7):%Y-%m-%d}" in listed
    r = CliRunner().invoke(
        main,
        ["--config", str(config), "tokens", "create", "--role", "partner:nergens", "--label", "x"],
        obj=cli_obj(FakeClock()),
    )
    assert r.exit_code != 0 and "nergens" in r.output
    ok = cli_run("tokens", "create", "--role", "partner:woonplaats", "--label", "x", config=config)
    assert ok.exit_code == 0, ok.output


@pytest.mark.parametrize(
    "name",
    [
        "Tester\u202evelde",
        "Test\u200bervelde",
        "Tester\u2028velde",
        "Tester\u2029velde",
        "\ufeffAnna",
    ],
)
async def test_invisible_and_direction_characters_are_refused_in_names(env: Env, name: str) -> None:
    r = await env.coach.post("/api/v1/clients", json={**household.CLIENT, "family_name": name})
    assert r.status == 422, r.body
    assert "family_name" in field_messages(r.body)
    member = {**household.CLIENT["household"][0], "given_name": name}
    r = await env.coach.post("/api/v1/clients", json={**household.CLIENT, "household": [member]})
    assert r.status == 422, r.body
    assert "household.0.given_name" in field_messages(r.body)


async def test_a_deadline_is_judged_on_the_hubs_receipt_not_the_partners_time(env: Env) -> None:
    # Delivered on Monday 23 November 2026; the care provider's first answer is due on Monday
    # 30 November (5 working days).
    client_id = await env.household()
    advice = await env.submit(
        {"client_id": client_id, "summary": "Test", "items": [item_for(household.ZORG)]}
    )
    await env.deliver()
    item_id = advice["items"][0]["id"]
    # The hub receives the answer 3 minutes after midnight, on 1 December: late. The partner
    # dates it 2 minutes before midnight, within the skew the hub allows between clocks.
    received = datetime(2026, 12, 1, 0, 3, tzinfo=AMSTERDAM)
    move_to(env, received)
    stated = received - timedelta(minutes=5)
    assert stated.date() == date(2026, 11, 30)
    body = status_body(
        "zorgaanbieder", item_id, "received", "ZT-late", occurred_at=stated.isoformat()
    )
    r = await env.post_status(household.ZORG, body, content_type="application/xml")
    assert r.status == 202, r.body
    async with env.hub.ctx.db.read() as conn:
        [first] = [
            m
            for m in await read_milestones(conn, partner_id=household.ZORG)
            if m.milestone == "first_answer"
        ]
    assert first.state == "met" and first.due_on == date(2026, 11, 30)
    assert first.overdue(received.date()), "met after its due day: late"
