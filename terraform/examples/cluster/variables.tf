# This example takes no inputs: every value is set in main.tf, so that a plan needs no -var.
