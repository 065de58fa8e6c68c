"""Function settings are pydantic models read once from the environment (the template sets the variables).

Each function declares its own ``Settings(FunctionSettings)`` with the variables it needs and caches one
instance with ``functools.cache``; domain code receives values, never reads ``os.environ``.
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class FunctionSettings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    stage: str = "local"
    personal_record_days: int = 60
