output "bucket_id" {
  description = "Name of the backups/object storage bucket."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the backups/object storage bucket."
  value       = aws_s3_bucket.this.arn
}
