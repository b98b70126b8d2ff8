# Inputs of the sremesh module. Which agents exist is not a variable: it is read from config.yaml
# (`config_path`), the same file that is baked into the images, so the two cannot disagree.

variable "config_path" {
  description = "Path of the config.yaml the images were built with (scripts/build-images.sh bakes the same file in). Agents listed and enabled there get a runtime; `project`, `environment`, per-agent `network_mode` and `model_id` are read from it."
  type        = string
}

variable "project" {
  description = "Name prefix of every resource. Null: config.yaml's `project`."
  type        = string
  default     = null

  validation {
    condition     = var.project == null || can(regex("^[a-z][a-z0-9-]{0,19}$", var.project))
    error_message = "project: lowercase letters, digits and dashes, starting with a letter, at most 20 characters."
  }
}

variable "environment" {
  description = "Environment name (dev, prod, ...), part of every resource name. Null: config.yaml's `environment`."
  type        = string
  default     = null

  validation {
    condition     = var.environment == null || can(regex("^[a-z][a-z0-9-]{0,10}$", var.environment))
    error_message = "environment: lowercase letters, digits and dashes, starting with a letter, at most 11 characters."
  }
}

variable "image_tag" {
  description = "Tag of the agent images every runtime runs. Use a unique tag per build (scripts/deploy.sh passes the git commit): a runtime only pulls a new image when its container URI changes, so re-pushing `latest` deploys nothing."
  type        = string
  default     = "latest"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid container image tag."
  }
}

variable "container_registry" {
  description = "ECR registry host (`<account>.dkr.ecr.<region>.amazonaws.com`) holding the agent images as `<registry>/<project>-<environment>-<agent-with-dashes>`. Null (default): the module creates one ECR repository per agent and the runtimes pull from those."
  type        = string
  default     = null

  validation {
    condition     = var.container_registry == null || can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?$", var.container_registry))
    error_message = "container_registry must be an ECR registry host such as 123456789012.dkr.ecr.us-east-1.amazonaws.com (AgentCore pulls from ECR only)."
  }
}

variable "model_id" {
  description = "MODEL_ID for every runtime: a Bedrock model or inference-profile id (e.g. us.anthropic.claude-haiku-4-5-20251001-v1:0). Empty (default): no MODEL_ID, and agents whose config.yaml sets no model run deterministically. A per-agent `model_id` in config.yaml wins over this. Each role may invoke only the model it resolves to."
  type        = string
  default     = ""
}

variable "eks_cluster_name" {
  description = "EKS cluster the eks agent reads (required when eks is enabled in config.yaml). Its role gets eks:DescribeCluster on this cluster only and an access entry with AmazonEKSViewPolicy."
  type        = string
  default     = ""
}

variable "eks_access_namespaces" {
  description = "Namespaces the eks agent may read. Empty (default): cluster scope. Namespace scope narrows AmazonEKSViewPolicy further, at the cost of cluster-wide views."
  type        = list(string)
  default     = []
}

variable "eks_kubernetes_groups" {
  description = "Kubernetes RBAC groups for the eks agent's access entry, on top of AmazonEKSViewPolicy (which, like the `view` ClusterRole, does not cover nodes). deploy/eks-node-reader.yaml defines a read-only `sremesh-node-readers` group for nodes."
  type        = list(string)
  default     = []
}

variable "vpc_subnet_ids" {
  description = "Private, NAT-routed subnets for agents whose network_mode is VPC in config.yaml (the eks agent by default). Required when any agent runs in VPC mode."
  type        = list(string)
  default     = []
}

variable "vpc_security_group_ids" {
  description = "Security groups for VPC-mode agents. Empty (default): the module creates one allowing only TCP 443 egress."
  type        = list(string)
  default     = []
}

variable "eks_allow_agent_ingress" {
  description = "Add an ingress rule (TCP 443) from the VPC agents' module-created security group to the EKS cluster security group, so the eks agent reaches a private API endpoint. Only applies when the module creates that security group."
  type        = bool
  default     = true
}

variable "enable_slack" {
  description = "Create the Slack secrets (bot token, signing secret) and wire them into the intake, the master and the slack scanner. Null (default): follow config.yaml (slack_scanner enabled)."
  type        = bool
  default     = null
}

variable "enable_discord" {
  description = "Create the Discord secrets (public key, bot token) and wire them into the intake, the master and the discord scanner. Null (default): follow config.yaml (discord_scanner enabled)."
  type        = bool
  default     = null
}

variable "discord_application_id" {
  description = "Discord application id (DISCORD_APPLICATION_ID on the intake, for interaction follow-ups). Not a secret."
  type        = string
  default     = ""
}

variable "enable_alertmanager" {
  description = "Accept Alertmanager webhooks on the intake: creates an alertmanager-token secret (ALERTMANAGER_TOKEN, the bearer token Alertmanager must send)."
  type        = bool
  default     = false
}

variable "alertmanager_target" {
  description = "Where Alertmanager alerts are announced and investigated (ALERTMANAGER_TARGET on the intake): `slack:<channel id>` or `discord:<channel id>`. Required when enable_alertmanager is true; the platform's bot token must be enabled too."
  type        = string
  default     = ""

  validation {
    condition     = var.alertmanager_target == "" || can(regex("^(slack|discord):[A-Za-z0-9]+$", var.alertmanager_target))
    error_message = "alertmanager_target must be slack:<channel id> or discord:<channel id>."
  }
}

variable "alert_classification_enabled" {
  description = "ALERT_CLASSIFICATION_ENABLED on the intake: skip chatter that is not an alert."
  type        = bool
  default     = true
}

variable "intake_paused" {
  description = "INTAKE_PAUSED on the intake: verify and acknowledge, but start no investigation (a kill switch that needs no rollback)."
  type        = bool
  default     = false
}

variable "lambda_zip_path" {
  description = "The intake's deployment package, built by scripts/build-lambda.sh (bootstrap + config.yaml + skills/)."
  type        = string
}

variable "lambda_memory_size" {
  description = "Intake Lambda memory in MB."
  type        = number
  default     = 256
}

variable "lambda_timeout" {
  description = "Intake Lambda timeout in seconds (Slack needs an answer within 3 s; the rest is hand-off)."
  type        = number
  default     = 30
}

variable "lambda_reserved_concurrency" {
  description = "Reserved concurrent executions of the intake; caps what a webhook flood can cost. -1 (default): no reservation."
  type        = number
  default     = -1
}

variable "lambda_log_retention_days" {
  description = "Retention of the intake's log group."
  type        = number
  default     = 30
}

variable "cloudwatch_logs_log_group_arns" {
  description = "Log groups the cloudwatch_logs agent may query (StartQuery, FilterLogEvents), as ARN patterns ending in `*`. Null (default): every log group of this account and region."
  type        = list(string)
  default     = null
}

variable "dynamodb_point_in_time_recovery" {
  description = "Point-in-time recovery on the dedup table (it only holds keys that expire within a day)."
  type        = bool
  default     = false
}

variable "secret_recovery_window_days" {
  description = "Recovery window of deleted secrets (0 deletes at once; 7-30 otherwise)."
  type        = number
  default     = 7
}

variable "agent_environment" {
  description = "Extra environment variables per agent id, e.g. { eks = { EKS_LOG_TAIL_LINES = \"200\" } }. Applied last, so they can override the module's."
  type        = map(map(string))
  default     = {}
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
