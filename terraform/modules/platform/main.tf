# The Marty platform of one environment: network, KMS keys and IRSA roles, EKS, and the backups
# bucket, wired together. Every environment root and examples/complete call this module with
# their own sizes; the wiring lives only here. PostgreSQL, Kafka and Redis run in the cluster
# (CloudNativePG, Strimzi, StatefulSets; docs/adr/0008-in-cluster-data-tier.md), not here.
#
# The four modules reference each other's outputs in both directions (security needs the
# cluster's OIDC provider, the cluster needs the eks key of security); Terraform orders the
# individual resources, there is no cycle between them.

data "aws_caller_identity" "current" {}

locals {
  # Passed to the child modules unchanged apart from the managed-by default: each child adds its
  # own `module = "marty/<name>"` tag, which a platform-level tag would override.
  tags = merge({ "managed-by" = "terraform" }, var.tags)

  account_id              = data.aws_caller_identity.current.account_id
  admin_role_arns         = [for role in var.admin_role_names : "arn:aws:iam::${local.account_id}:role/${role}"]
  external_secrets_prefix = "marty/${var.tags["environment"]}/"
  bucket_name             = "${var.name}-backups-${local.account_id}"
}

module "network" {
  source = "../network"

  name                 = var.name
  vpc_cidr             = var.vpc_cidr
  azs                  = var.azs
  single_nat_gateway   = var.single_nat_gateway
  cluster_name         = var.name
  flow_log_kms_key_arn = module.security.logs_kms_key_arn

  tags = local.tags
}

module "security" {
  source = "../security"

  name                    = var.name
  oidc_provider_arn       = module.cluster.oidc_provider_arn
  oidc_issuer_url         = module.cluster.oidc_issuer_url
  irsa_service_accounts   = var.irsa_service_accounts
  external_secrets_prefix = local.external_secrets_prefix
  velero_bucket_arn       = module.storage.bucket_arn

  tags = local.tags
}

module "cluster" {
  source = "../cluster"

  name                   = var.name
  kubernetes_version     = var.kubernetes_version
  vpc_id                 = module.network.vpc_id
  subnet_ids             = module.network.private_subnet_ids
  endpoint_public_access = false
  api_access_cidr_blocks = var.api_access_cidr_blocks
  secrets_kms_key_arn    = module.security.eks_kms_key_arn
  ebs_kms_key_arn        = module.security.data_kms_key_arn
  logs_kms_key_arn       = module.security.logs_kms_key_arn
  admin_role_arns        = local.admin_role_arns
  node_groups            = var.node_groups

  tags = local.tags
}

module "storage" {
  source = "../storage"

  bucket_name        = local.bucket_name
  bucket_kms_key_arn = module.security.backups_kms_key_arn

  tags = local.tags
}
