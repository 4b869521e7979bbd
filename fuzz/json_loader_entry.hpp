// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Fuzz entry for the JSON loaders. The first byte picks what the rest is: bit 0 clear, Cedar
// entity JSON; set, a Cedar JSON request. Bit 1 reads it with a small fixed schema (bit 2 then
// asks for request validation). Whatever loads is evaluated against a fixed policy set by both
// evaluators, which must agree, so odd values that get through loading are exercised too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "mandate/entities.hpp"
#include "mandate/policy_set.hpp"
#include "mandate/request.hpp"
#include "mandate/schema.hpp"

namespace mandate_fuzz {

inline const mandate::schema* json_loader_schema() {
  static const auto parsed = mandate::schema::parse(R"(
    entity Group { name: String };
    entity User in [Group] { name: String, level?: Long, ip?: ipaddr, tags?: Set<String>, boss?: User };
    entity Doc in [Group] { owner: User, size: Long, limit?: decimal, when?: datetime, ttl?: duration } tags String;
    action read, write appliesTo { principal: [User], resource: [Doc], context: { n?: Long, ok?: Bool, who?: User } };
    action all;
  )",
                                                    "<fuzz-schema>");
  return parsed ? &*parsed : nullptr;
}

inline const mandate::policy_set* json_loader_policies() {
  static const auto compiled = mandate::policy_set::compile(R"(
    permit (principal, action, resource) when { principal has level && principal.level > 2 };
    permit (principal in Group::"g", action in [Action::"read", Action::"all"], resource is Doc)
      when { resource.owner == principal || resource.size < 10 };
    forbid (principal, action, resource) when { context has n && context.n * 2 > 7 };
    forbid (principal, action, resource) when { resource.hasTag("secret") && resource.getTag("secret") like "*x*" };
    require_approval (principal, action == Action::"write", resource)
      when { principal.ip.isInRange(ip("10.0.0.0/8")) || resource.limit.lessThan(decimal("1.5")) };
    permit (principal, action, resource) when { principal.tags.containsAny(["a", "b"]) && context.ok };
    permit (principal is User, action, resource) when { principal.boss.name == principal.name };
    forbid (principal, action, resource) when { resource.when < datetime("2024-01-01") || resource.ttl > duration("1h") };
  )",
                                                            "<fuzz-policies>");
  return compiled ? &*compiled : nullptr;
}

inline std::string run_json_loader(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return {};
  const std::uint8_t selector = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const mandate::schema* schema = (selector & 2) != 0 ? json_loader_schema() : nullptr;
  const mandate::policy_set* policies = json_loader_policies();
  if (policies == nullptr) return "the fixed policy set does not compile";

  if ((selector & 1) == 0) {
    auto entities = schema != nullptr ? mandate::entity_store::from_json(text, "<fuzz>", *schema)
                                      : mandate::entity_store::from_json(text, "<fuzz>");
    if (!entities) return {};
    (void)entities->size();
    for (const char* who : {"u", "alice", ""}) {
      const mandate::request req({"User", who}, {"Action", "read"}, {"Doc", "d"});
      if (auto failure = compare_evaluators(*policies, req, *entities); !failure.empty()) return failure;
    }
    return {};
  }
  auto req = schema != nullptr ? mandate::request::from_json(text, *schema, (selector & 4) != 0)
                               : mandate::request::from_json(text);
  if (!req) return {};
  (void)req->principal();
  (void)req->agent();
  (void)req->delegation();
  static const auto store = mandate::entity_store::from_json(R"([
    {"uid": {"type": "User", "id": "u"}, "attrs": {"name": "u", "level": 3, "tags": ["a"]}, "parents": [{"type": "Group", "id": "g"}]},
    {"uid": {"type": "Doc", "id": "d"}, "attrs": {"owner": {"__entity": {"type": "User", "id": "u"}}, "size": 4},
     "parents": [], "tags": {"secret": "xyz"}}
  ])");
  if (!store) return "the fixed entities do not load";
  return compare_evaluators(*policies, *req, *store);
}

}  // namespace mandate_fuzz
