"""The allocation parameters a coach fills in for a Wmo advice item (product, volume, period).

One model per advice type, so that the product category is checked against the advice type
when the item is submitted, not when it is delivered.
"""

from datetime import date
from typing import Annotated, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wijkhub.plugins.zorgaanbieder.codes import FREQUENTIE_PER_WEEK, PRODUCTCATEGORIE

ProductCategory = Literal[
    "01", "02", "03", "04", "05", "06", "07", "08", "09",
    "10", "11", "12", "13", "14", "15", "16", "17", "18",
]  # fmt: skip
Unit = Literal["01", "04", "14", "16", "82", "83", "84"]
Frequency = Literal["1", "2", "4", "6"]


class WmoAllocationParameters(BaseModel):
    """What is allocated: iWmo `Product`, `Omvang` (volume, unit, frequency) and period.

    Codes are strings as in iWmo: `unit` is an Eenheid code (e.g. "04" hour), `frequency` a
    Frequentie code (e.g. "2" per week).
    """

    model_config = ConfigDict(extra="forbid")

    # The WMO020 product category this advice type allocates; set by each subclass.
    expected_category: ClassVar[str]

    product_category: ProductCategory = Field(
        description="WMO020 productcategorie; must match the advice type."
    )
    product_code: Annotated[str, Field(pattern=r"^[0-9A-Za-z]{5}$")] | None = Field(
        default=None, description="The municipality's own 5-character product code."
    )
    volume: Annotated[int, Field(gt=0, le=99_999_999)]
    unit: Unit = Field(description="WJ756 Eenheid: 01, 04, 14, 16, 82, 83 or 84.")
    frequency: Frequency = Field(description="WMO757 Frequentie: 1, 2, 4 or 6.")
    start_date: date
    end_date: date | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.product_category != self.expected_category:
            raise ValueError(
                f"product_category {self.product_category} "
                f"({PRODUCTCATEGORIE[self.product_category]}) past niet bij dit adviestype: "
                f"verwacht {self.expected_category} "
                f"({PRODUCTCATEGORIE[self.expected_category]})"
            )
        if self.frequency == FREQUENTIE_PER_WEEK and self.end_date is None:
            raise ValueError("end_date is verplicht bij frequency 2 (per week)")
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date ligt vóór start_date")
        return self


class HuishoudelijkeHulpParameters(WmoAllocationParameters):
    expected_category: ClassVar[str] = "01"
    product_category: ProductCategory = "01"


class BegeleidingParameters(WmoAllocationParameters):
    expected_category: ClassVar[str] = "02"
    product_category: ProductCategory = "02"
