"""Tooling for the marty-platform GitOps repository: validate, render, diff, drift, promote."""
