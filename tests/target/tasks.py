"""Celery side of the demo target: one task that "starts a container" by
sleeping for the requested time, then succeeds or fails.

Ground truth for the tests: every job's times are kept in the Redis hash
target:jobs (task id -> "accepted started finished state", Unix seconds as
the web app and the worker saw them), so a test can compare herd's flow
times with what the jobs really took."""
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


JOBS_KEY = "target:jobs"


def note_job(task_id, started, state):
    """Completes the job's record (the web app wrote "accepted" first)."""
    accepted = (REDIS.hget(JOBS_KEY, task_id) or b"0").split()[0].decode()
    REDIS.hset(JOBS_KEY, task_id, "%s %.6f %.6f %s"
               % (accepted, started, time.time(), state))


@celery_app.task(name="run_container", bind=True)
def run_container(self, username, region, seconds, fail):
    started = time.time()
    state = "FAILURE"
    try:
        time.sleep(seconds)
        if fail:
            raise RuntimeError("container for %s failed to start" % username)
        state = "SUCCESS"
        return {"container": "c-%s" % username, "region": region}
    finally:
        REDIS.decr("target:in_flight")
        note_job(self.request.id, started, state)


CLUSTERS_KEY = "target:clusters"   # cluster name -> ACTIVE / DELETED
CLUSTER_SECONDS = float(os.environ.get("TARGET_CLUSTER_SECONDS", "0.5"))


@celery_app.task(name="create_cluster")
def create_cluster_job(body):
    """Creates the cluster after a while (a real one takes minutes)."""
    time.sleep(CLUSTER_SECONDS)
    REDIS.hset(CLUSTERS_KEY, body["cluster_name"], "ACTIVE")
    return {"cluster": body["cluster_name"], "region": body["region_name"]}


@celery_app.task(name="delete_cluster")
def delete_cluster_job(body):
    """Deletes it; fails for a cluster that is not there, or while the
    test asks for a failing teardown (Redis key target:fail_delete)."""
    time.sleep(CLUSTER_SECONDS)
    name = body["cluster_name"]
    if REDIS.exists("target:fail_delete"):
        raise RuntimeError("cluster %s: deletion refused" % name)
    if REDIS.hget(CLUSTERS_KEY, name) != b"ACTIVE":
        raise RuntimeError("cluster %s does not exist" % name)
    REDIS.hset(CLUSTERS_KEY, name, "DELETED")
    return {"cluster": name}
