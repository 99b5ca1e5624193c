#!/bin/sh
# The one password PgBouncer needs (the platform's database user) comes from the environment.
set -eu
printf '"%s" "%s"\n' "${DB_USER:?}" "${DB_PASSWORD:?}" > /etc/pgbouncer/userlist.txt
exec pgbouncer /etc/pgbouncer/pgbouncer.ini
