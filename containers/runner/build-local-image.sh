#!/usr/bin/env bash
# Builds the Sluice runner image (default tag sluice-runner:local) on this machine without a registry
# or network: a root filesystem holding this machine's node binary and the shared libraries it and
# the native addons need, plus the built workspace (packages' dist/ and package.json files and their
# production node_modules), imported with `docker import`. Its entrypoint is `sluice-exec`, like the
# image the Dockerfile beside this script builds for real deployments.
#
#   bash containers/runner/build-local-image.sh [image]
#
# Builds the packages first (`npm run build`) when a dist/ is missing or older than its sources.
# Idempotent: when an image with the same content label exists, nothing is imported again.
set -euo pipefail

IMAGE="${1:-sluice-runner:local}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

NODE="$(command -v node)"
NODE_REAL="$(readlink -f "$NODE")"
ENV_BIN="$(command -v env)"

# 1. The packages must be built, and not older than their sources. A package that fails to build is
# left out of the image (with a warning); the runner itself must build.
stale=()
for pkg in packages/*/ packages/components/*/ plugins/*/; do
  [[ -f "$pkg/package.json" && -d "$pkg/src" ]] || continue
  grep -q '"private": *true' "$pkg/package.json" && continue
  if [[ ! -d "$pkg/dist" ]] || [[ -n "$(find "$pkg/src" "$pkg/package.json" -newer "$pkg/dist" -print -quit 2>/dev/null)" ]]; then
    stale+=("$(node -p "require('./${pkg}package.json').name")")
  fi
done
if (( ${#stale[@]} > 0 )); then
  echo "building ${stale[*]}"
  if ! log="$(NX_DAEMON=false NX_NO_CLOUD=true npx nx run-many -t build -p "$(IFS=,; echo "${stale[*]}")" --output-style=static 2>&1)"; then
    echo "warning: some packages did not build; those without a dist/ are left out of the image:" >&2
    grep -E 'ERROR|error TS|Failed tasks|^ *- ' <<<"$log" | head -20 >&2 || true
  fi
fi
if [[ ! -f packages/runner/dist/sluice-exec.js || ! -f packages/core/dist/index.js ]]; then
  echo "build-local-image.sh: @sluice/runner or @sluice/core is not built; run npm run build and fix its errors" >&2
  exit 1
fi

# 2. What goes in: workspace packages and their production dependencies.
mapfile -t FILES < <(node "$HERE/image-files.mjs" "$ROOT")
# Build leftovers of native addons are not needed at run time.
EXCLUDES=(
  --exclude='*/build/Release/obj.target' --exclude='*/build/Release/.deps' --exclude='*/build/Release/obj'
  --exclude='*/build/Release/test_extension.node' --exclude='node_modules/better-sqlite3/deps'
  --exclude='node_modules/better-sqlite3/src' --exclude='*.map' --exclude='*.md' --exclude='*.d.ts' --exclude='*.d.mts' --exclude='*.d.cts'
)

# 3. Its content label: the node binary, the listed files (path, size, mtime) and this script.
CONTENT="$(
  {
    "$NODE" --version
    stat -c '%n %s %Y' "$NODE_REAL" "$ENV_BIN" "${BASH_SOURCE[0]}" "$HERE/image-files.mjs"
    find "${FILES[@]}" -printf '%p %s %T@\n' 2>/dev/null | sort
  } | sha256sum | cut -c1-32
)"
if [[ "$(docker image inspect --format '{{ index .Config.Labels "sluice.content" }}' "$IMAGE" 2>/dev/null || true)" == "$CONTENT" ]]; then
  echo "$IMAGE is up to date"
  exit 0
fi

STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/usr/local/bin" "$STAGE/usr/bin" "$STAGE/opt/sluice" "$STAGE/tmp" "$STAGE/etc"
chmod 1777 "$STAGE/tmp"

# 4. node, env (for the `#!/usr/bin/env node` shebang) and every shared library they and the native
# addons load, at the paths ldd reports.
cp "$NODE_REAL" "$STAGE/usr/local/bin/node"
cp "$(readlink -f "$ENV_BIN")" "$STAGE/usr/bin/env"
tar -C "$ROOT" -c "${EXCLUDES[@]}" "${FILES[@]}" | tar -C "$STAGE/opt/sluice" -x
cp package.json "$STAGE/opt/sluice/package.json"
mapfile -t ADDONS < <(find "$STAGE/opt/sluice" -name '*.node' -type f)
for lib in $( { ldd "$NODE_REAL"; ldd "$ENV_BIN"; for addon in "${ADDONS[@]}"; do ldd "$addon" 2>/dev/null || true; done; } \
  | grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
  mkdir -p "$STAGE$(dirname "$lib")"
  cp -L "$lib" "$STAGE$lib"
done

# 5. sluice-exec on PATH, through the runner package's bin (which loads its dist/).
ln -s /opt/sluice/packages/runner/bin/sluice-exec.js "$STAGE/usr/local/bin/sluice-exec"
ln -s /usr/local/bin/node "$STAGE/usr/bin/node"
printf 'root:x:0:0:root:/root:/bin/false\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$STAGE/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$STAGE/etc/group"
chmod -R a+rX "$STAGE/opt/sluice" "$STAGE/usr" 

PREVIOUS="$(docker image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
tar --numeric-owner --owner=0 --group=0 -C "$STAGE" -c . | docker import \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin NODE_ENV=production' \
  --change 'WORKDIR /' \
  --change "LABEL sluice.content=$CONTENT" \
  --change 'ENTRYPOINT ["/usr/local/bin/sluice-exec"]' \
  - "$IMAGE" >/dev/null
# The image this one replaces would stay behind untagged: remove it unless a container still uses it.
if [[ -n "$PREVIOUS" && "$PREVIOUS" != "$(docker image inspect --format '{{.Id}}' "$IMAGE")" ]]; then
  docker image rm "$PREVIOUS" >/dev/null 2>&1 || true
fi
echo "built $IMAGE ($(docker image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'))"
