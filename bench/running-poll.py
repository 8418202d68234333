#!/usr/bin/env python3
"""Polls front ends' container lists until each shows N containers running ("Up"), every
INTERVAL ms on kept-alive connections, without a client's start per poll:
running-poll.py N INTERVAL_MS TIMEOUT_S tcp://h:p [tcp://h:p ...]  ->  ms until all did, or exit 1."""
import http.client, json, sys, time

want, interval, timeout = int(sys.argv[1]), int(sys.argv[2]) / 1000, float(sys.argv[3])
hosts = sys.argv[4:]
conns = {}
for h in hosts:
    host, port = h[len('tcp://'):].rsplit(':', 1)
    conns[h] = http.client.HTTPConnection(host, int(port), timeout=10)
start = time.monotonic()
pending = set(hosts)
while pending and time.monotonic() - start < timeout:
    for h in sorted(pending):
        try:
            conns[h].request('GET', '/containers/json')
            listed = json.loads(conns[h].getresponse().read())
        except (OSError, http.client.HTTPException, ValueError):
            conns[h].close()
            continue
        if sum(1 for c in listed if c.get('Status', '').startswith('Up')) >= want:
            pending.discard(h)
    if pending:
        time.sleep(interval)
if pending:
    sys.exit(1)
print(round((time.monotonic() - start) * 1000))
