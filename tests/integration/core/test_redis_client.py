"""The app's Redis client (``app.queue.redis_connection``): one per process for ``REDIS_URL``,
so a request that queues jobs after its commit opens no new connection."""
from app.queue import redis_connection


def test_requests_share_the_processs_redis_client_and_its_open_connection(app):
    # given two requests (each its own app context), one after the other, that each use Redis
    with app.app_context():
        first = redis_connection()
        first.ping()
        connections_after_first = first.connection_pool._created_connections
    with app.app_context():
        second = redis_connection()
        second.ping()
    # then the second used the first's client and a connection already open (earlier tests of
    # this process may have opened more than one)
    assert second is first
    assert second.connection_pool._created_connections == connections_after_first


def test_a_client_for_another_url_is_its_own(app):
    with app.app_context():
        shared = redis_connection()
        other = redis_connection(app.config["REDIS_URL"])
    assert other is not shared
