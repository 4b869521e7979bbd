// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Fail closed (issue 10, part 5): every path where the engine cannot decide normally ends in a
// deny that says why, never an allow. The policy set below allows everything it is asked about
// when nothing goes wrong, so each deny here comes from the failure path itself.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "mandate/mandate.hpp"
#include "support.hpp"

namespace {

using namespace mandate;
using mandate::test_support::compile_or_fail;
using mandate::test_support::entities_or_fail;

const char* const allow_everything = R"(
@id("open")
permit (principal, action, resource);

@id("boom-guard")
forbid (principal, action == Action::"boom", resource) when { context.limit > 10 };
)";

const char* const people = R"([
  {"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Agent", "id": "bot"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Agent", "id": "helper"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Action", "id": "read"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Action", "id": "write"}, "attrs": {}, "parents": []}
])";

constexpr std::int64_t now_ms = 1'800'000'000'000;

request read_by(const char* type, const char* id) {
  return request({type, id}, {"Action", "read"}, {"Doc", "d1"});
}

delegation_hop hop(entity_ref from, entity_ref to, std::vector<entity_ref> scope, std::int64_t issued,
                   std::int64_t expires) {
  return {std::move(from), std::move(to), std::move(scope), issued, expires, "", std::nullopt};
}

// The deny every failure path must give: no allow, and a reason a caller can show.
void check_refused(const decision& d, const std::string& expected_code) {
  CAPTURE(to_json(d));
  CHECK(d.outcome == verdict::deny);
  CHECK_FALSE(d.allowed());
  CHECK(d.chain_violation == expected_code);
  CHECK_FALSE(d.chain_message.empty());
  CHECK(d.reasons.empty());  // no policy decided it: the failure did
}

// Groups G::"0" .. G::"n-1", each below the one before, and User::"alice" in none of them.
std::string groups_and_alice(int n) {
  std::string json = "[";
  for (int g = 0; g < n; ++g) {
    json += R"({"uid": {"type": "G", "id": ")" + std::to_string(g) + R"("}, "attrs": {}, "parents": [)";
    if (g > 0) json += R"({"type": "G", "id": ")" + std::to_string(g - 1) + R"("})";
    json += "]},";
  }
  return json + R"({"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": []}])";
}

}  // namespace

TEST_CASE("fail closed: the policies allow this request when nothing goes wrong") {
  const policy_set policies = compile_or_fail(allow_everything);
  const entity_store entities = entities_or_fail(people);
  const decision d = policies.evaluate(read_by("User", "alice"), entities, {.now_ms = now_ms});
  CHECK(d.outcome == verdict::allow);
  const std::vector<entity_ref> scope{{"Action", "read"}};
  const request delegated =
      read_by("User", "alice")
          .with_delegation(entity_ref{"Agent", "bot"},
                           std::vector{hop({"User", "alice"}, {"Agent", "bot"}, scope, 0, now_ms + 1000)});
  CHECK(policies.evaluate(delegated, entities, {.now_ms = now_ms}).outcome == verdict::allow);
}

TEST_CASE("fail closed: an erroring forbid denies in Mandate mode and says so") {
  const policy_set policies = compile_or_fail(allow_everything);
  const entity_store entities = entities_or_fail(people);
  const request boom({"User", "alice"}, {"Action", "boom"}, {"Doc", "d1"});  // no context.limit
  const decision d = policies.evaluate(boom, entities);
  CHECK(d.outcome == verdict::deny);
  CHECK(d.failed_closed);
  REQUIRE(d.errors.size() == 1);
  CHECK(d.errors[0].policy == "boom-guard");
  CHECK(d.reasons == std::vector<std::string>{"boom-guard"});
  // Cedar mode skips the erroring forbid, exactly as Cedar does; the decision says which mode.
  const decision cedar = policies.evaluate(boom, entities, {.mode = eval_mode::cedar});
  CHECK(cedar.outcome == verdict::allow);
  CHECK(cedar.mode == eval_mode::cedar);
}

TEST_CASE("fail closed: every broken delegation chain is a deny with its code") {
  const policy_set policies = compile_or_fail(allow_everything);
  const entity_store entities = entities_or_fail(people);
  const entity_ref alice{"User", "alice"};
  const entity_ref bot{"Agent", "bot"};
  const entity_ref helper{"Agent", "helper"};
  const std::vector<entity_ref> read{{"Action", "read"}};
  const std::vector<entity_ref> read_write{{"Action", "read"}, {"Action", "write"}};
  const std::int64_t later = now_ms + 60'000;
  const evaluation_options options{.now_ms = now_ms, .max_delegation_depth = 2};
  const request base = read_by("User", "alice");

  struct broken {
    const char* code;
    request req;
  };
  const std::vector<broken> cases{
      {"chain.missing", base.with_delegation(bot, {})},
      {"chain.linkage", base.with_delegation(bot, std::vector{hop(helper, bot, read, 0, later)})},
      {"chain.cycle", base.with_delegation(alice, std::vector{hop(alice, bot, read, 0, later),
                                                              hop(bot, alice, read, 0, later)})},
      {"chain.depth", base.with_delegation(bot, std::vector{hop(alice, helper, read, 0, later),
                                                            hop(helper, {"Agent", "x"}, read, 0, later),
                                                            hop({"Agent", "x"}, bot, read, 0, later)})},
      {"chain.expired", base.with_delegation(bot, std::vector{hop(alice, bot, read, 0, now_ms - 1)})},
      {"chain.not_yet_valid",
       base.with_delegation(bot, std::vector{hop(alice, bot, read, now_ms + 1, later)})},
      {"chain.outlives_parent",
       base.with_delegation(
           helper, std::vector{hop(alice, bot, read, 0, later), hop(bot, helper, read, 0, later + 1)})},
      {"chain.scope_widened",
       base.with_delegation(
           helper, std::vector{hop(alice, bot, read, 0, later), hop(bot, helper, read_write, 0, later)})},
      {"chain.out_of_scope",
       base.with_delegation(bot, std::vector{hop(alice, bot, {{"Action", "write"}}, 0, later)})},
      {"chain.agent_mismatch", base.with_delegation(helper, std::vector{hop(alice, bot, read, 0, later)})},
  };
  for (const broken& c : cases) {
    CAPTURE(c.code);
    check_refused(policies.evaluate(c.req, entities, options), c.code);
    // The traced path refuses the same way.
    decision traced;
    decision_trace trace;
    policies.evaluate(c.req, entities, traced, trace, options);
    check_refused(traced, c.code);
  }
}

TEST_CASE("fail closed: a grant that cannot be presented is a deny with its code") {
  const policy_set policies = compile_or_fail(allow_everything);
  const entity_store entities = entities_or_fail(people);
  std::int64_t clock = now_ms;
  grant_authority authority(std::make_shared<in_memory_grant_store>(), [&clock] { return clock; });
  const grant_request asked{{"User", "alice"}, {"Agent", "bot"}, "T-1", {{"Action", "read"}},
                            {"Doc", "d1"},     60'000,           ""};
  auto issue = [&](const std::string& task) {
    grant_request a = asked;
    a.task = task;
    auto g = authority.issue(a, policies, entities);
    REQUIRE(g.has_value());
    return g->id;
  };
  const request req = read_by("User", "alice");
  const evaluation_options at_now{};

  check_refused(authority.evaluate(req, "no-such-grant", policies, entities, at_now), "grant.unknown");

  const std::string revoked = issue("T-revoked");
  CHECK(authority.evaluate(req, revoked, policies, entities, at_now).outcome == verdict::allow);
  CHECK(authority.revoke_grant(revoked) == 1);
  check_refused(authority.evaluate(req, revoked, policies, entities, at_now), "grant.revoked");

  const std::string completed = issue("T-done");
  CHECK(authority.complete_task("T-done") == 1);
  check_refused(authority.evaluate(req, completed, policies, entities, at_now), "grant.task_completed");

  const std::string expiring = issue("T-expiring");
  clock += 60'001;
  check_refused(authority.evaluate(req, expiring, policies, entities, at_now), "grant.expired");
}

TEST_CASE("fail closed: a terminated session denies every later request without evaluating") {
  const policy_set policies = compile_or_fail(allow_everything);
  const entity_store entities = entities_or_fail(people);
  session_manager sessions;
  const request req = read_by("User", "alice");
  CHECK(sessions.evaluate(policies, entities, req, "s-1").outcome == verdict::allow);
  session_signal revoked;
  revoked.type = "session-revoked";
  revoked.session_id = "s-1";
  revoked.reason = "logout";
  REQUIRE(sessions.signal(revoked).has_value());
  for (int i = 0; i < 3; ++i) {
    const decision d = sessions.evaluate(policies, entities, req, "s-1");
    CAPTURE(to_json(d));
    CHECK(d.outcome == verdict::deny);
    CHECK(d.response == session_response::terminate);
    CHECK(d.reasons.empty());
  }
  CHECK(sessions.state("s-1").terminated);
  // Another session is not affected.
  CHECK(sessions.evaluate(policies, entities, req, "s-2").outcome == verdict::allow);
}

TEST_CASE(
    "fail closed: claims that take the hierarchy past its limits deny instead of deciding on half of it") {
  // Groups G::"0" .. G::"255" in a chain, 255 levels deep: within the limit of 256.
  const std::string json = groups_and_alice(256);
  const entity_store entities = entities_or_fail(json);
  // The forbid applies only through the hierarchy: an incomplete closure would miss it.
  const policy_set policies = compile_or_fail(R"(
    @id("open") permit (principal, action, resource);
    @id("outsiders") forbid (principal in G::"0", action, resource);
  )");
  session_manager sessions;
  const request req = read_by("User", "alice");
  REQUIRE(sessions.evaluate(policies, entities, req, "s").outcome == verdict::allow);

  // Alice joins G::"255", 256 levels down: still fine, and the forbid now applies.
  session_signal joined{.type = "token-claims-change", .subject = entity_ref{"User", "alice"}};
  joined.claims_json = R"({"parents": [{"type": "G", "id": "255"}]})";
  REQUIRE(sessions.signal(joined).has_value());
  const decision forbidden = sessions.evaluate(policies, entities, req, "s");
  CHECK(forbidden.outcome == verdict::deny);
  CHECK(forbidden.reasons == std::vector<std::string>{"outsiders"});

  // G::"0" is then put below a new group, H::"top": alice would be 257 levels down, past the
  // limit. The decision must not be made on a hierarchy that could not be closed.
  session_signal top{.type = "token-claims-change", .subject = entity_ref{"H", "top"}};
  top.claims_json = R"({"attrs": {}})";
  REQUIRE(sessions.signal(top).has_value());
  session_signal lowered{.type = "token-claims-change", .subject = entity_ref{"G", "0"}};
  lowered.claims_json = R"({"parents": [{"type": "H", "id": "top"}]})";
  REQUIRE(sessions.signal(lowered).has_value());
  // Twice: the second decision reads the failure kept for these claims and this store.
  for (int i = 0; i < 2; ++i) {
    const decision d = sessions.evaluate(policies, entities, req, "s");
    CAPTURE(to_json(d));
    CHECK(d.outcome == verdict::deny);
    CHECK(d.failed_closed);
    CHECK(d.reasons.empty());
    REQUIRE_FALSE(d.errors.empty());
    CHECK(d.errors[0].message.find("token-claims-change") != std::string::npos);
  }
}

TEST_CASE("fail closed: claims patch a store under the limits it was loaded with") {
  // 300 levels: past the default, within the limits this store was loaded with.
  const std::string json = groups_and_alice(300);
  CHECK_FALSE(entity_store::from_json(json).has_value());
  auto loaded = entity_store::from_json(json, "deep.json", entity_limits{.max_hierarchy_depth = 400});
  REQUIRE(loaded.has_value());
  const policy_set policies = compile_or_fail(R"(
    @id("open") permit (principal, action, resource);
    @id("outsiders") forbid (principal in G::"0", action, resource);
  )");
  session_manager sessions;
  session_signal joined{.type = "token-claims-change", .subject = entity_ref{"User", "alice"}};
  joined.claims_json = R"({"parents": [{"type": "G", "id": "299"}]})";
  REQUIRE(sessions.signal(joined).has_value());
  // Two decisions: the second reads the patched store from the cache.
  for (int i = 0; i < 2; ++i) {
    const decision d = sessions.evaluate(policies, *loaded, read_by("User", "alice"), "s");
    CAPTURE(to_json(d));
    CHECK(d.outcome == verdict::deny);
    CHECK_FALSE(d.failed_closed);
    CHECK(d.reasons == std::vector<std::string>{"outsiders"});
  }
}

TEST_CASE("fail closed: input that cannot be read never reaches a decision") {
  // A malformed request, entity file or policy text is an error value, not a decision: there
  // is nothing a caller could mistake for an allow.
  CHECK_FALSE(request::from_json(R"({"principal": 5})").has_value());
  CHECK_FALSE(request::from_json(R"({"principal": {"type": "User", "id": "a"}, "action": )").has_value());
  CHECK_FALSE(entity_store::from_json(R"([{"uid": {"type": "User"}}])").has_value());
  CHECK_FALSE(policy_set::compile("permit (principal, action, resource) when { 1 + };").has_value());
  // Depths that could exhaust the stack are refused when compiling, whatever limits the caller
  // asked for (they are lowered to the safe maxima), never cut short by a crash.
  std::string nested = "permit (principal, action, resource) when { ";
  for (int i = 0; i < 3000; ++i) nested += "true && (";
  nested += "true";
  for (int i = 0; i < 3000; ++i) nested += ")";
  nested += " };";
  const auto too_nested = policy_set::compile(nested, "deep.cedar", {.max_nesting_depth = 100000});
  REQUIRE_FALSE(too_nested.has_value());
  CHECK(too_nested.error().front().code == "nesting");
  std::string flat = "permit (principal, action, resource) when { true";
  for (int i = 0; i < 100000; ++i) flat += " && true";
  flat += " };";
  const auto too_long =
      policy_set::compile(flat, "flat.cedar", {.max_nesting_depth = 100000, .max_expression_depth = 1000000});
  REQUIRE_FALSE(too_long.has_value());
  CHECK(too_long.error().front().code == "nesting");
}
