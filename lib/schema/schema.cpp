// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The public face of schemas: read either form, resolve, publish an immutable schema_data.
#include "mandate/schema.hpp"

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <system_error>

#include "schema/schema_builder.hpp"
#include "schema/schema_model.hpp"

namespace mandate {
inline namespace v0 {
namespace {

// Offsets in diagnostics are 32-bit; a schema is never anywhere near this large.
constexpr std::size_t max_schema_bytes = std::size_t{64} << 20;

diagnostic io_error(std::string_view file, std::string message) {
  diagnostic d;
  d.code = "io";
  d.message = std::move(message);
  d.where.file = std::string(file);
  return d;
}

using reader = bool (*)(const detail::schema_build::locator&, detail::schema_build::raw_schema&,
                        std::vector<diagnostic>&);

expected<schema, std::vector<diagnostic>> read_schema(std::string_view text, std::string_view source_name,
                                                      bool json_form) {
  if (text.size() > max_schema_bytes) {
    return unexpected(
        std::vector{io_error(source_name, "schema text is " + std::to_string(text.size()) +
                                              " bytes; the limit is " + std::to_string(max_schema_bytes))});
  }
  std::vector<diagnostic> diagnostics;
  try {
    const detail::schema_build::locator where(std::string(source_name), text, json_form);
    detail::schema_build::raw_schema raw;
    const reader read =
        json_form ? &detail::schema_build::read_json_schema : &detail::schema_build::read_cedarschema;
    // Names are resolved only in a schema that parsed: after a syntax error half a declaration
    // is missing, and "unknown type" errors about it would only be noise.
    if (!read(where, raw, diagnostics)) return unexpected(std::move(diagnostics));
    std::shared_ptr<detail::schema_data> data = detail::schema_build::build_schema(raw, where, diagnostics);
    if (!data || has_errors(diagnostics)) return unexpected(std::move(diagnostics));
    return detail::schema_data::publish(std::move(data));
  } catch (const std::bad_alloc&) {
    diagnostics.push_back(io_error(source_name, "out of memory while reading the schema"));
    return unexpected(std::move(diagnostics));
  }
}

}  // namespace

expected<schema, std::vector<diagnostic>> schema::parse(std::string_view text, std::string_view source_name) {
  return read_schema(text, source_name, false);
}

expected<schema, std::vector<diagnostic>> schema::parse_json(std::string_view json,
                                                             std::string_view source_name) {
  return read_schema(json, source_name, true);
}

expected<schema, std::vector<diagnostic>> schema::load(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec))
    return unexpected(
        std::vector{io_error(file.string(), "cannot read '" + file.string() + "': it is a directory")});
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return unexpected(std::vector{io_error(
        file.string(), "cannot read '" + file.string() + "': " + std::generic_category().message(errno))});
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    return unexpected(std::vector{io_error(file.string(), "cannot read '" + file.string() + "'")});
  const bool json_form = file.extension() == ".json";
  return read_schema(std::move(text).str(), file.string(), json_form);
}

std::vector<std::string> schema::entity_type_names() const {
  std::vector<std::string> names;
  names.reserve(impl_->entity_types.size());
  for (const auto& e : impl_->entity_types) names.emplace_back(detail::symbol_text(e.name));
  return names;  // schema_data keeps them sorted by name
}

std::vector<std::string> schema::action_names() const {
  std::vector<std::string> names;
  names.reserve(impl_->actions.size());
  for (const auto& a : impl_->actions) names.push_back(detail::to_cedar(a.uid));
  return names;
}

}  // namespace v0
}  // namespace mandate
