#!/usr/bin/env bash
# Builds the seaworthy container image without pulling anything: the runtime layout of the
# Dockerfile's final stage (distroless/cc-debian12:nonroot) assembled from this machine and loaded
# with `docker import`. For machines without a registry (air-gapped CI, the tests).
#
#   scripts/build-image.sh [--binary PATH] [--tag NAME]
#
# --binary PATH  the seaworthy binary to ship (default: `cargo build --release --locked -p
#                seaworthy`, then target/release/seaworthy)
# --tag NAME     the image name (default: seaworthy:dev)
#
# The root filesystem: /usr/local/bin/seaworthy, the shared libraries `ldd` lists for it and the
# dynamic loader (each at its own path), /etc/ssl/certs/ca-certificates.crt from this host,
# /etc/passwd and /etc/group with root and nonroot (65532, as in distroless), /home/nonroot,
# /etc/nsswitch.conf, /tmp (1777) and /work. Config as the Dockerfile's final stage: USER
# 65532:65532, WORKDIR /work, ENTRYPOINT /usr/local/bin/seaworthy, the same OCI labels
# (crates/seaworthy/tests/container_image.rs checks they agree). Prints the image id.
#
# The libraries come from this machine: build the binary on the Debian release the image should
# match (the Dockerfile's is Debian 12), or the image carries this machine's glibc.
set -euo pipefail
umask 022

usage() {
  sed -n '6,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
binary=""
tag="seaworthy:dev"
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) [ $# -ge 2 ] || usage; binary="$2"; shift 2 ;;
    --binary=*) binary="${1#--binary=}"; shift ;;
    --tag) [ $# -ge 2 ] || usage; tag="$2"; shift 2 ;;
    --tag=*) tag="${1#--tag=}"; shift ;;
    -h | --help) usage 0 ;;
    *) echo "build-image.sh: unknown argument: $1" >&2; usage ;;
  esac
done

if [ -z "$binary" ]; then
  (cd "$repo" && cargo build --release --locked -p seaworthy)
  binary="${CARGO_TARGET_DIR:-$repo/target}/release/seaworthy"
fi
[ -x "$binary" ] || { echo "build-image.sh: not an executable: $binary" >&2; exit 2; }
certs=/etc/ssl/certs/ca-certificates.crt
[ -r "$certs" ] || { echo "build-image.sh: $certs missing (apt-get install ca-certificates)" >&2; exit 2; }
command -v docker >/dev/null || { echo "build-image.sh: docker CLI not found" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"/{etc/ssl/certs,tmp,work,usr/local/bin}
chmod 0755 "$root" "$root"/{etc,etc/ssl,etc/ssl/certs,work,usr,usr/local,usr/local/bin}
chmod 1777 "$root/tmp"

install -m 0755 "$binary" "$root/usr/local/bin/seaworthy"
install -m 0644 "$certs" "$root/etc/ssl/certs/ca-certificates.crt"

# Shared libraries: every absolute path ldd prints (`libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6
# (0x…)`, and the dynamic loader as the ELF header names it: `/lib64/ld-linux-x86-64.so.2`),
# copied with symlinks resolved, at that path. A static binary has none.
if ldd_out="$(ldd "$binary" 2>&1)"; then
  while read -r lib; do
    [ -n "$lib" ] || continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done < <(printf '%s\n' "$ldd_out" | grep -o '/[^ ]*' | sort -u)
elif ! printf '%s\n' "$ldd_out" | grep -q 'not a dynamic executable'; then
  echo "build-image.sh: ldd $binary: $ldd_out" >&2
  exit 2
fi
cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
nonroot:x:65532:
EOF
chmod 0644 "$root/etc/passwd" "$root/etc/group"
# glibc's lookups as in distroless: /etc/hosts first, then DNS (Docker writes both files).
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
chmod 0644 "$root/etc/nsswitch.conf"
mkdir -p "$root/home/nonroot"
chmod 0700 "$root/home/nonroot"

# Everything owned by root in the image, whoever runs this script; the home of nonroot by nonroot.
tar --numeric-owner --owner=0 --group=0 --exclude=./home/nonroot -C "$root" -cf "$work/rootfs.tar" .
tar --numeric-owner --owner=65532 --group=65532 -C "$root" -rf "$work/rootfs.tar" ./home/nonroot
# Keep in step with the Dockerfile's final stage.
docker import \
  --change 'USER 65532:65532' \
  --change 'WORKDIR /work' \
  --change 'ENTRYPOINT ["/usr/local/bin/seaworthy"]' \
  --change 'LABEL org.opencontainers.image.title="seaworthy"' \
  --change 'LABEL org.opencontainers.image.description="Is this container fit to sail? Dockerfile, image, container and Docker host checks in one binary"' \
  --change 'LABEL org.opencontainers.image.licenses="Apache-2.0"' \
  --change 'LABEL org.opencontainers.image.source="https://example.invalid/seaworthy"' \
  --message "scripts/build-image.sh: $(basename "$binary")" \
  "$work/rootfs.tar" "$tag"
