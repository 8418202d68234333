#!/usr/bin/env python3
"""Times N requests on one kept-alive connection (so a client's own start is not measured):
http-timer.py HOST N METHOD PATH [WARMUP]  ->  one line per request, milliseconds, after WARMUP
untimed requests (a long-running daemon's steady state). HOST is tcp://h:p or unix:///path."""
import http.client, socket, sys, time

host, n, method, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
warmup = int(sys.argv[5]) if len(sys.argv) > 5 else 0

class UnixConnection(http.client.HTTPConnection):
    def __init__(self, sock_path):
        super().__init__('localhost')
        self.sock_path = sock_path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.sock_path)

if host.startswith('unix://'):
    conn = UnixConnection(host[len('unix://'):])
else:
    h, p = host[len('tcp://'):].rsplit(':', 1)
    conn = http.client.HTTPConnection(h, int(p))
for _ in range(1 + warmup):  # the connection, then the server's steady state
    conn.request(method, path)
    conn.getresponse().read()
for _ in range(n):
    s = time.perf_counter()
    conn.request(method, path)
    conn.getresponse().read()
    print('%.2f' % ((time.perf_counter() - s) * 1000))
