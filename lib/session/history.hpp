// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// A session's event history and the oracle that answers temporal conditions from it.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compile/plan.hpp"
#include "temporal/evaluate.hpp"
#include "temporal/event.hpp"
#include "temporal/monitor.hpp"

namespace mandate::detail::session {

/// A deep copy of `v` whose sets, records and addresses live in `storage`: an event must not
/// point into the request it was made from, which the caller may free.
[[nodiscard]] value copy_value(arena& storage, const value& v);

/// The `request` event a decision request is recorded as (LANGUAGE.md 2.5, as in Dogwood's
/// default event schema): the logged record has `input` (the context's `input` record, or the
/// whole context when it has none), `callerPrincipal`, `callerResource`, `requestId` and
/// `sessionId`; the Cedar context is kept as given.
[[nodiscard]] temporal::event make_request_event(const request_view& request, std::int64_t time_ms,
                                                 std::string_view session_id, std::string_view request_id);

/// Events in stream order, dropped from the front once no window can reach them.
class history final : public temporal::timeline {
 public:
  [[nodiscard]] std::size_t size() const noexcept override { return events_.size(); }
  [[nodiscard]] const temporal::event& at(std::size_t i) const noexcept override { return events_[i]; }
  [[nodiscard]] bool truncated() const noexcept override { return dropped_ > 0; }

  /// Appends `e`, numbering it and keeping time monotone (a clock that steps back is read as
  /// not having moved, so windows never see the future).
  temporal::event& append(temporal::event e);
  /// Drops events older than `horizon_ms` before the newest, keeping one more when `previous`
  /// may need it. Returns how many were dropped.
  std::size_t compact(std::int64_t horizon_ms, bool keep_previous);
  [[nodiscard]] std::uint64_t next_position() const noexcept { return next_position_; }
  /// Numbers the next event `position` when the history is empty and `position` is ahead: the
  /// events before it existed and were dropped (a compacted log being reopened). False when
  /// events are held or `position` is behind.
  bool resume_at(std::uint64_t position) noexcept {
    if (!events_.empty() || position < next_position_) return false;
    dropped_ += position - next_position_;
    next_position_ = position;
    return true;
  }
  [[nodiscard]] std::uint64_t dropped() const noexcept { return dropped_; }
  /// Bytes held by the events' values and the monitors, for memory reports.
  [[nodiscard]] std::size_t bytes() const noexcept;

  /// The monitors of `set` over this history, brought up to date with every event appended
  /// since the last call: built on first use, and built again from the events still held when
  /// a different policy set decides. Null when `set` has nothing to monitor or incremental
  /// evaluation is off.
  temporal::monitor_state* monitors_for(const compiled_policy_set& set);
  void set_incremental(bool on) noexcept {
    incremental_ = on;
    if (!on) monitors_.reset();
  }
  [[nodiscard]] const temporal::monitor_state* monitors() const noexcept { return monitors_.get(); }

 private:
  std::deque<temporal::event> events_;
  std::unique_ptr<temporal::monitor_state> monitors_;
  bool incremental_ = true;
  std::uint64_t next_position_ = 0;
  std::uint64_t dropped_ = 0;
};

/// Decides `data` with `context` in place of its own and `events` (ending with the request's
/// own event) visible to temporal conditions, chains included. Never throws.
void evaluate_with_history(const compiled_policy_set& set, const entity_data& entities,
                           const request_data& data, const value& context, const temporal::timeline& events,
                           const evaluation_options& options, decision& out) noexcept;

/// The same over a session's history, answering monitorable leaves from its monitors, and
/// recording the decision in `trace` when one is given.
void evaluate_with_history(const compiled_policy_set& set, const entity_data& entities,
                           const request_data& data, const value& context, history& events,
                           const evaluation_options& options, decision& out, decision_trace* trace = nullptr,
                           const trace_options& trace_with = {}) noexcept;

/// Answers temporal leaves for one decision: evaluates each on the timeline whose last event is
/// the decision point, once, on first use.
class history_oracle final : public temporal::leaf_oracle {
 public:
  history_oracle(const temporal::temporal_program& program, const temporal::timeline& events,
                 temporal::decision_inputs inputs, temporal::monitor_state* monitors = nullptr)
      : program_(program),
        events_(events),
        inputs_(inputs),
        monitors_(monitors),
        cache_(program.leaves.size(), unknown) {}

  bool leaf_value(std::uint32_t leaf, bool& holds, std::string& error) const override;

 private:
  static constexpr std::uint8_t unknown = 2;
  const temporal::temporal_program& program_;
  const temporal::timeline& events_;
  temporal::decision_inputs inputs_;
  temporal::monitor_state* monitors_;
  mutable std::vector<std::uint8_t> cache_;
};

}  // namespace mandate::detail::session
