// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Heap allocations per decision in steady state (issue 9): a machine-independent count, so it
// may be asserted. This file replaces the global operator new/delete of the test binary with
// versions that count on the calling thread while a counting scope is open.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "mandate/mandate.hpp"

namespace {
thread_local bool counting = false;
thread_local std::uint64_t allocations = 0;

struct allocation_counter {
  allocation_counter() {
    allocations = 0;
    counting = true;
  }
  ~allocation_counter() { counting = false; }
  allocation_counter(const allocation_counter&) = delete;
  allocation_counter& operator=(const allocation_counter&) = delete;
  [[nodiscard]] std::uint64_t count() const noexcept { return allocations; }
};

void* counted_allocate(std::size_t size) {
  if (counting) ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t size) { return counted_allocate(size); }
void* operator new[](std::size_t size) { return counted_allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t& /*unused*/) noexcept {
  if (counting) ++allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& /*unused*/) noexcept {
  if (counting) ++allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t /*unused*/) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t /*unused*/) noexcept { std::free(p); }

namespace {

const char* const policies_text = R"(
@id("support-read")
permit (principal in Group::"support", action in [Action::"read", Action::"list"], resource is Ticket)
when { resource.sensitivity <= 2 && context.hour >= 8 };

@id("owner-write")
permit (principal, action == Action::"write", resource is Ticket)
when { principal in resource.owner_team && !(resource has locked && resource.locked) };

@id("no-suspended")
forbid (principal, action, resource) when { principal has suspended && principal.suspended };

@id("big-refund")
@approvers("billing-admins")
require_approval (principal, action == Action::"refund", resource)
when { context.amount > 100 };

@id("refund")
permit (principal in Group::"billing", action == Action::"refund", resource)
when { context.amount <= 1000 && ["EUR", "USD"].contains(context.currency) };

@id("agent-ceiling")
forbid (principal is Agent, action, resource is Ticket)
unless { resource.sensitivity <= 1 || principal.trusted };
)";

const char* const entities_text = R"([
  {"uid": {"type": "Group", "id": "support"}, "attrs": {}, "parents": []},
  {"uid": {"type": "Group", "id": "billing"}, "attrs": {}, "parents": []},
  {"uid": {"type": "User", "id": "alice"}, "attrs": {"suspended": false}, "parents": [{"type": "Group", "id": "support"}]},
  {"uid": {"type": "User", "id": "bob"}, "attrs": {}, "parents": [{"type": "Group", "id": "billing"}]},
  {"uid": {"type": "User", "id": "carol"}, "attrs": {"suspended": true}, "parents": [{"type": "Group", "id": "support"}]},
  {"uid": {"type": "Agent", "id": "bot"}, "attrs": {"trusted": false}, "parents": [{"type": "Group", "id": "support"}]},
  {"uid": {"type": "Agent", "id": "helper"}, "attrs": {"trusted": false}, "parents": [{"type": "Group", "id": "support"}]},
  {"uid": {"type": "Ticket", "id": "t1"}, "attrs": {"sensitivity": 1, "owner_team": {"__entity": {"type": "Group", "id": "support"}}}, "parents": []},
  {"uid": {"type": "Ticket", "id": "t2"}, "attrs": {"sensitivity": 3, "locked": true, "owner_team": {"__entity": {"type": "Group", "id": "billing"}}}, "parents": []}
])";

std::vector<mandate::request> requests_for_every_outcome() {
  std::vector<mandate::request> out;
  auto add = [&](const char* type, const char* who, const char* action, const char* resource,
                 const char* context) {
    mandate::request req({type, who}, {"Action", action}, {"Ticket", resource});
    auto with = req.with_context_json(context);
    REQUIRE(with.has_value());
    out.push_back(*with);
  };
  add("User", "alice", "read", "t1", R"({"hour": 9})");                         // allow
  add("User", "alice", "read", "t2", R"({"hour": 9})");                         // default deny
  add("User", "alice", "write", "t1", R"({})");                                 // allow
  add("User", "carol", "read", "t1", R"({"hour": 9})");                         // forbid
  add("User", "bob", "refund", "t1", R"({"amount": 500, "currency": "EUR"})");  // approval
  add("User", "bob", "refund", "t1", R"({"amount": 50, "currency": "USD"})");   // allow
  add("Agent", "bot", "read", "t2", R"({"hour": 9})");                          // agent ceiling
  add("User", "alice", "read", "t1", R"({})");                                  // error: no hour
  add("User", "nobody", "list", "t9", R"({"hour": 23})");                       // unknown entities
  return out;
}

}  // namespace

TEST_CASE("allocations: a plain decision allocates nothing once its decision is warm") {
  auto policies = mandate::policy_set::compile(policies_text, "alloc.cedar");
  REQUIRE(policies.has_value());
  auto entities = mandate::entity_store::from_json(entities_text, "alloc.json");
  REQUIRE(entities.has_value());
  const std::vector<mandate::request> requests = requests_for_every_outcome();

  for (const mandate::evaluator engine : {mandate::evaluator::plan}) {
    for (const mandate::eval_mode mode : {mandate::eval_mode::mandate, mandate::eval_mode::cedar}) {
      const mandate::evaluation_options options{.mode = mode, .engine = engine, .now_ms = 0};
      mandate::decision out;
      // Warm-up: the decision's vectors and the thread's scratch reach their steady size.
      for (int round = 0; round < 3; ++round)
        for (const auto& req : requests) policies->evaluate(req, *entities, out, options);

      std::vector<mandate::verdict> seen;
      seen.reserve(requests.size());
      allocation_counter counter;
      for (int round = 0; round < 100; ++round) {
        for (const auto& req : requests) {
          policies->evaluate(req, *entities, out, options);
          if (round == 0) seen.push_back(out.outcome);
        }
      }
      const std::uint64_t counted = counter.count();
      CAPTURE(static_cast<int>(mode));
      for (std::size_t i = 0; i < requests.size(); ++i) {
        std::uint64_t one_request = 0;
        {
          allocation_counter one;
          policies->evaluate(requests[i], *entities, out, options);
          one_request = one.count();
        }
        CAPTURE(i);
        CHECK(one_request == 0);
      }
      CHECK(counted == 0);
      // The workload really covers every outcome, so no path escaped the count.
      CHECK(std::count(seen.begin(), seen.end(), mandate::verdict::allow) >= 2);
      CHECK(std::count(seen.begin(), seen.end(), mandate::verdict::deny) >= 3);
      CHECK(std::count(seen.begin(), seen.end(), mandate::verdict::require_approval) == 1);
    }
  }
}

TEST_CASE("allocations: a delegated request of depth 2 and 3 allocates nothing once warm") {
  auto policies = mandate::policy_set::compile(policies_text, "alloc.cedar");
  REQUIRE(policies.has_value());
  auto entities = mandate::entity_store::from_json(entities_text, "alloc.json");
  REQUIRE(entities.has_value());
  const mandate::entity_ref alice{"User", "alice"};
  const mandate::entity_ref bot{"Agent", "bot"};
  const mandate::entity_ref helper{"Agent", "helper"};
  const std::vector<mandate::entity_ref> scope{{"Action", "read"}, {"Action", "list"}};
  const std::vector<mandate::delegation_hop> depth2{{alice, bot, scope, 0, 1'000'000, "", std::nullopt}};
  const std::vector<mandate::delegation_hop> depth3{{alice, bot, scope, 0, 1'000'000, "", std::nullopt},
                                                    {bot, helper, scope, 0, 1'000'000, "", std::nullopt}};
  std::vector<mandate::request> requests;
  for (const char* ticket : {"t1", "t2"}) {
    mandate::request base({"User", "alice"}, {"Action", "read"}, {"Ticket", ticket});
    auto with = base.with_context_json(R"({"hour": 10})");
    REQUIRE(with.has_value());
    requests.push_back(with->with_delegation(bot, depth2));
    requests.push_back(with->with_delegation(helper, depth3));
  }
  const mandate::evaluation_options options{.now_ms = 500'000};
  mandate::decision out;
  for (int round = 0; round < 3; ++round)
    for (const auto& req : requests) policies->evaluate(req, *entities, out, options);
  std::vector<mandate::verdict> seen;
  for (const auto& req : requests) {
    policies->evaluate(req, *entities, out, options);
    seen.push_back(out.outcome);
  }
  // t1: every identity may read it (the agent ceiling admits sensitivity 1); t2: alice may not
  // (sensitivity 3 is above support-read's limit), so the chain is denied at the root.
  CHECK(seen == std::vector{mandate::verdict::allow, mandate::verdict::allow, mandate::verdict::deny,
                            mandate::verdict::deny});
  for (std::size_t i = 0; i < requests.size(); ++i) {
    std::uint64_t counted = 0;
    {
      allocation_counter counter;
      for (int round = 0; round < 50; ++round) policies->evaluate(requests[i], *entities, out, options);
      counted = counter.count();
    }
    CAPTURE(i);
    CHECK(counted == 0);
  }
}

TEST_CASE("allocations: a reused decision carries nothing over from the previous request") {
  auto policies = mandate::policy_set::compile(policies_text, "alloc.cedar");
  REQUIRE(policies.has_value());
  auto entities = mandate::entity_store::from_json(entities_text, "alloc.json");
  REQUIRE(entities.has_value());
  const std::vector<mandate::request> requests = requests_for_every_outcome();
  const mandate::evaluation_options options{.now_ms = 0};
  const mandate::entity_ref alice{"User", "alice"};
  const mandate::entity_ref bot{"Agent", "bot"};
  const std::vector<mandate::delegation_hop> hop{
      {alice, bot, {{"Action", "read"}}, 0, 1'000'000, "", std::nullopt}};
  std::vector<mandate::request> all = requests;
  for (const auto& req : requests) all.push_back(req.with_delegation(bot, hop));
  // Every request decided into one dirty decision equals the same request decided fresh.
  mandate::decision reused;
  for (int round = 0; round < 2; ++round) {
    for (std::size_t i = 0; i < all.size(); ++i) {
      reused.response = mandate::session_response::throttle;  // as a session would have left it
      reused.retry_after_ms = 30'000;
      policies->evaluate(all[i], *entities, reused, options);
      const mandate::decision fresh = policies->evaluate(all[i], *entities, options);
      CAPTURE(i);
      CHECK(mandate::to_json(reused) == mandate::to_json(fresh));
      CHECK(reused.response == mandate::session_response::none);
      CHECK(reused.retry_after_ms == 0);
    }
  }
}
