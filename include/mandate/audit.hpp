// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The audit trail (LANGUAGE.md 4): one JSON line per decision, naming the agent, the
// principal, the whole delegation chain, the action, the resource, the outcome, the deciding
// policies, the grant and session, the policy set's fingerprint and the engine's version.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mandate/decision.hpp"
#include "mandate/expected.hpp"
#include "mandate/policy_set.hpp"
#include "mandate/request.hpp"

namespace mandate {
inline namespace v0 {

/// One decision as the audit trail records it.
struct audit_record {
  std::string decision_id;  ///< unique per record
  std::int64_t time_ms = 0;
  std::optional<entity_ref> agent;
  entity_ref principal;
  std::vector<delegation_hop> chain;
  entity_ref action;
  entity_ref resource;
  verdict outcome = verdict::deny;
  std::vector<std::string> reasons;
  std::vector<std::string> errors;  ///< ids of policies that raised errors
  std::int32_t deciding_hop = -1;
  std::string chain_violation;
  std::string grant_id;
  std::string session_id;
  std::uint64_t policy_set_hash = 0;  ///< policy_set::fingerprint()
  std::string engine_version;
  eval_mode mode = eval_mode::mandate;
};

/// Builds the record of one evaluation. `decision_id` empty: one is generated.
[[nodiscard]] audit_record make_audit_record(const request& req, const decision& d,
                                             const policy_set& policies, std::int64_t time_ms,
                                             std::string_view grant_id = {}, std::string_view session_id = {},
                                             std::string decision_id = {});

/// The record as one line of JSON (no newline). Field names follow OpenID AuthZEN (subject,
/// action, resource, decision) and OCSF's authorization events (time, actor) where they have one.
[[nodiscard]] std::string to_json(const audit_record& r);
/// Parses a line written by to_json(audit_record).
[[nodiscard]] expected<audit_record, std::string> parse_audit_line(std::string_view line);

/// Where records go. Implementations must be safe to call from many threads at once.
class audit_sink {
 public:
  virtual ~audit_sink() = default;
  virtual void write(const audit_record& r) = 0;
};

/// Appends one JSON line per record to a file and flushes each line, so nothing is lost if the
/// process dies after write() returns. Lines from concurrent writers never interleave.
class file_audit_sink final : public audit_sink {
 public:
  /// Opens `path` for appending, creating it when absent. On failure, a one-line message naming
  /// the path and the system's reason.
  [[nodiscard]] static expected<std::unique_ptr<file_audit_sink>, std::string> open(
      const std::filesystem::path& path);
  ~file_audit_sink() override;
  /// Appends the record's line and flushes it; thread-safe.
  void write(const audit_record& r) override;
  /// True once a write could not be completed (disk full, I/O error). A caller that must not
  /// decide without a trail (fail closed) checks this after write().
  [[nodiscard]] bool failed() const noexcept;

 private:
  file_audit_sink() = default;
  struct state;
  std::unique_ptr<state> state_;
};

/// A least-privilege report over audit logs and the policies that produced them. Every list is
/// sorted (ids as text, entities by type then id), so two runs over the same input print the same.
struct least_privilege_report {
  /// Permits that never determined an allow or require_approval: neither among a record's reasons
  /// nor satisfied for another identity of an allowed chain (see build_least_privilege_report).
  std::vector<std::string> unused_permits;
  struct agent_excess {
    entity_ref agent;
    /// Actions the policies allow the agent itself, as the principal, on the resources it touched.
    std::vector<entity_ref> allowed_actions;
    std::vector<entity_ref> used_actions;    ///< actions it was allowed, or sent for approval, in the logs
    std::vector<entity_ref> excess_actions;  ///< allowed_actions that are not in used_actions
  };
  std::vector<agent_excess> agents;        ///< agents allowed more than they used, by agent
  std::vector<std::string> unused_grants;  ///< grants seen in records, in none let through
  struct deep_chain {
    std::string decision_id;
    std::size_t depth = 0;   ///< hops of the logged chain
    std::size_t needed = 0;  ///< hops of the shortest chain, same root and agent, with the same outcome
  };
  std::vector<deep_chain> deep_chains;  ///< allowed chains deeper than needed, by decision id

  [[nodiscard]] bool empty() const noexcept {
    return unused_permits.empty() && agents.empty() && unused_grants.empty() && deep_chains.empty();
  }
};

/// Builds the report from audit records against `policies` (the same set, or a newer one) and
/// `entities` (action entities and the hierarchy). Records keep no context, so what is
/// re-evaluated runs with an empty one. "Let through" means allow or require_approval.
/// - A permit is used when it is among the reasons of a record let through, or when it lets
///   through another identity of such a record's chain, checked alone as the principal (a
///   chained decision names only the deciding identity's policies).
/// - An agent is a record's actor, else its chain's last delegate. Its allowed actions are those
///   the policies let through with the agent alone as the principal (in Cedar mode, so a forbid
///   that errs for want of context hides nothing), among the store's actions that are not action
///   groups and the logged actions, on any resource its records name.
/// - A grant (a hop's, or the record's own) is used when a record let through carries it.
/// - An allowed chain of two or more hops is deeper than needed when, re-evaluated at the record's
///   time, it still allows and so does a chain that keeps root and agent but fewer intermediates
///   (the hops either side of a dropped identity merge into one with the later hop's scope).
/// Deterministic; safe to call from many threads at once.
/// `issued_grants` lists grants issued in the period (e.g. every id in the grant store): those
/// never used for a let-through record are unused even when no record mentions them.
[[nodiscard]] least_privilege_report build_least_privilege_report(
    const policy_set& policies, const std::vector<audit_record>& records, const entity_store& entities,
    const std::vector<std::string>& issued_grants = {});

/// The report as one line of JSON: {"unused_permits": [ids], "agents": [{"agent", "allowed_actions",
/// "used_actions", "excess_actions"}], "unused_grants": [ids], "deep_chains": [{"decision_id",
/// "depth", "needed"}]}, entities as {"type", "id"}.
[[nodiscard]] std::string to_json(const least_privilege_report& report);

}  // namespace v0
}  // namespace mandate
