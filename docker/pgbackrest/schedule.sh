#!/bin/sh
# The pgbackrest sidecar: creates the stanza (idempotent), checks that WAL archiving works, then takes
# a full backup every Sunday and a differential one on the other days, at BACKUP_HOUR (UTC, default 2),
# and expires what the retention settings no longer keep. Runs as the postgres user.
set -eu
STANZA=portal
HOUR="${BACKUP_HOUR:-2}"

until pg_isready -h /var/run/postgresql -U portal -d portal >/dev/null 2>&1; do sleep 2; done
pgbackrest --stanza="$STANZA" stanza-create
pgbackrest --stanza="$STANZA" check
# The first run: a full backup at once, so point-in-time recovery works from the start.
pgbackrest --stanza="$STANZA" info --output=json | grep -q '"label"' || pgbackrest --stanza="$STANZA" --type=full backup

while true; do
    now=$(date -u +%s)
    next=$(date -u -d "today ${HOUR}:00" +%s)
    [ "$next" -gt "$now" ] || next=$(date -u -d "tomorrow ${HOUR}:00" +%s)
    sleep $((next - now))
    if [ "$(date -u +%u)" = 7 ]; then type=full; else type=diff; fi
    pgbackrest --stanza="$STANZA" --type="$type" backup || echo "pgbackrest: $type backup FAILED" >&2
done
