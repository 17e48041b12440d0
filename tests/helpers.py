"""Small helpers shared by the API tests."""

from rest_framework.test import APIClient

from competitions.models import JudgeAssignment
from tests.factories import JudgeAssignmentFactory


def client_for(user=None):
    """An API client authenticated as ``user`` (anonymous when None)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def organiser_of(competition):
    """A new user who organises ``competition``."""
    return JudgeAssignmentFactory(competition=competition, role=JudgeAssignment.Role.ORGANISER).user
