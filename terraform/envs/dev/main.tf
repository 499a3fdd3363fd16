# The dev environment of the Marty platform. The composition (network, KMS keys and IRSA roles,
# EKS, PostgreSQL, Redis, Kafka, S3) is modules/platform; this file holds dev's sizes only.
# Backend and provider: versions.tf.

module "platform" {
  source = "../../modules/platform"

  name               = "marty-dev"
  azs                = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  kubernetes_version = "1.31"

  vpc_cidr           = "10.10.0.0/16"
  single_nat_gateway = true

  # Private address space reached over the corporate VPN; never 0.0.0.0/0.
  api_access_cidr_blocks = ["10.0.0.0/16"]

  # One untainted pool runs the add-ons and the workloads.
  node_groups = {
    system = {
      instance_types = ["m6i.large"]
      min_size       = 2
      max_size       = 4
      desired_size   = 2
    }
  }

  postgres_instance_class           = "db.t4g.medium"
  postgres_allocated_storage_gb     = 50
  postgres_max_allocated_storage_gb = 100
  postgres_multi_az                 = false
  postgres_backup_retention_days    = 7

  redis_node_type          = "cache.t4g.small"
  redis_num_cache_clusters = 2

  kafka_broker_instance_type  = "kafka.t3.small"
  kafka_broker_count          = 3
  kafka_broker_volume_size_gb = 50
  log_retention_days          = 30

  tags = {
    team        = "platform"
    environment = "dev"
  }
}
