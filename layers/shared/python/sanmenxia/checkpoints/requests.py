"""Request bodies of the checkpoint platform (validated at the edge: a bad field is a 422 naming it)."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import AfterValidator, AwareDatetime, Field, model_validator

from sanmenxia.checkpoints.rules import CheckpointKind, Direction, ScanMethod, normalize_plate
from sanmenxia.errors import InvalidInput
from sanmenxia.models import CommunityId, IdNumberStr, RequestModel, ShortText


def _plate(value: str) -> str:
    try:
        return normalize_plate(value)
    except InvalidInput as exc:
        raise ValueError(exc.message) from exc


#: A client-generated scan id (a UUID or similar): letters, digits, ``_`` and ``-``.
ScanId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$", examples=["3f2c9a4e-6b1d-4f7e-9a55-0c1d2e3f4a5b"])]
CheckpointIdStr = Annotated[str, Field(pattern=r"^cp-[a-z0-9-]{3,36}$", examples=["cp-demo-1"])]
Temperature = Annotated[float, Field(ge=30.0, le=45.0, description="body temperature in °C (30–45)", examples=[36.5])]
EntranceName = Annotated[str, Field(min_length=1, max_length=40)]
#: An ID number sealed on the device to the checkpoints' public key (``sanmenxia.checkpoints.sealing``).
SealedIdNumber = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}(\.[A-Za-z0-9_-]{1,200}){3}$", max_length=600)]
Plate = Annotated[str, Field(max_length=16, examples=["豫M12345"]), AfterValidator(_plate)]


class DependentIn(RequestModel):
    """A person passing with the scanned one (a child, an elderly parent), identified by ID number."""

    id_number: IdNumberStr
    temperature: Temperature


class ScanIn(RequestModel):
    """One scan at a gate. ``scan_id`` comes from the device: the same id sent twice is recorded once."""

    scan_id: ScanId
    method: ScanMethod
    token: Annotated[str, Field(min_length=10, max_length=1024)] | None = None
    id_number: IdNumberStr | None = None
    sealed_id_number: SealedIdNumber | None = None
    temperature: Temperature
    direction: Direction
    entrance: EntranceName | None = None
    scanned_at: AwareDatetime | None = Field(default=None, description="the device's time of the scan (late sync keeps it)")
    vehicle_plate: Plate | None = None
    dependents: list[DependentIn] = Field(default_factory=list, max_length=6)

    @model_validator(mode="after")
    def _identity_matches_method(self) -> Self:
        if self.method is ScanMethod.QR:
            if not self.token:
                raise ValueError("token: a QR scan needs the token read from the code")
            if self.id_number or self.sealed_id_number:
                raise ValueError("id_number: a QR scan carries no ID number")
        else:
            if not self.id_number and not self.sealed_id_number:
                raise ValueError("id_number: an ID-card or typed scan needs the ID number (clear or sealed)")
            if self.id_number and self.sealed_id_number:
                raise ValueError("sealed_id_number: send the ID number either clear or sealed, not both")
            if self.token:
                raise ValueError("token: only a QR scan carries a token")
        return self


class LocationIn(RequestModel):
    latitude: Annotated[float, Field(ge=33.5, le=35.1, description="Sanmenxia lies within 33.5–35.1 °N")]
    longitude: Annotated[float, Field(ge=110.0, le=112.1, description="Sanmenxia lies within 110.0–112.1 °E")]
    place: ShortText


class CheckpointIn(RequestModel):
    checkpoint_id: CheckpointIdStr | None = Field(default=None, description="optional chosen id; generated when absent")
    name: Annotated[str, Field(min_length=2, max_length=60)]
    kind: CheckpointKind
    community_id: CommunityId
    entrances: list[EntranceName] = Field(default_factory=list, max_length=20)
    location: LocationIn


class CheckpointPatch(RequestModel):
    name: Annotated[str, Field(min_length=2, max_length=60)] | None = None
    kind: CheckpointKind | None = None
    entrances: list[EntranceName] | None = Field(default=None, max_length=20)
    location: LocationIn | None = None
    active: bool | None = None


class StaffAssignmentIn(RequestModel):
    username: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.@-]{3,64}$")]
    temporary_password: Annotated[str, Field(min_length=8, max_length=64)]
