# Sourced by .ci/run: starts a throwaway PostgreSQL cluster of its own and
# sets FRAMEWORTH_POSTGRES_URL to it; the cluster is stopped and its folder
# removed when the calling shell exits.
#
# PostgreSQL comes from apt only when its binaries are missing. It refuses
# to run as root, so under root the cluster runs as the `postgres` user
# (which the apt package creates).
#
# `source .ci/postgres.sh --install-only` stops after the binaries are there
# (the harness's own cluster test, under `cargo test --workspace`, needs
# them before this script starts the cluster).

pg_bin=""
if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    pg_bin="$(dirname "$(command -v initdb)")"
else
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ]; then pg_bin="$dir"; fi
    done
fi
if [ -z "$pg_bin" ]; then
    echo "::: installing PostgreSQL from apt (initdb not found)"
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq postgresql >/dev/null
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ]; then pg_bin="$dir"; fi
    done
fi

if [ "${1:-}" = "--install-only" ]; then return 0; fi

as_pg=()
if [ "$(id -u)" -eq 0 ]; then as_pg=(runuser -u postgres --); fi

pg_dir="$(mktemp -d /tmp/frameworth-ci-pg.XXXXXX)"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$pg_dir"; fi

stop_postgres() {
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
}
trap stop_postgres EXIT

"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres --no-sync \
    --locale=C --encoding=UTF8 >/dev/null

# A free loopback port: a few random tries, skipping ports something answers on.
pg_port=""
for _ in 1 2 3 4 5 6 7 8; do
    candidate=$((20000 + RANDOM % 40000))
    if (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then continue; fi
    # fsync off: the cluster is thrown away, durability buys nothing here.
    if "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $candidate -k $pg_dir -c fsync=off -c max_connections=300" \
        start >/dev/null; then
        pg_port="$candidate"
        break
    fi
done
if [ -z "$pg_port" ]; then
    echo "PostgreSQL did not start; its log:" >&2
    cat "$pg_dir/log" >&2 || true
    exit 1
fi
FRAMEWORTH_POSTGRES_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"
echo "::: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port ($pg_dir)"
