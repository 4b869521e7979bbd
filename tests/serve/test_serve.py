# The decision server (`mandate serve`, tools/mandate/SERVE.md) as a client sees it: real
# process, real sockets, the bundled examples whose decisions are known (examples/expected.jsonl).
import copy
import datetime
import json
import signal
import subprocess
import threading
import time

from conftest import CONTROL_TOKEN, EXAMPLES, Server, copy_examples, mandate_binary

REQUESTS = [json.loads(line) for line in (EXAMPLES / "requests.jsonl").read_text().splitlines() if line.strip()]
EXPECTED = [json.loads(line) for line in (EXAMPLES / "expected.jsonl").read_text().splitlines() if line.strip()]


def authzen(cedar_request):
    """An example request (Cedar's shape) as an AuthZEN evaluation."""
    return copy.deepcopy({
        "subject": cedar_request["principal"],
        "action": {"name": cedar_request["action"]["id"]},
        "resource": cedar_request["resource"],
        "context": cedar_request["context"],
    })


def find(description_part):
    for request, expected in zip(REQUESTS, EXPECTED):
        if description_part in request["description"]:
            return request, expected
    raise KeyError(description_part)


def rfc3339(offset_seconds):
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset_seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---- AuthZEN single evaluation -------------------------------------------------------------


def test_every_example_through_authzen(server):
    for request, expected in zip(REQUESTS, EXPECTED):
        response = server.post("/access/v1/evaluation", authzen(request))
        assert response.status == 200, response.body
        answer = response.json()
        assert answer["decision"] == (expected["decision"] == "allow"), request["description"]
        assert answer["context"]["outcome"] == expected["decision"]
        assert answer["context"]["reasons"] == expected["reasons"]
        assert answer["context"]["errors"] == expected["errors"]


def test_allow(server):
    request, _ = find("Alice's support agent reads an internal customer record")
    answer = server.post("/access/v1/evaluation", authzen(request)).json()
    assert answer["decision"] is True
    assert answer["context"]["reasons"] == ["support-read"]
    assert "decision_id" in answer["context"]  # --audit is on


def test_deny(server):
    request, _ = find("agents never touch restricted records")
    answer = server.post("/access/v1/evaluation", authzen(request)).json()
    assert answer["decision"] is False
    assert answer["context"]["outcome"] == "deny"
    assert answer["context"]["reasons"] == ["agents-no-restricted"]
    assert "reason" not in answer["context"]


def test_require_approval_names_the_approvers(server):
    request, _ = find("a billing admin must approve")
    answer = server.post("/access/v1/evaluation", authzen(request)).json()
    assert answer["decision"] is False
    assert answer["context"]["reason"] == "approval_required"
    assert answer["context"]["approvers"] == ["billing-admins"]
    assert answer["context"]["outcome"] == "require_approval"
    assert "billing-change-approval" in answer["context"]["reasons"]


def test_errors_are_in_the_context(server):
    request, _ = find("garbled source address")
    answer = server.post("/access/v1/evaluation", authzen(request)).json()
    assert answer["decision"] is False
    assert answer["context"]["errors"][0]["policy"] == "quarantined-network"
    assert answer["context"]["failed_closed"] is True


def test_explanation_on_request(server):
    request, _ = find("Bob opens the admin console from home")
    plain = server.post("/access/v1/evaluation", authzen(request)).json()
    assert "explanation" not in plain["context"]
    explained = server.post("/access/v1/evaluation?explain=1", authzen(request)).json()
    assert explained["decision"] is False
    assert "summary" in explained["context"]["explanation"]
    assert explained["context"]["explanation"]["identities"]


def test_properties_are_noted_not_merged(server):
    request, _ = find("Mallory's account is suspended")
    body = authzen(request)
    body["subject"]["properties"] = {"suspended": False}
    answer = server.post("/access/v1/evaluation", body).json()
    assert answer["decision"] is False  # the stored attribute decides, not the caller's claim
    assert any("subject.properties" in note for note in answer["context"]["notes"])


def test_schema_validation_failure_is_a_bad_request(server):
    body = {"subject": {"type": "User", "id": "alice"}, "action": {"name": "no_such_action"},
            "resource": {"type": "Customer", "id": "acme"}, "context": {"hour": 10, "source_ip": "10.0.0.1"}}
    response = server.post("/access/v1/evaluation", body)
    assert response.status == 400
    assert "error" in response.json()


# ---- AuthZEN batch -------------------------------------------------------------------------


def batch_items():
    allow, _ = find("Alice's support agent reads an internal customer record")
    deny, _ = find("agents never touch restricted records")
    approval, _ = find("a billing admin must approve")
    return [authzen(allow), authzen(deny), authzen(approval), authzen(allow)]


def test_batch_execute_all(server):
    response = server.post("/access/v1/evaluations", {"evaluations": batch_items()})
    assert response.status == 200
    decisions = [e["decision"] for e in response.json()["evaluations"]]
    assert decisions == [True, False, False, True]
    assert response.json()["evaluations"][2]["context"]["reason"] == "approval_required"
    explicit = server.post("/access/v1/evaluations",
                           {"evaluations": batch_items(), "options": {"evaluations_semantic": "execute_all"}})
    assert [e["decision"] for e in explicit.json()["evaluations"]] == decisions


def test_batch_deny_on_first_deny(server):
    body = {"evaluations": batch_items(), "options": {"evaluations_semantic": "deny_on_first_deny"}}
    decisions = [e["decision"] for e in server.post("/access/v1/evaluations", body).json()["evaluations"]]
    assert decisions == [True, False]


def test_batch_permit_on_first_permit(server):
    items = batch_items()
    body = {"evaluations": [items[1], items[2], items[0], items[1]],
            "options": {"evaluations_semantic": "permit_on_first_permit"}}
    decisions = [e["decision"] for e in server.post("/access/v1/evaluations", body).json()["evaluations"]]
    assert decisions == [False, False, True]


def test_batch_defaults_and_overrides(server):
    body = {
        "subject": {"type": "User", "id": "alice"},
        "resource": {"type": "Customer", "id": "acme"},
        "context": {"hour": 10, "source_ip": "10.1.2.3"},
        "evaluations": [
            {"action": {"name": "read"}},
            {"action": {"name": "read"}, "resource": {"type": "Customer", "id": "globex"}},
            {"action": {"name": "read"}, "subject": {"type": "User", "id": "mallory"}},
        ],
    }
    answers = server.post("/access/v1/evaluations", body).json()["evaluations"]
    assert [a["decision"] for a in answers] == [True, False, False]
    assert answers[2]["context"]["reasons"] == ["suspended-principal"]


def test_batch_bad_item_is_its_own_deny(server):
    items = batch_items()
    items.insert(1, {"action": {"name": "read"}})  # no subject, no default either
    answers = server.post("/access/v1/evaluations", {"evaluations": items}).json()["evaluations"]
    assert len(answers) == 5
    assert answers[1]["decision"] is False
    assert "subject" in answers[1]["context"]["error"]["message"]
    assert answers[2]["decision"] is False and answers[4]["decision"] is True


def test_batch_without_evaluations_is_a_single_evaluation(server):
    request, _ = find("Alice's support agent reads an internal customer record")
    answer = server.post("/access/v1/evaluations", authzen(request)).json()
    assert answer["decision"] is True


def test_batch_bad_semantic(server):
    response = server.post("/access/v1/evaluations",
                           {"evaluations": batch_items(), "options": {"evaluations_semantic": "first"}})
    assert response.status == 400


# ---- discovery, request ids, health, metrics ------------------------------------------------


def test_well_known_configuration(server):
    response = server.get("/.well-known/authzen-configuration")
    assert response.status == 200
    config = response.json()
    base = f"http://127.0.0.1:{server.port}"
    assert config["policy_decision_point"] == base
    assert config["access_evaluation_endpoint"] == base + "/access/v1/evaluation"
    assert config["access_evaluations_endpoint"] == base + "/access/v1/evaluations"


def test_request_id_is_echoed_everywhere(server):
    request, _ = find("Alice's support agent reads an internal customer record")
    ok = server.post("/access/v1/evaluation", authzen(request), headers={"X-Request-ID": "req-42"})
    assert ok.headers["X-Request-ID"] == "req-42"
    bad = server.post("/access/v1/evaluation", raw=b"{nope", headers={"X-Request-ID": "req-43"})
    assert bad.status == 400 and bad.headers["X-Request-ID"] == "req-43"
    missing = server.get("/nowhere", headers={"X-Request-ID": "req-44"})
    assert missing.status == 404 and missing.headers["X-Request-ID"] == "req-44"
    generated = server.get("/healthz")
    assert generated.headers["X-Request-ID"]


def test_health(server):
    for path in ("/healthz", "/health"):
        response = server.get(path)
        assert response.status == 200
        health = response.json()
        assert health["status"] == "ok"
        assert health["policies"] > 0 and health["entities"] > 0
        assert health["generation"] >= 1


def test_metrics_count_decisions(server):
    before = server.metrics()
    request, _ = find("Alice's support agent reads an internal customer record")
    server.post("/access/v1/evaluation", authzen(request))
    approval, _ = find("a billing admin must approve")
    server.post("/access/v1/evaluation", authzen(approval))
    server.post("/access/v1/evaluation", raw=b"[")
    after = server.metrics()
    allow = 'mandate_decisions_total{outcome="allow"}'
    approve = 'mandate_decisions_total{outcome="require_approval"}'
    assert after[allow] == before[allow] + 1
    assert after[approve] == before[approve] + 1
    count = "mandate_decision_request_duration_seconds_count"
    assert after[count] == before[count] + 3
    assert after['mandate_decision_request_duration_seconds_bucket{le="+Inf"}'] == after[count]
    assert after['mandate_http_responses_total{code="400"}'] == before['mandate_http_responses_total{code="400"}'] + 1
    assert 'mandate_reloads_total{result="ok"}' in after and 'mandate_reloads_total{result="failed"}' in after
    text = server.get("/metrics")
    assert text.headers["Content-Type"].startswith("text/plain")
    assert "# TYPE mandate_decision_request_duration_seconds histogram" in text.body.decode()


# ---- Mandate's own API ---------------------------------------------------------------------


def test_mandate_evaluate_matches_the_cli(server):
    for request, expected in zip(REQUESTS, EXPECTED):
        response = server.post("/mandate/v1/evaluate", request)
        assert response.status == 200, response.body
        answer = response.json()
        answer.pop("decision_id")
        assert answer == expected, request["description"]


def delegation_request(principal, action, scope, agent="support-bot", expires_in=3600):
    return {
        "principal": {"type": "User", "id": principal},
        "action": {"type": "Action", "id": action},
        "resource": {"type": "Customer", "id": "acme"},
        "context": {"hour": 11, "source_ip": "10.1.2.3"},
        "agent": {"type": "Agent", "id": agent},
        "delegation": [{
            "delegator": {"type": "User", "id": principal},
            "delegate": {"type": "Agent", "id": agent},
            "scope": [{"type": "Action", "id": s} for s in scope],
            "issued_at": rfc3339(-3600),
            "expires_at": rfc3339(expires_in),
        }],
    }


def test_agent_delegation_request(server):
    allowed = server.post("/mandate/v1/evaluate", delegation_request("alice", "read", ["reads"])).json()
    assert allowed["decision"] == "allow"
    assert allowed["decided_by"]["hop"] == 0
    out_of_scope = server.post("/mandate/v1/evaluate",
                               delegation_request("alice", "update_notes", ["reads"])).json()
    assert out_of_scope["decision"] == "deny"
    assert out_of_scope["chain"]["violation"] == "chain.out_of_scope"
    expired = server.post("/mandate/v1/evaluate",
                          delegation_request("alice", "read", ["reads"], expires_in=-60)).json()
    assert expired["chain"]["violation"] == "chain.expired"
    explained = server.post("/mandate/v1/evaluate?explain=true", delegation_request("alice", "read", ["reads"]))
    assert "explanation" in explained.json()


def test_grant_issue_use_revoke(server):
    issue = {"principal": {"type": "User", "id": "alice"}, "agent": 'Agent::"support-bot"', "task": "T-1",
             "scope": ["reads"], "resource": {"type": "Customer", "id": "acme"}, "duration": "1h"}
    response = server.post("/mandate/v1/grants", issue)
    assert response.status == 201, response.body
    grant = response.json()
    assert grant["agent"] == {"type": "Agent", "id": "support-bot"}

    sub = server.post("/mandate/v1/grants", {"parent": grant["id"], "agent": 'Agent::"summarizer"', "task": "T-1",
                                             "scope": ['Action::"read"'], "resource": 'Customer::"acme"',
                                             "duration": "30m"})
    assert sub.status == 201, sub.body

    refused = server.post("/mandate/v1/grants", dict(issue, resource={"type": "Customer", "id": "globex"}))
    assert refused.status == 403
    assert refused.json()["code"] == "grant.denied"

    ask = {"principal": {"type": "User", "id": "alice"}, "action": {"type": "Action", "id": "read"},
           "resource": {"type": "Customer", "id": "acme"}, "context": {"hour": 11, "source_ip": "10.1.2.3"},
           "grant": grant["id"]}
    assert server.post("/mandate/v1/evaluate", ask).json()["decision"] == "allow"
    assert server.post("/mandate/v1/evaluate", dict(ask, grant=sub.json()["id"])).json()["decision"] == "allow"
    state = server.get(f"/mandate/v1/grants/{grant['id']}").json()
    assert state["state"] == "active"

    revoked = server.post("/mandate/v1/grants/revoke", {"grant": grant["id"]})
    assert revoked.json() == {"revoked": 2}  # the sub-grant goes with it
    denied = server.post("/mandate/v1/evaluate", dict(ask, grant=sub.json()["id"])).json()
    assert denied["decision"] == "deny"
    assert denied["chain"]["violation"] == "grant.revoked"
    assert server.get(f"/mandate/v1/grants/{grant['id']}").json()["state"] == "revoked"
    assert server.get("/mandate/v1/grants/no-such-grant").status == 404
    assert server.post("/mandate/v1/grants/revoke", {"grant": "no-such-grant"}).status == 404

    t2 = server.post("/mandate/v1/grants", dict(issue, task="T-2")).json()
    assert server.post("/mandate/v1/evaluate", dict(ask, grant=t2["id"])).json()["decision"] == "allow"
    assert server.post("/mandate/v1/tasks/complete", {"task": "T-2"}).json() == {"revoked": 1}
    completed = server.post("/mandate/v1/evaluate", dict(ask, grant=t2["id"])).json()
    assert completed["chain"]["violation"] == "grant.task_completed"


def test_grant_bad_requests(server):
    assert server.post("/mandate/v1/grants", {"agent": "nobody"}).status == 400
    assert server.post("/mandate/v1/grants/revoke", {"task": "a", "grant": "b"}).status == 400


CONTROL_CALLS = [
    ("POST", "/mandate/v1/signals", {"type": "token-claims-change", "subject": {"type": "User", "id": "mallory"},
                                     "claims": {"attrs": {"suspended": False}}}),
    ("POST", "/mandate/v1/sessions/s-x/events", {"kind": "response", "action": {"type": "Action", "id": "approve"}}),
    ("GET", "/mandate/v1/sessions/s-x", None),
    ("POST", "/mandate/v1/grants", {"agent": 'Agent::"support-bot"', "principal": 'User::"alice"', "task": "T-9",
                                    "scope": ['Action::"read"'], "duration": "1h"}),
    ("GET", "/mandate/v1/grants/g-1", None),
    ("POST", "/mandate/v1/grants/revoke", {"task": "T-9"}),
    ("POST", "/mandate/v1/tasks/complete", {"task": "T-9"}),
]


def test_control_endpoints_need_the_operators_token(server):
    # A signal may rewrite a principal's attributes and an event may satisfy a temporal condition:
    # without the token, nobody who merely reaches the port can do either.
    for method, path, body in CONTROL_CALLS:
        for token in (None, "wrong-token", CONTROL_TOKEN + "x", CONTROL_TOKEN[:-1]):
            answer = server.request(method, path, body, token=token)
            assert answer.status == 401, (method, path, token, answer.status)
            assert answer.headers["WWW-Authenticate"].startswith("Bearer")
            assert "control token" in answer.json()["error"]
    # Mallory stays suspended: the refused signal changed nothing.
    mallory = {"principal": {"type": "User", "id": "mallory"}, "action": {"type": "Action", "id": "read"},
               "resource": {"type": "Customer", "id": "acme"}, "context": {"hour": 10, "source_ip": "10.1.2.3"},
               "session": "attack"}
    assert server.post("/mandate/v1/evaluate", mallory, token=None).json()["decision"] == "deny"
    # Deciding never needs the token.
    assert server.post("/mandate/v1/evaluate", mallory, token=None).status == 200


def test_control_endpoints_are_off_without_a_token(start_server, tmp_path):
    copy_examples(tmp_path)
    running = start_server(["--policies", str(tmp_path / "policies"), "--entities", str(tmp_path / "entities.json")])
    for method, path, body in CONTROL_CALLS:
        answer = running.request(method, path, body, token=CONTROL_TOKEN)
        assert answer.status == 403, (method, path, answer.status)
        assert "--control-token" in answer.json()["error"]
    assert running.post("/access/v1/evaluation", {
        "subject": {"type": "User", "id": "alice"}, "action": {"name": "read"},
        "resource": {"type": "Customer", "id": "acme"}, "context": {"hour": 10, "source_ip": "10.1.2.3"}},
        token=None).json()["decision"] is True


def test_chunked_bodies_are_refused_before_they_are_read(server):
    connection = __import__("http.client").client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest("POST", "/access/v1/evaluation")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        chunk = b'{"subject": {"type": "User", "id": "alice"}}'
        connection.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunk), chunk))
        response = connection.getresponse()
        assert response.status == 411
        assert "Content-Length" in json.loads(response.read())["error"]
    finally:
        connection.close()


def test_session_events_and_signals(server):
    ask = {"principal": {"type": "User", "id": "alice"}, "action": {"type": "Action", "id": "read"},
           "resource": {"type": "Customer", "id": "acme"}, "context": {"hour": 11, "source_ip": "10.1.2.3"},
           "session": "s-1"}
    assert server.post("/mandate/v1/evaluate", ask).json()["decision"] == "allow"
    event = {"kind": "response", "action": 'Action::"read"', "fields": {"output": {"status": "ok"}},
             "requestId": "r-1"}
    recorded = server.post("/mandate/v1/sessions/s-1/events", event)
    assert recorded.status == 200 and recorded.json()["event"] == "recorded"
    state = server.get("/mandate/v1/sessions/s-1").json()
    assert state["events_seen"] == 2 and not state["terminated"]
    assert server.post("/mandate/v1/sessions/s-1/events", {"kind": "response"}).status == 400
    assert server.get("/mandate/v1/sessions/never-seen").status == 404

    applied = server.post("/mandate/v1/signals", {"type": "session-revoked", "session": "s-1", "reason": "logout"})
    assert applied.status == 200 and applied.json() == {"signal": "applied"}
    after = server.post("/mandate/v1/evaluate", ask).json()
    assert after["decision"] == "deny"
    assert server.get("/mandate/v1/sessions/s-1").json()["terminated"] is True
    assert server.post("/mandate/v1/evaluate", dict(ask, session="s-2")).json()["decision"] == "allow"


def test_session_history_decides(start_server, tmp_path):
    sessions = EXAMPLES / "sessions"
    running = start_server(["--policies", str(sessions / "policies"), "--entities", str(sessions / "entities.json"),
                            "--max-window", "14d"])
    ask = {"principal": {"type": "Agent", "id": "research-bot"}, "action": {"type": "Action", "id": "search"},
           "resource": {"type": "Tool", "id": "web"}, "context": {"input": {"query": "q"}}, "session": "s-search"}
    decisions = [running.post("/mandate/v1/evaluate", ask).json() for _ in range(4)]
    assert [d["decision"] for d in decisions] == ["allow", "allow", "allow", "deny"]
    assert decisions[3]["reasons"] == ["search-rate"]
    # Another session has its own history.
    assert running.post("/mandate/v1/evaluate", dict(ask, session="s-other")).json()["decision"] == "allow"


def test_audit_trail_is_written(server):
    request, _ = find("Bob changes a customer's billing details himself")
    answer = server.post("/mandate/v1/evaluate", request).json()
    lines = (server.tmp / "audit.jsonl").read_text().splitlines()
    assert any(json.loads(line)["id"] == answer["decision_id"] for line in lines)


# ---- bad requests --------------------------------------------------------------------------


def test_malformed_json(server):
    for raw in (b"{", b"not json", b"", b"[1, 2]", b'"text"', b"[" * 100000):
        response = server.post("/access/v1/evaluation", raw=raw)
        assert response.status == 400, raw[:20]
        assert response.json()["error"]
        assert response.json()["status"] == 400


def test_missing_and_ill_typed_fields(server):
    good = authzen(find("Alice's support agent reads an internal customer record")[0])
    cases = [
        {k: v for k, v in good.items() if k != "subject"},
        {k: v for k, v in good.items() if k != "action"},
        {k: v for k, v in good.items() if k != "resource"},
        dict(good, subject={"type": "User"}),
        dict(good, subject={"type": 7, "id": "alice"}),
        dict(good, subject="User::alice"),
        dict(good, action={"id": "read"}),
        dict(good, action={"name": ""}),
        dict(good, resource={"type": "Customer", "id": 3}),
        dict(good, context=[1, 2]),
        dict(good, subject=dict(good["subject"], properties=[1])),
    ]
    for body in cases:
        response = server.post("/access/v1/evaluation", body)
        assert response.status == 400, body
        assert "decision" not in response.json()
        assert response.json()["error"]
    assert server.post("/mandate/v1/evaluate", {"principal": "nope"}).status == 400
    assert server.post("/mandate/v1/evaluate", dict(find("Bob changes")[0], grant=5)).status == 400


def test_oversized_body(server):
    good = authzen(find("Alice's support agent reads an internal customer record")[0])
    good["context"]["padding"] = "x" * (2 << 20)
    response = server.post("/access/v1/evaluation", good)
    assert response.status == 413
    assert "decision" not in response.json()
    # The connection-level rejection leaves the server healthy.
    assert server.get("/healthz").status == 200


def test_wrong_content_type(server):
    good = authzen(find("Alice's support agent reads an internal customer record")[0])
    response = server.post("/access/v1/evaluation", good, headers={"Content-Type": "text/plain"})
    assert response.status == 415
    assert response.json()["error"]


def test_unknown_path_and_method(server):
    response = server.get("/access/v2/evaluation")
    assert response.status == 404 and response.json()["error"]
    response = server.get("/access/v1/evaluation")
    assert response.status == 405
    assert response.headers["Allow"] == "POST"
    response = server.request("DELETE", "/healthz")
    assert response.status == 405
    response = server.post("/metrics", {})
    assert response.status == 405


def test_concurrent_clients_agree(server):
    pairs = list(zip(REQUESTS, EXPECTED))
    failures = []

    def client(offset):
        for i in range(30):
            request, expected = pairs[(offset + i) % len(pairs)]
            try:
                response = server.post("/access/v1/evaluation", authzen(request))
                answer = response.json()
                if response.status != 200 or answer["context"]["outcome"] != expected["decision"]:
                    failures.append((request["description"], response.status, answer))
            except Exception as error:  # noqa: BLE001 - any failure is a test failure
                failures.append((request["description"], "exception", repr(error)))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []


# ---- reloading -----------------------------------------------------------------------------

NIGHT_FREEZE = "agents.cedar"


def night_read():
    """Alice reading acme: allowed, until a policy forbidding reads is added."""
    request, _ = find("Alice's support agent reads an internal customer record")
    return authzen(request)


FORBID_READS = '@id("read-freeze")\nforbid (principal, action == Action::"read", resource);\n'
BROKEN = '@id("broken")\npermit (principal, action == , resource);\n'


def reloads(server_, result):
    return server_.metrics()[f'mandate_reloads_total{{result="{result}"}}']


def test_hot_reload_on_file_change(fresh_server):
    server = fresh_server
    assert server.post("/access/v1/evaluation", night_read()).json()["decision"] is True
    (server.tmp / "policies" / "freeze.cedar").write_text(FORBID_READS)
    assert server.wait_for(lambda: server.post("/access/v1/evaluation", night_read()).json()["decision"] is False)
    answer = server.post("/access/v1/evaluation", night_read()).json()
    assert answer["context"]["reasons"] == ["read-freeze"]
    assert reloads(server, "ok") >= 1
    assert server.get("/healthz").json()["generation"] >= 2

    # A broken policy is refused: the last good set keeps serving, the diagnostic is rendered.
    (server.tmp / "policies" / "freeze.cedar").write_text(BROKEN)
    assert server.wait_for(lambda: reloads(server, "failed") >= 1)
    assert server.post("/access/v1/evaluation", night_read()).json()["context"]["reasons"] == ["read-freeze"]
    stderr = server.stderr()
    assert "refused" in stderr
    assert "freeze.cedar:2:" in stderr and "error[" in stderr

    # Fixing it is picked up again.
    (server.tmp / "policies" / "freeze.cedar").unlink()
    assert server.wait_for(lambda: server.post("/access/v1/evaluation", night_read()).json()["decision"] is True)


def test_broken_entities_are_refused(fresh_server):
    server = fresh_server
    (server.tmp / "entities.json").write_text('[{"uid": {"type": "User"')
    assert server.wait_for(lambda: reloads(server, "failed") >= 1)
    assert server.post("/access/v1/evaluation", night_read()).json()["decision"] is True
    assert "entities.json" in server.stderr()


def test_entities_reload(fresh_server):
    server = fresh_server
    entities = json.loads((server.tmp / "entities.json").read_text())
    for entity in entities:
        if entity["uid"] == {"type": "User", "id": "alice"}:
            entity["attrs"]["suspended"] = True
    (server.tmp / "entities.json").write_text(json.dumps(entities))
    assert server.wait_for(lambda: server.post("/access/v1/evaluation", night_read()).json()["decision"] is False)
    assert server.post("/access/v1/evaluation", night_read()).json()["context"]["reasons"] == ["suspended-principal"]


def test_sighup_reload(start_server, tmp_path):
    from conftest import copy_examples, example_args

    copy_examples(tmp_path)
    args = example_args(tmp_path)
    args[args.index("--reload-interval") + 1] = "0"  # only SIGHUP reloads
    server = start_server(args)
    (tmp_path / "policies" / "freeze.cedar").write_text(FORBID_READS)
    time.sleep(0.5)
    assert server.post("/access/v1/evaluation", night_read()).json()["decision"] is True
    server.process.send_signal(signal.SIGHUP)
    assert server.wait_for(lambda: server.post("/access/v1/evaluation", night_read()).json()["decision"] is False)
    assert "SIGHUP" in server.stderr()


def test_reload_under_load_drops_nothing(fresh_server):
    server = fresh_server
    failures = []
    stop = threading.Event()

    def client():
        while not stop.is_set():
            try:
                response = server.post("/access/v1/evaluation", night_read())
                if response.status != 200:
                    failures.append(response.status)
            except Exception as error:  # noqa: BLE001
                failures.append(repr(error))

    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(5):
        (server.tmp / "policies" / "freeze.cedar").write_text(FORBID_READS if i % 2 == 0 else "// nothing\n")
        time.sleep(0.35)
    stop.set()
    for t in threads:
        t.join()
    assert failures == []
    assert reloads(server, "ok") >= 2


def test_graceful_shutdown_finishes_requests_in_flight(start_server, tmp_path):
    from conftest import copy_examples, example_args

    copy_examples(tmp_path)
    server = start_server(example_args(tmp_path))
    # A batch long enough to be in flight when the signal arrives.
    body = {"subject": {"type": "User", "id": "alice"}, "resource": {"type": "Customer", "id": "acme"},
            "context": {"hour": 10, "source_ip": "10.1.2.3"},
            "evaluations": [{"action": {"name": "read" if i % 2 else "list"}} for i in range(4000)]}
    answers = []
    client = threading.Thread(target=lambda: answers.append(server.post("/access/v1/evaluations?explain=1", body)))
    client.start()
    time.sleep(0.3)
    server.process.send_signal(signal.SIGINT)
    client.join(timeout=60)
    assert server.process.wait(timeout=30) == 0
    assert answers and answers[0].status == 200
    assert len(answers[0].json()["evaluations"]) == 4000
    assert "SIGINT: shutting down" in server.stderr()


def test_bad_startup(start_server, tmp_path):
    from conftest import copy_examples, example_args

    copy_examples(tmp_path)
    # A port already taken is an error, not a shared listener.
    other = start_server(example_args(tmp_path))
    taken = subprocess.run([mandate_binary(), "serve", "--policies", str(tmp_path / "policies"),
                            "--listen", f"127.0.0.1:{other.port}"], capture_output=True, timeout=20)
    assert taken.returncode == 2, taken
    assert b"cannot listen" in taken.stderr
    (tmp_path / "policies" / "bad.cedar").write_text(BROKEN)
    try:
        Server(tmp_path, example_args(tmp_path))
        raise AssertionError("a server with broken policies started")
    except AssertionError as error:
        assert "bad.cedar" in str(error)
