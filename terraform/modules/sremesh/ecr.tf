# One ECR repository per enabled agent (unless images come from an external ECR registry):
# scanned on push, the last 10 tagged images kept (the rollback window), untagged ones expired
# after a day.

resource "aws_ecr_repository" "agent" {
  for_each = local.create_ecr ? local.agents : {}

  name = each.value.resource_name
  # Mutable because every build also moves `latest`; deployments use the unique build tag.
  image_tag_mutability = "MUTABLE"
  force_delete         = false

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }

  tags = merge(local.tags, { Agent = each.key })
}

resource "aws_ecr_lifecycle_policy" "agent" {
  for_each = aws_ecr_repository.agent

  repository = each.value.name
  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images after 1 day"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 1
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the last 10 tagged images"
        selection = {
          tagStatus      = "tagged"
          tagPatternList = ["*"]
          countType      = "imageCountMoreThan"
          countNumber    = 10
        }
        action = { type = "expire" }
      },
    ]
  })
}

locals {
  # Repository name, ARN and image URI per agent, wherever the images live.
  repository_arns = {
    for id, a in local.agents : id => (
      local.create_ecr ? aws_ecr_repository.agent[id].arn :
      "arn:${local.partition}:ecr:${local.registry_ids[1]}:${local.registry_ids[0]}:repository/${a.resource_name}"
    )
  }
  image_uris = {
    for id, a in local.agents : id => (
      local.create_ecr ? "${aws_ecr_repository.agent[id].repository_url}:${var.image_tag}" :
      "${var.container_registry}/${a.resource_name}:${var.image_tag}"
    )
  }
}
