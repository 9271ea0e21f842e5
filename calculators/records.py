"""Records: the calculators' value classes, declared as dataclasses are, made without compiling anything.

`dataclasses` writes each class's `__init__`, `__repr__`, `__eq__` and `__hash__` as Python source and compiles
it when the class is defined. Under Pyodide that compiling is slow (the interpreter's compiler runs as
WebAssembly nobody has warmed), and it was most of the time between Pyodide being ready in the browser and the
first result: importing the calculators took 245 ms in Node, 165 ms of it in `dataclasses`, for 35 classes.
A record's methods are the same few functions for every class, reading the class's field names, so defining one
costs a dictionary or two.

    @record
    class Point:
        x: int
        y: int = 0
        tags: dict = field(default_factory=dict)

A record is frozen unless declared `@record(frozen=False)`: assigning to a field raises `FrozenRecordError`. The
fields are the class's annotations, in order; a field with a default may be followed only by others with one.
It takes its fields by position or by name, calls `__post_init__(self)` if the class defines one, compares equal
to a record of the same class with equal fields, hashes by its fields when frozen (unhashable otherwise, as a
mutable value should be), and reprs as `Point(x=1, y=0, tags={})`. A record's class derives from `object` only.
`replace`, `as_dict`, `fields` and `is_record` do what `dataclasses`' functions of those names do.
"""

from operator import attrgetter
from typing import dataclass_transform

_NO_DEFAULT = object()


class FrozenRecordError(AttributeError):
    """An assignment to a field of a frozen record."""


class _Factory:
    """A default made fresh for each record (a dict, a list)."""

    __slots__ = ("make",)

    def __init__(self, make):
        self.make = make


def field(*, default=_NO_DEFAULT, default_factory=None):
    """A field's default when a plain `= value` will not do: `default_factory` is called for each new record."""
    if default_factory is not None:
        if default is not _NO_DEFAULT:
            raise TypeError("field() takes a default or a default_factory, not both")
        return _Factory(default_factory)
    if default is _NO_DEFAULT:
        raise TypeError("field() needs a default or a default_factory")
    return default


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls=None, /, *, frozen: bool = True):
    """The class as a record: `@record` or `@record(frozen=False)`."""
    if cls is None:
        return lambda cls: _make_record(cls, frozen)
    return _make_record(cls, frozen)


def is_record(value) -> bool:
    """Whether `value` is a record or a record class."""
    return hasattr(value, "__record_fields__")


def fields(value) -> tuple:
    """The names of a record's (or a record class's) fields, in order."""
    return value.__record_fields__


def replace(value, **changes):
    """A new record like `value`, with the fields named in `changes` changed (and `__post_init__` run again)."""
    state = {name: getattr(value, name) for name in value.__record_fields__}
    return type(value)(**{**state, **changes})  # __init__ refuses a name that is not a field


def as_dict(value) -> dict:
    """A record as a dict of its fields, the records inside it (in lists, tuples and dicts too) as dicts."""
    if not is_record(value) or isinstance(value, type):
        raise TypeError(f"as_dict() takes a record, not {type(value).__name__}")
    return {name: _plain(getattr(value, name)) for name in value.__record_fields__}


def _plain(value):
    if is_record(value) and not isinstance(value, type):
        return as_dict(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _make_record(cls, frozen: bool):
    if cls.__bases__ != (object,):
        raise TypeError(f"record {cls.__name__} derives from {cls.__bases__[0].__name__}; records derive from "
                        "object only")
    names = tuple(cls.__annotations__)
    defaults, factories = {}, {}
    for name in names:
        value = cls.__dict__.get(name, _NO_DEFAULT)
        if isinstance(value, _Factory):
            factories[name] = value.make
            delattr(cls, name)  # as a class attribute it would hide a missing instance field
        elif value is not _NO_DEFAULT:
            defaults[name] = value
        elif defaults or factories:
            raise TypeError(f"record {cls.__name__}: field {name!r} without a default follows one with a default")
    cls.__record_fields__ = names
    cls.__init__ = _initializer(cls, names, defaults, factories)
    cls.__repr__ = _repr
    cls.__eq__ = _eq
    if frozen:
        cls.__setattr__ = _refuse_assignment
        cls.__delattr__ = _refuse_assignment
        cls.__hash__ = _hash
    else:
        cls.__hash__ = None
    # One getter reading every field at once, as a tuple (attrgetter of a single name returns the value alone).
    getter = attrgetter(*names) if len(names) != 1 else (lambda value, get=attrgetter(names[0]): (get(value),))
    cls.__record_values__ = staticmethod(getter)
    return cls


def _initializer(cls, names, defaults, factories):
    known = frozenset(names)
    count = len(names)
    post_init = getattr(cls, "__post_init__", None)

    def complete(state):
        """The fields given and defaulted, each checked, and the factories' defaults of the others."""
        for name in state:
            if name not in known:
                raise TypeError(f"{cls.__name__}() has no field {name!r}")
        for name in names:
            if name in state:
                continue
            if name not in factories:
                raise TypeError(f"{cls.__name__}() is missing field {name!r}")
            state[name] = factories[name]()
        return state

    def __init__(self, *args, **kwargs):
        if len(args) > count:
            raise TypeError(f"{cls.__name__}() takes {count} fields, {len(args)} were given")
        if args and kwargs and not kwargs.keys().isdisjoint(names[:len(args)]):
            twice = min(kwargs.keys() & set(names[:len(args)]))
            raise TypeError(f"{cls.__name__}() got field {twice!r} twice")
        state = defaults.copy()
        state.update(zip(names, args))
        state.update(kwargs)
        # Every field given or defaulted is the common case: two set operations in C check it.
        if len(state) != count or not state.keys() <= known:
            state = complete(state)
        self.__dict__.update(state)  # past __setattr__, which a frozen record refuses
        if post_init is not None:
            post_init(self)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _repr(self):
    values = self.__record_values__(self)
    inside = ", ".join(f"{name}={value!r}" for name, value in zip(self.__record_fields__, values))
    return f"{type(self).__qualname__}({inside})"


def _eq(self, other):
    if type(other) is not type(self):
        return NotImplemented
    return self.__dict__ == other.__dict__  # a record's attributes are its fields


def _hash(self):
    return hash(self.__record_values__(self))


def _refuse_assignment(self, name, *value):
    raise FrozenRecordError(f"{type(self).__name__} is frozen: cannot change {name!r}")
