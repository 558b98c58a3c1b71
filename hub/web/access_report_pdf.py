"""The access report (inzageverzoek) as PDF, drawn with fpdf2 (pure Python: no browser, no
system libraries). Same content and wording as the printable HTML document.

Accessible as far as fpdf2 2.8.9 goes towards PDF/UA: the document language (nl) and title
(shown as the window title), an embedded Unicode font (DejaVu Sans, when the system has it:
Debian's fonts-dejavu), and every heading a section of the outline (bookmarks) and of the
structure tree (fpdf2 tags the section titles and marks the document as tagged). fpdf2 does
not tag paragraphs or tables, so this is not a full PDF/UA claim and the file does not carry
the PDF/UA identifier.
"""

from datetime import date, datetime
from pathlib import Path

from fpdf import FPDF, TextStyle
from fpdf.enums import XPos, YPos
from fpdf.prefs import ViewerPreferences

from wijkhub.hub.core.clock import AMSTERDAM
from wijkhub.hub.reports.access_report import AccessReport

TITLE = "Overzicht van uw gegevens - inzageverzoek"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
# The PDF core fonts speak Latin-1 only: without DejaVu, map the few typographic characters.
_PLAIN = str.maketrans({"—": "-", "–": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "€": "EUR"})


def _d(value: date | datetime | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")


class _Doc(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        self.unicode = regular.exists() and bold.exists()
        if self.unicode:
            self.add_font("dejavu", "", str(regular))
            self.add_font("dejavu", "B", str(bold))
        self.family = "dejavu" if self.unicode else "helvetica"

    def t(self, text: object) -> str:
        s = str(text)
        if self.unicode:
            return s
        return s.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(self.family, size=8)
        self.cell(0, 10, self.t(f"Inzageverzoek - pagina {self.page_no()}/{{nb}}"), align="C")


def render_pdf(r: AccessReport) -> bytes:
    pdf = _Doc()
    t = pdf.t
    pdf.set_title(TITLE)
    pdf.set_lang("nl")
    pdf.set_subject("Antwoord op een inzageverzoek (artikel 15 AVG)")
    pdf.set_author(f"{r.municipality}, wijkteam")
    pdf.set_creator("Wijkhub")
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.set_section_title_styles(
        TextStyle(font_family=pdf.family, font_style="B", font_size_pt=17, t_margin=2, b_margin=2),
        TextStyle(font_family=pdf.family, font_style="B", font_size_pt=13, t_margin=4, b_margin=1),
        TextStyle(font_family=pdf.family, font_style="B", font_size_pt=11, t_margin=2, b_margin=1),
    )
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font(pdf.family, size=10)
    w = pdf.epw

    def heading(text: str, level: int = 1) -> None:
        pdf.start_section(t(text), level=level)
        pdf.set_font(pdf.family, size=10)

    def para(text: str) -> None:
        pdf.set_font(pdf.family, size=10)
        pdf.multi_cell(w, 5.5, t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    heading("Overzicht van uw gegevens", 0)
    para(
        "Antwoord op uw inzageverzoek (artikel 15 Algemene verordening gegevensbescherming). "
        f"{r.municipality}, wijkteam - opgesteld op {_d(r.generated_at)}."
    )
    heading("Over wie")
    para(
        "Naam: "
        + (r.client_name or "(niet meer bewaard: de bewaartermijn is verstreken)")
        + (f"   Geboortedatum: {_d(r.birth_date)}" if r.birth_date else "")
    )
    para(f"Kenmerk: {r.reference}")

    heading("Wie ontving welke gegevens")
    if not r.recipients:
        para("Er zijn geen gegevens over u aan partners verstrekt.")
    for rec in r.recipients:
        heading(rec.partner_name, 2)
        pdf.set_font(pdf.family, size=9)
        with pdf.table(
            col_widths=(22, 26, 28, 24, 42),
            text_align="LEFT",
            line_height=5,
            first_row_as_headings=True,
        ) as table:
            table.row([t(x) for x in ("Wanneer", "Wat", "Waarvoor", "Grondslag", "Welke gegevens")])
            for d in rec.disclosures:
                extra = (
                    f" (ingetrokken; partner bevestigde op {_d(d.withdrawal_acknowledged_at)})"
                    if d.withdrawal_acknowledged_at
                    else ""
                )
                table.row(
                    [
                        t(_d(d.at)),
                        t(d.kind_nl),
                        t((d.purpose_title or d.purpose or "-") + extra),
                        t(d.legal_basis_nl or "-"),
                        t(", ".join(d.categories_nl)),
                    ]
                )
        pdf.ln(2)

    heading("Wie heeft uw gegevens bij het wijkteam ingezien?")
    if not r.accesses:
        para("Niemand heeft uw gegevens ingezien.")
    else:
        pdf.set_font(pdf.family, size=9)
        with pdf.table(col_widths=(28, 40, 78), text_align="LEFT", line_height=5) as table:
            table.row([t(x) for x in ("Wanneer", "Wie (rol)", "Wat")])
            for a in r.accesses:
                table.row([t(_d(a.at)), t(a.role_nl), t(a.resource_nl)])

    heading("Uw toestemmingen")
    if not r.consents:
        para("Er is geen toestemming vastgelegd.")
    else:
        pdf.set_font(pdf.family, size=9)
        with pdf.table(col_widths=(28, 34, 40, 22, 22), text_align="LEFT", line_height=5) as table:
            table.row([t(x) for x in ("Partner", "Doel", "Gegevens", "Geldig", "Status")])
            for c in r.consents:
                table.row(
                    [
                        t(c.partner_name),
                        t(", ".join(c.purpose_titles)),
                        t(", ".join(c.categories_nl) + (" (uitdrukkelijk)" if c.explicit else "")),
                        t(f"{_d(c.valid_from)} t/m {_d(c.valid_until)}"),
                        t(c.status_nl + (f" op {_d(c.withdrawn_at)}" if c.withdrawn_at else "")),
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
            + (f"\n(Bewaarregels van {r.retention_version}.)" if r.retention_version else "")
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
