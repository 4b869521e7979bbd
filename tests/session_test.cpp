// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Sessions through the public API: the scenarios of continuous authorization (LANGUAGE.md 2.5),
// each with a clock the test moves.
#include "mandate/session.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "mandate/mandate.hpp"
#include "support.hpp"

namespace {

using namespace mandate;

using test_support::call;
using test_support::compile_or_fail;
using test_support::entities_or_fail;
using test_support::fake_clock;

const char* const user_entities = R"([
  {"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": [{"type": "Team", "id": "support"}]},
  {"uid": {"type": "Team", "id": "support"}, "attrs": {}, "parents": []}
])";

}  // namespace

TEST_CASE("session: a tool may run three times a minute, then the forbid applies") {
  fake_clock clock;
  session_manager sessions({.clock = clock.fn()});
  const auto policies = compile_or_fail(R"(
    permit (principal, action, resource);
    @id("search-rate")
    forbid (principal, action == Action::"search", resource)
    when temporal { count_within(1m, Action::"search"::request{ callerPrincipal: principal }) > 3 };
  )");
  const auto entities = entities_or_fail(user_entities);
  for (int i = 0; i < 3; ++i) {
    CHECK(sessions.evaluate(policies, entities, call("search"), "s1").outcome == verdict::allow);
    clock.now += 1000;
  }
  const decision fourth = sessions.evaluate(policies, entities, call("search"), "s1");
  CHECK(fourth.outcome == verdict::deny);
  CHECK(fourth.reasons == std::vector<std::string>{"search-rate"});
  // Another session's history is its own.
  CHECK(sessions.evaluate(policies, entities, call("search"), "s2").outcome == verdict::allow);
  // Once the minute has passed, the window is empty again.
  clock.now += 61'000;
  CHECK(sessions.evaluate(policies, entities, call("search"), "s1").outcome == verdict::allow);
}

TEST_CASE("session: a running total must stay under a limit") {
  fake_clock clock;
  session_manager sessions({.clock = clock.fn()});
  const auto policies = compile_or_fail(R"(
    permit (principal, action, resource);
    forbid (principal, action == Action::"pay", resource)
    when temporal { sum_within(a, 1h, Action::"pay"::request{ input.amount: a }) > 100 };
  )");
  const auto entities = entities_or_fail(user_entities);
  CHECK(sessions.evaluate(policies, entities, call("pay", R"({"amount": 60})"), "s").outcome ==
        verdict::allow);
  clock.now += 1000;
  CHECK(sessions.evaluate(policies, entities, call("pay", R"({"amount": 30})"), "s").outcome ==
        verdict::allow);
  clock.now += 1000;
  CHECK(sessions.evaluate(policies, entities, call("pay", R"({"amount": 20})"), "s").outcome ==
        verdict::deny);
}

TEST_CASE("session: an approval must come before a payment, and only to an account a lookup returned") {
  fake_clock clock;
  session_manager sessions({.clock = clock.fn()});
  const auto policies = compile_or_fail(R"(
    permit (principal, action in [Action::"approve", Action::"lookup"], resource);
    permit (principal, action == Action::"pay", resource)
    when temporal { formerly within 1h Action::"approve"::request{ input.payment: context.input.payment } }
    when temporal { formerly within 1h Action::"lookup"::response{ output.account: context.input.account } };
  )");
  const auto entities = entities_or_fail(user_entities);
  const auto pay = call("pay", R"({"payment": "p1", "account": "acct-9"})");
  CHECK(sessions.evaluate(policies, entities, pay, "s").outcome == verdict::deny);
  CHECK(sessions.evaluate(policies, entities, call("approve", R"({"payment": "p1"})"), "s").outcome ==
        verdict::allow);
  CHECK(sessions.evaluate(policies, entities, pay, "s").outcome == verdict::deny);  // no lookup yet
  CHECK(sessions.evaluate(policies, entities, call("lookup", R"({"name": "bob"})"), "s").outcome ==
        verdict::allow);
  session_event looked_up;
  looked_up.action = {"Action", "lookup"};
  looked_up.fields_json = R"({"input": {"name": "bob"}, "output": {"account": "acct-7"}})";
  REQUIRE(sessions.record("s", looked_up));
  CHECK(sessions.evaluate(policies, entities, pay, "s").outcome == verdict::deny);  // another account
  looked_up.fields_json = R"({"input": {"name": "carol"}, "output": {"account": "acct-9"}})";
  REQUIRE(sessions.record("s", looked_up));
  CHECK(sessions.evaluate(policies, entities, pay, "s").outcome == verdict::allow);
}

TEST_CASE("session: first use of a tool in 14 days needs approval") {
  fake_clock clock;
  session_manager sessions({.clock = clock.fn()});
  compile_options options;
  options.max_temporal_window_ms = 14LL * 24 * 3600 * 1000;
  // The current request is itself an event: "used before" means at least two exports.
  const auto policies = compile_or_fail(R"(
    permit (principal, action, resource);
    require_approval (principal, action == Action::"export", resource)
    unless temporal { count_within(14d, Action::"export"::request{ callerPrincipal: principal }) > 1 };
  )",
                                        options);
  const auto entities = entities_or_fail(user_entities);
  CHECK(sessions.evaluate(policies, entities, call("export"), "s").outcome == verdict::require_approval);
  clock.now += 24LL * 3600 * 1000;
  CHECK(sessions.evaluate(policies, entities, call("export"), "s").outcome == verdict::allow);
  clock.now += 15LL * 24 * 3600 * 1000;
  CHECK(sessions.evaluate(policies, entities, call("export"), "s").outcome == verdict::require_approval);
  // Above the window cap it does not compile.
  CHECK(!policy_set::compile(R"(permit (principal, action, resource)
    when temporal { formerly within 14d Action::"export"::request{} };)"));
}

TEST_CASE("session: a burst is throttled, then the session is terminated") {
  fake_clock clock;
  session_manager sessions({.clock = clock.fn()});
  const auto policies = compile_or_fail(R"(
    permit (principal, action, resource);
    @response("throttle") @retry_after("30s")
    forbid (principal, action, resource)
    when temporal { count_within(10s, Action::"search"::request{}) > 2 };
    @response("terminate")
    forbid (principal, action, resource)
    when temporal { count_within(10s, Action::"search"::request{}) > 4 };
  )");
  const auto entities = entities_or_fail(user_entities);
  CHECK(sessions.evaluate(policies, entities, call("search"), "s").outcome == verdict::allow);
  CHECK(sessions.evaluate(policies, entities, call("search"), "s").outcome == verdict::allow);
  decision third = sessions.evaluate(policies, entities, call("search"), "s");
  CHECK(third.outcome == verdict::deny);
  CHECK(third.response == session_response::throttle);
  CHECK(third.retry_after_ms == 30'000);
  CHECK(to_json(third).find("\"retry_after_ms\":30000") != std::string::npos);
  (void)sessions.evaluate(policies, entities, call("search"), "s");
  decision fifth = sessions.evaluate(policies, entities, call("search"), "s");
  CHECK(fifth.response == session_response::terminate);
  CHECK(sessions.state("s").terminated);
  // Terminated: every later request is denied without evaluating, even after the window.
  clock.now += 3'600'000;
  decision later = sessions.evaluate(policies, entities, call("read"), "s");
  CHECK(later.outcome == verdict::deny);
  CHECK(later.response == session_response::terminate);
  CHECK(later.reasons.empty());
}

TEST_CASE("session: CAEP signals") {
  fake_clock clock;
  session_manager sessions({.clock = clock.fn()});
  const auto policies = compile_or_fail(R"(
    permit (principal in Team::"support", action, resource);
    require_approval (principal, action, resource)
    when { context.session has risk_level && context.session.risk_level == "high" };
  )");
  const auto entities = entities_or_fail(user_entities);
  CHECK(sessions.evaluate(policies, entities, call("read"), "s").outcome == verdict::allow);

  SUBCASE("risk-level-change turns allows into require_approval") {
    REQUIRE(sessions.signal({.type = "risk-level-change", .session_id = "s", .level = "high"}));
    CHECK(sessions.evaluate(policies, entities, call("read"), "s").outcome == verdict::require_approval);
    CHECK(sessions.state("s").risk_level == "high");
  }
  SUBCASE("token-claims-change removes the principal from a group: the next request is denied") {
    REQUIRE(sessions.signal({.type = "token-claims-change",
                             .subject = entity_ref{"User", "alice"},
                             .claims_json = R"({"parents": []})"}));
    CHECK(sessions.evaluate(policies, entities, call("read"), "s").outcome == verdict::deny);
    // Also in a session that had not seen alice yet.
    CHECK(sessions.evaluate(policies, entities, call("read"), "other").outcome == verdict::deny);
  }
  SUBCASE("session-revoked terminates the session") {
    REQUIRE(sessions.signal({.type = "session-revoked", .session_id = "s", .reason = "user logged out"}));
    const decision d = sessions.evaluate(policies, entities, call("read"), "s");
    CHECK(d.outcome == verdict::deny);
    CHECK(d.errors.at(0).message.find("user logged out") != std::string::npos);
  }
  SUBCASE("bad signals are errors") {
    CHECK(!sessions.signal({.type = "made-up", .session_id = "s"}));
    CHECK(!sessions.signal({.type = "risk-level-change"}));
    CHECK(!sessions.signal(
        {.type = "token-claims-change", .subject = entity_ref{"User", "alice"}, .claims_json = "{"}));
  }
}

TEST_CASE("session: history survives a restart through the file log") {
  const auto dir = std::filesystem::temp_directory_path() / ("mandate-session-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string log = (dir / "events.jsonl").string();
  std::filesystem::remove(log);
  fake_clock clock;
  const auto policies = compile_or_fail(R"(
    permit (principal, action, resource);
    forbid (principal, action == Action::"search", resource)
    when temporal { count_within(1h, Action::"search"::request{}) > 2 };
  )");
  const auto entities = entities_or_fail(user_entities);
  {
    auto sessions = session_manager::open({.clock = clock.fn(), .log_path = log});
    REQUIRE(sessions);
    CHECK((*sessions)->evaluate(policies, entities, call("search"), "s").outcome == verdict::allow);
    CHECK((*sessions)->evaluate(policies, entities, call("search"), "s").outcome == verdict::allow);
  }
  // A torn last line, as a crash mid-write leaves it, is ignored.
  { std::ofstream(log, std::ios::app) << R"({"session": "s", "time_ms": 1)"; }
  auto reopened = session_manager::open({.clock = clock.fn(), .log_path = log});
  REQUIRE(reopened);
  CHECK((*reopened)->state("s").events_seen == 2);
  CHECK((*reopened)->evaluate(policies, entities, call("search"), "s").outcome == verdict::deny);
  std::filesystem::remove_all(dir);
}

TEST_CASE("session: different sessions decide in parallel") {
  fake_clock clock;
  session_manager sessions({.clock = clock.fn()});
  const auto policies = compile_or_fail(R"(
    permit (principal, action, resource);
    forbid (principal, action, resource)
    when temporal { count_within(1h, Action::"search"::request{}) > 50 };
  )");
  const auto entities = entities_or_fail(user_entities);
  std::vector<std::thread> threads;
  std::atomic<int> allowed{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 60; ++i)
        if (sessions.evaluate(policies, entities, call("search"), "s" + std::to_string(t)).allowed())
          ++allowed;
    });
  for (auto& th : threads) th.join();
  CHECK(allowed == 4 * 50);
}

TEST_CASE("session: outside a session a temporal condition sees only the request itself") {
  const auto policies = compile_or_fail(R"(
    permit (principal, action == Action::"search", resource)
    when temporal { count_within(1h, Action::"search"::request{}) == 1 };
  )");
  const auto entities = entities_or_fail(user_entities);
  CHECK(policies.evaluate(call("search"), entities).outcome == verdict::allow);
  CHECK(policies.evaluate(call("search"), entities).outcome == verdict::allow);
}
