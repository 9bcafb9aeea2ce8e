#!/usr/bin/env python3
"""A line server that goes away once: it takes the first `first` lines, closes the connection
and stops listening for a second, then listens again and takes lines until the client closes.
Every line it receives goes to received.log at once, in arrival order (the test runner may
kill this process as soon as the deployment has ended). Connections that close without
sending anything (the test runner's port-open probe) do not count."""
import socket
import sys
import time

port, first = int(sys.argv[1]), int(sys.argv[2])
received = []
log = open("received.log", "w")


def serve(enough):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(4)
        listener.settimeout(30)
        while True:
            conn, _ = listener.accept()
            with conn:
                if take_lines(conn, enough):
                    return


def take_lines(conn, enough):
    """Reads lines until `enough()` or the peer closes; whether any line came."""
    conn.settimeout(30)
    pending, got_any = b"", False
    while not enough():
        data = conn.recv(4096)
        if not data:
            break
        pending += data
        *lines, pending = pending.split(b"\n")
        for line in lines:
            got_any = True
            received.append(line.decode())
            log.write(f"{received[-1]}\n")
        log.flush()
    return got_any


serve(lambda: len(received) >= first)
time.sleep(1.0)
serve(lambda: False)
