output "postgres_endpoint" {
  description = "Connection endpoint (host:port) of the PostgreSQL instance."
  value       = aws_db_instance.postgres.endpoint
}

output "postgres_address" {
  description = "Host name of the PostgreSQL instance."
  value       = aws_db_instance.postgres.address
}

output "postgres_port" {
  description = "Port of the PostgreSQL instance."
  value       = aws_db_instance.postgres.port
}

output "postgres_master_user_secret_arn" {
  description = "ARN of the Secrets Manager secret RDS manages for the master user (read through External Secrets)."
  value       = try(aws_db_instance.postgres.master_user_secret[0].secret_arn, null)
}

output "postgres_resource_id" {
  description = "Resource ID of the PostgreSQL instance, for IAM database authentication policies."
  value       = aws_db_instance.postgres.resource_id
}

output "redis_primary_endpoint" {
  description = "Primary endpoint of the Redis replication group (TLS)."
  value       = aws_elasticache_replication_group.redis.primary_endpoint_address
}

output "redis_reader_endpoint" {
  description = "Reader endpoint of the Redis replication group (TLS)."
  value       = aws_elasticache_replication_group.redis.reader_endpoint_address
}

output "kafka_cluster_arn" {
  description = "ARN of the MSK cluster, for IAM client policies."
  value       = aws_msk_cluster.kafka.arn
}

output "kafka_bootstrap_brokers_iam" {
  description = "Bootstrap brokers for SASL/IAM over TLS (port 9098)."
  value       = aws_msk_cluster.kafka.bootstrap_brokers_sasl_iam
}

output "bucket_id" {
  description = "Name of the backups/object storage bucket."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the backups/object storage bucket."
  value       = aws_s3_bucket.this.arn
}
