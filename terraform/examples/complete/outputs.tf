output "intake_function_url" {
  description = "Point Slack, Discord and Alertmanager here."
  value       = module.sremesh.intake_function_url
}

output "agent_runtime_arns" {
  description = "AgentCore runtime ARN per agent."
  value       = module.sremesh.agent_runtime_arns
}

output "ecr_repository_urls" {
  description = "Image repository per agent."
  value       = module.sremesh.ecr_repository_urls
}

output "image_repository_prefix" {
  description = "Repository name prefix for scripts/build-images.sh."
  value       = module.sremesh.image_repository_prefix
}

output "dedup_table_name" {
  description = "The intake's dedup table."
  value       = module.sremesh.dedup_table_name
}

output "secret_arns" {
  description = "Secrets to hydrate."
  value       = module.sremesh.secret_arns
}

output "intake_function_name" {
  description = "The intake Lambda."
  value       = module.sremesh.intake_function_name
}
