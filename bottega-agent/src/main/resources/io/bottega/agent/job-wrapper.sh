#!/bin/sh
# Bottega job wrapper.
#
# Started by the agent as:  setsid /bin/sh job-wrapper.sh JOBDIR READ_UID READ_GID -- CHILD...
# It runs as the agent's user (root on a real node) with a fixed, minimal environment, never the job's.
# CHILD joins the job's cgroups, starts its own session, drops privileges and execs the job script; the
# wrapper stays outside the job (other session, other cgroup), so killing the job never kills it, and it
# records how the job ended in JOBDIR/status, so an agent restarted later still learns the result.
#
# A shell's $? cannot tell "exit 137" from "killed by SIGKILL", and Slurm reports them differently
# (137:0 against 0:9). So the child is started by a parking process that execs `sleep` and never reaps
# it: the finished child stays a zombie whose /proc/PID/stat holds its exact wait status (field 52) and
# CPU times (fields 14-17) until the wrapper has read them and ends the parking process. CHILD waits
# until its parent has become `sleep` before it does anything, as a shell may reap a child that ends
# while the shell still runs. The kernel shows the exit status only to a reader allowed to ptrace the
# process: root without CAP_SYS_PTRACE (a container) is not, so the final read runs as the job's user
# (READ_UID:READ_GID; "-" to read as ourselves).
set -f
umask 077
jobdir=$1
read_uid=$2
read_gid=$3
shift 3
[ "$1" = -- ] && shift
rm -f "$jobdir/jobpid" "$jobdir/status"

# the parking process: starts CHILD, says "CHILD_PID PARK_PID", becomes `sleep`, never reaps CHILD
/bin/sh -c '"$@" & echo "$! $$" > "$0/jobpid"; exec sleep 2147483647' "$jobdir" "$@" &
park=$!

child=
n=0
while :; do
    if [ -s "$jobdir/jobpid" ]; then
        c=; p=
        read -r c p < "$jobdir/jobpid" || true
        case "$c:$p" in
            *[!0-9:]* | :* | *:) ;;
            *) child=$c; break ;;
        esac
    fi
    kill -0 "$park" 2>/dev/null || break
    n=$((n + 1))
    [ "$n" -gt 3000 ] && break
    sleep 0.01
done

raw=
ticks=
if [ -n "$child" ]; then
    d=0.02
    while :; do
        s=
        { read -r s < "/proc/$child/stat"; } 2>/dev/null || break
        s=${s##*) }
        # shellcheck disable=SC2086
        set -- $s
        # a pid reused by some other process is not our child
        [ "$2" = "$park" ] || break
        if [ "$1" = Z ] || [ "$1" = X ]; then
            if [ "$read_uid" != - ]; then
                s=$(setpriv --reuid="$read_uid" --regid="$read_gid" --clear-groups -- cat "/proc/$child/stat" 2>/dev/null)
                s=${s##*) }
                # shellcheck disable=SC2086
                set -- $s
            fi
            raw=${50:-}
            ticks="${12:-0} ${13:-0} ${14:-0} ${15:-0}"
            break
        fi
        # (the braces keep the shell from reporting a sleep the agent cut short)
        { sleep $d; } 2>/dev/null
        # ever slower (little noise on a busy node); the agent cuts a sleep short when it sees the child end
        case $d in 0.02) d=0.05 ;; 0.05) d=0.1 ;; 0.1) d=0.2 ;; 0.2) d=0.5 ;; 0.5) d=1 ;; 1) d=2 ;; esac
    done
fi
kill "$park" 2>/dev/null
wait "$park" 2>/dev/null

known=0
code=0
sig=0
core=0
case "$raw" in
    '' | *[!0-9]*) ;;
    *)
        known=1
        sig=$((raw & 127))
        code=$(((raw >> 8) & 255))
        core=$(((raw >> 7) & 1))
        [ "$sig" -ne 0 ] && code=0
        ;;
esac
now=$(date +%s%3N 2>/dev/null)
{
    echo "known=$known"
    echo "exit_code=$code"
    echo "signal=$sig"
    echo "core_dumped=$core"
    echo "ended_ms=$now"
    echo "ticks=$ticks"
    echo "child=$child"
} > "$jobdir/.status.tmp" && mv -f "$jobdir/.status.tmp" "$jobdir/status"
