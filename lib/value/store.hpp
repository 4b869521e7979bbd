// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The loaded forms behind the public entity_store and request classes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mandate/entities.hpp"
#include "mandate/request.hpp"
#include "value/value.hpp"

namespace mandate::detail {

struct entity_record {
  entity_uid uid;
  value attributes;  // a record
  value tags;        // a record
  std::vector<entity_uid> parents;
  /// Every ancestor (transitively), as sorted uid keys: `in` is a binary search.
  std::vector<std::uint64_t> ancestors;
};

struct entity_data {
  std::unordered_map<std::uint64_t, std::uint32_t> index;  // uid key -> position in records
  std::vector<entity_record> records;
  arena storage{1 << 16};
  /// The limits the store was loaded with, so that a copy patched later (a token-claims-change)
  /// is closed under the same ones.
  entity_limits limits;

  [[nodiscard]] const entity_record* find(entity_uid uid) const noexcept {
    auto it = index.find(uid.key());
    return it == index.end() ? nullptr : &records[it->second];
  }

  /// Cedar's `in` on entities: reflexive and transitive over parents.
  [[nodiscard]] bool descends_from(entity_uid child, entity_uid ancestor) const noexcept {
    if (child == ancestor) return true;
    const entity_record* rec = find(child);
    return rec != nullptr && std::binary_search(rec->ancestors.begin(), rec->ancestors.end(), ancestor.key());
  }

  /// Why the hierarchy could not be closed within the limits: the record where a limit was
  /// crossed, and a message naming it and the limit.
  struct hierarchy_problem {
    std::uint32_t record = 0;
    std::string message;
  };
  /// Fills `ancestors` of every record from `parents`; a cycle is tolerated (Cedar allows
  /// it in data). Call once after all records are added. Past `bounds` it stops early and
  /// returns the problem; the store's ancestors are then incomplete and it must not be used,
  /// since a missing ancestor could keep a forbid from applying.
  [[nodiscard]] std::optional<hierarchy_problem> compute_ancestors(const entity_limits& bounds = {});

  /// Wraps loaded data in the public handle.
  static entity_store publish(std::shared_ptr<entity_data> data) { return entity_store(std::move(data)); }
};

namespace temporal {
class leaf_oracle;
}

/// What the evaluators read of a request. A delegation chain is evaluated as one view per
/// identity in the chain, each with that identity as the principal.
struct request_view {
  entity_uid principal;
  entity_uid action;
  entity_uid resource;
  value context;  // a record
  /// Answers `temporal { ... }` conditions: the session's history, or the request alone.
  const temporal::leaf_oracle* temporal = nullptr;
};

/// One hop of a delegation chain, root first (LANGUAGE.md 2.3).
struct delegation_hop_data {
  entity_uid delegator;
  entity_uid delegate;
  std::vector<entity_uid> scope;  // actions or action groups
  bool has_resource = false;      // the hop covers only this resource and what is in it
  entity_uid resource;
  std::int64_t issued_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::string grant;
};

struct request_data : request_view {
  bool has_agent = false;
  entity_uid agent;
  std::vector<delegation_hop_data> delegation;
  arena storage{512};
  // A copy that reuses another request's context keeps that request's storage alive.
  std::shared_ptr<const request_data> context_owner;

  static request publish(std::shared_ptr<request_data> data) { return request(std::move(data)); }
};

}  // namespace mandate::detail
