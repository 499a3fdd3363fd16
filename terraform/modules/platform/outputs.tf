output "vpc_id" {
  description = "ID of the VPC."
  value       = module.network.vpc_id
}

output "private_subnet_ids" {
  description = "IDs of the private subnets (EKS nodes and pods), one per AZ."
  value       = module.network.private_subnet_ids
}

output "nat_gateway_public_ips" {
  description = "Public egress IPs of the NAT gateways, for allow-lists of external partners."
  value       = module.network.nat_gateway_public_ips
}

output "cluster_name" {
  description = "Name of the EKS cluster."
  value       = module.cluster.cluster_name
}

output "cluster_endpoint" {
  description = "Private endpoint of the Kubernetes API."
  value       = module.cluster.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "Base64-encoded CA certificate of the Kubernetes API."
  value       = module.cluster.cluster_certificate_authority_data
}

output "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC provider (IRSA)."
  value       = module.cluster.oidc_provider_arn
}

output "irsa_role_arns" {
  description = "IRSA role ARNs by workload, for the `eks.amazonaws.com/role-arn` annotation of the service accounts in irsa_service_accounts."
  value       = module.security.irsa_role_arns
}

output "kms_key_arns" {
  description = "ARNs of the platform's KMS keys, by purpose."
  value       = module.security.kms_key_arns
}

output "vault_unseal_kms_key_id" {
  description = "KMS key ID for the OpenBao awskms seal stanza."
  value       = module.security.vault_unseal_kms_key_id
}

output "external_secrets_prefix" {
  description = "Secrets Manager / SSM Parameter Store prefix External Secrets may read, `marty/<environment>/`."
  value       = local.external_secrets_prefix
}

output "bucket_id" {
  description = "Backups/object storage bucket."
  value       = module.storage.bucket_id
}

output "bucket_arn" {
  description = "ARN of the backups/object storage bucket."
  value       = module.storage.bucket_arn
}
