"""The demo target: a Flask webserver that hands slow work to Celery, like
the platform team's server in the brief.

  POST /admin/login                      {"username","password"} ->
                                         200 {"access_token","refresh_token"}
  POST /aws_container/assign_container   {"username","region_name"[,"fail"]
                                         [,"seconds"]} -> 202 {"ID": uuid},
                                         503 when the queue is full
  GET  /status/<task_id>                 200 {"state","output"}; 400 for a
                                         bad id
  GET  /                                 200 "OK"

Everything but / and /admin/login needs "Authorization: Bearer <token>".
Environment: TARGET_REDIS_URL, TARGET_ADMIN_USER (admin),
TARGET_ADMIN_PASSWORD (admin-secret), TARGET_JOB_SECONDS (2.0),
TARGET_MAX_QUEUE (200).
"""
import os
import secrets
import time
import uuid

import redis
from flask import Flask, jsonify, request

from tasks import celery_app, run_container

app = Flask(__name__)
REDIS = redis.Redis.from_url(os.environ["TARGET_REDIS_URL"])
ADMIN_USER = os.environ.get("TARGET_ADMIN_USER", "admin")
ADMIN_PASSWORD = os.environ.get("TARGET_ADMIN_PASSWORD", "admin-secret")
JOB_SECONDS = float(os.environ.get("TARGET_JOB_SECONDS", "2.0"))
MAX_QUEUE = int(os.environ.get("TARGET_MAX_QUEUE", "200"))
TOKENS_KEY = "target:tokens"
QUEUE_KEY = "target:in_flight"
JOBS_KEY = "target:jobs"           # task id -> times (see tasks.py)
ANSWERS_KEY = "target:assign"      # status -> how many assign answers
FIRST_POLL_KEY = "target:first_poll"   # task id -> its first status poll


def authorized():
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        return False
    return REDIS.sismember(TOKENS_KEY, auth[7:])


@app.get("/")
def health():
    return "OK", 200, {"Content-Type": "text/plain"}


@app.post("/admin/login")
def login():
    body = request.get_json(silent=True) or {}
    if body.get("username") != ADMIN_USER or body.get("password") != ADMIN_PASSWORD:
        return jsonify(error="bad credentials"), 401
    token = secrets.token_urlsafe(24)
    REDIS.sadd(TOKENS_KEY, token)
    return jsonify(access_token=token, refresh_token=secrets.token_urlsafe(24))


@app.post("/aws_container/assign_container")
def assign_container():
    if not authorized():
        return jsonify(error="unauthorized"), 401
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not body.get("username"):
        return jsonify(error="expected JSON with a username"), 400
    # The queue is "full" when too many jobs are pending or running; the
    # counter goes down when a task finishes (see tasks.py).
    if REDIS.incr(QUEUE_KEY) > MAX_QUEUE:
        REDIS.decr(QUEUE_KEY)
        REDIS.hincrby(ANSWERS_KEY, "503")
        return jsonify(error="busy, retry"), 503
    seconds = float(body.get("seconds", JOB_SECONDS))
    task_id = str(uuid.uuid4())
    # The job's record starts before the worker can see the job.
    REDIS.hset(JOBS_KEY, task_id, "%.6f" % time.time())
    run_container.apply_async(
        args=[body["username"], body.get("region_name", "us-east-1"),
              seconds, bool(body.get("fail", False))],
        task_id=task_id)
    REDIS.hincrby(ANSWERS_KEY, "202")
    return jsonify(ID=task_id), 202


@app.get("/status/<task_id>")
def status(task_id):
    if not authorized():
        return jsonify(error="unauthorized"), 401
    try:
        uuid.UUID(task_id)
    except ValueError:
        return jsonify(error="bad task id"), 400
    # When the first poll of each job arrived: a flow starts there.
    REDIS.hsetnx(FIRST_POLL_KEY, task_id, "%.6f" % time.time())
    res = celery_app.AsyncResult(task_id)
    state = res.state
    output = None
    if state == "SUCCESS":
        output = res.result
    elif state == "FAILURE":
        output = str(res.result)
    return jsonify(state=state, output=output)
