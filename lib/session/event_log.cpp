// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "session/event_log.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "json/cedar_json.hpp"
#include "value/extensions.hpp"

namespace mandate::detail::session {
namespace {

using nlohmann::json;

json entity_json(entity_uid e) {
  return json{
      {"__entity", {{"type", std::string(symbol_text(e.type))}, {"id", std::string(symbol_text(e.id))}}}};
}

// Cedar's JSON value form, which cedar_value_from_json reads back.
json value_json(const value& v) {
  switch (v.kind) {
    case value_kind::boolean:
      return v.boolean;
    case value_kind::integer:
      return v.integer;
    case value_kind::string:
      return std::string(symbol_text(v.string));
    case value_kind::entity:
      return entity_json(v.entity);
    case value_kind::set: {
      json items = json::array();
      for (std::uint32_t i = 0; i < v.set->size; ++i) items.push_back(value_json(v.set->items[i]));
      return items;
    }
    case value_kind::record: {
      json fields = json::object();
      for (std::uint32_t i = 0; i < v.record->size; ++i)
        fields[std::string(symbol_text(v.record->keys[i]))] = value_json(v.record->values[i]);
      return fields;
    }
    default: {
      // decimal("1.5000") -> {"__extn": {"fn": "decimal", "arg": "1.5000"}}
      const std::string text = format_extension(v);
      const auto open = text.find("(\"");
      const std::string fn = text.substr(0, open);
      const std::string arg = text.substr(open + 2, text.size() - open - 4);
      return json{{"__extn", {{"fn", fn}, {"arg", arg}}}};
    }
  }
}

class file_event_log final : public event_log {
 public:
  explicit file_event_log(std::string path) : path_(std::move(path)) {}

  bool open_for_append(std::string& error) {
    out_.open(path_, std::ios::binary | std::ios::app);
    if (!out_) {
      error = "cannot open session log '" + path_ + "'";
      return false;
    }
    return true;
  }

  bool append(std::string_view session_id, const temporal::event& e, std::string& error) override {
    return write_line(encode_entry(session_id, e), error);
  }

  bool append_terminate(std::string_view session_id, std::string_view reason, std::string& error) override {
    json j{{"session", std::string(session_id)}, {"terminate", std::string(reason)}};
    return write_line(j.dump(-1, ' ', false, json::error_handler_t::replace), error);
  }

  bool replay(const std::function<void(const logged_event&)>& visit, std::string& error) override {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return true;  // nothing written yet
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t line_number = 0;
    std::size_t at = 0;
    while (at < text.size()) {
      const std::size_t end = text.find('\n', at);
      ++line_number;
      // A line without its newline was being written when the process died: it never
      // reached a decision (the flush comes first), so it is dropped.
      if (end == std::string::npos) break;
      const std::string_view line(text.data() + at, end - at);
      at = end + 1;
      if (line.empty()) continue;
      logged_event entry;
      std::string why;
      if (!decode_entry(line, entry, why)) {
        error = path_ + ":" + std::to_string(line_number) + ": " + why;
        return false;
      }
      visit(entry);
    }
    return true;
  }

 private:
  bool write_line(const std::string& line, std::string& error) {
    out_ << line << '\n';
    out_.flush();
    if (!out_) {
      error = "cannot write to session log '" + path_ + "'";
      out_.clear();
      return false;
    }
    return true;
  }

  std::string path_;
  std::ofstream out_;
};

}  // namespace

std::string encode_entry(std::string_view session_id, const temporal::event& e) {
  json j{{"session", std::string(session_id)}, {"time_ms", e.time_ms},
         {"action", entity_json(e.action)},    {"kind", std::string(symbol_text(e.kind))},
         {"fields", value_json(e.fields)},     {"context", value_json(e.context)}};
  if (e.has_principal) j["principal"] = entity_json(e.principal);
  if (e.has_resource) j["resource"] = entity_json(e.resource);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool decode_entry(std::string_view line, logged_event& out, std::string& error) {
  json j;
  json_error problem;
  if (!parse_json(line, j, problem)) {
    error = "not JSON: " + problem.message;
    return false;
  }
  if (!j.is_object() || !j.contains("session") || !j["session"].is_string()) {
    error = "an entry needs a `session`";
    return false;
  }
  out.session_id = j["session"].get<std::string>();
  if (j.contains("terminate")) {
    out.is_terminate = true;
    out.reason = j["terminate"].is_string() ? j["terminate"].get<std::string>() : "";
    return true;
  }
  temporal::event& e = out.event;
  e.storage = std::make_shared<arena>(256);
  if (!j.contains("time_ms") || !j["time_ms"].is_number_integer() || !j.contains("kind") ||
      !j["kind"].is_string()) {
    error = "an event needs `time_ms` and `kind`";
    return false;
  }
  e.time_ms = j["time_ms"].get<std::int64_t>();
  e.kind = intern(j["kind"].get<std::string>());
  if (!j.contains("action") || !entity_uid_from_json(j["action"], e.action, problem)) {
    error = "bad `action`: " + problem.message;
    return false;
  }
  if (!j.contains("fields") || !cedar_record_from_json(j["fields"], *e.storage, e.fields, problem)) {
    error = "bad `fields`: " + problem.message;
    return false;
  }
  if (!j.contains("context") || !cedar_record_from_json(j["context"], *e.storage, e.context, problem)) {
    error = "bad `context`: " + problem.message;
    return false;
  }
  if (j.contains("principal")) {
    if (!entity_uid_from_json(j["principal"], e.principal, problem)) {
      error = "bad `principal`: " + problem.message;
      return false;
    }
    e.has_principal = true;
  }
  if (j.contains("resource")) {
    if (!entity_uid_from_json(j["resource"], e.resource, problem)) {
      error = "bad `resource`: " + problem.message;
      return false;
    }
    e.has_resource = true;
  }
  return true;
}

std::unique_ptr<event_log> event_log::open(const std::string& path, std::string& error) {
  auto log = std::make_unique<file_event_log>(path);
  if (!log->open_for_append(error)) return nullptr;
  return log;
}

}  // namespace mandate::detail::session
