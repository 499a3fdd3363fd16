output "cluster_name" {
  description = "Name of the example cluster."
  value       = module.cluster.cluster_name
}
