import pytest
from django.urls import reverse

from competitions.models import Competition, Entry
from competitions.services import event_decode
from config.errors import message
from live import services
from live.board import row_keys
from live.groups import COMPETITION, EVENT, MONITOR, group_name
from live.models import BoardState
from scoring.services import MarkInput, marks_submit
from scoring.signals import event_decoded_on_commit
from tests.factories import FrozenBoardFactory, RevealProgressFactory, UserFactory, judged_event_factory
from tests.live.conftest import LayerListener, undecode

pytestmark = pytest.mark.django_db

Publication = Competition.Publication


def standings(client, judged):
    response = client.get(reverse("live:standings", args=[judged.event.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    return response.json()


def test_standings_data_returns_the_socket_version_and_rows(client, judged):
    judged.mark(0, 10, "k1")
    judged.mark(1, 15, "k2")
    data = standings(client, judged)
    first, second = judged.entries
    assert (data["type"], data["policy"], data["version"], data["hidden"]) == ("standings.full", "live", 2, 0)
    assert [(row["code"], row["pos"], row["rank"], row["total"], row["award"]) for row in data["rows"]] == [
        (second.code, 1, 1, "15.00", 1),
        (first.code, 2, 2, "10.00", 2),
    ]
    # Rows are keyed by an opaque key: no entry id, no station.
    keys = row_keys(judged.event.pk, [second.pk, first.pk])
    assert [row["key"] for row in data["rows"]] == [keys[second.pk], keys[first.pk]]
    assert not {"entry", "station"} & data["rows"][0].keys()


def test_standings_data_of_a_blind_event_is_sealed_until_decoded(client, judged):
    undecode(judged)
    judged.mark(0, 10, "k1")
    judged.mark(1, 15, "k2")
    data = standings(client, judged)
    first, second = judged.entries
    # Codes in code order (not board order), whether each is fully marked, and no score, rank or award.
    assert data["sealed"] is True
    assert data["rows"] == [
        {"key": row_keys(judged.event.pk, [first.pk])[first.pk], "code": first.code, "complete": True, "pos": 1},
        {"key": row_keys(judged.event.pk, [second.pk])[second.pk], "code": second.code, "complete": True, "pos": 2},
    ]
    overview = client.get(reverse("live:overview-data", args=[judged.competition.pk])).json()
    assert [(e["sealed"], e["rows"]) for e in overview["events"]] == [(True, [])]
    event_decode(event=judged.event, actor=judged.chief)
    data = standings(client, judged)
    assert "sealed" not in data
    assert [(row["code"], row["rank"], row["total"]) for row in data["rows"]] == [
        (second.code, 1, "15.00"),
        (first.code, 2, "10.00"),
    ]


def test_standings_data_names_entries_beside_codes_once_decoded(client, judged):
    judged.mark(0, 10, "k1")
    event_decode(event=judged.event, actor=judged.chief)
    data = standings(client, judged)
    first = judged.entries[0]
    assert (data["rows"][0]["code"], data["rows"][0]["name"]) == (first.code, first.contestant.name)


def test_standings_data_of_an_event_that_is_not_blind_names_entries_without_codes(client, judged):
    judged.mark(0, 10, "k1")
    judged.event.blind = False
    judged.event.save()
    row = standings(client, judged)["rows"][0]
    assert row["name"] == judged.entries[0].contestant.name
    assert "code" not in row


def test_standings_data_hidden_leaks_nothing(client, judged):
    judged.mark(0, 10, "k1")
    services.publication_set(actor=judged.organiser, competition=judged.competition, policy=Publication.HIDDEN)
    judged.mark(1, 17.5, "k2")
    data = standings(client, judged)
    generation = data.pop("gen")
    assert data == {
        "type": "standings.full",
        "event": judged.event.pk,
        "policy": "hidden",
        "version": None,
        "hidden": 0,
        "rows": [],
    }
    # The board's generation does not move with the marks either: nothing the public sees changed.
    judged.mark(0, 12, "k3", version=1)
    assert standings(client, judged)["gen"] == generation


def test_standings_data_frozen_shows_the_freeze_not_later_marks(client, judged):
    judged.mark(0, 10, "k1")
    services.publication_set(actor=judged.organiser, competition=judged.competition, policy=Publication.FROZEN)
    judged.mark(1, 17.5, "k2")
    judged.mark(0, 19, "k3", version=1)
    data = standings(client, judged)
    assert data["version"] == 3
    assert [(row["total"], row["rank"], row["pending"]) for row in data["rows"]] == [
        ("10.00", 1, True),
        (None, None, True),
    ]
    body = client.get(reverse("live:standings", args=[judged.event.pk])).content.decode()
    assert ("17.50" in body, "19.00" in body) == (False, False)


def test_standings_data_shows_a_change_that_came_without_a_mark(client, judged):
    judged.mark(0, 10, "k1")
    judged.mark(1, 15, "k2")
    # Disqualified from the admin or the API: no mark, no standings version, no broadcast.
    entry = judged.entries[1]
    entry.status = Entry.Status.DSQ
    entry.save()
    data = standings(client, judged)
    assert [(row["total"], row["status"]) for row in data["rows"]] == [("10.00", "ok"), (None, "dsq")]


def test_standings_data_rebuilds_when_the_stored_board_is_behind(client, judged):
    judged.mark(0, 10, "k1")
    # A mark whose broadcast never ran (the process died after commit): the stored board is still version 1.
    marks_submit(
        judge=judged.judges[0],
        event=judged.event,
        marks=[MarkInput(entry=judged.entries[1].pk, criterion="look", value="15", version=0)],
        idempotency_key="k2",
    )
    assert BoardState.objects.get(event=judged.event).board["version"] == 1
    listener = LayerListener(group_name(EVENT, judged.event.pk))
    data = standings(client, judged)
    assert (data["version"], data["gen"], [row["total"] for row in data["rows"]]) == (2, 2, ["15.00", "10.00"])
    # Built once for that generation, stored, and the missed change published to the screens too.
    assert BoardState.objects.get(event=judged.event).board == data
    assert [(frame["type"], frame["gen"], frame["base"]) for frame in listener.frames()] == [("standings.delta", 2, 1)]


def test_standings_data_is_served_from_the_stored_board_once_per_generation(client, judged, django_assert_num_queries):
    judged.mark(0, 10, "k1")
    standings(client, judged)
    with django_assert_num_queries(3):  # the event (visibility), its stored board, the standings version
        data = standings(client, judged)
    assert (data["version"], data["gen"]) == (1, 1)


def test_standings_data_never_serves_a_stored_live_board_under_another_policy(client, judged):
    judged.mark(0, 10, "k1")
    live_board = BoardState.objects.get(event=judged.event).board
    # The policy written behind the live control's back (no broadcast): the store still holds the live board.
    Competition.objects.filter(pk=judged.competition.pk).update(publication=Publication.HIDDEN)
    assert live_board["policy"] == "live"
    assert standings(client, judged)["rows"] == []


def test_standings_data_shows_chief_judge_the_live_rows_as_preview(client, judged):
    judged.mark(0, 10, "k1")
    services.publication_set(actor=judged.organiser, competition=judged.competition, policy=Publication.HIDDEN)
    client.force_login(judged.chief)
    data = standings(client, judged)
    assert (data["policy"], data["preview"], [row["total"] for row in data["rows"]]) == ("live", True, ["10.00", None])


def test_standings_data_of_private_competition_is_404_for_the_public(client):
    judged = judged_event_factory(entries=1, judges=1, is_public=False)
    response = client.get(reverse("live:standings", args=[judged.event.pk]))
    assert response.status_code == 404


def test_board_page_renders_tv_mode_with_qr_to_phone_view(client, judged):
    response = client.get(reverse("live:board", args=[judged.event.pk]) + "?tv=1")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-tv="1"' in html
    assert f'data-ws="/ws/events/{judged.event.pk}/"' in html
    # Scalable (viewBox, no fixed size), so the CSS box never crops the code.
    assert '<svg viewBox="0 0 ' in html
    assert "手机扫码看成绩" in html
    assert "连接中断，正在重连…" in html


def test_phone_and_overview_pages_render(client, judged):
    phone = client.get(reverse("live:phone", args=[judged.event.pk]))
    overview = client.get(reverse("live:overview", args=[judged.competition.pk]))
    assert (phone.status_code, overview.status_code) == (200, 200)
    assert 'data-mode="phone"' in phone.content.decode()
    assert f'data-ws="/ws/competitions/{judged.competition.pk}/"' in overview.content.decode()


def test_overview_data_applies_the_policy(client, judged):
    judged.mark(0, 10, "k1")
    data = client.get(reverse("live:overview-data", args=[judged.competition.pk])).json()
    assert [(e["event"], e["policy"], [r["total"] for r in e["rows"]]) for e in data["events"]] == [
        (judged.event.pk, "live", ["10.00", None])
    ]
    services.publication_set(actor=judged.organiser, competition=judged.competition, policy=Publication.HIDDEN)
    data = client.get(reverse("live:overview-data", args=[judged.competition.pk])).json()
    assert [(e["policy"], e["rows"]) for e in data["events"]] == [("hidden", [])]


def test_monitor_page_requires_login(client, judged):
    response = client.get(reverse("live:monitor", args=[judged.event.pk]))
    assert (response.status_code, response["Location"].split("?")[0]) == (302, reverse("login"))


@pytest.mark.parametrize("who", ["spectator", "judge"])
def test_monitor_refuses_non_chief_users(client, judged, who):
    client.force_login(UserFactory() if who == "spectator" else judged.judges[0])
    assert client.get(reverse("live:monitor", args=[judged.event.pk])).status_code == 403
    assert client.get(reverse("live:monitor-data", args=[judged.event.pk])).status_code == 403


def test_monitor_data_shows_progress_and_codes_to_chief_judge(client, judged):
    judged.mark(0, 10, "k1")
    client.force_login(judged.chief)
    page = client.get(reverse("live:monitor", args=[judged.event.pk]))
    data = client.get(reverse("live:monitor-data", args=[judged.event.pk])).json()
    assert page.status_code == 200
    assert "揭晓下一个名次" not in page.content.decode()  # publication controls are the organiser's
    assert (data["version"], data["progress"]["expected"], data["progress"]["missing"]) == (1, 2, 1)
    assert [row["code"] for row in data["rows"]] == ["A01", "A02"]


def test_monitor_data_names_no_entry_by_id_and_nobody_until_decoded(client, judged):
    undecode(judged)
    judged.mark(0, 10, "k1")
    client.force_login(judged.chief)
    url = reverse("live:monitor-data", args=[judged.event.pk])
    before = client.get(url).json()
    first = judged.entries[0]

    assert all(not {"entry", "name", "organisation"} & row.keys() for row in before["rows"])
    assert [row["code"] for row in before["progress"]["by_entry"]] == ["A01", "A02"]
    assert all("entry" not in row for row in before["progress"]["by_entry"])
    cells = [cell for judge in before["progress"]["by_judge"] for cell in judge["cells"]]
    assert [(cell["code"], "entry" in cell) for cell in cells] == [("A02", False)]
    assert first.contestant.name not in client.get(url).content.decode()

    event_decode(event=judged.event, actor=judged.chief)
    after = client.get(url).json()
    assert (after["rows"][0]["code"], after["rows"][0]["name"]) == (first.code, first.contestant.name)


def test_decoding_sends_every_screen_the_whole_board_and_hints_the_monitor(judged, django_capture_on_commit_callbacks):
    undecode(judged)  # sealed until now: decoding changes what every screen shows
    judged.mark(0, 10, "k1")
    listener = LayerListener(
        group_name(EVENT, judged.event.pk),
        group_name(COMPETITION, judged.competition.pk),
        group_name(MONITOR, judged.event.pk),
    )
    with django_capture_on_commit_callbacks(execute=True):
        event_decode(event=judged.event, actor=judged.chief)
        event_decoded_on_commit(judged.event.pk)
    frames = listener.frames()

    assert [frame["type"] for frame in frames] == ["standings.full", "overview.event", "monitor.changed"]
    assert [row["name"] for row in frames[0]["rows"]] == [e.contestant.name for e in judged.entries]
    assert BoardState.objects.get(event=judged.event).board["rows"] == frames[0]["rows"]


def test_organiser_switches_to_reveal_and_reveals_from_the_monitor(client, judged):
    judged.mark(0, 10, "k1")
    judged.mark(1, 15, "k2")
    client.force_login(judged.organiser)
    response = client.post(reverse("live:publication", args=[judged.event.pk]), {"policy": "reveal"})
    assert response.status_code == 302
    assert "揭晓下一个名次" in client.get(reverse("live:monitor", args=[judged.event.pk])).content.decode()
    client.post(reverse("live:reveal", args=[judged.event.pk]))
    client.logout()
    data = standings(client, judged)
    assert ([row["total"] for row in data["rows"]], data["hidden"]) == (["10.00"], 1)


def test_chief_judge_cannot_change_publication(client, judged):
    client.force_login(judged.chief)
    client.post(reverse("live:publication", args=[judged.event.pk]), {"policy": "hidden"})
    judged.competition.refresh_from_db()
    assert judged.competition.publication == Publication.LIVE
    page = client.get(reverse("live:monitor", args=[judged.event.pk])).content.decode()
    assert str(message("not_organiser")) in page


def test_frozen_outside_the_live_control_shows_no_scores_rather_than_late_ones(client, judged):
    judged.mark(0, 10, "k1")
    Competition.objects.filter(pk=judged.competition.pk).update(publication=Publication.FROZEN, frozen_at=None)
    data = standings(client, judged)
    assert (data["policy"], data["rows"], data["version"]) == ("frozen", [], 1)


def test_frozen_board_comes_from_its_snapshot_labelled_as_of_now(client, judged):
    # A snapshot taken before rows had keys (by entry id), with names: shown by key and code, as the event is blind,
    # and sealed (no scores) until it is decoded.
    undecode(judged)
    snapshot_row = {
        "entry": judged.entries[1].pk,
        "pos": 1,
        "name": "甲",
        "organisation": "乙",
        "total": "3.00",
        "rank": 1,
        "award": 1,
        "status": "ok",
        "complete": True,
    }
    FrozenBoardFactory(event=judged.event, version=0, rows=[snapshot_row])
    Competition.objects.filter(pk=judged.competition.pk).update(publication=Publication.FROZEN)
    judged.mark(1, 10, "k1")
    data = standings(client, judged)
    key = row_keys(judged.event.pk, [judged.entries[1].pk])[judged.entries[1].pk]
    assert data["rows"] == [{"key": key, "code": judged.entries[1].code, "complete": True, "pos": 1, "pending": True}]
    # Decoded while frozen: the frozen board names its rows at once.
    event_decode(event=judged.event, actor=judged.chief)
    (row,) = standings(client, judged)["rows"]
    assert (row["code"], row["name"], row["total"]) == (
        judged.entries[1].code,
        judged.entries[1].contestant.name,
        "3.00",
    )


def test_reveal_board_shows_revealed_count_from_last(client, judged):
    judged.mark(0, 10, "k1")
    judged.mark(1, 15, "k2")
    Competition.objects.filter(pk=judged.competition.pk).update(publication=Publication.REVEAL)
    RevealProgressFactory(event=judged.event, revealed=1)
    data = standings(client, judged)
    assert ([row["code"] for row in data["rows"]], data["hidden"]) == ([judged.entries[0].code], 1)


def test_standings_data_tells_the_board_how_to_come_back(client, judged, monkeypatch):
    """Defect 9: after a restart screens came back over 16 s (1000) and 94 s (5000) on blind backoff.

    The server says how widely to spread the first try (its sockets over what it admits a second)
    and how often to retry meanwhile; static/live/board.js follows it.
    """
    from live import hub

    response = client.get(reverse("live:standings", args=[judged.event.pk]))
    assert response["Live-Reconnect"] == f"spread={hub.SPREAD_MIN_MS}, retry={hub.RETRY_MS}"
    monkeypatch.setattr(hub, "local_sockets", lambda: 5000)
    assert hub.reconnect_hint() == f"spread={round(5000 * 1000 / hub.ADMIT_PER_S)}, retry={hub.RETRY_MS}"
    monkeypatch.setattr(hub, "local_sockets", lambda: 10**6)
    assert hub.reconnect_hint().startswith(f"spread={hub.SPREAD_MAX_MS},")
