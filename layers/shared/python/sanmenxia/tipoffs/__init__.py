"""Tip-offs (我要上报疫情): likely duplicates in ``rules``, tracking codes and data access in ``store``."""
