// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Continuous authorization (LANGUAGE.md 2.5): sessions keep an agent's events so that
// policies' `temporal { ... }` conditions can read what happened before; signals from outside
// (OpenID CAEP names) change a session or a principal between two requests.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mandate/decision.hpp"
#include "mandate/entities.hpp"
#include "mandate/expected.hpp"
#include "mandate/policy_set.hpp"
#include "mandate/request.hpp"

namespace mandate {
inline namespace v0 {

/// Milliseconds since the Unix epoch; injectable so tests and replays control time.
using session_clock = std::function<std::int64_t()>;

/// An event the caller reports after a decision: the tool's `response` or an `error`.
struct session_event {
  std::string kind = "response";  ///< "response", "error", or an event schema's own kind
  entity_ref action;              ///< the action the event is about, e.g. Action::"pay"
  /// The logged record as a JSON object in Cedar's JSON value form, typically
  /// {"input": {...}, "output": {...}}; `requestId` and `sessionId` are added.
  std::string fields_json = "{}";
  std::string request_id;
  std::optional<entity_ref> principal;  ///< logged as `callerPrincipal`
  std::optional<entity_ref> resource;   ///< logged as `callerResource`
};

/// A signal from outside the engine, named as in the OpenID Continuous Access Evaluation
/// Profile: `session-revoked`, `token-claims-change`, `credential-change`,
/// `assurance-level-change`, `risk-level-change`.
struct session_signal {
  std::string type;
  /// The session it concerns; empty for every session whose last request had `subject` as its
  /// principal (and, for token-claims-change, for every later request of that principal).
  std::string session_id;
  std::optional<entity_ref> subject;
  /// token-claims-change: the principal's new attributes and parents in Cedar's entity JSON
  /// shape, {"attrs": {...}, "parents": [...]}; either member may be left out to keep it.
  std::string claims_json;
  /// assurance-level-change / risk-level-change: the new level, e.g. "high".
  std::string level;
  std::string reason;
};

/// Where sessions keep their events. The default keeps them in memory (dropped once no window
/// reaches them); a file log keeps them across restarts (one append-only JSON-lines file per
/// engine, flushed before the decision it feeds, replayed on open).
struct session_options {
  session_clock clock;   ///< default: the system clock
  std::string log_path;  ///< empty: memory only
};

/// What a session holds right now.
struct session_state {
  bool exists = false;
  bool terminated = false;
  std::string terminated_reason;
  std::uint64_t events_seen = 0;  ///< every event ever recorded
  std::uint64_t events_kept = 0;  ///< events still within reach of some window
  std::size_t bytes = 0;          ///< memory held by the kept events
  std::string risk_level;
  std::string assurance_level;
};

/// Sessions for one policy set's temporal conditions. Thread-safe: different sessions are
/// decided in parallel; one session's events are ordered.
class session_manager {
 public:
  explicit session_manager(session_options options = {});
  ~session_manager();
  session_manager(const session_manager&) = delete;
  session_manager& operator=(const session_manager&) = delete;

  /// Opens (or reopens, replaying its file) the session store. Fails only when a file log
  /// cannot be read or written.
  [[nodiscard]] static expected<std::unique_ptr<session_manager>, std::string> open(session_options options);

  /// Records `req` as a `request` event of `session_id` (created on first use), then decides it
  /// with the session's history visible to temporal conditions. A terminated session denies
  /// without evaluating. A satisfied forbid annotated `@response("terminate")` terminates the
  /// session; `@response("throttle")` sets `decision.response` and a retry-after (from
  /// `@retry_after("30s")`, else the policy's longest window). The request context gains a
  /// `session` record: {"id", and when signalled "risk_level", "assurance_level",
  /// "credential_changed_at"}.
  [[nodiscard]] decision evaluate(const policy_set& policies, const entity_store& entities,
                                  const request& req, std::string_view session_id,
                                  const evaluation_options& options = {}, std::string_view request_id = {});

  /// Records a `response`, `error` or other history-only event.
  [[nodiscard]] expected<bool, std::string> record(std::string_view session_id, const session_event& event);

  /// Applies a CAEP signal. The next request sees it.
  [[nodiscard]] expected<bool, std::string> signal(const session_signal& s);

  [[nodiscard]] session_state state(std::string_view session_id) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace v0
}  // namespace mandate
