"""Loading strategy files: every mistake reported with file, line and key path."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from faircollect.adapters.strategy_file import load_strategy
from faircollect.adapters.templates import TemplateRenderer
from faircollect.adapters.yaml_reader import YamlFileError
from faircollect.domain.ledger.state import Stage
from faircollect.domain.strategy import Anchor, Channel, Party
from tests.unit.strategy.factories import default_strategy

TEMPLATES = TemplateRenderer().available()

GOOD = """\
name: small
segments:
  - name: early_all
    stage: early
    match:
      buckets: [M1]
      balance: {min: "100.00", max: "5000.00"}
    actions:
      - key: first_call
        channel: call
        dpd: 1
        at: "09:30"
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(dedent(text), encoding="utf-8")
    return path


def errors(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(YamlFileError) as caught:
        load_strategy(write(tmp_path, text), TEMPLATES)
    return [str(issue) for issue in caught.value.issues]


def test_default_strategy_is_valid_and_reproduces_the_seed_stages() -> None:
    strategy = default_strategy()
    assert strategy.thresholds.pre_due_days == 7
    assert strategy.thresholds.early_max_dpd == 30
    assert strategy.thresholds.intensive_max_dpd == 90
    assert {s.stage for s in strategy.segments} == {
        Stage.PRE_DUE,
        Stage.EARLY,
        Stage.INTENSIVE,
        Stage.LEGAL,
    }
    assert strategy.policies.agency_threshold_dpd == 90


def test_good_file_loads_with_times_and_yuan_ranges(tmp_path: Path) -> None:
    strategy = load_strategy(write(tmp_path, GOOD), TEMPLATES)
    (segment,) = strategy.segments
    assert segment.match.balance.low == 10_000 and segment.match.balance.high == 500_000
    (rule,) = segment.actions
    assert (rule.anchor, rule.days, rule.at.hour, rule.at.minute) == (Anchor.DPD, (1,), 9, 30)


def test_every_mistake_is_reported_with_its_line_and_path(tmp_path: Path) -> None:
    text = """\
    name: bad
    thresholds:
      early_max_dpd: thirty
    segments:
      - name: early_all
        stage: erly
        actions:
          - key: first_call
            channel: fax
            dpd: 1
          - key: relay
            channel: letter
            party: emergency_contact
            purpose: collect
            template: sms_relay_emergency
            dpd: 5
          - key: reminder
            channel: sms
            template: no_such_template
            dpd: 0
            at: "25:00"
            colour: red
    """
    found = errors(tmp_path, text)
    expected = [
        "s.yaml:3: thresholds.early_max_dpd: expected a whole number, got 'thirty'",
        "s.yaml:6: segments[0].stage: unknown stage 'erly' (expected one of current, "
        "pre_due, early, intensive, legal); did you mean 'early'?",
        "s.yaml:9: segments[0].actions[0].channel: unknown channel 'fax' (expected one of "
        "call, sms, email, app_push, wechat, letter, lawyer_letter, visit)",
        "s.yaml:12: segments[0].actions[1].channel: an emergency contact may only be called "
        "or sent an SMS, not 'letter' (CN-3P-1)",
        "s.yaml:14: segments[0].actions[1].purpose: an emergency contact may only be asked to "
        "locate or relay, not 'collect' (CN-3P-1)",
        "s.yaml:20: segments[0].actions[2].dpd: days must be at least 1",
        "s.yaml:21: segments[0].actions[2].at: expected a local time HH:MM, got '25:00'",
        "s.yaml:22: segments[0].actions[2].colour: unknown key 'colour' (expected one of key, "
        "kind, channel, party, purpose, template, priority, at, every, due, dpd, "
        "broken_promise)",
    ]
    assert found == expected


def test_unknown_template_and_missing_keys(tmp_path: Path) -> None:
    text = """\
    name: t
    segments:
      - name: pre
        stage: pre_due
        actions:
          - key: sms
            channel: sms
            template: sms_pre_duee
            due: -3
          - channel: call
            due: 0
    """
    assert errors(tmp_path, text) == [
        "s.yaml:8: segments[0].actions[0].template: unknown template 'sms_pre_duee'",
        "s.yaml:10: segments[0].actions[1]: missing required key 'key'",
    ]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("{key: a, channel: call}", "give exactly one of due, dpd, broken_promise"),
        ("{key: a, channel: call, dpd: 1, due: 0}", "give exactly one of due, dpd"),
        ("{key: a, channel: call, broken_promise: 0}", "only escalation actions may use"),
        ("{key: a, channel: sms, dpd: 1}", "a sms action needs a template"),
        ("{key: a, kind: agency_placement, dpd: 60}", "agency placement only over DPD 90"),
        ("{key: a, kind: agency_placement, channel: call, dpd: 91}", "contacts nobody"),
        ("{key: a, channel: call, dpd: 1, every: 0}", "must be at least 1"),
        ("{key: a, channel: call, dpd: [1, x]}", "expected a whole number, got 'x'"),
    ],
)
def test_action_rules(tmp_path: Path, action: str, message: str) -> None:
    text = f"""\
    name: t
    segments:
      - name: s
        stage: early
        actions:
          - {action}
    """
    (error,) = errors(tmp_path, text)
    assert error.startswith("s.yaml:6: segments[0].actions[0]")
    assert message in error


def test_escalation_must_count_from_the_broken_promise(tmp_path: Path) -> None:
    text = """\
    name: t
    segments:
      - name: s
        stage: early
        actions: []
        escalation:
          - {key: a, channel: call, dpd: 3}
    """
    (error,) = errors(tmp_path, text)
    assert error.startswith("s.yaml:7: segments[0].escalation[0].dpd: escalation actions")


def test_duplicates_and_bad_ranges(tmp_path: Path) -> None:
    text = """\
    name: t
    segments:
      - name: s
        stage: early
        match:
          balance: {min: "500.00", max: "100.00"}
          risk: {min: 10}
          buckets: [M1, M9]
          first_time: maybe
        actions:
          - {key: a, channel: call, dpd: 1}
          - {key: a, channel: call, dpd: 2}
      - name: s
        stage: early
        actions: []
    """
    assert errors(tmp_path, text) == [
        "s.yaml:3: segments[0]: action key 'a' is used twice in this segment",
        "s.yaml:6: segments[0].match.balance: min must be below max",
        "s.yaml:8: segments[0].match.buckets[1]: unknown bucket 'M9' "
        "(expected one of M0, M1, M2, M3, M4, M5, M6, M6+)",
        "s.yaml:9: segments[0].match.first_time: expected true or false, got 'maybe'",
        "s.yaml:13: segments[1].name: duplicate segment name 's'",
    ]


def test_yaml_syntax_error_names_its_line(tmp_path: Path) -> None:
    (error,) = errors(tmp_path, "name: t\nsegments:\n  - name: [unclosed\n")
    assert error.startswith("s.yaml:4: YAML syntax:")


def test_money_with_three_decimals_is_refused(tmp_path: Path) -> None:
    (error,) = errors(tmp_path, GOOD.replace('"100.00"', '"100.005"'))
    assert error.startswith("s.yaml:7: segments[0].match.balance.min: more than 2 decimals")


def test_challenger_from_file_with_its_own_line_numbers(tmp_path: Path) -> None:
    write(tmp_path, GOOD.replace("name: small", "name: rival"), "rival.yaml")
    main = write(tmp_path, GOOD + 'challenger:\n  share: "0.25"\n  file: rival.yaml\n')
    strategy = load_strategy(main, TEMPLATES)
    assert strategy.challenger is not None
    assert strategy.challenger.share_bp == 2_500
    assert strategy.challenger.strategy.name == "rival"
    write(tmp_path, GOOD.replace("channel: call", "channel: pigeon"), "rival.yaml")
    with pytest.raises(YamlFileError) as caught:
        load_strategy(main, TEMPLATES)
    assert [str(i) for i in caught.value.issues] == [
        "rival.yaml:10: segments[0].actions[0].channel: unknown channel 'pigeon' (expected one "
        "of call, sms, email, app_push, wechat, letter, lawyer_letter, visit)"
    ]


@pytest.mark.parametrize(
    ("challenger", "message"),
    [
        ('{share: "1.5", strategy: {name: x, segments: []}}', "share must be in (0, 1)"),
        ('{share: "0.12345", strategy: {name: x, segments: []}}', "at most 4 decimals"),
        ('{share: "0.1"}', "give exactly one of 'file' or 'strategy'"),
        ('{share: "0.1", file: nowhere.yaml}', "no such file"),
        (
            '{share: "0.1", strategy: {name: x, segments: [], '
            'challenger: {share: "0.1", strategy: {name: y, segments: []}}}}',
            "a challenger cannot itself have a challenger",
        ),
    ],
)
def test_bad_challenger(tmp_path: Path, challenger: str, message: str) -> None:
    (error,) = errors(tmp_path, GOOD + f"challenger: {challenger}\n")
    assert error.startswith("s.yaml:13: challenger")
    assert message in error


def test_inline_challenger(tmp_path: Path) -> None:
    inline = (
        'challenger:\n  share: "0.1"\n  strategy:\n    name: inline\n    segments:\n'
        "      - {name: s, stage: early, actions: [{key: c, channel: call, dpd: 2}]}\n"
    )
    strategy = load_strategy(write(tmp_path, GOOD + inline), TEMPLATES)
    assert strategy.challenger is not None
    rule = strategy.challenger.strategy.segments[0].actions[0]
    assert (rule.channel, rule.party, rule.days) == (Channel.CALL, Party.BORROWER, (2,))
