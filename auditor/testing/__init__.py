"""Builders of snapshots for the demo, the benchmarks, the tests and rule authors: Azure's payload
shapes, assembled in memory."""
