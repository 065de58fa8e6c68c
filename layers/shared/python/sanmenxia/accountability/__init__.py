"""Accountability (issue 18): a person's own timeline, break-glass access, public counts."""
