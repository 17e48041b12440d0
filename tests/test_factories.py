"""Every model of the project has a factory, and each factory saves a valid row."""

import factory
import pytest
from django.apps import apps

import tests.factories as factories

pytestmark = pytest.mark.django_db

FACTORIES = {
    value._meta.model: value
    for value in vars(factories).values()
    if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory) and value._meta.model
}
MODELS = [
    model
    for app in ("competitions", "scoring", "certificates", "live")
    for model in apps.get_app_config(app).get_models()
    if not model._meta.proxy  # a proxy (live's CompetitionPublication) has no rows of its own
]


def test_factories_cover_every_model():
    assert [model.__name__ for model in MODELS if model not in FACTORIES] == []


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_factory_saves_a_row(model):
    instance = FACTORIES[model]()
    assert model.objects.filter(pk=instance.pk).count() == 1
