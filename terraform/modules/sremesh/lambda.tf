# The intake on Lambda (provided.al2023, arm64): the zip from scripts/build-lambda.sh (bootstrap,
# config.yaml, skills/), one public Function URL serving Slack, Discord and Alertmanager (the
# intake verifies every request's signature or token itself), a 30-day log group, and a role
# that can write its dedup keys, invoke the master runtime and read its secrets, and nothing more.

locals {
  intake_name = "${local.name_prefix}-intake"

  # AWS_REGION is reserved by Lambda (it sets it); booleans are spelled "true" / "false".
  intake_env = merge(
    {
      MASTER_AGENT_RUNTIME_ARN     = aws_bedrockagentcore_agent_runtime.master.agent_runtime_arn
      DEDUP_TABLE_NAME             = aws_dynamodb_table.dedup.name
      ALERT_CLASSIFICATION_ENABLED = tostring(var.alert_classification_enabled)
      INTAKE_PAUSED                = tostring(var.intake_paused)
      SREMESH_CONFIG               = "/var/task/config.yaml"
      SREMESH_LOG_FORMAT           = "json"
    },
    local.slack_enabled ? {
      SLACK_SIGNING_SECRET = aws_secretsmanager_secret.this["slack-signing-secret"].arn
      SLACK_BOT_TOKEN      = aws_secretsmanager_secret.this["slack-bot-token"].arn
    } : {},
    local.discord_enabled ? {
      DISCORD_PUBLIC_KEY = aws_secretsmanager_secret.this["discord-public-key"].arn
      DISCORD_BOT_TOKEN  = aws_secretsmanager_secret.this["discord-bot-token"].arn
    } : {},
    local.discord_enabled && var.discord_application_id != "" ? {
      DISCORD_APPLICATION_ID = var.discord_application_id
    } : {},
    var.enable_alertmanager ? {
      ALERTMANAGER_TOKEN  = aws_secretsmanager_secret.this["alertmanager-token"].arn
      ALERTMANAGER_TARGET = var.alertmanager_target
    } : {},
  )
}

resource "aws_cloudwatch_log_group" "intake" {
  name              = "/aws/lambda/${local.intake_name}"
  retention_in_days = var.lambda_log_retention_days
  tags              = local.tags
}

data "aws_iam_policy_document" "lambda_trust" {
  statement {
    sid     = "LambdaAssume"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "intake" {
  name                 = "${local.intake_name}-lambda"
  description          = "sremesh intake on Lambda (${local.environment})"
  assume_role_policy   = data.aws_iam_policy_document.lambda_trust.json
  max_session_duration = 3600
  tags                 = local.tags
}

data "aws_iam_policy_document" "intake" {
  statement {
    sid       = "OwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.intake.arn}:*"]
  }

  statement {
    sid       = "DedupConditionalPut"
    actions   = ["dynamodb:PutItem"]
    resources = [aws_dynamodb_table.dedup.arn]
  }

  statement {
    sid     = "InvokeMaster"
    actions = ["bedrock-agentcore:InvokeAgentRuntime"]
    resources = [
      aws_bedrockagentcore_agent_runtime.master.agent_runtime_arn,
      "${aws_bedrockagentcore_agent_runtime.master.agent_runtime_arn}/*",
    ]
  }

  dynamic "statement" {
    for_each = length(local.secrets) > 0 ? [1] : []
    content {
      sid       = "ReadIntakeSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = [for s in aws_secretsmanager_secret.this : s.arn]
    }
  }
}

resource "aws_iam_role_policy" "intake" {
  name   = "sremesh-intake"
  role   = aws_iam_role.intake.id
  policy = data.aws_iam_policy_document.intake.json
}

resource "aws_lambda_function" "intake" {
  function_name = local.intake_name
  description   = "sremesh intake: Slack, Discord and Alertmanager webhooks in, verified, deduplicated, handed to the master"
  role          = aws_iam_role.intake.arn

  runtime       = "provided.al2023"
  architectures = ["arm64"]
  handler       = "bootstrap"

  filename         = var.lambda_zip_path
  source_code_hash = fileexists(var.lambda_zip_path) ? filebase64sha256(var.lambda_zip_path) : null

  memory_size                    = var.lambda_memory_size
  timeout                        = var.lambda_timeout
  reserved_concurrent_executions = var.lambda_reserved_concurrency

  environment {
    variables = local.intake_env
  }

  tags = local.tags

  depends_on = [aws_cloudwatch_log_group.intake, aws_iam_role_policy.intake]

  lifecycle {
    precondition {
      condition     = fileexists(var.lambda_zip_path)
      error_message = "${var.lambda_zip_path} does not exist: build it with scripts/build-lambda.sh."
    }
  }
}

# authorization_type NONE: the provider (>= 6.28) also adds the two resource-policy statements a
# public URL needs (lambda:InvokeFunctionUrl, and lambda:InvokeFunction limited to calls through
# the URL). Requests are authenticated by the intake: Slack v0 signatures, Discord Ed25519
# signatures, the Alertmanager bearer token.
resource "aws_lambda_function_url" "intake" {
  function_name      = aws_lambda_function.intake.function_name
  authorization_type = "NONE"
}
