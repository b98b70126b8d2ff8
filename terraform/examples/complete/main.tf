# A complete sremesh deployment: every agent enabled in config.yaml on AgentCore Runtime, the
# intake on Lambda, Slack and Discord secrets, and the eks agent in VPC mode against one cluster.
# scripts/deploy.sh drives it: ECR repositories, images, this apply, secrets.

module "sremesh" {
  source = "../../modules/sremesh"

  config_path = var.config_path
  environment = var.environment
  image_tag   = var.image_tag
  model_id    = var.model_id

  eks_cluster_name      = var.eks_cluster_name
  eks_kubernetes_groups = var.eks_kubernetes_groups
  vpc_subnet_ids        = var.vpc_subnet_ids

  enable_slack           = var.enable_slack
  enable_discord         = var.enable_discord
  discord_application_id = var.discord_application_id
  enable_alertmanager    = var.alertmanager_target != ""
  alertmanager_target    = var.alertmanager_target
  intake_paused          = var.intake_paused

  lambda_zip_path             = var.lambda_zip_path
  lambda_memory_size          = var.lambda_memory_size
  lambda_timeout              = var.lambda_timeout
  lambda_reserved_concurrency = var.lambda_reserved_concurrency

  tags = {
    Owner = "sre"
  }
}
