# One Bedrock AgentCore runtime per enabled agent: the agent's arm64 image serving A2A on
# 0.0.0.0:9000 (POST /, GET /.well-known/agent-card.json, GET /ping). The master is its own
# resource because its environment names the specialists' runtime ARNs (a for_each resource
# cannot reference its own instances).

locals {
  # Environment shared by every runtime. The image sets A2A_HOST=0.0.0.0, A2A_PORT=9000 and
  # SREMESH_CONFIG; chat secrets are passed as Secrets Manager ARNs, never as values.
  agent_env = {
    for id, a in local.agents : id => merge(
      {
        AWS_REGION         = local.region
        SREMESH_LOG_FORMAT = "json"
      },
      var.model_id != "" ? { MODEL_ID = var.model_id } : {},
      id == "eks" ? { EKS_CLUSTER_NAME = var.eks_cluster_name } : {},
      contains(["master", "slack_scanner"], id) && local.slack_enabled ? {
        SLACK_BOT_TOKEN = aws_secretsmanager_secret.this["slack-bot-token"].arn
      } : {},
      contains(["master", "discord_scanner"], id) && local.discord_enabled ? {
        DISCORD_BOT_TOKEN = aws_secretsmanager_secret.this["discord-bot-token"].arn
      } : {},
    )
  }

  # What the master needs to find each specialist: <AGENT>_AGENT_RUNTIME_ARN (wins over a URL).
  specialist_arn_env = {
    for id, r in aws_bedrockagentcore_agent_runtime.specialist : "${upper(id)}_AGENT_RUNTIME_ARN" => r.agent_runtime_arn
  }
}

resource "aws_bedrockagentcore_agent_runtime" "specialist" {
  for_each = local.specialists

  agent_runtime_name = each.value.runtime_name
  description        = "sremesh ${each.key} specialist (A2A), ${local.environment}"
  role_arn           = aws_iam_role.agent[each.key].arn

  agent_runtime_artifact {
    container_configuration {
      container_uri = local.image_uris[each.key]
    }
  }

  network_configuration {
    network_mode = each.value.network_mode

    dynamic "network_mode_config" {
      for_each = each.value.network_mode == "VPC" ? [1] : []
      content {
        subnets         = var.vpc_subnet_ids
        security_groups = local.vpc_security_group_ids
      }
    }
  }

  protocol_configuration {
    server_protocol = "A2A"
  }

  environment_variables = merge(local.agent_env[each.key], lookup(var.agent_environment, each.key, {}))
  tags                  = merge(local.tags, { Agent = each.key })

  # The role must be able to pull the image before the runtime is created (the provider also
  # retries on IAM propagation errors), and the config must have passed its checks.
  depends_on = [aws_iam_role_policy.agent, terraform_data.config_checks]
}

resource "aws_bedrockagentcore_agent_runtime" "master" {
  agent_runtime_name = local.agents["master"].runtime_name
  description        = "sremesh master (A2A), ${local.environment}"
  role_arn           = aws_iam_role.agent["master"].arn

  agent_runtime_artifact {
    container_configuration {
      container_uri = local.image_uris["master"]
    }
  }

  network_configuration {
    network_mode = local.agents["master"].network_mode

    dynamic "network_mode_config" {
      for_each = local.agents["master"].network_mode == "VPC" ? [1] : []
      content {
        subnets         = var.vpc_subnet_ids
        security_groups = local.vpc_security_group_ids
      }
    }
  }

  protocol_configuration {
    server_protocol = "A2A"
  }

  environment_variables = merge(
    local.agent_env["master"],
    local.specialist_arn_env,
    lookup(var.agent_environment, "master", {}),
  )
  tags = merge(local.tags, { Agent = "master" })

  depends_on = [aws_iam_role_policy.agent, aws_iam_role_policy.master_invoke, terraform_data.config_checks]

  lifecycle {
    # Checked before the body, so a config without a master gets this message, not a lookup error.
    precondition {
      condition     = contains(local.enabled_ids, "master")
      error_message = "${var.config_path}: the master agent must be listed and enabled."
    }
  }
}

# The master may invoke the specialist runtimes of this deployment, and nothing else.
data "aws_iam_policy_document" "master_invoke" {
  count = length(local.specialists) > 0 ? 1 : 0

  statement {
    sid     = "InvokeSpecialists"
    actions = ["bedrock-agentcore:InvokeAgentRuntime"]
    resources = flatten([
      for r in aws_bedrockagentcore_agent_runtime.specialist : [r.agent_runtime_arn, "${r.agent_runtime_arn}/*"]
    ])
  }
}

resource "aws_iam_role_policy" "master_invoke" {
  count = length(local.specialists) > 0 ? 1 : 0

  name   = "sremesh-master-invoke-specialists"
  role   = aws_iam_role.agent["master"].id
  policy = data.aws_iam_policy_document.master_invoke[0].json
}
