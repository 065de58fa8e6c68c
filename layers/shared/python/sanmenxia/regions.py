"""Reference data: Sanmenxia's six county-level divisions (GB/T 2260 codes) and their communities.

The division codes and names are real; the communities are a synthetic demo set (ten per division) whose
ids are ``<county_code>-<nnn>`` so that a community's county is always derivable from its id.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY_CODE = "411200"
CITY_NAME = "三门峡市"
CITY_NAME_EN = "Sanmenxia"


@dataclass(frozen=True)
class Community:
    id: str
    name: str
    name_en: str = ""

    @property
    def county_code(self) -> str:
        return self.id.split("-")[0]


@dataclass(frozen=True)
class County:
    code: str
    name: str
    name_en: str
    communities: tuple[Community, ...]


_COUNTIES = (
    ("411202", "湖滨区", "Hubin District", ("湖滨", "前进", "车站", "涧河", "会兴", "交口", "磁钟", "高庙", "崖底", "向阳")),
    ("411203", "陕州区", "Shanzhou District", ("大营", "原店", "西张村", "张湾", "菜园", "张茅", "王家后", "硖石", "观音堂", "宫前")),
    ("411221", "渑池县", "Mianchi County", ("城关", "英豪", "张村", "洪阳", "天池", "仰韶", "仁村", "果园", "陈村", "坡头")),
    ("411224", "卢氏县", "Lushi County", ("城关", "杜关", "五里川", "官道口", "朱阳关", "双槐树", "汤河", "瓦窑沟", "狮子坪", "官坡")),
    ("411281", "义马市", "Yima City", ("新区", "千秋", "朝阳", "常村", "泰山", "新义", "东区", "梁沟", "北露天", "石河")),
    ("411282", "灵宝市", "Lingbao City", ("城关", "尹庄", "朱阳", "阳平", "故县", "豫灵", "大王", "阳店", "函谷关", "焦村")),
)  # fmt: skip

#: The places' names in pinyin (the English names of the app; 社区 → Community, 村 → Village), in the same order.
_PINYIN = {
    "411202": ("Hubin", "Qianjin", "Chezhan", "Jianhe", "Huixing", "Jiaokou", "Cizhong", "Gaomiao", "Yadi", "Xiangyang"),
    "411203": ("Daying", "Yuandian", "Xizhangcun", "Zhangwan", "Caiyuan", "Zhangmao", "Wangjiahou", "Xiashi", "Guanyintang", "Gongqian"),
    "411221": ("Chengguan", "Yinghao", "Zhangcun", "Hongyang", "Tianchi", "Yangshao", "Rencun", "Guoyuan", "Chencun", "Potou"),
    "411224": ("Chengguan", "Duguan", "Wulichuan", "Guandaokou", "Zhuyangguan", "Shuanghuaishu", "Tanghe", "Wayaogou", "Shiziping", "Guanpo"),
    "411281": ("Xinqu", "Qianqiu", "Chaoyang", "Changcun", "Taishan", "Xinyi", "Dongqu", "Lianggou", "Beilutian", "Shihe"),
    "411282": ("Chengguan", "Yinzhuang", "Zhuyang", "Yangping", "Guxian", "Yuling", "Dawang", "Yangdian", "Hanguguan", "Jiaocun"),
}  # fmt: skip


def _build() -> tuple[County, ...]:
    counties = []
    for code, name, name_en, places in _COUNTIES:
        communities = tuple(
            Community(
                id=f"{code}-{index:03d}",
                name=f"{place}{'社区' if index <= 5 else '村'}",
                name_en=f"{pinyin} {'Community' if index <= 5 else 'Village'}",
            )
            for index, (place, pinyin) in enumerate(zip(places, _PINYIN[code], strict=True), start=1)
        )
        counties.append(County(code, name, name_en, communities))
    return tuple(counties)


COUNTIES: tuple[County, ...] = _build()
_BY_CODE = {county.code: county for county in COUNTIES}
_COMMUNITIES = {community.id: community for county in COUNTIES for community in county.communities}


def is_known_county(code: str) -> bool:
    return code in _BY_CODE


def is_known_community(community_id: str) -> bool:
    return community_id in _COMMUNITIES


def county(code: str) -> County:
    return _BY_CODE[code]


def community(community_id: str) -> Community:
    return _COMMUNITIES[community_id]


def county_of_community(community_id: str) -> str:
    return community_id.split("-")[0]


def as_json() -> list[dict[str, object]]:
    """The public ``GET /regions`` document."""
    return [
        {
            "county_code": item.code,
            "name": item.name,
            "name_en": item.name_en,
            "communities": [{"id": c.id, "name": c.name, "name_en": c.name_en} for c in item.communities],
        }
        for item in COUNTIES
    ]
