"""Issue 12: the calls an app makes, from its manifests, through the CLI and real YAML.

fixtures/calls/store is an app in Online Boutique's shape (our own files): a frontend that
calls seven services and names an optional eighth, a checkout that calls six, default-deny
policies with one allow policy per service. Mutating one line of it gives exactly one finding.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from svclint.api import analyze
from svclint.routing.calls import LINKS_DISABLED, checked_references
from svclint.settings import CallsConfig, Settings
from tests.conftest import run_cli

STORE = "fixtures/calls/store"
FORMS = "fixtures/calls/forms.yaml"
APP = "fixtures/calls/store/app.yaml"
ASSISTANT = (
    f"{APP}:40:11: SVC501 service-reference-unresolved env ASSISTANT_ADDR names assistant, but there is no Service "
    "default/assistant (a short name resolves in the pod's namespace default)"
)
CALLS = [  # (source, Service, port, line of the env value)
    ("basket", "basket-redis", 6379, 156), ("checkout", "basket", 7070, 436), ("checkout", "catalog", 3550, 426),
    ("checkout", "delivery", 50051, 428), ("checkout", "mail", 5000, 432), ("checkout", "payment", 50051, 430),
    ("checkout", "pricing", 7000, 434), ("loadgen", "web", 80, 471), ("suggest", "catalog", 3550, 234),
    ("web", "ads", 9555, 38), ("web", "basket", 7070, 30), ("web", "catalog", 3550, 26), ("web", "checkout", 5050, 36),
    ("web", "delivery", 50051, 34), ("web", "pricing", 7000, 28), ("web", "suggest", 8080, 32),
]


def _csv_row(source: str, service: str, port: int, line: int) -> str:
    env = next(v for v in _env_names(line))
    return f"default/{source}[Deployment],default/{service}[Service],{port},TCP,allow,{APP}:{line} env {env}"


def _env_names(line: int) -> list[str]:
    text = Path(APP).read_text().splitlines()
    return [text[line - 2].split("name: ", 1)[1]]


def test_calls_lists_the_sixteen_calls_all_allowed_at_their_env_lines() -> None:
    run = run_cli("calls", STORE, "-f", "csv")
    assert (run.exit_code, run.stderr) == (0, "")
    assert run.stdout.splitlines() == ["source,destination,port,protocol,verdict,reference", *(_csv_row(*c) for c in CALLS)]


def test_check_reports_only_the_optional_assistant() -> None:
    run = run_cli("check", STORE, "--select", "SVC5")
    assert run.stdout.splitlines()[0] == ASSISTANT
    assert "Found 1 problem (0 errors, 1 warning, 0 notes)" in run.stdout
    assert run.exit_code == 0  # a warning: an optional service left out does not fail CI


def _store_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(STORE, copy)
    return copy


def _findings(path: Path) -> list[str]:
    run = run_cli("check", str(path), "--select", "SVC5", "-f", "json", "--fail-on", "never")
    return [f"{f['rule']} {Path(f['file']).name}:{f['line']}" for f in json.loads(run.stdout)["findings"]]


def test_changing_one_env_port_is_one_svc502(tmp_path: Path) -> None:
    copy = _store_copy(tmp_path)
    app = copy / "app.yaml"
    app.write_text(app.read_text().replace('value: "basket:7070"', 'value: "basket:7071"', 1))
    assert _findings(copy) == ["SVC502 app.yaml:30", "SVC501 app.yaml:40"]


def test_deleting_one_allow_policy_is_one_svc503(tmp_path: Path) -> None:
    copy = _store_copy(tmp_path)
    (copy / "policies" / "basket-redis.yaml").unlink()
    assert _findings(copy) == ["SVC501 app.yaml:40", "SVC503 app.yaml:156"]
    run = run_cli("check", str(copy), "--select", "SVC503", "--fail-on", "never")
    assert "env REDIS_ADDR: default/basket[Deployment] -> default/basket-redis[Service]:6379/TCP is deny: ingress denied: " in run.stdout
    assert "is isolated by NetworkPolicy default/deny-all and no ingress rule allows default/basket[Deployment] on TCP 6379" in run.stdout
    assert "deny-all.yaml:6:1: ingress denied" in run.stdout  # related: the deciding policy


def test_renaming_one_service_is_one_svc501(tmp_path: Path) -> None:
    copy = _store_copy(tmp_path)
    app = copy / "app.yaml"
    app.write_text(app.read_text().replace("kind: Service\nmetadata:\n  name: suggest\n", "kind: Service\nmetadata:\n  name: suggestions\n", 1))
    assert _findings(copy) == ["SVC501 app.yaml:32", "SVC501 app.yaml:40"]
    run = run_cli("check", str(copy), "--select", "SVC501", "--fail-on", "never")
    assert "env SUGGEST_ADDR names suggest, but there is no Service default/suggest" in run.stdout
    assert "did you mean suggestions?" in run.stdout


def _references(path: str, settings: Settings | None = None) -> list[tuple[str, str, int, str, int | None, str | None]]:
    model = analyze([path], settings or Settings())
    return [
        (c.source.name.split("/")[1].split("[")[0], c.reference.origin, c.reference.holder.location(c.reference.path).line,
         c.reference.target.key, c.reference.port, c.problem)
        for c in checked_references(model)
    ]


def test_reference_forms() -> None:
    assert _references(FORMS) == [
        ("client", "envFrom ConfigMap client-env key QUEUE_URL", 86, "app/api", 80, None),
        ("client", "env API_ADDR", 121, "app/api", 80, None),
        ("client", "env DB_URL", 123, "data/db", 5432, None),  # jdbc:postgresql:// with user info, name.ns.svc
        ("client", "env API_HOST", 125, "app/api", None, None),  # a bare name that is a Service
        ("client", "env API_URL", 127, "app/api", 80, None),  # $(API_HOST) expanded, http's port
        ("client", "env KUBELET_API", 129, "app/api", 80, None),  # $(API_SERVICE_HOST):$(API_SERVICE_PORT)
        ("client", "env MAIL_ADDR", 131, "app/mail", 25, None),  # ExternalName
        ("client", "args[0]", 148, "app/api", 80, None),  # --flag=URL, name.ns
        ("client", "ConfigMap client-files key app.conf (mounted)", 95, "data/db", 5432, None),  # StatefulSet pod DNS
        ("unlinked", "env API", 176, "app/api", 80, LINKS_DISABLED),
    ]


def test_config_turns_a_variable_off_and_moves_the_cluster_domain() -> None:
    settings = Settings(calls=CallsConfig(cluster_domain="corp.internal", ignore_variables=("API_*",)))
    found = _references(FORMS, settings)
    assert [r[1] for r in found if r[1].startswith("env API")] == ["env API"]  # unlinked's API is not API_*
    assert all("app.conf" not in r[1] for r in found)  # .svc.cluster.local is not this cluster's domain


def test_config_file_calls_section(tmp_path: Path) -> None:
    config = tmp_path / ".svclint.yaml"
    config.write_text("calls:\n  ignore-variables: [ASSISTANT_*]\n")
    run = run_cli("check", STORE, "--select", "SVC5", "--config", str(config))
    assert (run.exit_code, run.stdout.splitlines()[0]) == (0, "No problems found in 14 files, 36 objects.")


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "dot"])
def test_calls_formats(fmt: str) -> None:
    run = run_cli("calls", STORE, "-f", fmt, "--from", "suggest")
    assert (run.exit_code, run.stderr) == (0, "")
    expected = {
        "table": "default/suggest[Deployment]  default/catalog[Service]  3550/TCP  allow    fixtures/calls/store/app.yaml:234 env CATALOG_ADDR",
        "markdown": "| default/suggest[Deployment] | default/catalog[Service] | 3550/TCP | allow | fixtures/calls/store/app.yaml:234 env CATALOG_ADDR |",
        "dot": '  "default/suggest[Deployment]" -> "default/catalog[Service]" [label="3550 allow"];',
    }
    if fmt == "json":
        call = json.loads(run.stdout)["calls"][0]
        assert (call["destination"], call["port"], call["verdict"], call["reference"]["line"], call["reference"]["origin"]) == (
            "default/catalog[Service]", 3550, "allow", 234, "env CATALOG_ADDR")
        assert call["reasons"][0]["hop"] == "service"
    else:
        assert expected[fmt] in run.stdout.splitlines()


def test_calls_filter_that_matches_nothing_is_a_usage_error() -> None:
    run = run_cli("calls", STORE, "--to", "nothing")
    assert run.exit_code == 2
    assert "--to nothing: the filters match no call" in run.stderr


def test_explain_accepts_a_call_as_the_container_writes_it() -> None:
    run = run_cli("explain", "web", "http://basket:7070/x", STORE)
    assert (run.exit_code, run.stderr) == (0, "")
    assert run.stdout.splitlines()[:2] == [
        "default/web[Deployment] -> default/basket[Service]:7070/TCP: allow",
        f"  called by env BASKET_ADDR: basket:7070  [{APP}:30]",
    ]


def test_explain_of_a_service_lists_the_references_that_call_it() -> None:
    run = run_cli("explain", "checkout", "mail", STORE)
    assert run.stdout.splitlines()[1] == f"  called by env MAIL_ADDR: mail:5000  [{APP}:432]"


def test_explain_of_an_address_in_another_namespace_resolves_from_the_source() -> None:
    run = run_cli("explain", "client", "db.data.svc.cluster.local:5432", FORMS)
    assert run.stdout.splitlines()[0] == "app/client[Deployment] -> data/db[Service]:5432/TCP: allow"


def test_routing_docs_calls_example_is_real_output() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "routing.md").read_text(encoding="utf-8")
    shown = docs.split("$ svclint calls fixtures/calls/store -f csv --from suggest\n", 1)[1].split("```", 1)[0]
    assert run_cli("calls", STORE, "-f", "csv", "--from", "suggest").stdout == shown


def test_edges_externalname_and_headless_ports_unchecked_dns_only_is_a_note() -> None:
    run = run_cli("check", "fixtures/calls/edges.yaml", "--select", "SVC5", "-f", "json", "--fail-on", "never")
    found = [(f["rule"], f["severity"], f["line"], f["message"].split(":", 1)[0]) for f in json.loads(run.stdout)["findings"]]
    assert found == [
        ("SVC503", "error", 73, "env NOTHING_URL"),  # no endpoints
        ("SVC503", "note", 92, "env API_ADDR"),  # only DNS, to the assumed kube-dns
    ]
    text = run_cli("check", "fixtures/calls/edges.yaml", "--select", "SVC503", "--fail-on", "never").stdout
    assert "edges.yaml:98:1: egress denied: edge/locked[Deployment] is isolated by NetworkPolicy edge/locked" in text


def test_expansion_is_the_kubelets_once_in_order_values_only_and_bounded() -> None:
    # FROM_CM (valueFrom is never expanded), ESCAPED ($$) and the doubling X0..X39 give nothing;
    # the bomb stays unknown past 64 KiB instead of growing to 100 * 2**39 bytes.
    assert [(r[1], r[2], r[4]) for r in _references("fixtures/calls/expansion.yaml")] == [
        ("env A", 29, None),
        ("env B", 31, 80),
        ("env C", 33, 80),  # $(B) holds B's expanded value: http://api:80/x
        ("args[0]", 118, 80),  # --upstream=http://$(A):80
    ]


def test_a_service_only_another_unit_defines_is_a_note_naming_the_unit() -> None:
    run = run_cli("check", "fixtures/calls/alternatives", "--select", "SVC5", "--fail-on", "never")
    assert run.stdout.splitlines()[0] == (
        "fixtures/calls/alternatives/client/client.yaml:14:15: SVC501 service-reference-unresolved env API_ADDR names api, "
        "but there is no Service alt/api (a short name resolves in the pod's namespace alt); it exists only in another "
        "deployment unit of this run, fixtures/calls/alternatives/blue"
    )
    assert "(0 errors, 0 warnings, 1 note)" in run.stdout


DECLARED = "fixtures/calls/declared/app.yaml"


def test_calls_declared_in_the_svclint_io_calls_annotation_are_calls() -> None:
    """Addresses kept in a Secret are declared on the pod template or the workload: each is a
    call with its verdict, and a declared name with no Service is SVC501 at the annotation."""
    run = run_cli("calls", "fixtures/calls/declared", "--isolated", "-f", "csv")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines() == [
        "source,destination,port,protocol,verdict,reference",
        f"shop/cart[Deployment],shop/redis-cart[Service],6379,TCP,allow,{DECLARED}:34 annotation svclint.io/calls",
        f"shop/frontend[Deployment],billing/payments[Service],9000,TCP,allow,{DECLARED}:17 annotation svclint.io/calls",
        f"shop/frontend[Deployment],shop/cart[Service],7070,TCP,allow,{DECLARED}:17 annotation svclint.io/calls",
        f"shop/frontend[Deployment],shop/catalog[Service],8080,TCP,allow,{DECLARED}:17 annotation svclint.io/calls",
    ]
    check = run_cli("check", "fixtures/calls/declared", "--isolated", "--select", "SVC5")
    assert check.stdout.splitlines()[0] == (
        f"{DECLARED}:17:9: SVC501 service-reference-unresolved annotation svclint.io/calls names reviews, but there is no "
        "Service shop/reviews (a short name resolves in the pod's namespace shop)"
    )
    assert "SVC50" not in "".join(check.stdout.splitlines()[1:])


def test_a_missing_service_an_operators_resource_may_create_is_a_note() -> None:
    """Operators name the Services they create after their resource (CloudNativePG's pg-rw,
    ECK's search-es-http, a Workspace's own name): references to them are notes naming the
    resource; a name no resource explains stays a warning."""
    run = run_cli("check", "fixtures/calls/operator-services", "--isolated", "--format", "json")
    found = [(f["rule"], f["severity"], f["line"], f["message"].rsplit("; ", 1)[-1]) for f in run.json()["findings"]]
    maker = "{} is a custom resource whose operator may create it: svclint does not model the Services operators create"
    assert found == [
        ("SVC501", "note", 52, maker.format("Cluster shop/pg (postgresql.cnpg.io)")),
        ("SVC501", "note", 54, maker.format("Elasticsearch shop/search (elasticsearch.k8s.elastic.co)")),
        ("SVC501", "note", 56, maker.format("Workspace shop/assistant (inference.example.com)")),
        ("SVC501", "warning", 58, "env BILLING_URL names billing, but there is no Service shop/billing (a short name resolves in the pod's namespace shop)"),
        ("SVC301", "note", 86, maker.format("Elasticsearch shop/search (elasticsearch.k8s.elastic.co)")),
    ]


def test_a_pod_whose_manifest_names_no_namespace_may_be_applied_beside_the_service() -> None:
    """`kubectl apply -n shop -f loadgen.yaml`: a short name resolves in shop, so a pod without
    a written namespace naming a Service of another namespace is a note; one that names its
    namespace gets the warning with the `frontend.shop` hint."""
    run = run_cli("check", "fixtures/calls/unplaced", "--isolated", "--format", "json", "--select", "SVC501")
    assert [(f["severity"], f["line"], f["message"].rsplit("; ", 1)[-1]) for f in run.json()["findings"]] == [
        ("note", 58, "the manifest of Deployment default/loadgen names no namespace, and Service frontend exists in namespace shop: applied with -n shop, the name resolves"),
        ("warning", 84, "Service frontend exists in namespace shop: write frontend.shop"),
    ]
