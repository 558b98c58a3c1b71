"""The privacy officer answers an access request for a name: search by name or BSN (POST,
never a BSN in a URL), who acted (pseudonym → person, the look-up logged), a tagged PDF with
the municipality's name and the retention periods, a CSV that Dutch spreadsheets open."""

import csv
import io
import re
import shutil

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.support.harness import Env
from tests.support.web_client import WebClient, text_of
from wijkhub.hub.core.auth import person_id_for
from wijkhub.hub.core.settings import example_config_dir
from wijkhub.hub.demo import household
from wijkhub.hub.store.tables import LOG
from wijkhub.hub.web.session import create_signin_link

BSN = household.CLIENT["bsn"]
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@pytest.fixture
async def officer(env: Env) -> WebClient:
    browser = WebClient(env.hub.url)
    link = await create_signin_link(env.hub.ctx, "privacy_officer", None, "Fatima el Amrani")
    assert (await browser.get(link)).status == 303
    yield browser
    await browser.close()


async def _post(browser: WebClient, path: str, **fields: str) -> tuple[int, str]:
    token = CSRF.search((await browser.get(path)).text)
    assert token
    hop = await browser.post(path, data={**fields, "csrf_token": token.group(1)})
    return hop.status, hop.text


async def _with_advice(env: Env) -> str:
    client_id = (await env.household()).replace("-", "")
    await env.submit(household.advice(client_id, env.today))
    await env.deliver()
    return client_id


@pytest.mark.parametrize("term", ["testervelde", "Fenna TESTERVÉLDE", BSN, "9999.90.019"])
async def test_the_officer_finds_the_client_by_name_or_bsn_without_a_bsn_in_any_url(
    env: Env, officer: WebClient, term: str
) -> None:
    client_id = (await env.household()).replace("-", "")
    status, page = await _post(officer, "/privacy/inzage", zoek=term)
    assert status == 200, page
    assert "Fenna Maria Testervelde" in text_of(page) and "14 maart 1987" in text_of(page)
    assert f'href="/privacy/inzage/{client_id}"' in page
    assert BSN not in page  # not echoed back either
    async with env.hub.ctx.db.read() as conn:
        logged = (await conn.execute(select(LOG.c.detail, LOG.c.name))).all()
    assert all(BSN not in (r.detail or "") for r in logged)


async def test_no_match_and_too_short_are_said_in_dutch_next_to_the_field(
    env: Env, officer: WebClient
) -> None:
    await env.household()
    status, page = await _post(officer, "/privacy/inzage", zoek="Jansen")
    assert status == 404 and "Geen cliënt gevonden" in page and 'aria-invalid="true"' in page
    status, page = await _post(officer, "/privacy/inzage", zoek="x")
    assert status == 422 and "minstens twee letters" in page and 'id="zoek-error"' in page


async def test_who_acted_is_looked_up_and_the_look_up_is_logged(
    env: Env, officer: WebClient
) -> None:
    coach = WebClient(env.hub.url)
    await coach.get(await create_signin_link(env.hub.ctx, "coach", "team-a", "Anne Jansen"))
    await coach.close()
    actor = f"coach/{person_id_for('Anne Jansen')[:8]}"
    status, page = await _post(officer, "/privacy/wie", wie=actor)
    assert status == 200
    text = text_of(page)
    assert "Anne Jansen" in text and "wijkcoach" in text and "team-a" in text
    async with env.hub.ctx.db.read() as conn:
        rows = (await conn.execute(select(LOG).where(LOG.c.name == "staff.lookup"))).all()
    assert len(rows) == 1 and actor in rows[0].detail
    assert rows[0].actor == f"privacy_officer/{person_id_for('Fatima el Amrani')[:8]}"

    status, page = await _post(officer, "/privacy/wie", wie="niet zo")
    assert status == 422 and "bijvoorbeeld" in page
    status, page = await _post(officer, "/privacy/wie", wie="coach/00000000")
    assert status == 200 and "Niemand gevonden" in page


async def test_the_pdf_is_tagged_dutch_titled_and_names_the_municipality(
    env: Env, officer: WebClient
) -> None:
    env.hub.ctx.settings.municipality_name = "Enschede"
    shutil.copy(example_config_dir() / "retention.toml", env.hub.ctx.settings.config_path)
    client_id = await _with_advice(env)
    async with officer.http.get(f"{env.hub.url}/privacy/inzage/{client_id}/inzage.pdf") as r:
        assert r.status == 200 and r.content_type == "application/pdf"
        data = await r.read()
    pdf = PdfReader(io.BytesIO(data))
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert root["/MarkInfo"]["/Marked"]
    # The structure tree: a document whose elements carry each heading (what fpdf2 tags).
    doc = root["/StructTreeRoot"]["/K"]
    doc = (doc[0] if isinstance(doc, list) else doc).get_object()
    assert doc["/S"] == "/Document"
    tagged = [k.get_object().get("/T") for k in doc["/K"]]
    assert tagged[:2] == ["Overzicht van uw gegevens", "Over wie"] and "Uw rechten" in tagged
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert pdf.metadata.title == "Overzicht van uw gegevens - inzageverzoek"
    top, nested = pdf.outline[0], pdf.outline[1]  # bookmarks: the title, its sections
    assert top.title == "Overzicht van uw gegevens"
    sections = [o.title for o in nested if not isinstance(o, list)]
    assert "Hoe lang bewaren wij uw gegevens?" in sections and "Uw rechten" in sections
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Gemeente Enschede" in text and "(code 0153)" not in text
    assert "730 dagen" in text and "1095 dagen" in text and "op te vragen" not in text
    assert BSN not in text and client_id not in text
    fonts = {
        str(f["/BaseFont"]) for page in pdf.pages for f in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVu" in f for f in fonts), fonts  # embedded, Unicode


async def test_the_csv_opens_in_a_dutch_spreadsheet(env: Env, officer: WebClient) -> None:
    client_id = await _with_advice(env)
    for path in (f"/privacy/inzage/{client_id}/verwerkingen.csv", "/privacy/verwerkingen.csv"):
        async with officer.http.get(env.hub.url + path) as r:
            assert r.status == 200 and r.content_type == "text/csv"
            raw = await r.read()
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
        header, body = rows[0], rows[1:]
        assert header[:4] == ["Volgnummer", "Tijdstip", "Handeling", "Door"]
        assert all(len(r) == len(header) for r in body)
        when = header.index("Tijdstip")
        assert all(re.fullmatch(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}", r[when]) for r in body)
        what = {r[header.index("Handeling")] for r in body}
        assert "beslissing per onderdeel" in what and "advice_item.decide" not in what
        outcomes = {r[header.index("Uitkomst")] for r in body}
        assert "geweigerd" in outcomes and "refused" not in outcomes
        partners = {r[header.index("Partner")] for r in body}
        assert "De Woonplaats" in partners
