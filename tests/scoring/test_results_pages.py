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
