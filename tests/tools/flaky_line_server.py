#!/usr/bin/env python3
"""A line server that goes away once: it takes the first `first` lines, closes the connection
and stops listening for a second, then listens again and takes lines until the client closes.
Every line it receives goes to received.log at once, in arrival order (the test runner may
kill this process as soon as the deployment has ended). Connections that close without
sending anything (the test runner's port-open probe) do not count.

With `--ws` it is a WebSocket server instead and text messages are its lines; it closes with
a close frame, then the socket. Just enough of RFC 6455 for one client: no fragments, no
extensions.

Usage: flaky_line_server.py PORT FIRST [--ws]"""
import base64
import hashlib
import socket
import struct
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
port, first = int(sys.argv[1]), int(sys.argv[2])
websocket = "--ws" in sys.argv[3:]
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
                take = take_messages if websocket else take_lines
                if take(conn, enough):
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


def read_exactly(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def upgrade(conn):
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = conn.recv(4096)
        if not chunk:
            raise EOFError
        request += chunk
    key = next(line.split(b":", 1)[1].strip() for line in request.split(b"\r\n")
               if line.lower().startswith(b"sec-websocket-key:"))
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")


def read_frame(conn):
    """(opcode, payload) of the next frame (client frames are masked)."""
    head = read_exactly(conn, 2)
    opcode, length = head[0] & 0x0F, head[1] & 0x7F
    if length == 126:
        length = struct.unpack("!H", read_exactly(conn, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", read_exactly(conn, 8))[0]
    mask = read_exactly(conn, 4) if head[1] & 0x80 else b"\0\0\0\0"
    payload = read_exactly(conn, length)
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def take_messages(conn, enough):
    """Reads messages until `enough()` or the peer closes; whether any message came."""
    conn.settimeout(30)
    got_any = False
    try:
        upgrade(conn)
        while not enough():
            opcode, payload = read_frame(conn)
            if opcode == 8:
                break
            if opcode in (1, 2):
                got_any = True
                received.append(payload.decode())
                log.write(f"{received[-1]}\n")
                log.flush()
        conn.sendall(b"\x88\x02\x03\xe8")  # close, code 1000
    except (EOFError, OSError, StopIteration):
        pass
    return got_any


serve(lambda: len(received) >= first)
time.sleep(1.0)
serve(lambda: False)
