// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The durable form of session history: one JSON-lines file per engine. Each entry is written
// and flushed before the decision it feeds, so after a crash replaying the file rebuilds every
// session as it was. Compaction rewrites the file with only what the sessions still need (the
// events their windows can reach and their state), atomically. Behind an interface so a shared
// store can be plugged in later.
//
// The lines, one JSON object each (keys in any order; a line is told apart by which of
// `signal`, `terminate`, `last_principal` it has; with none of them it is an event):
//
//   event          {"session": S, "time_ms": T, "kind": K, "action": E, "fields": R, "context": R,
//                   "principal": E?, "resource": E?, "position": N?}
//                  E is an entity {"__entity": {"type", "id"}}, R a record in Cedar's JSON value
//                  form. `position` (the event's index in its session's stream) is written only
//                  by compaction, where the events before it were dropped; appended events
//                  follow the one before them.
//   termination    {"session": S, "terminate": REASON}
//   risk level     {"session": S, "signal": "risk-level-change", "level": L}
//   assurance      {"session": S, "signal": "assurance-level-change", "level": L}
//   credential     {"session": S, "signal": "credential-change", "time_ms": T}
//   claims         {"signal": "token-claims-change", "subject": E,
//                   "claims": {"attrs": R?, "parents": [E, ...]?}}
//                  a principal's, for every session; a member left out keeps what was there.
//   last principal {"session": S, "last_principal": E}
//                  written by compaction: the principal of the session's last request, which
//                  subject-wide signals follow, when that request's event was dropped.
//
// A torn last line (a crash mid-write) is ignored and cut off; any other malformed line is an
// error.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "temporal/event.hpp"

namespace mandate::detail::session {

enum class entry_kind : std::uint8_t {
  event,              // a session's event
  terminate,          // a session's termination
  risk_level,         // risk-level-change
  assurance_level,    // assurance-level-change
  credential_change,  // credential-change, at `time_ms`
  claims,             // token-claims-change: a principal's attributes and parents
  last_principal,     // the principal of a session's last request
};

struct logged_event {
  entry_kind kind = entry_kind::event;
  std::string session_id;  // empty for `claims`
  std::string reason;      // terminate
  temporal::event event;   // event
  /// event: `event.position` was logged and is the event's place in its session's stream.
  bool has_position = false;
  std::string level;         // risk_level, assurance_level
  std::int64_t time_ms = 0;  // credential_change
  entity_uid subject;        // claims, last_principal
  /// claims: the new attributes (a record living in `storage`) and parents, when changed.
  std::shared_ptr<arena> storage;
  std::optional<value> attributes;
  std::optional<std::vector<entity_uid>> parents;
};

class event_log {
 public:
  virtual ~event_log() = default;
  /// Appends and flushes one entry; false with `error` when it could not be made durable (the
  /// log is then as it was before the call).
  virtual bool write(const logged_event& entry, std::string& error) = 0;
  /// Calls `visit` for every entry in the order written; stops with its error when it returns
  /// false. A torn last line (a crash mid-write) is ignored; any other malformed line is an
  /// error.
  virtual bool replay(const std::function<bool(const logged_event&, std::string&)>& visit,
                      std::string& error) = 0;
  /// Replaces the whole log by `entries`, atomically: a crash leaves either the old log or the
  /// new one, and later writes append to the new one. On failure the old log is kept as it was.
  virtual bool rewrite(const std::vector<logged_event>& entries, std::string& error) = 0;
  /// Entries written since the last rewrite (those replayed at open included).
  [[nodiscard]] virtual std::uint64_t written_since_rewrite() const = 0;

  bool append(std::string_view session_id, const temporal::event& e, std::string& error);
  bool append_terminate(std::string_view session_id, std::string_view reason, std::string& error);

  /// A file-backed log at `path`, created when missing; a rewrite goes through `<path>.tmp`.
  [[nodiscard]] static std::unique_ptr<event_log> open(const std::string& path, std::string& error);
};

/// One logged entry as its JSON line (no newline), and back.
[[nodiscard]] std::string encode_entry(const logged_event& entry);
[[nodiscard]] std::string encode_entry(std::string_view session_id, const temporal::event& e);
[[nodiscard]] bool decode_entry(std::string_view line, logged_event& out, std::string& error);

}  // namespace mandate::detail::session
