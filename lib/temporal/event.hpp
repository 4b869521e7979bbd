// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Events of a session (LANGUAGE.md 2.5): every decision request is recorded as a `request`
// event before it is decided, and the caller reports `response` and `error` events. Temporal
// conditions read the logged record of past events; Cedar conditions read the current
// request's context. Each event owns the storage of its values, so history can be dropped
// from the front as windows slide.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "value/store.hpp"
#include "value/value.hpp"

namespace mandate::detail::temporal {

struct event {
  std::int64_t time_ms = 0;
  std::uint64_t position = 0;  // index over every event of the stream, from 0
  entity_uid action;           // Ns::Action::"Id"
  symbol kind = 0;             // request, response, error, ...
  value fields;                // the logged record that temporal predicates match (a record)
  value context;               // the request context Cedar reads (a record; empty for history-only)
  bool has_principal = false;
  bool has_resource = false;
  entity_uid principal;
  entity_uid resource;
  std::shared_ptr<arena> storage;  // owns `fields` and `context`; shared by copies
};

/// A sequence of events in stream order; the last one is the decision point when deciding.
class timeline {
 public:
  virtual ~timeline() = default;
  [[nodiscard]] virtual std::size_t size() const noexcept = 0;
  [[nodiscard]] virtual const event& at(std::size_t i) const noexcept = 0;
  /// True when an event before `at(0)` existed but was dropped: `previous` at index 0 must
  /// then be false rather than looking at nothing.
  [[nodiscard]] virtual bool truncated() const noexcept = 0;
};

/// A timeline over a vector of pointers (a partition of a history, or a test's events).
class pointer_timeline final : public timeline {
 public:
  std::vector<const event*> events;
  bool dropped_before = false;
  [[nodiscard]] std::size_t size() const noexcept override { return events.size(); }
  [[nodiscard]] const event& at(std::size_t i) const noexcept override { return *events[i]; }
  [[nodiscard]] bool truncated() const noexcept override { return dropped_before; }
};

/// What a temporal condition reads of the current request besides the history: the context
/// record (`context.a.b`), the scope entities (`principal`, `resource.owner`) and the
/// entities their attributes come from.
struct decision_inputs {
  const request_view* request = nullptr;
  const entity_data* entities = nullptr;
};

}  // namespace mandate::detail::temporal
