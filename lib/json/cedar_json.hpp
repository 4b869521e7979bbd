// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Cedar's JSON forms: values (bool, 64-bit integer, string, array as set, object as record,
// {"__entity": ..} and {"__extn": ..} escapes) and entity references, read with nlohmann::json.
// Internal: no public header includes this one, so nlohmann stays out of include/.
//
// Errors carry a path into the document rather than a position, because nlohmann's DOM keeps no
// positions; locate_json_path() finds the spot in the text again when a diagnostic needs it.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/arena.hpp"
#include "value/value.hpp"

namespace mandate::detail {

/// Deepest nesting of arrays and objects accepted in any JSON input. Bounds the recursion of the
/// converters below and keeps hostile input (`[[[[...`) from exhausting the stack.
inline constexpr std::size_t max_json_depth = 128;

/// One step into a JSON document: an element of an array or a member of an object.
struct json_step {
  std::string key;        ///< the member name, when !is_index
  std::size_t index = 0;  ///< the element position, when is_index
  bool is_index = false;
  /// A step inside an `__entity`/`__extn` escape: needed to find the spot in the text, left out
  /// when the path is described to people.
  bool in_escape = false;

  static json_step member(std::string_view name, bool escape = false) {
    json_step step;
    step.key = std::string(name);
    step.in_escape = escape;
    return step;
  }
  static json_step element(std::size_t position, bool escape = false) {
    json_step step;
    step.index = position;
    step.is_index = true;
    step.in_escape = escape;
    return step;
  }
};
using json_path = std::vector<json_step>;

inline constexpr std::size_t no_offset = static_cast<std::size_t>(-1);

/// A problem found while reading JSON. Syntax errors have a byte offset; errors found in a
/// parsed document have a path to the offending value instead.
struct json_error {
  std::string message;
  json_path path;
  std::size_t offset = no_offset;
};

/// Parses `text` (UTF-8 JSON, no comments, nothing after the value) into `out`. Nesting deeper
/// than max_json_depth is refused before nlohmann's parser runs. Duplicate object keys and
/// numbers that are not 64-bit integers do not fail the parse: they are kept as markers that the
/// converters below reject with the context of where they occur (see json_marker_problem).
/// On failure fills `error.message` and `error.offset`.
[[nodiscard]] bool parse_json(std::string_view text, nlohmann::json& out, json_error& error);

/// Empty when `j` is an ordinary JSON value; for a marker left by parse_json, what is wrong with
/// it (`duplicate key "a"`, `integer 99999999999999999999 is out of range for a 64-bit Long`).
[[nodiscard]] std::string json_marker_problem(const nlohmann::json& j);

/// A short description of a JSON value's kind for messages: "null", "a number", "an array", ...
[[nodiscard]] const char* json_kind(const nlohmann::json& j) noexcept;

// Pushes a step onto the running path for the lifetime of a scope, and pops it only on success,
// so a failure leaves the path pointing at the offending value.
class path_step {
 public:
  path_step(json_error& error, std::string_view key, bool in_escape = false) : error_(error) {
    error.path.push_back(json_step::member(key, in_escape));
  }
  path_step(json_error& error, std::size_t index, bool in_escape = false) : error_(error) {
    error.path.push_back(json_step::element(index, in_escape));
  }
  path_step(const path_step&) = delete;
  path_step& operator=(const path_step&) = delete;
  ~path_step() {
    if (succeeded_) error_.path.pop_back();
  }
  bool done(bool ok) {
    succeeded_ = ok;
    return ok;
  }

 private:
  json_error& error_;
  bool succeeded_ = false;
};

// The converters below use `error.path` as their running position: the caller sets it to where
// `in` sits, and on failure it ends at the offending value. On success it is as it was.

/// Converts a Cedar JSON value, allocating sets, records and extension values in `storage`.
[[nodiscard]] bool cedar_value_from_json(const nlohmann::json& in, arena& storage, value& out,
                                         json_error& error);

/// Converts a JSON object whose members are Cedar values (attributes, tags, a context) into a
/// record. The object itself is never read as an escape: an attribute may be named "__entity".
[[nodiscard]] bool cedar_record_from_json(const nlohmann::json& in, arena& storage, value& out,
                                          json_error& error);

/// Converts the body of an extension escape, `{"fn": F, "arg": A}` or `{"fn": F, "args": [..]}`, by
/// calling F. Schema-directed reading accepts this body without its `{"__extn": ..}` wrapper.
[[nodiscard]] bool cedar_extension_call_from_json(const nlohmann::json& body, arena& storage, value& out,
                                                  json_error& error);

/// Converts `{"type": T, "id": I}` or `{"__entity": {"type": T, "id": I}}` into a uid, interning
/// both parts. T must be a valid entity type name.
[[nodiscard]] bool entity_uid_from_json(const nlohmann::json& in, entity_uid& out, json_error& error);

/// Parses Cedar's text form of an entity reference, `Type::"id"` or `A::B::"id \"quoted\""`,
/// with Cedar's string escapes and optional whitespace around `::`.
[[nodiscard]] bool parse_entity_uid_text(std::string_view text, entity_uid& out, std::string& error);

/// True when `name` is a normalized Cedar entity type: identifiers joined by `::`, no spaces,
/// none of them a reserved word.
[[nodiscard]] bool is_entity_type_name(std::string_view name) noexcept;

/// Describes the steps of a path inside a value for people, skipping escape steps:
/// `attribute "address", field "zip", element 2` for first_key_word "attribute". Empty for no
/// steps.
[[nodiscard]] std::string describe_json_steps(std::span<const json_step> steps,
                                              std::string_view first_key_word);

/// A range of bytes in a text.
struct text_span {
  std::size_t offset = 0;
  std::size_t length = 0;
};

/// Finds the value at `path` in `text`, which must have parsed. For a key that occurs more than
/// once in an object, finds the last occurrence (the duplicate). False when the path is absent.
[[nodiscard]] bool locate_json_path(std::string_view text, const json_path& path, text_span& out) noexcept;

/// Where a byte offset falls: line and column count from 1, columns count bytes.
struct text_position {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
  std::string_view line_text;  ///< without the line break
};
[[nodiscard]] text_position position_of(std::string_view text, std::size_t offset) noexcept;

}  // namespace mandate::detail
