"""The copilot server over real HTTP on loopback, with real Coq checking every answer."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import httpx
import pytest

from prover.copilot.coqfile import CursorError, proof_at_cursor

HEADER = "Require Import Arith Lia.\n\n"
STATEMENT = "Theorem add_zero : forall m : nat, m + 0 = m.\nProof.\n"
FILE = HEADER + STATEMENT + "  intros m.\n"


def post(live, route: str, body: dict, **kw) -> httpx.Response:
    return httpx.post(live.url + route, json=body, timeout=kw.pop("timeout", 120), **kw)


def test_cursor_splits_header_statement_and_proof_so_far():
    p = proof_at_cursor(FILE + "  simpl")  # an unfinished sentence is ignored
    assert p.header == HEADER and p.name == "add_zero"
    assert [s.text for s in p.tactics] == ["intros m."]
    assert p.position(p.tactics[0].start) == (5, 3)
    with pytest.raises(CursorError, match="not inside a proof"):
        proof_at_cursor(FILE + "  lia.\nQed.\n")


def test_suggestions_are_checked_in_coq_best_first(live):
    r = post(live, "/suggest", {"text": FILE, "k": 4, "sources": ["model"]})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["ok"] and answer["goals"] == ["m : nat\n============================\nm + 0 = m"]
    tactics = [s["tactic"] for s in answer["suggestions"]]
    # Closing first, then progress; `reflexivity.` (fails) and `simpl.` (no progress) dropped.
    assert tactics == ["lia.", "rewrite Nat.add_0_r."]
    lia, rewrite = answer["suggestions"]
    assert lia["status"] == "proof complete" and lia["goals"] == []
    assert rewrite["status"] == "open" and rewrite["goals"][0].endswith("m = m")


def test_failed_suggestions_only_on_request(live):
    text = HEADER + STATEMENT
    model_only = {"text": text, "k": 2, "sources": ["model"]}
    plain = post(live, "/suggest", model_only).json()
    assert [s["tactic"] for s in plain["suggestions"]] == ["intros m."]
    full = post(live, "/suggest", {**model_only, "include_failed": True}).json()
    failed = [s for s in full["suggestions"] if s["status"] == "failed"]
    assert [s["tactic"] for s in failed] == ["bogus_tactic."]
    assert "bogus_tactic" in failed[0]["error"]
    again = post(live, "/suggest", {"text": FILE, "include_failed": True}).json()
    assert {s["tactic"]: s["status"] for s in again["suggestions"]}["simpl."] == "failed"


def test_a_file_that_stops_checking_gives_coqs_error_and_position(live):
    bad_tactic = post(live, "/suggest", {"text": FILE + "  apply nonexistent_lemma.\n"}).json()
    assert not bad_tactic["ok"]
    assert bad_tactic["error"]["line"] == 6 and bad_tactic["error"]["col"] == 3
    assert "nonexistent_lemma" in bad_tactic["error"]["message"]
    bad_header = post(live, "/suggest", {"text": "Require Import Arith.\nFoo bar.\n" + STATEMENT})
    err = bad_header.json()["error"]
    assert (err["line"], err["col"]) == (2, 1) and "Error" in err["message"]
    outside = post(live, "/suggest", {"text": HEADER}).json()
    assert not outside["ok"] and "not inside a proof" in outside["error"]["message"]


def test_warm_session_reuses_the_header_and_states(live):
    session = live.copilot.sessions.get(HEADER)
    before = session.hits
    post(live, "/suggest", {"text": FILE, "k": 1})
    assert session.hits > before  # `intros m.` was not re-run


def test_prove_fills_the_admit_with_a_proof_coqc_accepts(live):
    r = post(
        live,
        "/prove",
        {"text": FILE, "rest": "  admit.\nAdmitted.\n", "method": "portfolio", "budget": 60},
    )
    answer = r.json()
    assert answer["status"] == "proved", answer
    # the default portfolio's first closer (`intros` is a no-op on this goal)
    assert answer["whole_checked"] is True and answer["proof"].strip() == "intros; lia."
    # With another admit after the hole, only coqtop's word on this goal is possible.
    text = HEADER + "Theorem two : 1 = 1 /\\ 2 = 2.\nProof.\n  split.\n  - "
    rest = "admit.\n  - admit.\nAdmitted.\n"
    body = {"text": text, "rest": rest, "method": "portfolio", "budget": 60}
    answer = post(live, "/prove", body).json()
    assert answer["status"] == "proved" and answer["whole_checked"] is False, answer
    assert "not re-checked" in answer["note"]


def test_prove_reports_the_reason_when_nothing_closes_the_goal(live):
    text = HEADER + "Theorem hard : forall m : nat, m * m <> 2.\nProof.\n"
    answer = post(
        live, "/prove", {"text": text, "method": "portfolio", "budget": 20, "portfolio": False}
    ).json()
    assert answer["status"] == "failed" and "portfolio" in answer["reason"]


def test_concurrent_requests_share_one_model_call(live, scripted):
    calls = live.copilot.generator.stats.calls
    answers: list[httpx.Response] = []
    threads = [
        threading.Thread(target=lambda: answers.append(post(live, "/suggest", {"text": FILE})))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(a.status_code == 200 and a.json()["suggestions"] for a in answers)
    assert live.copilot.generator.stats.max_batch >= 2
    assert live.copilot.generator.stats.calls - calls < 3


def test_a_request_past_its_timeout_is_cancelled_and_others_are_served(live):
    # A header that takes 3 s to load, asked with a 1 s timeout.
    slow_header = "Goal True.\nFail Timeout 3 repeat (assert True by auto).\nAbort.\n"
    slow = slow_header + "Theorem slow : True.\nProof.\n"
    t0 = time.monotonic()
    r = post(live, "/suggest", {"text": slow, "timeout": 1.0})
    assert r.status_code == 504 and time.monotonic() - t0 < 10
    ok = post(live, "/suggest", {"text": FILE, "k": 1})
    assert ok.status_code == 200 and ok.json()["ok"]


def test_a_client_that_goes_away_cancels_its_request(live):
    slow_header = "Goal True.\nFail Timeout 3 repeat (assert True by auto).\nAbort.\n(* gone *)\n"
    text = slow_header + "Theorem gone : True.\nProof.\n"
    with pytest.raises(httpx.TimeoutException):
        post(live, "/suggest", {"text": text, "timeout": 30}, timeout=0.5)
    t0 = time.monotonic()
    while live.copilot.stats.get("client_gone", 0) < 1 and time.monotonic() - t0 < 10:
        time.sleep(0.1)
    assert live.copilot.stats.get("client_gone") == 1
    requests = httpx.get(live.url + "/health", timeout=10).json()["requests"]
    assert requests["client_gone"] == 1


def test_bad_requests_are_refused_with_a_reason(live):
    # Malformed fields are refused by the protocol's models (422, the field named).
    assert post(live, "/suggest", {"text": FILE, "k": 0}).status_code == 422
    assert post(live, "/suggest", {"system": "isabelle", "text": FILE}).status_code == 422
    assert post(live, "/prove", {"text": FILE, "budget": "soon"}).status_code == 422
    assert post(live, "/prove", {"text": FILE, "method": "magic"}).status_code == 422
    r = httpx.post(live.url + "/suggest", content=b"{not json", timeout=10)
    assert r.status_code == 400 and "JSON" in r.json()["error"]["message"]
    health = httpx.get(live.url + "/health", timeout=10).json()
    assert health["status"] == "ok" and health["model"] == "scripted"


def test_token_is_required_when_set(scripted):
    from tests.copilot.conftest import LiveServer

    server = LiveServer(scripted, token="s3cret", sessions=1)
    try:
        assert httpx.get(server.url + "/v1/models", timeout=10).status_code == 401
        ok = httpx.get(
            server.url + "/v1/models", headers={"Authorization": "Bearer s3cret"}, timeout=10
        )
        assert ok.status_code == 200 and ok.json()["data"][0]["id"] == "scripted"
        assert httpx.get(server.url + "/health", timeout=10).status_code == 200
    finally:
        server.close()


def test_serve_refuses_a_public_address_without_a_token():
    r = subprocess.run(
        [sys.executable, "-m", "prover", "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**__import__("os").environ, "PROVER_TOKEN": ""},
    )
    assert r.returncode == 2 and "without a token" in r.stderr


def test_sessions_are_a_small_lru_of_warm_coqtops():
    from prover.assistants.coq import create_env
    from prover.copilot.session import Deadline, SessionPool

    pool = SessionPool(lambda: create_env(portfolio=False), size=1)
    try:
        first = pool.get(HEADER)
        first.state_at(proof_at_cursor(FILE), Deadline(60))
        assert first.env._top.alive
        pool.get("Require Import ZArith.\n")
        assert len(pool) == 1 and not first.env._top.alive  # evicted and closed
    finally:
        pool.close()


def test_suggest_ranks_every_candidate_source_and_a_request_can_pick_them(live, scripted):
    """Default: the quick automation, the templates and the model, merged (each tactic once)
    and each checked in Coq; `sources` picks some (the model is then not asked at all)."""
    answer = post(live, "/suggest", {"text": FILE, "k": 4}).json()
    suggestions = answer["suggestions"]
    assert suggestions[0]["tactic"] == "lia." and suggestions[0]["status"] == "proof complete"
    assert suggestions[0]["source"] == "model"  # the model proposed lia. too: it is its
    sources = {s["source"] for s in suggestions}
    assert {"model", "automation", "template"} <= sources, suggestions
    assert len({s["tactic"] for s in suggestions}) == len(suggestions)
    assert all(s["status"] in ("proof complete", "open") for s in suggestions)
    asked = len(scripted.prompts)
    only = post(live, "/suggest", {"text": FILE, "sources": ["template"]}).json()
    assert only["suggestions"] and {s["source"] for s in only["suggestions"]} == {"template"}
    assert "induction m." in [s["tactic"] for s in only["suggestions"]]
    assert len(scripted.prompts) == asked  # no model call
    for bad in ([], ["oracle"], "model"):
        r = post(live, "/suggest", {"text": FILE, "sources": bad})
        assert r.status_code == 422 and "sources" in r.json()["error"]["message"]


def test_a_knn_predictor_joins_the_suggestions(live):
    """`Copilot.knn` (build_copilot's `knn`: a `Retriever.tactics` once a corpus is loaded)."""
    live.copilot.knn = lambda goal, k: [("rewrite <- plus_n_O.", -0.3), ("no_such_tactic.", -0.1)]
    try:
        answer = post(live, "/suggest", {"text": FILE, "sources": ["knn"]}).json()
    finally:
        live.copilot.knn = None
    assert [(s["tactic"], s["source"]) for s in answer["suggestions"]] == [
        ("rewrite <- plus_n_O.", "knn")
    ]


def test_a_malformed_request_gets_422_naming_the_field(live):
    """The protocol's models refuse a request before any work; the clients read
    `error.message`, FastAPI's `detail` lists the same fields."""
    cases = [
        ("/prove", {"text": FILE, "seconds": -1}, "seconds"),
        ("/prove", {"rest": "admit.\nAdmitted.\n"}, "text"),  # missing
        ("/suggest", {"text": FILE, "k": "8"}, "k"),  # strict: a string is not a count
        ("/suggest", {"text": FILE, "timeout": 0}, "timeout"),
        ("/suggest", {"system": "coq"}, "'text'"),  # Coq needs the file's text
        ("/suggest", {"system": "lean", "goal": "  "}, "'goal'"),
    ]
    requests_before = dict(live.copilot.stats)
    for route, body, field in cases:
        r = post(live, route, body)
        assert r.status_code == 422, (body, r.text)
        answer = r.json()
        assert answer["ok"] is False and field in answer["error"]["message"], answer
        assert answer["detail"]
    named = post(live, "/prove", {"text": FILE, "seconds": -1}).json()["detail"]
    assert named[0]["loc"][-1] == "seconds"
    assert dict(live.copilot.stats) == requests_before  # refused before any work


def test_budget_is_still_accepted_for_seconds(live):
    text = HEADER + "Theorem hard2 : forall m : nat, m * m <> 3.\nProof.\n"
    for name in ("budget", "seconds"):
        body = {"text": text, "method": "portfolio", name: 1, "portfolio": False}
        r = post(live, "/prove", body)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "failed"
    bad = post(live, "/prove", {"text": text, "budget": -5})
    assert bad.status_code == 422 and "budget" in bad.json()["error"]["message"]


def test_openapi_lists_the_request_and_answer_models(live):
    schema = httpx.get(live.url + "/openapi.json", timeout=10).json()
    models = schema["components"]["schemas"]
    assert {"SuggestRequest", "SuggestAnswer", "Suggestion", "ProveRequest", "ProveAnswer"} <= set(
        models
    )
    suggest = schema["paths"]["/suggest"]["post"]
    body = suggest["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/SuggestRequest")
    answer = suggest["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["$ref"].endswith("/SuggestAnswer")
    prove = models["ProveRequest"]["properties"]
    assert "seconds" in prove and prove["seconds"]["exclusiveMinimum"] == 0
    assert models["ProveRequest"]["required"] == ["text"]
    assert set(models["SuggestRequest"]["properties"]) >= {
        "system",
        "text",
        "goal",
        "k",
        "sources",
        "include_failed",
        "max_tokens",
        "timeout",
    }
    health = schema["paths"]["/health"]["get"]["responses"]["200"]["content"]
    assert health["application/json"]["schema"]["$ref"].endswith("/HealthAnswer")


def test_answers_on_the_wire_leave_out_fields_that_do_not_apply(live):
    """The clients test for a key's presence: a failed suggestion has `error` and no
    `goals`, an accepted one `goals` and no `error`; an answer carries no nulls."""
    answer = post(live, "/suggest", {"text": FILE, "include_failed": True, "sources": ["model"]})
    suggestions = answer.json()["suggestions"]
    failed = next(s for s in suggestions if s["status"] == "failed")
    assert set(failed) == {"tactic", "logprob", "source", "status", "error"}
    done = next(s for s in suggestions if s["status"] == "proof complete")
    assert set(done) == {"tactic", "logprob", "source", "status", "goals"}
    assert set(answer.json()) == {"ok", "goals", "suggestions"}
    outside = post(live, "/suggest", {"text": HEADER}).json()
    assert set(outside) == {"ok", "error"} and set(outside["error"]) == {"message", "line", "col"}


def test_the_emacs_package_sends_seconds_and_keeps_the_old_variable():
    from prover.copilot import EMACS_PACKAGE

    source = EMACS_PACKAGE.read_text()
    assert "(seconds . ,seconds)" in source and "(budget ." not in source
    # a user's (setq prover-copilot-prove-budget N) still sets the seconds sent
    assert "'prover-copilot-prove-budget 'prover-copilot-prove-seconds" in source
