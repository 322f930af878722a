#!/usr/bin/env python3
"""llm-server.py — a deterministic OpenAI-compatible chat server for lctk's test suite.

Listens on 127.0.0.1 only, on an ephemeral port written to --port-file.  Answers
POST .../chat/completions:
  - LOFT corpus-in-context prompts: parses the "ID: i | ... CONTENT: text | END ID: i"
    blocks and the test query after "====== Now let's start! ======", and answers
    "Final Answer: ['i']" for the block sharing most words with the query (ties: lowest i);
  - CoLoR summarisation prompts ("Summarize the following content."): the first sentence;
  - anything else: echoes the first 40 characters.
Markers in the prompt script single requests: [[status:NNN]] always answers NNN,
[[reply:TEXT]] answers TEXT verbatim (up to "]]").  Hostile replies: [[huge:N]] answers
a valid reply whose content is N bytes; [[gzip:N]] the same gzip-encoded
(Content-Encoding: gzip; a few KB on the wire, N bytes decoded); [[esc-error]] answers
400 with an error message full of terminal escapes (ESC, BEL, C1 CSI).

The log records per request: its number, arrival time, attempt number for its body,
how many requests were in flight on arrival, and the Authorization state.

Fault injection, per distinct request body (so retries of the same request count):
  --fault KIND:N   the first N attempts of every distinct request get KIND, where KIND is
                   429 (with Retry-After: --retry-after), 500, 503, drop (connection closed
                   without a reply), malformed (200 with broken JSON), slow (sleep --slow secs)
  repeatable; faults apply in the order given (429:1 then 500:1 = attempt 1 -> 429, 2 -> 500).
Offline: --batch REQUESTS RESULTS answers an OpenAI Batch request file the same way and
writes result lines in REVERSE order (joins must use custom_id); --batch-fail ID makes the
result for custom_id ID a per-request error (repeatable).

--expect-key KEY: log whether the Authorization header carried it (the log records only
"ok", "missing" or "wrong", never the header).  --echo-auth: also log the Authorization
header itself ("authorization", null when absent), for tests that check which key
arrived (test keys only).  --log FILE: one JSON line per request; "path" is the
request target as sent, query included.
"""
import argparse
import gzip
import hashlib
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

LOCK = threading.Lock()
ATTEMPTS = {}
COUNT = [0]
INFLIGHT = [0]


def words(s):
    return set(re.findall(r"[a-z0-9]+", s.lower()))


def loft_answer(prompt):
    start = prompt.rfind("====== Now let's start! ======")
    if start < 0:
        return None
    tail = prompt[start:]
    m = re.search(r"^(?:query|claim|question): (.*)$", tail, re.M)
    if not m:
        return None
    q = words(m.group(1))
    best, best_score = None, -1
    for bm in re.finditer(r"^ID: (\d+) \| (?:TITLE: .*? \| )?CONTENT: (.*) \| END ID: \1$", prompt[:start], re.M):
        score = len(q & words(bm.group(2)))
        if score > best_score:
            best, best_score = bm.group(1), score
    if best is None:
        return "I could not find any document. Final Answer: []"
    return "The most relevant document is ID %s.\nFinal Answer: ['%s']" % (best, best)


def answer(prompt):
    m = re.search(r"\[\[reply:(.*?)\]\]", prompt, re.S)
    if m:
        return m.group(1)
    a = loft_answer(prompt)
    if a is not None:
        return a
    m = re.search(r"Summarize the following content\. \nContent:\n(.*)\n Summary:", prompt, re.S)
    if m:
        text = m.group(1).strip()
        s = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
        return s
    return prompt[:40]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body, extra=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        auth = self.headers.get("Authorization")
        if self.server.opts.expect_key is None:
            auth_state = "missing" if auth is None else "present"
        elif auth is None:
            auth_state = "missing"
        else:
            auth_state = "ok" if auth == "Bearer " + self.server.opts.expect_key else "wrong"
        h = hashlib.sha256(raw).hexdigest()
        with LOCK:
            COUNT[0] += 1
            ATTEMPTS[h] = ATTEMPTS.get(h, 0) + 1
            attempt = ATTEMPTS[h]
            INFLIGHT[0] += 1
            inflight = INFLIGHT[0]
            self.nreq = COUNT[0]
        try:
            self.handle_chat(raw, h, attempt, inflight, auth_state)
        finally:
            with LOCK:
                INFLIGHT[0] -= 1

    def handle_chat(self, raw, h, attempt, inflight, auth_state):
        fault = None
        k = 0
        for kind, cnt in self.server.faults:
            if attempt <= k + cnt:
                fault = kind
                break
            k += cnt
        entry = {"n": self.nreq, "t": round(time.time(), 3), "path": self.path, "hash": h[:16], "attempt": attempt,
                 "inflight": inflight, "auth": auth_state}
        if self.server.opts.echo_auth:
            entry["authorization"] = self.headers.get("Authorization")
        try:
            body = json.loads(raw)
            msgs = body["messages"]
            prompt = "".join(m.get("content", "") for m in msgs if isinstance(m.get("content"), str))
            entry["model"] = body.get("model")
        except Exception:
            entry["result"] = "400"
            self.log(entry)
            return self.reply(400, json.dumps({"error": {"message": "bad request body"}}))
        m = re.search(r"^(?:query|claim|question): (.*)$", prompt[prompt.rfind("======"):], re.M) \
            if "======" in prompt else None
        entry["query"] = m.group(1)[:60] if m else None
        if not urlsplit(self.path).path.endswith("/chat/completions"):
            entry["result"] = "404"
            self.log(entry)
            return self.reply(404, json.dumps({"error": {"message": "no such path " + self.path}}))
        sm = re.search(r"\[\[status:(\d{3})\]\]", prompt)
        if sm:
            fault = sm.group(1)
        entry["result"] = fault or "200"
        self.log(entry)
        if fault == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return
        if fault == "slow":
            time.sleep(self.server.opts.slow)
            fault = None
        if fault == "malformed":
            return self.reply(200, '{"choices": [{"message": {"content": "Final Ans')
        if fault == "429":
            return self.reply(429, json.dumps({"error": {"message": "rate limited", "type": "rate_limit"}}),
                              {"Retry-After": str(self.server.opts.retry_after)})
        if fault is not None:
            code = int(fault)
            return self.reply(code, json.dumps({"error": {"message": "injected status %d" % code}}))
        hm = re.search(r"\[\[(huge|gzip):(\d+)\]\]", prompt)
        if hm:
            return self.hostile_reply(hm.group(1), int(hm.group(2)), body)
        if "[[esc-error]]" in prompt:
            msg = "bad \x1b[31mred\x1b[0m \x1b]0;owned\x07 bell\x07 csi\u009b2J end"
            return self.reply(400, json.dumps({"error": {"message": msg}}))
        text = answer(prompt)
        out = {
            "id": "chatcmpl-" + h[:12], "object": "chat.completion", "created": 0,
            "model": body.get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": len(text.split())},
        }
        self.reply(200, json.dumps(out))

    def hostile_reply(self, kind, n, body):
        head = json.dumps({"id": "chatcmpl-big", "object": "chat.completion", "model": body.get("model"),
                           "choices": [{"index": 0, "message": {"role": "assistant", "content": "@@"}}]})
        pre, post = head.split("@@")
        if kind == "gzip":
            data = gzip.compress(pre.encode() + b"a" * n + post.encode(), compresslevel=9)
            return self.reply(200, data, {"Content-Encoding": "gzip"})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(pre) + n + len(post)))
        self.end_headers()
        try:
            self.wfile.write(pre.encode())
            chunk = b"a" * 65536
            left = n
            while left > 0:
                self.wfile.write(chunk[:min(left, len(chunk))])
                left -= len(chunk)
            self.wfile.write(post.encode())
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log(self, entry):
        if self.server.opts.log:
            with LOCK, open(self.server.opts.log, "a") as f:
                f.write(json.dumps(entry) + "\n")


class Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # clients that time out and hang up are part of the tests
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def batch(o):
    out = []
    with open(o.batch[0]) as f:
        for n, line in enumerate(f):
            req = json.loads(line)
            cid = req["custom_id"]
            if cid in o.batch_fail:
                out.append({"id": "batch_req_%d" % n, "custom_id": cid, "response": None,
                            "error": {"code": "server_error", "message": "injected batch failure"}})
                continue
            prompt = "".join(m["content"] for m in req["body"]["messages"])
            body = {"id": "chatcmpl-%d" % n, "object": "chat.completion", "model": req["body"]["model"],
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": answer(prompt)},
                                 "finish_reason": "stop"}]}
            out.append({"id": "batch_req_%d" % n, "custom_id": cid,
                        "response": {"status_code": 200, "request_id": "r%d" % n, "body": body}, "error": None})
    with open(o.batch[1], "w") as f:
        for r in reversed(out):
            f.write(json.dumps(r) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file")
    ap.add_argument("--batch", nargs=2)
    ap.add_argument("--batch-fail", action="append", default=[])
    ap.add_argument("--log")
    ap.add_argument("--fault", action="append", default=[])
    ap.add_argument("--retry-after", type=float, default=1)
    ap.add_argument("--slow", type=float, default=3)
    ap.add_argument("--expect-key")
    ap.add_argument("--echo-auth", action="store_true")
    o = ap.parse_args()
    if o.batch:
        return batch(o)
    if not o.port_file:
        ap.error("--port-file is required")
    srv = Server(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.opts = o
    srv.faults = []
    for f in o.fault:
        kind, _, cnt = f.partition(":")
        srv.faults.append((kind, int(cnt or "1")))
    with open(o.port_file + ".tmp", "w") as f:
        f.write("%d\n" % srv.server_address[1])
    import os
    os.rename(o.port_file + ".tmp", o.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
