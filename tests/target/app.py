"""The demo target: a Flask webserver that hands slow work to Celery, like
the platform team's server in the brief.

  POST /admin/login                      {"username","password"} ->
                                         200 {"access_token","refresh_token"}
  POST /aws_container/assign_container   {"username","region_name"[,"fail"]
                                         [,"seconds"]} -> 202 {"ID": uuid},
                                         503 when the queue is full
                                         (the old system's body adds
                                         "task_definition_arn" and
                                         "cluster_name": the cluster must
                                         exist then, else 409)
  GET  /status/<task_id>                 200 {"state","output"}; 400 for a
                                         bad id
  POST /aws_container/create_cluster     {"cluster_name","instance_type",
                                         "region_name","max_size",
                                         "min_size"} -> 202 {"ID"}
  POST /aws_container/delete_cluster     {"cluster_name","region_name"} ->
                                         202 {"ID"}; the job fails when the
                                         cluster does not exist or Redis
                                         key target:fail_delete is set
  POST /account/register                 {"username","password","name",
                                         "feedback"} -> 200, 409 when the
                                         user exists
  GET  /                                 200 "OK"

Everything but /, /admin/login and /account/register needs
"Authorization: Bearer <token>". Environment: TARGET_REDIS_URL,
TARGET_ADMIN_USER (admin), TARGET_ADMIN_PASSWORD (admin-secret),
TARGET_JOB_SECONDS (2.0), TARGET_MAX_QUEUE (200), TARGET_CLUSTER_SECONDS
(0.5), TARGET_REQUIRE_USERS (unset; "1": assign answers 403 for a
username that never registered).

The target's own records (what tests compare herd with): see the *_KEY
names below and tasks.py. Redis key target:fail_jobs, while set, makes
every new container job fail (a failure in the middle of a load);
target:fail_register makes /account/register answer 500.
"""
import json
import os
import secrets
import time
import uuid

import redis
from flask import Flask, jsonify, request

from tasks import celery_app, run_container, create_cluster_job, delete_cluster_job, CLUSTERS_KEY

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
USERS_KEY = "target:users"         # username -> registration (JSON)
REGISTER_KEY = "target:register"   # status -> how many register answers
REGISTER_BY_USER_KEY = "target:register_by_user"  # username -> attempts
ASSIGN_BODIES_KEY = "target:assign_bodies"  # distinct bodies, username "*"
CLUSTER_LOG_KEY = "target:cluster_log"   # list of "create NAME" / "delete NAME" requests
REQUIRE_USERS = os.environ.get("TARGET_REQUIRE_USERS") == "1"


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
    shape = dict(body, username="*")
    REDIS.sadd(ASSIGN_BODIES_KEY, json.dumps(shape, sort_keys=True))
    if REQUIRE_USERS and not REDIS.hexists(USERS_KEY, body["username"]):
        REDIS.hincrby(ANSWERS_KEY, "403")
        return jsonify(error="no such user"), 403
    cluster = body.get("cluster_name")
    if cluster is not None and REDIS.hget(CLUSTERS_KEY, cluster) != b"ACTIVE":
        REDIS.hincrby(ANSWERS_KEY, "409")
        return jsonify(error="cluster %s is not active" % cluster), 409
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
    fail = bool(body.get("fail", False)) or REDIS.exists("target:fail_jobs")
    run_container.apply_async(
        args=[body["username"], body.get("region_name", "us-east-1"),
              seconds, fail],
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


def cluster_job(job, keys):
    if not authorized():
        return jsonify(error="unauthorized"), 401
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or any(not body.get(k) for k in keys):
        return jsonify(error="expected JSON with %s" % ", ".join(keys)), 400
    REDIS.rpush(CLUSTER_LOG_KEY, "%s %s" % (job.name.split("_")[0],
                                            body["cluster_name"]))
    task_id = str(uuid.uuid4())
    job.apply_async(args=[body], task_id=task_id)
    return jsonify(ID=task_id), 202


@app.post("/aws_container/create_cluster")
def create_cluster():
    return cluster_job(create_cluster_job, ["cluster_name", "instance_type",
                                            "region_name", "max_size",
                                            "min_size"])


@app.post("/aws_container/delete_cluster")
def delete_cluster():
    return cluster_job(delete_cluster_job, ["cluster_name", "region_name"])


@app.post("/account/register")
def register():
    body = request.get_json(silent=True)
    keys = ["username", "password", "name", "feedback"]
    if not isinstance(body, dict) or any(not body.get(k) for k in keys):
        REDIS.hincrby(REGISTER_KEY, "400")
        return jsonify(error="expected JSON with %s" % ", ".join(keys)), 400
    REDIS.hincrby(REGISTER_BY_USER_KEY, body["username"])
    if REDIS.exists("target:fail_register"):     # a test's broken signup
        REDIS.hincrby(REGISTER_KEY, "500")
        return jsonify(error="registration is down"), 500
    if not REDIS.hsetnx(USERS_KEY, body["username"], json.dumps(body, sort_keys=True)):
        REDIS.hincrby(REGISTER_KEY, "409")
        return jsonify(error="user exists"), 409
    REDIS.hincrby(REGISTER_KEY, "200")
    return jsonify(username=body["username"]), 200
