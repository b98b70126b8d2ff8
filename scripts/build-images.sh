#!/usr/bin/env bash
# Builds the linux/arm64 image of every agent enabled in config.yaml (deploy/Dockerfile) and
# pushes it to $REGISTRY as <registry>/<prefix>-<agent-with-dashes>:TAG and :latest.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/build-images.sh [TAG]

Builds deploy/Dockerfile once per agent enabled in config.yaml, for linux/arm64 (AgentCore
Runtime), and pushes <REGISTRY>/<REPO_PREFIX>-<agent-with-dashes>:TAG and :latest.

  TAG            image tag (default: the git commit, with -dirty if the tree has changes)

Environment:
  REGISTRY       registry host, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com (required)
  REPO_PREFIX    repository name prefix (default: <project>-<environment> from the config;
                 Terraform's is the master repository's name without "-master")
  CONFIG         config file baked into the images (default: config.yaml); Terraform's
                 config_path must name the same file
  AGENTS         space-separated agent ids to build instead of every enabled one
  PLATFORM       target platform (default: linux/arm64)
  PUSH           1 (default) pushes; 0 only builds (into the build cache)
  ECR_LOGIN      1 (default) logs in to an ECR registry with the AWS CLI first; 0 skips it

Requires docker with the buildx plugin; cross-compiles on the build machine, no emulation.
EOF
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
esac
[ "$#" -le 1 ] || { usage >&2; exit 2; }

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

die() { printf 'build-images: %s\n' "$*" >&2; exit 1; }
say() { printf '[build-images] %s\n' "$*"; }

[ -n "${REGISTRY:-}" ] || { usage >&2; die "set REGISTRY (e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com)"; }
REGISTRY="${REGISTRY%/}"
CONFIG="${CONFIG:-config.yaml}"
PLATFORM="${PLATFORM:-linux/arm64}"
PUSH="${PUSH:-1}"
ECR_LOGIN="${ECR_LOGIN:-1}"

[ -f "$CONFIG" ] || die "config file not found: $CONFIG"
# The Dockerfile copies the config from the build context, so it must live inside the repository.
config_abs="$(cd "$(dirname "$CONFIG")" && pwd)/$(basename "$CONFIG")"
case "$config_abs" in
  "$root"/*) config_rel="${config_abs#"$root"/}" ;;
  *) die "CONFIG must be inside $root (it is copied from the build context): $CONFIG" ;;
esac

command -v docker >/dev/null 2>&1 || die "docker not found"
docker buildx version >/dev/null 2>&1 || die "docker buildx not available (install the buildx plugin)"
command -v python3 >/dev/null 2>&1 || die "python3 not found (used to read $CONFIG)"

if [ "$#" -eq 1 ]; then
  TAG="$1"
else
  command -v git >/dev/null 2>&1 || die "no TAG given and git not found"
  TAG="$(git rev-parse --short=12 HEAD)" || die "no TAG given and not a git checkout"
  if [ -n "$(git status --porcelain --untracked-files=no)" ]; then TAG="$TAG-dirty"; fi
fi
[[ "$TAG" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "invalid tag: $TAG"

# project, environment and the enabled agents, from the config (PyYAML when present, else a
# small parser for the flat shape config.yaml has).
read_config() {
  python3 - "$CONFIG" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
try:
    import yaml
    doc = yaml.safe_load(text) or {}
    agents = doc.get("agents") or {}
    enabled = [k for k, v in agents.items() if (v or {}).get("enabled", True) is not False]
    project, env = doc.get("project", ""), doc.get("environment", "")
except ImportError:
    project = env = ""
    enabled, current, in_agents = [], None, False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        m = re.match(r"^(\w+):\s*(.*)$", line.strip())
        if indent == 0:
            in_agents = bool(m) and m.group(1) == "agents"
            if m and m.group(1) == "project":
                project = m.group(2).strip("'\" ")
            if m and m.group(1) == "environment":
                env = m.group(2).strip("'\" ")
            current = None
        elif in_agents and indent == 2 and m:
            current = m.group(1)
            enabled.append(current)
            if re.search(r"\benabled:\s*false\b", m.group(2)):
                enabled.remove(current)
        elif in_agents and current and m and m.group(1) == "enabled" and m.group(2) == "false":
            if current in enabled:
                enabled.remove(current)
print(project)
print(env)
print(" ".join(enabled))
PY
}

mapfile -t cfg < <(read_config) || die "cannot read $CONFIG"
[ "${#cfg[@]}" -eq 3 ] || die "cannot read project, environment and agents from $CONFIG"
REPO_PREFIX="${REPO_PREFIX:-${cfg[0]}-${cfg[1]}}"
AGENTS="${AGENTS:-${cfg[2]}}"
[ -n "$AGENTS" ] || die "no enabled agents in $CONFIG"
[[ "$REPO_PREFIX" =~ ^[a-z0-9][a-z0-9._/-]*$ ]] || die "invalid REPO_PREFIX: $REPO_PREFIX"

if [ "$PUSH" = 1 ] && [ "$ECR_LOGIN" = 1 ] && [[ "$REGISTRY" =~ ^[0-9]{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com ]]; then
  region="${BASH_REMATCH[1]}"
  command -v aws >/dev/null 2>&1 || die "aws CLI not found (needed to log in to $REGISTRY; or log in yourself and set ECR_LOGIN=0)"
  say "logging in to $REGISTRY"
  aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$REGISTRY" >/dev/null
fi

output=(--push)
[ "$PUSH" = 1 ] || output=()

say "tag $TAG, platform $PLATFORM, config $config_rel, agents: $AGENTS"
built=()
for agent in $AGENTS; do
  [[ "$agent" =~ ^[a-z][a-z0-9_]*$ ]] || die "invalid agent id: $agent"
  repo="$REGISTRY/$REPO_PREFIX-${agent//_/-}"
  say "building $agent -> $repo:$TAG"
  # --provenance/--sbom off: push a plain image manifest, not an index with attestations.
  docker buildx build \
    --platform "$PLATFORM" \
    --file deploy/Dockerfile \
    --build-arg "AGENT=$agent" \
    --build-arg "CONFIG=$config_rel" \
    --provenance=false \
    --sbom=false \
    --label "org.opencontainers.image.revision=$TAG" \
    --label "io.sremesh.agent=$agent" \
    --tag "$repo:$TAG" \
    --tag "$repo:latest" \
    "${output[@]}" \
    .
  built+=("$repo:$TAG")
done

say "done (${#built[@]} images):"
printf '  %s\n' "${built[@]}"
say "deploy them with: terraform apply -var image_tag=$TAG"
