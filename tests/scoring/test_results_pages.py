"""Pages of the results chain: the chief's desk, the organiser's results page, the public notice."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring.models import EventResults, Objection, ReviewItem
from tests.scoring.test_results_chain import marked_event

pytestmark = pytest.mark.django_db


def chief_step(client, panel, **data):
    return client.post(reverse("tablet:chief-results", args=[panel.event.pk]), data)


def test_chief_page_walks_the_chain_close_draw_review_decode_announce(client):
    panel = marked_event(entries=3)
    client.force_login(panel.chief)
    page = client.get(reverse("tablet:chief", args=[panel.event.pk]))
    assert 'id="step-close"' in page.content.decode()
    refused = chief_step(client, panel, step="decode")
    assert (refused.status_code, 'data-code="review_not_complete"' in refused.content.decode()) == (409, True)
    assert chief_step(client, panel, step="close", reason="比赛结束").status_code == 302
    assert chief_step(client, panel, step="draw").status_code == 302
    items = list(ReviewItem.objects.filter(event=panel.event))
    first = items[0]
    corrected = chief_step(
        client,
        panel,
        step="correct",
        item=first.pk,
        judge=panel.judges[0].pk,
        criterion="total",
        attempt=1,
        value="77",
        reason="登分错误",
    )
    assert corrected.status_code == 302
    for item in items[1:]:
        assert chief_step(client, panel, step="confirm", item=item.pk).status_code == 302
    assert chief_step(client, panel, step="decode", reason="监督员在场").status_code == 302
    assert chief_step(client, panel, step="announce", days=3, contact="赛事办").status_code == 302
    state = EventResults.objects.get(event=panel.event)
    assert (state.stage, state.contact, state.full_review) == ("announced", "赛事办", True)
    first.refresh_from_db()
    assert first.corrections.get().new_value == 77


def test_chief_results_is_for_the_chief_judge_only(client):
    panel = marked_event(entries=2)
    client.force_login(panel.judges[0])
    assert chief_step(client, panel, step="close").status_code == 403
    assert not EventResults.objects.filter(event=panel.event, marking_closed_at__isnull=False).exists()


def test_notice_page_is_404_until_announced_then_lists_names_and_takes_objections(client):
    from tests.scoring.test_results_chain import announced

    panel = marked_event(entries=2)
    panel.competition.is_public = True
    panel.competition.save()
    url = reverse("event-notice", args=[panel.competition.slug, panel.event.code])
    assert client.get(url).status_code == 404
    panel = announced(entries=3)
    panel.competition.is_public = True
    panel.competition.save()
    url = reverse("event-notice", args=[panel.competition.slug, panel.event.code])
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert all(entry.contestant.name in text for entry in panel.entries)
    assert "赛事办 010-12345678" in text
    filed = client.post(url, {"name": "张三", "contact": "13800000000", "text": "第二名分数有误"})
    assert (filed.status_code, Objection.objects.get().text) == (200, "第二名分数有误")
    missing = client.post(url, {"name": "", "contact": "", "text": ""})
    assert missing.status_code == 400


def test_organiser_results_page_rules_on_objections_and_finalises(client):
    from scoring import results
    from tests.scoring.test_results_chain import announced

    panel = announced(entries=2)
    objection = results.objection_file(event=panel.event, name="李四", contact="139", text="有异议")
    client.force_login(panel.organiser)
    url = reverse("manage-event-results", args=[panel.event.pk])
    assert client.get(url).status_code == 200
    early = client.post(url, {"step": "finalise"})
    assert (early.status_code, 'data-code="announcement_not_over"' in early.content.decode()) == (409, True)
    EventResults.objects.filter(event=panel.event).update(announcement_ends_at=timezone.now() - timedelta(minutes=1))
    blocked = client.post(url, {"step": "finalise"})
    assert (blocked.status_code, 'data-code="objections_open"' in blocked.content.decode()) == (409, True)
    client.post(url, {"step": "objection", "objection": objection.pk, "status": "dismissed", "decision": "不成立"})
    assert client.post(url, {"step": "finalise"}).status_code == 302
    assert EventResults.objects.get(event=panel.event).stage == "final"
    client.force_login(panel.chief)
    assert client.get(url).status_code == 404  # the organiser's page


def test_organiser_results_page_reopens_the_review_after_an_upheld_objection(client):
    from scoring import results, services
    from tests.scoring.test_results_chain import announced

    panel = announced(entries=3)
    client.force_login(panel.organiser)
    url = reverse("manage-event-results", args=[panel.event.pk])
    assert 'id="reopen-form"' not in client.get(url).content.decode()  # nothing upheld: nothing to reopen
    objection = results.objection_file(event=panel.event, name="李四", contact="139", text="分数录错")
    client.post(url, {"step": "objection", "objection": objection.pk, "status": "upheld", "decision": "成立"})
    page = client.get(url).content.decode()
    assert 'id="reopen-form"' in page
    code = panel.entries[1].code
    wrong = client.post(url, {"step": "reopen", "entries": "NOPE", "reason": "复查"})
    assert (wrong.status_code, 'data-code="entry_not_in_event"' in wrong.content.decode()) == (400, True)
    assert client.post(url, {"step": "reopen", "entries": f" {code} ，", "reason": "复查"}).status_code == 302
    assert EventResults.objects.get(event=panel.event).stage == "review"
    assert list(ReviewItem.objects.filter(event=panel.event, round=2).values_list("entry__code", flat=True)) == [code]
    # An open appeal is shown, since it holds the announcement.
    services.appeal_file(user=panel.chief, entry=panel.entries[0], reason="计时有误")
    assert 'id="open-appeals"' in client.get(url).content.decode()


def test_reopen_through_the_api_by_code():
    from scoring import results
    from tests.helpers import client_for
    from tests.scoring.test_results_chain import announced

    panel = announced(entries=3)
    objection = results.objection_file(event=panel.event, name="王", contact="1", text="错")
    results.objection_decide(actor=panel.organiser, objection=objection, status="upheld", decision="成立")
    base = f"/api/v1/events/{panel.event.pk}/results/"
    judge = client_for(panel.judges[0]).post(
        base + "reopen/", {"entries": [panel.entries[0].code], "reason": "x"}, format="json"
    )
    assert judge.status_code == 403
    empty = client_for(panel.chief).post(base + "reopen/", {"entries": [], "reason": "x"}, format="json")
    assert (empty.status_code, empty.json()["field"]) == (400, "entries")
    done = client_for(panel.chief).post(
        base + "reopen/", {"entries": [panel.entries[0].code], "reason": "复查"}, format="json"
    )
    assert (done.status_code, done.json()["stage"]) == (200, "review")
    items = client_for(panel.chief).get(base + "review-items/").json()
    rows = items["results"] if isinstance(items, dict) else items
    assert [(row["code"], row["round"], row["reason"]) for row in rows if row["round"] == 2] == [
        (panel.entries[0].code, 2, "objection")
    ]
