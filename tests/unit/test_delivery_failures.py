"""No event is lost without a trace: every way an event reaches a function ends, after its retries, in a
dead-letter queue or on-failure destination, every such queue has an alarm, and the platform's alarms and
dashboard exist (the template as deployed, lake stream events included)."""

from __future__ import annotations

from typing import Any

from infra.local import template

ASYNC_EVENTS = {"Schedule", "S3"}


def _events() -> list[tuple[str, str, dict[str, Any]]]:
    return [(function, name, event) for function, res in template.functions().items() for name, event in (res["Properties"].get("Events") or {}).items()]


def _failure_queues() -> set[str]:
    """Every queue that receives failed deliveries, found from what the template routes to it."""
    queues = set()
    for _function, _name, event in _events():
        props = event["Properties"]
        if event["Type"] == "DynamoDB":
            queues.add(template.logical_id(props["DestinationConfig"]["OnFailure"]["Destination"]))
        if event["Type"] == "Schedule":
            queues.add(template.logical_id(props["DeadLetterConfig"]["Arn"]))
    for res in template.functions().values():
        config = res["Properties"].get("EventInvokeConfig")
        if config:
            queues.add(template.logical_id(config["DestinationConfig"]["OnFailure"]["Destination"]))
    for res in template.of_type("AWS::SQS::Queue").values():
        redrive = res["Properties"].get("RedrivePolicy")
        if redrive:
            queues.add(template.logical_id(redrive["deadLetterTargetArn"]))
    return queues


def test_every_stream_mapping_has_an_on_failure_destination_and_limits() -> None:
    streams = [(f, n, e["Properties"]) for f, n, e in _events() if e["Type"] == "DynamoDB"]
    assert streams
    for function, name, props in streams:
        assert props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination"), f"{function}.{name}"
        assert int(props["MaximumRetryAttempts"]) >= 0, f"{function}.{name} retries for ever"


def test_every_consumed_queue_has_a_dead_letter_queue() -> None:
    queues = template.of_type("AWS::SQS::Queue")
    consumed = {template.logical_id(e["Properties"]["Queue"]) for _f, _n, e in _events() if e["Type"] == "SQS"}
    assert consumed
    assert all("RedrivePolicy" in queues[name]["Properties"] for name in consumed)


def test_every_schedule_has_a_dead_letter_queue_and_every_async_function_an_on_failure_destination() -> None:
    for function, name, event in _events():
        if event["Type"] == "Schedule":
            assert event["Properties"].get("DeadLetterConfig", {}).get("Arn"), f"{function}.{name}"
        if event["Type"] in ASYNC_EVENTS:
            config = template.functions()[function]["Properties"].get("EventInvokeConfig") or {}
            assert config.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination"), f"{function} ({name})"


def test_every_failure_queue_has_an_alarm() -> None:
    alarmed = {
        template.logical_id(dimension["Value"])
        for alarm in template.of_type("AWS::CloudWatch::Alarm").values()
        for dimension in alarm["Properties"].get("Dimensions", [])
        if dimension["Name"] == "QueueName"
    }
    queues = _failure_queues()
    assert len(queues) >= 6
    assert queues <= alarmed, f"no alarm on {sorted(queues - alarmed)}"


def test_the_platform_alarms_and_dashboard_exist() -> None:
    alarms = {(a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in template.of_type("AWS::CloudWatch::Alarm").values()}
    assert {("AWS/Lambda", "Errors"), ("AWS/Lambda", "Throttles"), ("AWS/ApiGateway", "5XXError"), ("OnlineSanmenxia", "DaysClosed")} <= alarms
    missing_close = next(a for a in template.of_type("AWS::CloudWatch::Alarm").values() if a["Properties"]["MetricName"] == "DaysClosed")
    assert missing_close["Properties"]["TreatMissingData"] == "breaching"  # no data means the close did not run
    assert template.of_type("AWS::CloudWatch::Dashboard")


def test_stream_filter_patterns_pass_only_the_records_lambda_would() -> None:
    from infra.local.pump import event_filter_matches

    insert = {"eventName": "INSERT", "dynamodb": {"Keys": {"pk": {"S": "person#1"}}}}
    removal = {"eventName": "REMOVE", "dynamodb": {"Keys": {"pk": {"S": "lookup#1"}}}}
    assert event_filter_matches({"eventName": ["INSERT"]}, insert)
    assert not event_filter_matches({"eventName": ["INSERT"]}, removal)
    assert event_filter_matches({"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "person#"}]}}}}, insert)
    assert not event_filter_matches({"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "person#"}]}}}}, removal)
    assert event_filter_matches({"dynamodb": {"NewImage": [{"exists": False}]}}, removal)
    assert not event_filter_matches({"dynamodb": {"NewImage": [{"exists": True}]}}, removal)
