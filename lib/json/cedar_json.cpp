// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "json/cedar_json.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <limits>
#include <utility>

#include "base/symbol.hpp"
#include "parse/parser.hpp"
#include "value/extensions.hpp"

namespace mandate::detail {
namespace {

using nlohmann::json;

// Markers are stored as JSON binary values, which JSON text can never produce, so a marker is
// never confused with real input. The subtype says what is wrong; the bytes hold the offending
// key or number text.
enum marker_kind : std::uint8_t { duplicate_key_marker = 1, non_integer_marker = 2, out_of_range_marker = 3 };

json make_marker(marker_kind kind, std::string_view text) {
  return json::binary(std::vector<std::uint8_t>(text.begin(), text.end()), kind);
}

bool fail(json_error& error, std::string message) {
  error.message = std::move(message);
  return false;
}

std::string out_of_range_message(std::string_view digits) {
  return fmt::format("integer {} is out of range for a 64-bit Long", digits);
}

std::string non_integer_message(std::string_view number) {
  return fmt::format("number {} is not an integer (Cedar numbers are 64-bit integers)", number);
}

// A quick pass over the raw text before nlohmann sees it, so hostile nesting is refused with a
// position and never reaches a parser or a converter that could recurse on it.
bool check_nesting(std::string_view text, json_error& error) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_json_depth) {
          error.offset = i;
          return fail(error, fmt::format("JSON nested deeper than {} levels", max_json_depth));
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return true;
}

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 1,
// column 9: "; the position is reported separately, so keep only what went wrong.
std::string clean_parse_message(std::string_view what) {
  if (what.starts_with('[')) {
    if (auto close = what.find("] "); close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  if (what.starts_with("parse error")) {
    if (auto colon = what.find(": "); colon != std::string_view::npos) what.remove_prefix(colon + 2);
  }
  return std::string(what);
}

// Builds the DOM from nlohmann's SAX events. Unlike nlohmann's own builder it notices duplicate
// keys and numbers outside int64, and leaves markers for them instead of silently keeping the
// last key or a rounded double.
class dom_builder {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  dom_builder(json& root, json_error& error) : root_(root), error_(error) {}

  bool null() { return place(json(nullptr)); }
  bool boolean(bool b) { return place(json(b)); }
  bool number_integer(number_integer_t n) { return place(json(n)); }
  bool number_unsigned(number_unsigned_t n) {
    if (n > static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max())) {
      return place(make_marker(out_of_range_marker, std::to_string(n)));
    }
    return place(json(static_cast<number_integer_t>(n)));
  }
  bool number_float(number_float_t, const string_t& text) {
    // nlohmann turns an integer too large for 64 bits into a double; its text tells them apart.
    const bool integer_syntax = text.find_first_of(".eE") == string_t::npos;
    return place(make_marker(integer_syntax ? out_of_range_marker : non_integer_marker, text));
  }
  bool string(string_t& s) { return place(json(std::move(s))); }
  bool binary(binary_t& b) { return place(json::binary(std::move(b))); }

  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(string_t& name) {
    json& object = *open_.back();
    if (object.contains(name)) {
      object[name] = make_marker(duplicate_key_marker, name);
      // The duplicate's value is still parsed; it goes somewhere harmless.
      pending_ = &discarded_.emplace_back();
    } else {
      pending_ = &object[name];  // std::map: the slot's address stays valid as members are added
    }
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
    // `position` counts the bytes read, including the one that failed.
    error_.offset = position == 0 ? 0 : position - 1;
    error_.message = clean_parse_message(ex.what());
    return false;
  }

 private:
  bool place(json&& v) {
    if (open_.empty()) {
      root_ = std::move(v);
      last_ = &root_;
    } else if (json& parent = *open_.back(); parent.is_array()) {
      auto& items = parent.get_ref<json::array_t&>();
      items.push_back(std::move(v));
      last_ = &items.back();  // stays valid while it is open: nothing is appended to its parent meanwhile
    } else {
      *pending_ = std::move(v);
      last_ = pending_;
    }
    return true;
  }

  bool open(json&& container) {
    // check_nesting has already bounded the depth; this guards callers that skip it.
    if (open_.size() >= max_json_depth) {
      error_.message = fmt::format("JSON nested deeper than {} levels", max_json_depth);
      return false;
    }
    place(std::move(container));
    open_.push_back(last_);
    return true;
  }

  bool close() {
    open_.pop_back();
    return true;
  }

  json& root_;
  json_error& error_;
  std::vector<json*> open_;
  json* pending_ = nullptr;
  json* last_ = nullptr;
  std::deque<json> discarded_;  // a deque: open containers in it must not move
};

bool check_marker(const json& j, json_error& error) {
  std::string problem = json_marker_problem(j);
  return problem.empty() || fail(error, std::move(problem));
}

// The escape key of an object that is one, else empty. In key order, so that an object with
// several escapes is reported as an "__entity" with stray keys.
std::string_view escape_key_of(const json& object) {
  for (std::string_view escape : {"__entity", "__expr", "__extn"}) {
    if (object.contains(escape)) return escape;
  }
  return {};
}

// `{"__extn": {"fn": F, "arg": A}}`, or Cedar 4's `{"__extn": {"fn": F, "args": [A, B]}}` for
// functions of several arguments.
bool extension_from_json(const json& body, arena& storage, value& out, json_error& error) {
  if (!check_marker(body, error)) return false;
  if (!body.is_object()) {
    return fail(error,
                fmt::format(R"("__extn" must be an object like {{"fn": "ip", "arg": "10.0.0.1"}}, not {})",
                            json_kind(body)));
  }
  const json* function = nullptr;
  const json* single = nullptr;
  const json* several = nullptr;
  for (const auto& [key, member] : body.items()) {
    path_step step(error, key, true);
    if (!check_marker(member, error)) return false;
    if (key == "fn") {
      function = &member;
    } else if (key == "arg") {
      single = &member;
    } else if (key == "args") {
      several = &member;
    } else {
      return fail(error,
                  fmt::format(R"(unexpected key "{}" in "__extn" (expected "fn" and "arg" or "args"))", key));
    }
    step.done(true);
  }
  if (function == nullptr || !function->is_string()) {
    return fail(error, R"("__extn" needs "fn", the name of an extension function, as a string)");
  }
  const auto& name = function->get_ref<const std::string&>();
  if ((single == nullptr) == (several == nullptr)) {
    return fail(
        error,
        fmt::format(R"("__extn" for {} needs exactly one of "arg" (a value) or "args" (an array))", name));
  }
  std::vector<value> args;
  if (single != nullptr) {
    path_step step(error, "arg", true);
    args.emplace_back();
    if (!step.done(cedar_value_from_json(*single, storage, args.back(), error))) return false;
  } else {
    path_step step(error, "args", true);
    if (!several->is_array()) {
      return fail(
          error, fmt::format(R"("args" of "__extn" {} must be an array, not {})", name, json_kind(*several)));
    }
    args.resize(several->size());
    for (std::size_t i = 0; i < args.size(); ++i) {
      path_step element(error, i, true);
      if (!element.done(cedar_value_from_json((*several)[i], storage, args[i], error))) return false;
    }
    step.done(true);
  }
  std::string message;
  // Methods come with their receiver first, as Cedar 4 writes datetime offsets:
  // {"fn": "offset", "args": [{"__extn": {"fn": "datetime", ..}}, {"__extn": {"fn": "duration", ..}}]}.
  if (!is_extension_function(name) && is_extension_method(name)) {
    if (args.empty())
      return fail(error, fmt::format("{} is a method: its first argument is the receiver", name));
    if (!call_extension_method(name, args[0], std::span<const value>(args).subspan(1), storage, out,
                               message)) {
      return fail(error, std::move(message));
    }
    return true;
  }
  if (!call_extension_function(name, args, storage, out, message)) return fail(error, std::move(message));
  return true;
}

bool set_from_json(const json& in, arena& storage, value& out, json_error& error) {
  std::vector<value> items(in.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    path_step step(error, i);
    if (!step.done(cedar_value_from_json(in[i], storage, items[i], error))) return false;
  }
  out = make_set(storage, items);
  return true;
}

bool is_word_start(char c) noexcept { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_word_char(char c) noexcept { return is_word_start(c) || (c >= '0' && c <= '9'); }

// Cedar's identifier: [_a-zA-Z][_a-zA-Z0-9]*, minus the words its grammar reserves.
bool is_identifier(std::string_view word) noexcept {
  static constexpr std::array<std::string_view, 10> reserved = {"true", "false", "if",   "then", "else",
                                                                "in",   "is",    "like", "has",  "__cedar"};
  if (word.empty() || !is_word_start(word[0])) return false;
  if (!std::all_of(word.begin(), word.end(), is_word_char)) return false;
  return std::find(reserved.begin(), reserved.end(), word) == reserved.end();
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads a Cedar string literal starting at the opening quote, leaving `pos` after the closing
// one. The escapes are the policy parser's, so an id reads the same in a policy and in JSON.
bool read_cedar_string(std::string_view text, std::size_t& pos, std::string& out, std::string& error) {
  const std::size_t body = ++pos;  // past the opening quote
  while (pos < text.size() && text[pos] != '"') pos += text[pos] == '\\' ? 2 : 1;
  if (pos >= text.size()) {
    error = "the id's string is not closed with a quote";
    return false;
  }
  if (!unescape_cedar(text.substr(body, pos - body), out, error)) {
    error += " in the id";
    return false;
  }
  ++pos;  // the closing quote
  return true;
}

// Minimal scanning over text that is known to be valid JSON, to find a value again by path.
class json_scanner {
 public:
  explicit json_scanner(std::string_view text) : text_(text) {}

  bool find(const json_path& path, text_span& out) {
    skip_space();
    for (const json_step& step : path) {
      if (!(step.is_index ? enter_element(step.index) : enter_member(step.key))) return false;
    }
    const std::size_t start = pos_;
    if (!skip_value()) return false;
    out = {start, pos_ - start};
    return true;
  }

 private:
  [[nodiscard]] bool at(char c) const noexcept { return pos_ < text_.size() && text_[pos_] == c; }

  void skip_space() noexcept {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool skip_string() noexcept {
    for (++pos_; pos_ < text_.size(); ++pos_) {
      if (text_[pos_] == '\\') {
        ++pos_;
      } else if (text_[pos_] == '"') {
        ++pos_;
        return true;
      }
    }
    return false;
  }

  // Containers are skipped by counting brackets, not by recursion.
  bool skip_value() noexcept {
    if (at('"')) return skip_string();
    if (at('[') || at('{')) {
      std::size_t depth = 0;
      while (pos_ < text_.size()) {
        const char c = text_[pos_];
        if (c == '"') {
          if (!skip_string()) return false;
          continue;
        }
        ++pos_;
        if (c == '[' || c == '{') {
          ++depth;
        } else if ((c == ']' || c == '}') && --depth == 0) {
          return true;
        }
      }
      return false;
    }
    const std::size_t start = pos_;
    while (pos_ < text_.size() && std::strchr(",]} \t\r\n", text_[pos_]) == nullptr) ++pos_;
    return pos_ > start;
  }

  bool enter_element(std::size_t index) noexcept {
    if (!at('[')) return false;
    ++pos_;
    for (std::size_t i = 0; i < index; ++i) {
      skip_space();
      if (!skip_value()) return false;
      skip_space();
      if (!at(',')) return false;
      ++pos_;
    }
    skip_space();
    return !at(']');
  }

  bool enter_member(std::string_view key) {
    if (!at('{')) return false;
    ++pos_;
    std::size_t found = no_offset;
    std::string name;
    for (;;) {
      skip_space();
      if (!at('"')) break;
      name.clear();
      if (!read_key(name)) return false;
      skip_space();
      if (!at(':')) return false;
      ++pos_;
      skip_space();
      if (name == key) found = pos_;  // keep looking: the last occurrence is the duplicate
      if (!skip_value()) return false;
      skip_space();
      if (!at(',')) break;
      ++pos_;
    }
    if (found == no_offset) return false;
    pos_ = found;
    return true;
  }

  // Decodes a JSON string's escapes so keys compare as nlohmann stored them.
  bool read_key(std::string& out) {
    for (++pos_; pos_ < text_.size(); ++pos_) {
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      if (++pos_ >= text_.size()) return false;
      switch (text_[pos_]) {
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          std::uint32_t unit = 0;
          if (!read_hex4(unit)) return false;
          if (unit >= 0xD800 && unit <= 0xDBFF && pos_ + 2 < text_.size() && text_[pos_ + 1] == '\\' &&
              text_[pos_ + 2] == 'u') {
            pos_ += 2;
            std::uint32_t low = 0;
            if (!read_hex4(low)) return false;
            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, unit);
          break;
        }
        default:  // \" \\ \/
          out += text_[pos_];
          break;
      }
    }
    return false;
  }

  // At the 'u' of \uXXXX; leaves pos_ on the last hex digit.
  bool read_hex4(std::uint32_t& out) noexcept {
    if (pos_ + 4 >= text_.size()) return false;
    for (std::size_t i = 1; i <= 4; ++i) {
      const int digit = hex_digit(text_[pos_ + i]);
      if (digit < 0) return false;
      out = out * 16 + static_cast<std::uint32_t>(digit);
    }
    pos_ += 4;
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

bool cedar_extension_call_from_json(const json& body, arena& storage, value& out, json_error& error) {
  return extension_from_json(body, storage, out, error);
}

bool parse_json(std::string_view text, json& out, json_error& error) {
  if (!check_nesting(text, error)) return false;
  dom_builder builder(out, error);
  // strict: nothing may follow the value; comments are not JSON.
  if (json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json, true, false))
    return true;
  if (error.message.empty()) error.message = "invalid JSON";
  return false;
}

std::string json_marker_problem(const json& j) {
  if (!j.is_binary()) return {};
  const auto& bytes = j.get_binary();
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  switch (bytes.has_subtype() ? bytes.subtype() : 0) {
    case duplicate_key_marker:
      return fmt::format("duplicate key {}", quote(text));
    case non_integer_marker:
      return non_integer_message(text);
    case out_of_range_marker:
      return out_of_range_message(text);
    default:
      return "binary data is not a Cedar value";
  }
}

const char* json_kind(const json& j) noexcept {
  switch (j.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "a number";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    case json::value_t::binary:
      return j.get_binary().has_subtype() && j.get_binary().subtype() == duplicate_key_marker
                 ? "a duplicate key"
                 : "a number";
    case json::value_t::discarded:
      break;
  }
  return "an invalid value";
}

bool cedar_value_from_json(const json& in, arena& storage, value& out, json_error& error) {
  switch (in.type()) {
    case json::value_t::boolean:
      out = value::of_bool(in.get<bool>());
      return true;
    case json::value_t::number_integer:
      out = value::of_int(in.get<std::int64_t>());
      return true;
    case json::value_t::number_unsigned: {
      // parse_json never produces these above INT64_MAX, but a DOM built elsewhere may.
      const auto n = in.get<std::uint64_t>();
      if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return fail(error, out_of_range_message(std::to_string(n)));
      }
      out = value::of_int(static_cast<std::int64_t>(n));
      return true;
    }
    case json::value_t::number_float:
      return fail(error, non_integer_message(in.dump()));
    case json::value_t::string:
      out = value::of_string(intern(in.get_ref<const std::string&>()));
      return true;
    case json::value_t::array:
      return set_from_json(in, storage, out, error);
    case json::value_t::object:
      break;
    case json::value_t::null:
      return fail(error, "null is not a Cedar value");
    case json::value_t::binary:
      return fail(error, json_marker_problem(in));
    case json::value_t::discarded:
      return fail(error, "invalid JSON value");
  }

  const std::string_view escape = escape_key_of(in);
  if (escape.empty()) return cedar_record_from_json(in, storage, out, error);
  if (escape != "__extn") {  // "__entity", and the removed "__expr", are entity references
    entity_uid uid;
    if (!entity_uid_from_json(in, uid, error)) return false;
    out = value::of_entity(uid);
    return true;
  }
  for (const auto& [key, member] : in.items()) {
    if (key != escape) {
      error.path.push_back(json_step::member(key));
      return fail(error,
                  fmt::format(R"(an object with "__extn" must have no other keys, but has "{}")", key));
    }
  }
  path_step step(error, escape, true);
  return step.done(extension_from_json(in.at("__extn"), storage, out, error));
}

bool cedar_record_from_json(const json& in, arena& storage, value& out, json_error& error) {
  if (!check_marker(in, error)) return false;
  if (!in.is_object())
    return fail(error, fmt::format("expected an object of Cedar values, not {}", json_kind(in)));
  std::vector<symbol> keys;
  std::vector<value> values(in.size());
  keys.reserve(in.size());
  std::size_t i = 0;
  for (const auto& [key, member] : in.items()) {
    path_step step(error, key);
    keys.push_back(intern(key));
    if (!step.done(cedar_value_from_json(member, storage, values[i++], error))) return false;
  }
  if (!make_record(storage, keys, values, out)) return fail(error, "duplicate key in record");
  return true;
}

bool entity_uid_from_json(const json& in, entity_uid& out, json_error& error) {
  static constexpr std::string_view expected =
      R"(an entity reference must be {"type": "User", "id": "alice"})";
  if (!check_marker(in, error)) return false;
  if (in.is_string()) {
    return fail(error, fmt::format(R"({}, not the string {}; Cedar 3.0 removed the string form here)",
                                   expected, in.dump()));
  }
  if (!in.is_object()) return fail(error, fmt::format("{}, not {}", expected, json_kind(in)));

  const json* body = &in;
  json_path::size_type depth_before = error.path.size();
  if (in.contains("__entity") || in.contains("__expr")) {
    const std::string_view escape = in.contains("__entity") ? "__entity" : "__expr";
    for (const auto& [key, member] : in.items()) {
      if (key != escape) {
        error.path.push_back(json_step::member(key));
        return fail(error,
                    fmt::format(R"(an object with "{}" must have no other keys, but has "{}")", escape, key));
      }
    }
    error.path.push_back(json_step::member(escape, true));
    if (escape == "__expr") {
      return fail(
          error, R"(the "__expr" escape was removed in Cedar 3.0; use {"__entity": {"type": .., "id": ..}})");
    }
    body = &in.at("__entity");
    if (!check_marker(*body, error)) return false;
    if (!body->is_object()) {
      return fail(error, fmt::format(R"("__entity" must be {{"type": "User", "id": "alice"}}, not {})",
                                     json_kind(*body)));
    }
  }

  const json* type = nullptr;
  const json* id = nullptr;
  for (const auto& [key, member] : body->items()) {
    error.path.push_back(json_step::member(key, body != &in));
    if (!check_marker(member, error)) return false;
    if (key == "type") {
      type = &member;
    } else if (key == "id") {
      id = &member;
    } else {
      return fail(
          error,
          fmt::format(R"(unexpected key "{}" in an entity reference (expected "type" and "id"))", key));
    }
    error.path.pop_back();
  }
  if (type == nullptr || id == nullptr) {
    return fail(error, fmt::format(R"(an entity reference needs "type" and "id"; "{}" is missing)",
                                   type == nullptr ? "type" : "id"));
  }
  if (!type->is_string()) {
    error.path.push_back(json_step::member("type", body != &in));
    return fail(error,
                fmt::format(R"("type" must be a string naming an entity type, not {})", json_kind(*type)));
  }
  const auto& type_name = type->get_ref<const std::string&>();
  if (!is_entity_type_name(type_name)) {
    error.path.push_back(json_step::member("type", body != &in));
    return fail(error, fmt::format(R"(entity type {} is not a valid name (identifiers joined by "::"))",
                                   quote(type_name)));
  }
  if (!id->is_string()) {
    error.path.push_back(json_step::member("id", body != &in));
    return fail(error, fmt::format(R"("id" must be a string, not {})", json_kind(*id)));
  }
  out.type = intern(type_name);
  out.id = intern(id->get_ref<const std::string&>());
  error.path.resize(depth_before);
  return true;
}

bool parse_entity_uid_text(std::string_view text, entity_uid& out, std::string& error) {
  std::size_t pos = 0;
  auto skip_space = [&] {
    while (pos < text.size() &&
           (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) {
      ++pos;
    }
  };
  std::string type_name;
  skip_space();
  for (;;) {
    const std::size_t start = pos;
    while (pos < text.size() && is_word_char(text[pos])) ++pos;
    const std::string_view word = text.substr(start, pos - start);
    if (!is_identifier(word)) {
      error = word.empty()
                  ? fmt::format(R"(expected an entity reference like User::"alice", got {})", quote(text))
                  : fmt::format(R"("{}" is not a valid entity type name)", word);
      return false;
    }
    if (!type_name.empty()) type_name += "::";
    type_name += word;
    skip_space();
    if (text.substr(pos, 2) != "::") {
      error = fmt::format(R"(expected "::" after the entity type in {})", quote(text));
      return false;
    }
    pos += 2;
    skip_space();
    if (pos < text.size() && text[pos] == '"') break;
  }
  std::string id;
  if (!read_cedar_string(text, pos, id, error)) return false;
  skip_space();
  if (pos != text.size()) {
    error = fmt::format("unexpected text after the entity reference: {}", quote(text.substr(pos)));
    return false;
  }
  out.type = intern(type_name);
  out.id = intern(id);
  return true;
}

bool is_entity_type_name(std::string_view name) noexcept {
  for (;;) {
    const std::size_t separator = name.find("::");
    if (!is_identifier(name.substr(0, separator))) return false;
    if (separator == std::string_view::npos) return true;
    name.remove_prefix(separator + 2);
  }
}

std::string describe_json_steps(std::span<const json_step> steps, std::string_view first_key_word) {
  std::string out;
  for (const json_step& step : steps) {
    if (step.in_escape) continue;
    if (!out.empty()) out += ", ";
    if (step.is_index) {
      out += fmt::format("element {}", step.index);
    } else {
      out += fmt::format("{} {}", out.empty() ? first_key_word : "field", quote(step.key));
    }
  }
  return out;
}

bool locate_json_path(std::string_view text, const json_path& path, text_span& out) noexcept {
  try {
    return json_scanner(text).find(path, out);
  } catch (...) {  // only std::bad_alloc from decoding a key: a position is a nicety, not a need
    return false;
  }
}

text_position position_of(std::string_view text, std::size_t offset) noexcept {
  offset = std::min(offset, text.size());
  const std::size_t line_start = offset == 0 ? 0 : text.rfind('\n', offset - 1) + 1;  // npos + 1 == 0
  std::size_t line_end = text.find('\n', line_start);
  if (line_end == std::string_view::npos) line_end = text.size();
  if (line_end > line_start && text[line_end - 1] == '\r') --line_end;
  text_position position;
  position.line = static_cast<std::uint32_t>(
      1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(line_start), '\n'));
  position.column = static_cast<std::uint32_t>(offset - line_start + 1);
  position.line_text = text.substr(line_start, line_end - line_start);
  return position;
}

}  // namespace mandate::detail
