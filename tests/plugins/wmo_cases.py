"""Wmo advice parameters shared by the zorgaanbieder plugin's tests of both format versions."""

WMO_PARAMS: dict[str, dict[str, object]] = {
    "wmo_huishoudelijke_hulp": {
        "product_category": "01",
        "volume": 180,
        "unit": "01",
        "frequency": "2",
        "start_date": "2026-12-01",
        "end_date": "2027-11-30",
    },
    "wmo_begeleiding": {
        "product_category": "02",
        "product_code": "02A01",
        "volume": 40,
        "unit": "04",
        "frequency": "6",
        "start_date": "2026-12-01",
    },
}
