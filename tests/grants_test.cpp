// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Just-in-time grants (LANGUAGE.md 2.4): issued only for what the policies allow, presented as
// the last hop of a delegation chain, and dead at expiry, at task completion or on revocation,
// with every grant delegated from them. The clock is a variable the tests move by hand.
#include "mandate/grants.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "mandate/mandate.hpp"

namespace {

using mandate::decision;
using mandate::entity_ref;
using mandate::grant;
using mandate::grant_authority;
using mandate::grant_request;
using mandate::grant_state;
using mandate::in_memory_grant_store;
using mandate::request;
using mandate::verdict;

constexpr std::int64_t t0 = 1'800'000'000'000;  // 2027-01-15T08:00:00Z
constexpr std::int64_t minute = 60'000;
constexpr std::int64_t hour = 60 * minute;

const char* policies_text = R"cedar(
@id("support-read") permit (principal in Group::"support", action in Action::"read_group", resource);
@id("support-write") permit (principal in Group::"support", action == Action::"write", resource);
@id("support-admin") permit (principal in Group::"support", action in Action::"admin_group", resource);
@id("agents-read") permit (principal is Agent, action in Action::"read_group", resource)
  when { principal.approved };
@id("agents-write") permit (principal is Agent, action == Action::"write", resource);
@id("writes-need-approval") require_approval (principal is Agent, action == Action::"write", resource);
@id("agents-admin") permit (principal is Agent, action in Action::"admin_group", resource);
@id("no-agent-export") forbid (principal is Agent, action == Action::"export", resource);
)cedar";

std::string entities_json(bool alice_in_support) {
  return std::string(R"([
    {"uid": {"type": "User", "id": "alice"}, "attrs": {}, "parents": [)") +
         (alice_in_support ? R"({"type": "Group", "id": "support"})" : "") + R"(]},
    {"uid": {"type": "User", "id": "bob"}, "attrs": {}, "parents": [{"type": "Group", "id": "support"}]},
    {"uid": {"type": "Agent", "id": "bot"}, "attrs": {"approved": true}, "parents": []},
    {"uid": {"type": "Agent", "id": "sub"}, "attrs": {"approved": true}, "parents": []},
    {"uid": {"type": "Agent", "id": "leaf"}, "attrs": {"approved": true}, "parents": []},
    {"uid": {"type": "Agent", "id": "rogue"}, "attrs": {"approved": false}, "parents": []},
    {"uid": {"type": "Action", "id": "read"}, "parents": [{"type": "Action", "id": "read_group"}]},
    {"uid": {"type": "Action", "id": "list"}, "parents": [{"type": "Action", "id": "read_group"}]},
    {"uid": {"type": "Action", "id": "write"}, "parents": []},
    {"uid": {"type": "Action", "id": "delete"}, "parents": []},
    {"uid": {"type": "Action", "id": "rotate"}, "parents": [{"type": "Action", "id": "admin_group"}]},
    {"uid": {"type": "Action", "id": "export"}, "parents": [{"type": "Action", "id": "admin_group"}]},
    {"uid": {"type": "Doc", "id": "d"}, "attrs": {}, "parents": [{"type": "Folder", "id": "f"}]},
    {"uid": {"type": "Doc", "id": "elsewhere"}, "attrs": {}, "parents": []}
  ])";
}

struct world {
  mandate::policy_set policies;
  mandate::entity_store entities;
};

world make_world(bool alice_in_support = true) {
  auto p = mandate::policy_set::compile(policies_text, "grants.cedar");
  REQUIRE_MESSAGE(p.has_value(), mandate::render(p.error()));
  auto e = mandate::entity_store::from_json(entities_json(alice_in_support));
  REQUIRE_MESSAGE(e.has_value(), mandate::render(e.error()));
  return {*p, *e};
}

entity_ref user(const char* id) { return {"User", id}; }
entity_ref agent(const char* id) { return {"Agent", id}; }
entity_ref action(const char* id) { return {"Action", id}; }
entity_ref doc(const char* id) { return {"Doc", id}; }

std::vector<entity_ref> actions(std::vector<const char*> ids) {
  std::vector<entity_ref> out;
  for (const char* id : ids) out.push_back(action(id));
  return out;
}

grant_request ask(entity_ref principal, entity_ref to, const char* task, std::vector<const char*> scope,
                  entity_ref resource = doc("d"), std::int64_t duration = 15 * minute) {
  return {std::move(principal), std::move(to), task, actions(std::move(scope)),
          std::move(resource),  duration,      ""};
}

grant_request ask_below(const grant& parent, entity_ref to, const char* task, std::vector<const char*> scope,
                        entity_ref resource = doc("d"), std::int64_t duration = 15 * minute) {
  grant_request r = ask({}, std::move(to), task, std::move(scope), std::move(resource), duration);
  r.parent_grant = parent.id;
  return r;
}

// Holds the store, the authority and the hand-moved clock together.
struct bench {
  world w = make_world();
  std::int64_t clock_ms = t0;
  std::shared_ptr<in_memory_grant_store> store = std::make_shared<in_memory_grant_store>();
  grant_authority authority{store, [this] { return clock_ms; }};

  grant issue(const grant_request& r) {
    auto issued = authority.issue(r, w.policies, w.entities);
    REQUIRE_MESSAGE(issued.has_value(), (issued ? "" : issued.error().code + ": " + issued.error().message));
    return *issued;
  }
  mandate::grant_refusal refuse(const grant_request& r) {
    auto issued = authority.issue(r, w.policies, w.entities);
    REQUIRE_FALSE(issued.has_value());
    return issued.error();
  }
  decision use(const grant& g, const char* act, entity_ref resource = doc("d"),
               entity_ref principal = user("alice")) {
    return authority.evaluate(request(principal, action(act), resource), g.id, w.policies, w.entities);
  }
  std::size_t recorded() const {
    return store->select([](const grant&) { return true; }).size();
  }
};

bool is_hex(std::string_view text) {
  return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

TEST_CASE("grants: an issued grant lets its agent act for the principal within its scope") {
  bench b;
  const grant g = b.issue(ask(user("alice"), agent("bot"), "t-1", {"read"}));
  CHECK(g.id.size() == 2 + 32);
  CHECK(g.id.starts_with("g-"));
  CHECK(is_hex(g.id.substr(2)));
  CHECK(g.principal == user("alice"));
  CHECK(g.agent == agent("bot"));
  CHECK(g.issued_at_ms == t0);
  CHECK(g.expires_at_ms == t0 + 15 * minute);
  CHECK(g.parent.empty());
  CHECK_FALSE(g.revoked);
  CHECK(b.authority.state(g.id) == grant_state::active);
  REQUIRE(b.store->find(g.id).has_value());

  const decision d = b.use(g, "read");
  CHECK(d.outcome == verdict::allow);
  CHECK(d.chain_violation.empty());
  CHECK(d.deciding_hop == 0);
  CHECK(d.deciding_principal == R"(User::"alice")");

  // Ids are fresh for every grant, even for the same request at the same instant.
  const grant again = b.issue(ask(user("alice"), agent("bot"), "t-1", {"read"}));
  CHECK(again.id != g.id);
  CHECK(b.recorded() == 2);

  // Unknown grants, someone else's principal and someone else's agent are all refused.
  CHECK(b.authority
            .evaluate(request(user("alice"), action("read"), doc("d")), "g-nope", b.w.policies, b.w.entities)
            .chain_violation == "grant.unknown");
  CHECK(b.use(g, "read", doc("d"), user("bob")).chain_violation == "chain.linkage");
  const request impostor = request(user("alice"), action("read"), doc("d"))
                               .with_delegation(agent("rogue"), std::vector<mandate::delegation_hop>{});
  const decision borrowed = b.authority.evaluate(impostor, g.id, b.w.policies, b.w.entities);
  CHECK(borrowed.outcome == verdict::deny);
  CHECK(borrowed.chain_violation == "chain.agent_mismatch");
}

TEST_CASE("grants: issuing is refused for what the policies would not allow") {
  bench b;
  SUBCASE("an action nobody is permitted") {
    const auto refusal = b.refuse(ask(user("alice"), agent("bot"), "t-1", {"read", "delete"}));
    CHECK(refusal.code == "grant.denied");
    CHECK(refusal.denied_actions == actions({"delete"}));
    CHECK(refusal.message.find(R"(Action::"delete")") != std::string::npos);
    CHECK(b.recorded() == 0);  // a refused grant is not kept
  }
  SUBCASE("an action that needs approval: a grant is no way around it") {
    const auto refusal = b.refuse(ask(user("alice"), agent("bot"), "t-1", {"write"}));
    CHECK(refusal.code == "grant.denied");
    CHECK(refusal.denied_actions == actions({"write"}));
    CHECK(refusal.message.find("require_approval") != std::string::npos);
    CHECK(b.recorded() == 0);
  }
  SUBCASE("an agent whose own ceiling does not reach the action") {
    const auto refusal = b.refuse(ask(user("alice"), agent("rogue"), "t-1", {"read"}));
    CHECK(refusal.denied_actions == actions({"read"}));
    CHECK(refusal.message.find(R"(Agent::"rogue")") != std::string::npos);
  }
  SUBCASE("a group is checked member by member") {
    // The group itself and `rotate` are allowed; `export` inside it is forbidden to agents.
    const auto refusal = b.refuse(ask(user("alice"), agent("bot"), "t-1", {"admin_group"}));
    CHECK(refusal.code == "grant.denied");
    CHECK(refusal.denied_actions == actions({"export"}));
    CHECK(b.recorded() == 0);
    CHECK(b.issue(ask(user("alice"), agent("bot"), "t-1", {"rotate"})).scope == actions({"rotate"}));
    CHECK(b.recorded() == 1);
  }
  SUBCASE("malformed requests") {
    CHECK(b.refuse(ask(user("alice"), agent("bot"), "", {"read"})).code == "grant.bad_request");
    CHECK(b.refuse(ask(user("alice"), agent("bot"), "t-1", {})).code == "grant.bad_request");
    CHECK(b.refuse(ask(user("alice"), agent("bot"), "t-1", {"read"}, doc("d"), 0)).code ==
          "grant.bad_request");
    CHECK(b.refuse(ask(user("alice"), agent("bot"), "t-1", {"read"}, doc("d"), -5)).code ==
          "grant.bad_request");
    CHECK(b.refuse(ask(user("alice"), user("alice"), "t-1", {"read"})).code == "grant.bad_request");
    CHECK(b.recorded() == 0);
  }
}

TEST_CASE("grants: a request outside the grant's scope is refused by the chain check") {
  bench b;
  const grant g = b.issue(ask(user("alice"), agent("bot"), "t-1", {"read"}));
  const decision list = b.use(g, "list");  // allowed to both identities, but not granted
  CHECK(list.outcome == verdict::deny);
  CHECK(list.chain_violation == "chain.out_of_scope");
  const decision other_doc = b.use(g, "read", doc("elsewhere"));
  CHECK(other_doc.outcome == verdict::deny);
  CHECK(other_doc.chain_violation == "chain.out_of_scope");
  CHECK(b.use(g, "read").outcome == verdict::allow);

  // A chain the caller brings along is not trusted in place of the grant's.
  mandate::delegation_hop forged{user("alice"), agent("bot"), actions({"read_group"}), t0 - hour, t0 + hour,
                                 g.id,          std::nullopt};
  const request with_chain =
      request(user("alice"), action("list"), doc("d")).with_delegation(agent("bot"), std::vector{forged});
  CHECK(b.authority.evaluate(with_chain, g.id, b.w.policies, b.w.entities).chain_violation ==
        "grant.chain_mismatch");
}

TEST_CASE("grants: a sub-agent's grant may narrow its parent, never widen it") {
  bench b;
  const grant parent = b.issue(ask(user("alice"), agent("bot"), "t-1", {"read_group"}, {"Folder", "f"}));
  b.clock_ms += minute;
  const grant child = b.issue(ask_below(parent, agent("sub"), "t-1", {"read"}, doc("d"), 2 * hour));
  CHECK(child.principal == agent("bot"));  // taken from the parent
  CHECK(child.parent == parent.id);
  CHECK(child.expires_at_ms == parent.expires_at_ms);  // capped: a child never outlives its parent

  const decision d = b.use(child, "read");
  CHECK(d.outcome == verdict::allow);
  CHECK(b.use(child, "list").chain_violation == "chain.out_of_scope");
  CHECK(b.use(parent, "list").outcome == verdict::allow);

  const grant leaf = b.issue(ask_below(child, agent("leaf"), "t-1", {"read"}));
  CHECK(b.use(leaf, "read").outcome == verdict::allow);

  SUBCASE("widening the actions") {
    const auto refusal = b.refuse(ask_below(parent, agent("sub"), "t-1", {"read", "write"}));
    CHECK(refusal.code == "grant.widens_parent");
    CHECK(refusal.message.find(R"(Action::"write")") != std::string::npos);
    // A group is wider than one of its members, even though the member is inside it.
    CHECK(b.refuse(ask_below(child, agent("leaf"), "t-1", {"read_group"})).code == "grant.widens_parent");
  }
  SUBCASE("widening the resource") {
    CHECK(b.refuse(ask_below(parent, agent("sub"), "t-1", {"read"}, doc("elsewhere"))).code ==
          "grant.widens_parent");
    CHECK(b.refuse(ask_below(child, agent("leaf"), "t-1", {"read"}, {"Folder", "f"})).code ==
          "grant.widens_parent");
  }
  SUBCASE("acting for someone other than the parent's agent") {
    grant_request r = ask_below(parent, agent("sub"), "t-1", {"read"});
    r.principal = user("alice");
    CHECK(b.refuse(r).code == "grant.bad_request");
  }
  SUBCASE("a parent that is unknown or no longer works") {
    grant missing = parent;
    missing.id = "g-0000";
    CHECK(b.refuse(ask_below(missing, agent("sub"), "t-1", {"read"})).code == "grant.parent_inactive");
    CHECK(b.authority.revoke_grant(parent.id) == 3);
    CHECK(b.refuse(ask_below(parent, agent("sub"), "t-1", {"read"})).code == "grant.parent_inactive");
    CHECK(b.refuse(ask_below(child, agent("leaf"), "t-1", {"read"})).code == "grant.parent_inactive");
  }
}

TEST_CASE("grants: a grant dies at its expiry") {
  bench b;
  const grant g = b.issue(ask(user("alice"), agent("bot"), "t-1", {"read"}));
  b.clock_ms = g.expires_at_ms - 1;
  CHECK(b.use(g, "read").outcome == verdict::allow);
  CHECK(b.authority.state(g.id) == grant_state::active);
  b.clock_ms = g.expires_at_ms;  // the expiry instant is already outside the grant
  const decision d = b.use(g, "read");
  CHECK(d.outcome == verdict::deny);
  CHECK(d.chain_violation == "grant.expired");
  CHECK(d.chain_message.find("2027-01-15T08:15:00Z") != std::string::npos);
  CHECK(b.authority.state(g.id) == grant_state::expired);
  // An explicit evaluation time (a replay) is honoured over the authority's clock.
  mandate::evaluation_options replay_at;
  replay_at.now_ms = t0 + minute;
  const decision replay = b.authority.evaluate(request(user("alice"), action("read"), doc("d")), g.id,
                                               b.w.policies, b.w.entities, replay_at);
  CHECK(replay.outcome == verdict::allow);
  // Revoking it afterwards does not rewrite why it stopped: it had expired first.
  CHECK(b.authority.revoke_grant(g.id) == 1);
  CHECK(b.authority.state(g.id) == grant_state::expired);
}

TEST_CASE("grants: completing a task ends its grants and only its grants") {
  bench b;
  const grant first = b.issue(ask(user("alice"), agent("bot"), "t-1", {"read"}));
  const grant second = b.issue(ask(user("bob"), agent("sub"), "t-1", {"read"}));
  const grant other = b.issue(ask(user("alice"), agent("bot"), "t-2", {"read"}));
  const grant delegated = b.issue(ask_below(first, agent("leaf"), "t-1-sub", {"read"}));

  CHECK(b.authority.complete_task("t-1") == 3);  // both grants of t-1, and the one delegated below
  for (const grant* g : {&first, &second, &delegated}) {
    CAPTURE(g->id);
    CHECK(b.authority.state(g->id) == grant_state::task_completed);
  }
  const decision d = b.use(first, "read");
  CHECK(d.outcome == verdict::deny);
  CHECK(d.chain_violation == "grant.task_completed");
  CHECK(b.use(second, "read", doc("d"), user("bob")).chain_violation == "grant.task_completed");
  CHECK(b.use(other, "read").outcome == verdict::allow);
  CHECK(b.authority.state(other.id) == grant_state::active);

  CHECK(b.authority.complete_task("t-1") == 0);  // idempotent
  // Nothing outlives its task: a completed task takes no new grants.
  CHECK(b.refuse(ask(user("alice"), agent("bot"), "t-1", {"read"})).code == "grant.task_completed");
}

TEST_CASE("grants: revoking a grant revokes everything delegated from it") {
  bench b;
  const grant root = b.issue(ask(user("alice"), agent("bot"), "t-1", {"read_group"}));
  const grant child = b.issue(ask_below(root, agent("sub"), "t-1", {"read"}));
  const grant grandchild = b.issue(ask_below(child, agent("leaf"), "t-1", {"read"}));
  const grant sibling = b.issue(ask(user("alice"), agent("bot"), "t-1", {"read"}));
  CHECK(b.use(grandchild, "read").outcome == verdict::allow);

  CHECK(b.authority.revoke_grant(child.id) == 2);  // the child and the grandchild, not the root
  CHECK(b.authority.state(root.id) == grant_state::active);
  CHECK(b.use(root, "read").outcome == verdict::allow);
  const decision d = b.use(grandchild, "read");
  CHECK(d.outcome == verdict::deny);
  CHECK(d.chain_violation == "grant.revoked");
  const auto recorded = b.store->find(grandchild.id);
  REQUIRE(recorded.has_value());
  CHECK(recorded->revoked);
  CHECK(recorded->revoked_at_ms == t0);
  CHECK(recorded->revoked_because == "revoked by grant " + child.id + " (delegated from " + child.id + ")");

  CHECK(b.authority.revoke_grant(root.id) == 1);  // the rest of the subtree is already revoked
  CHECK(b.authority.revoke_grant(root.id) == 0);
  CHECK(b.use(root, "read").chain_violation == "grant.revoked");
  CHECK(b.use(sibling, "read").outcome == verdict::allow);
  CHECK(b.authority.revoke_grant("g-unknown") == 0);
}

TEST_CASE("grants: revocation by agent, by task and by principal") {
  bench b;
  const grant alice_bot = b.issue(ask(user("alice"), agent("bot"), "t-1", {"read"}));
  const grant alice_sub = b.issue(ask(user("alice"), agent("sub"), "t-2", {"read"}));
  const grant bob_bot = b.issue(ask(user("bob"), agent("bot"), "t-3", {"read"}));
  const grant bot_leaf = b.issue(ask_below(alice_bot, agent("leaf"), "t-1", {"read"}));
  auto state = [&](const grant& g) { return b.authority.state(g.id); };

  SUBCASE("by agent") {
    CHECK(b.authority.revoke_agent(agent("bot")) == 3);  // both of bot's grants, and what bot delegated
    CHECK(state(alice_bot) == grant_state::revoked);
    CHECK(state(bob_bot) == grant_state::revoked);
    CHECK(state(bot_leaf) == grant_state::revoked);
    CHECK(state(alice_sub) == grant_state::active);
    CHECK(b.use(bob_bot, "read", doc("d"), user("bob")).chain_violation == "grant.revoked");
  }
  SUBCASE("by task") {
    CHECK(b.authority.revoke_task("t-2") == 1);
    CHECK(state(alice_sub) == grant_state::revoked);  // revoked, not completed
    CHECK(state(alice_bot) == grant_state::active);
    CHECK(b.use(alice_sub, "read").chain_violation == "grant.revoked");
    // A revoked task may be granted again (only completion is final).
    CHECK(b.issue(ask(user("alice"), agent("sub"), "t-2", {"read"})).task == "t-2");
  }
  SUBCASE("by principal") {
    CHECK(b.authority.revoke_principal(user("alice")) == 3);  // alice's two, and bot's delegation below
    CHECK(state(bot_leaf) == grant_state::revoked);
    CHECK(state(bob_bot) == grant_state::active);
    CHECK(b.use(bob_bot, "read", doc("d"), user("bob")).outcome == verdict::allow);
    CHECK(b.use(alice_bot, "read").chain_violation == "grant.revoked");
  }
}

TEST_CASE("grants: authority is checked again at every request, not only at issue") {
  bench b;
  const grant g = b.issue(ask(user("alice"), agent("bot"), "t-1", {"read"}));
  CHECK(b.use(g, "read").outcome == verdict::allow);
  const world demoted = make_world(false);  // alice has left the support group
  const decision d = b.authority.evaluate(request(user("alice"), action("read"), doc("d")), g.id,
                                          demoted.policies, demoted.entities);
  CHECK(d.outcome == verdict::deny);
  CHECK(d.chain_violation.empty());  // the grant is fine; alice is no longer allowed
  CHECK(d.deciding_hop == 0);
  CHECK(d.deciding_principal == R"(User::"alice")");
  // Nor can the demoted alice be issued a new grant.
  auto refused = b.authority.issue(ask(user("alice"), agent("bot"), "t-9", {"read"}), demoted.policies,
                                   demoted.entities);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == "grant.denied");
}

TEST_CASE("grants: the store saves to JSON and loads back exactly") {
  bench b;
  b.clock_ms = t0 + 250;  // milliseconds survive the round trip
  const grant kept = b.issue(ask(user("alice"), agent("bot"), "t-1", {"read_group"}, {"Folder", "f"}));
  const grant child = b.issue(ask_below(kept, agent("sub"), "t-1", {"read"}));
  const grant revoked = b.issue(ask(user("bob"), agent("bot"), "t-2", {"read"}));
  const grant done = b.issue(ask(user("bob"), agent("sub"), "t-3", {"list"}));
  REQUIRE(b.authority.revoke_grant(revoked.id) == 1);
  REQUIRE(b.authority.complete_task("t-3") == 1);

  const std::string saved = b.store->to_json();
  CHECK(saved.find(R"("issued_at":"2027-01-15T08:00:00.250Z")") != std::string::npos);
  CHECK(saved.find(R"("expires_at":"2027-01-15T08:15:00.250Z")") != std::string::npos);
  CHECK(saved.find('\n') == std::string::npos);
  auto loaded = in_memory_grant_store::from_json(saved);
  REQUIRE_MESSAGE(loaded.has_value(), (loaded ? "" : loaded.error()));
  CHECK((*loaded)->to_json() == saved);
  for (const grant* g : {&kept, &child, &revoked, &done}) {
    CAPTURE(g->id);
    const auto back = (*loaded)->find(g->id);
    REQUIRE(back.has_value());
    CHECK(back->issued_at_ms == g->issued_at_ms);
    CHECK(back->expires_at_ms == g->expires_at_ms);
    CHECK(back->scope == g->scope);
    CHECK(back->resource == g->resource);
    CHECK(back->parent == g->parent);
  }
  CHECK(mandate::to_json(*(*loaded)->find(kept.id)) == mandate::to_json(*b.store->find(kept.id)));

  // The loaded store decides as the original did.
  grant_authority reloaded(*loaded, [] { return t0 + minute; });
  CHECK(reloaded.state(kept.id) == grant_state::active);
  CHECK(reloaded.state(revoked.id) == grant_state::revoked);
  CHECK(reloaded.state(done.id) == grant_state::task_completed);
  CHECK(reloaded
            .evaluate(request(user("alice"), action("read"), doc("d")), child.id, b.w.policies, b.w.entities)
            .outcome == verdict::allow);
  CHECK(reloaded
            .evaluate(request(user("bob"), action("read"), doc("d")), revoked.id, b.w.policies, b.w.entities)
            .chain_violation == "grant.revoked");

  // Read strictly: a misspelt field could otherwise bring a revoked grant back.
  std::string misspelt = saved;
  misspelt.replace(misspelt.find(R"("revoked":true)"), 14, R"("revokd":true)");
  CHECK_FALSE(in_memory_grant_store::from_json(misspelt).has_value());
  const std::string one = mandate::to_json(kept);
  auto twice = in_memory_grant_store::from_json("[" + one + "," + one + "]");
  REQUIRE_FALSE(twice.has_value());
  CHECK(twice.error().find("appears twice") != std::string::npos);
  CHECK_FALSE(in_memory_grant_store::from_json("{}").has_value());
  CHECK_FALSE(in_memory_grant_store::from_json("[{\"id\": \"g-1\"}]").has_value());
  CHECK(in_memory_grant_store::from_json("[]").has_value());
  CHECK_THROWS_AS(b.store->insert(kept), std::invalid_argument);  // a record is never replaced
}

TEST_CASE("grants: a grant whose ancestor stopped working stops with it, cascade or not") {
  // A parent revoked in the file while its child is not (an edit by hand, or a child recorded
  // by a racing issue): the child is refused through its ancestry all the same.
  bench b;
  const grant parent = b.issue(ask(user("alice"), agent("bot"), "t-1", {"read"}));
  const grant child = b.issue(ask_below(parent, agent("sub"), "t-1", {"read"}));
  REQUIRE(b.store->mark_revoked(parent.id, t0, "revoked by hand"));
  auto only_parent = b.store->find(child.id);
  REQUIRE(only_parent.has_value());
  CHECK_FALSE(only_parent->revoked);
  const decision d = b.use(child, "read");
  CHECK(d.outcome == verdict::deny);
  CHECK(d.chain_violation == "grant.revoked");
  CHECK(d.chain_message.find(parent.id) != std::string::npos);
  CHECK(b.authority.state(child.id) == grant_state::revoked);

  // A parent missing from the store cannot vouch for its child either.
  grant orphan = child;
  orphan.id = "g-orphan";
  orphan.parent = "g-gone";
  b.store->insert(orphan);
  CHECK(b.use(orphan, "read").chain_violation == "grant.unknown");
  CHECK(b.authority.state(orphan.id) == grant_state::revoked);
}

TEST_CASE("grants: states have names") {
  CHECK(mandate::to_string(grant_state::active) == "active");
  CHECK(mandate::to_string(grant_state::expired) == "expired");
  CHECK(mandate::to_string(grant_state::task_completed) == "task_completed");
  CHECK(mandate::to_string(grant_state::revoked) == "revoked");
  CHECK(mandate::system_time_ms() > t0 - 365 * 24 * hour);  // a plausible present, not zero
}

namespace {
// A store whose every read fails, as a remote store may when its connection drops.
class failing_store final : public mandate::grant_store {
 public:
  void insert(const grant&) override {}
  std::optional<grant> find(std::string_view) const override { throw std::runtime_error("connection reset"); }
  std::vector<grant> select(const std::function<bool(const grant&)>&) const override {
    throw std::runtime_error("connection reset");
  }
  bool mark_revoked(std::string_view, std::int64_t, std::string_view) override { return false; }
};
}  // namespace

TEST_CASE("grants: evaluation through a failing store is a deny, not an exception") {
  const world w = make_world();
  const grant_authority authority(std::make_shared<failing_store>(), [] { return t0; });
  const decision d =
      authority.evaluate(request(user("alice"), action("read"), doc("d")), "g-1", w.policies, w.entities);
  CHECK(d.outcome == verdict::deny);
  CHECK(d.chain_violation == "grant.error");
}

TEST_CASE("grants: once revoke_grant returns, no evaluation that starts later allows") {
  const world w = make_world();
  auto store = std::make_shared<in_memory_grant_store>();
  grant_authority authority(store, [] { return t0; });
  auto root =
      authority.issue(ask(user("alice"), agent("bot"), "t-1", {"read_group"}), w.policies, w.entities);
  REQUIRE(root.has_value());
  auto child = authority.issue(ask_below(*root, agent("sub"), "t-1", {"read"}), w.policies, w.entities);
  REQUIRE(child.has_value());

  std::atomic<bool> revoked{false};
  std::atomic<int> allowed_before{0};
  std::atomic<int> checked_after{0};
  std::atomic<int> allowed_after{0};
  std::atomic<int> wrong_reason_after{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&, t] {
      const std::string& id = t % 2 == 0 ? root->id : child->id;  // through the root and through the cascade
      const request req(user("alice"), action("read"), doc("d"));
      int after_here = 0;
      while (after_here < 200) {
        const bool started_after = revoked.load(std::memory_order_acquire);
        const decision d = authority.evaluate(req, id, w.policies, w.entities);
        if (!started_after) {
          if (d.allowed()) allowed_before.fetch_add(1);
          continue;
        }
        ++after_here;
        checked_after.fetch_add(1);
        if (d.allowed()) allowed_after.fetch_add(1);
        if (d.chain_violation != "grant.revoked") wrong_reason_after.fetch_add(1);
      }
    });
  }
  // Bounded, so that evaluations that never allow fail the checks below instead of hanging.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (allowed_before.load() < 400 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  CHECK(authority.revoke_grant(root->id) == 2);
  revoked.store(true, std::memory_order_release);
  for (std::thread& worker : workers) worker.join();

  CHECK(allowed_before.load() >= 400);  // the grants worked while they lived
  CHECK(checked_after.load() == 800);
  CHECK(allowed_after.load() == 0);
  CHECK(wrong_reason_after.load() == 0);
}
