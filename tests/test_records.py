"""calculators.records: the value classes of calculators/, made without compiling code at import."""

import ast
from pathlib import Path

import pytest

from calculators.records import FrozenRecordError, as_dict, field, fields, is_record, record, replace


@record
class Point:
    x: int
    y: int = 0
    tags: dict = field(default_factory=dict)


@record
class Checked:
    size: int

    def __post_init__(self):
        if self.size < 0:
            raise ValueError("size must not be negative")


@record(frozen=False)
class Tally:
    name: str
    seen: list = field(default_factory=list)


def test_fields_come_by_position_or_by_name_and_defaults_fill_the_rest():
    assert (Point(1, 2).x, Point(1, 2).y) == (1, 2)
    assert Point(y=5, x=3) == Point(3, 5)
    assert Point(4).y == 0 and Point(4).tags == {}
    assert fields(Point) == ("x", "y", "tags") == fields(Point(1))


def test_each_record_gets_its_own_default_from_a_factory():
    first, second = Point(1), Point(2)
    assert first.tags is not second.tags
    assert "tags" not in Point.__dict__  # no class attribute to fall back on


@pytest.mark.parametrize("make, message", [
    (lambda: Point(), "missing field 'x'"),
    (lambda: Point(1, x=2), "field 'x' twice"),
    (lambda: Point(1, z=2), "no field 'z'"),
    (lambda: Point(1, 2, {}, 4), "takes 3 fields, 4 were given"),
])
def test_a_wrong_call_names_the_field(make, message):
    with pytest.raises(TypeError, match=message):
        make()


def test_a_frozen_record_refuses_changes_and_a_mutable_one_takes_them():
    point = Point(1)
    with pytest.raises(FrozenRecordError, match="cannot change 'x'"):
        point.x = 2
    with pytest.raises(AttributeError):
        del point.y
    assert point == Point(1)
    tally = Tally("a")
    tally.seen.append(1)
    tally.name = "b"
    assert tally == Tally("b", [1])


def test_equal_records_hash_alike_and_a_mutable_one_has_no_hash():
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(2, 1)
    assert len({Checked(1), Checked(1), Checked(2)}) == 2 and hash(Checked(1)) == hash(Checked(1))
    assert Point(1) != Tally("1") and Point(1) != (1, 0, {})
    with pytest.raises(TypeError):
        hash(Tally("a"))


def test_post_init_runs_on_making_and_on_replace():
    with pytest.raises(ValueError, match="negative"):
        Checked(-1)
    with pytest.raises(ValueError, match="negative"):
        replace(Checked(1), size=-1)
    assert replace(Point(1, 2), y=3) == Point(1, 3)
    with pytest.raises(TypeError, match="no field 'z'"):
        replace(Point(1), z=2)


def test_repr_and_as_dict_show_every_field_nested_records_included():
    assert repr(Point(1, 2)) == "Point(x=1, y=2, tags={})"
    nested = Point(1, 2, {"inner": Point(3), "list": [Point(4)], "tuple": (Checked(5),)})
    assert as_dict(nested) == {"x": 1, "y": 2, "tags": {
        "inner": {"x": 3, "y": 0, "tags": {}},
        "list": [{"x": 4, "y": 0, "tags": {}}],
        "tuple": ({"size": 5},)}}
    assert is_record(Point) and is_record(Point(1)) and not is_record({"x": 1})
    with pytest.raises(TypeError):
        as_dict(Point)


def test_declarations_a_record_cannot_honour_are_refused():
    with pytest.raises(TypeError, match="without a default follows"):
        @record
        class Misordered:
            x: int = 0
            y: int
    with pytest.raises(TypeError, match="derive from object only"):
        @record
        class Derived(Point):
            z: int = 0
    with pytest.raises(TypeError, match="not both"):
        field(default=1, default_factory=list)


def test_no_module_of_the_calculators_uses_dataclasses():
    """dataclasses compiles every class's methods at import: in the browser, most of the time between Pyodide
    being ready and the first result (records.py says how much)."""
    package = Path(__file__).resolve().parents[1] / "calculators"
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                assert all(alias.name != "dataclasses" for alias in node.names), path
            elif isinstance(node, ast.ImportFrom):
                assert node.module != "dataclasses", path
