# Helpers shared by the benchmark scripts (sourced, not run). Callers set `runs`.

# Best of $runs wall-clock times of a command, in nanoseconds, after one warm-up run that fills
# the page cache. The command's output and exit code are ignored.
best_of() {
    "$@" >/dev/null 2>&1 || true
    local best=0
    for _ in $(seq "$runs"); do
        local start elapsed
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        elapsed=$(($(date +%s%N) - start))
        if [ "$best" -eq 0 ] || [ "$elapsed" -lt "$best" ]; then best=$elapsed; fi
    done
    echo "$best"
}

# NANOS as seconds with three decimals.
secs() { printf '%d.%03d' $(($1 / 1000000000)) $(($1 / 1000000 % 1000)); }

# Peak resident set size of a command, in KiB (GNU time; its exit code is ignored).
peak_kib() {
    local memory
    memory=$(mktemp)
    /usr/bin/time -f '%M' -o "$memory" "$@" >/dev/null 2>&1 || true
    tail -n1 "$memory"
    rm -f "$memory"
}

# A ratio a/b printed with two decimals.
ratio() {
    local x100=$(($1 * 100 / $2))
    printf '%d.%02d' $((x100 / 100)) $((x100 % 100))
}

# The keyaudit binary to measure: $BIN when set, else this checkout's release build (built
# now). Prints its absolute path.
keyaudit_bin() {
    if [ -z "${BIN:-}" ]; then
        cargo build --release --locked --quiet
        BIN="${CARGO_TARGET_DIR:-target}/release/keyaudit"
    fi
    realpath "$BIN"
}

# Git as the generated repositories' author: no user or system configuration, a fixed
# identity, so commits are made alike on any machine.
git_as_bench() {
    export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
    export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.org
    export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.org
}
