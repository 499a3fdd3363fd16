# The prod environment of the Marty platform. The composition (network, KMS keys and IRSA roles,
# EKS, PostgreSQL, Redis, Kafka, S3) is modules/platform; this file holds prod's sizes only.
# Backend and provider: versions.tf.

module "platform" {
  source = "../../modules/platform"

  name               = "marty-prod"
  azs                = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  kubernetes_version = "1.31"

  vpc_cidr           = "10.30.0.0/16"
  single_nat_gateway = false

  # Private address space reached over the corporate VPN; never 0.0.0.0/0.
  api_access_cidr_blocks = ["10.0.0.0/16"]

  # Add-ons on a tainted system pool, applications on the workloads pool.
  node_groups = {
    system = {
      instance_types = ["m6i.large"]
      min_size       = 3
      max_size       = 6
      desired_size   = 3
      labels         = { "marty.io/pool" = "system" }
      taints         = [{ key = "CriticalAddonsOnly", value = "true", effect = "NO_SCHEDULE" }]
    }
    workloads = {
      instance_types = ["m6i.2xlarge"]
      min_size       = 3
      max_size       = 12
      desired_size   = 6
      disk_size_gb   = 100
      labels         = { "marty.io/pool" = "workloads" }
    }
  }

  postgres_instance_class           = "db.r6g.xlarge"
  postgres_allocated_storage_gb     = 500
  postgres_max_allocated_storage_gb = 2000
  postgres_multi_az                 = true
  postgres_backup_retention_days    = 35

  redis_node_type          = "cache.r7g.large"
  redis_num_cache_clusters = 3

  kafka_broker_instance_type  = "kafka.m5.xlarge"
  kafka_broker_count          = 6
  kafka_enhanced_monitoring   = "PER_TOPIC_PER_BROKER"
  kafka_broker_volume_size_gb = 1000
  log_retention_days          = 365

  tags = {
    team        = "platform"
    environment = "prod"
  }
}
