// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The public request: three entity references and a context record, read from Cedar's request
// JSON, optionally with a schema that types the context and validates the request as Cedar does.
// Errors are one line, since a request usually arrives over an API rather than from a file.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "json/cedar_json.hpp"
#include "json/schema_json.hpp"
#include "mandate/request.hpp"
#include "mandate/schema.hpp"
#include "schema/schema_model.hpp"
#include "value/extensions.hpp"
#include "value/store.hpp"

namespace mandate {
inline namespace v0 {
namespace {

using nlohmann::json;

// Requests are small; a bigger one is a mistake or an attack, and is refused before parsing.
constexpr std::size_t max_request_bytes = request::max_json_bytes;

using failure = unexpected<std::string>;

std::string with_position(std::string_view text, const detail::json_error& error) {
  if (error.offset == detail::no_offset) return error.message;
  const detail::text_position at = detail::position_of(text, error.offset);
  return fmt::format("{} at line {}, column {}", error.message, at.line, at.column);
}

// Shared by from_json and with_context_json: size limit, then syntax.
bool parse_bounded(std::string_view text, std::string_view what, json& out, std::string& message) {
  if (text.size() > max_request_bytes) {
    message = fmt::format("{}: JSON text is {} bytes; the limit is 16 MiB", what, text.size());
    return false;
  }
  detail::json_error error;
  if (detail::parse_json(text, out, error)) return true;
  message = fmt::format("{}: invalid JSON: {}", what, with_position(text, error));
  return false;
}

bool load_uid_field(const json& object, const char* field, const std::string& where, detail::entity_uid& out,
                    std::string& message) {
  const auto it = object.find(field);
  if (it == object.end()) {
    message = fmt::format("request: {}: \"{}\" is missing", where, field);
    return false;
  }
  detail::json_error error;
  if (it->is_string()) {
    std::string problem;
    if (detail::parse_entity_uid_text(it->get<std::string>(), out, problem)) return true;
    message = fmt::format("request: {}: \"{}\": {}", where, field, problem);
    return false;
  }
  if (detail::entity_uid_from_json(*it, out, error)) return true;
  message = fmt::format(
      "request: {}: \"{}\" must be an entity reference like {{\"type\": \"Agent\", \"id\": \"a\"}}", where,
      field);
  return false;
}

bool load_time_field(const json& object, const char* field, const std::string& where, std::int64_t& out,
                     std::string& message) {
  const auto it = object.find(field);
  if (it != object.end() && it->is_string()) {
    if (auto ms = parse_rfc3339(it->get<std::string>())) {
      out = *ms;
      return true;
    }
  }
  message = fmt::format("request: {}: \"{}\" must be an RFC 3339 date-time like \"2026-11-28T18:00:00Z\"",
                        where, field);
  return false;
}

// "agent" and "delegation" (LANGUAGE.md 2.3): the chain's structure is checked when the
// request is evaluated, where each kind of break is a deny with its own code; here only
// the shape of the JSON.
bool load_delegation(const json& document, detail::request_data& data, std::string& message) {
  if (const auto agent = document.find("agent"); agent != document.end() && !agent->is_null()) {
    if (!load_uid_field(document, "agent", "agent", data.agent, message)) return false;
    data.has_agent = true;
  }
  const auto chain = document.find("delegation");
  if (chain == document.end() || chain->is_null()) return true;
  if (!chain->is_array()) {
    message = "request: \"delegation\" must be an array of hops, root first";
    return false;
  }
  for (std::size_t i = 0; i < chain->size(); ++i) {
    const json& hop = (*chain)[i];
    const std::string where = fmt::format("delegation hop {}", i);
    if (!hop.is_object()) {
      message = fmt::format("request: {}: must be an object", where);
      return false;
    }
    detail::delegation_hop_data parsed;
    if (!load_uid_field(hop, "delegator", where, parsed.delegator, message) ||
        !load_uid_field(hop, "delegate", where, parsed.delegate, message) ||
        !load_time_field(hop, "issued_at", where, parsed.issued_at_ms, message) ||
        !load_time_field(hop, "expires_at", where, parsed.expires_at_ms, message))
      return false;
    const auto scope = hop.find("scope");
    if (scope == hop.end() || !scope->is_array()) {
      message = fmt::format("request: {}: \"scope\" must be an array of actions", where);
      return false;
    }
    for (std::size_t k = 0; k < scope->size(); ++k) {
      detail::entity_uid action;
      const json wrapper = {{"action", (*scope)[k]}};
      if (!load_uid_field(wrapper, "action", fmt::format("{}: scope entry {}", where, k), action, message))
        return false;
      parsed.scope.push_back(action);
    }
    if (const auto resource = hop.find("resource"); resource != hop.end() && !resource->is_null()) {
      if (!load_uid_field(hop, "resource", where, parsed.resource, message)) return false;
      parsed.has_resource = true;
    }
    if (const auto grant = hop.find("grant"); grant != hop.end() && !grant->is_null()) {
      if (!grant->is_string()) {
        message = fmt::format("request: {}: \"grant\" must be a string", where);
        return false;
      }
      parsed.grant = grant->get<std::string>();
    }
    data.delegation.push_back(std::move(parsed));
  }
  return true;
}

// How a context is read: without a schema, or as the record type of the request's action.
struct context_typing {
  const detail::schema_data* schema = nullptr;  // null: Cedar's schema-less JSON
  detail::schema_type_id record = detail::no_schema_type;
  detail::schema_reading reading = detail::schema_reading::guide;
  /// Names the context in messages about its contents, when that differs from `what`.
  std::string contents_what;
};

// A context is an object of Cedar values. `{"__entity": ..}` or `{"__extn": ..}` would be a
// value that is not a record, so it is refused rather than read as a record with odd keys.
bool load_context(const json& in, std::string_view what, detail::arena& storage, detail::value& out,
                  std::string& message, const context_typing& typing = {}) {
  if (std::string problem = detail::json_marker_problem(in); !problem.empty()) {
    message = fmt::format("{}: {}", what, problem);
    return false;
  }
  if (!in.is_object() || (in.size() == 1 && (in.contains("__entity") || in.contains("__extn")))) {
    message = fmt::format("{} must be a JSON object of Cedar values, not {}", what,
                          in.is_object() ? "an entity or extension value" : detail::json_kind(in));
    return false;
  }
  detail::json_error error;
  const bool loaded = typing.schema == nullptr
                          ? detail::cedar_record_from_json(in, storage, out, error)
                          : detail::typed_record_from_json(in, *typing.schema, typing.record, "the context",
                                                           typing.reading, storage, out, error);
  if (loaded) return true;
  if (!typing.contents_what.empty()) what = typing.contents_what;
  const std::string where = detail::describe_json_steps(error.path, "attribute");
  message = where.empty() ? fmt::format("{}: {}", what, error.message)
                          : fmt::format("{}: {}: {}", what, where, error.message);
  return false;
}

// principal, action and resource: {"type": T, "id": I}, {"__entity": {...}}, or the Cedar CLI's
// string `T::"I"`.
bool load_entity_ref(const json& request, const char* field, detail::entity_uid& out, std::string& message) {
  const auto found = request.find(field);
  if (found == request.end() || found->is_null()) {
    message = fmt::format(R"(request: "{}" is missing; it must be an entity reference like )"
                          R"({{"type": "User", "id": "alice"}})",
                          field);
    return false;
  }
  if (std::string problem = detail::json_marker_problem(*found); !problem.empty()) {
    message = fmt::format(R"(request: "{}": {})", field, problem);
    return false;
  }
  if (found->is_string()) {
    std::string error;
    if (detail::parse_entity_uid_text(found->get_ref<const std::string&>(), out, error)) return true;
    message = fmt::format(R"(request: "{}": {})", field, error);
    return false;
  }
  if (!found->is_object()) {
    message =
        fmt::format(R"(request: "{}" must be an entity reference like {{"type": "User", "id": "alice"}}, )"
                    R"(not {})",
                    field, detail::json_kind(*found));
    return false;
  }
  detail::json_error error;
  if (detail::entity_uid_from_json(*found, out, error)) return true;
  message = fmt::format(R"(request: "{}": {})", field, error.message);
  return false;
}

// "A, B" for the types an action applies to, in declaration order.
std::string list_types(const std::vector<detail::symbol>& types) {
  std::string out;
  for (detail::symbol type : types) {
    if (!out.empty()) out += ", ";
    out += detail::symbol_text(type);
  }
  return out;
}

// Cedar's request validation of the principal or the resource (`role`) of a request for `action`.
bool validate_entity_role(const detail::schema_data& s, const detail::action_info& action, const char* role,
                          detail::entity_uid uid, const std::vector<detail::symbol>& allowed,
                          std::string& message) {
  const std::string_view type = detail::symbol_text(uid.type);
  if (s.find_entity_type(uid.type) == nullptr) {
    message = fmt::format("request: {} type {} is not declared in the schema", role, type);
    return false;
  }
  if (std::find(allowed.begin(), allowed.end(), uid.type) == allowed.end()) {
    message =
        fmt::format("request: {} type {} is not valid for {} ({})", role, type, detail::to_cedar(action.uid),
                    allowed.empty() ? fmt::format("it applies to no {}s", role)
                                    : fmt::format("its {} types: {}", role, list_types(allowed)));
    return false;
  }
  if (std::string problem = detail::enumerated_id_problem(s, uid); !problem.empty()) {
    message = fmt::format("request: {} {}: {}", role, detail::to_cedar(uid), problem);
    return false;
  }
  return true;
}

// The fields every request has; `schema` (optional) types the context and, with `validate`,
// checks the request against it.
expected<request, std::string> load_request(std::string_view json_text, const detail::schema_data* schema,
                                            bool validate) {
  json document;
  std::string message;
  if (!parse_bounded(json_text, "request", document, message)) return failure(std::move(message));
  if (!document.is_object()) {
    return failure(fmt::format(R"(request: must be a JSON object with "principal", "action", "resource" and )"
                               R"("context", not {})",
                               detail::json_kind(document)));
  }
  auto data = std::make_shared<detail::request_data>();
  if (!load_entity_ref(document, "principal", data->principal, message) ||
      !load_entity_ref(document, "action", data->action, message) ||
      !load_entity_ref(document, "resource", data->resource, message)) {
    return failure(std::move(message));
  }
  context_typing typing;
  if (schema != nullptr) {
    const detail::action_info* action = schema->find_action(data->action);
    // Cedar reads the context by the action's declared type, so even a request it does not
    // validate must name an action the schema declares.
    if (action == nullptr) {
      return failure(
          fmt::format("request: action {} is not declared in the schema", detail::to_cedar(data->action)));
    }
    if (validate) {
      if (!validate_entity_role(*schema, *action, "principal", data->principal, action->principal_types,
                                message) ||
          !validate_entity_role(*schema, *action, "resource", data->resource, action->resource_types,
                                message)) {
        return failure(std::move(message));
      }
      typing.contents_what =
          fmt::format("request: context is not valid for {}", detail::to_cedar(data->action));
    }
    typing.schema = schema;
    typing.record =
        action->context == detail::no_schema_type ? detail::empty_record_type_id : action->context;
    typing.reading = validate ? detail::schema_reading::conform : detail::schema_reading::guide;
  }
  if (!load_delegation(document, *data, message)) return failure(std::move(message));
  // Other fields (description, decision, session, ...) are for Mandate's tools and test
  // runners, not for the request itself: ignored.
  data->context = detail::empty_record();
  const auto context = document.find("context");
  const bool has_context = context != document.end() && !context->is_null();
  // With a context type, an absent context is an empty one, which may lack required attributes.
  if (has_context || typing.schema != nullptr) {
    static const json empty_context = json::object();
    if (!load_context(has_context ? *context : empty_context, "request: context", data->storage,
                      data->context, message, typing)) {
      return failure(std::move(message));
    }
  }
  return detail::request_data::publish(std::move(data));
}

entity_ref to_ref(detail::entity_uid uid) {
  return {std::string(detail::symbol_text(uid.type)), std::string(detail::symbol_text(uid.id))};
}

}  // namespace

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  std::int64_t ms = 0;
  if (!detail::parse_duration(text, ms)) return std::nullopt;
  return ms;
}

// RFC 3339 date-times ("2026-11-28T18:00:00Z", "...T18:00:00.5+01:00") as milliseconds. Cedar's
// datetime parser does the arithmetic once the text is in its form: offsets without a colon,
// exactly three fraction digits.
std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
  std::string normalized(text);
  if (normalized.size() > 6) {
    const std::size_t colon = normalized.size() - 3;
    const char sign = normalized[normalized.size() - 6];
    if ((sign == '+' || sign == '-') && normalized[colon] == ':') normalized.erase(colon, 1);
  }
  if (const std::size_t dot = normalized.find('.'); dot != std::string::npos) {
    std::size_t end = dot + 1;
    while (end < normalized.size() && normalized[end] >= '0' && normalized[end] <= '9') ++end;
    std::string fraction = normalized.substr(dot + 1, end - dot - 1);
    fraction.resize(3, '0');
    normalized.replace(dot + 1, end - dot - 1, fraction);
  } else if (const std::size_t t = normalized.find('T');
             t != std::string::npos && normalized.size() >= t + 9) {
    normalized.insert(t + 9, ".000");
  }
  std::int64_t ms = 0;
  if (!detail::parse_datetime(normalized, ms)) return std::nullopt;
  return ms;
}

request::request(const entity_ref& principal, const entity_ref& action, const entity_ref& resource) {
  auto data = std::make_shared<detail::request_data>();
  data->principal = {detail::intern(principal.type), detail::intern(principal.id)};
  data->action = {detail::intern(action.type), detail::intern(action.id)};
  data->resource = {detail::intern(resource.type), detail::intern(resource.id)};
  data->context = detail::empty_record();
  impl_ = std::move(data);
}

expected<request, std::string> request::from_json(std::string_view json_text) {
  return load_request(json_text, nullptr, false);
}

expected<request, std::string> request::from_json(std::string_view json_text, const schema& s,
                                                  bool validate_request) {
  return load_request(json_text, &s.internals(), validate_request);
}

expected<request, std::string> request::with_context_json(std::string_view context_json) const {
  json document;
  std::string message;
  if (!parse_bounded(context_json, "context", document, message)) return failure(std::move(message));
  auto data = std::make_shared<detail::request_data>();
  data->principal = impl_->principal;
  data->action = impl_->action;
  data->resource = impl_->resource;
  data->has_agent = impl_->has_agent;
  data->agent = impl_->agent;
  data->delegation = impl_->delegation;
  if (!load_context(document, "context", data->storage, data->context, message))
    return failure(std::move(message));
  return detail::request_data::publish(std::move(data));
}

request request::with_delegation(std::optional<entity_ref> agent,
                                 std::span<const delegation_hop> chain) const {
  auto data = std::make_shared<detail::request_data>();
  static_cast<detail::request_view&>(*data) = *impl_;
  data->context_owner = impl_;
  data->has_agent = agent.has_value();
  auto uid = [](const entity_ref& ref) {
    return detail::entity_uid{detail::intern(ref.type), detail::intern(ref.id)};
  };
  if (agent) data->agent = uid(*agent);
  for (const delegation_hop& hop : chain) {
    detail::delegation_hop_data parsed;
    parsed.delegator = uid(hop.delegator);
    parsed.delegate = uid(hop.delegate);
    parsed.issued_at_ms = hop.issued_at_ms;
    parsed.expires_at_ms = hop.expires_at_ms;
    parsed.grant = hop.grant;
    parsed.has_resource = hop.resource.has_value();
    if (hop.resource) parsed.resource = uid(*hop.resource);
    for (const entity_ref& action : hop.scope) parsed.scope.push_back(uid(action));
    data->delegation.push_back(std::move(parsed));
  }
  return detail::request_data::publish(std::move(data));
}

std::optional<entity_ref> request::agent() const {
  if (!impl_->has_agent) return std::nullopt;
  return to_ref(impl_->agent);
}

std::vector<delegation_hop> request::delegation() const {
  std::vector<delegation_hop> out;
  for (const auto& hop : impl_->delegation) {
    delegation_hop copy{to_ref(hop.delegator), to_ref(hop.delegate), {},
                        hop.issued_at_ms,      hop.expires_at_ms,    hop.grant,
                        std::nullopt};
    if (hop.has_resource) copy.resource = to_ref(hop.resource);
    for (detail::entity_uid action : hop.scope) copy.scope.push_back(to_ref(action));
    out.push_back(std::move(copy));
  }
  return out;
}

entity_ref request::principal() const { return to_ref(impl_->principal); }
entity_ref request::action() const { return to_ref(impl_->action); }
entity_ref request::resource() const { return to_ref(impl_->resource); }

}  // namespace v0
}  // namespace mandate
