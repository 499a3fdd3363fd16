output "vpc_id" {
  description = "ID of the example VPC."
  value       = module.network.vpc_id
}
