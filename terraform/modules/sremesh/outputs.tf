# What scripts/deploy.sh and people need after an apply.

output "intake_function_url" {
  description = "The intake's public URL: point Slack (Events and slash commands), Discord (interactions) and Alertmanager at it (POST / picks the platform from the headers; /slack/events, /slack/commands, /discord/interactions and /alertmanager also work)."
  value       = aws_lambda_function_url.intake.function_url
}

output "intake_function_name" {
  description = "The intake Lambda function name."
  value       = aws_lambda_function.intake.function_name
}

output "agent_runtime_arns" {
  description = "AgentCore runtime ARN per agent id."
  value = merge(
    { master = aws_bedrockagentcore_agent_runtime.master.agent_runtime_arn },
    { for id, r in aws_bedrockagentcore_agent_runtime.specialist : id => r.agent_runtime_arn },
  )
}

output "agent_runtime_versions" {
  description = "Current AgentCore runtime version per agent id (each image or env change creates one)."
  value = merge(
    { master = aws_bedrockagentcore_agent_runtime.master.agent_runtime_version },
    { for id, r in aws_bedrockagentcore_agent_runtime.specialist : id => r.agent_runtime_version },
  )
}

output "agent_role_arns" {
  description = "IAM role ARN per agent id."
  value       = { for id, r in aws_iam_role.agent : id => r.arn }
}

output "intake_role_arn" {
  description = "IAM role ARN of the intake Lambda."
  value       = aws_iam_role.intake.arn
}

output "ecr_repository_urls" {
  description = "Image repository per agent id, without a tag (scripts/build-images.sh pushes there)."
  value       = { for id, a in local.agents : id => trimsuffix(local.image_uris[id], ":${var.image_tag}") }
}

output "image_repository_prefix" {
  description = "Repository name prefix: images are <registry>/<prefix>-<agent-with-dashes>."
  value       = local.name_prefix
}

output "dedup_table_name" {
  description = "The intake's DynamoDB dedup table."
  value       = aws_dynamodb_table.dedup.name
}

output "secret_arns" {
  description = "Secrets Manager ARN per secret name (slack-bot-token, slack-signing-secret, discord-public-key, discord-bot-token, alertmanager-token), for hydration."
  value       = { for k, s in aws_secretsmanager_secret.this : k => s.arn }
}

output "enabled_agents" {
  description = "Agent ids deployed, as read from config.yaml."
  value       = keys(local.agents)
}
