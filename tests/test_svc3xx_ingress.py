"""SVC301-SVC304 through the CLI: exact messages, fields and related locations; the scenario.

The fixture harness (test_rule_fixtures.py) pins which lines are reported; these tests pin
what is said there, since the message is what tells the user how to fix the wiring.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from svclint.suggest import edit_distance, is_close, nearest

from .conftest import FIXTURES, REPO, expected_markers, finding_keys, run_cli

RULES = "fixtures/rules"
SCENARIO = FIXTURES / "scenarios" / "ingress"


def _findings(path: str, select: str = "SVC3") -> list[dict[str, Any]]:
    run = run_cli("check", path, "--isolated", "--select", select, "--format", "json", "--fail-on", "never")
    assert run.exit_code == 0, run.stderr
    payload = run.json()
    assert payload["errors"] == []
    return payload["findings"]


def _one(path: str, select: str = "SVC3") -> dict[str, Any]:
    findings = _findings(path, select)
    assert len(findings) == 1, findings
    return findings[0]


def _related(finding: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [(r["file"], r["line"], r["message"]) for r in finding["related"]]


# -- SVC301 ---------------------------------------------------------------------------------


def test_svc301_names_the_nearest_service() -> None:
    f = _one(f"{RULES}/SVC301/bad.yaml")
    assert (f["rule"], f["line"], f["column"], f["field"]) == (
        "SVC301",
        15,
        17,
        "spec.rules[0].http.paths[0].backend.service.name",
    )
    assert f["message"] == (
        "Ingress default/shop backend for host shop.example.com path /: Service 'store-front' does not "
        "exist in namespace 'default'; did you mean 'storefront'?"
    )
    assert _related(f) == [(f"{RULES}/SVC301/bad.yaml", 22, "nearest Service: default/storefront")]
    assert f["object"] == {"group": "networking.k8s.io", "kind": "Ingress", "namespace": "default", "name": "shop"}


def test_svc301_says_when_the_service_lives_in_another_namespace() -> None:
    f = _one(f"{RULES}/SVC301/bad.other-namespace.yaml")
    assert f["message"] == (
        "Ingress web/shop backend for host shop.example.com path /: Service 'storefront' does not exist "
        "in namespace 'web'; a Service 'storefront' exists in namespace 'shop', but an Ingress only routes "
        "to Services in its own namespace: move the Ingress or the Service; there is no Service in "
        "namespace 'web'"
    )
    assert _related(f) == [(f"{RULES}/SVC301/bad.other-namespace.yaml", 23, "Service shop/storefront is in another namespace")]


def test_svc301_reads_v1beta1_backends_and_far_names() -> None:
    default, path = _findings(f"{RULES}/SVC301/bad.v1beta1.yaml")
    assert (default["line"], default["field"]) == (8, "spec.backend.serviceName")
    assert default["message"] == (
        "Ingress default/shop-legacy default backend: Service 'default-http-backend' does not exist in "
        "namespace 'default'; the nearest Service name in namespace 'default' is 'storefront'"
    )
    assert (path["line"], path["field"]) == (30, "spec.rules[0].http.paths[0].backend.serviceName")
    assert path["object"]["group"] == "networking.k8s.io"


def test_svc301_resolves_services_across_directories() -> None:
    f = _one(f"{RULES}/SVC301/bad.cross-file")
    assert f["file"] == f"{RULES}/SVC301/bad.cross-file/ingress/ingress.yaml"
    assert _related(f) == [(f"{RULES}/SVC301/bad.cross-file/app/docs.yaml", 4, "nearest Service: shop/docs")]


def test_svc301_default_namespace_setting_places_unnamespaced_ingress() -> None:
    """An Ingress without metadata.namespace lands in --default-namespace, like kubectl -n."""
    good = (FIXTURES / "rules/SVC301/good.yaml").read_text()
    manifest = re.sub(r"(?m)^  name: storefront$", "  name: storefront\n  namespace: shop", good)
    assert manifest.count("namespace: shop") == 2  # the Service and the Deployment
    run = run_cli("check", "-", "--isolated", "--select", "SVC301", "--format", "json", input=manifest)
    assert [(f["file"], f["line"], f["message"].split(": ", 1)[1]) for f in run.json()["findings"]] == [
        (
            "<stdin>",
            15,
            "Service 'storefront' does not exist in namespace 'default'; a Service 'storefront' exists in "
            "namespace 'shop', but an Ingress only routes to Services in its own namespace: move the Ingress "
            "or the Service; there is no Service in namespace 'default'",
        )
    ]
    run = run_cli("check", "-", "--isolated", "--select", "SVC301", "--default-namespace", "shop", "--format", "json", input=manifest)
    assert run.exit_code == 0 and run.json()["findings"] == []


# -- SVC302 ---------------------------------------------------------------------------------


def test_svc302_explains_a_targetport_used_as_backend_port() -> None:
    f = _one(f"{RULES}/SVC302/bad.yaml")
    assert (f["line"], f["field"]) == (17, "spec.rules[0].http.paths[0].backend.service.port.number")
    assert f["message"] == (
        "Ingress default/shop backend for host shop.example.com path /: Service default/storefront has no "
        "port 8080; its ports are 80/TCP (http); 8080 is the target of port 80 (http): a backend names the "
        "Service port ('http' or 80), not the container port"
    )
    assert _related(f) == [(f"{RULES}/SVC302/bad.yaml", 26, "ports of Service default/storefront")]


def test_svc302_port_name_is_the_service_port_name() -> None:
    f = _one(f"{RULES}/SVC302/bad.port-name.yaml")
    assert f["message"].endswith(
        "Service default/storefront has no port named 'web'; its ports are 80/TCP (http); 'web' is the "
        "target of port 80 (http): a backend names the Service port ('http' or 80), not the container port"
    )


def test_svc302_resolves_named_targetports_on_the_pods() -> None:
    """9102 is the container port behind the named targetPort `metrics` of port 9090."""
    findings = list(_findings(str(SCENARIO.relative_to(REPO)), "SVC302"))
    assert [f["message"] for f in findings] == [
        "Ingress shop/shop backend for host admin.shop.example.com path /metrics: Service shop/api has no "
        "port 9102; its ports are 80/TCP (http), 9090/TCP (metrics); 9102 is the target of port 9090 "
        "(metrics): a backend names the Service port ('metrics' or 9090), not the container port"
    ]


def test_svc302_v1beta1_integer_is_a_number_string_is_a_name() -> None:
    default, path = _findings(f"{RULES}/SVC302/bad.v1beta1.yaml")
    assert (default["field"], path["field"]) == ("spec.backend.servicePort", "spec.rules[0].http.paths[0].backend.servicePort")
    assert "has no port 8080;" in default["message"]
    assert "has no port named 'https';" in path["message"]


def test_svc302_external_name_numbers_pass_names_do_not() -> None:
    assert _findings(f"{RULES}/SVC302/good.external-name.yaml") == []
    f = _one(f"{RULES}/SVC302/bad.external-name-port-name.yaml")
    assert f["message"].endswith("Service default/docs has no port named 'https'; it declares no ports")


# -- SVC303 ---------------------------------------------------------------------------------


def test_svc303_named_targetport_resolves_on_no_pod() -> None:
    f = _one(f"{RULES}/SVC303/bad.yaml")
    assert (f["line"], f["field"]) == (17, "spec.rules[0].http.paths[0].backend.service.port.number")
    assert f["message"] == (
        "Ingress default/shop backend for host shop.example.com path / leads nowhere: Service "
        "default/storefront port 80 (http) forwards to targetPort 'http'/TCP, which no container of the "
        "selected pods (Deployment default/storefront) declares (they declare web/TCP); name that "
        "container port 'http' or set targetPort to its number"
    )
    assert _related(f) == [(f"{RULES}/SVC303/bad.yaml", 29, "targetPort of Service default/storefront port 80 (http)")]


def test_svc303_ordinary_init_container_ports_never_serve() -> None:
    f = _one(f"{RULES}/SVC303/bad.init-container-port.yaml")
    assert "init container 'tls-proxy' declares it, but only sidecars (restartPolicy: Always) serve" in f["message"]
    assert _findings(f"{RULES}/SVC303/good.sidecar-port.yaml") == []


def test_svc303_no_pods_is_reported_at_the_backend_not_as_svc101() -> None:
    findings = _findings(f"{RULES}/SVC303/bad.no-pods.yaml", "SVC101,SVC303")
    by_rule = {f["rule"]: f for f in findings}
    assert sorted(by_rule) == ["SVC101", "SVC303"]
    f = by_rule["SVC303"]
    assert (f["line"], f["field"]) == (15, "spec.rules[0].http.paths[0].backend.service.name")
    assert f["message"] == (
        "Ingress default/shop backend for host shop.example.com path / leads nowhere: Service "
        "default/storefront has no endpoints, because no pod in namespace 'default' carries its selector "
        "labels app=storefront-v2; requests get 503 until a workload's pod template has them"
    )
    assert f["message"] != by_rule["SVC101"]["message"]
    assert _related(f) == [(f"{RULES}/SVC303/bad.no-pods.yaml", 24, "selector of Service default/storefront")]


def test_svc303_selectorless_service_needs_manual_endpoints() -> None:
    f = _one(f"{RULES}/SVC303/bad.no-endpoints.yaml")
    assert f["message"] == (
        "Ingress default/billing backend for host billing.example.com path / leads nowhere: Service "
        "default/legacy-billing has no selector and no Endpoints or EndpointSlice (label "
        "kubernetes.io/service-name=legacy-billing) in namespace 'default', so it has no endpoints; give it "
        "a selector matching the backend pods or create its Endpoints"
    )
    assert _findings(f"{RULES}/SVC303/good.manual-endpoints.yaml") == []


def test_svc303_follows_httproute_backends() -> None:
    f = _one(f"{RULES}/SVC303/bad.httproute.yaml")
    assert f["message"].startswith("HTTPRoute default/shop rules[0] backendRef leads nowhere: Service default/storefront has no endpoints")


# -- SVC304 ---------------------------------------------------------------------------------


def test_svc304_cross_namespace_needs_a_matching_reference_grant() -> None:
    granted, missing = _findings(f"{RULES}/SVC304/bad.other-namespace.yaml")
    assert (granted["line"], granted["field"]) == (21, "spec.rules[0].backendRefs[0].namespace")
    assert granted["message"] == (
        "HTTPRoute web/shop rules[0] backendRef: Service shop/storefront is in another namespace and no "
        "ReferenceGrant in namespace 'shop' allows HTTPRoute from namespace 'web' to reference it, so the "
        "route reports RefNotPermitted; add a ReferenceGrant in 'shop' with from {group: "
        "gateway.networking.k8s.io, kind: HTTPRoute, namespace: web} and to {group: \"\", kind: Service, "
        "name: storefront}"
    )
    assert _related(granted) == [
        (f"{RULES}/SVC304/bad.other-namespace.yaml", 48, "Service shop/storefront"),
        (f"{RULES}/SVC304/bad.other-namespace.yaml", 36, "ReferenceGrant shop/allow-gateway-routes does not allow this reference"),
    ]
    assert missing["message"] == (
        "HTTPRoute web/shop rules[1] backendRef: Service 'checkout' does not exist in namespace 'web'; a "
        "Service 'checkout' exists in namespace 'shop': set `namespace: shop` on the backendRef (with a "
        "ReferenceGrant there allowing it); there is no Service in namespace 'web'"
    )
    assert _findings(f"{RULES}/SVC304/good.reference-grant.yaml") == []


def test_svc304_reference_grant_for_another_kind_does_not_cover_grpcroute() -> None:
    findings = _findings(str(SCENARIO.relative_to(REPO)), "SVC304")
    assert [(f["file"], f["line"]) for f in findings] == [("fixtures/scenarios/ingress/routing/routes.yaml", 52)]
    assert "allows GRPCRoute from namespace 'shop'" in findings[0]["message"]


def test_svc304_ports() -> None:
    wrong, absent = _findings(f"{RULES}/SVC304/bad.port.yaml")
    assert (wrong["field"], absent["field"]) == ("spec.rules[0].backendRefs[0].port", "spec.rules[0].backendRefs[1]")
    assert wrong["message"].endswith(
        "Service default/storefront has no port 8080; its ports are 80/TCP (http); 8080 is the target of "
        "port 80 (http): a backend names the Service port (80), not the container port"
    )
    assert absent["message"] == (
        "HTTPRoute default/shop rules[0] backendRef: the reference to Service default/storefront-canary has "
        "no port; a Service backendRef needs one (the API server rejects the route: \"Must have port for "
        "Service reference\"); its ports are 80/TCP (http)"
    )


def test_svc304_mirror_and_grpc_backends() -> None:
    mirror = _one(f"{RULES}/SVC304/bad.v1beta1.yaml")
    assert mirror["field"] == "spec.rules[0].filters[0].requestMirror.backendRef.name"
    assert mirror["message"].startswith("HTTPRoute default/shop rules[0] requestMirror backendRef: Service 'storefront-shadow'")
    grpc = _one(f"{RULES}/SVC304/bad.grpcroute.yaml")
    assert grpc["message"] == (
        "GRPCRoute default/inventory rules[0] backendRef: Service 'inventroy' does not exist in namespace "
        "'default'; did you mean 'inventory'?"
    )


# -- robustness and helpers -----------------------------------------------------------------

MALFORMED = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: broken
spec:
  defaultBackend: oops
  rules:
    - host: a.example.com
      http:
        paths:
          - backend:
              service:
                name: [not, a, string]
          - backend:
              service:
                name: web
                port:
                  number: "80"
          - backend: null
          - just-a-string
    - http: {paths: {not: a list}}
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: broken-beta
spec:
  backend: {serviceName: web, servicePort: {a: b}}
  rules: {not: a list}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: broken
spec:
  rules:
    - backendRefs: {not: a list}
      filters: [{requestMirror: null}, {requestMirror: {backendRef: 7}}]
    - backendRefs: [null, 3, {name: ""}, {kind: Service, group: null, name: web, namespace: null, port: true}]
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata:
  name: broken
spec:
  from: nope
  to: [null]
"""


def test_malformed_backends_never_crash() -> None:
    run = run_cli("check", "-", "--isolated", "--select", "SVC3", "--format", "json", "--fail-on", "never", input=MALFORMED)
    assert run.exit_code == 0, run.stderr
    payload = run.json()
    assert payload["errors"] == []
    # Only well-formed references are judged: `web` (no such Service) from the v1 port-less
    # path, the v1beta1 default backend and the route's last backendRef.
    assert [(f["rule"], f["field"]) for f in payload["findings"]] == [
        ("SVC301", "spec.rules[0].http.paths[1].backend.service.name"),
        ("SVC301", "spec.backend.serviceName"),
        ("SVC304", "spec.rules[1].backendRefs[3].name"),
    ]


def test_suggestions() -> None:
    assert edit_distance("serach", "search") == 2
    assert edit_distance("", "abc") == 3
    assert edit_distance("kitten", "sitting") == 3
    assert nearest("store-front", ["api", "storefront", "store"]) == "storefront"
    assert nearest("x", []) is None
    assert nearest("ab", ["ac", "ab", "bb"]) == "ac"  # ties alphabetical, itself excluded
    assert is_close("storefrnt", "storefront") and not is_close("default-http-backend", "storefront")


# -- the scenario ---------------------------------------------------------------------------


def test_ingress_scenario_reports_exactly_its_markers_under_default_rules() -> None:
    run = run_cli("check", str(SCENARIO.relative_to(REPO)), "--isolated", "--format", "json")
    assert run.exit_code == 1, run.stderr
    files = sorted(p for p in SCENARIO.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    assert finding_keys(run.json()) == expected_markers(files)


def test_ingress_scenario_text_output_is_golden(golden: Any) -> None:
    run = run_cli("check", str(SCENARIO.relative_to(REPO)), "--isolated")
    assert run.exit_code == 1
    golden(SCENARIO / "expected.txt", run.stdout)


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_ingress_scenario_is_deterministic(fmt: str) -> None:
    # --no-cache: two computations (a cached second run would reprint the first)
    first = run_cli("check", str(SCENARIO.relative_to(REPO)), "--isolated", "--format", fmt, "--no-cache")
    second = run_cli("check", str(SCENARIO.relative_to(REPO)), "--isolated", "--format", fmt, "--no-cache")
    assert first.stdout == second.stdout


def test_routes_kept_apart_from_their_apps_are_notes() -> None:
    """fixtures/routing/routes-apart: no Service of the backend's namespace or name is in the
    input (a routing repository, API examples): notes; a namespace whose Services are in the
    input keeps the error."""
    run = run_cli("check", "fixtures/routing/routes-apart", "--isolated", "--select", "SVC301,SVC304", "--format", "json")
    assert [(f["rule"], f["severity"], f["line"], f["message"]) for f in run.json()["findings"]] == [
        ("SVC304", "note", 15, "HTTPRoute shop/store rules[0] backendRef: Service 'store' does not exist in namespace 'shop'; there is no Service in namespace 'shop' or named so in the input, so the app is likely deployed from elsewhere"),
        ("SVC301", "note", 26, "Ingress shop/cart default backend: Service 'cart' does not exist in namespace 'shop'; there is no Service in namespace 'shop' or named so in the input, so the app is likely deployed from elsewhere"),
        ("SVC301", "error", 50, "Ingress docs/docs default backend: Service 'docs' does not exist in namespace 'docs'; the nearest Service name in namespace 'docs' is 'docs-site'"),
    ]
