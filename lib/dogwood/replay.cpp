// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "dogwood/replay.hpp"

#include <algorithm>
#include <optional>

#include "compile/plan.hpp"
#include "dogwood/event_schema.hpp"
#include "dogwood/temporal_types.hpp"
#include "dogwood/trace.hpp"
#include "mandate/schema.hpp"
#include "session/history.hpp"

namespace mandate::detail::dogwood {
namespace {

struct replay_state {
  std::optional<policy_set> policies;
  bool incremental = true;
  derived_event_schema events;
  // The schema's actions as entities, so `action in [Group]` resolves (as Dogwood adds the
  // schema's action hierarchy to every request's entities).
  std::shared_ptr<entity_data> actions = std::make_shared<entity_data>();
};

void add_record(entity_data& store, const entity_record& rec) {
  if (store.index.count(rec.uid.key()) != 0) return;
  store.index.emplace(rec.uid.key(), static_cast<std::uint32_t>(store.records.size()));
  store.records.push_back(rec);
}

// The Cedar request a decision event stands for: its scope, and the request context, whose
// `input` falls back to the logged record's when the trace gives no request_context for it.
value request_context(arena& storage, const temporal::event& e) {
  const symbol input_key = intern("input");
  const value* logged_input =
      e.fields.kind == value_kind::record ? record_find(*e.fields.record, input_key) : nullptr;
  const bool has_input =
      e.context.kind == value_kind::record && record_find(*e.context.record, input_key) != nullptr;
  if (has_input || logged_input == nullptr) return e.context;
  value out;
  if (!record_with(storage, e.context, {&input_key, 1}, {logged_input, 1}, out)) return e.context;
  return out;
}

}  // namespace

replay_setup prepare_replay(const replay_inputs& inputs) {
  replay_setup setup;
  auto state = std::make_shared<replay_state>();
  std::optional<schema> cedar;
  if (!inputs.cedar_schema.empty()) {
    auto parsed = schema::parse(inputs.cedar_schema, inputs.cedar_schema_name);
    if (!parsed) {
      setup.diagnostics = parsed.error();
      return setup;
    }
    cedar = std::move(*parsed);
    for (const action_info& a : cedar->internals().actions) {
      entity_record rec;
      rec.uid = a.uid;
      rec.attributes = empty_record();
      rec.tags = empty_record();
      rec.parents = a.parents;
      add_record(*state->actions, rec);
    }
    if (auto limit = state->actions->compute_ancestors()) {
      diagnostic d;
      d.code = "limit";
      d.level = severity::error;
      d.message = "the schema's action groups: " + limit->message;
      d.where.file = std::string(inputs.cedar_schema_name);
      setup.diagnostics.push_back(std::move(d));
      return setup;
    }
  }
  event_schema_ast event_ast;
  const std::string_view event_text =
      inputs.event_schema.empty() ? default_event_schema() : inputs.event_schema;
  if (!parse_event_schema(event_text, inputs.event_schema_name, event_ast, setup.diagnostics)) return setup;
  if (!derive_event_schema(event_ast, cedar ? &cedar->internals() : nullptr, state->events,
                           setup.diagnostics))
    return setup;

  std::vector<policy_source> sources;
  if (!inputs.macros.empty()) sources.push_back({inputs.macros_name, inputs.macros});
  sources.insert(sources.end(), inputs.policies.begin(), inputs.policies.end());
  compile_options options;
  options.max_temporal_window_ms = state->events.max_window_ms;
  auto compiled = policy_set::compile(sources, options);
  if (!compiled) {
    setup.diagnostics = compiled.error();
    return setup;
  }
  state->policies.emplace(std::move(*compiled));
  state->incremental = inputs.incremental;
  {
    const compiled_policy_set& set = state->policies->internals();
    setup.temporal_leaves = set.temporal.leaves.size();
    setup.monitored_leaves = set.monitors ? set.monitors->monitored_leaves() : 0;
  }
  if (inputs.validate) {
    const compiled_policy_set& set = state->policies->internals();
    // Dogwood validates the Cedar side in strict mode, then the temporal conditions.
    if (cedar) {
      auto cedar_side = validate(*state->policies, *cedar);
      for (auto& d : cedar_side) setup.diagnostics.push_back(std::move(d));
    }
    validate_predicates(set.temporal, state->events, set.ast, setup.diagnostics);
    // Then the context paths and operand types, per action each leaf's policy applies to.
    if (cedar)
      validate_temporal_types(set.temporal, cedar->internals(), state->events, set.ast, setup.diagnostics);
    if (has_errors(setup.diagnostics)) return setup;
  }
  setup.ok = true;
  setup.state = state;
  return setup;
}

bool replay_trace(const replay_setup& setup, std::string_view trace, std::vector<std::string>& lines,
                  std::string& error) {
  if (!setup.ok) {
    error = "the policy set did not compile";
    return false;
  }
  const auto& state = *static_cast<const replay_state*>(setup.state.get());
  std::vector<trace_event> events;
  if (!parse_trace(trace, events, error)) return false;
  const compiled_policy_set& set = state.policies->internals();
  const symbol request_kind = intern("request");
  session::history history;
  history.set_incremental(state.incremental);
  for (trace_event& te : events) {
    const bool decides = state.events.decision_kinds.empty() ? te.event.kind == request_kind
                                                             : state.events.is_decision_kind(te.event.kind);
    const std::int64_t seconds = te.event.time_ms / 1000;
    const temporal::event& e = history.append(te.event);
    if (!decides) continue;
    const std::uint64_t point = e.position;
    // A decision event without a principal and a resource fails closed (Dogwood's
    // FailClosed-Request): deny.
    if (!e.has_principal || !e.has_resource) {
      lines.push_back(format_verdict(seconds, point, false));
      continue;
    }
    std::shared_ptr<entity_data> combined;
    if (te.entities && !state.actions->records.empty()) {
      combined = std::make_shared<entity_data>();
      for (const auto& rec : te.entities->records) add_record(*combined, rec);
      for (const auto& rec : state.actions->records) add_record(*combined, rec);
      // Each part was closed within the limits already; together they may not be: deny, as
      // with any request that cannot be decided.
      if (combined->compute_ancestors()) {
        lines.push_back(format_verdict(seconds, point, false));
        continue;
      }
    }
    const entity_data& entities = combined ? *combined : te.entities ? *te.entities : *state.actions;
    arena storage(256);
    auto data = std::make_shared<request_data>();
    data->principal = e.principal;
    data->action = e.action;
    data->resource = e.resource;
    data->context = request_context(storage, e);
    // With universal pins, conditions see only the events agreeing with this request on every
    // pinned field (Dogwood's partition guarantee).
    temporal::pointer_timeline partition;
    const temporal::timeline* visible = &history;
    if (!state.events.universal_pins.empty()) {
      std::vector<value> keys;
      bool readable = true;
      for (const event_pin& pin : state.events.universal_pins) {
        value v;
        if (!request_pin_value(pin, *data, &entities, v)) readable = false;
        keys.push_back(v);
      }
      for (std::size_t i = 0; readable && i < history.size(); ++i) {
        const temporal::event& past = history.at(i);
        bool agrees = true;
        for (std::size_t k = 0; k < keys.size() && agrees; ++k) {
          const value* at = event_pin_value(state.events.universal_pins[k], past);
          agrees = at != nullptr && value_equal(*at, keys[k]);
        }
        if (agrees) partition.events.push_back(&past);
      }
      // The decision event itself is the decision point, whatever it logs.
      if (partition.events.empty() || partition.events.back() != &e) partition.events.push_back(&e);
      visible = &partition;
    }
    decision d;
    evaluation_options options;
    options.mode = eval_mode::cedar;
    const request req = request_data::publish(data);
    if (visible == &history) {
      session::evaluate_with_history(set, entities, req.internals(), data->context, history, options, d);
    } else {
      // A partition is a view of the history, not one the monitors followed: read it.
      session::evaluate_with_history(set, entities, req.internals(), data->context, *visible, options, d);
    }
    lines.push_back(format_verdict(seconds, point, d.outcome == verdict::allow));
  }
  return true;
}

}  // namespace mandate::detail::dogwood
