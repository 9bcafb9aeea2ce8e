#!/usr/bin/env python3
"""Connects to 127.0.0.1:PORT (retrying for up to 15 s while the deployment starts) and sends
each PART argument, waiting PAUSE seconds between two parts. Parts are sent as given (`\\n`
written as two characters becomes a newline), so a part may end in the middle of a line."""
import socket
import sys
import time

port, pause, parts = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
deadline = time.monotonic() + 15
while True:
    try:
        conn = socket.create_connection(("127.0.0.1", port))
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(f"nothing listens on port {port}")
        time.sleep(0.05)
with conn:
    for i, part in enumerate(parts):
        if i:
            time.sleep(pause)
        conn.sendall(part.replace("\\n", "\n").encode())
    # Keep the connection open until the deployment ends (the runner kills this process).
    time.sleep(60)
