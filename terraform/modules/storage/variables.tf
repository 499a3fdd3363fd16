variable "name" {
  description = "Name prefix of the data stores, e.g. `marty-prod`."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "database_subnet_ids" {
  description = "Isolated database subnet IDs (one per AZ) for PostgreSQL, Redis and Kafka."
  type        = list(string)

  validation {
    condition     = length(var.database_subnet_ids) >= 2
    error_message = "database_subnet_ids must list at least two subnets in different AZs."
  }
}

variable "kms_key_arn" {
  description = "ARN of the KMS key encrypting PostgreSQL storage, Performance Insights, the master password secret, Redis and Kafka."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "logs_kms_key_arn" {
  description = "ARN of the KMS key encrypting the Kafka broker log group (its policy must allow CloudWatch Logs)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.logs_kms_key_arn))
    error_message = "logs_kms_key_arn must be a KMS key ARN."
  }
}

variable "bucket_kms_key_arn" {
  description = "ARN of the KMS key for SSE-KMS on the backups/object storage bucket."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.bucket_kms_key_arn))
    error_message = "bucket_kms_key_arn must be a KMS key ARN."
  }
}

################################################################################
# PostgreSQL
################################################################################

variable "postgres_security_group_ids" {
  description = "Security groups attached to the PostgreSQL instance (from the security module)."
  type        = list(string)

  validation {
    condition     = length(var.postgres_security_group_ids) > 0
    error_message = "postgres_security_group_ids must list at least one security group."
  }
}

variable "postgres_engine_version" {
  description = "PostgreSQL engine version, e.g. `16.4`."
  type        = string
  default     = "16.4"

  validation {
    condition     = can(regex("^1[4-7]\\.[0-9]+$", var.postgres_engine_version))
    error_message = "postgres_engine_version must be a PostgreSQL 14-17 version such as 16.4."
  }
}

variable "postgres_instance_class" {
  description = "Instance class of the PostgreSQL instance."
  type        = string
  default     = "db.t4g.medium"

  validation {
    condition     = startswith(var.postgres_instance_class, "db.")
    error_message = "postgres_instance_class must be an RDS instance class (db.*)."
  }
}

variable "postgres_allocated_storage_gb" {
  description = "Initial gp3 storage of the PostgreSQL instance, in GiB."
  type        = number
  default     = 50

  validation {
    condition     = var.postgres_allocated_storage_gb >= 20 && var.postgres_allocated_storage_gb <= 65536
    error_message = "postgres_allocated_storage_gb must be between 20 and 65536."
  }
}

variable "postgres_max_allocated_storage_gb" {
  description = "Upper bound for storage autoscaling of the PostgreSQL instance, in GiB."
  type        = number
  default     = 200

  validation {
    condition     = var.postgres_max_allocated_storage_gb >= 20 && var.postgres_max_allocated_storage_gb <= 65536
    error_message = "postgres_max_allocated_storage_gb must be between 20 and 65536."
  }
}

variable "postgres_multi_az" {
  description = "Run PostgreSQL with a synchronous standby in a second AZ."
  type        = bool
  default     = true
}

variable "postgres_database_name" {
  description = "Name of the initial database."
  type        = string
  default     = "marty"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.postgres_database_name))
    error_message = "postgres_database_name must start with a letter and hold only lowercase letters, digits and underscores."
  }
}

variable "postgres_master_username" {
  description = "Master user name. Its password is generated and rotated by RDS in Secrets Manager."
  type        = string
  default     = "marty_admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,15}$", var.postgres_master_username)) && !contains(["admin", "postgres", "rdsadmin"], var.postgres_master_username)
    error_message = "postgres_master_username must be 1-16 lowercase letters, digits or underscores and not a reserved name."
  }
}

variable "postgres_backup_retention_days" {
  description = "Days of automated PostgreSQL backups (point-in-time recovery window)."
  type        = number
  default     = 14

  validation {
    condition     = var.postgres_backup_retention_days >= 7 && var.postgres_backup_retention_days <= 35
    error_message = "postgres_backup_retention_days must be between 7 and 35: backups are never disabled."
  }
}

variable "postgres_backup_window" {
  description = "Daily UTC window for automated backups (hh24:mi-hh24:mi); must not overlap the maintenance window."
  type        = string
  default     = "02:00-03:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.postgres_backup_window))
    error_message = "postgres_backup_window must look like 02:00-03:00."
  }
}

variable "maintenance_window" {
  description = "Weekly UTC maintenance window of PostgreSQL and Redis (ddd:hh24:mi-ddd:hh24:mi)."
  type        = string
  default     = "sun:04:00-sun:05:00"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]$", var.maintenance_window))
    error_message = "maintenance_window must look like sun:04:00-sun:05:00."
  }
}

variable "deletion_protection" {
  description = "Protect PostgreSQL from deletion. Keep true; turning it off is a deliberate two-step change."
  type        = bool
  default     = true
}

################################################################################
# Redis
################################################################################

variable "redis_security_group_ids" {
  description = "Security groups attached to the Redis replication group (from the security module)."
  type        = list(string)

  validation {
    condition     = length(var.redis_security_group_ids) > 0
    error_message = "redis_security_group_ids must list at least one security group."
  }
}

variable "redis_engine_version" {
  description = "Redis OSS engine version of the replication group."
  type        = string
  default     = "7.1"

  validation {
    condition     = can(regex("^7\\.[0-9]+$", var.redis_engine_version))
    error_message = "redis_engine_version must be a Redis 7 version such as 7.1."
  }
}

variable "redis_node_type" {
  description = "Node type of the Redis replication group."
  type        = string
  default     = "cache.t4g.small"

  validation {
    condition     = startswith(var.redis_node_type, "cache.")
    error_message = "redis_node_type must be an ElastiCache node type (cache.*)."
  }
}

variable "redis_num_cache_clusters" {
  description = "Number of Redis nodes (primary + replicas); 2 or more enables automatic failover across AZs."
  type        = number
  default     = 2

  validation {
    condition     = var.redis_num_cache_clusters >= 1 && var.redis_num_cache_clusters <= 6
    error_message = "redis_num_cache_clusters must be between 1 and 6."
  }
}

variable "redis_snapshot_retention_days" {
  description = "Days of Redis snapshots to keep (0 disables snapshots)."
  type        = number
  default     = 7

  validation {
    condition     = var.redis_snapshot_retention_days >= 0 && var.redis_snapshot_retention_days <= 35
    error_message = "redis_snapshot_retention_days must be between 0 and 35."
  }
}

################################################################################
# Kafka (MSK)
################################################################################

variable "kafka_security_group_ids" {
  description = "Security groups attached to the MSK brokers (from the security module)."
  type        = list(string)

  validation {
    condition     = length(var.kafka_security_group_ids) > 0
    error_message = "kafka_security_group_ids must list at least one security group."
  }
}

variable "kafka_version" {
  description = "Apache Kafka version of the MSK cluster."
  type        = string
  default     = "3.6.0"

  validation {
    condition     = can(regex("^3\\.[0-9]+\\.[0-9]+$", var.kafka_version))
    error_message = "kafka_version must be a Kafka 3.x version such as 3.6.0."
  }
}

variable "kafka_broker_instance_type" {
  description = "Instance type of the MSK brokers."
  type        = string
  default     = "kafka.t3.small"

  validation {
    condition     = startswith(var.kafka_broker_instance_type, "kafka.")
    error_message = "kafka_broker_instance_type must be an MSK instance type (kafka.*)."
  }
}

variable "kafka_broker_count" {
  description = "Number of MSK brokers; a multiple of the number of database subnets."
  type        = number
  default     = 3

  validation {
    condition     = var.kafka_broker_count >= 3 && var.kafka_broker_count % 3 == 0
    error_message = "kafka_broker_count must be a multiple of 3 (one broker per AZ at least)."
  }
}

variable "kafka_broker_volume_size_gb" {
  description = "EBS volume size of each MSK broker, in GiB."
  type        = number
  default     = 100

  validation {
    condition     = var.kafka_broker_volume_size_gb >= 1 && var.kafka_broker_volume_size_gb <= 16384
    error_message = "kafka_broker_volume_size_gb must be between 1 and 16384."
  }
}

variable "kafka_enhanced_monitoring" {
  description = "MSK CloudWatch metrics level. PER_TOPIC_PER_BROKER and above are not available on kafka.t3.small."
  type        = string
  default     = "PER_BROKER"

  validation {
    condition     = contains(["DEFAULT", "PER_BROKER", "PER_TOPIC_PER_BROKER", "PER_TOPIC_PER_PARTITION"], var.kafka_enhanced_monitoring)
    error_message = "kafka_enhanced_monitoring must be DEFAULT, PER_BROKER, PER_TOPIC_PER_BROKER or PER_TOPIC_PER_PARTITION."
  }
}

variable "log_retention_days" {
  description = "Retention of the Kafka broker log group, in days."
  type        = number
  default     = 90

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs supports."
  }
}

################################################################################
# Object storage
################################################################################

variable "bucket_name" {
  description = "Globally unique name of the S3 bucket for backups (Velero, database dumps) and object storage."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name)) && !can(regex("\\.\\.|^xn--|-s3alias$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)."
  }
}

variable "bucket_noncurrent_version_expiration_days" {
  description = "Days after which non-current object versions in the bucket expire."
  type        = number
  default     = 90

  validation {
    condition     = var.bucket_noncurrent_version_expiration_days >= 1
    error_message = "bucket_noncurrent_version_expiration_days must be at least 1."
  }
}

variable "tags" {
  description = "Tags added to every resource. Must include `team` and `environment`; `managed-by` defaults to `terraform`."
  type        = map(string)

  validation {
    condition     = alltrue([for k in ["team", "environment"] : contains(keys(var.tags), k)])
    error_message = "tags must include the required keys team and environment."
  }
}
