"""A partner's webhook receiver for ipledge: checks each delivery's Standard Webhooks signature,
prints every event once (retries and replays repeat the same webhook-id) and answers 204 at once.

    IPLEDGE_WEBHOOK_SECRET=whsec_... .venv/bin/python examples/webhook_receiver.py [port]

`.venv/bin/python` is the project's Python (`make run` or `make sandbox` makes it, with the
standardwebhooks package this needs); elsewhere, `pip install standardwebhooks` first.

Anything but a 2xx within 15 s is retried, so answer first and do slow work elsewhere (a queue).
Deliveries for one endpoint arrive one at a time, in log order, so one thread is enough."""

import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

webhook = Webhook(os.environ["IPLEDGE_WEBHOOK_SECRET"])
seen: set[str] = set()  # keep these in your database for a few days (retries span ~3 days)


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            event = webhook.verify(body, dict(self.headers))  # also refuses stale timestamps
        except WebhookVerificationError:
            self.send_response(400)
        else:
            if self.headers["webhook-id"] not in seen:
                seen.add(self.headers["webhook-id"])
                print(json.dumps(event, ensure_ascii=False), flush=True)
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:  # keep stdout for the events
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    HTTPServer(("127.0.0.1", port), Receiver).serve_forever()
