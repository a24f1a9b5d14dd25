"""One key per supplier, however Apple's Supplier Lists spelled its name that year.

Apple's lists (2012-2022, as compiled by CommonWealth Magazine) spell the same company many ways:
"Hon Hai Precision Industry Co Ltd (Foxconn)", "... Co., Ltd. (Foxconn)", "... Company Limited
(Foxconn)"; "Pegatron Corp", "Pegatron Corp.", "Pegatron Corporation"; line breaks from the PDF
("Company\\nLimited"), "(continued)" where a table ran onto the next page, case ("ROHM"/"Rohm").
Mapping business relationships needs one node per enterprise (OECD Due Diligence Guidance,
Section II: scoping the supply chain), so a name is reduced to a key by rules that only drop
spelling noise, plus a small explicit table of aliases for renames and odd spellings. Distinct
companies keep distinct keys: only the *trailing* legal form is dropped, so "LG Display" and
"LG Innotek", or "Samsung Electronics" and "Samsung SDI", stay apart.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["ALIASES", "normalise_supplier_name", "supplier_id"]

#: A parenthesised trade name, ticker or page-break note at the very end of a listed name:
#: "(Foxconn)", "(TSMC)", "(Foxlink)", "(continued)". Parentheses inside a name ("(Shenzhen)",
#: "(Mfg.)") are part of it and stay.
_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")

#: Legal forms and their spellings, dropped only at the end of a name (repeatedly, so that
#: "Henkel AG & Company, KGaA" and "Co., Ltd." both go).
_LEGAL_FORMS = (
    "co",
    "company",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "plc",
    "llc",
    "ag",
    "aktiengesellschaft",
    "kgaa",
    "gmbh",
    "nv",
    "bv",
    "sa",
    "spa",
    "oyj",
    "pte",
    "private",
    "joint stock",
    "and",
)
_TRAILING_LEGAL = re.compile(r"(?:\s+(?:" + "|".join(_LEGAL_FORMS) + r"))+$")

#: Abbreviations spelled both ways in the lists.
_ABBREVIATIONS: Final = {"mfg": "manufacturing"}

#: Renames and spellings that rules cannot see, as key -> key of the same enterprise. Each
#: entry is a rename of the same company or a spelling of its name, not a parent or subsidiary.
ALIASES: Final[dict[str, str]] = {
    "foxconn": "hon hai precision industry",
    "tsmc": "taiwan semiconductor manufacturing",
    "broadcomm": "broadcom",  # a typo in the 2016 list
    "aac acoustic technologies holdings": "aac technologies holdings",
    "at and s": "at and s austria technologie and systemtechnik",
    "austria technologie and systemtechnik": "at and s austria technologie and systemtechnik",
    "austria microsystems": "ams",  # ams AG, renamed ams-OSRAM AG in 2021
    "ams osram": "ams",
    "asahi glass": "agc",  # Asahi Glass renamed AGC Inc. in 2018
    "minebea": "minebeamitsumi",  # Minebea Co., Ltd. renamed MinebeaMitsumi Inc. in 2017
    "minebea mitsumi": "minebeamitsumi",
    "hynix semiconductor": "sk hynix",  # renamed SK hynix in 2012
    "jxtg holdings": "eneos holdings",  # renamed ENEOS Holdings in 2020
    "luxshare ict": "luxshare precision industry",
    "luxshare precision industry company": "luxshare precision industry",
    "silicon works": "lx semicon",  # renamed LX Semicon in 2021
    "nissha printing": "nissha",  # renamed Nissha Co., Ltd. in 2017
    "tian jin lishen battery": "tianjin lishen battery",
    "o film tech": "ofilm group",
    "shenzhen o film tech": "ofilm group",
    "kyocera group": "kyocera",
    "delta group": "delta electronics",
    "sunway communication": "shenzhen sunway communication",
    "sunwoda electronics": "sunwoda electronic",
    "darfon electronic": "darfon electronics",
    "teikoku printing inks manufacturing": "teikoku printing inks",
    "china circuit technology shantou": "china circuit technology",
    "solvay specialty polymers united states": "solvay specialty polymers usa",
    "chemours company fc": "chemours",
    "foxconn interconnect technology": "fit hon teng",
    "unimicron": "unimicron technology",
    "jabil circuit": "jabil",  # Jabil Circuit, Inc. renamed Jabil Inc. in 2017
    "flextronics international": "flex",  # renamed Flex Ltd. in 2016
    "seagate technologies": "seagate technology",
}


def _plain(text: str) -> str:
    """Compatibility forms folded, accents dropped, every run of white space one space."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split())


def normalise_supplier_name(name: str) -> str:
    """The key of a supplier's name: lower-case words of letters and digits, spelling noise gone.

    Steps, in order: fold white space and accents; drop one trailing parenthesised note
    ("(Foxconn)", "(continued)"); case-fold; "&" becomes "and"; full stops vanish ("R.R." is
    "rr", "S.A." is "sa") and other punctuation becomes a space ("Opto-Electronics" is "opto
    electronics"); "mfg" is "manufacturing"; a leading "the" and trailing legal forms ("Co.,
    Ltd.", "Company Limited", "Inc.", "Corp.", "AG", "N.V.", ...) go; then `ALIASES` maps renames.

    Examples
    --------
    >>> normalise_supplier_name("Hon Hai Precision Industry Co., Ltd. (Foxconn)")
    'hon hai precision industry'
    >>> normalise_supplier_name("Hon Hai Precision Industry Company Limited (Foxconn)")
    'hon hai precision industry'
    >>> normalise_supplier_name("LG Display Co., Ltd.") != normalise_supplier_name("LG Innotek")
    True
    """
    text = _plain(name)
    text = _TRAILING_NOTE.sub("", text)
    text = text.casefold().replace("&", " and ").replace(".", "")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    words = [_ABBREVIATIONS.get(word, word) for word in text.split()]
    if words[:1] == ["the"] and len(words) > 1:
        words = words[1:]
    text = " ".join(words)
    stripped = _TRAILING_LEGAL.sub("", text).strip()
    key = stripped or text
    return ALIASES.get(key, key)


def supplier_id(name: str) -> str:
    """The actor id (a slug) of a supplier's name: its key with hyphens for spaces."""
    return normalise_supplier_name(name).replace(" ", "-")
