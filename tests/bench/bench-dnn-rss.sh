#!/bin/sh
# Peak RSS of one process running 1 and 3 cameras' worth of each DNN element
# (videotestsrc 640x480 through a tee), with the networks shared per process
# (the default) and with FACEALERT_DNN_SHARED=0 (one copy per element, as
# before), in the same run. What sharing saves per extra camera is the
# difference of the "per extra" columns.
#
#   sh tests/bench/bench-dnn-rss.sh        (or: meson test -C build --benchmark dnn-rss)
set -eu
frames=${BENCH_FRAMES:-20}
src="videotestsrc num-buffers=$frames pattern=ball ! video/x-raw,width=640,height=480,format=I420"
rss () { /usr/bin/time -f "%M" gst-launch-1.0 -q $1 2>&1 >/dev/null | tail -1; }
branches () {  # ELEMENT N: N branches of a tee, each through ELEMENT
  l="$src ! tee name=t"
  i=0
  while [ $i -lt "$2" ]; do l="$l t. ! queue max-size-buffers=2 ! $1 ! fakesink"; i=$((i + 1)); done
  echo "$l"
}
base=$(rss "$src ! fakesink")
echo "# base pipeline (no DNN): $((base / 1024)) MB peak RSS"
printf '%-44s %8s %8s %10s %10s\n' element "1 (MB)" "3 (MB)" "per extra" "unshared"
for e in "objectdetect motion-gate=false" "objectdetect method=fastestdet motion-gate=false" \
    "facedetect" "facedetect detect-width=640"; do
  one=$(rss "$(branches "$e" 1)")
  three=$(rss "$(branches "$e" 3)")
  three_u=$(FACEALERT_DNN_SHARED=0 rss "$(branches "$e" 3)")
  one_u=$(FACEALERT_DNN_SHARED=0 rss "$(branches "$e" 1)")
  printf '%-44s %8.1f %8.1f %10.1f %10.1f\n' "$e" "$(echo "$one / 1024" | bc -l)" \
      "$(echo "$three / 1024" | bc -l)" "$(echo "($three - $one) / 2048" | bc -l)" \
      "$(echo "($three_u - $one_u) / 2048" | bc -l)"
done
echo "(per extra: MB each of cameras 2 and 3 add, shared; unshared: the same with FACEALERT_DNN_SHARED=0)"
