// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Cedar schemas, and validating a policy set against one: the entity types, their attributes
// and parents, the actions and what they apply to, so that `principal.levle` or a comparison
// of a Long with a String is found before any request is evaluated.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mandate/diagnostic.hpp"
#include "mandate/expected.hpp"
#include "mandate/policy_set.hpp"

namespace mandate {
namespace detail {
struct schema_data;
}  // namespace detail

inline namespace v0 {

/// An immutable, fully resolved Cedar schema. Copies share storage; safe to use from many
/// threads at once.
class schema {
 public:
  /// Parses Cedar's schema text form (`.cedarschema`). Every type reference is resolved; on
  /// failure returns every diagnostic found (syntax errors, unknown types, duplicate
  /// declarations, cycles among common types), each with file:line:col. Type nesting deeper
  /// than 64 levels is a diagnostic, never a crash.
  [[nodiscard]] static expected<schema, std::vector<diagnostic>> parse(
      std::string_view text, std::string_view source_name = "<schema>");
  /// Parses Cedar's JSON schema form: `{"Namespace": {"entityTypes": {..}, "actions": {..},
  /// "commonTypes": {..}}}`, with "" for declarations outside any namespace.
  [[nodiscard]] static expected<schema, std::vector<diagnostic>> parse_json(
      std::string_view json, std::string_view source_name = "<schema>");
  /// Reads a schema file: a name ending in ".json" is the JSON form, anything else the text
  /// form. An unreadable file is a diagnostic with code "io".
  [[nodiscard]] static expected<schema, std::vector<diagnostic>> load(const std::filesystem::path& file);

  /// Fully qualified entity type names (`User`, `Acme::Doc`), sorted. Action types not included.
  [[nodiscard]] std::vector<std::string> entity_type_names() const;
  /// Actions as Cedar entity references (`Action::"read"`, `Acme::Action::"view"`), sorted.
  [[nodiscard]] std::vector<std::string> action_names() const;

  /// Internal: the resolved form, for Mandate's own tools.
  [[nodiscard]] const detail::schema_data& internals() const noexcept { return *impl_; }

 private:
  explicit schema(std::shared_ptr<const detail::schema_data> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const detail::schema_data> impl_;
  friend struct ::mandate::detail::schema_data;
};

/// Type-checks every policy of `policies` against `s`, as Cedar's validator does: unknown entity
/// types and actions, attributes a type lacks, optional attributes read without a `has` guard,
/// operands of the wrong type, and policies whose scope no action of the schema can satisfy.
/// Returns errors and warnings (code "type"), each pointing at the offending expression; an
/// empty result means the policies validate cleanly. Never throws for bad input.
[[nodiscard]] std::vector<diagnostic> validate(const policy_set& policies, const schema& s);

}  // namespace v0
}  // namespace mandate
