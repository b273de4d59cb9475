"""svclint: lint Kubernetes manifests and analyse Service routing without a cluster."""

__version__ = "0.1.0"
