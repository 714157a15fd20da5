#!/bin/sh
# alert: the SyncFail hook. Posts a Slack-compatible JSON message to the webhook.
#
# Settings, from the environment only:
#   WEBHOOK_URL    webhook from the alert Secret; unset: the message is only printed
#   APP ENVIRONMENT RELEASE   what failed (app name, environment, image)
#   PHASE          which phase failed, when known      (default "sync")
#   ALERT_RETRIES  attempts before giving up           (default 3)
# Never prints the webhook URL: it is a credential.
set -u
retries=${ALERT_RETRIES:-3}

json_escape() {
    printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | tr '\n\t' '  '
}

text="Sync failed: ${APP:-?} in ${ENVIRONMENT:-?} (release ${RELEASE:-?}, phase ${PHASE:-sync}). The old version keeps running; see the hook logs in Argo CD."
body=$(printf '{"text":"%s","app":"%s","environment":"%s","release":"%s","phase":"%s"}' \
    "$(json_escape "$text")" "$(json_escape "${APP:-}")" "$(json_escape "${ENVIRONMENT:-}")" \
    "$(json_escape "${RELEASE:-}")" "$(json_escape "${PHASE:-sync}")")
echo "alert: $text"

if [ -z "${WEBHOOK_URL:-}" ]; then
    echo "alert: no webhook configured; set the alert Secret's url to be paged"
    exit 0
fi

attempt=1
while :; do
    # busybox wget takes the URL only as an argument, so it is visible in this
    # pod's own process table (never in logs); --post-data needs busybox or GNU wget.
    if wget -q -O /dev/null -T 10 --header "Content-Type: application/json" --post-data "$body" "$WEBHOOK_URL" 2>/dev/null; then
        echo "alert: delivered (attempt $attempt)"
        exit 0
    fi
    if [ "$attempt" -ge "$retries" ]; then
        echo "alert: webhook did not accept the message after $attempt attempts" >&2
        exit 1
    fi
    sleep $((attempt * 2))
    attempt=$((attempt + 1))
done
