# Bottega job loader: runs as the job's user (after setpriv), with the wrapper's minimal environment.
# Opens the job's files as the user (so a user can only write where the user may), loads the job's
# environment from a NUL-separated file (never passed through a root process), changes to the working
# directory and execs the script with exactly that environment. SIGINT and SIGQUIT arrive here ignored
# (a non-interactive shell ignores them in the background commands it starts, and ignored signals survive
# exec; no shell can reset them), so env resets every signal to its default where it can (--default-signal,
# coreutils 8.31 and later; passed in as $10).
envfile=$1 workdir=$2 input=$3 output=$4 error=$5 mode=$6 mask=$7 aslimit=$8 envcmd=$9 sigreset=${10}
shift 10
[ "$1" = -- ] && shift
umask "$mask" 2>/dev/null || umask 022
exec 3<"$envfile" || exit 126
vars=()
while IFS= read -r -d '' -u 3 kv; do vars+=("$kv"); done
exec 3<&-
if [ "$mode" = append ]; then exec >>"$output" || exit 126; else exec >"$output" || exit 126; fi
if [ -z "$error" ]; then
    exec 2>&1
elif [ "$mode" = append ]; then
    exec 2>>"$error" || exit 126
else
    exec 2>"$error" || exit 126
fi
exec <"$input" || exit 126
if ! cd -- "$workdir" 2>/dev/null; then
    printf 'bottega: error: could not chdir to %s, going to /tmp instead\n' "$workdir" >&2
    cd /tmp || exit 126
fi
if [ "$aslimit" != 0 ]; then ulimit -v "$aslimit" || exit 126; fi
# shellcheck disable=SC2086
exec "$envcmd" $sigreset -i -- "${vars[@]}" "SLURM_TASK_PID=$$" "$@"
