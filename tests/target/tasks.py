"""Celery side of the demo target: one task that "starts a container" by
sleeping for the requested time, then succeeds or fails."""
import os
import time

import redis
from celery import Celery

BROKER = os.environ["TARGET_REDIS_URL"]
celery_app = Celery("target", broker=BROKER, backend=BROKER)
celery_app.conf.update(
    task_track_started=True,          # so STARTED shows between PENDING/SUCCESS
    result_expires=3600,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
)
REDIS = redis.Redis.from_url(BROKER)


@celery_app.task(name="run_container")
def run_container(username, region, seconds, fail):
    try:
        time.sleep(seconds)
        if fail:
            raise RuntimeError("container for %s failed to start" % username)
        return {"container": "c-%s" % username, "region": region}
    finally:
        REDIS.decr("target:in_flight")
