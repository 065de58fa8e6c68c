"""Residents (居民信息填报): self-reports and hardship requests. Pure rules in ``rules``, data access in ``store``."""
