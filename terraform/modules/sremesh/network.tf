# VPC mode (agents whose config.yaml network_mode is VPC, the eks agent by default) and the eks
# agent's access to the cluster: a security group allowing only HTTPS out, an optional ingress
# rule on the cluster security group, and an EKS access entry with AmazonEKSViewPolicy.

locals {
  create_vpc_sg          = length(local.vpc_agents) > 0 && length(var.vpc_security_group_ids) == 0
  vpc_security_group_ids = local.create_vpc_sg ? [aws_security_group.vpc_agents[0].id] : var.vpc_security_group_ids
  # Only look the cluster up when it is needed and named (the precondition in locals.tf explains
  # a missing name).
  lookup_cluster = local.eks_enabled && var.eks_cluster_name != ""
}

data "aws_subnet" "vpc_agents" {
  count = local.create_vpc_sg ? 1 : 0
  id    = var.vpc_subnet_ids[0]
}

resource "aws_security_group" "vpc_agents" {
  count = local.create_vpc_sg ? 1 : 0

  name        = "${local.name_prefix}-agents"
  description = "sremesh AgentCore runtimes in VPC mode: HTTPS out only (Kubernetes API, AWS APIs)"
  vpc_id      = data.aws_subnet.vpc_agents[0].vpc_id
  tags        = merge(local.tags, { Name = "${local.name_prefix}-agents" })
}

resource "aws_vpc_security_group_egress_rule" "vpc_agents_https" {
  count = local.create_vpc_sg ? 1 : 0

  security_group_id = aws_security_group.vpc_agents[0].id
  description       = "HTTPS to the Kubernetes API and AWS endpoints (through NAT or VPC endpoints)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

data "aws_eks_cluster" "this" {
  count = local.lookup_cluster ? 1 : 0
  name  = var.eks_cluster_name
}

resource "aws_vpc_security_group_ingress_rule" "cluster_from_agents" {
  count = local.lookup_cluster && local.create_vpc_sg && var.eks_allow_agent_ingress && contains(keys(local.vpc_agents), "eks") ? 1 : 0

  security_group_id            = data.aws_eks_cluster.this[0].vpc_config[0].cluster_security_group_id
  description                  = "sremesh eks agent to the Kubernetes API"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.vpc_agents[0].id
}

# The cluster's authentication mode must be API or API_AND_CONFIG_MAP for access entries.
resource "aws_eks_access_entry" "eks_agent" {
  count = local.lookup_cluster ? 1 : 0

  cluster_name      = var.eks_cluster_name
  principal_arn     = aws_iam_role.agent["eks"].arn
  type              = "STANDARD"
  kubernetes_groups = var.eks_kubernetes_groups
  tags              = local.tags
}

resource "aws_eks_access_policy_association" "eks_agent_view" {
  count = local.lookup_cluster ? 1 : 0

  cluster_name  = var.eks_cluster_name
  principal_arn = aws_eks_access_entry.eks_agent[0].principal_arn
  policy_arn    = "arn:${local.partition}:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"

  access_scope {
    type       = length(var.eks_access_namespaces) > 0 ? "namespace" : "cluster"
    namespaces = length(var.eks_access_namespaces) > 0 ? var.eks_access_namespaces : null
  }
}
