// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The durable form of session history: one append-only JSON-lines file per engine. Each event
// is written and flushed before the decision it feeds, so after a crash replaying the file
// rebuilds every session as it was. Behind an interface so a shared store can be plugged in
// later.
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "temporal/event.hpp"

namespace mandate::detail::session {

struct logged_event {
  std::string session_id;
  bool is_terminate = false;  // a session's termination, not an event
  std::string reason;
  temporal::event event;
};

class event_log {
 public:
  virtual ~event_log() = default;
  /// Appends and flushes one event; false with `error` when it could not be made durable.
  virtual bool append(std::string_view session_id, const temporal::event& e, std::string& error) = 0;
  virtual bool append_terminate(std::string_view session_id, std::string_view reason, std::string& error) = 0;
  /// Calls `visit` for every entry in the order written. A torn last line (a crash mid-write)
  /// is ignored; any other malformed line is an error.
  virtual bool replay(const std::function<void(const logged_event&)>& visit, std::string& error) = 0;

  /// A file-backed log at `path`, created when missing.
  [[nodiscard]] static std::unique_ptr<event_log> open(const std::string& path, std::string& error);
};

/// One logged entry as its JSON line (no newline), and back.
[[nodiscard]] std::string encode_entry(std::string_view session_id, const temporal::event& e);
[[nodiscard]] bool decode_entry(std::string_view line, logged_event& out, std::string& error);

}  // namespace mandate::detail::session
