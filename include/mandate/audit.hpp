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
[[nodiscard]] audit_record make_audit_record(const request& req, const decision& d, const policy_set& policies,
                                             std::int64_t time_ms, std::string_view grant_id = {},
                                             std::string_view session_id = {}, std::string decision_id = {});

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
  [[nodiscard]] static expected<std::unique_ptr<file_audit_sink>, std::string> open(const std::filesystem::path& path);
  ~file_audit_sink() override;
  void write(const audit_record& r) override;

 private:
  file_audit_sink() = default;
  struct state;
  std::unique_ptr<state> state_;
};

/// A least-privilege report over audit logs and the policies that produced them.
struct least_privilege_report {
  std::vector<std::string> unused_permits;  ///< permits that never decided an allow
  struct agent_excess {
    entity_ref agent;
    std::vector<entity_ref> allowed_actions;  ///< actions the policies allow the agent (from the logs' resources)
    std::vector<entity_ref> used_actions;     ///< actions it was allowed and used
  };
  std::vector<agent_excess> agents;          ///< agents allowed more than they used
  std::vector<std::string> unused_grants;    ///< grants issued (seen in chains) but never used for an allow
  struct deep_chain {
    std::string decision_id;
    std::size_t depth = 0;
    std::size_t needed = 0;  ///< hops a shorter chain with the same outcome would need
  };
  std::vector<deep_chain> deep_chains;       ///< chains deeper than needed
};

/// Reads audit lines and builds the report against `policies` (the same set, or a newer one).
[[nodiscard]] least_privilege_report build_least_privilege_report(const policy_set& policies,
                                                                  const std::vector<audit_record>& records,
                                                                  const entity_store& entities);

}  // namespace v0
}  // namespace mandate
