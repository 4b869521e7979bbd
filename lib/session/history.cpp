// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "session/history.hpp"

#include <algorithm>

namespace mandate::detail::session {

value copy_value(arena& storage, const value& v) {
  switch (v.kind) {
    case value_kind::set: {
      value* items = storage.make_array<value>(v.set->size);
      for (std::uint32_t i = 0; i < v.set->size; ++i) items[i] = copy_value(storage, v.set->items[i]);
      auto* data = storage.make_array<set_data>(1);
      data->items = items;
      data->size = v.set->size;
      return value::of_set(data);
    }
    case value_kind::record: {
      const record_data& from = *v.record;
      auto keys = storage.copy(std::span<const symbol>(from.keys, from.size));
      value* values = storage.make_array<value>(from.size);
      for (std::uint32_t i = 0; i < from.size; ++i) values[i] = copy_value(storage, from.values[i]);
      auto* data = storage.make_array<record_data>(1);
      data->keys = keys.data();
      data->values = values;
      data->size = from.size;
      return value::of_record(data);
    }
    case value_kind::ip: {
      auto* data = storage.make_array<ip_data>(1);
      *data = *v.ip;
      return value::of_ip(data);
    }
    default:
      return v;  // scalars and interned strings are self-contained
  }
}

temporal::event make_request_event(const request_view& request, std::int64_t time_ms,
                                   std::string_view session_id, std::string_view request_id) {
  temporal::event e;
  e.storage = std::make_shared<arena>(256);
  e.time_ms = time_ms;
  e.action = request.action;
  e.kind = intern("request");
  e.context = copy_value(*e.storage, request.context);
  e.has_principal = true;
  e.has_resource = true;
  e.principal = request.principal;
  e.resource = request.resource;

  value input = e.context;
  if (e.context.kind == value_kind::record) {
    if (const value* nested = record_find(*e.context.record, intern("input"));
        nested != nullptr && nested->kind == value_kind::record)
      input = *nested;
  } else {
    input = empty_record();
  }
  const symbol keys[] = {intern("input"), intern("callerPrincipal"), intern("callerResource"),
                         intern("requestId"), intern("sessionId")};
  const value values[] = {input, value::of_entity(request.principal), value::of_entity(request.resource),
                          value::of_string(intern(request_id)), value::of_string(intern(session_id))};
  if (!make_record(*e.storage, keys, values, e.fields)) e.fields = empty_record();
  return e;
}

temporal::event& history::append(temporal::event e) {
  if (!events_.empty() && e.time_ms < events_.back().time_ms) e.time_ms = events_.back().time_ms;
  e.position = next_position_++;
  events_.push_back(std::move(e));
  return events_.back();
}

std::size_t history::compact(std::int64_t horizon_ms, bool keep_previous) {
  if (events_.empty()) return 0;
  const std::int64_t oldest_needed = events_.back().time_ms - horizon_ms;
  std::size_t drop = 0;
  while (drop < events_.size() && events_[drop].time_ms < oldest_needed) ++drop;
  // `previous` at the oldest event in reach looks one further back.
  if (keep_previous && drop > 0) --drop;
  // Never drop the newest event: it may be the decision point of the next `previous`.
  drop = std::min(drop, events_.size() - 1);
  events_.erase(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(drop));
  dropped_ += drop;
  return drop;
}

temporal::monitor_state* history::monitors_for(const compiled_policy_set& set) {
  if (!incremental_ || !set.monitors || set.monitors->monitored_leaves() == 0) return nullptr;
  const std::uint64_t first = events_.empty() ? next_position_ : events_.front().position;
  // A state for another set, or one that missed events now dropped, starts again from what is
  // held: exactly what the reference evaluator would read.
  try {
    if (!monitors_ || monitors_->serial() != set.serial || monitors_->next_position() < first)
      monitors_ = std::make_unique<temporal::monitor_state>(set.temporal, *set.monitors, set.serial);
    const std::uint64_t from = std::max(monitors_->next_position(), first);
    for (auto i = static_cast<std::size_t>(from - first); i < events_.size(); ++i)
      monitors_->observe(events_[i]);
  } catch (...) {
    monitors_.reset();  // a half-folded event would leave a wrong state behind
    throw;
  }
  return monitors_.get();
}

std::size_t history::bytes() const noexcept {
  std::size_t total = events_.size() * sizeof(temporal::event);
  if (monitors_) total += monitors_->bytes();
  const arena* last = nullptr;
  for (const auto& e : events_) {
    if (e.storage.get() != last && e.storage) total += e.storage->bytes_reserved();
    last = e.storage.get();
  }
  return total;
}

bool history_oracle::leaf_value(std::uint32_t leaf, bool& holds, std::string& error) const {
  if (leaf >= cache_.size()) {
    error = "unknown temporal condition";
    return false;
  }
  if (cache_[leaf] == unknown && monitors_ != nullptr) {
    const auto answer = monitors_->evaluate(leaf, events_, inputs_);
    if (answer != temporal::monitor_state::answer::unknown)
      cache_[leaf] = answer == temporal::monitor_state::answer::yes ? 1 : 0;
  }
  if (cache_[leaf] == unknown) {
    temporal::leaf_result r = temporal::evaluate_leaf(program_, leaf, events_, inputs_);
    if (!r.ok) {
      error = "temporal evaluation: " + r.error;
      return false;
    }
    cache_[leaf] = r.holds ? 1 : 0;
  }
  holds = cache_[leaf] == 1;
  return true;
}

}  // namespace mandate::detail::session
