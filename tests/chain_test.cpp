// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Delegation chains (LANGUAGE.md 2.3): authority is the intersection of every identity in the
// chain and every hop's scope; a broken chain is a deny with its own code before any policy runs.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "mandate/mandate.hpp"

namespace {

using mandate::decision;
using mandate::delegation_hop;
using mandate::entity_ref;
using mandate::evaluator;
using mandate::request;
using mandate::verdict;

constexpr std::int64_t t0 = 1'800'000'000'000;  // a fixed "now" in milliseconds
constexpr std::int64_t hour = 3'600'000;

const char* policies_text = R"cedar(
@id("support-read") permit (principal in Group::"support", action in Action::"read_group", resource);
@id("agent-ceiling") permit (principal is Agent, action == Action::"read", resource)
  when { principal.approved };
@id("agent-writes") permit (principal is Agent, action == Action::"write", resource);
@id("support-write") permit (principal in Group::"support", action == Action::"write", resource);
@id("writes-need-approval") @approvers("leads")
require_approval (principal is Agent, action == Action::"write", resource);
)cedar";

std::string entities_json(bool alice_in_support) {
  return std::string(R"([
    {"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": [)") +
         (alice_in_support ? R"({"type": "Group", "id": "support"})" : "") + R"(]},
    {"uid": {"type": "Agent", "id": "bot"}, "attrs": {"approved": true}, "parents": []},
    {"uid": {"type": "Agent", "id": "sub"}, "attrs": {"approved": true}, "parents": []},
    {"uid": {"type": "Agent", "id": "rogue"}, "attrs": {"approved": false}, "parents": []},
    {"uid": {"type": "Action", "id": "read"}, "attrs": {}, "parents": [{"type": "Action", "id": "read_group"}]},
    {"uid": {"type": "Action", "id": "list"}, "attrs": {}, "parents": [{"type": "Action", "id": "read_group"}]},
    {"uid": {"type": "Action", "id": "write"}, "attrs": {}, "parents": []}
  ])";
}

struct world {
  mandate::policy_set policies;
  mandate::entity_store entities;
};

world make_world(bool alice_in_support = true) {
  auto p = mandate::policy_set::compile(policies_text, "chain.cedar");
  REQUIRE_MESSAGE(p.has_value(), mandate::render(p.error()));
  auto e = mandate::entity_store::from_json(entities_json(alice_in_support));
  REQUIRE_MESSAGE(e.has_value(), mandate::render(e.error()));
  return {*p, *e};
}

delegation_hop hop(const char* from_type, const char* from, const char* to, std::vector<const char*> actions,
                   std::int64_t issued = t0 - hour, std::int64_t expires = t0 + hour) {
  delegation_hop h{{from_type, from}, {"Agent", to}, {}, issued, expires, ""};
  for (const char* a : actions) h.scope.push_back({"Action", a});
  return h;
}

decision decide(const world& w, const char* action, std::vector<delegation_hop> chain,
                std::optional<entity_ref> agent = std::nullopt, evaluator which = evaluator::plan) {
  if (!agent && !chain.empty()) agent = chain.back().delegate;
  const request req =
      request({"User", "alice"}, {"Action", action}, {"Doc", "d"}).with_delegation(agent, chain);
  return w.policies.evaluate(req, w.entities, {.engine = which, .now_ms = t0});
}

}  // namespace

TEST_CASE("chain: an agent acting for a human needs both to be allowed") {
  const world w = make_world();
  for (const evaluator which : {evaluator::plan, evaluator::reference}) {
    const decision both = decide(w, "read", {hop("User", "alice", "bot", {"read"})}, std::nullopt, which);
    CHECK(both.outcome == verdict::allow);
    CHECK(both.reasons == std::vector<std::string>{"support-read"});
    CHECK(both.deciding_hop == 0);
    CHECK(both.deciding_principal == R"(User::"alice")");
    CHECK(both.chain_violation.empty());

    // The human may read, but this agent's own ceiling does not allow it: the agent's check decides.
    const decision rogue = decide(w, "read", {hop("User", "alice", "rogue", {"read"})}, std::nullopt, which);
    CHECK(rogue.outcome == verdict::deny);
    CHECK(rogue.deciding_hop == 1);
    CHECK(rogue.deciding_principal == R"(Agent::"rogue")");

    // Writes: the human is allowed; the agent is allowed but guarded, so the chain needs approval.
    const decision write = decide(w, "write", {hop("User", "alice", "bot", {"write"})}, std::nullopt, which);
    CHECK(write.outcome == verdict::require_approval);
    CHECK(write.deciding_hop == 1);
    CHECK(write.reasons == std::vector<std::string>{"agent-writes", "writes-need-approval"});
  }
}

TEST_CASE("chain: the human losing a right takes it from the agent at the next request") {
  mandate::engine holder(make_world(true).policies, make_world(true).entities);
  const request req =
      request({"User", "alice"}, {"Action", "read"}, {"Doc", "d"})
          .with_delegation(entity_ref{"Agent", "bot"}, std::vector{hop("User", "alice", "bot", {"read"})});
  CHECK(holder.evaluate(req, {.now_ms = t0}).outcome == verdict::allow);
  holder.replace_entities(make_world(false).entities);  // alice leaves the support group
  const decision after = holder.evaluate(req, {.now_ms = t0});
  CHECK(after.outcome == verdict::deny);
  CHECK(after.deciding_hop == 0);
}

TEST_CASE("chain: each kind of broken chain is a deny with its own code, before any policy runs") {
  const world w = make_world();
  struct broken {
    const char* code;
    std::vector<delegation_hop> chain;
    std::optional<entity_ref> agent;
  };
  const std::vector<broken> cases = {
      {"chain.linkage", {hop("User", "bob", "bot", {"read"})}, std::nullopt},
      {"chain.linkage",
       {hop("User", "alice", "bot", {"read"}), hop("Agent", "rogue", "sub", {"read"})},
       std::nullopt},
      {"chain.cycle",
       {hop("User", "alice", "bot", {"read"}), hop("Agent", "bot", "bot", {"read"})},
       std::nullopt},
      {"chain.depth",
       {hop("User", "alice", "a1", {"read"}), hop("Agent", "a1", "a2", {"read"}),
        hop("Agent", "a2", "a3", {"read"}), hop("Agent", "a3", "a4", {"read"}),
        hop("Agent", "a4", "a5", {"read"}), hop("Agent", "a5", "a6", {"read"}),
        hop("Agent", "a6", "a7", {"read"}), hop("Agent", "a7", "a8", {"read"}),
        hop("Agent", "a8", "a9", {"read"})},
       std::nullopt},
      {"chain.outlives_parent",
       {hop("User", "alice", "bot", {"read"}),
        hop("Agent", "bot", "sub", {"read"}, t0 - hour, t0 + 2 * hour)},
       std::nullopt},
      {"chain.scope_widened",
       {hop("User", "alice", "bot", {"read"}), hop("Agent", "bot", "sub", {"read", "write"})},
       std::nullopt},
      {"chain.expired", {hop("User", "alice", "bot", {"read"}, t0 - 2 * hour, t0 - hour)}, std::nullopt},
      {"chain.not_yet_valid",
       {hop("User", "alice", "bot", {"read"}, t0 + hour, t0 + 2 * hour)},
       std::nullopt},
      {"chain.out_of_scope", {hop("User", "alice", "bot", {"list"})}, std::nullopt},
      {"chain.agent_mismatch", {hop("User", "alice", "bot", {"read"})}, entity_ref{"Agent", "sub"}},
      {"chain.missing", {}, entity_ref{"Agent", "bot"}},
  };
  for (const auto& c : cases) {
    CAPTURE(c.code);
    for (const evaluator which : {evaluator::plan, evaluator::reference}) {
      const decision d = decide(w, "read", c.chain, c.agent, which);
      CHECK(d.outcome == verdict::deny);
      CHECK(d.chain_violation == c.code);
      CHECK_FALSE(d.chain_message.empty());
      CHECK(d.reasons.empty());
      CHECK(d.deciding_hop == -1);
      CHECK(mandate::to_json(d).find(std::string("\"violation\":\"") + c.code + "\"") != std::string::npos);
    }
  }
}

TEST_CASE("chain: scopes name actions or action groups, and a sub-agent may narrow them") {
  const world w = make_world();
  // The group read_group covers read; the sub-agent narrows it to read alone.
  const decision narrowed =
      decide(w, "read", {hop("User", "alice", "bot", {"read_group"}), hop("Agent", "bot", "sub", {"read"})});
  CHECK(narrowed.outcome == verdict::allow);
  // The sub-agent tries to widen read to read_group: refused even for an action both would cover.
  const decision widened =
      decide(w, "read", {hop("User", "alice", "bot", {"read"}), hop("Agent", "bot", "sub", {"read_group"})});
  CHECK(widened.chain_violation == "chain.scope_widened");
}

TEST_CASE("chain: a hop may be limited to a resource, and a sub-hop may not lift the limit") {
  const world w = make_world();
  delegation_hop limited = hop("User", "alice", "bot", {"read"});
  limited.resource = entity_ref{"Doc", "d"};
  CHECK(decide(w, "read", {limited}).outcome == verdict::allow);
  delegation_hop other = limited;
  other.resource = entity_ref{"Doc", "other"};
  CHECK(decide(w, "read", {other}).chain_violation == "chain.out_of_scope");
  delegation_hop unlimited_child = hop("Agent", "bot", "sub", {"read"});
  CHECK(decide(w, "read", {limited, unlimited_child}).chain_violation == "chain.scope_widened");
  unlimited_child.resource = entity_ref{"Doc", "d"};
  CHECK(decide(w, "read", {limited, unlimited_child}).outcome == verdict::allow);
}

TEST_CASE("chain: adding a hop never enlarges what is allowed (generated chains)") {
  const world w = make_world();
  std::mt19937 rng(20261128);
  const std::vector<const char*> agents = {"bot", "sub", "rogue"};
  const std::vector<const char*> actions = {"read", "list", "write", "read_group"};
  auto random_scope = [&] {
    std::vector<const char*> scope;
    for (const char* a : actions)
      if (rng() % 2 == 0) scope.push_back(a);
    if (scope.empty()) scope.push_back(actions[rng() % actions.size()]);
    return scope;
  };
  int allowed_before_extension = 0;
  for (int round = 0; round < 400; ++round) {
    const char* first = agents[rng() % agents.size()];
    std::vector<delegation_hop> chain = {hop("User", "alice", first, random_scope())};
    const char* action = actions[rng() % 3];
    const decision before = decide(w, action, chain);
    const char* second = agents[rng() % agents.size()];
    std::vector<delegation_hop> longer = chain;
    longer.push_back(
        hop("Agent", first, second, random_scope(), t0 - hour, t0 + hour - static_cast<int>(rng() % 2)));
    const decision after = decide(w, action, longer);
    if (before.outcome == verdict::allow) ++allowed_before_extension;
    // Strictness can only grow: allow < require_approval < deny.
    auto rank = [](verdict v) { return v == verdict::deny ? 2 : v == verdict::require_approval ? 1 : 0; };
    CHECK(rank(after.outcome) >= rank(before.outcome));
  }
  CHECK(allowed_before_extension > 20);  // the property is exercised on allowed chains
}

TEST_CASE("chain: requests carry agent and delegation in JSON, with RFC 3339 times") {
  auto parsed = request::from_json(R"({
    "principal": {"type": "User", "id": "alice"}, "action": {"type": "Action", "id": "read"},
    "resource": {"type": "Doc", "id": "d"}, "agent": {"type": "Agent", "id": "bot"},
    "delegation": [{"delegator": {"type": "User", "id": "alice"}, "delegate": "Agent::\"bot\"",
                    "scope": [{"type": "Action", "id": "read"}], "issued_at": "2027-01-15T08:00:00Z",
                    "expires_at": "2027-01-15T10:30:00.5+01:00", "grant": "g-1"}]
  })");
  REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error()));
  CHECK(parsed->agent() == entity_ref{"Agent", "bot"});
  const auto chain = parsed->delegation();
  REQUIRE(chain.size() == 1);
  CHECK(chain[0].delegate == entity_ref{"Agent", "bot"});
  CHECK(chain[0].grant == "g-1");
  CHECK(chain[0].issued_at_ms == 1'800'000'000'000);  // 2027-01-15T08:00:00Z
  CHECK(chain[0].expires_at_ms - chain[0].issued_at_ms == hour + hour / 2 + 500);

  for (const char* bad :
       {R"("delegation": {})", R"("delegation": [{"delegator": "User::\"a\""}])",
        R"("delegation": [{"delegator": "User::\"a\"", "delegate": "Agent::\"b\"", "scope": [],
                              "issued_at": "yesterday", "expires_at": "2027-01-01T00:00:00Z"}])",
        R"("agent": 7)"}) {
    CAPTURE(bad);
    auto r = request::from_json(std::string(R"({"principal": "User::\"a\"", "action": "Action::\"read\"",
      "resource": "Doc::\"d\"", )") +
                                bad + "}");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().find("request:") == 0);
  }
}
