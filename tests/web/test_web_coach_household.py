"""The coach registers a client, a household with members and roles, goals per life domain, and
composes with member, goal and "wacht op" — over HTTP, in Dutch, errors by their field; plus
the one function that decides an item's displayed state and the words the pages use."""

import re
from datetime import date, timedelta

import pytest

from tests.support.harness import Env
from tests.support.web_client import signed_in, text_of
from tests.support.words import internal_names
from wijkhub.hub.demo import household
from wijkhub.hub.web import coach_data, coach_words

PERSON = [
    ("voornamen", "Fenna Maria"),
    ("achternaam", "Testervelde"),
    ("bsn", household.CLIENT["bsn"]),
    ("geboortedatum", "1987-03-14"),
    ("geslacht", "female"),
    ("straat", "Proefstraat"),
    ("huisnummer", "12"),
    ("postcode", "7511 AB"),
    ("woonplaats", "Enschede"),
    ("woonsituatie", "social_rent"),
    ("verhuurder", "De Woonplaats"),
    ("huurachterstand", "1.845,00"),
    ("inkomen", "benefit"),
    ("schulden", "12.500"),
    ("schuldeisers", "7"),
]


def with_(form: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    return [(k, values.get(k, v)) for k, v in form]


def client_id_of(path: str) -> str:
    m = re.search(r"/coach/clienten/([0-9a-f]{32})", path)
    assert m, path
    return m.group(1)


async def test_registration_shows_dutch_errors_by_their_field_and_takes_euros(env: Env) -> None:
    coach = await signed_in(env)
    status, page = await coach.get("/coach/registreren")
    assert status == 200 and internal_names(text_of(page)) == []
    status, page, _ = await coach.post(
        "/coach/registreren", with_(PERSON, bsn="123", postcode="7511", huurachterstand="veel")
    )
    assert status == 422
    for name in ("bsn", "postcode", "huurachterstand"):
        assert f'id="fout-{name}"' in page, name
    assert internal_names(text_of(page)) == [], internal_names(text_of(page))
    assert 'value="Fenna Maria"' in page  # what was typed stays
    assert (await env.log(name="client.create")) == []  # nothing stored

    status, page, path = await coach.post("/coach/registreren", PERSON)
    assert status == 200 and "De cliënt is geregistreerd." in page
    record = (await env.coach.get(f"/api/v1/clients/{client_id_of(path)}")).body
    assert record["housing"] == {
        "tenure": "social_rent",
        "landlord": "De Woonplaats",
        "rent_arrears_cents": 184500,
        "eviction_date": None,
    }
    assert record["finance"]["debt_total_cents"] == 1250000
    assert "14 maart 1987" in page  # dates as a Dutch reader writes them


async def test_household_members_roles_and_goals_from_the_forms(env: Env) -> None:
    coach = await signed_in(env)
    await coach.get("/coach/registreren")
    _, _, path = await coach.post("/coach/registreren", PERSON)
    fenna = client_id_of(path)
    status, page = await coach.get(f"/coach/clienten/{fenna}")
    assert "Huishouden aanmaken" in page
    status, page, _ = await coach.post(
        f"/coach/clienten/{fenna}/huishouden", [("rol", "parent_with_authority")]
    )
    assert status == 200 and "Het huishouden is aangemaakt." in page
    household_id = re.search(r'data-household="([0-9a-f]{32})"', page)
    assert household_id
    hid = household_id.group(1)
    # Daan registered as a new member (child); Joris by BSN; an unknown BSN is refused in Dutch.
    child = [
        *with_(PERSON, voornamen="Daan", bsn=household.CHILD["bsn"], geboortedatum="2012-06-01"),
        ("huishouden", hid),
        ("rol", "child"),
        ("terug", fenna),
    ]
    status, page, path = await coach.post("/coach/registreren", child)
    assert status == 200 and client_id_of(path) == fenna
    await coach.post("/coach/registreren", with_(PERSON, voornamen="Joris", bsn="999900109"))
    status, page, _ = await coach.post(
        f"/coach/huishoudens/{hid}/leden",
        [("bsn", "999900201"), ("rol", "partner"), ("terug", fenna)],
    )
    assert status == 422 and "Uw team kent geen cliënt met dit BSN." in page
    status, page, _ = await coach.post(
        f"/coach/huishoudens/{hid}/leden",
        [("bsn", "999900109"), ("rol", "partner"), ("terug", fenna)],
    )
    assert status == 200 and "Het lid is aan het huishouden toegevoegd." in page
    roles = re.findall(r'data-role="([a-z_]+)">([^<]+)<', page)
    assert sorted(roles) == [
        ("child", "kind"),
        ("parent_with_authority", "ouder met gezag"),
        ("partner", "partner"),
    ]
    plan = (await env.coach.get(f"/api/v1/households/{hid}/plan")).body
    daan = next(m["member"]["id"] for m in plan["members"] if m["member"]["role"] == "child")
    # A goal: an empty text is refused by the field; a real one is in the plan.
    form = [("lid", daan.replace("-", "")), ("leefgebied", "opvoeding"), ("terug", fenna)]
    status, page, _ = await coach.post(f"/coach/huishoudens/{hid}/doelen", [*form, ("tekst", "")])
    assert status == 422 and 'id="fout-doel"' in page
    status, page, _ = await coach.post(
        f"/coach/huishoudens/{hid}/doelen", [*form, ("tekst", "Rust thuis voor Daan.")]
    )
    assert status == 200 and "Het doel is aan het plan toegevoegd." in page
    goals = (await env.coach.get(f"/api/v1/households/{hid}/plan")).body["members"]
    assert [g["text"] for m in goals for g in m["goals"]] == ["Rust thuis voor Daan."]
    assert internal_names(text_of(page)) == [], internal_names(text_of(page))


async def test_composer_sends_member_goal_and_wait_as_the_api_takes_them(env: Env) -> None:
    coach = await signed_in(env)
    await coach.get("/coach/registreren")
    _, _, path = await coach.post("/coach/registreren", PERSON)
    fenna = client_id_of(path)
    for c in household.consents(env.today):
        r = await env.coach.post(f"/api/v1/clients/{fenna}/consents", json=c)
        assert r.status == 201, r.body
    _, page, _ = await coach.post(
        f"/coach/clienten/{fenna}/huishouden", [("rol", "parent_with_authority")]
    )
    hid = re.search(r'data-household="([0-9a-f]{32})"', page).group(1)  # type: ignore[union-attr]
    plan = (await env.coach.get(f"/api/v1/households/{hid}/plan")).body
    member = plan["members"][0]["member"]["id"].replace("-", "")
    goal = await env.coach.post(
        f"/api/v1/households/{hid}/plan/goals",
        json={"member_id": member, "domain": "wonen", "text": "Huur betaald."},
    )
    goal_id = goal.body["id"].replace("-", "")
    status, page = await coach.get(f"/coach/clienten/{fenna}/advies")
    assert f'<option value="{goal_id}"' in page and "(geen doel)" in page
    corp, bank = household.advice(fenna, env.today)["items"][:2]
    form = [
        ("aantal", "2"),
        ("item-0-soort", f"{corp['partner_id']}|{corp['advice_type']}"),
        ("item-0-motivatie", corp["motivation"]),
        ("item-0-lid", member),
        ("item-0-doel", goal_id),
        ("item-0-p-proposed_monthly_amount_cents", "75,00"),
        ("item-1-soort", f"{bank['partner_id']}|{bank['advice_type']}"),
        ("item-1-motivatie", bank["motivation"]),
        ("item-1-lid", member),
        ("item-1-wacht-onderdeel", "0"),
        ("item-1-wacht-status", "adopted"),
    ]
    status, page, _ = await coach.post(
        f"/coach/clienten/{fenna}/advies", [*form, ("actie", "voorbeeld")]
    )
    assert status == 200, text_of(page)[-1500:]
    assert "voorgesteld bedrag per maand" in page and "€\xa075,00" in page
    assert internal_names(text_of(page.split('class="raw"')[0])) == []
    digest = re.search(r'name="voorbeeld_van" value="([0-9a-f]+)"', page)
    assert digest
    status, page, path = await coach.post(
        f"/coach/clienten/{fenna}/advies",
        [*form, ("voorbeeld_van", digest.group(1)), ("actie", "versturen")],
    )
    assert path.startswith("/coach/adviezen/"), text_of(page)[-1500:]
    advice = (await env.coach.get("/api/v1/advices/" + path.rsplit("/", 1)[1])).body
    assert advice["items"][1]["delivery_status"] == "waiting"
    plan = (await env.coach.get(f"/api/v1/households/{hid}/plan")).body
    [items] = [m["items"] for m in plan["members"]]
    assert {it["goal_id"] for it in items} == {goal.body["id"], None}
    # The advice page: numbered 1 and 2 as in the composer; the waiting item has no deadline.
    status, page = await coach.get(path)
    assert "Onderdeel 1: De Woonplaats" in text_of(page) and "Onderdeel 2: Stadsbank" in text_of(
        page
    )
    waiting = re.search(r'data-state="waiting"(.*?)</article>', page, re.S)
    assert waiting and "uiterlijk" not in waiting.group(1) and "termijn" not in waiting.group(1)
    assert internal_names(text_of(page)) == [], internal_names(text_of(page))
    status, page = await coach.get(f"/coach/clienten/{fenna}")
    assert page.count('data-state="waiting"') == 2  # in the plan and in the advice's table
    assert internal_names(text_of(page)) == [], internal_names(text_of(page))


TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("facts", "code", "waits", "deadline"),
    [
        ({"allowed": False, "delivery": "blocked"}, "refused", False, False),
        ({"delivery": "awaiting_approval"}, "awaiting_approval", False, False),
        ({"delivery": "draft"}, "draft", False, False),
        ({"delivery": "waiting"}, "waiting", False, False),
        ({"delivery": "cancelled"}, "cancelled", False, False),
        ({"delivery": "dead"}, "dead", False, False),
        ({"delivery": "queued"}, "sending", True, True),
        ({"delivery": "delivered"}, "sent", True, True),
        ({"delivery": "delivered", "partner": "received"}, "in_hand", True, True),
        ({"delivery": "delivered", "partner": "adopted"}, "answered", False, False),
        ({"delivery": "delivered", "past": True}, "late", True, True),
        ({"delivery": "delivered", "partner": "in_progress", "past": True}, "late", True, True),
        ({"delivery": "delivered", "partner": "rejected", "past": True}, "answered", False, False),
        ({"delivery": "delivered", "replaced": True}, "replaced", False, False),
        ({"delivery": "draft", "past": True}, "draft", False, False),
    ],
)
def test_one_function_decides_the_displayed_state(
    facts: dict[str, object], code: str, waits: bool, deadline: bool
) -> None:
    past = facts.pop("past", False)
    shown = coach_data.shown_state(
        allowed=bool(facts.pop("allowed", True)),
        delivery=str(facts.pop("delivery")),
        partner=facts.pop("partner", None),  # type: ignore[arg-type]
        deadline=TODAY - timedelta(days=1) if past else TODAY + timedelta(days=5),
        today=TODAY,
        replaced=bool(facts.pop("replaced", False)),
    )
    assert (shown.code, shown.waits_for_partner, shown.shows_deadline) == (code, waits, deadline)
    # Never the old lie: "waiting for the partner" for an item the partner does not have.
    assert ("wacht op de partner" in shown.label) == (code == "sent")
    assert internal_names(shown.label) == []


def test_words_dates_amounts_and_codes() -> None:
    assert coach_words.day(date(2026, 12, 3)) == "3 december 2026"
    assert coach_words.euros(184500) == "€\xa01.845,00"
    assert coach_words.value("rent_arrears_cents", 184500) == "€\xa01.845,00"
    assert coach_words.value("tenure", "social_rent") == "sociale huur"
    assert coach_words.value("gender", "female") == "vrouw"
    assert coach_words.value("unit", "04") == "uren"
    assert coach_words.value("frequency", "2") == "per week"
    assert coach_words.value("help_form", "parenting_support") == "opvoedondersteuning"
    assert coach_words.value("help_form", "made_up") == "(geen omschrijving)"  # never the code
    assert coach_words.field("proposed_monthly_amount_cents") == "voorgesteld bedrag per maand"
    assert coach_words.field("some_new_field") == "some new field"
    msg = coach_words.readable_message("end_date is verplicht bij frequency 2 (per week)")
    assert msg == "einddatum is verplicht bij frequentie 2 (per week)"
    ref = "vervangt 0123456789abcdef0123456789abcdef"
    assert coach_words.without_ids(ref) == "vervangt de eerdere versie"
