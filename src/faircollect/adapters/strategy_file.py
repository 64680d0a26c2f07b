"""Load a strategy YAML file into the pure ``Strategy`` value, reporting every mistake.

Each error names the file, the line and the key path (see ``yaml_reader``). Beyond types,
the loader checks the rules a strategy must not be able to break: third parties only to
locate or relay, by call or SMS (CN-3P-1); escalations anchored on a broken promise; agency
placement only past the agency threshold; templates that exist.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from importlib import resources
from pathlib import Path

from yaml.nodes import Node

from faircollect.adapters.input_files import InputFileError, read_text_file
from faircollect.adapters.yaml_reader import (
    NodeReader,
    YamlFileError,
    YamlIssue,
    child,
    raw_entry,
)
from faircollect.domain.ledger.state import Stage, StageThresholds
from faircollect.domain.money import MoneyError, parse_yuan
from faircollect.domain.strategy.arms import BASIS_POINTS
from faircollect.domain.strategy.model import (
    THIRD_PARTY_PURPOSES,
    ActionKind,
    ActionRule,
    Anchor,
    Challenger,
    Channel,
    IntRange,
    Party,
    Policies,
    Purpose,
    Segment,
    SegmentMatch,
    Strategy,
)

BUCKETS = ("M0", "M1", "M2", "M3", "M4", "M5", "M6", "M6+")
_TOP_KEYS = ("name", "thresholds", "policies", "challenger", "segments")
_SEGMENT_KEYS = ("name", "stage", "match", "actions", "escalation")
_MATCH_KEYS = ("buckets", "products", "balance", "risk", "first_time")
_ACTION_KEYS = (
    "key",
    "kind",
    "channel",
    "party",
    "purpose",
    "template",
    "priority",
    "at",
    "every",
    *(a.value for a in Anchor),
)
_THIRD_PARTY_CHANNELS = frozenset({Channel.CALL, Channel.SMS})
_SCRIPTED_CHANNELS = frozenset({Channel.CALL, Channel.VISIT})


StrategyFileError = YamlFileError


def default_strategy_path() -> Path:
    """The strategy shipped with the package (seed stages plus the legal stage)."""
    return Path(str(resources.files("faircollect").joinpath("data/strategy/default.yaml")))


def load_strategy(path: Path, known_templates: Collection[str] | None = None) -> Strategy:
    """Read and validate a strategy file; raises ``YamlFileError`` listing every mistake."""
    reader = NodeReader(path.name or str(path))
    strategy = _StrategyParser(reader, path.parent, known_templates).parse_file(path)
    reader.raise_if_any()
    assert strategy is not None
    return strategy


@dataclass
class _StrategyParser:
    reader: NodeReader
    base_dir: Path
    known_templates: Collection[str] | None
    nested: bool = False

    def parse_file(self, path: Path) -> Strategy | None:
        try:
            text = read_text_file(path, label=path.name or str(path))
        except InputFileError as err:
            label = path.name or str(path)
            self.reader.issues.append(YamlIssue(label, err.line or 1, "", err.reason))
            return None
        root = self.reader.compose(text)
        return None if root is None else self.parse(root, "")

    def parse(self, node: Node, path: str) -> Strategy | None:
        r = self.reader
        top = r.mapping(node, path, allowed=_TOP_KEYS, required=("name", "segments"))
        if top is None:
            return None
        name = r.string(top.get("name"), child(path, "name")) if "name" in top else None
        thresholds = self._thresholds(top.get("thresholds"), child(path, "thresholds"))
        policies = self._policies(top.get("policies"), child(path, "policies"))
        segments = self._segments(top.get("segments"), child(path, "segments"), policies)
        challenger = None
        if "challenger" in top:
            challenger = self._challenger(top["challenger"], child(path, "challenger"))
        if None in (name, thresholds, policies, segments):
            return None
        assert name is not None and thresholds is not None and policies is not None
        assert segments is not None
        return Strategy(name, thresholds, segments, policies, challenger)

    def _thresholds(self, node: Node | None, path: str) -> StageThresholds | None:
        if node is None:
            return StageThresholds()
        keys = ("pre_due_days", "early_max_dpd", "intensive_max_dpd")
        entries = self.reader.mapping(node, path, allowed=keys)
        if entries is None:
            return None
        values = {k: self.reader.integer(v, child(path, k), minimum=0) for k, v in entries.items()}
        if None in values.values():
            return None
        thresholds = StageThresholds(**{k: v for k, v in values.items() if v is not None})
        if not 0 < thresholds.early_max_dpd < thresholds.intensive_max_dpd:
            self.reader.error(
                node,
                path,
                "need 0 < early_max_dpd < intensive_max_dpd "
                f"(got {thresholds.early_max_dpd}, {thresholds.intensive_max_dpd})",
            )
            return None
        return thresholds

    def _policies(self, node: Node | None, path: str) -> Policies | None:
        if node is None:
            return Policies()
        r = self.reader
        ints = (
            "unreachable_after_failed_attempts",
            "visit_notice_days",
            "agency_threshold_dpd",
            "agency_recall_days",
        )
        texts = ("visit_notice_template", "hotline", "lender_name", "law_firm")
        entries = r.mapping(node, path, allowed=(*ints, *texts))
        if entries is None:
            return None
        values: dict[str, int | str | None] = {}
        for key, value in entries.items():
            where = child(path, key)
            values[key] = (
                r.integer(value, where, minimum=0) if key in ints else r.string(value, where)
            )
        if None in values.values():
            return None
        # keys and types were checked above, one by one; mypy cannot see that per key
        policies = Policies(**values)  # type: ignore[arg-type]
        self._check_template(
            policies.visit_notice_template,
            entries.get("visit_notice_template", node),
            child(path, "visit_notice_template"),
        )
        return policies

    def _challenger(self, node: Node, path: str) -> Challenger | None:
        r = self.reader
        if self.nested:
            r.error(node, path, "a challenger cannot itself have a challenger")
            return None
        entries = r.mapping(node, path, allowed=("share", "file", "strategy"), required=("share",))
        if entries is None:
            return None
        share = self._share(entries.get("share"), child(path, "share"))
        if ("file" in entries) == ("strategy" in entries):
            r.error(node, path, "give exactly one of 'file' or 'strategy' (inline)")
            return None
        sub = _StrategyParser(r, self.base_dir, self.known_templates, nested=True)
        if "file" in entries:
            name = r.string(entries["file"], child(path, "file"))
            if name is None:
                return None
            target = self.base_dir / name
            if not target.is_file():
                r.error(entries["file"], child(path, "file"), f"no such file: {target}")
                return None
            outer = r.file
            r.file = target.name
            strategy = sub.parse_file(target)
            r.file = outer
        else:
            strategy = sub.parse(entries["strategy"], child(path, "strategy"))
        if strategy is None or share is None:
            return None
        return Challenger(strategy, share)

    def _share(self, node: Node | None, path: str) -> int | None:
        """A share such as "0.20" as basis points; exact, never a float."""
        value = self.reader.decimal(node, path)
        if value is None:
            return None
        bp = value * BASIS_POINTS
        if not Decimal(0) < value < Decimal(1) or bp != bp.to_integral_value():
            self.reader.error(
                node, path, f"share must be in (0, 1) with at most 4 decimals, got '{value}'"
            )
            return None
        return int(bp)

    def _segments(
        self, node: Node | None, path: str, policies: Policies | None
    ) -> tuple[Segment, ...] | None:
        items = self.reader.sequence(node, path)
        if items is None:
            return None
        segments: list[Segment | None] = []
        names: set[str] = set()
        for i, item in enumerate(items):
            segments.append(self._segment(item, child(path, i), policies))
            name_node = raw_entry(item, "name")
            if name_node is None:
                continue
            if name_node.value in names:
                self.reader.error(
                    name_node,
                    child(child(path, i), "name"),
                    f"duplicate segment name '{name_node.value}'",
                )
                segments[-1] = None
            names.add(name_node.value)
        if None in segments:
            return None
        return tuple(s for s in segments if s is not None)

    def _segment(self, node: Node, path: str, policies: Policies | None) -> Segment | None:
        r = self.reader
        entries = r.mapping(
            node, path, allowed=_SEGMENT_KEYS, required=("name", "stage", "actions")
        )
        if entries is None:
            return None
        name = r.string(entries.get("name"), child(path, "name")) if "name" in entries else None
        stage = (
            r.choice(entries["stage"], child(path, "stage"), Stage, "stage")
            if "stage" in entries
            else None
        )
        match = self._match(entries.get("match"), child(path, "match"))
        actions = self._actions(entries.get("actions"), child(path, "actions"), False, policies)
        escalation: tuple[ActionRule, ...] | None = ()
        if "escalation" in entries:
            escalation = self._actions(
                entries["escalation"], child(path, "escalation"), True, policies
            )
        if actions is not None and escalation is not None:
            self._check_unique_keys((*actions, *escalation), node, path)
        if name is None or stage is None or match is None or actions is None or escalation is None:
            return None
        return Segment(name, stage, match, actions, escalation)

    def _check_unique_keys(self, rules: tuple[ActionRule, ...], node: Node, path: str) -> None:
        keys = [rule.key for rule in rules]
        for key in sorted({k for k in keys if keys.count(k) > 1}):
            self.reader.error(node, path, f"action key '{key}' is used twice in this segment")

    def _match(self, node: Node | None, path: str) -> SegmentMatch | None:
        if node is None:
            return SegmentMatch()
        r = self.reader
        entries = r.mapping(node, path, allowed=_MATCH_KEYS)
        if entries is None:
            return None
        ok = True
        buckets: tuple[str, ...] = ()
        if "buckets" in entries:
            buckets = r.strings(entries["buckets"], child(path, "buckets")) or ()
            for i, b in enumerate(buckets):
                if b not in BUCKETS:
                    r.error(
                        entries["buckets"],
                        child(child(path, "buckets"), i),
                        f"unknown bucket '{b}' (expected one of {', '.join(BUCKETS)})",
                    )
                    ok = False
        products = (
            r.strings(entries["products"], child(path, "products"))
            if ("products" in entries)
            else ()
        )
        balance = self._range(entries.get("balance"), child(path, "balance"), money=True)
        risk = (
            self._range(entries["risk"], child(path, "risk"), money=False)
            if ("risk" in entries)
            else None
        )
        first_time = (
            r.boolean(entries["first_time"], child(path, "first_time"))
            if ("first_time" in entries)
            else None
        )
        if not ok or products is None or balance is None or ("risk" in entries and risk is None):
            return None
        if "first_time" in entries and first_time is None:
            return None
        return SegmentMatch(frozenset(buckets), frozenset(products), balance, risk, first_time)

    def _range(self, node: Node | None, path: str, *, money: bool) -> IntRange | None:
        """``{min, max}``: yuan strings for money (to fen), whole numbers for scores."""
        if node is None:
            return IntRange()
        r = self.reader
        entries = r.mapping(node, path, allowed=("min", "max"))
        if entries is None:
            return None
        bounds: dict[str, int | None] = {}
        for key, value in entries.items():
            bounds[key] = (
                self._money(value, child(path, key))
                if money
                else r.integer(value, child(path, key))
            )
        if any(bounds.get(k) is None for k in entries):
            return None
        low, high = bounds.get("min"), bounds.get("max")
        if low is not None and high is not None and low >= high:
            r.error(node, path, "min must be below max")
            return None
        return IntRange(low, high)

    def _money(self, node: Node, path: str) -> int | None:
        text = self.reader.string(node, path)
        if text is None:
            return None
        try:
            return parse_yuan(text)
        except MoneyError as err:
            self.reader.error(node, path, str(err))
            return None

    def _actions(
        self, node: Node | None, path: str, escalation: bool, policies: Policies | None
    ) -> tuple[ActionRule, ...] | None:
        items = self.reader.sequence(node, path)
        if items is None:
            return None
        rules = [
            self._action(item, child(path, i), escalation, policies) for i, item in enumerate(items)
        ]
        if None in rules:
            return None
        return tuple(rule for rule in rules if rule is not None)

    def _action(
        self, node: Node, path: str, escalation: bool, policies: Policies | None
    ) -> ActionRule | None:
        r = self.reader
        entries = r.mapping(node, path, allowed=_ACTION_KEYS, required=("key",))
        if entries is None:
            return None

        def get(key: str) -> tuple[Node | None, str]:
            return entries.get(key), child(path, key)

        key = r.string(*get("key")) if "key" in entries else None
        kind = (
            r.choice(*get("kind"), ActionKind, "kind")
            if "kind" in entries
            else (ActionKind.CONTACT)
        )
        channel = r.choice(*get("channel"), Channel, "channel") if "channel" in entries else None
        party = r.choice(*get("party"), Party, "party") if "party" in entries else Party.BORROWER
        purpose = (
            r.choice(*get("purpose"), Purpose, "purpose")
            if "purpose" in entries
            else (Purpose.COLLECT)
        )
        template = r.string(*get("template")) if "template" in entries else None
        priority = r.integer(*get("priority"), minimum=0) if "priority" in entries else 50
        at = self._time(*get("at")) if "at" in entries else time(10, 0)
        every = r.integer(*get("every"), minimum=1) if "every" in entries else None
        when = self._when(entries, node, path, escalation)
        values = (key, kind, party, purpose, priority, at, when)
        if None in values or ("channel" in entries and channel is None):
            return None
        if "every" in entries and every is None:
            return None
        assert key is not None and kind is not None and party is not None
        assert purpose is not None and priority is not None and at is not None and when
        rule = ActionRule(
            key, when[0], when[1], kind, channel, party, purpose, template, priority, at, every
        )
        return rule if self._check_rule(rule, entries, node, path, policies) else None

    def _when(
        self, entries: dict[str, Node], node: Node, path: str, escalation: bool
    ) -> tuple[Anchor, tuple[int, ...]] | None:
        anchors = [a for a in Anchor if a.value in entries]
        if len(anchors) != 1:
            names = ", ".join(a.value for a in Anchor)
            self.reader.error(node, path, f"give exactly one of {names} (the days it runs)")
            return None
        anchor = anchors[0]
        where = child(path, anchor.value)
        if escalation != (anchor is Anchor.BROKEN_PROMISE):
            expected = "escalation actions count days from a broken promise (broken_promise:)"
            if not escalation:
                expected = "only escalation actions may use broken_promise"
            self.reader.error(entries[anchor.value], where, expected)
            return None
        days = self.reader.integers(entries[anchor.value], where)
        if days is None:
            return None
        lowest = {Anchor.DPD: 1, Anchor.BROKEN_PROMISE: 0}.get(anchor)
        if lowest is not None and min(days, default=lowest) < lowest:
            self.reader.error(entries[anchor.value], where, f"days must be at least {lowest}")
            return None
        return anchor, tuple(sorted(days))

    def _time(self, node: Node | None, path: str) -> time | None:
        """A local time "HH:MM" (read from the raw text: YAML 1.1 would make 10:00 sexagesimal)."""
        raw = str(getattr(node, "value", ""))
        try:
            return time.fromisoformat(raw)
        except ValueError:
            self.reader.error(node, path, f"expected a local time HH:MM, got '{raw}'")
            return None

    def _check_rule(
        self,
        rule: ActionRule,
        entries: dict[str, Node],
        node: Node,
        path: str,
        policies: Policies | None,
    ) -> bool:
        """Rules no strategy may break; each failure is an issue at the offending key."""
        r = self.reader
        before = len(r.issues)
        if rule.kind is ActionKind.CONTACT and rule.channel is None:
            r.error(node, path, "a contact action needs a channel")
        if rule.kind is not ActionKind.CONTACT and rule.channel is not None:
            r.error(
                entries["channel"],
                child(path, "channel"),
                f"a {rule.kind.value} action contacts nobody; remove the channel",
            )
        if rule.party is Party.EMERGENCY_CONTACT:
            if rule.purpose not in THIRD_PARTY_PURPOSES:
                r.error(
                    entries.get("purpose", node),
                    child(path, "purpose"),
                    f"an emergency contact may only be asked to locate or relay, not "
                    f"'{rule.purpose.value}' (CN-3P-1)",
                )
            if rule.channel is not None and rule.channel not in _THIRD_PARTY_CHANNELS:
                r.error(
                    entries["channel"],
                    child(path, "channel"),
                    f"an emergency contact may only be called or sent an SMS, not "
                    f"'{rule.channel.value}' (CN-3P-1)",
                )
        needs_template = rule.channel is not None and rule.channel not in _SCRIPTED_CHANNELS
        if needs_template and rule.template is None:
            r.error(node, path, f"a {rule.channel} action needs a template")
        if rule.template is not None:
            self._check_template(rule.template, entries["template"], child(path, "template"))
        if rule.kind is ActionKind.AGENCY_PLACEMENT and policies is not None:
            threshold = policies.agency_threshold_dpd
            if rule.anchor is Anchor.DPD and min(rule.days) <= threshold:
                r.error(
                    entries["dpd"],
                    child(path, "dpd"),
                    f"agency placement only over DPD {threshold}, got {min(rule.days)}",
                )
        return len(r.issues) == before

    def _check_template(self, name: str, node: Node, path: str) -> None:
        if self.known_templates is not None and name not in self.known_templates:
            self.reader.error(node, path, f"unknown template '{name}'")
