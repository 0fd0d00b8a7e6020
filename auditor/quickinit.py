"""A quicker __init__ for the frozen dataclasses a scan makes by the hundred thousand (no
pydantic here: the model imports it, and `auditor --help` imports the model)."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

_T = TypeVar("_T")


class _Unset:
    """The default of a field with a default factory, as in the dataclass __init__."""

    def __repr__(self) -> str:
        return "<factory>"


_UNSET: Any = _Unset()


def quick_init(cls: type[_T]) -> type[_T]:
    """Give a frozen, slotted dataclass an __init__ that stores each field through its slot
    directly. The dataclass one goes through object.__setattr__ to get past the frozen guard,
    about twice the cost: a Finding's 18 fields took 2 µs, more than most checks, and a
    10,000-workload scan makes 240,000 findings and a million evidence items.

    Same parameters, defaults and default factories, in the same order; the instances are
    the same: frozen (assigning a field raises FrozenInstanceError), equal, hashed and
    replaced as before. Only for plain frozen dataclasses with slots: no __post_init__, no
    init=False or keyword-only fields (refused when the class is made)."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: quick_init is for frozen dataclasses with slots")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: quick_init cannot call __post_init__")
    namespace: dict[str, Any] = {"_UNSET": _UNSET}
    args, body = [], []
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        name = field.name
        if not field.init or field.kw_only:
            raise TypeError(f"{cls.__name__}.{name}: quick_init needs plain init fields")
        if field.default is not dataclasses.MISSING:
            namespace[f"_default_{name}"] = field.default
            args.append(f"{name}=_default_{name}")
        elif field.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{name}"] = field.default_factory
            args.append(f"{name}=_UNSET")
            body.append(f"    if {name} is _UNSET:\n        {name} = _factory_{name}()")
        else:
            args.append(name)
        namespace[f"_set_{name}"] = cls.__dict__[name].__set__  # the slot's own setter
        body.append(f"    _set_{name}(__quick_self__, {name})")
    source = "\n".join([f"def __init__(__quick_self__, {', '.join(args)}):", *body, "    pass"])
    exec(source, namespace)  # the source is made above from the field names only
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = dict(cls.__init__.__annotations__)
    type.__setattr__(cls, "__init__", init)
    return cls
