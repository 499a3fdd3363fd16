output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = module.platform.cluster_name
}

output "cluster_endpoint" {
  description = "Private endpoint of the Kubernetes API."
  value       = module.platform.cluster_endpoint
}

output "irsa_role_arns" {
  description = "IRSA role ARNs for the external-secrets, velero and openbao service accounts."
  value       = module.platform.irsa_role_arns
}

output "vault_unseal_kms_key_id" {
  description = "KMS key ID for the OpenBao awskms seal stanza."
  value       = module.platform.vault_unseal_kms_key_id
}

output "postgres_endpoint" {
  description = "PostgreSQL endpoint (host:port)."
  value       = module.platform.postgres_endpoint
}

output "redis_primary_endpoint" {
  description = "Redis primary endpoint (TLS)."
  value       = module.platform.redis_primary_endpoint
}

output "kafka_bootstrap_brokers_iam" {
  description = "Kafka bootstrap brokers (SASL/IAM over TLS)."
  value       = module.platform.kafka_bootstrap_brokers_iam
}

output "bucket_id" {
  description = "Backups/object storage bucket."
  value       = module.platform.bucket_id
}
