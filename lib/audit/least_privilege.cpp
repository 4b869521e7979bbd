// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The least-privilege report (LANGUAGE.md 4): audit logs read back against the policies.
//
// What the logs can and cannot say. A record keeps who, what, which resource, the chain and the
// outcome, but not the request's context, so whatever is re-evaluated here runs with an empty
// context. A condition that reads the context then errs; how that is treated is chosen per
// question below so that the report errs towards showing privilege, never towards hiding it.
//
// - Unused permits: permits that neither appear among the reasons of an allow or require_approval
//   record, nor are satisfied for one of the other identities of such a record's chain. The
//   second part matters because a chained decision names only the deciding identity's policies
//   (the root's, when every identity allows), yet the agent's own permit was just as necessary.
//   Those identities are re-evaluated alone as the principal, in the record's mode. A permit
//   that only ever decided through the context of a non-deciding identity is reported unused:
//   a false "unused" asks a person to look, a false "used" would hide a stale right.
// - Agents: an agent is the record's actor, or the last delegate of its chain. Its ceiling is
//   what the policies allow the agent itself, as the principal with no chain, for every
//   action entity of the store (leaving out action groups, which name sets of actions rather
//   than something a request does) and every action in the logs, on each resource the logs
//   show it touching. Through the logged chain the answer would mix in the human's rights and
//   the grant's scope, which are not the agent's policies to tighten; an unused grant shows up
//   in its own list. The ceiling is evaluated in Cedar mode: a forbid that errs for want of
//   context is skipped, so it does not hide the reach of the permits behind it. Require-approval
//   counts as allowed on both sides: the agent can get there, and asked to when it was logged.
// - Unused grants: grant ids on the hops of a record's chain, or the record's own grant, that
//   no allow or require_approval record carries.
// - Deep chains: for each allowed record with two or more hops, the shortest chain from the
//   same root to the same agent, keeping a subset of the intermediate identities in order,
//   that still allows. Dropping identity k merges the hops either side of it into one hop
//   with the later hop's scope, resource and grant (the narrower, since a child may not widen)
//   and the intersection of their validity windows, evaluated at the record's time in its mode.
//   The full chain is re-evaluated the same way first; when that no longer allows (the policies
//   changed, or the context mattered) nothing is claimed.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "ast/ast.hpp"
#include "base/symbol.hpp"
#include "compile/plan.hpp"
#include "mandate/audit.hpp"
#include "value/store.hpp"

namespace mandate {
inline namespace v0 {
namespace {

struct entity_less {
  bool operator()(const entity_ref& a, const entity_ref& b) const {
    return std::tie(a.type, a.id) < std::tie(b.type, b.id);
  }
};
using entity_set = std::set<entity_ref, entity_less>;

// Allow and require_approval both mean the policies let the request through (the latter after
// a person agrees), so both count as use of what decided them.
bool let_through(verdict v) noexcept { return v == verdict::allow || v == verdict::require_approval; }

std::optional<entity_ref> acting_agent(const audit_record& r) {
  if (r.agent) return r.agent;
  if (!r.chain.empty()) return r.chain.back().delegate;
  return std::nullopt;
}

bool is_action_type(std::string_view type) { return type == "Action" || type.ends_with("::Action"); }

entity_ref to_ref(detail::entity_uid uid) {
  return {std::string(detail::symbol_text(uid.type)), std::string(detail::symbol_text(uid.id))};
}

// Action entities of the store that are not the parent of another action.
entity_set store_actions(const entity_store& entities) {
  const detail::entity_data& data = entities.internals();
  std::set<std::uint64_t> groups;
  for (const detail::entity_record& record : data.records) {
    if (!is_action_type(detail::symbol_text(record.uid.type))) continue;
    for (detail::entity_uid parent : record.parents) groups.insert(parent.key());
  }
  entity_set actions;
  for (const detail::entity_record& record : data.records) {
    if (is_action_type(detail::symbol_text(record.uid.type)) && !groups.contains(record.uid.key()))
      actions.insert(to_ref(record.uid));
  }
  return actions;
}

std::vector<std::string> find_unused_permits(const policy_set& policies,
                                             const std::vector<audit_record>& records,
                                             const entity_store& entities) {
  std::set<std::string> used;
  for (const audit_record& r : records) {
    if (!let_through(r.outcome)) continue;
    used.insert(r.reasons.begin(), r.reasons.end());
    if (r.chain.empty()) continue;
    // Every identity of a let-through chain was allowed when it was decided. The record has no
    // context, so a forbid that reads it can only err here: Cedar mode skips it, and the
    // permits that let the identity through show in the reasons.
    evaluation_options options;
    options.mode = eval_mode::cedar;
    for (std::size_t identity = 0; identity <= r.chain.size(); ++identity) {
      if (static_cast<std::int32_t>(identity) == r.deciding_hop) continue;  // its reasons are logged
      const entity_ref& principal = identity == 0 ? r.principal : r.chain[identity - 1].delegate;
      const decision d = policies.evaluate(request(principal, r.action, r.resource), entities, options);
      if (let_through(d.outcome)) used.insert(d.reasons.begin(), d.reasons.end());
    }
  }
  const detail::compiled_policy_set& set = policies.internals();
  std::vector<std::string> unused;
  for (std::size_t i = 0; i < set.ast.policies.size(); ++i) {
    const detail::policy& p = set.ast.policies[i];
    // A template decides nothing itself; its links are policies of their own, with their own ids.
    if (p.kind == detail::effect::permit && !p.is_template() && !used.contains(set.ids[i]))
      unused.push_back(set.ids[i]);
  }
  std::sort(unused.begin(), unused.end());
  return unused;
}

std::vector<least_privilege_report::agent_excess> find_agent_excess(const policy_set& policies,
                                                                    const std::vector<audit_record>& records,
                                                                    const entity_store& entities) {
  struct agent_log {
    entity_set resources;
    entity_set used;
  };
  std::map<entity_ref, agent_log, entity_less> agents;
  entity_set candidate_actions = store_actions(entities);
  for (const audit_record& r : records) {
    candidate_actions.insert(r.action);
    const std::optional<entity_ref> agent = acting_agent(r);
    if (!agent) continue;  // a person acting directly: not this report's question
    agent_log& log = agents[*agent];
    log.resources.insert(r.resource);
    if (let_through(r.outcome)) log.used.insert(r.action);
  }

  evaluation_options ceiling_options;
  ceiling_options.mode = eval_mode::cedar;
  std::vector<least_privilege_report::agent_excess> out;
  for (const auto& [agent, log] : agents) {
    least_privilege_report::agent_excess entry;
    entry.agent = agent;
    for (const entity_ref& action : candidate_actions) {
      const bool allowed =
          // Named capture: clang before 16 cannot capture a structured binding.
          std::any_of(
              log.resources.begin(), log.resources.end(), [&, &who = agent](const entity_ref& resource) {
                return let_through(
                    policies.evaluate(request(who, action, resource), entities, ceiling_options).outcome);
              });
      if (!allowed) continue;
      entry.allowed_actions.push_back(action);
      if (!log.used.contains(action)) entry.excess_actions.push_back(action);
    }
    if (entry.excess_actions.empty()) continue;
    entry.used_actions.assign(log.used.begin(), log.used.end());
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<std::string> find_unused_grants(const std::vector<audit_record>& records,
                                            const std::vector<std::string>& issued_grants) {
  std::set<std::string> seen(issued_grants.begin(), issued_grants.end());
  std::set<std::string> used;
  for (const audit_record& r : records) {
    std::set<std::string>& target = let_through(r.outcome) ? used : seen;
    for (const delegation_hop& hop : r.chain)
      if (!hop.grant.empty()) target.insert(hop.grant);
    if (!r.grant_id.empty()) target.insert(r.grant_id);
  }
  std::vector<std::string> unused;
  std::set_difference(seen.begin(), seen.end(), used.begin(), used.end(), std::back_inserter(unused));
  return unused;
}

// The chain through the kept identities (indices into root, delegate 1, ..., delegate n; the
// first is 0 and the last is n), merging the hops between consecutive kept identities.
std::vector<delegation_hop> shortened_chain(const std::vector<delegation_hop>& chain,
                                            const std::vector<std::size_t>& kept) {
  std::vector<delegation_hop> out;
  for (std::size_t k = 0; k + 1 < kept.size(); ++k) {
    const std::size_t first = kept[k];
    const std::size_t last = kept[k + 1] - 1;
    delegation_hop merged = chain[last];
    merged.delegator = chain[first].delegator;
    for (std::size_t i = first; i < last; ++i) {
      merged.issued_at_ms = std::max(merged.issued_at_ms, chain[i].issued_at_ms);
      merged.expires_at_ms = std::min(merged.expires_at_ms, chain[i].expires_at_ms);
    }
    out.push_back(std::move(merged));
  }
  return out;
}

bool allows_through(const policy_set& policies, const entity_store& entities, const audit_record& r,
                    const std::vector<delegation_hop>& chain) {
  const evaluation_options options{.mode = r.mode,
                                   .now_ms = r.time_ms,
                                   .max_delegation_depth = static_cast<std::uint32_t>(std::max<std::size_t>(
                                       chain.size(), evaluation_options{}.max_delegation_depth))};
  const request req = request(r.principal, r.action, r.resource).with_delegation(r.agent, chain);
  return policies.evaluate(req, entities, options).outcome == verdict::allow;
}

// Hops of the shortest chain that still allows, or the chain's own depth when none is shorter.
std::size_t needed_depth(const policy_set& policies, const entity_store& entities, const audit_record& r) {
  const std::size_t depth = r.chain.size();
  const std::size_t intermediates = depth - 1;
  // Chains are at most a few hops (the evaluation default allows 8), so trying every subset of
  // intermediates, smallest first, is cheap and finds the true minimum.
  for (std::size_t keep = 0; keep < intermediates; ++keep) {
    std::vector<bool> chosen(intermediates, false);
    std::fill(chosen.begin(), chosen.begin() + static_cast<std::ptrdiff_t>(keep), true);
    do {
      std::vector<std::size_t> kept{0};
      for (std::size_t i = 0; i < intermediates; ++i)
        if (chosen[i]) kept.push_back(i + 1);
      kept.push_back(depth);
      if (allows_through(policies, entities, r, shortened_chain(r.chain, kept))) return keep + 1;
    } while (std::prev_permutation(chosen.begin(), chosen.end()));
  }
  return depth;
}

std::vector<least_privilege_report::deep_chain> find_deep_chains(const policy_set& policies,
                                                                 const std::vector<audit_record>& records,
                                                                 const entity_store& entities) {
  std::vector<least_privilege_report::deep_chain> out;
  for (const audit_record& r : records) {
    if (r.outcome != verdict::allow || r.chain.size() < 2) continue;
    if (!allows_through(policies, entities, r, r.chain)) continue;
    const std::size_t needed = needed_depth(policies, entities, r);
    if (needed < r.chain.size()) out.push_back({r.decision_id, r.chain.size(), needed});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.decision_id, a.depth, a.needed) < std::tie(b.decision_id, b.depth, b.needed);
  });
  return out;
}

nlohmann::ordered_json entity_json(const entity_ref& e) { return {{"type", e.type}, {"id", e.id}}; }

nlohmann::ordered_json entities_json(const std::vector<entity_ref>& list) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const entity_ref& e : list) out.push_back(entity_json(e));
  return out;
}

}  // namespace

least_privilege_report build_least_privilege_report(const policy_set& policies,
                                                    const std::vector<audit_record>& records,
                                                    const entity_store& entities,
                                                    const std::vector<std::string>& issued_grants) {
  least_privilege_report report;
  report.unused_permits = find_unused_permits(policies, records, entities);
  report.agents = find_agent_excess(policies, records, entities);
  report.unused_grants = find_unused_grants(records, issued_grants);
  report.deep_chains = find_deep_chains(policies, records, entities);
  return report;
}

std::string to_json(const least_privilege_report& report) {
  using json = nlohmann::ordered_json;
  json out;
  out["unused_permits"] = report.unused_permits;
  json agents = json::array();
  for (const auto& entry : report.agents) {
    agents.push_back(json{{"agent", entity_json(entry.agent)},
                          {"allowed_actions", entities_json(entry.allowed_actions)},
                          {"used_actions", entities_json(entry.used_actions)},
                          {"excess_actions", entities_json(entry.excess_actions)}});
  }
  out["agents"] = std::move(agents);
  out["unused_grants"] = report.unused_grants;
  json chains = json::array();
  for (const auto& chain : report.deep_chains)
    chains.push_back(
        json{{"decision_id", chain.decision_id}, {"depth", chain.depth}, {"needed", chain.needed}});
  out["deep_chains"] = std::move(chains);
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace v0
}  // namespace mandate
