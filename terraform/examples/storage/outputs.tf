output "bucket_arn" {
  description = "ARN of the example bucket."
  value       = module.storage.bucket_arn
}
