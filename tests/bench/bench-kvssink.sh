#!/bin/bash
# Benchmark kvssink and the clip export (run on demand:
#   meson test -C build --benchmark kvssink --verbose
# or directly, after `. scripts/gst-env.sh build`).
# Prints, against a baseline measured in the same run:
#  - CPU per recorded stream: kvssink vs fakesink after the same h264parse,
#    as % of one core for a real-time stream of the same bitrate;
#  - bytes written per byte received (fragments, and index);
#  - clip export speed (seconds of video per second).
set -eu
SECONDS_OF_VIDEO=${FA_BENCH_SECONDS:-60}
WIDTH=${FA_BENCH_WIDTH:-640}
HEIGHT=${FA_BENCH_HEIGHT:-360}
BITRATE=${FA_BENCH_KBPS:-4000}
RUNS=${FA_BENCH_RUNS:-3}
tmp=$(mktemp -d /tmp/fa-bench-kvs-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
frames=$((SECONDS_OF_VIDEO * 30))

echo "encoding ${SECONDS_OF_VIDEO}s of ${WIDTH}x${HEIGHT} H.264 at ${BITRATE} kbps (input, not measured)..."
# snow does not compress: the encoder really spends the bitrate, like a busy camera.
gst-launch-1.0 -q videotestsrc num-buffers=$frames pattern=snow ! \
  video/x-raw,width=$WIDTH,height=$HEIGHT,framerate=30/1 ! \
  x264enc pass=cbr bitrate=$BITRATE key-int-max=30 speed-preset=ultrafast tune=zerolatency ! \
  h264parse ! video/x-h264,stream-format=byte-stream ! filesink location="$tmp/in.h264"
in_bytes=$(stat -c %s "$tmp/in.h264")
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$tmp/key"

# CPU seconds (user+sys) of a pipeline, best of $RUNS.
cpu_of () {
  local best=""
  for _ in $(seq "$RUNS"); do
    rm -rf "$tmp/store"
    local t
    t=$( { /usr/bin/time -f "%U %S" gst-launch-1.0 -q filesrc location="$tmp/in.h264" ! \
      h264parse ! video/x-h264,stream-format=avc,alignment=au ! "$@" >/dev/null; } 2>&1 | tail -1 )
    t=$(echo "$t" | awk '{printf "%.3f", $1 + $2}')
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
  done
  echo "$best"
}

base=$(cpu_of fakesink sync=false)
plain=$(cpu_of kvssink stream-name=bench storage-dir="$tmp/store")
frag_bytes=$(cat "$tmp"/store/bench/fragments/*.mkv | wc -c)
index_bytes=$(cat "$tmp"/store/bench/index.sqlite* | wc -c)
nfrag=$(ls "$tmp"/store/bench/fragments | wc -l)
enc=$(cpu_of kvssink stream-name=bench storage-dir="$tmp/store" encryption-key-file="$tmp/key")
enc_bytes=$(cat "$tmp"/store/bench/fragments/*.mkv | wc -c)

# Clip export of the whole recording (encrypted store), wall clock.
start=$(facealert fragments list --stream bench --storage-dir "$tmp/store" --output json |
  awk -F': ' '/ProducerTimestamp/ {gsub(",","",$2); print $2; exit}')
end=$(awk "BEGIN{printf \"%.3f\", $start + $SECONDS_OF_VIDEO + 1}")
t0=$(date +%s.%N)
facealert clip --stream bench --storage-dir "$tmp/store" --key-file "$tmp/key" \
  --start "$start" --end "$end" -o "$tmp/clip.mp4" >/dev/null
t1=$(date +%s.%N)
clip_s=$(awk "BEGIN{printf \"%.3f\", $t1 - $t0}")
clip_cpu=$( { /usr/bin/time -f "%U %S" facealert clip --stream bench --storage-dir "$tmp/store" \
  --key-file "$tmp/key" --start "$start" --end "$end" -o "$tmp/clip2.mp4" >/dev/null; } 2>&1 |
  tail -1 | awk '{printf "%.3f", $1 + $2}')

awk -v s="$SECONDS_OF_VIDEO" -v base="$base" -v plain="$plain" -v enc="$enc" \
    -v inb="$in_bytes" -v fb="$frag_bytes" -v ib="$index_bytes" -v eb="$enc_bytes" \
    -v n="$nfrag" -v clip="$clip_s" -v clipcpu="$clip_cpu" -v w="$WIDTH" -v h="$HEIGHT" -v kbps="$BITRATE" 'BEGIN {
  printf "input: %d s of %dx%d H.264 @ %d kbps, %d bytes, %d fragments (1 s GOP)\n", s, w, h, kbps, inb, n
  printf "CPU seconds (best of runs): fakesink baseline %.3f, kvssink %.3f, kvssink+AES-GCM %.3f\n", base, plain, enc
  printf "CPU per recorded stream (kvssink - baseline): %.3f s per %d s = %.3f%% of one core (encrypted: %.3f%%)\n", plain - base, s, 100 * (plain - base) / s, 100 * (enc - base) / s
  printf "kvssink / baseline CPU ratio: %.2fx (encrypted %.2fx)\n", plain / base, enc / base
  printf "bytes written per byte received: fragments %.4f, + index %.4f, encrypted fragments %.4f\n", fb / inb, (fb + ib) / inb, eb / inb
  printf "clip export (encrypted, %d s -> MP4): %.3f s wall, %.3f s CPU = %.1fx real time\n", s, clip, clipcpu, s / clip
}'
