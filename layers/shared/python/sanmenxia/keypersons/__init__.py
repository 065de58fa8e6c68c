"""Key persons (疫情信息): registration, daily follow-up and supervision. Pure rules in ``rules``, use cases in
``service``, data access in ``store``."""
