#!/bin/sh
# Critical-section probe: run by each peer while it believes it holds the lock.
#   probe.sh DIR TAG
# mkdir is atomic: if DIR/cs exists someone else is inside, and that is a violation of mutual
# exclusion, recorded in DIR/violations. Entries and exits go to DIR/journal.
dir=$1 tag=$2
if ! mkdir "$dir/cs" 2>/dev/null; then
  echo "VIOLATION: $tag entered while $(cat "$dir/cs/who" 2>/dev/null) was inside" >> "$dir/violations"
  exit 0
fi
echo "$tag" > "$dir/cs/who"
echo "$tag in" >> "$dir/journal"
sleep 0.05
echo "$tag out" >> "$dir/journal"
rm -f "$dir/cs/who"
rmdir "$dir/cs"
