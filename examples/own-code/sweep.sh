#!/bin/sh
# A shell program as a trial: it reports on stdout, in the form any language can
# print. hpsearch runs it as `sweep.sh <width> <depth>` (examples/own-code/shell.yaml)
# in the --commands directory; HPSEARCH_PARAMS and the other HPSEARCH_* variables
# are in its environment too.
width=$1
depth=$2
epoch=1
while [ "$epoch" -le 5 ]; do
  echo "epoch $epoch of a pretend model ${width}x${depth}"          # the program's own log
  # A made-up score that is best at width 64, depth 3 and improves with the epochs.
  score=$(awk -v w="$width" -v d="$depth" -v e="$epoch" \
    'BEGIN { print (w - 64) * (w - 64) / 1000 + (d - 3) * (d - 3) + 1 / e }')
  echo "hpsearch: epoch=$epoch score=$score"
  epoch=$((epoch + 1))
done
