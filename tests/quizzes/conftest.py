import pytest
from django.core.cache import cache

from quizzes.selectors import TREE_CACHE_KEY


@pytest.fixture(autouse=True)
def _fresh_quiz_cache(settings):
    # The unit tree is cached; on the services run the cache is a shared Redis database, so
    # drop only our keys (never flush it) and lift the address throttle (every test client is
    # 127.0.0.1) unless a test sets its own rate.
    settings.QUIZ_RATE_PER_ADDRESS = "100000/min"
    cache.delete(TREE_CACHE_KEY)
    cache.delete("throttle_quiz_address_127.0.0.1")
    yield
    cache.delete(TREE_CACHE_KEY)
