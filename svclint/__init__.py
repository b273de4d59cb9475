"""svclint: lint Kubernetes manifests and analyse Service routing without a cluster."""

__version__ = "0.1.0"
HOMEPAGE = "https://github.com/svclint/svclint"  # SARIF informationUri and the rule catalog links
