// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Just-in-time grants (LANGUAGE.md 2.4): a time-bounded, task-scoped delegation hop minted by
// the library. Issuing checks every action of the scope under the policies and refuses what is
// not allowed; a request presenting a grant is evaluated with the grant (and the grants it was
// delegated from) as its delegation chain. A grant dies at its expiry, when its task completes,
// or on revocation by grant, agent, task or principal; revoking a grant revokes every grant
// delegated from it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mandate/entities.hpp"
#include "mandate/expected.hpp"
#include "mandate/policy_set.hpp"
#include "mandate/request.hpp"

namespace mandate {
inline namespace v0 {

/// Milliseconds since the Unix epoch. Injected so that tests and replays are exact.
using clock_fn = std::function<std::int64_t()>;
/// The system clock, in milliseconds since the Unix epoch.
[[nodiscard]] std::int64_t system_time_ms() noexcept;

/// What a caller asks for: `agent` to act for `principal` on `task`, for the actions in `scope`
/// (actions or action groups) on `resource` (and what is in it), for at most `duration_ms`.
/// With `parent_grant`, the grant is delegated further from that grant (a sub-agent), and
/// can only narrow it.
struct grant_request {
  entity_ref principal;
  entity_ref agent;
  std::string task;
  std::vector<entity_ref> scope;
  entity_ref resource;
  std::int64_t duration_ms = 0;
  std::string parent_grant;
};

/// Why a grant stopped working, or none.
enum class grant_state : std::uint8_t { active, expired, task_completed, revoked };
[[nodiscard]] std::string_view to_string(grant_state s) noexcept;

/// A grant as recorded. Ids are opaque, unguessable strings.
struct grant {
  std::string id;
  entity_ref principal;  ///< the delegator of this hop
  entity_ref agent;      ///< the delegate
  std::string task;
  std::vector<entity_ref> scope;
  entity_ref resource;
  std::int64_t issued_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  std::string parent;  ///< id of the grant this one was delegated from, or empty
  bool revoked = false;
  std::int64_t revoked_at_ms = 0;
  std::string revoked_because;  ///< e.g. "revoked by grant g-1", "task t-9 completed"
};

/// Why issuing was refused: a stable `code` ("grant.denied", "grant.bad_request",
/// "grant.parent_inactive", "grant.widens_parent"), a message, and the actions the policies
/// did not allow (for "grant.denied").
struct grant_refusal {
  std::string code;
  std::string message;
  std::vector<entity_ref> denied_actions;
};

/// Where grants are kept. The in-memory store is the default; a shared store (a database, a
/// cache) implements the same interface. Implementations must be safe to call from many
/// threads at once.
class grant_store {
 public:
  virtual ~grant_store() = default;
  virtual void insert(const grant& g) = 0;
  [[nodiscard]] virtual std::optional<grant> find(std::string_view id) const = 0;
  /// Every grant `match` accepts (revocation by agent, task or principal; cascades).
  [[nodiscard]] virtual std::vector<grant> select(const std::function<bool(const grant&)>& match) const = 0;
  /// Marks a grant revoked; false when there is no such grant or it was already revoked.
  virtual bool mark_revoked(std::string_view id, std::int64_t at_ms, std::string_view because) = 0;
};

/// A thread-safe store in process memory, which can be saved to and loaded from a JSON file.
class in_memory_grant_store final : public grant_store {
 public:
  in_memory_grant_store();
  ~in_memory_grant_store() override;
  void insert(const grant& g) override;
  [[nodiscard]] std::optional<grant> find(std::string_view id) const override;
  [[nodiscard]] std::vector<grant> select(const std::function<bool(const grant&)>& match) const override;
  bool mark_revoked(std::string_view id, std::int64_t at_ms, std::string_view because) override;

  /// The grants as a JSON array (RFC 3339 times), and back.
  [[nodiscard]] std::string to_json() const;
  [[nodiscard]] static expected<std::shared_ptr<in_memory_grant_store>, std::string> from_json(std::string_view json);

 private:
  struct state;
  std::unique_ptr<state> state_;
};

/// Issues, presents and revokes grants against a store. Safe to use from many threads.
class grant_authority {
 public:
  explicit grant_authority(std::shared_ptr<grant_store> store, clock_fn now = system_time_ms);

  /// Checks every action of the scope, for the principal and for the agent (through a chain
  /// ending in the new hop), on the resource; refuses if any is not allowed (require_approval
  /// counts as not allowed: a grant is no way around an approval). Records and returns the grant.
  [[nodiscard]] expected<grant, grant_refusal> issue(const grant_request& asked, const policy_set& policies,
                                                     const entity_store& entities,
                                                     const evaluation_options& options = {});

  /// The state of a grant now (active, expired, task_completed, revoked); nothing if unknown.
  [[nodiscard]] std::optional<grant_state> state(std::string_view grant_id) const;

  /// Evaluates `req` acting under grant `grant_id`: its delegation chain is the grant's
  /// ancestry, root first, ending in the grant, and its agent the grant's agent. An unknown,
  /// expired, revoked or completed grant (or one whose ancestor is) is a deny with chain
  /// violation `grant.unknown`, `grant.expired`, `grant.revoked` or `grant.task_completed`.
  /// Never throws.
  [[nodiscard]] decision evaluate(const request& req, std::string_view grant_id, const policy_set& policies,
                                  const entity_store& entities, evaluation_options options = {}) const noexcept;

  /// Revokes every grant of the task. Returns how many grants were revoked (cascades included).
  std::size_t complete_task(std::string_view task);
  std::size_t revoke_grant(std::string_view grant_id);
  std::size_t revoke_agent(const entity_ref& agent);
  std::size_t revoke_task(std::string_view task);
  std::size_t revoke_principal(const entity_ref& principal);

 private:
  std::shared_ptr<grant_store> store_;
  clock_fn now_;
};

}  // namespace v0
}  // namespace mandate
