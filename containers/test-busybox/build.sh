#!/usr/bin/env bash
# Builds the tiny image the Docker plugin's tests run: busybox (static) with every applet on PATH,
# imported from a root filesystem, so no registry or network is needed. Idempotent: when an image with
# the same content label exists, nothing is done.
#
#   bash containers/test-busybox/build.sh [image]      # default sluice-test-busybox:local
#   BUSYBOX=/path/to/static/busybox bash containers/test-busybox/build.sh
set -euo pipefail

IMAGE="${1:-sluice-test-busybox:local}"
BUSYBOX="${BUSYBOX:-$(command -v busybox || true)}"
if [[ -z "$BUSYBOX" || ! -x "$BUSYBOX" ]]; then
  echo "build.sh: no busybox binary found; install one (Debian: apt-get install busybox-static) or set BUSYBOX=/path/to/busybox" >&2
  exit 1
fi
if ldd "$BUSYBOX" >/dev/null 2>&1; then
  echo "build.sh: $BUSYBOX is dynamically linked; the image needs a static busybox (Debian: apt-get install busybox-static)" >&2
  exit 1
fi

# What the image holds, hashed: the busybox binary and this script.
CONTENT="$(cat "$BUSYBOX" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-32)"
if [[ "$(docker image inspect --format '{{ index .Config.Labels "sluice.content" }}' "$IMAGE" 2>/dev/null || true)" == "$CONTENT" ]]; then
  echo "$IMAGE is up to date"
  exit 0
fi

ROOT="$(mktemp -d)"
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT/bin" "$ROOT/tmp" "$ROOT/etc"
chmod 1777 "$ROOT/tmp"
cp "$BUSYBOX" "$ROOT/bin/busybox"
for applet in $("$BUSYBOX" --list); do
  [[ "$applet" == busybox ]] || ln -s busybox "$ROOT/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' > "$ROOT/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$ROOT/etc/group"

PREVIOUS="$(docker image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
tar --numeric-owner --owner=0 --group=0 -C "$ROOT" -c . | docker import \
  --change 'ENV PATH=/bin' \
  --change "LABEL sluice.content=$CONTENT" \
  --change 'CMD ["sh"]' \
  - "$IMAGE" >/dev/null
# The image this one replaces would stay behind untagged: remove it unless a container still uses it.
if [[ -n "$PREVIOUS" && "$PREVIOUS" != "$(docker image inspect --format '{{.Id}}' "$IMAGE")" ]]; then
  docker image rm "$PREVIOUS" >/dev/null 2>&1 || true
fi
echo "built $IMAGE"
