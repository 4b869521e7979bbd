// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The decision server's endpoints (SERVE.md): OpenID AuthZEN 1.0's access evaluation API, and
// Mandate's own API for agent requests, grants and sessions.
//
// Every answer is JSON. A request the server cannot read is a 4xx with {"error", "status"},
// never a decision; a clients' PEP must treat anything but a 200 with "decision": true as a deny.
#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mandate/mandate.hpp"
#include "serve_state.hpp"

namespace mandate::cli::serve {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

// Deeper input is refused before parsing: rendering a context back to text recurses once per
// level, and 1 MiB of '[' must not be able to exhaust a handler thread's stack.
constexpr std::size_t max_json_depth = 128;

std::string dump(const ordered_json& j) {
  return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

void send_json(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "application/json");
}

void send_json(httplib::Response& res, int status, const ordered_json& body) {
  send_json(res, status, dump(body));
}

void send_error(httplib::Response& res, int status, std::string_view message) {
  ordered_json body;
  body["error"] = message;
  body["status"] = status;
  send_json(res, status, body);
}

// A request error: the HTTP status to answer with and why.
struct failure {
  int status = 400;
  std::string message;
};

bool too_deep(std::string_view text) {
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
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_json_depth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

// JSON is the only body the API reads. A missing Content-Type is let through so that a quick
// `curl --data` test works; a declared other type is a client mistake worth naming.
bool acceptable_content_type(const httplib::Request& req) {
  std::string type = req.get_header_value("Content-Type");
  if (type.empty()) return true;
  type = type.substr(0, type.find(';'));
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type == "application/json" || type.ends_with("+json");
}

// Reads a POST body as a JSON object, or says why not.
expected<json, failure> read_body(const server_state& state, const httplib::Request& req) {
  if (!acceptable_content_type(req))
    return unexpected(failure{415, fmt::format("Content-Type must be application/json, not '{}'",
                                               req.get_header_value("Content-Type"))});
  // httplib enforces the limit on bodies with a Content-Length; a chunked body is checked here.
  if (req.body.size() > state.settings.max_body)
    return unexpected(
        failure{413, fmt::format("request body exceeds the limit of {} bytes", state.settings.max_body)});
  if (too_deep(req.body))
    return unexpected(failure{400, fmt::format("JSON nested deeper than {} levels", max_json_depth)});
  try {
    json document = json::parse(req.body);
    if (!document.is_object()) return unexpected(failure{400, "the request body must be a JSON object"});
    return document;
  } catch (const json::exception& e) {
    return unexpected(failure{400, fmt::format("malformed JSON: {}", e.what())});
  }
}

bool wants_explanation(const httplib::Request& req) {
  if (!req.has_param("explain")) return false;
  const std::string value = req.get_param_value("explain");
  return value.empty() || value == "1" || value == "true" || value == "yes";
}

const json* member(const json& object, const char* name) {
  const auto it = object.find(name);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

// An entity written as {"type", "id"}, {"__entity": {"type", "id"}} or Cedar's `Type::"id"`.
std::optional<entity_ref> entity_of(const json& j) {
  if (j.is_string()) {
    const std::string& text = j.get_ref<const std::string&>();
    const std::size_t separator = text.rfind("::\"");
    if (separator == std::string::npos || separator == 0 || text.size() < separator + 4 || text.back() != '"')
      return std::nullopt;
    entity_ref out{text.substr(0, separator), {}};
    const std::string_view body(text.data() + separator + 3, text.size() - separator - 4);
    for (std::size_t i = 0; i < body.size(); ++i) {
      if (body[i] == '\\' && i + 1 < body.size()) ++i;
      out.id.push_back(body[i]);
    }
    return out;
  }
  if (!j.is_object()) return std::nullopt;
  if (const json* inner = member(j, "__entity")) return entity_of(*inner);
  const json* type = member(j, "type");
  const json* id = member(j, "id");
  if (type == nullptr || id == nullptr || !type->is_string() || !id->is_string() ||
      type->get_ref<const std::string&>().empty())
    return std::nullopt;
  return entity_ref{type->get<std::string>(), id->get<std::string>()};
}

ordered_json entity_json(const entity_ref& e) {
  ordered_json out;
  out["type"] = e.type;
  out["id"] = e.id;
  return out;
}

// How a request is decided, besides what it asks.
struct decide_with {
  std::string grant;
  std::string session;
  bool explain = false;
};

struct outcome {
  decision result;
  decision_trace trace;
  std::string decision_id;  // the audit record's, with --audit
};

// Decides one request against one snapshot, records it in the audit trail and counts it.
// Fails only when --audit is on and the record could not be written: a decision that leaves
// no trail is not given.
expected<outcome, failure> decide(server_state& state, const served_snapshot& snap, request req,
                                  const decide_with& how) {
  outcome out;
  decision_trace* trace = how.explain ? &out.trace : nullptr;
  bool presented = true;
  if (!how.grant.empty()) {
    auto through = state.grants.present(req, how.grant, state.options);
    if (through) {
      req = std::move(*through);
    } else {
      out.result = std::move(through).error();
      presented = false;
    }
  }
  if (presented) {
    if (!how.session.empty()) {
      out.result =
          state.sessions.evaluate(snap.policies, snap.entities, req, how.session, state.options, {}, trace);
    } else if (trace != nullptr) {
      snap.policies.evaluate(req, snap.entities, out.result, *trace, state.options);
    } else {
      snap.policies.evaluate(req, snap.entities, out.result, state.options);
    }
  }
  if (state.audit) {
    audit_record record =
        make_audit_record(req, out.result, snap.policies, system_time_ms(), how.grant, how.session);
    state.audit->write(record);
    if (state.audit->failed())
      return unexpected(failure{500, "the audit trail could not be written, so no decision is given"});
    out.decision_id = std::move(record.decision_id);
  }
  state.stats.count_decision(out.result.outcome);
  return out;
}

// ---- AuthZEN --------------------------------------------------------------------------------

// The four parts of an AuthZEN evaluation, each possibly inherited from a batch's defaults.
struct authzen_parts {
  const json* subject = nullptr;
  const json* action = nullptr;
  const json* resource = nullptr;
  const json* context = nullptr;
};

authzen_parts parts_of(const json& object, authzen_parts defaults = {}) {
  if (const json* j = member(object, "subject")) defaults.subject = j;
  if (const json* j = member(object, "action")) defaults.action = j;
  if (const json* j = member(object, "resource")) defaults.resource = j;
  if (const json* j = member(object, "context")) defaults.context = j;
  return defaults;
}

expected<entity_ref, failure> typed_entity(const json* j, const char* field) {
  const auto bad = [&] {
    return unexpected(failure{
        400,
        fmt::format("\"{}\" must be an object with a non-empty string \"type\" and a string \"id\"", field)});
  };
  if (j == nullptr) return unexpected(failure{400, fmt::format("missing \"{}\"", field)});
  if (!j->is_object()) return bad();
  const json* type = member(*j, "type");
  const json* id = member(*j, "id");
  if (type == nullptr || id == nullptr || !type->is_string() || !id->is_string() ||
      type->get_ref<const std::string&>().empty())
    return bad();
  if (const json* properties = member(*j, "properties"); properties != nullptr && !properties->is_object())
    return unexpected(failure{400, fmt::format("\"{}.properties\" must be an object", field)});
  return entity_ref{type->get<std::string>(), id->get<std::string>()};
}

// Maps an AuthZEN evaluation onto a Cedar request: subject -> principal, Action::"name",
// resource -> resource, context as is. `properties` are not merged into the entities (SERVE.md):
// attributes come from the entity store, so a caller cannot vouch for its own; a request that
// sends some is told so in `notes`.
expected<request, failure> authzen_request(const served_snapshot& snap, const authzen_parts& parts,
                                           std::vector<std::string>& notes) {
  auto subject = typed_entity(parts.subject, "subject");
  if (!subject) return unexpected(subject.error());
  auto resource = typed_entity(parts.resource, "resource");
  if (!resource) return unexpected(resource.error());
  if (parts.action == nullptr) return unexpected(failure{400, "missing \"action\""});
  const json* name = parts.action->is_object() ? member(*parts.action, "name") : nullptr;
  if (name == nullptr || !name->is_string() || name->get_ref<const std::string&>().empty())
    return unexpected(failure{400, "\"action\" must be an object with a non-empty string \"name\""});
  if (parts.context != nullptr && !parts.context->is_object())
    return unexpected(failure{400, "\"context\" must be an object"});
  for (const auto& [field, j] : {std::pair{"subject", parts.subject}, std::pair{"action", parts.action},
                                 std::pair{"resource", parts.resource}}) {
    if (j->contains("properties"))
      notes.push_back(fmt::format("{}.properties ignored: attributes come from the entity store", field));
  }
  json cedar;
  cedar["principal"] = {{"type", subject->type}, {"id", subject->id}};
  cedar["action"] = {{"type", "Action"}, {"id", name->get<std::string>()}};
  cedar["resource"] = {{"type", resource->type}, {"id", resource->id}};
  cedar["context"] = parts.context != nullptr ? *parts.context : json::object();
  const std::string text = cedar.dump(-1, ' ', false, json::error_handler_t::replace);
  auto req = snap.request_schema ? request::from_json(text, *snap.request_schema, /*validate_request=*/true)
                                 : request::from_json(text);
  if (!req) return unexpected(failure{400, req.error()});
  return std::move(*req);
}

// Approvers named by the determining policies' @approvers("a, b"), in order, without repeats.
std::vector<std::string> approvers_of(const decision& d) {
  std::vector<std::string> out;
  for (const decision_annotation& a : d.annotations) {
    if (a.key != "approvers") continue;
    std::string_view rest = a.value;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
      while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.remove_suffix(1);
      if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) out.emplace_back(item);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
  }
  return out;
}

// {"decision": bool, "context": {...}}: the context carries Mandate's full decision (outcome,
// reasons, errors, annotations, mode, and for chains the deciding identity), so nothing the
// CLI would print is lost by answering in AuthZEN's shape.
ordered_json authzen_answer(const outcome& o, bool explain, const std::vector<std::string>& notes) {
  const ordered_json full = ordered_json::parse(to_json(o.result));
  ordered_json context;
  context["outcome"] = full["decision"];
  if (o.result.outcome == verdict::require_approval) {
    context["reason"] = "approval_required";
    context["approvers"] = approvers_of(o.result);
  }
  for (const auto& [key, value] : full.items()) {
    if (key != "decision") context[key] = value;
  }
  if (!o.decision_id.empty()) context["decision_id"] = o.decision_id;
  if (!notes.empty()) context["notes"] = notes;
  if (explain) context["explanation"] = ordered_json::parse(to_json(o.result, o.trace));
  ordered_json answer;
  answer["decision"] = o.result.allowed();
  answer["context"] = std::move(context);
  return answer;
}

ordered_json authzen_error_answer(const failure& f) {
  ordered_json answer;
  answer["decision"] = false;
  answer["context"]["error"] = {{"status", f.status}, {"message", f.message}};
  return answer;
}

// One evaluation: the answer, or a failure for the caller to send as a status or (in a batch)
// as that item's answer.
expected<ordered_json, failure> authzen_evaluate(server_state& state, const served_snapshot& snap,
                                                 const authzen_parts& parts, bool explain) {
  std::vector<std::string> notes;
  auto req = authzen_request(snap, parts, notes);
  if (!req) return unexpected(req.error());
  auto decided = decide(state, snap, std::move(*req), decide_with{.explain = explain});
  if (!decided) return unexpected(decided.error());
  return authzen_answer(*decided, explain, notes);
}

class latency_timer {
 public:
  explicit latency_timer(metrics& stats) : stats_(stats) {}
  latency_timer(const latency_timer&) = delete;
  latency_timer& operator=(const latency_timer&) = delete;
  ~latency_timer() { stats_.observe_latency(std::chrono::steady_clock::now() - start_); }

 private:
  metrics& stats_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

void handle_evaluation(server_state& state, const httplib::Request& req, httplib::Response& res) {
  latency_timer timer(state.stats);
  auto body = read_body(state, req);
  if (!body) return send_error(res, body.error().status, body.error().message);
  const auto snap = state.current();
  auto answer = authzen_evaluate(state, *snap, parts_of(*body), wants_explanation(req));
  if (!answer) return send_error(res, answer.error().status, answer.error().message);
  send_json(res, 200, *answer);
}

void handle_evaluations(server_state& state, const httplib::Request& req, httplib::Response& res) {
  latency_timer timer(state.stats);
  auto body = read_body(state, req);
  if (!body) return send_error(res, body.error().status, body.error().message);
  const bool explain = wants_explanation(req);
  const authzen_parts defaults = parts_of(*body);
  enum class semantic { execute_all, deny_on_first_deny, permit_on_first_permit };
  semantic mode = semantic::execute_all;
  if (const json* options = member(*body, "options")) {
    if (!options->is_object()) return send_error(res, 400, "\"options\" must be an object");
    if (const json* s = member(*options, "evaluations_semantic")) {
      const std::string name = s->is_string() ? s->get<std::string>() : "";
      if (name == "deny_on_first_deny") {
        mode = semantic::deny_on_first_deny;
      } else if (name == "permit_on_first_permit") {
        mode = semantic::permit_on_first_permit;
      } else if (name != "execute_all") {
        return send_error(res, 400,
                          "\"options.evaluations_semantic\" must be \"execute_all\", \"deny_on_first_deny\" "
                          "or \"permit_on_first_permit\"");
      }
    }
  }
  const json* items = member(*body, "evaluations");
  if (items != nullptr && !items->is_array()) return send_error(res, 400, "\"evaluations\" must be an array");
  // One snapshot for the whole batch, so a reload halfway through cannot split it.
  const auto snap = state.current();
  // AuthZEN: without evaluations, the request is a single evaluation and so is the answer.
  if (items == nullptr || items->empty()) {
    auto answer = authzen_evaluate(state, *snap, defaults, explain);
    if (!answer) return send_error(res, answer.error().status, answer.error().message);
    return send_json(res, 200, *answer);
  }
  if (items->size() > state.settings.max_batch)
    return send_error(res, 413,
                      fmt::format("more than {} evaluations in one request", state.settings.max_batch));
  for (std::size_t i = 0; i < items->size(); ++i) {
    if (!(*items)[i].is_object())
      return send_error(res, 400, fmt::format("\"evaluations[{}]\" must be an object", i));
  }
  ordered_json answers = ordered_json::array();
  for (const json& item : *items) {
    auto answer = authzen_evaluate(state, *snap, parts_of(item, defaults), explain);
    // A malformed item is that item's deny, so one bad entry does not hide the others' answers.
    ordered_json one = answer ? std::move(*answer) : authzen_error_answer(answer.error());
    const bool allowed = one["decision"].get<bool>();
    answers.push_back(std::move(one));
    if ((mode == semantic::deny_on_first_deny && !allowed) ||
        (mode == semantic::permit_on_first_permit && allowed))
      break;
  }
  ordered_json out;
  out["evaluations"] = std::move(answers);
  send_json(res, 200, out);
}

std::string base_url(const server_state& state, const httplib::Request& req) {
  std::string host = req.get_header_value("Host");
  const bool usable = !host.empty() && host.size() < 256 && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view(".-:[]_").find(c) != std::string_view::npos;
  });
  return "http://" + (usable ? host : state.address);
}

void handle_configuration(const server_state& state, const httplib::Request& req, httplib::Response& res) {
  const std::string base = base_url(state, req);
  ordered_json out;
  out["policy_decision_point"] = base;
  out["access_evaluation_endpoint"] = base + "/access/v1/evaluation";
  out["access_evaluations_endpoint"] = base + "/access/v1/evaluations";
  send_json(res, 200, out);
}

// ---- Mandate's own API ----------------------------------------------------------------------

// {"principal", "action", "resource", "context", "agent", "delegation"} as `mandate eval`
// reads a request, with its extras "grant", "session" and "validateRequest". The answer is
// `mandate eval`'s line for it (plus "decision_id" with --audit, "explanation" when asked).
void handle_mandate_evaluate(server_state& state, const httplib::Request& req, httplib::Response& res) {
  latency_timer timer(state.stats);
  auto body = read_body(state, req);
  if (!body) return send_error(res, body.error().status, body.error().message);
  if (body->contains("event") || body->contains("signal"))
    return send_error(
        res, 400,
        "events and signals have their own endpoints: POST /mandate/v1/sessions/{id}/events and "
        "POST /mandate/v1/signals");
  if (body->contains("time"))
    return send_error(res, 400, "\"time\" is not accepted: the server decides at its own clock");
  decide_with how{.explain = wants_explanation(req)};
  bool validate = true;
  if (const json* v = member(*body, "validateRequest")) {
    if (!v->is_boolean()) return send_error(res, 400, "\"validateRequest\" must be true or false");
    validate = v->get<bool>();
  }
  if (const json* g = member(*body, "grant")) {
    if (!g->is_string() || g->get_ref<const std::string&>().empty())
      return send_error(res, 400, "\"grant\" must be a non-empty string (a grant id)");
    how.grant = g->get<std::string>();
  }
  if (const json* s = member(*body, "session")) {
    if (!s->is_string() || s->get_ref<const std::string&>().empty())
      return send_error(res, 400, "\"session\" must be a non-empty string (a session id)");
    how.session = s->get<std::string>();
  }
  const auto snap = state.current();
  auto parsed = snap->request_schema ? request::from_json(req.body, *snap->request_schema, validate)
                                     : request::from_json(req.body);
  if (!parsed) return send_error(res, 400, parsed.error());
  auto decided = decide(state, *snap, std::move(*parsed), how);
  if (!decided) return send_error(res, decided.error().status, decided.error().message);
  std::string line = to_json(decided->result);
  if (!decided->decision_id.empty() || how.explain) {
    line.pop_back();  // the closing brace; to_json always writes an object
    if (!decided->decision_id.empty()) line += ",\"decision_id\":" + json(decided->decision_id).dump();
    if (how.explain) line += ",\"explanation\":" + to_json(decided->result, decided->trace);
    line += '}';
  }
  send_json(res, 200, line);
}

expected<entity_ref, failure> required_entity(const json& body, const char* field) {
  const json* j = member(body, field);
  if (j == nullptr) return unexpected(failure{400, fmt::format("missing \"{}\"", field)});
  auto e = entity_of(*j);
  if (!e)
    return unexpected(failure{
        400, fmt::format("\"{}\" must be an entity: {{\"type\": .., \"id\": ..}} or \"Type::\\\"id\\\"\"",
                         field)});
  return *e;
}

expected<std::string, failure> required_string(const json& body, const char* field) {
  const json* j = member(body, field);
  if (j == nullptr || !j->is_string() || j->get_ref<const std::string&>().empty())
    return unexpected(failure{400, fmt::format("\"{}\" must be a non-empty string", field)});
  return j->get<std::string>();
}

// POST /mandate/v1/grants: {"principal", "agent", "task", "scope": [actions], "resource",
// "duration": "15m", "parent"}. A scope entry may be a bare action name ("read").
void handle_grant_issue(server_state& state, const httplib::Request& req, httplib::Response& res) {
  auto body = read_body(state, req);
  if (!body) return send_error(res, body.error().status, body.error().message);
  grant_request asked;
  if (const json* parent = member(*body, "parent")) {
    if (!parent->is_string()) return send_error(res, 400, "\"parent\" must be a string (a grant id)");
    asked.parent_grant = parent->get<std::string>();
  }
  if (asked.parent_grant.empty() || member(*body, "principal") != nullptr) {
    auto principal = required_entity(*body, "principal");
    if (!principal) return send_error(res, 400, principal.error().message);
    asked.principal = *principal;
  }
  auto agent = required_entity(*body, "agent");
  if (!agent) return send_error(res, 400, agent.error().message);
  asked.agent = *agent;
  auto resource = required_entity(*body, "resource");
  if (!resource) return send_error(res, 400, resource.error().message);
  asked.resource = *resource;
  auto task = required_string(*body, "task");
  if (!task) return send_error(res, 400, task.error().message);
  asked.task = *task;
  auto duration = required_string(*body, "duration");
  if (!duration) return send_error(res, 400, duration.error().message);
  const auto ms = parse_duration_ms(*duration);
  if (!ms || *ms <= 0)
    return send_error(res, 400,
                      fmt::format("\"duration\": '{}' is not a positive duration like 15m", *duration));
  asked.duration_ms = *ms;
  const json* scope = member(*body, "scope");
  if (scope == nullptr || !scope->is_array() || scope->empty())
    return send_error(res, 400, "\"scope\" must be a non-empty array of actions");
  for (const json& a : *scope) {
    std::optional<entity_ref> action;
    if (a.is_string() && a.get_ref<const std::string&>().find("::") == std::string::npos &&
        !a.get_ref<const std::string&>().empty()) {
      action = entity_ref{"Action", a.get<std::string>()};
    } else {
      action = entity_of(a);
    }
    if (!action)
      return send_error(res, 400, "each \"scope\" entry must be an action: \"read\" or Action::\"read\"");
    asked.scope.push_back(*action);
  }
  const auto snap = state.current();
  auto issued = state.grants.issue(asked, snap->policies, snap->entities, state.options);
  if (!issued) {
    ordered_json out;
    out["error"] = issued.error().message;
    out["status"] = 403;
    out["code"] = issued.error().code;
    ordered_json denied = ordered_json::array();
    for (const entity_ref& e : issued.error().denied_actions) denied.push_back(entity_json(e));
    out["denied_actions"] = std::move(denied);
    return send_json(res, 403, out);
  }
  send_json(res, 201, to_json(*issued));
}

void handle_grant_get(server_state& state, const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  const std::optional<grant> found = state.grant_store->find(id);
  const std::optional<grant_state> now = state.grants.state(id);
  if (!found || !now) return send_error(res, 404, fmt::format("no grant '{}'", id));
  ordered_json out;
  out["grant"] = ordered_json::parse(to_json(*found));
  out["state"] = to_string(*now);
  send_json(res, 200, out);
}

// POST /mandate/v1/grants/revoke: exactly one of {"grant"}, {"agent"}, {"task"}, {"principal"}.
void handle_grant_revoke(server_state& state, const httplib::Request& req, httplib::Response& res) {
  auto body = read_body(state, req);
  if (!body) return send_error(res, body.error().status, body.error().message);
  int given = 0;
  for (const char* key : {"grant", "agent", "task", "principal"})
    given += member(*body, key) != nullptr ? 1 : 0;
  if (given != 1)
    return send_error(res, 400, "give exactly one of \"grant\", \"agent\", \"task\" or \"principal\"");
  std::size_t revoked = 0;
  if (member(*body, "grant") != nullptr) {
    auto id = required_string(*body, "grant");
    if (!id) return send_error(res, 400, id.error().message);
    if (!state.grant_store->find(*id)) return send_error(res, 404, fmt::format("no grant '{}'", *id));
    revoked = state.grants.revoke_grant(*id);
  } else if (member(*body, "task") != nullptr) {
    auto task = required_string(*body, "task");
    if (!task) return send_error(res, 400, task.error().message);
    revoked = state.grants.revoke_task(*task);
  } else {
    const bool agent = member(*body, "agent") != nullptr;
    auto who = required_entity(*body, agent ? "agent" : "principal");
    if (!who) return send_error(res, 400, who.error().message);
    revoked = agent ? state.grants.revoke_agent(*who) : state.grants.revoke_principal(*who);
  }
  ordered_json out;
  out["revoked"] = revoked;
  send_json(res, 200, out);
}

// POST /mandate/v1/tasks/complete: {"task"}; the task's grants (and theirs) die with it.
void handle_task_complete(server_state& state, const httplib::Request& req, httplib::Response& res) {
  auto body = read_body(state, req);
  if (!body) return send_error(res, body.error().status, body.error().message);
  auto task = required_string(*body, "task");
  if (!task) return send_error(res, 400, task.error().message);
  ordered_json out;
  out["revoked"] = state.grants.complete_task(*task);
  send_json(res, 200, out);
}

// POST /mandate/v1/sessions/{id}/events: {"kind", "action", "fields", "requestId", "principal",
// "resource"}, as `mandate eval` reads an event line's "event".
void handle_session_event(server_state& state, const httplib::Request& req, httplib::Response& res) {
  auto body = read_body(state, req);
  if (!body) return send_error(res, body.error().status, body.error().message);
  const std::string session = req.matches[1];
  session_event event;
  if (const json* kind = member(*body, "kind")) {
    if (!kind->is_string() || kind->get_ref<const std::string&>().empty())
      return send_error(res, 400, "\"kind\" must be a non-empty string");
    event.kind = kind->get<std::string>();
  }
  auto action = required_entity(*body, "action");
  if (!action) return send_error(res, 400, action.error().message);
  event.action = *action;
  if (const json* fields = member(*body, "fields")) {
    if (!fields->is_object()) return send_error(res, 400, "\"fields\" must be an object");
    event.fields_json = fields->dump(-1, ' ', false, json::error_handler_t::replace);
  }
  if (const json* id = member(*body, "requestId")) {
    if (!id->is_string()) return send_error(res, 400, "\"requestId\" must be a string");
    event.request_id = id->get<std::string>();
  }
  for (const char* field : {"principal", "resource"}) {
    if (member(*body, field) == nullptr) continue;
    auto e = required_entity(*body, field);
    if (!e) return send_error(res, 400, e.error().message);
    (std::string_view(field) == "principal" ? event.principal : event.resource) = *e;
  }
  auto recorded = state.sessions.record(session, event);
  if (!recorded) return send_error(res, 400, recorded.error());
  ordered_json out;
  out["event"] = "recorded";
  out["session"] = session;
  send_json(res, 200, out);
}

void handle_session_get(server_state& state, const httplib::Request& req, httplib::Response& res) {
  const std::string session = req.matches[1];
  const session_state s = state.sessions.state(session);
  if (!s.exists) return send_error(res, 404, fmt::format("no session '{}'", session));
  ordered_json out;
  out["session"] = session;
  out["terminated"] = s.terminated;
  if (s.terminated) out["terminated_reason"] = s.terminated_reason;
  out["events_seen"] = s.events_seen;
  out["events_kept"] = s.events_kept;
  out["bytes"] = s.bytes;
  if (!s.risk_level.empty()) out["risk_level"] = s.risk_level;
  if (!s.assurance_level.empty()) out["assurance_level"] = s.assurance_level;
  send_json(res, 200, out);
}

// POST /mandate/v1/signals: a CAEP signal {"type", "session", "subject", "claims", "level", "reason"}.
void handle_signal(server_state& state, const httplib::Request& req, httplib::Response& res) {
  auto body = read_body(state, req);
  if (!body) return send_error(res, body.error().status, body.error().message);
  session_signal signal;
  auto type = required_string(*body, "type");
  if (!type) return send_error(res, 400, type.error().message);
  signal.type = *type;
  for (const auto& [field, target] :
       {std::pair{"session", &signal.session_id}, std::pair{"level", &signal.level},
        std::pair{"reason", &signal.reason}}) {
    const json* j = member(*body, field);
    if (j == nullptr) continue;
    if (!j->is_string()) return send_error(res, 400, fmt::format("\"{}\" must be a string", field));
    *target = j->get<std::string>();
  }
  if (member(*body, "subject") != nullptr) {
    auto subject = required_entity(*body, "subject");
    if (!subject) return send_error(res, 400, subject.error().message);
    signal.subject = *subject;
  }
  if (const json* claims = member(*body, "claims")) {
    if (!claims->is_object()) return send_error(res, 400, "\"claims\" must be an object");
    signal.claims_json = claims->dump(-1, ' ', false, json::error_handler_t::replace);
  }
  auto applied = state.sessions.signal(signal);
  if (!applied) return send_error(res, 400, applied.error());
  ordered_json out;
  out["signal"] = "applied";
  send_json(res, 200, out);
}

void handle_health(const server_state& state, httplib::Response& res) {
  const auto snap = state.current();
  ordered_json out;
  out["status"] = "ok";
  out["version"] = std::string(version_string);
  out["generation"] = snap->generation;
  out["policies"] = snap->policies.size();
  out["entities"] = snap->entities.size();
  out["policy_set_hash"] = fmt::format("{:016x}", snap->policies.fingerprint());
  out["uptime_seconds"] =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - state.started)
          .count();
  send_json(res, 200, out);
}

// The methods a known path answers to, for a 405's Allow header; empty for an unknown path.
std::string allowed_methods(const std::string& path) {
  static const std::regex post_only(
      R"(/access/v1/evaluations?|/mandate/v1/(evaluate|grants|grants/revoke|tasks/complete|signals|sessions/[^/]+/events))");
  static const std::regex get_only(
      R"(/\.well-known/authzen-configuration|/healthz|/health|/metrics|/mandate/v1/(grants|sessions)/[^/]+)");
  if (std::regex_match(path, post_only)) return "POST";
  if (std::regex_match(path, get_only)) return "GET, HEAD";
  return {};
}

// Compares without stopping at the first difference, so response timing does not reveal how
// much of a guessed token was right.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i)
    difference |= static_cast<unsigned char>(a[i] ^ b[i % std::max<std::size_t>(b.size(), 1)]);
  return difference == 0;
}

// The control endpoints answer only to the operator: 403 when no --control-token was given,
// 401 when the request does not carry it. True when the request may go on.
bool control_allowed(const server_state& state, const httplib::Request& req, httplib::Response& res) {
  if (state.settings.control_token.empty()) {
    send_error(res, 403,
               "control endpoints are disabled; start mandate serve with --control-token (or "
               "MANDATE_CONTROL_TOKEN) and send `Authorization: Bearer TOKEN`");
    return false;
  }
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view scheme = "Bearer ";
  if (!header.starts_with(scheme) ||
      !same_secret(std::string_view(header).substr(scheme.size()), state.settings.control_token)) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"mandate-control\"");
    send_error(res, 401,
               "this control endpoint needs `Authorization: Bearer TOKEN` with the server's control token");
    return false;
  }
  return true;
}

bool printable_request_id(const std::string& id) {
  return !id.empty() && id.size() <= 200 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c < 127; });
}

}  // namespace

void install_routes(httplib::Server& server, server_state& state) {
  // httplib limits bodies with a Content-Length before reading them, but reads a chunked body
  // whole first: refused here, before any of it is read, so no client can make the server
  // buffer more than --max-body.
  server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    std::string encoding = req.get_header_value("Transfer-Encoding");
    std::transform(encoding.begin(), encoding.end(), encoding.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (encoding.find("chunked") == std::string::npos) return httplib::Server::HandlerResponse::Unhandled;
    send_error(res, 411, "chunked request bodies are not accepted; send the body with a Content-Length");
    return httplib::Server::HandlerResponse::Handled;
  });
  server.Post("/access/v1/evaluation", [&state](const httplib::Request& req, httplib::Response& res) {
    handle_evaluation(state, req, res);
  });
  server.Post("/access/v1/evaluations", [&state](const httplib::Request& req, httplib::Response& res) {
    handle_evaluations(state, req, res);
  });
  server.Get("/.well-known/authzen-configuration",
             [&state](const httplib::Request& req, httplib::Response& res) {
               handle_configuration(state, req, res);
             });
  server.Post("/mandate/v1/evaluate", [&state](const httplib::Request& req, httplib::Response& res) {
    handle_mandate_evaluate(state, req, res);
  });
  server.Post("/mandate/v1/grants", [&state](const httplib::Request& req, httplib::Response& res) {
    if (control_allowed(state, req, res)) handle_grant_issue(state, req, res);
  });
  server.Post("/mandate/v1/grants/revoke", [&state](const httplib::Request& req, httplib::Response& res) {
    if (control_allowed(state, req, res)) handle_grant_revoke(state, req, res);
  });
  server.Get(R"(/mandate/v1/grants/([^/]+))", [&state](const httplib::Request& req, httplib::Response& res) {
    if (control_allowed(state, req, res)) handle_grant_get(state, req, res);
  });
  server.Post("/mandate/v1/tasks/complete", [&state](const httplib::Request& req, httplib::Response& res) {
    if (control_allowed(state, req, res)) handle_task_complete(state, req, res);
  });
  server.Post(R"(/mandate/v1/sessions/([^/]+)/events)",
              [&state](const httplib::Request& req, httplib::Response& res) {
                if (control_allowed(state, req, res)) handle_session_event(state, req, res);
              });
  server.Get(R"(/mandate/v1/sessions/([^/]+))",
             [&state](const httplib::Request& req, httplib::Response& res) {
               if (control_allowed(state, req, res)) handle_session_get(state, req, res);
             });
  server.Post("/mandate/v1/signals", [&state](const httplib::Request& req, httplib::Response& res) {
    if (control_allowed(state, req, res)) handle_signal(state, req, res);
  });
  for (const char* path : {"/healthz", "/health"}) {
    server.Get(path,
               [&state](const httplib::Request&, httplib::Response& res) { handle_health(state, res); });
  }
  server.Get("/metrics", [&state](const httplib::Request&, httplib::Response& res) {
    res.set_content(state.stats.render(*state.current()), "text/plain; version=0.0.4; charset=utf-8");
  });

  // Every 4xx/5xx httplib produces itself (unknown path, oversized body, unreadable request
  // line) gets a JSON body; answers the handlers wrote already have one and are left alone.
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) {
      const std::string allowed = allowed_methods(req.path);
      if (!allowed.empty()) {
        res.set_header("Allow", allowed);
        return send_error(
            res, 405, fmt::format("{} is not allowed on {} (allowed: {})", req.method, req.path, allowed));
      }
      return send_error(res, 404, fmt::format("no endpoint {}", req.path));
    }
    if (res.status == 413) return send_error(res, 413, "request body too large");
    send_error(res, res.status,
               res.status == 400 ? "malformed HTTP request" : fmt::format("HTTP error {}", res.status));
  });
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
    std::string what = "unexpected failure";
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    send_error(res, 500, "internal error: " + what);
  });
  server.set_post_routing_handler([&state](const httplib::Request& req, httplib::Response& res) {
    std::string id = req.get_header_value("X-Request-ID");
    if (!printable_request_id(id)) id = fmt::format("mandate-{}", state.next_request_id.fetch_add(1));
    res.set_header("X-Request-ID", id);
    state.stats.count_response(res.status);
  });
}

// ---- metrics --------------------------------------------------------------------------------

void metrics::count_decision(verdict outcome) noexcept {
  decisions_[static_cast<std::size_t>(outcome)].fetch_add(1, std::memory_order_relaxed);
}

void metrics::observe_latency(std::chrono::nanoseconds elapsed) noexcept {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::size_t bucket = 0;
  while (bucket < bucket_bounds.size() && seconds > bucket_bounds[bucket]) ++bucket;
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  latency_sum_ns_.fetch_add(static_cast<std::uint64_t>(elapsed.count()), std::memory_order_relaxed);
  latency_count_.fetch_add(1, std::memory_order_relaxed);
}

void metrics::count_response(int status) noexcept {
  std::size_t slot = 0;
  while (slot < known_statuses_.size() && known_statuses_[slot] != status) ++slot;
  responses_[slot].fetch_add(1, std::memory_order_relaxed);
}

void metrics::count_reload(bool ok) noexcept { (ok ? reloads_ok_ : reloads_failed_).fetch_add(1); }

std::string metrics::render(const served_snapshot& current) const {
  std::string out;
  auto line = [&out](std::string_view text) {
    out += text;
    out += '\n';
  };
  line("# HELP mandate_decisions_total Decisions made, by outcome (batch items counted one by one).");
  line("# TYPE mandate_decisions_total counter");
  for (const verdict v : {verdict::allow, verdict::deny, verdict::require_approval}) {
    line(fmt::format("mandate_decisions_total{{outcome=\"{}\"}} {}", to_string(v),
                     decisions_[static_cast<std::size_t>(v)].load(std::memory_order_relaxed)));
  }
  line(
      "# HELP mandate_decision_request_duration_seconds Time to answer a decision request (reading, "
      "deciding, "
      "rendering), from the handler's start.");
  line("# TYPE mandate_decision_request_duration_seconds histogram");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bucket_bounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    line(fmt::format("mandate_decision_request_duration_seconds_bucket{{le=\"{}\"}} {}", bucket_bounds[i],
                     cumulative));
  }
  const std::uint64_t count = latency_count_.load(std::memory_order_relaxed);
  line(fmt::format("mandate_decision_request_duration_seconds_bucket{{le=\"+Inf\"}} {}", count));
  line(fmt::format("mandate_decision_request_duration_seconds_sum {:.9f}",
                   static_cast<double>(latency_sum_ns_.load(std::memory_order_relaxed)) / 1e9));
  line(fmt::format("mandate_decision_request_duration_seconds_count {}", count));
  line("# HELP mandate_reloads_total Reloads of the policies, entities and schema, by result.");
  line("# TYPE mandate_reloads_total counter");
  line(fmt::format("mandate_reloads_total{{result=\"ok\"}} {}", reloads_ok_.load()));
  line(fmt::format("mandate_reloads_total{{result=\"failed\"}} {}", reloads_failed_.load()));
  line("# HELP mandate_http_responses_total HTTP responses, by status code.");
  line("# TYPE mandate_http_responses_total counter");
  for (std::size_t i = 0; i <= known_statuses_.size(); ++i) {
    line(fmt::format("mandate_http_responses_total{{code=\"{}\"}} {}",
                     i < known_statuses_.size() ? std::to_string(known_statuses_[i]) : std::string("other"),
                     responses_[i].load(std::memory_order_relaxed)));
  }
  line(
      "# HELP mandate_policy_generation Generation of the policies being served: 1 at startup, +1 per "
      "reload.");
  line("# TYPE mandate_policy_generation gauge");
  line(fmt::format("mandate_policy_generation {}", current.generation));
  line("# HELP mandate_policies Policies in the served set.");
  line("# TYPE mandate_policies gauge");
  line(fmt::format("mandate_policies {}", current.policies.size()));
  line("# HELP mandate_entities Entities in the served store.");
  line("# TYPE mandate_entities gauge");
  line(fmt::format("mandate_entities {}", current.entities.size()));
  return out;
}

}  // namespace mandate::cli::serve
