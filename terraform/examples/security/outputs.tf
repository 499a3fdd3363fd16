output "irsa_role_arns" {
  description = "IRSA role ARNs of the example, by workload."
  value       = module.security.irsa_role_arns
}
