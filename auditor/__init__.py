"""auditor: Azure Machine Learning disaster-recovery readiness scanner."""

__version__ = "0.1.0"
