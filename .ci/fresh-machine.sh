#!/usr/bin/env bash
# Runs a command as on a fresh machine of this kind: ffmpeg, ffprobe and chromium vanish from the whole machine
# (not only from PATH: /usr/bin and /usr/local/bin too), inside a private mount namespace, so what was installed
# by hand on this machine cannot hide a missing install step. Everything else stays as it is.
# Usage: .ci/fresh-machine.sh CMD [ARGS…]. Where no mount namespace can be made (not root, no unshare), it runs
# CMD plainly and says so.
set -u
if [ "${1:-}" != --inside ]; then
  if unshare -m --propagation private true 2>/dev/null; then
    exec unshare -m --propagation private "$0" --inside "$@"
  fi
  echo "WARNING: cannot make a mount namespace here; running with this machine's own ffmpeg/chromium, if any" >&2
  exec "$@"
fi
shift
set -e
declare -A real
for f in /usr/bin/*; do real[${f##*/}]=$(readlink -f "$f" 2>/dev/null || echo "$f"); done
orig=$(mktemp -d /tmp/ci-usr-bin.XXXXXX)
mount --bind /usr/bin "$orig"
mount -t tmpfs tmpfs /usr/bin
for n in "${!real[@]}"; do
  case $n in ffmpeg|ffprobe|chromium|chromium-browser|google-chrome*) continue ;; esac
  t=${real[$n]}
  case $t in /usr/bin/*) t=$orig/${t#/usr/bin/} ;; esac
  "$orig/ln" -s "$t" "/usr/bin/$n"
done
for d in /usr/local/bin /usr/local/sbin; do
  for n in ffmpeg ffprobe chromium; do [ -e "$d/$n" ] && mount --bind /dev/null "$d/$n"; done
done
set +e
hidden=$(for n in ffmpeg ffprobe chromium; do command -v "$n"; done)
[ -z "$hidden" ] && echo "fresh machine: no ffmpeg, ffprobe or chromium anywhere on this machine" >&2 \
  || echo "WARNING: still found: $hidden" >&2
exec "$@"
