#!/usr/bin/env bash
# Builds the intake (sremesh-intake) for Lambda's provided.al2023 runtime on arm64 and packages
# it as a zip: bootstrap (the binary), config.yaml and skills/ (SREMESH_CONFIG=/var/task/config.yaml).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/build-lambda.sh

Builds sremesh-intake for aarch64-unknown-linux-gnu (release profile) and writes a Lambda zip
(bootstrap, config.yaml, skills/) for the provided.al2023 runtime on arm64.

Environment:
  OUTPUT     zip to write (default: target/lambda/sremesh-intake.zip, Terraform's default)
  CONFIG     config file packaged as config.yaml (default: config.yaml)
  BUILDER    auto (default) | cargo-lambda | zigbuild | cross-gcc
  BOOTSTRAP  package this already-built aarch64 binary instead of building

Builders (auto picks the first one present):
  cargo-lambda  `cargo lambda` (pip install cargo-lambda, or cargo install cargo-lambda)
  zigbuild      `cargo zigbuild` + zig (pip install cargo-zigbuild ziglang); links against
                glibc 2.34, the version of Amazon Linux 2023
  cross-gcc     plain cargo + aarch64-linux-gnu-gcc (Debian: apt-get install
                gcc-aarch64-linux-gnu); the result is checked to need glibc <= 2.34
All need the Rust target: rustup target add aarch64-unknown-linux-gnu
EOF
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) usage >&2; exit 2 ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

die() { printf 'build-lambda: %s\n' "$*" >&2; exit 1; }
say() { printf '[build-lambda] %s\n' "$*"; }

TARGET=aarch64-unknown-linux-gnu
GLIBC_MAX=2.34 # Amazon Linux 2023 (provided.al2023)
PKG=sremesh-intake
OUTPUT="${OUTPUT:-target/lambda/sremesh-intake.zip}"
CONFIG="${CONFIG:-config.yaml}"
BUILDER="${BUILDER:-auto}"

[ -f "$CONFIG" ] || die "config file not found: $CONFIG"
[ -d skills ] || die "skills/ not found in $root"
command -v python3 >/dev/null 2>&1 || die "python3 not found (used to check the binary and write the zip)"

has() { command -v "$1" >/dev/null 2>&1; }
has_cargo_sub() { has cargo && cargo "$1" --help >/dev/null 2>&1; }

need_rust_target() {
  has cargo || die "cargo not found: install Rust (https://rustup.rs)"
  if has rustup && ! rustup target list --installed | grep -qx "$TARGET"; then
    die "Rust target $TARGET missing: rustup target add $TARGET"
  fi
}

pick_builder() {
  if has_cargo_sub lambda; then echo cargo-lambda
  elif has_cargo_sub zigbuild; then echo zigbuild
  elif has aarch64-linux-gnu-gcc; then echo cross-gcc
  else
    usage >&2
    die "no arm64 Linux toolchain found: install cargo-lambda, or cargo-zigbuild with zig, or gcc-aarch64-linux-gnu (see above)"
  fi
}

if [ -n "${BOOTSTRAP:-}" ]; then
  [ -f "$BOOTSTRAP" ] || die "BOOTSTRAP not found: $BOOTSTRAP"
  binary="$BOOTSTRAP"
  say "packaging the prebuilt $binary"
else
  if [ "$BUILDER" = auto ]; then BUILDER="$(pick_builder)"; fi
  need_rust_target
  say "building $PKG for $TARGET with $BUILDER (release profile)"
  case "$BUILDER" in
    cargo-lambda)
      has_cargo_sub lambda || die "cargo lambda not found: pip install cargo-lambda"
      cargo lambda build --release --arm64 --package "$PKG" --bin "$PKG"
      binary="target/lambda/$PKG/bootstrap"
      ;;
    zigbuild)
      has_cargo_sub zigbuild || die "cargo zigbuild not found: pip install cargo-zigbuild ziglang"
      cargo zigbuild --release --target "$TARGET.$GLIBC_MAX" --package "$PKG" --bin "$PKG"
      binary="target/$TARGET/release/$PKG"
      ;;
    cross-gcc)
      has aarch64-linux-gnu-gcc || die "aarch64-linux-gnu-gcc not found: apt-get install gcc-aarch64-linux-gnu"
      CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
        CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc \
        cargo build --release --target "$TARGET" --package "$PKG" --bin "$PKG"
      binary="target/$TARGET/release/$PKG"
      ;;
    *) die "unknown BUILDER: $BUILDER (auto, cargo-lambda, zigbuild, cross-gcc)" ;;
  esac
  [ -f "$binary" ] || die "the build reported success but $binary is missing"
fi

# Check the binary (an aarch64 ELF needing glibc <= 2.34) and write a reproducible zip: fixed
# timestamps and order, so an unchanged binary gives the same source_code_hash in Terraform.
python3 - "$binary" "$CONFIG" "$OUTPUT" "$GLIBC_MAX" <<'PY'
import os, re, shutil, subprocess, sys, zipfile

binary, config, output, glibc_max = sys.argv[1:5]

def fail(msg):
    sys.exit(f"build-lambda: {msg}")

with open(binary, "rb") as f:
    head = f.read(20)
if len(head) < 20 or head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
    fail(f"{binary} is not a 64-bit little-endian ELF file")
if int.from_bytes(head[18:20], "little") != 183:  # EM_AARCH64
    fail(f"{binary} is not an aarch64 binary (Lambda arm64 needs one)")

def version(v):
    return tuple(int(x) for x in v.split("."))

readelf = shutil.which("readelf") or shutil.which("aarch64-linux-gnu-readelf")
if readelf:
    out = subprocess.run([readelf, "--version-info", "--wide", binary],
                         capture_output=True, text=True, check=False).stdout
    needed = sorted({m for m in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", out)}, key=version)
    if needed and version(needed[-1]) > version(glibc_max):
        fail(f"{binary} needs glibc {needed[-1]}, Lambda provided.al2023 has {glibc_max}: "
             "build with BUILDER=zigbuild or cargo-lambda")
    print(f"[build-lambda] glibc needed: {needed[-1] if needed else 'none (static)'} (<= {glibc_max})")
else:
    print("[build-lambda] readelf not found: glibc version not checked")

entries = [("bootstrap", binary, 0o755), ("config.yaml", config, 0o644)]
for dirpath, dirnames, filenames in os.walk("skills"):
    dirnames.sort()
    for name in sorted(filenames):
        path = os.path.join(dirpath, name)
        entries.append((path.replace(os.sep, "/"), path, 0o644))

os.makedirs(os.path.dirname(output) or ".", exist_ok=True)
tmp = output + ".tmp"
with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for arcname, path, mode in entries:
        info = zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = (0o100000 | mode) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3  # unix, so the mode bits are honoured
        with open(path, "rb") as f:
            z.writestr(info, f.read())
os.replace(tmp, output)
size = os.path.getsize(output)
print(f"[build-lambda] wrote {output} ({size / 1e6:.1f} MB, {len(entries)} files)")
PY
