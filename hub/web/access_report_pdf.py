"""The access report (inzageverzoek) as PDF, drawn with fpdf2 (pure Python: no browser, no
system libraries). Same content and wording as the printable HTML document."""

from datetime import date, datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from wijkhub.hub.core.clock import AMSTERDAM
from wijkhub.hub.reports.access_report import AccessReport

# The PDF core fonts speak Latin-1: map the few typographic characters the texts use.
_PLAIN = str.maketrans({"—": "-", "–": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "€": "EUR"})


def _t(text: object) -> str:
    return str(text).translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def _d(value: date | datetime | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")


class _Doc(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("helvetica", size=8)
        self.cell(0, 10, _t(f"Inzageverzoek - pagina {self.page_no()}/{{nb}}"), align="C")


def render_pdf(r: AccessReport) -> bytes:
    pdf = _Doc(format="A4")
    pdf.set_title("Overzicht van uw gegevens - inzageverzoek")
    pdf.set_lang("nl")
    pdf.set_creator("Wijkhub")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    w = pdf.epw

    def heading(text: str, size: int = 13) -> None:
        pdf.ln(3)
        pdf.set_font("helvetica", "B", size)
        pdf.multi_cell(w, 7, _t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("helvetica", size=10)

    def para(text: str) -> None:
        pdf.set_font("helvetica", size=10)
        pdf.multi_cell(w, 5.5, _t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    heading("Overzicht van uw gegevens", 17)
    para(
        "Antwoord op uw inzageverzoek (artikel 15 Algemene verordening gegevensbescherming). "
        f"Gemeente (code {r.municipality_code}), wijkteam - opgesteld op {_d(r.generated_at)}."
    )
    heading("Over wie")
    para(
        "Naam: "
        + (r.client_name or "(niet meer bewaard: de bewaartermijn is verstreken)")
        + (f"   Geboortedatum: {_d(r.birth_date)}" if r.birth_date else "")
    )
    para(f"Cliëntnummer: {r.client_id}")

    heading("Wie ontving welke gegevens")
    if not r.recipients:
        para("Er zijn geen gegevens over u aan partners verstrekt.")
    for rec in r.recipients:
        pdf.set_font("helvetica", "B", 11)
        pdf.multi_cell(w, 6, _t(rec.partner_name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        with pdf.table(
            col_widths=(22, 26, 28, 24, 42),
            text_align="LEFT",
            line_height=5,
            first_row_as_headings=True,
        ) as table:
            pdf.set_font("helvetica", size=9)
            table.row(
                [_t(x) for x in ("Wanneer", "Wat", "Waarvoor", "Grondslag", "Welke gegevens")]
            )
            for d in rec.disclosures:
                extra = (
                    f" (ingetrokken; partner bevestigde op {_d(d.withdrawal_acknowledged_at)})"
                    if d.withdrawal_acknowledged_at
                    else ""
                )
                table.row(
                    [
                        _t(_d(d.at)),
                        _t(d.kind_nl),
                        _t((d.purpose_title or d.purpose or "-") + extra),
                        _t(d.legal_basis_nl or "-"),
                        _t(", ".join(d.categories_nl)),
                    ]
                )
        pdf.ln(2)

    heading("Wie heeft uw gegevens bij het wijkteam ingezien?")
    if not r.accesses:
        para("Niemand heeft uw gegevens ingezien.")
    else:
        pdf.set_font("helvetica", size=9)
        with pdf.table(col_widths=(28, 40, 78), text_align="LEFT", line_height=5) as table:
            table.row([_t(x) for x in ("Wanneer", "Wie (rol)", "Wat")])
            for a in r.accesses:
                table.row([_t(_d(a.at)), _t(a.role_nl), _t(a.resource_nl)])

    heading("Uw toestemmingen")
    if not r.consents:
        para("Er is geen toestemming vastgelegd.")
    else:
        pdf.set_font("helvetica", size=9)
        with pdf.table(col_widths=(28, 34, 40, 22, 22), text_align="LEFT", line_height=5) as table:
            table.row([_t(x) for x in ("Partner", "Doel", "Gegevens", "Geldig", "Status")])
            for c in r.consents:
                table.row(
                    [
                        _t(c.partner_name),
                        _t(", ".join(c.purpose_titles)),
                        _t(", ".join(c.categories_nl) + (" (uitdrukkelijk)" if c.explicit else "")),
                        _t(f"{_d(c.valid_from)} t/m {_d(c.valid_until)}"),
                        _t(c.status_nl + (f" op {_d(c.withdrawn_at)}" if c.withdrawn_at else "")),
                    ]
                )
    heading("Hoe lang bewaren wij uw gegevens?")
    days = r.retention_days
    if days:
        para(
            f"Wat uw wijkcoach over u schreef: {days['advice_content']} dagen nadat het advies "
            "is afgerond.\n"
            f"Berichten aan en van de organisaties: {days['partner_messages']} dagen nadat het "
            "advies is afgerond.\n"
            f"Uw persoonsgegevens: {days['client_record']} dagen na het laatste contact, als er "
            "geen toestemming meer geldt."
        )
    else:
        para("De bewaartermijnen zijn bij de gemeente op te vragen.")
    para(
        "Een overzicht van wie wat ontving (zonder uw naam of BSN) blijft bewaard als bewijs "
        "dat zorgvuldig met uw gegevens is omgegaan."
    )
    heading("Uw rechten")
    para(
        "U mag ons vragen gegevens te verbeteren, aan te vullen of te verwijderen, of het "
        "gebruik ervan te beperken. Neem daarvoor contact op met uw wijkcoach of met de "
        "functionaris gegevensbescherming van de gemeente. Bent u het niet eens met hoe wij met "
        "uw gegevens omgaan, dan kunt u een klacht indienen bij de Autoriteit Persoonsgegevens."
    )
    return bytes(pdf.output())
