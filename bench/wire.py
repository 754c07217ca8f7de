"""HTTP/1.1 as the bench's simulated phones and people speak it: a request written out as bytes,
its answer read whole from the socket and only then parsed.

Not http.client: its headers go through the email package's parser, and in a room of 1,000
phones that was most of the bench's own 0.4 ms of CPU a request, beside a server taking 1 ms,
on the same 2 CPUs: the room asked 2.1 CPUs of 2, and its projector's p95 measured the queue
(docs/benchmarks.md, "Why a figure moves"). Real phones bring their own CPUs.
"""

import re
import socket
import urllib.parse

from .base import HOST, USER_AGENT


class Headers:
    """An answer's headers: `get` and `[]` by any case, `get_all` for a repeated one."""

    def __init__(self, lines: list[bytes]):
        self.found: dict[str, list[str]] = {}
        for line in lines:
            name, _, value = line.decode("latin-1").partition(":")
            self.found.setdefault(name.strip().lower(), []).append(value.strip())

    def get(self, name: str, default=None):
        values = self.found.get(name.lower())
        return values[0] if values else default

    def __getitem__(self, name: str) -> str:
        return self.found[name.lower()][0]

    def get_all(self, name: str) -> list[str]:
        return self.found.get(name.lower(), [])


def request_bytes(port, method, path, cookie=None, form=None, headers=None) -> bytes:
    """The request as a browser sends it: a form as its body, the session cookie if any."""
    body = urllib.parse.urlencode(form).encode() if form is not None else b""
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {HOST}:{port}",
        f"User-Agent: {USER_AGENT}",
        "Accept-Encoding: identity",
        *(f"{name}: {value}" for name, value in (headers or {}).items()),
    ]
    if form is not None:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    if cookie:
        lines.append(f"Cookie: session={cookie}")
    return "\r\n".join(lines).encode() + b"\r\n\r\n" + body


def answer_complete(raw: bytes, method: str = "POST") -> bool:
    """Whether `raw` holds a whole answer: its headers and the body they announce (none for a
    HEAD, a 204 or a 304)."""
    head, found, body = raw.partition(b"\r\n\r\n")
    if not found:
        return False
    head = head.lower()
    if method == "HEAD" or head[9:12] in (b"204", b"304"):
        return True
    if b"transfer-encoding: chunked" in head:
        return body.endswith(b"0\r\n\r\n")
    length = re.search(rb"content-length: *(\d+)", head)
    return length is not None and len(body) >= int(length[1])


def parse_answer(raw: bytes, method: str = "POST") -> tuple[int, Headers, bytes]:
    """(status, headers, body) of a whole HTTP/1.1 answer, chunked or not; status 0 (and the
    bytes as they came) if it is cut short."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    try:
        status = int(lines[0].split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0, Headers([]), raw
    if not answer_complete(raw, method):
        return 0, Headers([]), raw
    headers = Headers(lines[1:])
    if b"chunked" in (headers.get("Transfer-Encoding") or "").encode():
        whole = []
        while body:
            size, _, body = body.partition(b"\r\n")
            length = int(size.split(b";")[0], 16)
            if not length:
                break
            whole.append(body[:length])
            body = body[length + 2 :]
        body = b"".join(whole)
    return status, headers, body


def read_answer(connection: socket.socket, method: str = "POST") -> bytes:
    """Everything up to the end of one answer (or until the server closes the connection)."""
    answer = b""
    while not answer_complete(answer, method):
        chunk = connection.recv(65536)
        if not chunk:
            break
        answer += chunk
    return answer


def exchange(port: int, raw: bytes, method: str) -> tuple[int, Headers, bytes]:
    """One request on a fresh connection, as a phone that slept between two opens one. An
    answer cut short (the server killed mid-way) is a ConnectionResetError, as http.client's."""
    with socket.create_connection((HOST, port), timeout=30) as connection:
        connection.sendall(raw)
        answer = read_answer(connection, method)
    status, headers, body = parse_answer(answer, method)
    if status == 0:
        raise ConnectionResetError("the answer was cut short")
    return status, headers, body
