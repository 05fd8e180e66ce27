#!/usr/bin/env bash
# Installs the Debian packages the test suite and the benchmark start for real:
# nginx, redis-server/redis-sentinel, caddy, chromium, wrk, glewlwyd (a second OpenID provider, with the sqlite3
# shell that loads its database), and for the bench Apache httpd with mod_auth_openidc. Skips what is already there.
# Called by `npm test` (through scripts/test.sh) and by `.ci/run`; safe to run again.
set -euo pipefail
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-sentinel >/dev/null 2>&1 || need+=(redis-sentinel)
command -v caddy >/dev/null 2>&1 || need+=(caddy)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
[ -x /usr/bin/glewlwyd ] || need+=(glewlwyd)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
# npm run bench compares with Apache httpd + mod_auth_openidc.
[ -x /usr/sbin/apache2 ] || need+=(apache2)
[ -f /usr/lib/apache2/modules/mod_auth_openidc.so ] || need+=(libapache2-mod-auth-openidc)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing system packages: ${need[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts the services it installs; the tests run their own copies on chosen ports.
for svc in nginx redis-server redis-sentinel caddy glewlwyd apache2; do
  $SUDO systemctl stop "$svc" >/dev/null 2>&1 || $SUDO service "$svc" stop >/dev/null 2>&1 || true
done
