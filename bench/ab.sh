#!/bin/bash
# Paired A/B of in-daemon attach/attach+publish/detach: builds alternate, ROUNDS rounds, N containers each.
# usage: bench/ab.sh BEFORE_DIST AFTER_DIST [ROUNDS=3] [N=300] [OUTDIR=/tmp/ab]
# (a DIST is a built launcher/target/patchbay; the benchmark code is this checkout's; logs in OUTDIR)
# AFTER_CREATE: more words for the after side's network create, to turn off a feature the before build lacks
# (AFTER_CREATE=--dns=false bench/ab.sh ...)
B=$1; A=$2; R=${3:-3}; N=${4:-300}; O=${5:-/tmp/ab}; mkdir -p $O
cd "$(dirname "$0")/.."
for r in $(seq $R); do
  for side in before after; do
    d=$B; extra=""; [ $side = after ] && { d=$A; extra="${AFTER_CREATE:-}"; }
    mvn -B -ntp -o verify -pl bench -Pbench -Dit.test=AttachBenchIT -Dfailsafe.failIfNoSpecifiedTests=false \
      -Dpatchbay.dist=$d -Dpatchbay.bench.phases=inprocess -Dpatchbay.bench.order=interleaved -Dpatchbay.bench.n=$N \
      "-Dpatchbay.bench.create=$extra" > $O/$side-$r.log 2>&1
    grep -E "^patchbay in-process" $O/$side-$r.log | sed "s/^/$side $r: /"
  done
done
