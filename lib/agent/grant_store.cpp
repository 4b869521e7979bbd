// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Where grants are kept: the in-memory store, its JSON file form, and the clock. The file is
// read strictly (every field required, unknown fields refused): a typo such as "revokd" must
// not quietly bring a revoked grant back to life.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "agent/time_text.hpp"
#include "mandate/grants.hpp"

namespace mandate {
inline namespace v0 {
namespace {

using ordered_json = nlohmann::ordered_json;
using failure = unexpected<std::string>;

ordered_json entity_json(const entity_ref& ref) { return ordered_json{{"type", ref.type}, {"id", ref.id}}; }

ordered_json grant_json(const grant& g) {
  ordered_json out;
  out["id"] = g.id;
  out["principal"] = entity_json(g.principal);
  out["agent"] = entity_json(g.agent);
  out["task"] = g.task;
  ordered_json scope = ordered_json::array();
  for (const entity_ref& action : g.scope) scope.push_back(entity_json(action));
  out["scope"] = std::move(scope);
  out["resource"] = entity_json(g.resource);
  out["issued_at"] = detail::format_rfc3339(g.issued_at_ms);
  out["expires_at"] = detail::format_rfc3339(g.expires_at_ms);
  out["parent"] = g.parent;
  out["revoked"] = g.revoked;
  if (g.revoked) {
    out["revoked_at"] = detail::format_rfc3339(g.revoked_at_ms);
    out["revoked_because"] = g.revoked_because;
  }
  return out;
}

std::string dump_line(const ordered_json& document) {
  // Ids and tasks come from callers; invalid UTF-8 must not make saving the store throw.
  return document.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

// Reads one grant of the file; on failure says which field is wrong, in words.
class grant_reader {
 public:
  explicit grant_reader(const nlohmann::json& object) : object_(object) {}

  bool read(grant& out, std::string& problem) {
    if (!object_.is_object()) return fail(problem, "must be an object");
    for (const auto& [key, ignored] : object_.items()) {
      if (!is_known_key(key) || ((key == "revoked_at" || key == "revoked_because") && !revoked()))
        return fail(problem, fmt::format("unexpected field \"{}\"", key));
    }
    if (!text("id", out.id, problem) || !entity("principal", out.principal, problem) ||
        !entity("agent", out.agent, problem) || !text("task", out.task, problem) ||
        !entity("resource", out.resource, problem) || !time("issued_at", out.issued_at_ms, problem) ||
        !time("expires_at", out.expires_at_ms, problem) || !text("parent", out.parent, problem) ||
        !scope(out.scope, problem))
      return false;
    if (out.id.empty()) return fail(problem, "\"id\" is empty");
    const auto revoked_field = object_.find("revoked");
    if (revoked_field == object_.end() || !revoked_field->is_boolean())
      return fail(problem, "\"revoked\" must be true or false");
    out.revoked = revoked_field->get<bool>();
    if (out.revoked && (!time("revoked_at", out.revoked_at_ms, problem) ||
                        !text("revoked_because", out.revoked_because, problem)))
      return false;
    return true;
  }

 private:
  static bool is_known_key(const std::string& key) {
    for (const char* known : {"id", "principal", "agent", "task", "scope", "resource", "issued_at",
                              "expires_at", "parent", "revoked", "revoked_at", "revoked_because"}) {
      if (key == known) return true;
    }
    return false;
  }

  [[nodiscard]] bool revoked() const {
    const auto it = object_.find("revoked");
    return it != object_.end() && it->is_boolean() && it->get<bool>();
  }

  static bool fail(std::string& problem, std::string message) {
    problem = std::move(message);
    return false;
  }

  bool text(const char* key, std::string& out, std::string& problem) const {
    const auto it = object_.find(key);
    if (it == object_.end() || !it->is_string())
      return fail(problem, fmt::format("\"{}\" must be a string", key));
    out = it->get<std::string>();
    return true;
  }

  static bool entity_value(const nlohmann::json& in, entity_ref& out) {
    if (!in.is_object() || in.size() != 2) return false;
    const auto type = in.find("type");
    const auto id = in.find("id");
    if (type == in.end() || id == in.end() || !type->is_string() || !id->is_string()) return false;
    out = {type->get<std::string>(), id->get<std::string>()};
    return !out.type.empty();
  }

  bool entity(const char* key, entity_ref& out, std::string& problem) const {
    const auto it = object_.find(key);
    if (it != object_.end() && entity_value(*it, out)) return true;
    return fail(problem,
                fmt::format(R"("{}" must be an entity like {{"type": "User", "id": "alice"}})", key));
  }

  bool time(const char* key, std::int64_t& out, std::string& problem) const {
    const auto it = object_.find(key);
    if (it != object_.end() && it->is_string()) {
      if (const auto ms = parse_rfc3339(it->get<std::string>())) {
        out = *ms;
        return true;
      }
    }
    return fail(problem,
                fmt::format(R"("{}" must be an RFC 3339 date-time like "2026-11-28T18:00:00Z")", key));
  }

  bool scope(std::vector<entity_ref>& out, std::string& problem) const {
    const auto it = object_.find("scope");
    if (it == object_.end() || !it->is_array() || it->empty())
      return fail(problem, "\"scope\" must be a non-empty array of actions");
    for (const auto& action : *it) {
      entity_ref ref;
      if (!entity_value(action, ref))
        return fail(problem, R"("scope" must hold actions like {"type": "Action", "id": "read"})");
      out.push_back(std::move(ref));
    }
    return true;
  }

  const nlohmann::json& object_;
};

// Lets the id index be searched with a string_view without building a string.
struct id_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view id) const noexcept { return std::hash<std::string_view>{}(id); }
};

}  // namespace

std::int64_t system_time_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view to_string(grant_state s) noexcept {
  switch (s) {
    case grant_state::active:
      return "active";
    case grant_state::expired:
      return "expired";
    case grant_state::task_completed:
      return "task_completed";
    case grant_state::revoked:
      return "revoked";
  }
  return "revoked";  // an out-of-range value is not a working grant
}

std::string to_json(const grant& g) { return dump_line(grant_json(g)); }

// Grants in insertion order (so the file reads as a history), with an index by id.
struct in_memory_grant_store::state {
  mutable std::shared_mutex mutex;
  std::vector<grant> grants;
  std::unordered_map<std::string, std::size_t, id_hash, std::equal_to<>> positions;
};

in_memory_grant_store::in_memory_grant_store() : state_(std::make_unique<state>()) {}
in_memory_grant_store::~in_memory_grant_store() = default;

void in_memory_grant_store::insert(const grant& g) {
  const std::unique_lock lock(state_->mutex);
  if (state_->positions.contains(g.id))
    throw std::invalid_argument(fmt::format("grant store: a grant with id '{}' is already recorded", g.id));
  state_->grants.push_back(g);
  state_->positions.emplace(g.id, state_->grants.size() - 1);
}

std::optional<grant> in_memory_grant_store::find(std::string_view id) const {
  const std::shared_lock lock(state_->mutex);
  const auto it = state_->positions.find(id);
  if (it == state_->positions.end()) return std::nullopt;
  return state_->grants[it->second];
}

std::vector<grant> in_memory_grant_store::select(const std::function<bool(const grant&)>& match) const {
  const std::shared_lock lock(state_->mutex);
  std::vector<grant> out;
  for (const grant& g : state_->grants) {
    if (match(g)) out.push_back(g);
  }
  return out;
}

bool in_memory_grant_store::mark_revoked(std::string_view id, std::int64_t at_ms, std::string_view because) {
  const std::unique_lock lock(state_->mutex);
  const auto it = state_->positions.find(id);
  if (it == state_->positions.end()) return false;
  grant& g = state_->grants[it->second];
  if (g.revoked) return false;  // the first reason stands
  g.revoked = true;
  g.revoked_at_ms = at_ms;
  g.revoked_because = std::string(because);
  return true;
}

std::string in_memory_grant_store::to_json() const {
  const std::shared_lock lock(state_->mutex);
  ordered_json out = ordered_json::array();
  for (const grant& g : state_->grants) out.push_back(grant_json(g));
  return dump_line(out);
}

expected<std::shared_ptr<in_memory_grant_store>, std::string> in_memory_grant_store::from_json(
    std::string_view json) {
  const auto document = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return failure("grants: not valid JSON");
  if (!document.is_array()) return failure("grants: must be a JSON array of grants");
  auto store = std::make_shared<in_memory_grant_store>();
  for (std::size_t i = 0; i < document.size(); ++i) {
    grant g;
    std::string problem;
    if (!grant_reader(document[i]).read(g, problem))
      return failure(fmt::format("grants: element {}: {}", i, problem));
    if (store->state_->positions.contains(g.id))
      return failure(fmt::format("grants: element {}: id '{}' appears twice", i, g.id));
    store->state_->grants.push_back(std::move(g));
    store->state_->positions.emplace(store->state_->grants.back().id, i);
  }
  return store;
}

}  // namespace v0
}  // namespace mandate
