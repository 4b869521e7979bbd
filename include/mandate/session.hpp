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
/// reaches them); a file log keeps them across restarts (one JSON-lines file per engine, each
/// entry flushed before the decision it feeds, replayed on open). The file holds the sessions'
/// events, terminations and signals (and principals' claims changes); it is compacted as
/// windows expire, see `compact_after_lines`.
struct session_options {
  session_clock clock;   ///< default: the system clock
  std::string log_path;  ///< empty: memory only
  /// Answer temporal conditions from per-condition monitors updated as each event arrives, so
  /// a decision costs the same whatever the length of the history. False re-reads the history
  /// on every decision with the reference evaluator (for comparisons and debugging); the
  /// decisions are the same.
  bool incremental = true;
  /// With a file log: compact it automatically once more lines were appended since the last
  /// compaction than the larger of this and twice the entries a compaction keeps (the events
  /// still within reach of a window, plus the lines of session and claims state). Compaction
  /// rewrites the file with only what the sessions still need (session_manager::compact);
  /// while it runs, decisions that log wait. 0: never automatically.
  std::uint64_t compact_after_lines = 10000;
};

/// What a session holds right now.
struct session_state {
  bool exists = false;
  bool terminated = false;
  std::string terminated_reason;
  std::uint64_t events_seen = 0;  ///< every event ever recorded
  std::uint64_t events_kept = 0;  ///< events still within reach of some window
  std::size_t bytes = 0;          ///< memory held by the kept events and the monitors
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
  /// With `trace`, records why the decision came out as it did (include/mandate/trace.hpp).
  [[nodiscard]] decision evaluate(const policy_set& policies, const entity_store& entities,
                                  const request& req, std::string_view session_id,
                                  const evaluation_options& options = {}, std::string_view request_id = {},
                                  decision_trace* trace = nullptr);

  /// Records a `response`, `error` or other history-only event.
  [[nodiscard]] expected<bool, std::string> record(std::string_view session_id, const session_event& event);

  /// Applies a CAEP signal. The next request sees it. With a file log the signal is logged (as
  /// the state it leaves) before this returns, so a restart keeps it; when it cannot be logged
  /// it still applies in memory and the error says it was not logged.
  [[nodiscard]] expected<bool, std::string> signal(const session_signal& s);

  /// Compacts the file log now: rewrites it to hold only what the sessions still need (each
  /// session's kept events, terminated state and signal state, and the principals' claims),
  /// atomically (`<log_path>.tmp`, synced, renamed over the log), so that reopening it gives the
  /// same sessions and decisions. True, also without a file log; on an error the old log is
  /// kept and appended to as before.
  [[nodiscard]] expected<bool, std::string> compact();

  [[nodiscard]] session_state state(std::string_view session_id) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace v0
}  // namespace mandate
