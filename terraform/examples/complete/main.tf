# A complete Marty platform in one root module: network, KMS keys and IRSA roles, EKS, and the
# data stores (PostgreSQL, Redis, Kafka, S3), with dev-sized defaults and local state. The
# per-environment roots with an S3 backend are in terraform/envs/.

data "aws_caller_identity" "current" {}

locals {
  name = "marty-example"
  azs  = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]

  tags = {
    team         = "platform"
    environment  = "example"
    "managed-by" = "terraform"
  }

  # Private address space reached over the corporate VPN; never 0.0.0.0/0.
  operator_cidrs = ["10.0.0.0/16"]
}

module "network" {
  source = "../../modules/network"

  name                 = local.name
  vpc_cidr             = "10.99.0.0/16"
  azs                  = local.azs
  single_nat_gateway   = true
  cluster_name         = local.name
  flow_log_kms_key_arn = module.security.logs_kms_key_arn

  tags = local.tags
}

module "security" {
  source = "../../modules/security"

  name                      = local.name
  vpc_id                    = module.network.vpc_id
  client_security_group_ids = [module.cluster.node_security_group_id]
  client_cidr_blocks        = module.network.private_subnet_cidr_blocks
  oidc_provider_arn         = module.cluster.oidc_provider_arn
  oidc_issuer_url           = module.cluster.oidc_issuer_url
  external_secrets_prefix   = "marty/example/"
  velero_bucket_arn         = module.databases.bucket_arn

  tags = local.tags
}

module "cluster" {
  source = "../../modules/cluster"

  name                   = local.name
  kubernetes_version     = "1.31"
  vpc_id                 = module.network.vpc_id
  subnet_ids             = module.network.private_subnet_ids
  endpoint_public_access = false
  api_access_cidr_blocks = local.operator_cidrs
  secrets_kms_key_arn    = module.security.eks_kms_key_arn
  ebs_kms_key_arn        = module.security.data_kms_key_arn
  logs_kms_key_arn       = module.security.logs_kms_key_arn
  admin_role_arns        = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/marty-platform-admin"]

  node_groups = {
    system = {
      instance_types = ["m6i.large"]
      min_size       = 2
      max_size       = 4
      desired_size   = 2
    }
  }

  tags = local.tags
}

module "databases" {
  source = "../../modules/databases"

  name                = local.name
  database_subnet_ids = module.network.database_subnet_ids
  kms_key_arn         = module.security.data_kms_key_arn
  logs_kms_key_arn    = module.security.logs_kms_key_arn
  bucket_kms_key_arn  = module.security.backups_kms_key_arn

  postgres_security_group_ids       = [module.security.postgres_security_group_id]
  postgres_instance_class           = "db.t4g.medium"
  postgres_allocated_storage_gb     = 50
  postgres_max_allocated_storage_gb = 100
  postgres_multi_az                 = false
  postgres_backup_retention_days    = 7

  redis_security_group_ids = [module.security.redis_security_group_id]
  redis_node_type          = "cache.t4g.small"
  redis_num_cache_clusters = 2

  kafka_security_group_ids    = [module.security.kafka_security_group_id]
  kafka_broker_instance_type  = "kafka.t3.small"
  kafka_broker_count          = 3
  kafka_broker_volume_size_gb = 50
  log_retention_days          = 30

  bucket_name = "${local.name}-backups-${data.aws_caller_identity.current.account_id}"

  tags = local.tags
}
