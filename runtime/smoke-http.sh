#!/bin/sh
# smoke-http: the default PostSync check, run in the app image.
# Succeeds once HEALTH_URL answers 2xx; fails after SMOKE_TIMEOUT seconds.
#
# Settings, from the environment only:
#   HEALTH_URL     URL of the app's health endpoint through its Service (required)
#   SMOKE_TIMEOUT  seconds before giving up (default 60)
#   SMOKE_INTERVAL seconds between attempts (default 2)
# Needs wget or curl in the image; give smoke.command otherwise.
set -u
: "${HEALTH_URL:?HEALTH_URL is required}"
timeout=${SMOKE_TIMEOUT:-60}
interval=${SMOKE_INTERVAL:-2}

probe() {
    if command -v wget >/dev/null 2>&1; then
        wget -q -O /dev/null -T 5 "$HEALTH_URL"
    elif command -v curl >/dev/null 2>&1; then
        curl -fsS -m 5 -o /dev/null "$HEALTH_URL"
    else
        echo "smoke-http: neither wget nor curl in this image; set smoke.command to your own check" >&2
        exit 2
    fi
}

start=$(date +%s)
while :; do
    if probe; then
        echo "smoke-http: $HEALTH_URL answered 2xx after $(( $(date +%s) - start ))s"
        exit 0
    fi
    if [ $(( $(date +%s) - start )) -ge "$timeout" ]; then
        echo "smoke-http: $HEALTH_URL did not answer 2xx within ${timeout}s" >&2
        exit 1
    fi
    sleep "$interval"
done
