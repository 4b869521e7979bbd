// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "mandate/policy_set.hpp"

#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <sstream>
#include <system_error>

#include "compile/plan.hpp"
#include "eval/chain.hpp"
#include "eval/evaluate.hpp"
#include "eval/trace.hpp"
#include "parse/parser.hpp"
#include "session/history.hpp"
#include "temporal/parse.hpp"

namespace mandate {
inline namespace v0 {
namespace {

using detail::compiled_policy_set;

diagnostic io_error(const std::string& path, const std::string& message) {
  diagnostic d;
  d.code = "io";
  d.message = message;
  d.where.file = path;
  return d;
}

bool is_policy_file(const std::filesystem::path& p) {
  const auto ext = p.extension();
  return ext == ".cedar" || ext == ".mandate";
}

// Policy ids are `@id` when present, else Cedar's positional `policyN`.
void assign_ids(compiled_policy_set& set) {
  const auto& policies = set.ast.policies;
  set.ids.reserve(policies.size());
  for (const auto& p : policies) {
    const detail::annotation* id = p.find_annotation("id");
    set.ids.push_back(id != nullptr ? id->value : "policy" + std::to_string(p.position));
  }
}

void report_duplicate_ids(const compiled_policy_set& set, std::vector<diagnostic>& diagnostics) {
  const auto& policies = set.ast.policies;
  std::vector<std::size_t> order(policies.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return set.ids[a] < set.ids[b]; });
  for (std::size_t k = 1; k < order.size(); ++k) {
    if (set.ids[order[k]] != set.ids[order[k - 1]]) continue;
    const detail::annotation* id = policies[order[k]].find_annotation("id");
    const detail::source_span span = id != nullptr ? id->span : policies[order[k]].span;
    diagnostics.push_back(detail::make_diagnostic(set.ast, span, "duplicate-id",
                                                  "duplicate policy id `" + set.ids[order[k]] + "`"));
  }
}

diagnostic link_error(const template_link& link, std::string message) {
  diagnostic d;
  d.code = "link";
  d.message = "link `" + link.link_id + "` of template `" + link.template_id + "`: " + std::move(message);
  d.where.file = "<links>";
  return d;
}

// Fills `slot` from `value`; false (with a diagnostic) when one is given without the other.
bool fill_slot(detail::scope_constraint& slot, const std::optional<entity_ref>& value, const char* name,
               const template_link& link, std::vector<diagnostic>& diagnostics) {
  if (slot.slot != value.has_value()) {
    diagnostics.push_back(
        link_error(link, slot.slot ? std::string("the template has ") + name + " but no value was given"
                                   : std::string("the template has no ") + name + " slot"));
    return false;
  }
  if (slot.slot) {
    slot.entity = {detail::intern(value->type), detail::intern(value->id)};
    slot.slot = false;
  }
  return true;
}

// A linked policy is a copy of its template with the slots filled: conditions and
// annotations are shared expression ids, so linking costs a scope, not a recompile of text.
void apply_links(compiled_policy_set& set, std::span<const template_link> links,
                 std::vector<diagnostic>& diagnostics) {
  const std::size_t templates_end = set.ast.policies.size();
  std::uint32_t position = set.ast.policies_seen;
  for (const template_link& link : links) {
    std::size_t found = templates_end;
    for (std::size_t i = 0; i < templates_end; ++i)
      if (set.ids[i] == link.template_id) found = i;
    if (found == templates_end || !set.ast.policies[found].is_template()) {
      diagnostics.push_back(link_error(
          link, found == templates_end ? "no policy has that id" : "that policy is not a template"));
      continue;
    }
    detail::policy linked = set.ast.policies[found];
    const bool ok = fill_slot(linked.principal, link.principal, "?principal", link, diagnostics) &
                    fill_slot(linked.resource, link.resource, "?resource", link, diagnostics);
    if (!ok) continue;
    linked.position = position++;
    set.ast.policies.push_back(std::move(linked));
    set.ids.push_back(link.link_id);
  }
}

std::uint64_t fingerprint_of(const detail::policy_set_ast& ast, std::span<const template_link> links) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  for (const auto& file : ast.files) {
    XXH3_64bits_update(state, file.name.data(), file.name.size());
    XXH3_64bits_update(state, "\0", 1);
    XXH3_64bits_update(state, file.text.data(), file.text.size());
    XXH3_64bits_update(state, "\0", 1);
  }
  for (const template_link& link : links) {
    for (const std::string* part : {&link.template_id, &link.link_id}) {
      XXH3_64bits_update(state, part->data(), part->size());
      XXH3_64bits_update(state, "\0", 1);
    }
    for (const auto* slot : {&link.principal, &link.resource}) {
      const std::string text = *slot ? (*slot)->type + "::" + (*slot)->id : std::string();
      XXH3_64bits_update(state, text.data(), text.size() + 1);
    }
  }
  const std::uint64_t hash = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return hash;
}

// Parses every `temporal { ... }` block met by the policy parser, now that the macros of every
// file are known, and points each block's AST node at its leaf.
void parse_temporal_blocks(compiled_policy_set& set, std::vector<diagnostic>& diagnostics) {
  if (set.ast.temporal_blocks.empty() && set.ast.macros.empty()) return;
  const std::span<const detail::macro_declaration> macros = set.ast.macros;
  detail::temporal::temporal_options options;
  options.max_window_ms = set.options.max_temporal_window_ms;
  options.max_nesting_depth = set.options.max_nesting_depth;
  (void)detail::temporal::check_macro_definitions(set.ast, macros, diagnostics, options);
  for (const detail::temporal_block& block : set.ast.temporal_blocks) {
    const auto leaf =
        detail::temporal::parse_temporal_block(set.ast, block.file, block.body_begin, block.body_end,
                                               block.policy, macros, set.temporal, diagnostics, options);
    if (leaf) set.ast.exprs[block.node].name = *leaf;
  }
}

}  // namespace

expected<policy_set, std::vector<diagnostic>> policy_set::compile(std::string_view text,
                                                                  std::string_view source_name,
                                                                  const compile_options& options) {
  const policy_source source{std::string(source_name), std::string(text)};
  return compile(std::span(&source, 1), options);
}

namespace {

// The parser and the evaluators recurse once per nesting level and per operator: past these
// depths a hostile policy could exhaust the thread's stack whatever the caller asked for, so
// larger limits are lowered to them.
compile_options within_safe_depths(compile_options options) {
  options.max_nesting_depth = std::min(options.max_nesting_depth, compile_options::max_safe_nesting_depth);
  options.max_expression_depth =
      std::min(options.max_expression_depth, compile_options::max_safe_expression_depth);
  return options;
}

}  // namespace

expected<policy_set, std::vector<diagnostic>> policy_set::compile(std::span<const policy_source> sources,
                                                                  const compile_options& requested,
                                                                  std::span<const template_link> links) {
  const compile_options options = within_safe_depths(requested);
  auto set = std::make_shared<compiled_policy_set>();
  set->sources.assign(sources.begin(), sources.end());
  set->options = options;
  set->links.assign(links.begin(), links.end());
  std::vector<diagnostic> diagnostics;
  const detail::parse_limits limits{options.max_nesting_depth, options.max_errors};
  for (const policy_source& source : sources) {
    if (source.text.size() > options.max_source_bytes || source.text.size() > UINT32_MAX / 2) {
      diagnostics.push_back(io_error(source.name, "policy text is " + std::to_string(source.text.size()) +
                                                      " bytes; the limit is " +
                                                      std::to_string(options.max_source_bytes)));
      continue;
    }
    set->ast.files.emplace_back(source.name, source.text);
  }
  // Macros first: a policy may use a macro defined later or in another file.
  for (std::uint32_t file = 0; file < set->ast.files.size(); ++file)
    detail::collect_macros(set->ast, file, limits, diagnostics);
  for (std::uint32_t file = 0; file < set->ast.files.size(); ++file)
    detail::parse_policies(set->ast, file, limits, diagnostics);
  parse_temporal_blocks(*set, diagnostics);
  if (!set->temporal.empty()) set->monitors = detail::temporal::plan_monitors(set->temporal);
  static std::atomic<std::uint64_t> next_serial{1};
  set->serial = next_serial.fetch_add(1, std::memory_order_relaxed);
  assign_ids(*set);
  apply_links(*set, links, diagnostics);
  report_duplicate_ids(*set, diagnostics);
  detail::compile_plan(*set, options.max_expression_depth, diagnostics);
  set->fingerprint = fingerprint_of(set->ast, set->links);
  if (has_errors(diagnostics)) return unexpected(std::move(diagnostics));
  set->warnings = std::move(diagnostics);
  return compiled_policy_set::publish(std::move(set));
}

expected<policy_set, std::vector<diagnostic>> policy_set::link(std::span<const template_link> links) const {
  std::vector<template_link> all = impl_->links;
  all.insert(all.end(), links.begin(), links.end());
  return compile(impl_->sources, impl_->options, all);
}

std::vector<std::string> policy_set::template_ids() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < impl_->ast.policies.size(); ++i)
    if (impl_->ast.policies[i].is_template()) out.push_back(impl_->ids[i]);
  return out;
}

expected<policy_set, std::vector<diagnostic>> policy_set::load(const std::filesystem::path& file_or_directory,
                                                               const compile_options& options) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(file_or_directory, ec)) {
    for (auto it = std::filesystem::recursive_directory_iterator(file_or_directory, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec) && is_policy_file(it->path())) files.push_back(it->path());
    }
    if (ec)
      return unexpected(
          std::vector{io_error(file_or_directory.string(), "cannot list directory: " + ec.message())});
    std::sort(files.begin(), files.end());
    if (files.empty())
      return unexpected(
          std::vector{io_error(file_or_directory.string(), "no *.cedar or *.mandate files in directory")});
  } else {
    files.push_back(file_or_directory);
  }
  std::vector<policy_source> sources;
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return unexpected(std::vector{io_error(
          path.string(), "cannot read '" + path.string() + "': " + std::generic_category().message(errno))});
    }
    std::ostringstream text;
    text << in.rdbuf();
    sources.push_back({path.string(), std::move(text).str()});
  }
  return compile(sources, options);
}

decision policy_set::evaluate(const request& req, const entity_store& entities,
                              const evaluation_options& options) const noexcept {
  decision out;
  evaluate(req, entities, out, options);
  return out;
}

namespace {

// Where a traced decision records each identity; null for the plain path.
struct tracing {
  decision_trace* trace;
  trace_options options;
  // Identities recorded so far: entries past it are left from an earlier decision, kept so
  // their storage is reused, and trimmed when the decision is complete.
  mutable std::size_t used = 0;
};

// One identity's decision, with no chain: the plain path every evaluation ends in.
void evaluate_view(const compiled_policy_set& set, const detail::entity_data& entities,
                   const detail::request_view& view, const evaluation_options& options, decision& out,
                   const tracing* traced = nullptr);

// One identity's decision with `events` (ending with the request's own) visible to its
// temporal conditions. Each identity of a chain gets its own oracle: a leaf may read `principal`.
void evaluate_view_over(const compiled_policy_set& set, const detail::entity_data& entities,
                        detail::request_view view, const detail::temporal::timeline& events,
                        detail::temporal::monitor_state* monitors, const evaluation_options& options,
                        decision& out, const tracing* traced = nullptr) {
  detail::session::history_oracle oracle(set.temporal, events, {&view, &entities}, monitors);
  view.temporal = &oracle;
  evaluate_view(set, entities, view, options, out, traced);
}

void evaluate_view(const compiled_policy_set& set, const detail::entity_data& entities,
                   const detail::request_view& view, const evaluation_options& options, decision& out,
                   const tracing* traced) {
  if (!set.temporal.empty() && view.temporal == nullptr) {
    // Outside a session a temporal condition sees a history of one event, the request itself,
    // as a fresh Dogwood authorizer fed one decision event does.
    detail::temporal::event self = detail::session::make_request_event(view, 0, "", "");
    detail::temporal::pointer_timeline events;
    events.events.push_back(&self);
    evaluate_view_over(set, entities, view, events, nullptr, options, out, traced);
    return;
  }
  auto& scratch = detail::eval_scratch::for_this_thread();
  scratch.reset();
  if (traced != nullptr) {
    // The traced path: the same candidates through the plan evaluator instantiated with a
    // recorder. The identities of a chain are recorded in the order they are checked.
    auto& identities = traced->trace->identities;
    if (traced->used == identities.size()) identities.emplace_back();
    identity_trace& identity = identities[traced->used++];
    identity.hop = -1;
    identity.outcome = verdict::deny;
    identity.ruled_out = 0;
    identity.principal = detail::to_cedar(view.principal);
    detail::trace_recorder recorder(set, entities, view, scratch, identity, traced->options);
    detail::evaluate_plan_traced(set, entities, view, scratch, recorder);
    detail::assemble_decision(set, scratch, options.mode, out);
    recorder.finish(out, scratch.candidates);
  } else if (options.engine == evaluator::reference) {
    detail::evaluate_reference(set, entities, view, scratch);
    detail::assemble_decision(set, scratch, options.mode, out);
  } else {
    detail::evaluate_plan(set, entities, view, scratch);
    detail::assemble_decision(set, scratch, options.mode, out);
  }
  detail::clear_beyond_policies(out);
}

// A chain's identities are traced in the order they are checked, the principal first; a
// request without a chain has one identity and no hop.
void number_hops(const tracing& traced, const decision& d) {
  decision_trace& trace = *traced.trace;
  trace.identities.resize(traced.used);
  const bool chained = trace.identities.size() > 1 || d.deciding_hop >= 0;
  for (std::size_t i = 0; i < trace.identities.size(); ++i)
    trace.identities[i].hop = chained ? static_cast<std::int32_t>(i) : -1;
}

// Every decision: the chain's identities or the request alone, failing closed on anything
// thrown (only allocation can throw here). With `events`, temporal conditions read them and the
// context is `*context` instead of the request's own.
void decide(const compiled_policy_set& set, const detail::entity_data& entities,
            const detail::request_data& data, const detail::value* context,
            const detail::temporal::timeline* events, detail::temporal::monitor_state* monitors,
            const evaluation_options& options, decision& out, const tracing* traced = nullptr) noexcept {
  try {
    if (traced != nullptr) {
      traced->used = 0;
      traced->trace->policy_count = set.ast.policies.size();
    }
    if (events == nullptr) {
      auto plain = [&](const compiled_policy_set& s, const detail::entity_data& e,
                       const detail::request_view& view, const evaluation_options& o,
                       decision& d) { evaluate_view(s, e, view, o, d, traced); };
      if (detail::needs_chain_evaluation(data)) {
        detail::evaluate_chain(set, entities, data, options, plain, out);
      } else {
        evaluate_view(set, entities, data, options, out, traced);
      }
      if (traced != nullptr) number_hops(*traced, out);
      return;
    }
    auto over_events = [&](const compiled_policy_set& s, const detail::entity_data& e,
                           const detail::request_view& view, const evaluation_options& o, decision& d) {
      detail::request_view with_context = view;
      with_context.context = *context;
      evaluate_view_over(s, e, with_context, *events, monitors, o, d, traced);
    };
    if (detail::needs_chain_evaluation(data)) {
      detail::evaluate_chain(set, entities, data, options, over_events, out);
    } else {
      over_events(set, entities, data, options, out);
    }
    if (traced != nullptr) number_hops(*traced, out);
  } catch (...) {
    if (traced != nullptr) traced->trace->identities.clear();
    // Whatever it was, the answer is no.
    out.outcome = verdict::deny;
    out.mode = options.mode;
    out.failed_closed = true;
    out.reasons.clear();
    out.annotations.clear();
    out.errors.clear();
    detail::clear_beyond_policies(out);
    try {
      out.errors.push_back({"", "internal error: evaluation could not complete"});
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing more can be reported
    }
  }
}

}  // namespace

void policy_set::evaluate(const request& req, const entity_store& entities, decision& out,
                          const evaluation_options& options) const noexcept {
  decide(*impl_, entities.internals(), req.internals(), nullptr, nullptr, nullptr, options, out);
}

void policy_set::evaluate(const request& req, const entity_store& entities, decision& out,
                          decision_trace& trace, const evaluation_options& options,
                          const trace_options& trace_with) const noexcept {
  const tracing traced{&trace, trace_with};
  decide(*impl_, entities.internals(), req.internals(), nullptr, nullptr, nullptr, options, out, &traced);
}

}  // namespace v0
}  // namespace mandate

namespace mandate::detail::session {

void evaluate_with_history(const compiled_policy_set& set, const entity_data& entities,
                           const request_data& data, const value& context, const temporal::timeline& events,
                           const evaluation_options& options, decision& out) noexcept {
  decide(set, entities, data, &context, &events, nullptr, options, out);
}

void evaluate_with_history(const compiled_policy_set& set, const entity_data& entities,
                           const request_data& data, const value& context, history& events,
                           const evaluation_options& options, decision& out, decision_trace* trace,
                           const trace_options& trace_with) noexcept {
  temporal::monitor_state* monitors = nullptr;
  try {
    monitors = events.monitors_for(set);
  } catch (...) {  // NOLINT(bugprone-empty-catch): without monitors the reference evaluator answers
  }
  const tracing traced{trace, trace_with};
  decide(set, entities, data, &context, &events, monitors, options, out,
         trace != nullptr ? &traced : nullptr);
}

}  // namespace mandate::detail::session

namespace mandate {
inline namespace v0 {

std::size_t policy_set::size() const noexcept { return impl_->ast.policies.size(); }
std::vector<std::string> policy_set::policy_ids() const { return impl_->ids; }
std::uint64_t policy_set::fingerprint() const noexcept { return impl_->fingerprint; }
std::span<const diagnostic> policy_set::warnings() const noexcept { return impl_->warnings; }

}  // namespace v0
}  // namespace mandate
