"""Applies the Terraform module to moto (a local AWS emulator on 127.0.0.1) and checks what it
built: least-privilege IAM, the runtime environments, secrets passed as ARNs, the Lambda shape,
and that config.yaml decides what exists.

Runs with the AWS provider 5.100 from the machine's filesystem mirror (/opt/tf-plugins) on the
scratch copy made by tf_scratch.py (see there for what that changes); AgentCore runtimes are
emulated by terraform_data carrying the same argument expressions. Nothing leaves 127.0.0.1.

    .peers/venv/bin/python -m pytest deploy/check/test_terraform.py -q
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
MIRROR = Path(os.environ.get("TF_PLUGIN_MIRROR", "/opt/tf-plugins"))
# Errors moto cannot avoid: it has no EKS access entries and no cluster security group.
MOTO_GAPS = ("aws_eks_access_entry", "aws_vpc_security_group_ingress_rule.cluster_from_agents")
# Actions that have no resource-level permissions, so "*" is their least privilege.
STAR_OK = {"ecr:GetAuthorizationToken", "logs:GetQueryResults", "logs:StopQuery"}

pytestmark = pytest.mark.skipif(
    shutil.which("terraform") is None or not MIRROR.is_dir(),
    reason="needs terraform and a local AWS provider mirror",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto():
    port = free_port()
    server = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
    proc = subprocess.Popen([server, "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test",
                            region_name="us-east-1")
    ec2 = session.client("ec2", endpoint_url=url)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"]
               for i in (1, 2)]
    sg = ec2.create_security_group(GroupName="cluster", Description="c", VpcId=vpc)["GroupId"]
    session.client("eks", endpoint_url=url).create_cluster(
        name="prod-cluster", roleArn="arn:aws:iam::123456789012:role/eks",
        resourcesVpcConfig={"subnetIds": subnets, "securityGroupIds": [sg]})
    yield {"url": url, "subnets": subnets}
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)


def apply(tmp_path: Path, moto: dict, config: str, tfvars: dict, expect_ok: bool = True):
    """Applies examples/complete with `config` as config.yaml; returns (module resources, output)."""
    scratch = tmp_path / "tf"
    subprocess.run([sys.executable, str(Path(__file__).with_name("tf_scratch.py")),
                    str(ROOT / "terraform"), str(scratch)], check=True)
    (tmp_path / "config.yaml").write_text(config)
    shutil.copytree(ROOT / "skills", tmp_path / "skills")
    with zipfile.ZipFile(tmp_path / "intake.zip", "w") as z:
        z.writestr("bootstrap", "stub")
    example = scratch / "examples" / "complete"
    endpoints = "\n".join(f'    {s} = "{moto["url"]}"' for s in
                          ("sts", "iam", "ecr", "secretsmanager", "dynamodb", "logs", "lambda", "ec2", "eks"))
    (example / "moto_override.tf").write_text(f"""
provider "aws" {{
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {{
{endpoints}
  }}
}}
""")
    variables = {"config_path": str(tmp_path / "config.yaml"),
                 "lambda_zip_path": str(tmp_path / "intake.zip"),
                 "vpc_subnet_ids": moto["subnets"], **tfvars}
    (example / "test.auto.tfvars.json").write_text(json.dumps(variables))
    rc = tmp_path / "cli.tfrc"
    rc.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n}}\n')
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "CHECKPOINT_DISABLE": "1",
           "AWS_EC2_METADATA_DISABLED": "true", "TF_IN_AUTOMATION": "1"}
    for k in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        env.pop(k, None)

    def tf(*args, check=True):
        return subprocess.run(["terraform", f"-chdir={example}", *args, "-no-color"], env=env,
                              capture_output=True, text=True, check=check)

    tf("init", "-backend=false", "-input=false")
    out = tf("apply", "-auto-approve", "-input=false", check=False)
    text = out.stdout + out.stderr
    if not expect_ok:
        return None, text
    if out.returncode != 0:
        errors = [line for line in text.splitlines() if line.strip().startswith("with module.")]
        unexpected = [e for e in errors if not any(g in e for g in MOTO_GAPS)]
        assert errors and not unexpected, text
    state = json.loads(tf("show", "-json").stdout)
    resources = state["values"]["root_module"]["child_modules"][0]["resources"]
    return resources, state


def by_type(resources, rtype):
    return {r["address"].split("module.sremesh.")[1]: r["values"] for r in resources if r["type"] == rtype}


def statements(policy_json: str):
    for st in json.loads(policy_json)["Statement"]:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        res = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
        yield st.get("Sid"), actions, res


FULL_CONFIG = (ROOT / "config.yaml").read_text()

SMALL_CONFIG = """
project: sremesh
environment: local
agents:
  master: {skills: [investigate_alert]}
  slack_scanner: {enabled: false}
  discord_scanner: {enabled: false}
  cloudwatch_logs: {skills: [discover_log_groups]}
  eks: {enabled: false}
"""


def test_full_mesh_is_least_privilege_and_wired(tmp_path, moto):
    resources, state = apply(tmp_path, moto, FULL_CONFIG, {
        "model_id": "us.anthropic.claude-haiku-4-5-20251001-v1:0",
        "alertmanager_target": "slack:C0ALERTS",
        "image_tag": "abc123",
    })
    policies = by_type(resources, "aws_iam_role_policy")
    assert not [r for r in resources if r["type"] == "aws_iam_role_policy_attachment"], "no managed policies"
    for addr, p in policies.items():
        for sid, actions, res in statements(p["policy"]):
            assert not any(a == "*" or a.endswith(":*") for a in actions), (addr, sid)
            if "*" in res:
                assert set(actions) <= STAR_OK, (addr, sid, actions)

    def granted(agent):
        out = {}
        for sid, actions, res in statements(policies[f'aws_iam_role_policy.agent["{agent}"]']["policy"]):
            for a in actions:
                out.setdefault(a, set()).update(res)
        return out

    # Each role reads only its own secrets and image, and invokes only the configured model.
    assert [r.split(":secret:")[1].rsplit("-", 1)[0] for r in granted("slack_scanner")["secretsmanager:GetSecretValue"]] == ["sremesh/dev/slack-bot-token"]
    assert "secretsmanager:GetSecretValue" not in granted("cloudwatch_logs")
    assert "secretsmanager:GetSecretValue" not in granted("eks")
    assert {r.rsplit("-", 1)[0] for r in granted("master")["secretsmanager:GetSecretValue"]} == {
        r.rsplit("-", 1)[0] for r in granted("slack_scanner")["secretsmanager:GetSecretValue"] | granted("discord_scanner")["secretsmanager:GetSecretValue"]}
    assert granted("eks")["ecr:BatchGetImage"] == {"arn:aws:ecr:us-east-1:123456789012:repository/sremesh-dev-eks"}
    assert granted("eks")["eks:DescribeCluster"] == {"arn:aws:eks:us-east-1:123456789012:cluster/prod-cluster"}
    assert "logs:StartQuery" in granted("cloudwatch_logs") and "logs:StartQuery" not in granted("eks")
    assert all("claude-haiku-4-5" in r for r in granted("master")["bedrock:InvokeModel"])
    invoke = {r for _, a, res in statements(policies["aws_iam_role_policy.master_invoke[0]"]["policy"]) for r in res}
    runtimes = by_type(resources, "terraform_data")
    specialist_arns = {v["output"]["agent_runtime_arn"] for k, v in runtimes.items() if "agent_runtime_specialist" in k}
    assert invoke == specialist_arns | {a + "/*" for a in specialist_arns}

    # Environments: ARNs for secrets and specialists, the cluster for eks, the image tag.
    master = runtimes["terraform_data.agent_runtime_master"]["output"]
    env = master["environment_variables"]
    for agent in ("slack_scanner", "discord_scanner", "cloudwatch_logs", "eks"):
        assert env[f"{agent.upper()}_AGENT_RUNTIME_ARN"] in specialist_arns
    assert env["SLACK_BOT_TOKEN"].startswith("arn:aws:secretsmanager:")
    assert env["MODEL_ID"] == "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    assert master["protocol_configuration"] == {"server_protocol": "A2A"}
    assert master["agent_runtime_artifact"]["container_configuration"]["container_uri"].endswith("/sremesh-dev-master:abc123")
    eks = runtimes['terraform_data.agent_runtime_specialist["eks"]']["output"]
    assert eks["environment_variables"]["EKS_CLUSTER_NAME"] == "prod-cluster"
    assert eks["network_configuration"]["network_mode"] == "VPC"
    assert not any(k.endswith("_AGENT_RUNTIME_ARN") for k in eks["environment_variables"])

    # The intake: arm64 provided.al2023, secrets as ARNs, no reserved AWS_REGION.
    fn = by_type(resources, "aws_lambda_function")["aws_lambda_function.intake"]
    assert (fn["runtime"], fn["architectures"], fn["handler"]) == ("provided.al2023", ["arm64"], "bootstrap")
    lenv = fn["environment"][0]["variables"]
    assert "AWS_REGION" not in lenv
    for k in ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "DISCORD_PUBLIC_KEY", "DISCORD_BOT_TOKEN", "ALERTMANAGER_TOKEN"):
        assert lenv[k].startswith("arn:aws:secretsmanager:"), k
    assert lenv["ALERTMANAGER_TARGET"] == "slack:C0ALERTS"
    intake = {a: set(r) for _, acts, r in statements(policies["aws_iam_role_policy.intake"]["policy"]) for a in acts}
    assert intake["dynamodb:PutItem"] == {"arn:aws:dynamodb:us-east-1:123456789012:table/sremesh-dev-dedup"}
    assert intake["bedrock-agentcore:InvokeAgentRuntime"] == {lenv["MASTER_AGENT_RUNTIME_ARN"], lenv["MASTER_AGENT_RUNTIME_ARN"] + "/*"}
    logs = by_type(resources, "aws_cloudwatch_log_group")["aws_cloudwatch_log_group.intake"]
    assert logs["retention_in_days"] == 30

    # Table, repositories, secrets: no secret value anywhere in state.
    table = by_type(resources, "aws_dynamodb_table")["aws_dynamodb_table.dedup"]
    assert (table["hash_key"], table["billing_mode"], table["ttl"][0]["attribute_name"]) == ("pk", "PAY_PER_REQUEST", "ttl")
    assert table["server_side_encryption"][0]["enabled"] is True
    repos = by_type(resources, "aws_ecr_repository")
    assert len(repos) == 5 and all(r["image_scanning_configuration"][0]["scan_on_push"] for r in repos.values())
    rules = json.loads(next(iter(by_type(resources, "aws_ecr_lifecycle_policy").values()))["policy"])["rules"]
    assert [r["selection"]["countNumber"] for r in rules] == [1, 10]
    assert sorted(by_type(resources, "aws_secretsmanager_secret")) == sorted(
        f'aws_secretsmanager_secret.this["{n}"]' for n in
        ("alertmanager-token", "discord-bot-token", "discord-public-key", "slack-bot-token", "slack-signing-secret"))
    assert not [r for r in resources if r["type"] == "aws_secretsmanager_secret_version"]
    assert "secret_string" not in json.dumps(state)


def test_config_yaml_decides_what_exists(tmp_path, moto):
    resources, _ = apply(tmp_path, moto, SMALL_CONFIG, {"environment": "small"})
    runtimes = sorted(k for k in by_type(resources, "terraform_data") if "agent_runtime" in k)
    assert runtimes == ['terraform_data.agent_runtime_master',
                        'terraform_data.agent_runtime_specialist["cloudwatch_logs"]']
    assert not by_type(resources, "aws_secretsmanager_secret"), "no chat platform enabled"
    assert not by_type(resources, "aws_security_group") and not by_type(resources, "aws_eks_access_entry")
    policies = by_type(resources, "aws_iam_role_policy")
    assert not [p for p in policies.values() if "bedrock:InvokeModel" in p["policy"]], "no model: no Bedrock"
    env = by_type(resources, "terraform_data")["terraform_data.agent_runtime_master"]["output"]["environment_variables"]
    assert "MODEL_ID" not in env and "SLACK_BOT_TOKEN" not in env
    assert set(k for k in env if k.endswith("_AGENT_RUNTIME_ARN")) == {"CLOUDWATCH_LOGS_AGENT_RUNTIME_ARN"}


def test_deploy_script_runs_the_whole_sequence(tmp_path, moto):
    """scripts/deploy.sh against moto: targeted ECR apply, build (docker is a stand-in that records
    its arguments; the zip holds a stand-in aarch64 ELF), full apply, secret hydration."""
    scratch = tmp_path / "tf"
    subprocess.run([sys.executable, str(Path(__file__).with_name("tf_scratch.py")),
                    str(ROOT / "terraform"), str(scratch)], check=True)
    example = scratch / "examples" / "complete"
    endpoints = "\n".join(f'    {s} = "{moto["url"]}"' for s in
                          ("sts", "iam", "ecr", "secretsmanager", "dynamodb", "logs", "lambda", "ec2", "eks"))
    (example / "moto_override.tf").write_text(
        'provider "aws" {\n  region = "us-east-1"\n  skip_credentials_validation = true\n'
        f'  skip_metadata_api_check = true\n  endpoints {{\n{endpoints}\n  }}\n}}\n')
    (example / "e2e.auto.tfvars.json").write_text(json.dumps({"environment": "e2e"}))
    # The config must live in the repository (it is copied from the build context); eks off,
    # because moto has no EKS access entries.
    cfg_dir = ROOT / "target" / "deploy-check"
    cfg_dir.mkdir(parents=True, exist_ok=True)
    config = cfg_dir / f"config-e2e-{os.getpid()}.yaml"
    config_body = FULL_CONFIG.replace("  eks:\n    enabled: true", "  eks:\n    enabled: false")
    assert config_body != FULL_CONFIG
    config.write_text(config_body)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(f'#!/bin/sh\necho "$*" >> {tmp_path}/docker.log\n')
    (bin_dir / "docker").chmod(0o755)
    elf = tmp_path / "bootstrap"
    elf.write_bytes(b"\x7fELF\x02\x01\x01" + b"\0" * 11 + (183).to_bytes(2, "little") + b"\0" * 44)
    rc = tmp_path / "cli.tfrc"
    rc.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n}}\n')
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(rc), "CHECKPOINT_DISABLE": "1",
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": moto["url"],
           "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "PATH": f"{bin_dir}:{os.environ['PATH']}", "BOOTSTRAP": str(elf), "ECR_LOGIN": "0",
           "LAMBDA_ZIP": str(tmp_path / "intake.zip"), "CONFIG": str(config.relative_to(ROOT)),
           "SLACK_BOT_TOKEN": "xoxb-e2e", "SLACK_SIGNING_SECRET": "signing-e2e"}
    env.pop("AWS_PROFILE", None)
    try:
        out = subprocess.run([str(ROOT / "scripts" / "deploy.sh"), "--tf-dir", str(example), "--tag", "e2e1",
                              "--auto-approve"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=600)
    finally:
        config.unlink()
    text = out.stdout + out.stderr
    assert out.returncode == 0, text
    steps = [line for line in text.splitlines() if line.startswith("==> ")]
    assert [s.split()[1] for s in steps[1:5]] == ["1/4", "2/4", "3/4", "4/4"], steps
    builds = (tmp_path / "docker.log").read_text().splitlines()
    pushed = sorted(next(a.split("=", 1)[1] for a in b.split() if a.startswith("AGENT=")) for b in builds if "build" in b.split()[:2])
    assert pushed == ["cloudwatch_logs", "discord_scanner", "master", "slack_scanner"]
    assert all("sremesh-e2e-" in b and ":e2e1" in b and "--platform linux/arm64" in b for b in builds if "buildx build" in b)
    with zipfile.ZipFile(tmp_path / "intake.zip") as z:
        assert {"bootstrap", "config.yaml"} <= set(z.namelist())
        assert z.read("config.yaml").decode() == config_body
    sm = boto3.client("secretsmanager", endpoint_url=moto["url"], region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    assert sm.get_secret_value(SecretId="sremesh/e2e/slack-bot-token")["SecretString"] == "xoxb-e2e"
    assert "discord-bot-token has no value" in text
    assert "Intake URL: https://" in text


@pytest.mark.parametrize("config, tfvars, message", [
    (FULL_CONFIG.replace("  # Later specialists", "  prometheus: {port: 9003}\n  # Later"), {},
     "cannot deploy (not built yet, or unknown): prometheus"),
    (FULL_CONFIG, {"eks_cluster_name": ""}, "set eks_cluster_name"),
    (FULL_CONFIG, {"enable_discord": False}, "discord_scanner is enabled"),
    (SMALL_CONFIG, {"alertmanager_target": "slack:C1"}, "names a platform that is not enabled"),
    (SMALL_CONFIG.replace("project: sremesh", "project: a-very-long-project-name-x"), {"environment": "staging"},
     "together at most 31 characters"),
])
def test_inconsistent_inputs_are_refused_with_a_clear_message(tmp_path, moto, config, tfvars, message):
    _, text = apply(tmp_path, moto, config, tfvars, expect_ok=False)
    assert message in " ".join(text.split()), text
