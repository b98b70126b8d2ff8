# One IAM role per agent runtime, least privilege: no BedrockAgentCoreFullAccess, no `*` beyond
# the actions that have no resource-level permissions (ecr:GetAuthorizationToken,
# logs:GetQueryResults, logs:StopQuery). Each role reads only its own image, writes only its own
# runtime's log groups, invokes only the model it resolves to, and reads only its own secrets.
# The master's right to invoke the specialists is a separate policy (agentcore.tf), because it
# needs the specialists' runtime ARNs.

data "aws_iam_policy_document" "agentcore_trust" {
  statement {
    sid     = "AgentCoreAssume"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["bedrock-agentcore.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:bedrock-agentcore:${local.region}:${local.account_id}:*"]
    }
  }
}

resource "aws_iam_role" "agent" {
  for_each = local.agents

  name                 = "${each.value.resource_name}-agentcore"
  description          = "sremesh ${each.key} on AgentCore Runtime (${local.environment})"
  assume_role_policy   = data.aws_iam_policy_document.agentcore_trust.json
  max_session_duration = 3600
  tags                 = merge(local.tags, { Agent = each.key })
}

locals {
  # Secrets each agent reads (ARNs are passed as env values and resolved at run time).
  agent_secret_arns = {
    for id in keys(local.agents) : id => compact([
      contains(["master", "slack_scanner"], id) && local.slack_enabled ? aws_secretsmanager_secret.this["slack-bot-token"].arn : "",
      contains(["master", "discord_scanner"], id) && local.discord_enabled ? aws_secretsmanager_secret.this["discord-bot-token"].arn : "",
    ])
  }

  # The log groups AgentCore writes for this runtime: /aws/bedrock-agentcore/runtimes/<id>-<endpoint>,
  # where a runtime id is "<runtime name>-<random suffix>". The name prefix avoids a cycle with
  # the runtime (the role must exist first) without opening the other runtimes' groups.
  agent_log_groups = {
    for id, a in local.agents : id => "${local.log_group_arn_prefix}:/aws/bedrock-agentcore/runtimes/${a.runtime_name}-*"
  }

  cloudwatch_logs_query_arns = coalesce(var.cloudwatch_logs_log_group_arns, ["${local.log_group_arn_prefix}:*"])
}

data "aws_iam_policy_document" "agent" {
  for_each = local.agents

  statement {
    sid       = "EcrAuth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"] # no resource-level permissions for this action
  }

  statement {
    sid       = "EcrPullOwnImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [local.repository_arns[each.key]]
  }

  statement {
    sid       = "OwnRuntimeLogGroups"
    actions   = ["logs:CreateLogGroup", "logs:DescribeLogStreams"]
    resources = [local.agent_log_groups[each.key]]
  }

  statement {
    sid       = "OwnRuntimeLogStreams"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.agent_log_groups[each.key]}:log-stream:*"]
  }

  statement {
    sid       = "DescribeLogGroups"
    actions   = ["logs:DescribeLogGroups"]
    resources = ["${local.log_group_arn_prefix}:*"]
  }

  dynamic "statement" {
    for_each = length(local.model_arns[each.key]) > 0 ? [local.model_arns[each.key]] : []
    content {
      sid       = "InvokeConfiguredModel"
      actions   = ["bedrock:InvokeModel"]
      resources = statement.value
    }
  }

  dynamic "statement" {
    for_each = length(local.agent_secret_arns[each.key]) > 0 ? [local.agent_secret_arns[each.key]] : []
    content {
      sid       = "ReadOwnSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = statement.value
    }
  }

  # cloudwatch_logs: run Logs Insights (with StopQuery on timeout) and the FilterLogEvents
  # fallback; discovery uses logs:DescribeLogGroups, granted above.
  dynamic "statement" {
    for_each = each.key == "cloudwatch_logs" ? [1] : []
    content {
      sid       = "QueryLogGroups"
      actions   = ["logs:StartQuery", "logs:FilterLogEvents"]
      resources = local.cloudwatch_logs_query_arns
    }
  }

  dynamic "statement" {
    for_each = each.key == "cloudwatch_logs" ? [1] : []
    content {
      sid       = "QueryResults"
      actions   = ["logs:GetQueryResults", "logs:StopQuery"]
      resources = ["*"] # no resource-level permissions for these actions
    }
  }

  # eks: DescribeCluster on the one cluster (endpoint and CA); Kubernetes reads go through the
  # access entry in network.tf.
  dynamic "statement" {
    for_each = each.key == "eks" ? [1] : []
    content {
      sid       = "DescribeOwnCluster"
      actions   = ["eks:DescribeCluster"]
      resources = ["arn:${local.partition}:eks:${local.region}:${local.account_id}:cluster/${var.eks_cluster_name}"]
    }
  }
}

resource "aws_iam_role_policy" "agent" {
  for_each = local.agents

  name   = "sremesh-${each.key}"
  role   = aws_iam_role.agent[each.key].id
  policy = data.aws_iam_policy_document.agent[each.key].json
}
