output "kms_key_arns" {
  description = "ARNs of the customer-managed KMS keys, by purpose (eks, data, backups, logs, vault-unseal)."
  value       = { for k, v in aws_kms_key.this : k => v.arn }
}

output "kms_key_aliases" {
  description = "Aliases of the KMS keys, by purpose."
  value       = { for k, v in aws_kms_alias.this : k => v.name }
}

output "eks_kms_key_arn" {
  description = "ARN of the key encrypting Kubernetes secrets in etcd."
  value       = aws_kms_key.this["eks"].arn
}

output "data_kms_key_arn" {
  description = "ARN of the key encrypting PostgreSQL, Redis, Kafka, node volumes and database credentials."
  value       = aws_kms_key.this["data"].arn
}

output "backups_kms_key_arn" {
  description = "ARN of the key encrypting the backups/object storage bucket."
  value       = aws_kms_key.this["backups"].arn
}

output "logs_kms_key_arn" {
  description = "ARN of the key encrypting CloudWatch log groups."
  value       = aws_kms_key.this["logs"].arn
}

output "vault_unseal_kms_key_id" {
  description = "Key ID of the Vault/OpenBao auto-unseal key (the `kms_key_id` of the awskms seal stanza)."
  value       = aws_kms_key.this["vault-unseal"].key_id
}

output "vault_unseal_kms_key_arn" {
  description = "ARN of the Vault/OpenBao auto-unseal key."
  value       = aws_kms_key.this["vault-unseal"].arn
}

output "irsa_role_arns" {
  description = "IRSA role ARNs by workload (external-secrets, velero, openbao), for the `eks.amazonaws.com/role-arn` service account annotation."
  value       = { for k, v in aws_iam_role.irsa : k => v.arn }
}
