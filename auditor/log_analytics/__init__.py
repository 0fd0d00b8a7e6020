"""Findings, workloads and runs sent to Azure Monitor Logs (Log Analytics) through the Logs
Ingestion API; what could not be sent waits in a spool for `auditor upload`."""
