"""The openly licensed monthly series shipped with gridrisk, as pandas Series.

Each function returns a Series of floats with a monthly ``DatetimeIndex`` (the first day of each
month), a ``name`` and, in ``attrs``, its ``unit``, ``source`` and ``licence``: ready for
:mod:`gridrisk.calibrate`. Sources and terms: ``python/gridrisk/data/SOURCES.md`` and
``docs/calibration.md`` (Fits to data).
"""

from __future__ import annotations

import csv
import io
from importlib import resources

import pandas as pd

__all__ = ["brent", "henry_hub", "japan_lng", "newcastle_coal", "pink_sheet", "pkr_per_usd"]

#: (source, licence) of each file.
_PINK = ("World Bank Commodity Price Data (The Pink Sheet)", "CC BY 4.0")
_EIA = ("U.S. Energy Information Administration", "public domain")
_IMF = ("Source: International Monetary Fund (International Financial Statistics)", "IMF terms: reuse with attribution")


def _text(name: str) -> str:
    return resources.files("gridrisk").joinpath("data", name).read_text(encoding="utf-8")


def _series(values: dict[pd.Timestamp, float], name: str, unit: str, source: tuple[str, str]) -> pd.Series:
    s = pd.Series(values, name=name, dtype=float).sort_index()
    s.index = pd.DatetimeIndex(s.index, name="month")
    s.attrs.update({"unit": unit, "source": source[0], "licence": source[1]})
    return s


def _month(text: str) -> pd.Timestamp:
    return pd.Period(text, freq="M").to_timestamp()


def brent() -> pd.Series:
    """Brent spot FOB, monthly average, USD/bbl, May 1987 to July 2026 (EIA RBRTE)."""
    rows = csv.DictReader(io.StringIO(_text("eia_brent_spot_monthly.csv")))
    return _series({_month(r["Date"][:7]): float(r["Price"]) for r in rows}, "brent", "USD/bbl", _EIA)


def henry_hub() -> pd.Series:
    """Henry Hub natural gas spot, monthly average, USD/MMBtu, January 1997 to July 2026 (EIA)."""
    rows = csv.DictReader(io.StringIO(_text("eia_henry_hub_monthly.csv")))
    return _series({_month(r["Month"]): float(r["Price"]) for r in rows}, "henry_hub", "USD/MMBtu", _EIA)


def pink_sheet(code: str) -> pd.Series:
    """One energy column of the World Bank Pink Sheet, monthly, nominal USD, to October 2025.

    Parameters
    ----------
    code : {"CRUDE_BRENT", "COAL_AUS", "COAL_SAFRICA", "NGAS_JP", "NGAS_US"}
        The Pink Sheet's series code. Months the source leaves empty are dropped.
    """
    reader = csv.reader(io.StringIO(_text("worldbank_pinksheet_energy_monthly.csv")))
    header = next(reader)
    units = next(reader)
    if code not in header[1:]:
        from gridrisk.errors import ArgumentError

        raise ArgumentError(f"code must be one of {', '.join(header[1:])}; got {code!r}")
    k = header.index(code)
    values = {_month(r[0].replace("M", "-")): float(r[k]) for r in reader if r[k]}
    unit = units[k].strip("()").replace("$", "USD").replace("mmbtu", "MMBtu").replace("mt", "t")
    return _series(values, code.lower(), unit, _PINK)


def newcastle_coal() -> pd.Series:
    """Australian (Newcastle) thermal coal, USD/t, monthly, 1970 to October 2025 (Pink Sheet COAL_AUS)."""
    return pink_sheet("COAL_AUS").rename("newcastle_coal")


def japan_lng() -> pd.Series:
    """LNG, Japan import price (contract-weighted), USD/MMBtu, 1977 to October 2025 (NGAS_JP)."""
    return pink_sheet("NGAS_JP").rename("japan_lng")


def pkr_per_usd() -> pd.Series:
    """Pakistani rupees per US dollar, end of month, January 1957 to November 2025 (IMF IFS)."""
    rows = csv.DictReader(io.StringIO(_text("imf_pkr_per_usd_monthly_eop.csv")))
    return _series({_month(r["Date"][:7]): float(r["Rate"]) for r in rows}, "pkr_per_usd", "PKR/USD", _IMF)
