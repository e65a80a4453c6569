#!/usr/bin/env bash
# A throwaway PostgreSQL server for the storage tests, sourced by .ci/run and scripts/test.sh.
#   source scripts/postgres.sh && start_test_postgres
# starts a fresh cluster in a temporary folder (Unix socket only, no TCP port), exports
# SAMSKAPING_TEST_POSTGRES_URL and stops and removes the cluster when the shell exits.
# Returns 1 (and changes nothing) when PostgreSQL's server programs are not installed.

_pg_bin() {
  local initdb
  initdb=$(command -v initdb 2>/dev/null || ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
  [ -n "$initdb" ] && dirname "$(readlink -f "$initdb")"
}

install_postgres() {
  # Debian's server package; the CI machine starts without it.
  [ -n "$(_pg_bin)" ] && return 0
  echo "Installing Debian's postgresql ..."
  local sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >/dev/null
}

start_test_postgres() {
  local bin dir run_as=()
  bin=$(_pg_bin) || return 1
  [ -n "$bin" ] || return 1
  dir=$(mktemp -d /tmp/samskaping-pg.XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root.
    chown postgres "$dir"
    run_as=(runuser -u postgres --)
  fi
  "${run_as[@]}" "$bin/initdb" -D "$dir/data" -U samskaping -A trust --no-sync >/dev/null || return 1
  "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-c listen_addresses='' -k $dir -c fsync=off" start >/dev/null || { cat "$dir/log" >&2; return 1; }
  "${run_as[@]}" "$bin/createdb" -h "$dir" -U samskaping samskaping_test || return 1
  export SAMSKAPING_TEST_POSTGRES_URL="postgresql+psycopg://samskaping@/samskaping_test?host=$dir"
  _SAMSKAPING_PG=("$bin" "$dir" "${run_as[@]}")
  trap stop_test_postgres EXIT
  echo "PostgreSQL test server: $("$bin/postgres" --version) at $dir"
}

stop_test_postgres() {
  local bin=${_SAMSKAPING_PG[0]} dir=${_SAMSKAPING_PG[1]}
  "${_SAMSKAPING_PG[@]:2}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
