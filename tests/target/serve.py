"""Runs the demo target's web app on 127.0.0.1:PORT with Flask's threaded
server (enough for demos and tests; the load generator is what is under
test here, not the target)."""
import sys

from werkzeug.serving import WSGIRequestHandler

from app import app

WSGIRequestHandler.protocol_version = "HTTP/1.1"   # keep-alive like a real server
app.run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)
