#!/bin/sh
# Slurm Epilog (slurmd runs it as root on every node of a job, after the job ends): publishes the
# job's end to Wattprint. slurm.conf: Epilog=/opt/wattprint/deploy/slurm/epilog.sh
#
# It never fails and never holds a node up: a non-zero epilog drains the node, so whatever happens this
# exits 0. wattprint-slurm only writes the end to its spool and starts a background step that waits for
# Slurm's final job state (the epilog cannot see that a job was cancelled) and delivers it; `timeout`
# kills the hook itself for good 2-3 s past WATTPRINT_SLURM_TIMEOUT_MS.
# Configuration: /etc/wattprint/slurm.env (or WATTPRINT_SLURM_ENV); see docs/deploy.md, "Slurm".
hook=epilog
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
