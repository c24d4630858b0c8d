"""Who issues a printed report and where: the heading of the cover and the place and date
line, as Vietnamese administrative documents set them out (Nghị định 30/2020/NĐ-CP)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ioc.config import Settings
from ioc.reports.labels import (
    DEFAULT_ISSUER,
    ISSUER_PARENT_PREFIX,
    NATIONAL_ISSUER,
    NATIONAL_PLACE,
)

#: the kind of a province in its name ('Tỉnh Sóc Trăng', 'Thành phố Cần Thơ')
_PROVINCE_KIND = re.compile(r"^(tỉnh|thành phố|tp\.?)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Issuer:
    """The heading's left block (``parent`` over ``name``) and the place of the date line."""

    parent: str  # e.g. 'UBND TỈNH SÓC TRĂNG'; '' for none
    name: str  # e.g. 'SỞ GIÁO DỤC VÀ ĐÀO TẠO'
    place: str  # e.g. 'Sóc Trăng'


def issuer_for(settings: Settings, province_name: str | None) -> Issuer:
    """The settings (``IOC_ISSUER_*``), else defaults from the report's province (None: the
    whole country)."""
    if province_name is None:
        parent, name, place = "", NATIONAL_ISSUER, NATIONAL_PLACE
    else:
        parent = f"{ISSUER_PARENT_PREFIX} {province_name.upper()}"
        name, place = DEFAULT_ISSUER, _PROVINCE_KIND.sub("", province_name).strip()
    return Issuer(
        parent if settings.issuer_parent is None else settings.issuer_parent.strip(),
        settings.issuer_name.strip() if settings.issuer_name else name,
        settings.issuer_place.strip() if settings.issuer_place else place,
    )
