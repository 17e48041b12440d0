import pytest

from tests.helpers import organiser_of


@pytest.fixture
def organiser(competition):
    """The organiser of the module's ``competition`` fixture."""
    return organiser_of(competition)


@pytest.fixture
def api(client, organiser):
    """The Django test client, logged in as that organiser."""
    client.force_login(organiser)
    return client
