"""`wijkhub demo`: the hub and four partner simulators on loopback, one advice end to end.

Everything goes through the real HTTP API, the real outbox and worker, and real partner
formats; only the partners' backoffices are simulated.
"""

import asyncio
import json
import logging
import secrets
import shutil
import signal
import tempfile
import time
import tomllib
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

import aiohttp
from rich import box
from rich.console import Console
from rich.live import Live
from rich.table import Table
from sqlalchemy import func, select

from wijkhub.hub.casework.approvals import ROLE_NL, ApprovalRules
from wijkhub.hub.casework.escalation import fires_on, load_config, run_escalations
from wijkhub.hub.core.clock import AMSTERDAM, SystemClock, local_date
from wijkhub.hub.core.log_verify import verify_log
from wijkhub.hub.core.partner_secrets import write_secret
from wijkhub.hub.core.sequencer import log_keys, sequence
from wijkhub.hub.core.settings import Settings, WorkerSettings, example_config_dir
from wijkhub.hub.demo import household
from wijkhub.hub.demo.chain_seed import seed_history
from wijkhub.hub.demo.simulator import PartnerSimulator
from wijkhub.hub.i18n import dates, gettext
from wijkhub.hub.plugin_api.manager import load_registry
from wijkhub.hub.server.runtime import RunningHub, start
from wijkhub.hub.store.tables import MILESTONE
from wijkhub.hub.web.session import ROLE_LABELS, create_signin_link
from wijkhub.schemas.categories import LEGAL_BASIS_LABELS_NL
from wijkhub.schemas.status import (
    DELIVERY_STATUS_LABELS_NL,
    PARTNER_STATUS_LABELS_NL,
    DeliveryStatus,
    PartnerStatus,
)

DEMO_TEAM = "velve-lindenhof"
# The one advice type that waits for a second coach in the demo. The GI's JSON message carries
# the approval (`goedkeuring`); the Wmo 301 and Stadsbank messages have no place for it.
FOUR_EYES_TYPE = "advies_hulp_binnen_maatregel"
BASIS_NL = {k.value: v for k, v in LEGAL_BASIS_LABELS_NL.items()}
PARTNERS = [
    (household.CORPORATIE, "corporatie", "De Woonplaats", "/wijkhub/verzoeken"),
    (household.STADSBANK, "stadsbank", "Stadsbank Oost Nederland", "/wijkhub/aanmeldingen"),
    (
        household.GI,
        "gecertificeerde_instelling",
        "Jeugdbescherming Overijssel",
        "/wijkhub/berichten",
    ),
    (household.ZORG, "zorgaanbieder", "Zorggroep Twente", "/wmo/301"),
]
# Partner codes in their standard: the care provider's AGB code (fictional), the receiver of
# its iWmo 3.2 messages.
AGB_CODES = {household.ZORG: "98765432"}


def write_partners_toml(
    path: Path,
    sims: dict[str, PartnerSimulator],
    extra: str = "",
    settings: dict[str, dict[str, str]] | None = None,
) -> None:
    """`settings` adds string settings per partner id (e.g. an older `format_version`)."""
    lines = [extra]
    for pid, ptype, name, _ in PARTNERS:
        lines += [
            "[[partner]]",
            f'id = "{pid}"',
            f'type = "{ptype}"',
            f'name = "{name}"',
            f'endpoint = "{sims[pid].url}"',
            f'secret = "file:secrets/{pid}.key"',
            *([f'agb_code = "{AGB_CODES[pid]}"'] if pid in AGB_CODES else []),
            # Whom the escalation ladder addresses at the partner (fictional people).
            f'buddy = {{ name = "Buddy {name}" }}',
            f'contact_manager = {{ name = "Contactmanager {name}" }}',
            *(f'{key} = "{value}"' for key, value in (settings or {}).get(pid, {}).items()),
            "",
        ]
        # Each simulated partner signs its status updates with its own secret.
        secret = secrets.token_urlsafe(32)
        write_secret(path.parent / "secrets" / f"{pid}.key", secret)
        sims[pid].secret = secret.encode()
    path.write_text("\n".join(lines))
    tomllib.loads(path.read_text())  # fail here, not in the hub, if this is ever malformed


def write_approval_toml(path: Path) -> None:
    """The example's mandates, with four eyes for one advice type only: one approval to show."""
    example = tomllib.loads((example_config_dir() / "approval.toml").read_text())
    rules = ApprovalRules.model_validate({**example, "four_eyes": [FOUR_EYES_TYPE]})
    lines = [f'version = "{rules.version}-demo"', f'four_eyes = ["{FOUR_EYES_TYPE}"]', ""]
    for m in rules.mandate:
        lines += ["[[mandate]]", f'role = "{m.role}"']
        if m.up_to_cents is not None:
            lines.append(f"up_to_cents = {m.up_to_cents}")
    path.write_text("\n".join(lines) + "\n")
    ApprovalRules.model_validate(tomllib.loads(path.read_text()))  # as the hub will read it


async def start_demo_hub(
    workdir: Path,
    *,
    sim_options: dict[str, dict[str, Any]] | None = None,
    extra_partners: str = "",
    four_eyes: bool = False,
    partner_settings: dict[str, dict[str, str]] | None = None,
    **hub_kw: Any,
) -> tuple[RunningHub, dict[str, PartnerSimulator]]:
    """Simulators first (the hub's config needs their ports), then the hub, then tokens.
    `four_eyes`: the GI's advice needs a second coach's approval (`write_approval_toml`)."""
    registry = load_registry()
    simulator = hub_kw.pop("simulator", PartnerSimulator)  # e.g. chaos.ChaosSimulator
    sims: dict[str, PartnerSimulator] = {}
    for pid, ptype, _name, path in PARTNERS:
        sim = simulator(
            registry.partner_types[ptype], pid, path=path, **(sim_options or {}).get(pid, {})
        )
        await sim.start()
        sims[pid] = sim
    config_dir = workdir / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(example_config_dir() / "privacy-rules.toml", config_dir)
    write_partners_toml(config_dir / "partners.toml", sims, extra_partners, partner_settings)
    if four_eyes:
        write_approval_toml(config_dir / "approval.toml")
    worker = hub_kw.pop(
        "worker",
        # Fast retries and an early dead letter: a demo shows the whole path in seconds.
        WorkerSettings(
            max_attempts=15,
            backoff_initial=0.2,
            backoff_max=2.0,
            backoff_jitter=0.1,
            poll_interval=0.2,
        ),
    )
    settings = Settings(
        data_dir=workdir,
        config_dir=config_dir,
        worker=worker,
        database_url=hub_kw.pop("database_url", None),
        municipality_name=hub_kw.pop("municipality_name", None),
    )
    port = hub_kw.pop("port", 0)
    hub = await start(settings, registry=registry, port=port, host="127.0.0.1", **hub_kw)
    for pid, sim in sims.items():
        sim.hub_url = hub.url
        sim.token = await hub.token(f"partner:{pid}", f"simulator {pid}")
    return hub, sims


# What a partner's backoffice received, by the kind of message.
KIND_NL = {
    "advice": gettext("advice (message)"),
    "reminder": gettext("reminder (message)"),
    "withdrawal": gettext("withdrawal of consent (message)"),
    "consultation": gettext("consultation (message)"),
}


def _titles(hub: RunningHub) -> dict[tuple[str, str], str]:
    """Each partner's advice types by their Dutch title, as the coach reads them."""
    titles = {}
    for p in hub.ctx.partners.all():
        for at in hub.ctx.registry.get(p.type).advice_types:
            titles[(p.id, at.name)] = at.title_nl
    return titles


def _table(
    advice: dict[str, Any], names: dict[str, str], titles: dict[tuple[str, str], str]
) -> Table:
    # No vertical lines and few columns: it fits 80 columns with words wrapped, not cut.
    table = Table(
        title=gettext("Advice per partner"),
        box=box.SIMPLE_HEAD,
        padding=0,  # the box's own blank divider is the gap between columns
        show_edge=False,
    )
    # Each column as wide as its longest word ("Jeugdbescherming", "schuldhulpverlening"…):
    # 76 columns in all, so words wrap whole on an 80-column terminal.
    for col, widest in (
        ("#", 1),
        ("partner", 16),
        ("advies", 19),
        ("stand (grond)", 13),
        ("partner meldt", 11),
        ("termijn", 11),
    ):
        table.add_column(col, overflow="fold", width=widest)
    for n, it in enumerate(advice["items"], 1):
        dec = it["decision"]
        verdict = (
            f"[green]({BASIS_NL.get(dec['legal_basis'], '')})[/green]"
            if dec["allowed"]
            else f"[red]({n})[/red]"
        )
        ps = it["partner_status"]
        table.add_row(
            str(n),
            names.get(it["partner_id"], it["partner_id"]),
            titles.get((it["partner_id"], it["advice_type"]), gettext("advice (a title unknown)")),
            f"{DELIVERY_STATUS_LABELS_NL[DeliveryStatus(it['delivery_status'])]}\n{verdict}",
            PARTNER_STATUS_LABELS_NL[PartnerStatus(ps)] if ps else "—",
            dates.day(date.fromisoformat(it["deadline"])) if it["deadline"] else "—",
        )
    for n, it in enumerate(advice["items"], 1):
        if not it["decision"]["allowed"]:
            table.caption = f"({n}) {it['decision']['reason']}"
    return table


# Who signs in to the demo, one per role of the web UI; the names are fictional.
DEMO_PEOPLE = [
    ("coach", DEMO_TEAM, "Demo-coach"),
    ("coach", DEMO_TEAM, "Tweede coach"),
    ("team_manager", DEMO_TEAM, "Demo-teammanager"),
    ("cluster_manager", DEMO_TEAM, "Demo-clustermanager"),
    ("team_leader", DEMO_TEAM, "Demo-teamleider"),
    ("privacy_officer", None, "Demo-privacyfunctionaris"),
    ("admin", None, "Demo-beheerder"),
]


async def serve_until_stopped(console: Console, hub: RunningHub) -> None:
    """`--serve`: the hub and the simulators stay up; one one-time link per role signs a demo
    person in. SIGINT (Ctrl-C) and SIGTERM end the wait, and the caller closes everything."""

    # Scenery for the team leader: without it every chain-report figure would be "< 5".
    seeded = await seed_history(hub.ctx, DEMO_TEAM, local_date(hub.ctx.clock.now()))
    console.print(
        f"Voor de ketenrapportage: {seeded} fictieve onderdelen uit de afgelopen drie maanden "
        "toegevoegd (alleen in deze demo-database; er is niets verstuurd)."
    )
    lines = []
    for role, team, label in DEMO_PEOPLE:
        link = await create_signin_link(
            hub.ctx, role, team, label, hub.url, ttl=timedelta(hours=1), issued_by="admin/demo"
        )
        lines.append(f"{label} ({ROLE_LABELS[role]}):\nUI: {link}")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    links = "\n".join(lines)
    console.print(
        f"\nDe hub en de vier partners blijven draaien op {hub.url}\n"
        "Open de webinterface met een eenmalige link per rol (elk 1 uur geldig, één keer te "
        "gebruiken; gebruik voor elke rol een eigen browservenster of privévenster):\n"
        f"{links}\n"
        "Een nieuwe link: wijkhub signin-link --role <rol> --team <team>\nStoppen: Ctrl-C",
        soft_wrap=True,
    )
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    console.print("Gestopt.")


class DemoClock(SystemClock):
    """The real time, plus days the demo skips ahead to show a deadline passing."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return super().now() + self.offset


async def show_escalation(
    console: Console, hub: RunningHub, sims: dict[str, PartnerSimulator], clock: DemoClock
) -> bool:
    """Skip ahead past a deadline: the corporatie decided, but never reports carrying the
    arrangement out (its simulator's script ends at `adopted`), so on the first working day
    after that milestone's due day the ladder's first step sends its buddy a reminder in the
    corporatie's own format."""
    cfg = load_config(hub.ctx)
    async with hub.ctx.db.read() as conn:
        due_on = await conn.scalar(
            select(func.min(MILESTONE.c.due_on)).where(
                MILESTONE.c.partner_id == household.CORPORATIE, MILESTONE.c.state == "open"
            )
        )
    if due_on is None:
        return False
    day = fires_on(due_on, cfg.step[0])
    target = datetime.combine(day, dtime(10, 0), tzinfo=AMSTERDAM)
    clock.offset += target - clock.now()
    result = await run_escalations(hub.ctx)
    if [f.step.value for f in result.fired] != ["buddy_reminder"]:
        return False
    sim = sims[household.CORPORATIE]
    async with asyncio.timeout(5):
        await sim.wait_for(lambda s: s.requests_by_kind["reminder"] >= 1)
    reminder = next(r.request for r in sim.received if r.request.kind == "reminder")
    console.print(
        f"Escalatie op {dates.day(day)}: {sim.partner_type.title_nl} meldde de uitvoering niet "
        f"(uiterlijk {dates.day(reminder.fields['due_on'])}); {reminder.fields['recipient']} "
        "kreeg een herinnering in het eigen formaat van de partner."
    )
    return True


async def show_approval(
    console: Console,
    hub: RunningHub,
    sims: dict[str, PartnerSimulator],
    author: aiohttp.ClientSession,
    advice: dict[str, Any],
    names: dict[str, str],
) -> bool:
    """Four eyes through the real API: the GI's advice waits while the other partners get
    theirs; its author may not approve it; a second coach of the team, with a token of their
    own, does; only then does the GI receive it, with the approval in its own message."""
    item = next(it for it in advice["items"] if it["advice_type"] == FOUR_EYES_TYPE)
    sim, name = sims[item["partner_id"]], names[item["partner_id"]]
    path = f"/api/v1/approvals/{item['id']}"

    async def received(partner: PartnerSimulator, n: int) -> bool:
        try:
            async with asyncio.timeout(10):
                await partner.wait_for(lambda p: p.requests_by_kind["advice"] >= n)
        except TimeoutError:
            return False
        return True

    # First every other allowed item reaches its partner, so "nothing yet" means something.
    others = Counter(
        it["partner_id"] for it in advice["items"] if it["decision"]["allowed"] and it is not item
    )
    for other, n in others.items():
        if not await received(sims[other], n):
            return False
    async with author.get(f"/api/v1/advices/{advice['id']}") as r:
        current = next(it for it in (await r.json())["items"] if it["id"] == item["id"])
    if current["delivery_status"] != "awaiting_approval" or sim.requests_by_kind["advice"]:
        return False
    console.print(
        f"Vier ogen: het advies aan {name} wacht op goedkeuring door een tweede coach; "
        f"de andere partners hebben hun bericht, {name} ontving nog niets."
    )
    async with author.post(path + "/approve") as r:
        refused = (r.status, (await r.json())["error"]["message"])
    second = await hub.token("coach", "demo-coach-2", team=DEMO_TEAM)
    async with aiohttp.ClientSession(
        base_url=hub.url, headers={"Authorization": f"Bearer {second}"}
    ) as colleague:
        async with colleague.get("/api/v1/approvals") as r:
            listed = item["id"] in {w["item_id"] for w in await r.json()}
        async with colleague.post(path + "/approve") as r:
            result = await r.json()
    if refused[0] != 403 or not listed or result.get("delivery_status") != "queued":
        return False
    console.print(
        f"De auteur zelf mocht het niet ({refused[0]}: {refused[1]}); een tweede coach van het "
        f"team keurde het met een eigen token goed via de API."
    )
    if not await received(sim, 1):
        return False
    got = next(r for r in sim.received if r.request.kind == "advice")
    approval = json.loads(got.body).get("goedkeuring")
    if str(got.request.item_ref) != item["id"] or not approval:
        return False
    console.print(
        f"Pas daarna ontving {name} het advies, met de goedkeuring in het bericht: rol "
        f'"{approval["rol"]}" ({ROLE_NL[approval["rol"]]}), goedkeurder '
        f"{approval['goedkeurder']} (pseudoniem)."
    )
    return True


async def run_demo(
    console: Console,
    *,
    answer_within: float = 60.0,
    clean: bool = False,
    serve: bool = False,
    port: int = 0,
) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="wijkhub-demo-"))
    logging.basicConfig(
        filename=workdir / "wijkhub.log",
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    started = time.perf_counter()
    clock = DemoClock()
    hub, sims = await start_demo_hub(
        workdir, port=port, clock=clock, four_eyes=True, municipality_name="Enschede"
    )
    # The example retention periods, so the access report can tell the inwoner them.
    shutil.copy(example_config_dir() / "retention.toml", hub.ctx.settings.config_path)
    for sim in sims.values():
        sim.now = clock.now  # the partners verify the hub's signatures on the same clock
    names = {pid: name for pid, _t, name, _p in PARTNERS}
    code = 1
    try:
        coach = await hub.token("coach", "demo-coach", team=DEMO_TEAM)
        headers = {"Authorization": f"Bearer {coach}"}
        today = local_date(clock.now())
        async with aiohttp.ClientSession(base_url=hub.url, headers=headers) as http:

            async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
                async with http.post(path, json=body) as r:
                    data = await r.json()
                    if r.status >= 300:
                        raise RuntimeError(f"{path}: {r.status} {data}")
                    return data

            client = await post("/api/v1/clients", household.CLIENT)
            for c in household.consents(today):
                await post(f"/api/v1/clients/{client['id']}/consents", c)
            console.print(
                f"Hub: {hub.url}   cliënt: {client['given_names']} "
                f"{client['family_name']} (fictief)   toestemmingen: 3"
            )
            family = await household.register_family(post, client["id"])
            console.print(
                f"Huishouden: {client['given_names']} (ouder met gezag) en "
                f"{household.CHILD['given_names']} (kind), {len(household.GOALS)} doelen"
            )
            body = household.planned(household.advice(client["id"], today), family)
            advice = await post("/api/v1/advices", body)
            expected = {
                it["id"]: sims[it["partner_id"]].backoffice.script[-1].value
                for it in advice["items"]
                if it["decision"]["allowed"]
            }
            deadline = time.monotonic() + answer_within
            approval = asyncio.create_task(show_approval(console, hub, sims, http, advice, names))
            titles = _titles(hub)
            # "visible": on a short terminal the table scrolls instead of ending in "…".
            with Live(
                _table(advice, names, titles),
                console=console,
                refresh_per_second=8,
                vertical_overflow="visible",
            ) as live:
                while True:
                    async with http.get(f"/api/v1/advices/{advice['id']}") as r:
                        advice = await r.json()
                    live.update(_table(advice, names, titles))
                    done = approval.done() and all(
                        it["partner_status"] == expected[it["id"]]
                        for it in advice["items"]
                        if it["id"] in expected
                    )
                    failed = approval.done() and not approval.result()
                    if done or failed or time.monotonic() > deadline:
                        break
                    await asyncio.sleep(0.1)
            approval.cancel()  # still waiting only when the deadline passed
            approved = approval.done() and not approval.cancelled() and approval.result()
            done = done and approved
            console.print()
            escalated = done and await show_escalation(console, hub, sims, clock)
        await sequence(hub.ctx.db, hub.ctx.keyring, hub.ctx.settings, clock)
        async with hub.ctx.db.read() as conn:
            chain = await verify_log(
                conn,
                hub.ctx.settings.log_origin,
                log_keys(hub.ctx.keyring),
                hub.ctx.settings.witness_path,
            )
        for pid, sim in sims.items():
            kinds = (
                ", ".join(f"{KIND_NL.get(k, k)}: {v}" for k, v in sim.requests_by_kind.items())
                or "niets"
            )
            console.print(f"  {names[pid]:<28} ontving {kinds}")
        console.print(
            f"Verwerkingenlog: {chain.tree.checked} regels, "
            f"{'intact' if chain.ok else 'GEBROKEN'} tegen {chain.checkpoints} "
            "ondertekende checkpoints"
        )
        if not clean:
            console.print(
                f"Database: {workdir / 'wijkhub.db'} (fictieve gegevens)\n"
                f"Log:      {workdir / 'wijkhub.log'}\n"
                f"Opruimen: rm -r {workdir}"
            )
        if done and escalated and chain.ok:
            console.print(
                f"[green]Alle partners hebben geantwoord[/green] in "
                f"{time.perf_counter() - started:.1f} s."
            )
            code = 0
        elif not approved:
            console.print("[red]De goedkeuring (vier ogen) verliep niet zoals verwacht.[/red]")
        else:
            console.print("[red]Niet alle partners antwoordden op tijd.[/red]")
        if serve:
            await serve_until_stopped(console, hub)
    finally:
        await hub.close()
        for sim in sims.values():
            await sim.close()
        if clean:
            shutil.rmtree(workdir, ignore_errors=True)
    return code
