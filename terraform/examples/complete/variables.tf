variable "region" {
  description = "AWS region (AgentCore Runtime must be available there)."
  type        = string
  default     = "us-east-1"
}

variable "config_path" {
  description = "config.yaml the images were built with."
  type        = string
  default     = "../../../config.yaml"
}

variable "environment" {
  description = "Environment name used in resource names."
  type        = string
  default     = "dev"
}

variable "image_tag" {
  description = "Agent image tag; scripts/deploy.sh passes the git commit."
  type        = string
  default     = "latest"
}

variable "model_id" {
  description = "MODEL_ID for every agent; empty runs deterministically."
  type        = string
  default     = ""
}

variable "eks_cluster_name" {
  description = "Cluster the eks agent reads."
  type        = string
  default     = "prod-cluster"
}

variable "eks_kubernetes_groups" {
  description = "Extra RBAC groups for the eks agent (see deploy/eks-node-reader.yaml)."
  type        = list(string)
  default     = []
}

variable "vpc_subnet_ids" {
  description = "Private NAT-routed subnets for the eks agent (VPC mode)."
  type        = list(string)
  default     = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
}

variable "enable_slack" {
  description = "Slack secrets and wiring (null: follow config.yaml)."
  type        = bool
  default     = null
}

variable "enable_discord" {
  description = "Discord secrets and wiring (null: follow config.yaml)."
  type        = bool
  default     = null
}

variable "discord_application_id" {
  description = "Discord application id."
  type        = string
  default     = ""
}

variable "alertmanager_target" {
  description = "slack:<channel id> or discord:<channel id> for Alertmanager alerts; empty disables the Alertmanager endpoint."
  type        = string
  default     = ""
}

variable "lambda_zip_path" {
  description = "The intake zip from scripts/build-lambda.sh."
  type        = string
  default     = "../../../target/lambda/sremesh-intake.zip"
}

variable "lambda_memory_size" {
  description = "Intake memory (MB)."
  type        = number
  default     = 256
}

variable "lambda_timeout" {
  description = "Intake timeout (s)."
  type        = number
  default     = 30
}

variable "lambda_reserved_concurrency" {
  description = "Intake reserved concurrency (-1: none)."
  type        = number
  default     = -1
}

variable "intake_paused" {
  description = "Kill switch: the intake acknowledges but starts no investigation."
  type        = bool
  default     = false
}
