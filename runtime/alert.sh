#!/bin/sh
# alert: the SyncFail hook's second step. Posts ALERT_PAYLOAD (written by
# alert-message.sh) to the webhook, retrying with backoff. Runs in an image with curl:
# curl reads the URL from its config on stdin, so the URL, a credential, is never on a
# command line, and never printed.
#
# Settings, from the environment only:
#   WEBHOOK_URL     from the alert Secret; unset: nothing is posted (exit 0)
#   ALERT_PAYLOAD   the JSON to post                  (default /tmp/alert/payload.json)
#   ALERT_RETRIES   retries after the first attempt   (default 3)
# Exit 0: delivered, or no webhook configured. Exit 1: the webhook never accepted it.
set -u
payload=${ALERT_PAYLOAD:-/tmp/alert/payload.json}
[ -r "$payload" ] || { echo "alert: no message at $payload (alert-message.sh writes it)" >&2; exit 1; }
if [ -z "${WEBHOOK_URL:-}" ]; then
    echo "alert: no webhook configured (the alert Secret has no url); the message stays in this log:"
    cat "$payload"
    exit 0
fi
# printf is a shell builtin: the URL goes from the environment to curl's stdin only.
if printf 'url = "%s"\n' "$(printf '%s' "$WEBHOOK_URL" | sed 's/[\\"]/\\&/g')" |
    curl -K - --fail --silent --show-error --max-time 10 --retry "${ALERT_RETRIES:-3}" --retry-all-errors --retry-delay 2 \
        -H 'Content-Type: application/json' --data-binary "@$payload" -o /dev/null 2>/dev/null; then
    echo "alert: delivered"
    exit 0
fi
echo "alert: the webhook did not accept the message after ${ALERT_RETRIES:-3} retries; check the alert Secret's url" >&2
exit 1
