"""Base models: every request body forbids unknown fields and strips whitespace."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from sanmenxia.idnumber import InvalidIdNumber, parse_id_number
from sanmenxia.regions import county_of_community, is_known_community, is_known_county


class RequestModel(BaseModel):
    """A request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _id_number(value: str) -> str:
    try:
        return parse_id_number(value).value
    except InvalidIdNumber as exc:
        raise ValueError(f"invalid ID number: {exc}") from exc


def _county(value: str) -> str:
    if not is_known_county(value):
        raise ValueError("unknown county code")
    return value


def _community(value: str) -> str:
    if not is_known_community(value):
        raise ValueError("unknown community id")
    return value


IdNumberStr = Annotated[str, Field(min_length=18, max_length=18, examples=["411202199001011230"]), AfterValidator(_id_number)]
CountyCode = Annotated[str, Field(pattern=r"^\d{6}$", examples=["411202"]), AfterValidator(_county)]
CommunityId = Annotated[str, Field(pattern=r"^\d{6}-\d{3}$", examples=["411202-001"]), AfterValidator(_community)]
Phone = Annotated[str, Field(pattern=r"^1[3-9]\d{9}$", examples=["13812345678"])]
PersonName = Annotated[str, Field(min_length=1, max_length=40)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
LongText = Annotated[str, Field(min_length=1, max_length=2000)]
PersonId = Annotated[str, Field(pattern=r"^[0-9a-f]{24}$")]


class MaskedPersonOut(ResponseModel):
    """A person's registry record as staff and the person see it: name, ID number and phone masked."""

    person_id: str
    name: str = Field(description="masked, e.g. 张*")
    id_number: str = Field(description="masked: first 6 and last 4 digits")
    phone: str | None = Field(default=None, description="masked: first 3 and last 4 digits")
    county_code: str
    community_id: str
    household_id: str
    relation: str
    has_account: bool
    created_at: str


class PersonRefIn(RequestModel):
    """A body that names a registered resident by ``person_id`` or by ID number (looked up, never stored)."""

    person_id: PersonId | None = None
    id_number: IdNumberStr | None = None

    @model_validator(mode="after")
    def _exactly_one_person(self) -> Self:
        if (self.person_id is None) == (self.id_number is None):
            raise ValueError("give exactly one of person_id and id_number")
        return self


__all__ = [
    "CommunityId",
    "CountyCode",
    "IdNumberStr",
    "LongText",
    "MaskedPersonOut",
    "PersonId",
    "PersonName",
    "PersonRefIn",
    "Phone",
    "RequestModel",
    "ResponseModel",
    "ShortText",
    "county_of_community",
]
