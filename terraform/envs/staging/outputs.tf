output "platform" {
  description = "Every output of the platform composition (cluster, network, data stores, IRSA roles); see modules/platform/README.md."
  value       = module.platform
}
