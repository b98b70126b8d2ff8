# Chat and webhook secrets, created only for the enabled platforms. Terraform creates the
# containers and never a value: scripts/deploy.sh (or `aws secretsmanager put-secret-value`)
# hydrates them, so no secret value is ever in Terraform state. Components receive the secret
# ARN in their environment and resolve it at run time (with a refresh TTL).

locals {
  secrets = merge(
    local.slack_enabled ? {
      "slack-bot-token"      = "Slack bot token (xoxb-...): the master posts reports, the slack scanner reads channels, the intake acknowledges"
      "slack-signing-secret" = "Slack signing secret: the intake verifies Slack requests"
    } : {},
    local.discord_enabled ? {
      "discord-public-key" = "Discord application public key (hex): the intake verifies interactions"
      "discord-bot-token"  = "Discord bot token: the master posts reports, the discord scanner reads channels"
    } : {},
    var.enable_alertmanager ? {
      "alertmanager-token" = "Bearer token Alertmanager sends to the intake's /alertmanager endpoint"
    } : {},
  )
}

resource "aws_secretsmanager_secret" "this" {
  for_each = local.secrets

  name                    = "${local.project}/${local.environment}/${each.key}"
  description             = each.value
  recovery_window_in_days = var.secret_recovery_window_days
  tags                    = local.tags
}
