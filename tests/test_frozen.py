"""quick_init: the quicker __init__ keeps what a frozen dataclass promises."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest

from auditor.frozen import quick_init
from auditor.model import Evidence, Finding
from auditor.topology import Node, NodeKind, Role


@quick_init
@dataclasses.dataclass(frozen=True, slots=True)
class Sample:
    name: str
    count: int = 0
    tags: dict[str, str] = dataclasses.field(default_factory=dict)


def test_the_fields_defaults_and_factories_are_those_of_the_dataclass():
    assert Sample("a") == Sample(name="a", count=0, tags={})
    assert Sample("a", 2, {"k": "v"}).tags == {"k": "v"}
    assert Sample("a").tags is not Sample("a").tags  # a fresh default each time
    assert str(inspect.signature(Sample)) == (
        "(name: 'str', count: 'int' = 0, tags: 'dict[str, str]' = <factory>) -> None"
    )
    with pytest.raises(TypeError):
        Sample()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Sample("a", 1, {}, 4)  # type: ignore[call-arg]


def test_instances_stay_frozen_equal_hashable_replaceable_and_picklable():
    evidence = Evidence("/subscriptions/s/x", "location", "eastus")
    with pytest.raises(dataclasses.FrozenInstanceError):
        evidence.path = "name"  # type: ignore[misc]
    assert evidence == Evidence("/subscriptions/s/x", "location", "eastus")
    assert len({evidence, Evidence("/subscriptions/s/x", "location", "eastus")}) == 1
    assert dataclasses.replace(evidence, observed="westus").observed == "westus"
    assert pickle.loads(pickle.dumps(evidence)) == evidence
    node = Node("/x", NodeKind.STORAGE, "x", None, Role.PRIMARY, True)
    other = Node("/y", NodeKind.STORAGE, "y", None, Role.PRIMARY, True)
    assert node.detail == {} and node.detail is not other.detail


def test_the_scan_model_uses_it():
    for cls in (Evidence, Finding, Node):
        assert cls.__init__.__qualname__ == f"{cls.__qualname__}.__init__"
        assert "__quick_self__" in inspect.signature(cls.__init__).parameters


def test_classes_it_cannot_keep_the_promises_of_are_refused():
    with pytest.raises(TypeError, match="frozen dataclasses with slots"):

        @quick_init
        @dataclasses.dataclass(frozen=True)
        class NoSlots:
            name: str

    with pytest.raises(TypeError, match="frozen dataclasses with slots"):

        @quick_init
        @dataclasses.dataclass(slots=True)
        class NotFrozen:
            name: str

    with pytest.raises(TypeError, match="post_init"):

        @quick_init
        @dataclasses.dataclass(frozen=True, slots=True)
        class Checked:
            name: str

            def __post_init__(self) -> None:
                pass
