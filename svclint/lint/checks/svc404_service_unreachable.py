"""SVC404 service-unreachable."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.lint.rule import Related, Rule, RuleContext, Violation
from svclint.routing.lint import isolating_policies, pod_ports_text, unreachable_columns
from svclint.routing.model import routing_model


class ServiceUnreachable(Rule):
    """## What it does
    Reports a Service port whose endpoints no workload of the input can reach (egress at the
    client and ingress at the endpoint, on the endpoint's resolved targetPort) and that no
    entry point (NodePort, LoadBalancer, Ingress) reaches either. Services without
    endpoints are left to the Service rules.

    ## Why is this bad?
    Nothing can use the port: the NetworkPolicies in front of its pods admit no client that
    exists, typically because a rule allows the wrong port or the wrong labels.

    ## Example
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: shop
    spec:
      selector:
        matchLabels:
          app: api
      template:
        metadata:
          labels:
            app: api
        spec:
          containers:
            - name: api
              image: example/api:1.0
    ---
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
      namespace: shop
    spec:
      serviceName: db
      selector:
        matchLabels:
          app: db
      template:
        metadata:
          labels:
            app: db
        spec:
          containers:
            - name: postgres
              image: postgres:16.2
              ports:
                - name: postgres
                  containerPort: 5432
              readinessProbe:
                tcpSocket:
                  port: postgres
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: db
      namespace: shop
    spec:
      clusterIP: None
      selector:
        app: db
      ports:
        - name: postgres  # expect: SVC404
          port: 5432
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: db
      namespace: shop
    spec:
      podSelector:
        matchLabels:
          app: db
      ingress:
        - from:
            - podSelector:
                matchLabels:
                  app: api
          ports:
            - port: 5433
    ```

    ## Use instead
    ```yaml
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
      namespace: shop
    spec:
      selector:
        matchLabels:
          app: api
      template:
        metadata:
          labels:
            app: api
        spec:
          containers:
            - name: api
              image: example/api:1.0
    ---
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: db
      namespace: shop
    spec:
      serviceName: db
      selector:
        matchLabels:
          app: db
      template:
        metadata:
          labels:
            app: db
        spec:
          containers:
            - name: postgres
              image: postgres:16.2
              ports:
                - name: postgres
                  containerPort: 5432
              readinessProbe:
                tcpSocket:
                  port: postgres
    ---
    apiVersion: v1
    kind: Service
    metadata:
      name: db
      namespace: shop
    spec:
      clusterIP: None
      selector:
        app: db
      ports:
        - name: postgres
          port: 5432
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata:
      name: db
      namespace: shop
    spec:
      podSelector:
        matchLabels:
          app: db
      ingress:
        - from:
            - podSelector:
                matchLabels:
                  app: api
          ports:
            - port: postgres
    ```
    """

    id = "SVC404"
    name = "service-unreachable"
    summary = "No workload and no entry point can reach any endpoint of a Service port"
    severity = Severity.WARNING
    tags = ("networkpolicy", "routing", "services")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        model = routing_model(ctx.graph, ctx.settings)
        for column in unreachable_columns(model):
            related = [Related(what, policy, "spec.podSelector") for what, policy in isolating_policies(model, column)]
            ports = pod_ports_text(column)
            at = column.service_port.path if column.service_port is not None else ("spec",)
            yield ctx.report(
                f"Service {column.service.namespace}/{column.service.name} port {column.port}/{column.protocol} "
                f"is reachable from no workload and no entry point: the policies on its endpoints admit nobody "
                f"on pod port {ports}; allow the clients on that port (`svclint explain CLIENT {column.service.name}` shows why)",
                column.service,
                at,
                related,
            )
