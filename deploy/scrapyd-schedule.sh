#!/usr/bin/env bash
# Schedule one crawl on a scrapyd that runs the deployed newsbot (scrapyd has no scheduler of its own:
# call this from a systemd timer or cron). Usage: deploy/scrapyd-schedule.sh articles|opinion
set -euo pipefail
spider="${1:?usage: $0 articles|opinion}"
url="${NEWSBOT_SCRAPYD_URL:-http://127.0.0.1:6800}"
data_dir="${NEWSBOT_DATA_DIR:-/var/lib/newsbot}"
seeds="${NEWSBOT_SEEDS:-/srv/newsbot/seeds/start-points.toml}"
answer=$(curl --fail --silent --show-error "$url/schedule.json" \
    -d project=newsbot -d spider="$spider" \
    -d setting=NEWSBOT_DB="$data_dir/newsbot.db" \
    -d setting=NEWSBOT_SEEDS="$seeds" \
    -d setting=NEWSBOT_CONTACT="${NEWSBOT_CONTACT:-newsroom-data@example.org}")
# scrapyd answers HTTP 200 with {"status": "error", "message": ...} when it refuses a job.
if ! grep -Eq '"status"[[:space:]]*:[[:space:]]*"ok"' <<<"$answer"; then
    echo "scrapyd did not schedule $spider: $answer" >&2
    exit 1
fi
echo "$answer"
