#!/usr/bin/python3
"""Ground truth for herd's numbers: nginx's access log and the plan.

Standard library only. Used by tests/e2e/test_accuracy.sh; every command
prints one line per check, "ok MSG" or "fail MSG" (the shell counts them),
or, for "server", one line of figures.

The access log format (tests/e2e/test_accuracy.sh writes the nginx config):
    $msec $request_time $request_uri $status $connection
$msec is the wall-clock end of the request in seconds with ms resolution,
$request_time the server's time for it in seconds with ms resolution (from
reading the first bytes of the request to writing the last of the answer).

Commands
  server LOG URI
      count, p50, p99, mean (us) and the first/last $msec of URI's lines
  latency LOG URI RESULT TX --abs-ms A --rel F --res-ms M [--pct p50,p99]
          [--own-late]
      herd's TX percentiles against the server's for URI: herd minus
      server must be in [-M, max(A, F * server) + M] ms; with --own-late
      the p99 bound also allows herd's own timer lateness p99 from the
      result (the open model counts from the intended start, so a herd
      that the machine kept from running on time is late in its latencies
      too -- and says so in timer_lateness; a delay herd does not report,
      like the old 10 ms tick, gets no allowance)
  count LOG URI RESULT TX
      herd's request count for TX equals the number of URI's log lines
  near NAME GOT WANT --abs A --rel F
      |GOT - WANT| <= max(A, F * WANT)
  atmost NAME GOT LIMIT
      GOT <= LIMIT
  timeline RESULT TX RATE --rel F
      the per-second timeline adds up to TX's count (all transactions are
      TX here), and each whole second in between (not the first or last,
      which are partial) has RATE requests within F
"""
import json
import math
import sys


def log_lines(path, uri):
    out = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 4 and parts[2] == uri:
                out.append((float(parts[0]), float(parts[1]), int(parts[3])))
    return out


def pct(sorted_vals, q):
    """Nearest-rank percentile (the value at rank ceil(q * n))."""
    if not sorted_vals:
        return None
    k = max(1, math.ceil(q * len(sorted_vals)))
    return sorted_vals[k - 1]


def server_stats(path, uri):
    lines = log_lines(path, uri)
    times = sorted(round(rt * 1e6) for _, rt, _ in lines)
    if not times:
        return {"count": 0}
    return {
        "count": len(times),
        "p50": pct(times, 0.50),
        "p90": pct(times, 0.90),
        "p99": pct(times, 0.99),
        "mean": sum(times) / len(times),
        "first_msec": min(m for m, _, _ in lines),
        "last_msec": max(m for m, _, _ in lines),
        "non200": sum(1 for _, _, s in lines if s != 200),
    }


def tx(result, name):
    with open(result) as f:
        r = json.load(f)
    for t in r.get("transactions", []):
        if t.get("name") == name and t.get("kind", "request") == "request":
            return t
    raise SystemExit("fail %s: no transaction %r in %s" % (name, name, result))


def opt(args, name, default=None):
    if name in args:
        i = args.index(name)
        return args[i + 1]
    return default


def ms(us):
    return "%.2fms" % (us / 1000.0)


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    a = argv[2:]
    if cmd == "server":
        s = server_stats(a[0], a[1])
        print(" ".join("%s=%s" % (k, (round(v) if isinstance(v, float) and k in ("mean",) else v))
                       for k, v in s.items()))
    elif cmd == "latency":
        log, uri, result, name = a[:4]
        abs_ms = float(opt(a, "--abs-ms", "1"))
        rel = float(opt(a, "--rel", "0.05"))
        res_ms = float(opt(a, "--res-ms", "1"))
        which = opt(a, "--pct", "p50,p99").split(",")
        own = 0.0
        if "--own-late" in a:
            tl = json.load(open(result)).get("timer_lateness") or {}
            own = float(tl.get("p99_us") or 0)
        s = server_stats(log, uri)
        t = tx(result, name)
        if s["count"] == 0:
            print("fail %s: no access-log lines for %s" % (name, uri))
            return
        for p in which:
            herd = t.get(p + "_us")
            srv = s[p]
            if herd is None:
                print("fail %s %s: not in the result" % (name, p))
                continue
            hi = max(abs_ms * 1000, rel * srv) + res_ms * 1000
            if p == "p99":
                hi += own
            lo = -res_ms * 1000
            d = herd - srv
            verdict = "ok" if lo <= d <= hi else "fail"
            print("%s %s %s: herd %s, server %s, herd-server %+.2fms (allowed %+.2f..%+.2fms)"
                  % (verdict, name, p, ms(herd), ms(srv), d / 1000.0, lo / 1000.0, hi / 1000.0))
    elif cmd == "count":
        log, uri, result, name = a[:4]
        s = server_stats(log, uri)
        t = tx(result, name)
        verdict = "ok" if t["count"] == s["count"] else "fail"
        print("%s %s: herd counted %d requests, the server logged %d"
              % (verdict, name, t["count"], s["count"]))
    elif cmd == "near":
        name, got, want = a[0], float(a[1]), float(a[2])
        tol = max(float(opt(a, "--abs", "0")), float(opt(a, "--rel", "0")) * abs(want))
        verdict = "ok" if abs(got - want) <= tol else "fail"
        print("%s %s: got %g, want %g +- %g" % (verdict, name, got, want, tol))
    elif cmd == "atmost":
        name, got, limit = a[0], float(a[1]), float(a[2])
        verdict = "ok" if got <= limit else "fail"
        print("%s %s: got %g, at most %g" % (verdict, name, got, limit))
    elif cmd == "timeline":
        result, name, rate = a[0], a[1], float(a[2])
        rel = float(opt(a, "--rel", "0.02"))
        with open(result) as f:
            r = json.load(f)
        tl = r.get("timeline") or []
        total = sum(b.get("requests", 0) for b in tl)
        count = tx(result, name)["count"]
        print("%s %s: timeline adds up to %d requests, the transaction has %d"
              % ("ok" if total == count else "fail", name, total, count))
        inner = [b.get("requests", 0) for b in tl[1:-1]]
        bad = [n for n in inner if abs(n - rate) > rel * rate]
        print("%s %s: whole seconds of the timeline %s, planned %g/s +- %g%%"
              % ("ok" if inner and not bad else "fail", name, inner, rate, rel * 100))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
