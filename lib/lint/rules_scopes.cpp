// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Rules about scopes: scopes that are too wide, and policies that another policy makes
// pointless. The pairwise rules never compare every pair: duplicates are bucketed by a
// structural hash, and covering policies are indexed by the keys a covered scope must share
// with them (action, principal and resource entity or type), so 10,000 policies cost about
// 10,000 lookups.
#include <unordered_map>

#include "lint/lint_internal.hpp"

namespace mandate::detail::lint {
namespace {

bool constrained(const scope_constraint& c) { return c.op != scope_op::any || c.slot; }

std::uint64_t mix(std::uint64_t h, std::uint64_t v) noexcept {
  h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  return h * 0xFF51AFD7ED558CCDULL;
}

// Keys under which a covering constraint is filed: a covered constraint looks itself up under
// the keys of lookup_keys, and every constraint that can cover it is filed under one of them.
void file_keys(const scope_constraint& c, std::vector<std::uint64_t>& out) {
  switch (c.op) {
    case scope_op::any:
      out.push_back(0);
      return;
    case scope_op::equal:
    case scope_op::in:
    case scope_op::is_in:
      out.push_back(c.entity.key());
      return;
    case scope_op::is:
      out.push_back(type_key(c.type));
      return;
    case scope_op::in_list:
      for (entity_uid e : c.list) out.push_back(e.key());
      return;
  }
}

void lookup_keys(const scope_constraint& c, std::vector<std::uint64_t>& out) {
  out.push_back(0);
  switch (c.op) {
    case scope_op::any:
      return;
    case scope_op::equal:
      out.push_back(c.entity.key());
      out.push_back(type_key(c.entity.type));
      return;
    case scope_op::in:
      out.push_back(c.entity.key());
      return;
    case scope_op::is:
      out.push_back(type_key(c.type));
      return;
    case scope_op::is_in:
      out.push_back(c.entity.key());
      out.push_back(type_key(c.type));
      return;
    case scope_op::in_list:
      if (!c.list.empty()) out.push_back(c.list.front().key());
      return;
  }
}

bool covers(const policy& outer, const policy& inner) {
  return scope_covers(outer.principal, inner.principal) && scope_covers(outer.action, inner.action) &&
         scope_covers(outer.resource, inner.resource);
}

bool same_scope(const policy& a, const policy& b) {
  return scope_equal(a.principal, b.principal) && scope_equal(a.action, b.action) &&
         scope_equal(a.resource, b.resource);
}

// Annotations that travel with a decision and change what the caller does with it.
bool acts_through_annotations(const policy& p) {
  return p.find_annotation("approvers") != nullptr || p.find_annotation("response") != nullptr;
}

class cover_index {
 public:
  void add(std::uint32_t index, const policy& p) {
    std::vector<std::uint64_t> a, pr, r;
    file_keys(p.action, a);
    file_keys(p.principal, pr);
    file_keys(p.resource, r);
    for (auto x : a)
      for (auto y : pr)
        for (auto z : r) buckets_[key(p.kind, x, y, z)].push_back(index);
  }

  // The first policy of `kind` in the index, other than `self` and `skip` accepts, whose scope covers
  // `inner`.
  template <typename Skip>
  std::optional<std::uint32_t> find(const std::vector<policy>& all, effect kind, std::uint32_t self,
                                    const policy& inner, Skip skip) const {
    std::vector<std::uint64_t> a, pr, r;
    lookup_keys(inner.action, a);
    lookup_keys(inner.principal, pr);
    lookup_keys(inner.resource, r);
    std::optional<std::uint32_t> best;
    for (auto x : a)
      for (auto y : pr)
        for (auto z : r) {
          auto it = buckets_.find(key(kind, x, y, z));
          if (it == buckets_.end()) continue;
          for (std::uint32_t j : it->second) {
            if (j == self || (best && *best <= j) || skip(j) || !covers(all[j], inner)) continue;
            best = j;
            break;
          }
        }
    return best;
  }

 private:
  static std::uint64_t key(effect kind, std::uint64_t a, std::uint64_t p, std::uint64_t r) {
    return mix(mix(mix(static_cast<std::uint64_t>(kind), a), p), r);
  }
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> buckets_;
};

}  // namespace

void check_scopes(const context& cx) {
  const auto& ast = cx.ast;
  for (std::uint32_t i = 0; i < ast.policies.size(); ++i) {
    const policy& p = ast.policies[i];
    const bool any_principal = !constrained(p.principal);
    const bool any_action = !constrained(p.action);
    const bool any_resource = !constrained(p.resource);
    if (p.kind == effect::permit && any_principal && any_action && any_resource) {
      cx.report(
          "permit-unconstrained", p.effect_span,
          p.conditions.empty()
              ? "permit " + cx.name(i) +
                    " constrains neither principal, action nor resource and has no condition: it allows "
                    "every request that no forbid stops; constrain its scope"
              : "permit " + cx.name(i) +
                    " constrains neither principal, action nor resource, so only its conditions stand "
                    "between any agent and any action; constrain the scope too");
    } else if (p.kind == effect::permit && any_action) {
      cx.report("permit-any-action", p.action.span,
                "permit " + cx.name(i) + " constrains the " + (any_principal ? "resource" : "principal") +
                    " but not the action, so it grants every action, including ones added later; list the "
                    "actions (`action in [...]`)");
    }
    if (p.kind == effect::forbid && any_principal && any_action && any_resource && p.conditions.empty())
      cx.report(
          "forbid-everything", p.effect_span,
          "forbid " + cx.name(i) +
              " has an unconstrained scope and no condition, so it denies every request; constrain it or "
              "add a condition");
  }
}

void check_pairs(const context& cx) {
  const auto& ast = cx.ast;
  const auto& all = ast.policies;
  const std::uint32_t n = static_cast<std::uint32_t>(all.size());

  // Exact duplicates and permit/forbid pairs with the same body. Policies are bucketed by a
  // structural hash; within a bucket each distinct body keeps the first policy of each effect,
  // so a bucket of thousands of identical policies costs one comparison per policy.
  std::vector<std::int64_t> duplicate_of(n, -1);
  std::vector<bool> cancelled(n, false);
  constexpr std::int64_t none = -1;
  struct body {
    std::uint32_t sample;
    std::int64_t first[3] = {none, none, none};  // by effect
  };
  std::unordered_map<std::uint64_t, std::vector<body>> bodies;
  for (std::uint32_t i = 0; i < n; ++i) {
    auto& group = bodies[policy_hash(ast, all[i], false)];
    body* same = nullptr;
    for (body& b : group)
      if (same_scope(all[b.sample], all[i]) && conditions_equal(ast, all[b.sample], all[i])) {
        same = &b;
        break;
      }
    if (same == nullptr) same = &group.emplace_back(body{i});
    std::int64_t& first = same->first[static_cast<int>(all[i].kind)];
    if (first != none) {
      duplicate_of[i] = first;
      const auto j = static_cast<std::uint32_t>(first);
      cx.report("duplicate-policy", all[i].effect_span,
                "policy " + cx.name(i) + " is identical to " + cx.name(j) + " (" + cx.where(j) +
                    ") except for its annotations; remove one of them");
      continue;
    }
    first = i;
    const std::int64_t permit = same->first[static_cast<int>(effect::permit)];
    const std::int64_t forbid = same->first[static_cast<int>(effect::forbid)];
    if (permit == none || forbid == none) continue;
    const auto p = static_cast<std::uint32_t>(permit);
    const auto f = static_cast<std::uint32_t>(forbid);
    cancelled[p] = true;
    cx.report("cancelling-pair", all[p].effect_span,
              "permit " + cx.name(p) + " and forbid " + cx.name(f) + " (" + cx.where(f) +
                  ") have the same scope and conditions, so the permit never allows anything; remove one or "
                  "make them differ");
  }

  // Covering policies: unconditional, not templates.
  cover_index index;
  for (std::uint32_t i = 0; i < n; ++i)
    if (unconditional(all[i]) && !all[i].is_template()) index.add(i, all[i]);
  for (std::uint32_t i = 0; i < n; ++i) {
    const policy& p = all[i];
    if (p.is_template() || duplicate_of[i] >= 0) continue;
    if (p.kind != effect::forbid && !cancelled[i]) {
      auto f = index.find(all, effect::forbid, i, p, [](std::uint32_t) { return false; });
      if (f) {
        cx.report("shadowed-by-forbid", p.effect_span,
                  std::string(effect_name(p.kind)) + " " + cx.name(i) +
                      " can never take effect: its scope lies inside that of the unconditional forbid " +
                      cx.name(*f) + " (" + cx.where(*f) + "); narrow the forbid or remove this policy");
        continue;
      }
    }
    if (acts_through_annotations(p)) continue;
    auto r = index.find(all, p.kind, i, p, [&](std::uint32_t j) {
      // An identical twin is duplicate-policy's business, reported on the later one.
      return duplicate_of[j] == static_cast<std::int64_t>(i) || (same_scope(all[j], p) && unconditional(p));
    });
    if (r)
      cx.report("redundant-policy", p.effect_span,
                std::string(effect_name(p.kind)) + " " + cx.name(i) +
                    " never changes a decision: its scope lies " + "inside that of " + cx.name(*r) + " (" +
                    cx.where(*r) + "), which has the same effect and no " +
                    "condition; remove it or narrow the other");
  }
}

}  // namespace mandate::detail::lint
