# What to deploy, derived from config.yaml: the enabled agents, their names, network modes and
# models, and the IAM resources of each model.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  config = yamldecode(file(var.config_path))

  project     = coalesce(var.project, try(local.config.project, null), "sremesh")
  environment = coalesce(var.environment, try(local.config.environment, null), "dev")
  name_prefix = "${local.project}-${local.environment}"

  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.region

  # The agent catalogue (shared/core/src/catalogue.rs): ids this module can deploy. Agents that are
  # in the catalogue but not built yet (prometheus, incident_history) are refused below.
  deployable_agents = ["master", "slack_scanner", "discord_scanner", "cloudwatch_logs", "eks"]

  # Agents listed in config.yaml; `enabled` defaults to true, as in the Rust loader.
  config_agents = try(local.config.agents, {})
  enabled_ids = sort([
    for id, a in local.config_agents : id if try(a.enabled, true) != false
  ])
  unknown_enabled = [for id in local.enabled_ids : id if !contains(local.deployable_agents, id)]

  default_network_mode = try(local.config.defaults.network_mode, null)
  default_model        = try(local.config.defaults.model_id, null)

  agents = {
    for id in local.enabled_ids : id => {
      id     = id
      dashed = replace(id, "_", "-")
      # sremesh-dev-cloudwatch-logs: ECR repository, IAM role.
      resource_name = "${local.name_prefix}-${replace(id, "_", "-")}"
      # AgentCore names allow [a-zA-Z][a-zA-Z0-9_]{0,47}: sremesh_dev_cloudwatch_logs.
      runtime_name = replace("${local.name_prefix}_${id}", "-", "_")
      binary       = "sremesh-${replace(id, "_", "-")}"
      network_mode = coalesce(try(local.config_agents[id].network_mode, null), local.default_network_mode, "PUBLIC")
      # Same order as MeshConfig::model_for: the agent's own, then MODEL_ID, then defaults.
      model = try(compact([
        try(local.config_agents[id].model_id, null),
        var.model_id,
        local.default_model,
      ])[0], null)
    } if contains(local.deployable_agents, id)
  }

  specialists = { for id, a in local.agents : id => a if id != "master" }
  vpc_agents  = { for id, a in local.agents : id => a if a.network_mode == "VPC" }

  eks_enabled = contains(keys(local.agents), "eks")

  slack_enabled   = coalesce(var.enable_slack, contains(keys(local.agents), "slack_scanner"))
  discord_enabled = coalesce(var.enable_discord, contains(keys(local.agents), "discord_scanner"))

  # Container images: the module's ECR repositories, or an external ECR registry.
  create_ecr   = var.container_registry == null
  registry_ids = local.create_ecr ? null : regex("^([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.", var.container_registry)

  # Bedrock resources a model id needs. "openai:<model>" is an OpenAI-compatible endpoint (no
  # Bedrock permission); "arn:..." is used as given; a cross-region inference profile
  # ("us.", "eu.", "apac.", "global.", ...) needs the profile in this region and the foundation
  # model in every region the profile routes to; anything else is a foundation model here.
  # The model each agent resolves to, as a string ("" = none), so no function below sees null.
  agent_models = { for id, a in local.agents : id => a.model == null ? "" : a.model }
  model_arns = {
    for id, m in local.agent_models : id => (
      m == "" || startswith(m, "openai:") ? [] :
      startswith(m, "arn:") ? [m] :
      can(regex("^(us|us-gov|eu|apac|jp|au|ca|global)\\.", m)) ? [
        "arn:${local.partition}:bedrock:${local.region}:${local.account_id}:inference-profile/${m}",
        "arn:${local.partition}:bedrock:*::foundation-model/${replace(m, "/^[a-z-]+\\./", "")}",
        "arn:${local.partition}:bedrock:::foundation-model/${replace(m, "/^[a-z-]+\\./", "")}",
      ] :
      ["arn:${local.partition}:bedrock:${local.region}::foundation-model/${m}"]
    )
  }

  log_group_arn_prefix = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group"

  tags = merge({
    Project     = local.project
    Environment = local.environment
    ManagedBy   = "terraform"
    Component   = "sremesh"
  }, var.tags)
}

# Checks that need the config file (variables cannot reference each other in validations).
resource "terraform_data" "config_checks" {
  input = local.enabled_ids

  lifecycle {
    precondition {
      # AgentCore runtime names are [a-zA-Z][a-zA-Z0-9_]{0,47}; project and environment may come
      # from config.yaml, where the variables' validations do not apply.
      condition = can(regex("^[a-z][a-z0-9-]*$", local.project)) && can(regex("^[a-z][a-z0-9-]*$", local.environment)) && alltrue([
        for a in values(local.agents) : can(regex("^[a-zA-Z][a-zA-Z0-9_]{0,47}$", a.runtime_name))
      ])
      error_message = "project '${local.project}' and environment '${local.environment}' must be lowercase letters, digits and dashes, together at most 31 characters (AgentCore runtime names are at most 48)."
    }
    precondition {
      condition     = contains(local.enabled_ids, "master")
      error_message = "${var.config_path}: the master agent must be listed and enabled."
    }
    precondition {
      condition     = length(local.unknown_enabled) == 0
      error_message = "${var.config_path}: enabled agents this module cannot deploy (not built yet, or unknown): ${join(", ", local.unknown_enabled)}. Disable them or add them to the module."
    }
    precondition {
      condition     = !local.eks_enabled || var.eks_cluster_name != ""
      error_message = "The eks agent is enabled in ${var.config_path}: set eks_cluster_name."
    }
    precondition {
      condition     = length(local.vpc_agents) == 0 || length(var.vpc_subnet_ids) > 0
      error_message = "Agents in VPC network mode (${join(", ", keys(local.vpc_agents))}): set vpc_subnet_ids (private, NAT-routed subnets)."
    }
    precondition {
      condition     = local.slack_enabled || !contains(keys(local.agents), "slack_scanner")
      error_message = "slack_scanner is enabled in ${var.config_path} but enable_slack is false: disable the scanner in config.yaml (the master would dispatch to it) or enable Slack."
    }
    precondition {
      condition     = local.discord_enabled || !contains(keys(local.agents), "discord_scanner")
      error_message = "discord_scanner is enabled in ${var.config_path} but enable_discord is false: disable the scanner in config.yaml (the master would dispatch to it) or enable Discord."
    }
    precondition {
      condition     = !var.enable_alertmanager || var.alertmanager_target != ""
      error_message = "enable_alertmanager is true: set alertmanager_target (where Alertmanager reports are posted)."
    }
    precondition {
      condition     = var.alertmanager_target == "" || (startswith(var.alertmanager_target, "slack:") ? local.slack_enabled : local.discord_enabled)
      error_message = "alertmanager_target ${var.alertmanager_target} names a platform that is not enabled (its bot token is needed to post)."
    }
  }
}
