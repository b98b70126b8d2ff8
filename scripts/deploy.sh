#!/usr/bin/env bash
# Deploys sremesh to AWS in the one order that works: ECR repositories, images and the Lambda
# zip, the full terraform apply, then the secrets' values (never through Terraform state).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: scripts/deploy.sh [options]

  1. terraform apply -target the ECR repositories      (images need somewhere to go)
  2. scripts/build-lambda.sh, scripts/build-images.sh  (arm64 Lambda zip and agent images)
  3. terraform apply -var image_tag=TAG                (runtimes, intake, table, secrets, IAM)
  4. hydrate secrets                                   (aws secretsmanager put-secret-value)

Options:
  --tf-dir DIR       Terraform root module (default: terraform/examples/complete); it must
                     declare the variables config_path, lambda_zip_path and image_tag and the
                     outputs of examples/complete, and call the module as module "sremesh"
                     (or set MODULE)
  --var-file FILE    passed to every terraform plan/apply
  --tag TAG          image tag (default: the git commit, -dirty if the tree has changes)
  --skip-build       do not build; deploy images already pushed with TAG and the existing zip
  --skip-secrets     do not hydrate secrets
  --only-secrets     only hydrate secrets (after an earlier deploy)
  --auto-approve     do not ask before each terraform apply
  -h, --help         this text

Environment:
  CONFIG             config file (default: config.yaml): baked into the images and the zip, and
                     read by Terraform
  MODULE             module name in the root (default: sremesh)
  LAMBDA_ZIP         the intake zip to build and deploy (default: target/lambda/sremesh-intake.zip)
  SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, DISCORD_PUBLIC_KEY, DISCORD_BOT_TOKEN,
  ALERTMANAGER_TOKEN values for the secrets; a secret whose variable is unset keeps its
                     current value, or is asked for on a terminal, or is left empty with a warning
  AWS_PROFILE, AWS_REGION and the usual AWS CLI variables select the account.
EOF
}

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

die() { printf 'deploy: %s\n' "$*" >&2; exit 1; }
say() { printf '\n==> %s\n' "$*"; }
warn() { printf 'deploy: warning: %s\n' "$*" >&2; }

tf_dir=terraform/examples/complete
var_file=""
tag=""
build=1
secrets=1
infra=1
approve=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --tf-dir) [ "$#" -ge 2 ] || die "--tf-dir needs a value"; tf_dir="$2"; shift 2 ;;
    --var-file) [ "$#" -ge 2 ] || die "--var-file needs a value"; var_file="$2"; shift 2 ;;
    --tag) [ "$#" -ge 2 ] || die "--tag needs a value"; tag="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    --skip-secrets) secrets=0; shift ;;
    --only-secrets) infra=0; build=0; shift ;;
    --auto-approve) approve=(-auto-approve); shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

CONFIG="${CONFIG:-config.yaml}"
MODULE="${MODULE:-sremesh}"
[ -d "$tf_dir" ] || die "Terraform directory not found: $tf_dir"
[ -f "$CONFIG" ] || die "config file not found: $CONFIG"
config_abs="$(cd "$(dirname "$CONFIG")" && pwd)/$(basename "$CONFIG")"
zip_abs="${LAMBDA_ZIP:-$root/target/lambda/sremesh-intake.zip}"

for tool in terraform aws python3; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found"
done

tf() { terraform -chdir="$tf_dir" "$@"; }
tf_vars=(-input=false -var "config_path=$config_abs" -var "lambda_zip_path=$zip_abs")
if [ -n "$var_file" ]; then
  var_abs="$(cd "$(dirname "$var_file")" && pwd)/$(basename "$var_file")"
  tf_vars+=(-var-file "$var_abs")
fi

if [ -z "$tag" ]; then
  tag="$(git rev-parse --short=12 HEAD)" || die "no --tag and not a git checkout"
  if [ -n "$(git status --porcelain --untracked-files=no)" ]; then tag="$tag-dirty"; fi
fi

aws sts get-caller-identity --query Arn --output text >/dev/null ||
  die "no AWS credentials (aws sts get-caller-identity failed)"

if [ "$infra" = 1 ]; then
  say "terraform init ($tf_dir)"
  tf init -input=false

  say "1/4 ECR repositories"
  tf apply "${tf_vars[@]}" "${approve[@]}" \
    -target="module.$MODULE.aws_ecr_repository.agent" \
    -target="module.$MODULE.aws_ecr_lifecycle_policy.agent"

  if [ "$build" = 1 ]; then
    say "2/4 build: Lambda zip and agent images ($tag)"
    urls_json="$(tf output -json ecr_repository_urls)"
    # <registry>/<prefix>-master: the registry and the prefix, from the master's repository (the
    # only outputs a targeted apply records are those of the targeted resources).
    read -r registry prefix < <(python3 -c '
import json, sys
url = json.load(sys.stdin)["master"]
registry, name = url.split("/", 1)
print(registry, name[: -len("-master")])' <<<"$urls_json") || die "cannot read ecr_repository_urls from terraform output"
    [ -n "${prefix:-}" ] || die "cannot read ecr_repository_urls from terraform output"
    agents="$(python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)))' <<<"$urls_json")"
    OUTPUT="$zip_abs" CONFIG="$CONFIG" scripts/build-lambda.sh
    REGISTRY="$registry" REPO_PREFIX="$prefix" AGENTS="$agents" CONFIG="$CONFIG" \
      scripts/build-images.sh "$tag"
  else
    say "2/4 build skipped: deploying image tag $tag"
    [ -f "$zip_abs" ] || die "$zip_abs missing: run scripts/build-lambda.sh or drop --skip-build"
  fi

  say "3/4 terraform apply (image tag $tag)"
  tf apply "${tf_vars[@]}" "${approve[@]}" -var "image_tag=$tag"
fi

if [ "$secrets" = 1 ]; then
  say "4/4 secrets"
  secrets_json="$(tf output -json secret_arns)" || die "cannot read secret_arns from terraform output"
  tmp="$(mktemp)"
  trap 'rm -f "$tmp"' EXIT
  chmod 600 "$tmp"
  mapfile -t pairs < <(python3 -c 'import json,sys; [print(k, v) for k, v in sorted(json.load(sys.stdin).items())]' <<<"$secrets_json")
  [ "${#pairs[@]}" -gt 0 ] || echo "  no secrets in this deployment"
  for pair in "${pairs[@]}"; do
    name="${pair%% *}"
    arn="${pair#* }"
    var="$(printf '%s' "$name" | tr 'a-z-' 'A-Z_')"
    value="${!var:-}"
    if [ -z "$value" ]; then
      current="$(aws secretsmanager describe-secret --secret-id "$arn" --query 'VersionIdsToStages' --output text)"
      if [ -n "$current" ] && [ "$current" != None ]; then
        echo "  $name: has a value, kept (set $var to replace it)"
        continue
      fi
      if [ -t 0 ]; then
        read -r -s -p "  $name ($var): " value
        echo
      fi
    fi
    if [ -z "$value" ]; then
      warn "$name has no value: set $var and run scripts/deploy.sh --only-secrets"
      continue
    fi
    # The value goes through a private file, never the command line (visible in ps).
    printf '%s' "$value" >"$tmp"
    aws secretsmanager put-secret-value --secret-id "$arn" --secret-string "file://$tmp" \
      --query VersionId --output text >/dev/null
    : >"$tmp"
    echo "  $name: stored"
  done
fi

if [ "$infra" = 1 ]; then
  say "done"
  echo "Intake URL: $(tf output -raw intake_function_url)"
  echo "Point the Slack app (docs/slack-app-manifest.yaml), Discord interactions and Alertmanager at it;"
  echo "components read new secret values within their refresh TTL, no redeploy needed."
fi
