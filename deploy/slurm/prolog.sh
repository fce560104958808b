#!/bin/sh
# Slurm Prolog (slurmd runs it as root on every node of a job, before the job starts): publishes the
# job's start to Wattprint. slurm.conf: Prolog=/opt/wattprint/deploy/slurm/prolog.sh
#
# It never fails and never holds a job up: a non-zero prolog drains the node, so whatever happens this
# exits 0; wattprint-slurm gives up on the collector within WATTPRINT_SLURM_TIMEOUT_MS (default 1000,
# Node's start-up included) and leaves the event in its spool; `timeout` kills it for good 2-3 s later.
# Configuration: /etc/wattprint/slurm.env (or WATTPRINT_SLURM_ENV); see docs/deploy.md, "Slurm".
hook=prolog
# slurmd gives hooks no PATH: the system's directories, after any the caller set.
export PATH="${PATH:+$PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
conf=${WATTPRINT_SLURM_ENV:-/etc/wattprint/slurm.env}
here=$(dirname "$(readlink -f "$0")")
node=node
program=$here/../../apps/slurm/bin/wattprint-slurm.js
budget_ms=1000
if [ -r "$conf" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    value=${line#*=}
    case $value in \"*\") value=${value#\"}; value=${value%\"} ;; \'*\') value=${value#\'}; value=${value%\'} ;; esac
    case $line in
      WATTPRINT_SLURM_NODE=?*) node=$value ;;
      WATTPRINT_SLURM_PROGRAM=?*) program=$value ;;
      WATTPRINT_SLURM_TIMEOUT_MS=?*) budget_ms=$value ;;
    esac
  done <"$conf"
fi
case $budget_ms in '' | *[!0-9]*) budget_ms=1000 ;; esac
export WATTPRINT_SLURM_ENV="$conf"
timeout -k 1 $(((budget_ms + 999) / 1000 + 2)) "$node" "$program" "$hook" </dev/null
exit 0
