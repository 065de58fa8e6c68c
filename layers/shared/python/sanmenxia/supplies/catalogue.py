"""The supplies catalogue (物资目录), the requesting units (申领单位) and who may request for which tier."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sanmenxia.supplies.allocation import Tier


class Item(StrEnum):
    """Catalogue items: protective equipment (防护物资) and daily necessities (生活物资)."""

    MASKS = "masks"  # 口罩
    PROTECTIVE_SUITS = "protective_suits"  # 防护服
    GOGGLES = "goggles"  # 护目镜
    DISINFECTANT = "disinfectant"  # 消毒液
    GRAIN_OIL = "grain_oil"  # 粮油
    VEGETABLES = "vegetables"  # 蔬菜
    MEAT = "meat"  # 肉类
    EGGS = "eggs"  # 蛋类
    MILK = "milk"  # 奶类


@dataclass(frozen=True)
class CatalogueEntry:
    item: Item
    name: str
    name_en: str
    unit: str
    unit_en: str
    category: str
    default_threshold: int

    def to_json(self, threshold: int | None = None) -> dict[str, object]:
        return {
            "item": self.item.value,
            "name": self.name,
            "name_en": self.name_en,
            "unit": self.unit,
            "unit_en": self.unit_en,
            "category": self.category,
            "low_stock_threshold": self.default_threshold if threshold is None else threshold,
        }


CATALOGUE: dict[Item, CatalogueEntry] = {
    entry.item: entry
    for entry in (
        CatalogueEntry(Item.MASKS, "口罩", "masks", "只", "piece", "protective", 10_000),
        CatalogueEntry(Item.PROTECTIVE_SUITS, "防护服", "protective suits", "套", "suit", "protective", 500),
        CatalogueEntry(Item.GOGGLES, "护目镜", "goggles", "副", "pair", "protective", 300),
        CatalogueEntry(Item.DISINFECTANT, "消毒液", "disinfectant", "升", "litre", "protective", 1_000),
        CatalogueEntry(Item.GRAIN_OIL, "粮油", "grain and oil", "公斤", "kg", "daily", 5_000),
        CatalogueEntry(Item.VEGETABLES, "蔬菜", "vegetables", "公斤", "kg", "daily", 5_000),
        CatalogueEntry(Item.MEAT, "肉类", "meat", "公斤", "kg", "daily", 2_000),
        CatalogueEntry(Item.EGGS, "蛋类", "eggs", "公斤", "kg", "daily", 1_000),
        CatalogueEntry(Item.MILK, "奶类", "milk", "箱", "case", "daily", 500),
    )
}


class InboundKind(StrEnum):
    DONATION = "donation"  # 捐赠
    PROCUREMENT = "procurement"  # 采购


class UnitKind(StrEnum):
    """Who asks for supplies, and whose account speaks for the unit.

    * ``community``: a village/community and its checkpoints (``unit_id`` = community id); its community head.
    * ``department``: a responsible department and the bodies under it, hospitals under ``health`` among them
      (``unit_id`` = department code); its department handlers.
    * ``enterprise``: an enterprise returning to work (``unit_id`` = enterprise id); its enterprise admin.
    * ``external``: another region receiving aid (``unit_id`` = a slug such as ``hubei-xiaogan``); filed by
      supplies officers and commanders on the region's behalf.

    Supplies officers, commanders and admins may file and sign for any unit.
    """

    COMMUNITY = "community"  # 村(社区)
    DEPARTMENT = "department"  # 部门/医疗机构
    ENTERPRISE = "enterprise"  # 企业
    EXTERNAL = "external"  # 外地受援方


#: The tiers each kind of unit may ask under. The tier follows from who is asking, never from the request
#: body alone: a body claiming a tier its unit may not claim is refused (4xx naming ``tier``), not capped, so
#: the requester sees the refusal instead of a request silently served later than they think.
ALLOWED_TIERS: dict[UnitKind, frozenset[Tier]] = {
    UnitKind.COMMUNITY: frozenset({Tier.FRONTLINE_PREVENTION}),
    UnitKind.DEPARTMENT: frozenset({Tier.FRONTLINE_PREVENTION}),
    UnitKind.ENTERPRISE: frozenset({Tier.RETURN_TO_WORK}),
    UnitKind.EXTERNAL: frozenset({Tier.AID_OTHER_REGIONS}),
}

#: Units whose kind is medical (一线医疗): the health department (卫健委), and hospitals, which are department
#: units named ``hospital-<slug>``. Only they may claim ``frontline_medical``; every other department is
#: frontline prevention at most.
MEDICAL_UNITS: dict[UnitKind, frozenset[str]] = {UnitKind.DEPARTMENT: frozenset({"health", "health_commission"})}
MEDICAL_UNIT_PREFIXES: dict[UnitKind, tuple[str, ...]] = {UnitKind.DEPARTMENT: ("hospital-",)}


def allowed_tiers(kind: UnitKind, unit_id: str) -> frozenset[Tier]:
    """The tiers the unit ``(kind, unit_id)`` may claim (configured data: ``ALLOWED_TIERS``, ``MEDICAL_UNITS``,
    ``MEDICAL_UNIT_PREFIXES``), whoever files the request."""
    tiers = ALLOWED_TIERS[kind]
    if unit_id in MEDICAL_UNITS.get(kind, frozenset()) or unit_id.startswith(MEDICAL_UNIT_PREFIXES.get(kind, ())):
        tiers = tiers | {Tier.FRONTLINE_MEDICAL}
    return tiers


def unit_key(kind: UnitKind, unit_id: str) -> str:
    return f"{kind.value}#{unit_id}"
