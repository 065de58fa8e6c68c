"""Demo data for ``make run``. Each module here has ``ORDER: int`` and ``seed(demo: DemoClient) -> None``;
the local stack runs them in ``ORDER`` after the demo accounts exist (``infra.local.demo.DemoClient``).
Seeds go through the API as the demo users (so they exercise the same code paths and audit trail)."""
