#!/usr/bin/env python3
"""A line server that goes away once: it takes the first `first` lines, stops listening, closes
its side of the connection and keeps taking lines until the client closes its side too (lines
the client wrote before it saw the close are not lost to a reset), stays away for a second,
then listens again and takes lines until the client closes; then it ends. Every line it
receives goes to received.log at once, in arrival order (tests give it the grace of an
after.yaml to end on its own once the deployment closed the connection). Connections that
close without sending anything (the test runner's port-open probe) do not count.

With `--ws` it is a WebSocket server instead and text messages are its lines; it sends a close
frame and takes messages until the client's close frame, then closes the socket. Just enough
of RFC 6455 for one client: no fragments, no extensions.

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
                if take(conn, enough, listener):
                    return


def take_lines(conn, enough, listener):
    """Reads lines until `enough()` or the peer closes; whether any line came. Once `enough()`
    it closes only its sending side and takes what the peer sent before it saw the close,
    until the peer closes too: closing with unread data (or before the peer's last write
    arrived) would reset the connection and lose lines the peer believes delivered."""
    conn.settimeout(30)
    pending, got_any, closing = b"", False, False
    while True:
        if not closing and enough():
            listener.close()  # gone: a reconnect must not reach a listener about to close
            conn.shutdown(socket.SHUT_WR)
            closing = True
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


def take_messages(conn, enough, listener):
    """Reads messages until `enough()` or the peer closes; whether any message came. Once
    `enough()` it sends a close frame and still takes the messages the peer sent before it
    answered with its own close frame (RFC 6455 5.5.1), so that none it sent is lost."""
    conn.settimeout(30)
    got_any, closing = False, False
    try:
        upgrade(conn)
        while True:
            if not closing and enough():
                listener.close()  # gone: a reconnect must not reach a listener about to close
                conn.sendall(b"\x88\x02\x03\xe8")  # close, code 1000
                closing = True
            opcode, payload = read_frame(conn)
            if opcode == 8:
                if not closing:
                    conn.sendall(b"\x88\x02\x03\xe8")
                break
            if opcode in (1, 2):
                got_any = True
                received.append(payload.decode())
                log.write(f"{received[-1]}\n")
                log.flush()
    except (EOFError, OSError, StopIteration):
        pass
    return got_any


serve(lambda: len(received) >= first)
time.sleep(1.0)
serve(lambda: False)
