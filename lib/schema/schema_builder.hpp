// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Between the two schema syntaxes and the resolved model. Each form's reader (text:
// cedarschema_parser.cpp, JSON: json_schema_parser.cpp) produces the same unresolved
// declarations, names as written; build_schema() then resolves every name once, for both
// forms, so the two cannot drift apart in what they accept.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ast/ast.hpp"
#include "json/cedar_json.hpp"
#include "mandate/diagnostic.hpp"
#include "schema/schema_model.hpp"

namespace mandate::detail::schema_build {

/// Where a declaration or type was written: a byte range of the text form, or for the JSON
/// form a path into the document (found in the text only when a diagnostic needs it).
struct origin {
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
  std::int32_t json_path = -1;  // index into raw_schema::json_paths
};

/// How a type name is to be looked up.
enum class name_lookup : std::uint8_t {
  any,        // text form, JSON "EntityOrCommon": common type, then entity type, then built-in
  entity,     // JSON {"type": "Entity", "name": ..}
  extension,  // JSON {"type": "Extension", "name": ..}
  common,     // JSON {"type": "Name"} for a name that is not a JSON keyword
  builtin,    // JSON "String", "Long", "Boolean"
};

enum class raw_type_kind : std::uint8_t { named, set, record };

struct raw_attribute {
  std::string name;
  std::uint32_t type = 0;  // index into raw_schema::types
  bool required = true;
  origin where;
};

struct raw_type {
  raw_type_kind kind = raw_type_kind::named;
  name_lookup lookup = name_lookup::any;
  std::string name;                       // named: as written, `::` without spaces
  std::uint32_t element = 0;              // set
  std::vector<raw_attribute> attributes;  // record
  bool open = false;                      // record: JSON additionalAttributes
  origin where;
};

struct raw_name {
  std::string text;
  origin where;
};

struct raw_annotation {
  std::string key;
  std::string value;
  origin where;
};

/// A reference to an action: `Action::"x"`, `Ns::Action::"x"` or a bare name.
struct raw_action_ref {
  std::string type;  // empty: the `Action` type of the declaring namespace
  std::string id;
  origin where;
};

struct raw_entity {
  std::string ns;
  std::string name;  // unqualified
  origin where;
  std::vector<raw_name> parents;
  std::optional<std::uint32_t> shape;
  std::optional<std::uint32_t> tags;
  bool enumerated = false;
  std::vector<raw_name> enum_ids;
  std::vector<raw_annotation> annotations;
};

struct raw_action {
  std::string ns;
  std::string id;
  origin where;
  std::vector<raw_action_ref> parents;
  bool has_applies_to = false;
  bool has_principal = false;
  bool has_resource = false;
  std::vector<raw_name> principals;
  std::vector<raw_name> resources;
  std::optional<std::uint32_t> context;
  std::vector<raw_annotation> annotations;
};

struct raw_common {
  std::string ns;
  std::string name;  // unqualified
  std::uint32_t type = 0;
  origin where;
};

struct raw_schema {
  std::vector<raw_type> types;
  std::vector<raw_entity> entities;
  std::vector<raw_action> actions;
  std::vector<raw_common> commons;
  std::vector<json_path> json_paths;

  std::uint32_t add_type(raw_type t) {
    types.push_back(std::move(t));
    return static_cast<std::uint32_t>(types.size() - 1);
  }
};

/// Turns an origin into a positioned diagnostic, for either form.
class locator {
 public:
  locator(std::string file_name, std::string_view text, bool json_form);

  [[nodiscard]] diagnostic make(const raw_schema& raw, origin where, std::string code, std::string message,
                                severity level = severity::error) const;
  /// A diagnostic at a byte range of the text.
  [[nodiscard]] diagnostic at(std::size_t offset, std::size_t length, std::string code, std::string message,
                              severity level = severity::error) const;
  [[nodiscard]] const std::string& file_name() const noexcept { return file_.name; }
  [[nodiscard]] std::string_view text() const noexcept { return file_.text; }

 private:
  source_file file_;
  bool json_form_;
};

/// Most diagnostics one schema reports before the reader stops looking for more.
inline constexpr std::size_t max_schema_errors = 50;

/// Reads the text form. Returns false (with diagnostics) on a syntax error.
bool read_cedarschema(const locator& where, raw_schema& out, std::vector<diagnostic>& diagnostics);
/// Reads the JSON form. Returns false (with diagnostics) on malformed JSON or a shape error.
bool read_json_schema(const locator& where, raw_schema& out, std::vector<diagnostic>& diagnostics);

/// Resolves every name of `raw`. Returns null when it found errors (appended to `diagnostics`).
std::shared_ptr<schema_data> build_schema(const raw_schema& raw, const locator& where,
                                          std::vector<diagnostic>& diagnostics);

}  // namespace mandate::detail::schema_build
