"""The history view draws a workload's table by hand where rich would draw the same bytes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.history import Point, Trend
from auditor.render import history_text

_scores = st.tuples(st.integers(0, 100), st.booleans())
_points = st.builds(
    Point,
    run_id=st.integers(1, 100_000),
    generated_at=st.sampled_from(["2026-11-26T08:30:00Z", "", "2026-11-26 08:30"]),
    collected_at=st.just("2026-11-20T06:00:00Z"),
    as_of=st.just("2026-11-26"),
    source=st.just("demo"),
    complete=st.booleans(),
    exit_code=st.sampled_from([0, 1, 3]),
    target=st.sampled_from(["hot/hot", "hot/cold", "foundation hot/warm, inference hot/hot"]),
    target_score=st.integers(0, 100),
    target_ready=st.booleans(),
    tiers=st.dictionaries(st.sampled_from(["hot/hot", "hot/warm", "hot/cold"]), _scores),
)
_trends = st.builds(
    Trend,
    runs=st.integers(0, 50),
    workloads=st.dictionaries(
        st.text("abc-x ", min_size=1, max_size=30), st.lists(_points, max_size=6).map(tuple)
    ),
)


def _all_by_rich(monkeypatch):
    monkeypatch.setattr(history_text._Layouts, "draw", history_text._Layouts._rich)


@settings(max_examples=60, deadline=None)
@given(trend=_trends, width=st.sampled_from([30, 45, 60, 80, 120, 200]))
def test_tables_drawn_by_hand_are_what_rich_draws(trend, width):
    fast = history_text.render("h.sqlite", trend, width=width)
    original = history_text._Layouts.draw
    history_text._Layouts.draw = history_text._Layouts._rich  # type: ignore[method-assign]
    try:
        slow = history_text.render("h.sqlite", trend, width=width)
    finally:
        history_text._Layouts.draw = original  # type: ignore[method-assign]
    assert fast == slow


def test_thousands_of_workloads_are_drawn_from_a_few_layouts(monkeypatch):
    point = Point(1, "2026-11-26T08:30:00Z", "", "", "demo", True, 0, "hot/cold", 90, True, {})
    trend = Trend(runs=1, workloads={f"w{i}": (point,) for i in range(2000)})
    drawn: list[int] = []
    learn = history_text._Layouts._learn
    monkeypatch.setattr(
        history_text._Layouts, "_learn", lambda self, rows: drawn.append(1) or learn(self, rows)
    )
    text = history_text.render("h.sqlite", trend, width=80)
    assert len(drawn) == 1
    assert text.count("|   1 | 2026-11-26T08:30:00Z |") == 2000
