# Bottega step task loader: runs as the job's user (after setpriv), like job-loader.bash for batch scripts.
# Loads the step's environment from a NUL-separated file (never passed through a root process), adds the
# task's own variables (given as NAME=VALUE arguments up to "--"), opens output files as the user (in
# append mode: the agent truncates them once per node before the tasks start), changes to the working
# directory and execs the program. With a pty, the program runs under script(1), which gives it a
# pseudo-terminal whose size is set first; the task's stdin and stdout are then the terminal's other end.
envfile=$1 workdir=$2 input=$3 output=$4 error=$5 mask=$6 envcmd=$7 sigreset=$8 script=$9 rows=${10} cols=${11}
shift 11
umask "$mask" 2>/dev/null || umask 022
exec 3<"$envfile" || exit 126
vars=()
while IFS= read -r -d '' -u 3 kv; do vars+=("$kv"); done
exec 3<&-
while [ $# -gt 0 ] && [ "$1" != -- ]; do vars+=("$1"); shift; done
[ "$1" = -- ] && shift
if [ "$output" != - ]; then exec >>"$output" || exit 126; fi
if [ "$error" = = ]; then
    exec 2>&1
elif [ "$error" != - ]; then
    exec 2>>"$error" || exit 126
fi
if [ "$input" != - ]; then exec <"$input" || exit 126; fi
if ! cd -- "$workdir" 2>/dev/null; then
    printf 'bottega: error: could not chdir to %s, going to /tmp instead\n' "$workdir" >&2
    cd /tmp || exit 126
fi
if [ "$script" != - ]; then
    cmd="stty rows $rows cols $cols 2>/dev/null; exec"
    for a in "$@"; do cmd="$cmd '${a//\'/\'\\\'\'}'"; done
    # shellcheck disable=SC2086
    exec "$envcmd" $sigreset -i -- "${vars[@]}" "SLURM_TASK_PID=$$" "$script" -qfec "$cmd" /dev/null
fi
# shellcheck disable=SC2086
exec "$envcmd" $sigreset -i -- "${vars[@]}" "SLURM_TASK_PID=$$" "$@"
