// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The lint configuration file: `{"rules": {"rule-id": "off"|"note"|"warning"|"error"}}`.
// Mistakes are diagnostics positioned on the offending key or value, found by searching the
// text (nlohmann's DOM keeps no positions).
#include <nlohmann/json.hpp>

#include <algorithm>

#include "mandate/lint.hpp"

namespace mandate {
inline namespace v0 {
namespace {

diagnostic at_offset(std::string_view text, std::string_view source_name, std::size_t offset,
                     std::size_t length, std::string message) {
  diagnostic d;
  d.code = "lint-config";
  d.message = std::move(message);
  d.where.file = std::string(source_name);
  offset = std::min(offset, text.size());
  std::size_t line_start = 0;
  if (offset > 0) {
    const std::size_t newline = text.rfind('\n', offset - 1);
    if (newline != std::string_view::npos) line_start = newline + 1;
  }
  d.where.line = static_cast<std::uint32_t>(
      std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n') + 1);
  d.where.column = static_cast<std::uint32_t>(offset - line_start + 1);
  d.where.offset = static_cast<std::uint32_t>(offset);
  d.where.length = static_cast<std::uint32_t>(std::max<std::size_t>(1, length));
  std::size_t line_end = text.find('\n', line_start);
  if (line_end == std::string_view::npos) line_end = text.size();
  if (line_end - line_start <= diagnostic::max_excerpt_bytes)
    d.source_line = std::string(text.substr(line_start, line_end - line_start));
  return d;
}

// Where `"needle"` first occurs after `from`, for positioning a message; the start when absent.
std::size_t find_quoted(std::string_view text, const std::string& needle, std::size_t from = 0) {
  const std::string quoted = nlohmann::json(needle).dump();
  const std::size_t at = text.find(quoted, from);
  return at == std::string_view::npos ? 0 : at;
}

}  // namespace

std::string_view to_string(lint_level level) noexcept {
  switch (level) {
    case lint_level::off:
      return "off";
    case lint_level::note:
      return "note";
    case lint_level::warning:
      return "warning";
    case lint_level::error:
      return "error";
  }
  return "off";
}

expected<std::vector<std::pair<std::string, lint_level>>, std::vector<diagnostic>> parse_lint_config(
    std::string_view json, std::string_view source_name) {
  std::vector<diagnostic> problems;
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json.begin(), json.end());
  } catch (const nlohmann::json::parse_error& e) {
    const std::size_t at = e.byte == 0 ? 0 : e.byte - 1;
    std::string what = e.what();
    if (auto colon = what.find("parse error"); colon != std::string::npos) what = what.substr(colon);
    problems.push_back(at_offset(json, source_name, at, 1, "not valid JSON: " + what));
    return unexpected(std::move(problems));
  }
  if (!doc.is_object()) {
    problems.push_back(
        at_offset(json, source_name, 0, 1, "a lint configuration is a JSON object: {\"rules\": {...}}"));
    return unexpected(std::move(problems));
  }
  std::vector<std::pair<std::string, lint_level>> levels;
  for (const auto& [key, value] : doc.items()) {
    if (key != "rules") {
      problems.push_back(at_offset(json, source_name, find_quoted(json, key), key.size() + 2,
                                   "unknown key `" + key + "`; a lint configuration has only \"rules\""));
      continue;
    }
    const std::size_t rules_at = find_quoted(json, "rules");
    if (!value.is_object()) {
      problems.push_back(
          at_offset(json, source_name, rules_at, 7,
                    "\"rules\" must be an object of rule id to \"off\", \"note\", \"warning\" or \"error\""));
      continue;
    }
    for (const auto& [id, level] : value.items()) {
      const std::size_t id_at = find_quoted(json, id, rules_at);
      const lint_rule_info* rule = find_lint_rule(id);
      if (rule == nullptr) {
        problems.push_back(at_offset(json, source_name, id_at, id.size() + 2,
                                     "unknown lint rule `" + id + "` (see `mandate lint --list`)"));
        continue;
      }
      const std::string text = level.is_string() ? level.get<std::string>() : level.dump();
      lint_level parsed;
      if (text == "off")
        parsed = lint_level::off;
      else if (text == "note")
        parsed = lint_level::note;
      else if (text == "warning")
        parsed = lint_level::warning;
      else if (text == "error")
        parsed = lint_level::error;
      else {
        problems.push_back(at_offset(json, source_name, id_at, id.size() + 2,
                                     "bad level " + level.dump() + " for `" + id +
                                         "`; use \"off\", \"note\", \"warning\" or \"error\""));
        continue;
      }
      if (id == "duplicate-id" && parsed != lint_level::error) {
        problems.push_back(
            at_offset(json, source_name, id_at, id.size() + 2,
                      "`duplicate-id` is a compile error and stays an error; remove it from the "
                      "configuration"));
        continue;
      }
      levels.emplace_back(id, parsed);
    }
  }
  if (!problems.empty()) return unexpected(std::move(problems));
  return levels;
}

}  // namespace v0
}  // namespace mandate
