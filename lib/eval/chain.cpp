// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Requests that act through a delegation chain (LANGUAGE.md 2.3). The chain's structure is
// checked before any policy runs; then every identity of the chain is checked as the
// principal under the same policies, and the strictest outcome stands. Authority is the
// intersection: a hop can narrow what its delegate may do, never widen it.
#include "eval/chain.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace mandate::detail {
namespace {

// Orders outcomes by strictness: deny, then require_approval, then allow.
int strictness(verdict v) noexcept {
  switch (v) {
    case verdict::deny:
      return 2;
    case verdict::require_approval:
      return 1;
    case verdict::allow:
      return 0;
  }
  return 2;
}

bool in_scope(const entity_data& entities, entity_uid action, const std::vector<entity_uid>& scope) {
  return std::any_of(scope.begin(), scope.end(),
                     [&](entity_uid s) { return entities.descends_from(action, s); });
}

struct violation {
  const char* code = nullptr;
  std::string message;
};

std::string hop_text(std::size_t i, const delegation_hop_data& hop) {
  return fmt::format("hop {} ({} -> {})", i, to_cedar(hop.delegator), to_cedar(hop.delegate));
}

// Every structural rule of a chain, in the order a reader would check them.
violation check_chain(const entity_data& entities, const request_data& req, const evaluation_options& options,
                      std::int64_t now) {
  const auto& chain = req.delegation;
  if (chain.empty()) {
    if (req.has_agent && !(req.agent == req.principal))
      return {"chain.missing", fmt::format("agent {} acts for {} with no delegation chain",
                                           to_cedar(req.agent), to_cedar(req.principal))};
    return {};
  }
  if (chain.size() > options.max_delegation_depth)
    return {"chain.depth", fmt::format("the chain has {} hops; the limit is {}", chain.size(),
                                       options.max_delegation_depth)};
  if (!(chain.front().delegator == req.principal))
    return {"chain.linkage", fmt::format("hop 0 starts at {}, not at the principal {}",
                                         to_cedar(chain.front().delegator), to_cedar(req.principal))};
  // Identities met so far, for cycles; reused by the thread so a chained decision allocates
  // nothing in steady state.
  thread_local std::vector<std::uint64_t> seen;
  seen.clear();
  seen.push_back(req.principal.key());
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const delegation_hop_data& hop = chain[i];
    if (i > 0 && !(hop.delegator == chain[i - 1].delegate))
      return {"chain.linkage", fmt::format("{} starts at {}, but hop {} delegated to {}", hop_text(i, hop),
                                           to_cedar(hop.delegator), i - 1, to_cedar(chain[i - 1].delegate))};
    if (std::find(seen.begin(), seen.end(), hop.delegate.key()) != seen.end())
      return {"chain.cycle", fmt::format("{} returns to {}, already in the chain", hop_text(i, hop),
                                         to_cedar(hop.delegate))};
    seen.push_back(hop.delegate.key());
    if (hop.expires_at_ms <= hop.issued_at_ms)
      return {"chain.expired", fmt::format("{} expires before it is issued", hop_text(i, hop))};
    if (i > 0) {
      const delegation_hop_data& parent = chain[i - 1];
      if (hop.expires_at_ms > parent.expires_at_ms)
        return {"chain.outlives_parent",
                fmt::format("{} expires after hop {} that it was delegated from", hop_text(i, hop), i - 1)};
      for (entity_uid action : hop.scope) {
        if (!in_scope(entities, action, parent.scope))
          return {"chain.scope_widened", fmt::format("{} grants {}, which hop {} did not grant",
                                                     hop_text(i, hop), to_cedar(action), i - 1)};
      }
      if (parent.has_resource &&
          (!hop.has_resource || !entities.descends_from(hop.resource, parent.resource)))
        return {"chain.scope_widened", fmt::format("{} reaches beyond {}, the resource hop {} was limited to",
                                                   hop_text(i, hop), to_cedar(parent.resource), i - 1)};
    }
  }
  if (req.has_agent && !(chain.back().delegate == req.agent))
    return {"chain.agent_mismatch", fmt::format("the chain ends at {}, but the acting agent is {}",
                                                to_cedar(chain.back().delegate), to_cedar(req.agent))};
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const delegation_hop_data& hop = chain[i];
    if (now < hop.issued_at_ms)
      return {"chain.not_yet_valid", fmt::format("{} is not valid yet", hop_text(i, hop))};
    if (now >= hop.expires_at_ms) return {"chain.expired", fmt::format("{} has expired", hop_text(i, hop))};
    if (!in_scope(entities, req.action, hop.scope))
      return {"chain.out_of_scope",
              fmt::format("{} does not grant {}", hop_text(i, hop), to_cedar(req.action))};
    if (hop.has_resource && !entities.descends_from(req.resource, hop.resource))
      return {"chain.out_of_scope", fmt::format("{} covers only {}, not {}", hop_text(i, hop),
                                                to_cedar(hop.resource), to_cedar(req.resource))};
  }
  return {};
}

void refuse(decision& out, const evaluation_options& options, violation v) {
  out.outcome = verdict::deny;
  out.mode = options.mode;
  out.failed_closed = false;
  out.reasons.clear();
  out.errors.clear();
  out.annotations.clear();
  clear_beyond_policies(out);
  out.chain_violation = v.code;
  out.chain_message = std::move(v.message);
}

}  // namespace

bool needs_chain_evaluation(const request_data& req) noexcept {
  return req.has_agent || !req.delegation.empty();
}

void evaluate_chain(const compiled_policy_set& set, const entity_data& entities, const request_data& req,
                    const evaluation_options& options, const evaluate_view_fn& evaluate_view, decision& out) {
  const std::int64_t now = options.now_ms ? *options.now_ms
                                          : std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count();
  if (violation v = check_chain(entities, req, options, now); v.code != nullptr)
    return refuse(out, options, std::move(v));

  // The accountable principal, then each delegate in turn, is checked as the principal. The
  // first identity decides into `out`; each later one into a per-thread candidate that is
  // swapped in when stricter, so the vectors of both keep their capacity across decisions.
  thread_local decision candidate;
  std::size_t deciding = 0;
  for (std::size_t i = 0; i <= req.delegation.size(); ++i) {
    request_view view = req;
    view.principal = i == 0 ? req.principal : req.delegation[i - 1].delegate;
    decision& into = i == 0 ? out : candidate;
    evaluate_view(set, entities, view, options, into);
    if (i > 0 && strictness(candidate.outcome) > strictness(out.outcome)) {
      std::swap(out, candidate);
      deciding = i;
    }
    if (out.outcome == verdict::deny) break;  // nothing is stricter
  }
  const entity_uid decided_by = deciding == 0 ? req.principal : req.delegation[deciding - 1].delegate;
  out.deciding_hop = static_cast<std::int32_t>(deciding);
  out.deciding_principal.clear();
  append_cedar(out.deciding_principal, decided_by);
  out.chain_violation.clear();
  out.chain_message.clear();
}

}  // namespace mandate::detail
