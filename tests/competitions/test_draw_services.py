import pytest

from competitions import draw_services, signals
from competitions.models import Draw, Entry
from config.errors import Conflict, DomainError, error
from tests.factories import CompetitionFactory, EntryFactory, EventFactory, MarkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    competition = CompetitionFactory()
    EventFactory(competition=competition, position=1)
    event = EventFactory(competition=competition, position=2, stations=0)
    EntryFactory.create_batch(6, event=event)
    return event


def entry_values(event, *fields):
    return list(Entry.objects.filter(event=event).order_by("id").values_list(*fields))


def test_draw_codes_assigns_unique_codes_with_the_event_letter(event):
    user = UserFactory()
    draw = draw_services.draw_codes(event=event, drawn_by=user, seed="fixed")
    codes = [code for (code,) in entry_values(event, "code")]
    assert sorted(codes) == ["B01", "B02", "B03", "B04", "B05", "B06"]
    assert (draw.kind, draw.seed, draw.drawn_by, draw.reason) == (Draw.Kind.CODE, "fixed", user, "")
    assert draw.result["params"] == {"prefix": "B"}
    assert {int(entry_id): value["code"] for entry_id, value in draw.result["entries"].items()} == dict(
        entry_values(event, "id", "code")
    )


def test_draw_codes_same_seed_gives_same_codes(event):
    draw_services.draw_codes(event=event, drawn_by=None, seed="same")
    first = entry_values(event, "id", "code")
    draw_services.draw_codes(event=event, drawn_by=None, seed="same", reason="复核")
    assert entry_values(event, "id", "code") == first


def test_draw_codes_generates_a_fresh_hex_seed(event):
    first = draw_services.draw_codes(event=event, drawn_by=None)
    second = draw_services.draw_codes(event=event, drawn_by=None, reason="现场复核")
    assert len(first.seed) == 32
    assert int(first.seed, 16) >= 0
    assert first.seed != second.seed


def test_draw_codes_prefix_can_be_given(event):
    draw_services.draw_codes(event=event, drawn_by=None, seed="s", prefix="UAV")
    assert sorted(code for (code,) in entry_values(event, "code"))[0] == "UAV01"


def test_redraw_keeps_the_prefix_of_the_previous_code_draw(event):
    draw_services.draw_codes(event=event, drawn_by=None, seed="s", prefix="UAV")
    redraw = draw_services.draw_codes(event=event, drawn_by=None, seed="t", reason="重抽")
    assert redraw.result["params"] == {"prefix": "UAV"}
    assert sorted(code for (code,) in entry_values(event, "code"))[0] == "UAV01"


def test_draw_stations_cover_1_to_n_without_station_count(event):
    draw = draw_services.draw_stations(event=event, drawn_by=None, seed="st")
    rows = entry_values(event, "station", "start_order")
    assert sorted(station for station, _ in rows) == [1, 2, 3, 4, 5, 6]
    assert all(station == start_order for station, start_order in rows)
    assert draw.result["params"] == {"stations": 0}


def test_draw_stations_distribute_over_stations_in_rounds(event):
    event.stations = 4
    event.save()
    draw_services.draw_stations(event=event, drawn_by=None, seed="st")
    rows = sorted(entry_values(event, "start_order", "station"))
    assert rows == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 1), (6, 2)]


def test_redraw_needs_a_reason(event):
    draw_services.draw_codes(event=event, drawn_by=None, seed="one")
    before = entry_values(event, "id", "code")
    with pytest.raises(DomainError) as excinfo:
        draw_services.draw_codes(event=event, drawn_by=None, seed="two", reason="  ")
    assert excinfo.value.code == "redraw_needs_reason"
    assert excinfo.value.status == 400
    assert entry_values(event, "id", "code") == before
    assert Draw.objects.filter(event=event).count() == 1


def test_redraw_of_the_other_kind_needs_no_reason(event):
    draw_services.draw_codes(event=event, drawn_by=None, seed="one")
    draw_services.draw_stations(event=event, drawn_by=None, seed="one")
    assert Draw.objects.filter(event=event).count() == 2


def test_redraw_with_reason_is_recorded(event):
    draw_services.draw_codes(event=event, drawn_by=None, seed="one")
    redraw = draw_services.draw_codes(event=event, drawn_by=None, seed="two", reason="抽签箱故障，现场重抽")
    assert redraw.reason == "抽签箱故障，现场重抽"
    assert Draw.objects.filter(event=event, kind=Draw.Kind.CODE).count() == 2


def test_redraw_after_scoring_started_is_refused(event):
    draw_services.draw_stations(event=event, drawn_by=None, seed="one")
    MarkFactory(entry=event.entries.first())
    before = entry_values(event, "id", "station", "start_order")
    with pytest.raises(Conflict) as excinfo:
        draw_services.draw_stations(event=event, drawn_by=None, seed="two", reason="重抽")
    assert excinfo.value.code == "scoring_started"
    assert excinfo.value.status == 409
    assert entry_values(event, "id", "station", "start_order") == before


def test_redraw_veto_from_a_signal_receiver_rolls_the_redraw_back(event):
    """The mechanism scoring uses: a ``redraw_requested`` receiver that raises stops the redraw."""
    draw_services.draw_codes(event=event, drawn_by=None, seed="one")
    before = entry_values(event, "id", "code")

    def veto(sender, *, event, kind, **kwargs):
        raise error("scoring_started")

    signals.redraw_requested.connect(veto)
    try:
        with pytest.raises(Conflict) as excinfo:
            draw_services.draw_codes(event=event, drawn_by=None, seed="two", reason="重抽")
    finally:
        signals.redraw_requested.disconnect(veto)
    assert excinfo.value.code == "scoring_started"
    assert entry_values(event, "id", "code") == before
    assert Draw.objects.filter(event=event).count() == 1


def test_first_draw_does_not_ask_the_receivers(event):
    calls = []

    def record(sender, *, event, kind, **kwargs):
        calls.append(kind)

    signals.redraw_requested.connect(record)
    try:
        draw_services.draw_codes(event=event, drawn_by=None, seed="one")
        draw_services.draw_codes(event=event, drawn_by=None, seed="two", reason="重抽")
    finally:
        signals.redraw_requested.disconnect(record)
    assert calls == [Draw.Kind.CODE]


def test_draw_without_entries_is_refused():
    with pytest.raises(DomainError) as excinfo:
        draw_services.draw_codes(event=EventFactory(), drawn_by=None)
    assert excinfo.value.code == "no_entries"


def test_draw_replay_matches_latest_draw(event):
    draw = draw_services.draw_codes(event=event, drawn_by=None)
    assert draw_services.draw_replay(draw=draw) == {"matches": True, "result_matches": True, "entries_match": True}
    stations = draw_services.draw_stations(event=event, drawn_by=None)
    assert draw_services.draw_replay(draw=stations)["matches"] is True
    assert draw_services.draw_replay(draw=draw)["matches"] is True


def test_draw_replay_of_superseded_draw_no_longer_matches_entries(event):
    first = draw_services.draw_codes(event=event, drawn_by=None, seed="one")
    draw_services.draw_codes(event=event, drawn_by=None, seed="two", reason="重抽")
    assert draw_services.draw_replay(draw=first) == {"matches": False, "result_matches": True, "entries_match": False}


def test_draw_replay_detects_tampered_result(event):
    draw = draw_services.draw_codes(event=event, drawn_by=None, seed="one")
    entry_id, value = next(iter(draw.result["entries"].items()))
    other_id, other = list(draw.result["entries"].items())[1]
    draw.result["entries"][entry_id], draw.result["entries"][other_id] = other, value
    draw.save()
    assert draw_services.draw_replay(draw=draw)["result_matches"] is False


def test_draw_replay_detects_a_new_entry(event):
    draw = draw_services.draw_codes(event=event, drawn_by=None, seed="one")
    EntryFactory(event=event)
    assert draw_services.draw_replay(draw=draw) == {"matches": False, "result_matches": True, "entries_match": False}


# ---- late entries (#17): only their own code and place, from what is left


def test_late_entries_draw_only_their_own_codes_and_places_even_after_marking_started(event):
    organiser = UserFactory()
    draw_services.draw_codes(event=event, drawn_by=organiser, seed="first")
    draw_services.draw_stations(event=event, drawn_by=organiser, seed="first")
    before = dict(Entry.objects.filter(event=event).values_list("id", "code"))
    places = dict(Entry.objects.filter(event=event).values_list("id", "start_order"))
    MarkFactory(entry=Entry.objects.filter(event=event).first())  # marking has started: no full redraw now
    late = EntryFactory.create_batch(3, event=event)

    codes = draw_services.draw_late(event=event, kind=Draw.Kind.CODE, drawn_by=organiser, seed="late")
    stations = draw_services.draw_late(event=event, kind=Draw.Kind.STATION, drawn_by=organiser, seed="late")

    after = dict(Entry.objects.filter(event=event).values_list("id", "code"))
    assert {pk: after[pk] for pk in before} == before  # nobody drawn earlier moved
    assert sorted(after[entry.pk] for entry in late) == ["B07", "B08", "B09"]
    assert sorted(Entry.objects.filter(pk__in=[e.pk for e in late]).values_list("start_order", flat=True)) == [7, 8, 9]
    assert dict(Entry.objects.filter(pk__in=places).values_list("id", "start_order")) == places
    # Every draw still replays and matches: the full draws' extra entries are the late draws' own.
    for draw in Draw.objects.filter(event=event):
        assert draw_services.draw_replay(draw=draw)["matches"], draw.result["params"]
    assert (codes.reason, codes.result["params"]["late"], stations.seed) == ("迟到报名补抽", True, "late")


def test_late_draw_needs_a_first_draw_and_late_entries(event):
    organiser = UserFactory()
    with pytest.raises(DomainError) as excinfo:
        draw_services.draw_late(event=event, kind=Draw.Kind.CODE, drawn_by=organiser)
    assert (excinfo.value.code, excinfo.value.status) == ("no_draw_yet", 409)
    draw_services.draw_codes(event=event, drawn_by=organiser)
    with pytest.raises(DomainError) as excinfo:
        draw_services.draw_late(event=event, kind=Draw.Kind.CODE, drawn_by=organiser)
    assert (excinfo.value.code, excinfo.value.status) == ("no_late_entries", 400)
