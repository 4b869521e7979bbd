// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Just-in-time grants (LANGUAGE.md 2.4): a time-bounded, task-scoped delegation hop minted by
// the library. Issuing checks every action of the scope under the policies and refuses what is
// not allowed; a request presenting a grant is evaluated with the grant (and the grants it was
// delegated from) as its delegation chain. A grant dies at its expiry, when its task completes,
// or on revocation by grant, agent, task or principal; revoking a grant revokes every grant
// delegated from it.
#pragma once

#include <cstddef>
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
/// can only narrow it; its `principal` must then be the parent's agent (left empty, it is).
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
/// "active", "expired", "task_completed", "revoked".
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
  /// Starts with "task completed" when the grant died with its task (grant_state::task_completed);
  /// otherwise e.g. "revoked by grant g-1", "revoked by agent Agent::\"bot\"". A grant revoked
  /// because the grant it was delegated from was adds " (delegated from g-1)".
  std::string revoked_because;
};

/// A grant as one line of JSON: {"id", "principal": {"type", "id"}, "agent", "task", "scope": [..],
/// "resource", "issued_at", "expires_at" (RFC 3339, UTC), "parent", "revoked", and when revoked
/// "revoked_at" and "revoked_because"}. The in-memory store's file is an array of these.
[[nodiscard]] std::string to_json(const grant& g);

/// Why issuing was refused: a stable `code` ("grant.denied", "grant.bad_request",
/// "grant.parent_inactive", "grant.widens_parent", "grant.task_completed" for a task that has
/// already completed), a message, and the actions the policies did not allow (for "grant.denied").
struct grant_refusal {
  std::string code;
  std::string message;
  std::vector<entity_ref> denied_actions;
};

/// Where grants are kept. The in-memory store is the default; a shared store (a database, a
/// cache) implements the same interface. Implementations must be safe to call from many
/// threads at once, and a mark_revoked() that has returned must be seen by every later find().
class grant_store {
 public:
  virtual ~grant_store() = default;
  /// Adds a grant. A grant is never replaced (that could undo a revocation): an id already
  /// present throws std::invalid_argument.
  virtual void insert(const grant& g) = 0;
  [[nodiscard]] virtual std::optional<grant> find(std::string_view id) const = 0;
  /// Every grant `match` accepts (revocation by agent, task or principal; cascades). `match`
  /// may run under the store's lock: it must not call back into the store.
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

  /// The grants as a JSON array (RFC 3339 times), in insertion order, and back. from_json
  /// keeps ids and revocations, and refuses duplicate ids; its error is one line.
  [[nodiscard]] std::string to_json() const;
  [[nodiscard]] static expected<std::shared_ptr<in_memory_grant_store>, std::string> from_json(
      std::string_view json);

 private:
  struct state;
  std::unique_ptr<state> state_;
};

/// Issues, presents and revokes grants against a store. Safe to use from many threads.
class grant_authority {
 public:
  /// `now` is called from every thread that uses the authority, so it must be thread-safe.
  explicit grant_authority(std::shared_ptr<grant_store> store, clock_fn now = system_time_ms);

  /// Checks every action of the scope (a scope's action group stands for its member actions),
  /// for every identity of the chain the grant would present (the parent grants' hops, then
  /// the new hop; the accountable principal first), on the resource, with an empty context, at
  /// the authority's clock, in Cedar mode (a forbid that reads the absent context is skipped
  /// here; every request through the grant is evaluated in full); refuses if any is not allowed
  /// (require_approval counts as not allowed: a grant is no way around an approval). Records and returns the
  /// grant. Its expiry is capped at its parent's; `options.now_ms` is not used (a grant starts when it is
  /// issued). A task that has completed takes no new grants.
  [[nodiscard]] expected<grant, grant_refusal> issue(const grant_request& asked, const policy_set& policies,
                                                     const entity_store& entities,
                                                     const evaluation_options& options = {});

  /// The state of a grant now (active, expired, task_completed, revoked); nothing if unknown.
  /// A grant whose ancestor stopped working reports the ancestor's state; of a revocation and
  /// an expiry, whichever came first.
  [[nodiscard]] std::optional<grant_state> state(std::string_view grant_id) const;

  /// Evaluates `req` acting under grant `grant_id`: its delegation chain is the grant's
  /// ancestry, root first, ending in the grant, and its agent the grant's agent. An unknown,
  /// expired, revoked or completed grant (or one whose ancestor is) is a deny with chain
  /// violation `grant.unknown`, `grant.expired`, `grant.revoked` or `grant.task_completed`.
  /// The request's principal must be the accountable principal at the root of the chain (else
  /// `chain.linkage`); an agent the request names must be the grant's (else
  /// `chain.agent_mismatch`); a delegation chain the request carries must be the grant's
  /// (else `grant.chain_mismatch`). `options.now_ms` defaults to the authority's clock. Never
  /// throws: a failure inside is a deny with `grant.error`.
  /// The request as it is evaluated under grant `grant_id`: with the grant's ancestry as its
  /// delegation chain and the grant's agent (unless the request names one). When the grant
  /// cannot be presented, the deny decision evaluate() would return. For callers that need
  /// the chain itself, e.g. for the audit trail.
  [[nodiscard]] expected<request, decision> present(const request& req, std::string_view grant_id,
                                                    evaluation_options options = {}) const;

  [[nodiscard]] decision evaluate(const request& req, std::string_view grant_id, const policy_set& policies,
                                  const entity_store& entities,
                                  evaluation_options options = {}) const noexcept;

  /// Revokes every grant of the task, and every grant delegated from them, transitively.
  /// Returns how many grants were revoked now (cascades included; already revoked ones are not
  /// counted, so calling again returns 0). The revoke_* functions do the same for their match.
  std::size_t complete_task(std::string_view task);
  std::size_t revoke_grant(std::string_view grant_id);
  std::size_t revoke_agent(const entity_ref& agent);
  std::size_t revoke_task(std::string_view task);
  std::size_t revoke_principal(const entity_ref& principal);

 private:
  // Marks every grant `match` accepts, then cascades to what was delegated from them.
  std::size_t revoke_matching(const std::function<bool(const grant&)>& match, const std::string& because);

  std::shared_ptr<grant_store> store_;
  clock_fn now_;
};

}  // namespace v0
}  // namespace mandate
