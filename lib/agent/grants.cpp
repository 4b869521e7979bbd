// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Just-in-time grants (LANGUAGE.md 2.4). A grant is a delegation hop the library mints and
// keeps; presenting it turns a request into a delegated one whose chain is the grant's ancestry,
// so every identity and every hop's scope is checked again at each request (lib/eval/chain.cpp)
// and a human who loses a right takes it from the agent at once. What the store adds is life
// and death: expiry, task completion and revocation, cascading to every grant delegated below.
#include "mandate/grants.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <deque>
#include <limits>
#include <random>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "agent/time_text.hpp"
#include "base/symbol.hpp"
#include "value/store.hpp"
#include "value/value.hpp"

namespace mandate {
inline namespace v0 {
namespace {

// revoked_because of every grant that died with its task starts with this; it is how state()
// tells task_completed from revoked, in memory and in the file alike.
constexpr std::string_view completed_prefix = "task completed";

// Longest ancestry state() follows when it has no evaluation options to take the limit from;
// well beyond any chain evaluation accepts, so it only stops a cycle in hand-edited data.
constexpr std::size_t state_walk_limit = 64;

using refusal = unexpected<grant_refusal>;

std::string cedar_text(const entity_ref& ref) { return ref.type + "::" + detail::quote(ref.id); }

detail::entity_uid uid_of(const entity_ref& ref) {
  return {detail::intern(ref.type), detail::intern(ref.id)};
}

bool is_action_type(std::string_view type) { return type == "Action" || type.ends_with("::Action"); }

// The life of one grant on its own, ignoring what it was delegated from. A grant revoked after it
// had already expired died of expiry: that is the first thing that stopped it.
grant_state own_state(const grant& g, std::int64_t now) {
  if (g.revoked && g.revoked_at_ms < g.expires_at_ms)
    return g.revoked_because.starts_with(completed_prefix) ? grant_state::task_completed
                                                           : grant_state::revoked;
  if (g.revoked || now >= g.expires_at_ms) return grant_state::expired;
  return grant_state::active;
}

// A grant and every grant it was delegated from, root first.
struct lineage {
  enum class problem : std::uint8_t { none, unknown, too_deep };
  std::vector<grant> root_first;
  problem trouble = problem::none;
  std::string missing_id;  // for `unknown`: the grant or ancestor that is not in the store
};

lineage trace_lineage(const grant_store& store, std::string_view grant_id, std::size_t max_grants) {
  lineage out;
  std::string next(grant_id);
  while (!next.empty()) {
    // A chain longer than evaluation accepts, or a cycle of parents in edited data, stops here.
    if (out.root_first.size() == max_grants) {
      out.trouble = lineage::problem::too_deep;
      break;
    }
    std::optional<grant> found = store.find(next);
    if (!found) {
      out.trouble = lineage::problem::unknown;
      out.missing_id = std::move(next);
      break;
    }
    next = found->parent;
    out.root_first.push_back(std::move(*found));
  }
  std::reverse(out.root_first.begin(), out.root_first.end());
  return out;
}

// The first grant of a lineage that no longer works, nearest the presented grant first.
struct ended_grant {
  const grant* which = nullptr;
  grant_state why = grant_state::active;
};

ended_grant first_ended(const lineage& line, std::int64_t now) {
  for (auto it = line.root_first.rbegin(); it != line.root_first.rend(); ++it) {
    if (const grant_state s = own_state(*it, now); s != grant_state::active) return {&*it, s};
  }
  return {};
}

const char* violation_code(grant_state s) {
  switch (s) {
    case grant_state::expired:
      return "grant.expired";
    case grant_state::task_completed:
      return "grant.task_completed";
    case grant_state::revoked:
      return "grant.revoked";
    case grant_state::active:
      break;
  }
  return "grant.revoked";
}

std::string ended_message(const ended_grant& ended, std::string_view presented_id) {
  const grant& g = *ended.which;
  const std::string subject =
      g.id == presented_id ? fmt::format("grant {}", g.id)
                           : fmt::format("grant {}, which grant {} was delegated from,", g.id, presented_id);
  if (ended.why == grant_state::expired)
    return fmt::format("{} expired at {}", subject, detail::format_rfc3339(g.expires_at_ms));
  return fmt::format("{} stopped at {}: {}", subject, detail::format_rfc3339(g.revoked_at_ms),
                     g.revoked_because);
}

delegation_hop hop_of(const grant& g) {
  return {g.principal, g.agent, g.scope, g.issued_at_ms, g.expires_at_ms, g.id, g.resource};
}

std::vector<delegation_hop> chain_of(const std::vector<grant>& root_first) {
  std::vector<delegation_hop> chain;
  chain.reserve(root_first.size());
  for (const grant& g : root_first) chain.push_back(hop_of(g));
  return chain;
}

bool same_hop(const delegation_hop& a, const delegation_hop& b) {
  return a.delegator == b.delegator && a.delegate == b.delegate && a.scope == b.scope &&
         a.issued_at_ms == b.issued_at_ms && a.expires_at_ms == b.expires_at_ms && a.grant == b.grant &&
         a.resource == b.resource;
}

decision refused(const evaluation_options& options, std::string_view code, std::string message) {
  decision out;
  out.outcome = verdict::deny;
  out.mode = options.mode;
  out.chain_violation = std::string(code);
  out.chain_message = std::move(message);
  return out;
}

// The actions issuing checks: each action of the scope, and for an action group every action
// entity the store places inside it, so a grant of `read_group` is refused when the policies
// forbid any one of its members.
// The actions a scope stands for: each action named, except that a group stands for its
// member actions (policies are often written against the members, `action in [read, list]`,
// and the group entity itself is never requested).
std::vector<entity_ref> actions_to_check(const std::vector<entity_ref>& scope, const entity_store& entities) {
  const detail::entity_data& data = entities.internals();
  std::vector<entity_ref> out;
  auto add = [&](entity_ref action) {
    if (std::find(out.begin(), out.end(), action) == out.end()) out.push_back(std::move(action));
  };
  for (const entity_ref& action : scope) {
    const detail::entity_uid group = uid_of(action);
    bool has_members = false;
    for (const detail::entity_record& record : data.records) {
      if (record.uid == group || !is_action_type(detail::symbol_text(record.uid.type))) continue;
      if (!data.descends_from(record.uid, group)) continue;
      has_members = true;
      // A member that is itself a group is checked through its own members.
      const bool is_group = std::any_of(data.records.begin(), data.records.end(), [&](const auto& other) {
        return !(other.uid == record.uid) && data.descends_from(other.uid, record.uid);
      });
      if (!is_group)
        add({std::string(detail::symbol_text(record.uid.type)),
             std::string(detail::symbol_text(record.uid.id))});
    }
    if (!has_members) add(action);
  }
  return out;
}

// 128 bits from the operating system's entropy source: a grant id is a bearer reference, so it
// must not be guessable from other ids or from the time.
std::string new_grant_id() {
  std::random_device entropy;
  std::string id = "g-";
  for (int word = 0; word < 4; ++word) id += fmt::format("{:08x}", static_cast<std::uint32_t>(entropy()));
  return id;
}

// now + duration without overflow, and never past the last instant the grants file can write.
std::int64_t expiry_after(std::int64_t now, std::int64_t duration_ms) {
  if (duration_ms > detail::latest_rfc3339_ms - now) return detail::latest_rfc3339_ms;
  return now + duration_ms;
}

grant_refusal refusal_of(std::string code, std::string message) {
  return {std::move(code), std::move(message), {}};
}

std::optional<grant_refusal> check_shape(const grant_request& asked) {
  if (asked.task.empty()) return refusal_of("grant.bad_request", "a grant needs a task");
  if (asked.scope.empty())
    return refusal_of("grant.bad_request", "a grant needs at least one action in its scope");
  if (asked.duration_ms <= 0)
    return refusal_of("grant.bad_request",
                      fmt::format("a grant needs a positive duration, not {} ms", asked.duration_ms));
  if (asked.agent.type.empty()) return refusal_of("grant.bad_request", "a grant needs an agent");
  if (asked.resource.type.empty()) return refusal_of("grant.bad_request", "a grant needs a resource");
  if (asked.principal.type.empty() && asked.parent_grant.empty())
    return refusal_of("grant.bad_request", "a grant needs a principal (or a parent grant to take it from)");
  for (const entity_ref& action : asked.scope) {
    if (action.type.empty()) return refusal_of("grant.bad_request", "a scope entry has no entity type");
  }
  return std::nullopt;
}

}  // namespace

grant_authority::grant_authority(std::shared_ptr<grant_store> store, clock_fn now)
    : store_(std::move(store)), now_(now ? std::move(now) : clock_fn(system_time_ms)) {}

expected<grant, grant_refusal> grant_authority::issue(const grant_request& asked, const policy_set& policies,
                                                      const entity_store& entities,
                                                      const evaluation_options& options) {
  if (auto wrong = check_shape(asked)) return refusal(std::move(*wrong));
  const std::int64_t now = now_();

  grant issued;
  issued.principal = asked.principal;
  issued.agent = asked.agent;
  issued.task = asked.task;
  issued.scope = asked.scope;
  issued.resource = asked.resource;
  issued.issued_at_ms = now;
  issued.expires_at_ms = expiry_after(now, asked.duration_ms);
  issued.parent = asked.parent_grant;

  // A completed task stays completed: new grants for it would be exactly the orphaned
  // credentials that completion exists to end.
  const auto completed = store_->select([&](const grant& g) {
    return g.task == asked.task && g.revoked && g.revoked_because.starts_with(completed_prefix);
  });
  if (!completed.empty())
    return refusal(
        refusal_of("grant.task_completed", fmt::format("task '{}' has already completed", asked.task)));

  std::vector<grant> ancestors;  // root first, ending in the parent
  if (!asked.parent_grant.empty()) {
    lineage line = trace_lineage(*store_, asked.parent_grant, options.max_delegation_depth);
    if (line.trouble == lineage::problem::unknown)
      return refusal(
          refusal_of("grant.parent_inactive",
                     line.missing_id == asked.parent_grant
                         ? fmt::format("parent grant {} is not known", asked.parent_grant)
                         : fmt::format("parent grant {} was delegated from grant {}, which is not known",
                                       asked.parent_grant, line.missing_id)));
    if (line.trouble == lineage::problem::too_deep)
      return refusal(
          refusal_of("grant.bad_request", fmt::format("parent grant {} is already {} delegations deep",
                                                      asked.parent_grant, options.max_delegation_depth)));
    if (const ended_grant ended = first_ended(line, now); ended.which != nullptr)
      return refusal(refusal_of("grant.parent_inactive", ended_message(ended, asked.parent_grant)));
    ancestors = std::move(line.root_first);
    const grant& parent = ancestors.back();
    if (issued.principal.type.empty()) issued.principal = parent.agent;
    if (!(issued.principal == parent.agent))
      return refusal(
          refusal_of("grant.bad_request",
                     fmt::format("a grant delegated from {} acts for its agent {}, not for {}", parent.id,
                                 cedar_text(parent.agent), cedar_text(issued.principal))));
    // Checked here, as well as by the chain check of every request, so that a widening grant
    // is refused with its own code rather than recorded and then never usable.
    const detail::entity_data& hierarchy = entities.internals();
    for (const entity_ref& action : issued.scope) {
      const detail::entity_uid wanted = uid_of(action);
      const bool inside = std::any_of(
          parent.scope.begin(), parent.scope.end(),
          [&](const entity_ref& allowed) { return hierarchy.descends_from(wanted, uid_of(allowed)); });
      if (!inside)
        return refusal(refusal_of(
            "grant.widens_parent",
            fmt::format("{} is not within the scope of parent grant {}", cedar_text(action), parent.id)));
    }
    if (!hierarchy.descends_from(uid_of(issued.resource), uid_of(parent.resource)))
      return refusal(
          refusal_of("grant.widens_parent",
                     fmt::format("{} is not within {}, the resource of parent grant {}",
                                 cedar_text(issued.resource), cedar_text(parent.resource), parent.id)));
    issued.expires_at_ms = std::min(issued.expires_at_ms, parent.expires_at_ms);
  }
  if (issued.principal == issued.agent)
    return refusal(refusal_of(
        "grant.bad_request",
        fmt::format("{} cannot be granted authority to act for itself", cedar_text(issued.agent))));
  issued.id = new_grant_id();
  while (store_->find(issued.id)) issued.id = new_grant_id();  // 2^-128, but cheap to rule out

  // Evaluate each action exactly as a request presenting the grant will be: the whole chain,
  // every identity in it, at the issuing instant.
  std::vector<delegation_hop> chain = chain_of(ancestors);
  chain.push_back(hop_of(issued));
  evaluation_options at_issue = options;
  at_issue.now_ms = now;
  // The probes carry no context, so a forbid that reads the context can only err here; Cedar
  // mode skips it rather than refusing every grant. Nothing is lost: every request through the
  // grant is evaluated in full, context and all, in the caller's mode.
  at_issue.mode = eval_mode::cedar;
  grant_refusal denied{"grant.denied", "", {}};
  std::vector<std::string> why;
  for (const entity_ref& action : actions_to_check(issued.scope, entities)) {
    const request probe =
        request(chain.front().delegator, action, issued.resource).with_delegation(issued.agent, chain);
    const decision d = policies.evaluate(probe, entities, at_issue);
    if (d.allowed()) continue;
    denied.denied_actions.push_back(action);
    if (!d.chain_violation.empty()) {
      why.push_back(fmt::format("{} ({})", cedar_text(action), d.chain_message));
    } else {
      why.push_back(fmt::format(
          "{} ({} for {})", cedar_text(action), to_string(d.outcome),
          d.deciding_principal.empty() ? cedar_text(chain.front().delegator) : d.deciding_principal));
    }
  }
  if (!denied.denied_actions.empty()) {
    denied.message = fmt::format("the policies do not allow {}", fmt::join(why, ", "));
    return refusal(std::move(denied));
  }

  store_->insert(issued);
  // A revocation of the parent that ran between the check above and the insert cascaded
  // without seeing this grant; look again so it cannot outlive its parent even on paper.
  if (!ancestors.empty()) {
    const lineage line = trace_lineage(*store_, issued.parent, options.max_delegation_depth);
    const ended_grant ended = first_ended(line, now);
    if (line.trouble != lineage::problem::none || ended.which != nullptr) {
      const std::string because =
          ended.which != nullptr
              ? fmt::format("{} (delegated from {})", ended.which->revoked_because, issued.parent)
              : fmt::format("revoked with parent grant {}", issued.parent);
      store_->mark_revoked(issued.id, now, because);
      return refusal(
          refusal_of("grant.parent_inactive", ended.which != nullptr
                                                  ? ended_message(ended, issued.parent)
                                                  : fmt::format("parent grant {} is gone", issued.parent)));
    }
  }
  return issued;
}

std::optional<grant_state> grant_authority::state(std::string_view grant_id) const {
  const lineage line = trace_lineage(*store_, grant_id, state_walk_limit);
  if (line.trouble == lineage::problem::unknown) {
    if (line.missing_id == grant_id) return std::nullopt;
    return grant_state::revoked;  // an ancestor that vanished from the store cannot vouch for it
  }
  const ended_grant ended = first_ended(line, now_());
  return ended.which != nullptr ? ended.why : grant_state::active;
}

expected<request, decision> grant_authority::present(const request& req, std::string_view grant_id,
                                                     evaluation_options options) const {
  if (!options.now_ms) options.now_ms = now_();
  const std::int64_t now = *options.now_ms;
  const lineage line = trace_lineage(*store_, grant_id, options.max_delegation_depth);
  if (line.trouble == lineage::problem::unknown)
    return unexpected(refused(options, "grant.unknown",
                              line.missing_id == grant_id
                                  ? fmt::format("grant {} is not known", grant_id)
                                  : fmt::format("grant {} was delegated from grant {}, which is not known",
                                                grant_id, line.missing_id)));
  if (line.trouble == lineage::problem::too_deep)
    return unexpected(refused(
        options, "chain.depth",
        fmt::format("grant {} is more than {} delegations deep", grant_id, options.max_delegation_depth)));
  if (const ended_grant ended = first_ended(line, now); ended.which != nullptr)
    return unexpected(refused(options, violation_code(ended.why), ended_message(ended, grant_id)));

  const std::vector<delegation_hop> chain = chain_of(line.root_first);
  // A chain the caller sent along is not trusted in place of the grant's, nor silently dropped.
  const std::vector<delegation_hop> carried = req.delegation();
  if (!carried.empty() && (carried.size() != chain.size() ||
                           !std::equal(carried.begin(), carried.end(), chain.begin(), same_hop)))
    return unexpected(
        refused(options, "grant.chain_mismatch",
                fmt::format("the request carries a delegation chain that is not grant {}'s", grant_id)));
  // An agent the request names is kept, so that presenting someone else's grant is an
  // agent mismatch rather than a borrowed identity.
  const std::optional<entity_ref> named = req.agent();
  const entity_ref agent = named ? *named : line.root_first.back().agent;
  return req.with_delegation(agent, chain);
}

decision grant_authority::evaluate(const request& req, std::string_view grant_id, const policy_set& policies,
                                   const entity_store& entities, evaluation_options options) const noexcept {
  try {
    if (!options.now_ms) options.now_ms = now_();
    auto presented = present(req, grant_id, options);
    if (!presented) return std::move(presented).error();
    return policies.evaluate(*presented, entities, options);
  } catch (...) {
    decision out;
    out.outcome = verdict::deny;
    out.mode = options.mode;
    try {
      out.chain_violation = "grant.error";
      out.chain_message = "evaluation through the grant failed";
    } catch (...) {  // out of memory: the deny stands without its words
    }
    return out;
  }
}

std::size_t grant_authority::revoke_matching(const std::function<bool(const grant&)>& match,
                                             const std::string& because) {
  const std::int64_t now = now_();
  const std::vector<grant> matched = store_->select(match);
  // Every match is marked before the cascade starts: a request through a descendant checks its
  // whole ancestry, so it is refused from this point on even before the cascade reaches it.
  std::size_t count = 0;
  for (const grant& g : matched) count += store_->mark_revoked(g.id, now, because) ? 1 : 0;

  std::unordered_map<std::string, std::vector<std::string>> children;
  for (const grant& g : store_->select([](const grant& candidate) { return !candidate.parent.empty(); }))
    children[g.parent].push_back(g.id);
  // Breadth first from every match, already revoked ones included, so that a descendant a
  // racing issue() recorded after an earlier revocation is still reached.
  std::deque<std::string> frontier;
  std::unordered_set<std::string> visited;
  for (const grant& g : matched) {
    visited.insert(g.id);
    frontier.push_back(g.id);
  }
  while (!frontier.empty()) {
    const std::string parent = std::move(frontier.front());
    frontier.pop_front();
    const auto found = children.find(parent);
    if (found == children.end()) continue;
    for (const std::string& child : found->second) {
      if (!visited.insert(child).second) continue;
      count +=
          store_->mark_revoked(child, now, fmt::format("{} (delegated from {})", because, parent)) ? 1 : 0;
      frontier.push_back(child);
    }
  }
  return count;
}

std::size_t grant_authority::complete_task(std::string_view task) {
  return revoke_matching([&](const grant& g) { return g.task == task; },
                         fmt::format("{}: {}", completed_prefix, task));
}

std::size_t grant_authority::revoke_grant(std::string_view grant_id) {
  return revoke_matching([&](const grant& g) { return g.id == grant_id; },
                         fmt::format("revoked by grant {}", grant_id));
}

std::size_t grant_authority::revoke_agent(const entity_ref& agent) {
  return revoke_matching([&](const grant& g) { return g.agent == agent; },
                         fmt::format("revoked by agent {}", cedar_text(agent)));
}

std::size_t grant_authority::revoke_task(std::string_view task) {
  return revoke_matching([&](const grant& g) { return g.task == task; },
                         fmt::format("revoked by task {}", task));
}

std::size_t grant_authority::revoke_principal(const entity_ref& principal) {
  return revoke_matching([&](const grant& g) { return g.principal == principal; },
                         fmt::format("revoked by principal {}", cedar_text(principal)));
}

}  // namespace v0
}  // namespace mandate
