// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Compiling policy text into an immutable, indexed policy set, and evaluating requests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mandate/decision.hpp"
#include "mandate/diagnostic.hpp"
#include "mandate/entities.hpp"
#include "mandate/expected.hpp"
#include "mandate/request.hpp"
#include "mandate/trace.hpp"

namespace mandate {
namespace detail {
struct compiled_policy_set;
}  // namespace detail

inline namespace v0 {

/// One named piece of policy text.
struct policy_source {
  std::string name;  ///< shown in diagnostics, e.g. "policies/support.cedar"
  std::string text;
};

/// Limits that keep hostile policy text from exhausting the parser. Aggregate: use
/// designated initialisers, e.g. `compile_options{.max_nesting_depth = 64}`.
struct compile_options {
  /// Deepest nesting of parentheses, sets, records, call arguments and if-then-else; at most
  /// `max_safe_nesting_depth` (a larger value is lowered to it).
  std::uint32_t max_nesting_depth = 128;
  /// Deepest expression tree, counting every operator (a chain `a || b || c` of N terms is
  /// N deep), so evaluation's recursion stays bounded; at most `max_safe_expression_depth`.
  std::uint32_t max_expression_depth = 1024;
  /// Largest accepted policy text, in bytes, per source.
  std::size_t max_source_bytes = std::size_t{64} << 20;
  /// Policies with errors, per source, after which the parser stops looking for more.
  std::uint32_t max_errors = 50;
  /// The limits above which the parser's and the evaluators' recursion could exhaust a
  /// thread's stack (8 MB, as Linux gives the main thread; less for other threads, so keep the
  /// defaults there).
  static constexpr std::uint32_t max_safe_nesting_depth = 512;
  static constexpr std::uint32_t max_safe_expression_depth = 8192;
  /// Longest `within` window a temporal condition may use (Dogwood's event-schema
  /// `max_window`, 24 hours unless the schema raises it).
  std::int64_t max_temporal_window_ms = 24LL * 60 * 60 * 1000;
};

/// A link of a template policy (one with `?principal` / `?resource` slots) to entities: the
/// linked policy is the template with its slots filled, under its own id. Linking is Cedar's.
struct template_link {
  std::string template_id;              ///< id of the template policy (`@id`, or `policyN`)
  std::string link_id;                  ///< id of the linked policy; must not clash with any other id
  std::optional<entity_ref> principal;  ///< value of ?principal, required iff the template has it
  std::optional<entity_ref> resource;   ///< value of ?resource, required iff the template has it
};

/// Per-evaluation options. Aggregate: `evaluation_options{.mode = eval_mode::cedar}`.
struct evaluation_options {
  eval_mode mode = eval_mode::mandate;
  evaluator engine = evaluator::plan;
  /// The time delegation hops are checked against, in milliseconds since the Unix epoch;
  /// unset means the system clock. Set it to make expiry exact in tests and replays.
  std::optional<std::int64_t> now_ms;
  /// Longest delegation chain accepted, in hops.
  std::uint32_t max_delegation_depth = 8;
};

/// A compiled, immutable set of policies. Copies share the same compiled plan; a
/// policy_set is safe to use from any number of threads at once.
class policy_set {
 public:
  /// Compiles policy text. On failure returns every diagnostic found (the parser recovers
  /// at policy boundaries, so one file can report several errors).
  [[nodiscard]] static expected<policy_set, std::vector<diagnostic>> compile(
      std::string_view text, std::string_view source_name = "<input>", const compile_options& options = {});
  /// Compiles several sources as one set; policy ids run on across sources in order.
  /// Templates are kept but decide nothing until linked: pass `links` here or call link().
  [[nodiscard]] static expected<policy_set, std::vector<diagnostic>> compile(
      std::span<const policy_source> sources, const compile_options& options = {},
      std::span<const template_link> links = {});
  /// Reads a file, or every `*.cedar` / `*.mandate` file under a directory (sorted by path),
  /// and compiles them as one set. Unreadable files are diagnostics with code "io".
  [[nodiscard]] static expected<policy_set, std::vector<diagnostic>> load(
      const std::filesystem::path& file_or_directory, const compile_options& options = {});

  /// Returns a new set with `links` added to this set's links (this set is unchanged). Errors:
  /// an unknown template id, a missing or extra slot value, an id already in use.
  [[nodiscard]] expected<policy_set, std::vector<diagnostic>> link(
      std::span<const template_link> links) const;
  /// Ids of the template policies, in source order.
  [[nodiscard]] std::vector<std::string> template_ids() const;

  /// Evaluates one request against `entities`. Never throws: problems are errors in the
  /// decision, and anything that stops evaluation is a deny.
  [[nodiscard]] decision evaluate(const request& req, const entity_store& entities,
                                  const evaluation_options& options = {}) const noexcept;
  /// Same, writing into `out` and reusing its storage.
  void evaluate(const request& req, const entity_store& entities, decision& out,
                const evaluation_options& options = {}) const noexcept;
  /// Same, and records in `trace` why (include/mandate/trace.hpp): every candidate policy's
  /// scope, clauses and effect, per identity of a delegation chain. The plain overloads do
  /// none of this work.
  void evaluate(const request& req, const entity_store& entities, decision& out, decision_trace& trace,
                const evaluation_options& options = {}, const trace_options& trace_with = {}) const noexcept;

  /// Number of policies.
  [[nodiscard]] std::size_t size() const noexcept;
  /// Policy ids in source order, templates included, then the ids of linked policies.
  [[nodiscard]] std::vector<std::string> policy_ids() const;
  /// A 64-bit XXH3 fingerprint of the normalised source texts, for audit records.
  [[nodiscard]] std::uint64_t fingerprint() const noexcept;
  /// Non-fatal diagnostics found while compiling.
  [[nodiscard]] std::span<const diagnostic> warnings() const noexcept;

  /// Internal: the compiled form, for Mandate's own tools.
  [[nodiscard]] const detail::compiled_policy_set& internals() const noexcept { return *impl_; }

 private:
  explicit policy_set(std::shared_ptr<const detail::compiled_policy_set> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const detail::compiled_policy_set> impl_;
  friend struct ::mandate::detail::compiled_policy_set;
};

/// Parses a links file in the form of the Cedar CLI's `--template-linked` file: a JSON array
/// of `{"template_id": T, "link_id": L, "args": {"?principal": E, "?resource": E}}`, where
/// each E is `{"type": T, "id": I}` or the text `Type::"id"`.
[[nodiscard]] expected<std::vector<template_link>, std::vector<diagnostic>> parse_template_links(
    std::string_view json, std::string_view source_name = "<links>");

}  // namespace v0
}  // namespace mandate
