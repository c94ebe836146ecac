#!/usr/bin/env bash
# Time from the start of srun to the start of its last task, inside an allocation of 4 nodes x 16 tasks: for 1 task
# (1 node), 8 tasks (4 nodes x 2) and 64 tasks (4 nodes x 16); and srun's whole run. Each task prints its start time
# (date +%s%N); medians of REPS runs, after one warm-up run each. Works the same with Bottega's srun and Slurm's:
#
#   bottega up --nodes 4 --cores 16 --gpus 0 &                  # or Slurm: PEER_NODES=4 PEER_CPUS=16 PEER_GPUS=0
#   sbatch -N4 --ntasks-per-node=16 -o bench.out scripts/bench-srun.sh 21     #   /work/shared/peers/slurm/setup.sh
#
# (the srun on the job's PATH is the one measured: bin/srun for Bottega, /usr/bin/srun for Slurm)
set -u
reps=${1:-11}
out=${TMPDIR:-/tmp}/bench-srun.$$
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
for spec in "1 1" "8 4" "64 4"; do
  set -- $spec
  n=$1 N=$2
  srun -N"$N" -n"$n" date +%s%N > "$out" 2>&1   # warm-up
  starts=() totals=()
  for _ in $(seq "$reps"); do
    t0=$(date +%s%N)
    srun -N"$N" -n"$n" date +%s%N > "$out" 2>&1
    t1=$(date +%s%N)
    got=$(grep -c '^[0-9]\{19\}$' "$out")
    [ "$got" = "$n" ] || echo "warning: $got start times of $n tasks: $(grep -v '^[0-9]\{19\}$' "$out" | head -2)"
    last=$(grep '^[0-9]\{19\}$' "$out" | sort -n | tail -1)
    starts+=($(( (last - t0) / 1000000 )))
    totals+=($(( (t1 - t0) / 1000000 )))
  done
  echo "tasks=$n nodes=$N  srun -> last task started: median $(med "${starts[@]}") ms" \
       "(min $(printf '%s\n' "${starts[@]}" | sort -n | head -1), max $(printf '%s\n' "${starts[@]}" | sort -n | tail -1));" \
       "srun total: median $(med "${totals[@]}") ms"
done
rm -f "$out"
