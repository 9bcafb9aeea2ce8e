#!/usr/bin/env python3
"""Connects to 127.0.0.1:PORT (retrying for up to 15 s while the deployment starts) and sends
each PART argument, waiting PAUSE seconds between two parts. Parts are sent as given (`\\n`
written as two characters becomes a newline), so a part may end in the middle of a line.

With `--after FILE TEXT...` before PORT, each part after the first also waits (up to 30 s)
until FILE has lines containing each TEXT, in that order: e.g. until the deployment's log says
that its source was paused after a connection loss, instead of hoping a pause is long enough.
The connection stays open until the deployment closes it (it ends), then this script ends.

Usage: send_in_parts.py [--after FILE TEXT...  --] PORT PAUSE PART..."""
import socket
import sys
import time

args = sys.argv[1:]
after_file, after_texts = None, []
if args[:1] == ["--after"]:
    end = args.index("--")
    after_file, after_texts, args = args[1], args[2:end], args[end + 1:]
port, pause, parts = int(args[0]), float(args[1]), args[2:]


def logged_in_order(path, texts):
    try:
        lines = open(path, errors="replace").read().splitlines()
    except OSError:
        return False
    i = 0
    for line in lines:
        if i < len(texts) and texts[i] in line:
            i += 1
    return i == len(texts)


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
            deadline = time.monotonic() + 30
            while after_file and not logged_in_order(after_file, after_texts):
                if time.monotonic() > deadline:
                    sys.exit(f"{after_file} never logged {after_texts}")
                time.sleep(0.05)
        conn.sendall(part.replace("\\n", "\n").encode())
    # Keep the connection open until the deployment ends and closes it.
    while conn.recv(4096):
        pass
