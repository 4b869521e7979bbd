// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Sessions: history, external signals and the responses a policy can ask for.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <mutex>
#include <unordered_map>

#include "compile/plan.hpp"
#include "json/cedar_json.hpp"
#include "mandate/session.hpp"
#include "session/event_log.hpp"
#include "session/history.hpp"
#include "value/extensions.hpp"

namespace mandate {
inline namespace v0 {

using detail::entity_uid;
using detail::intern;
using detail::value;
using detail::value_kind;

namespace {

std::int64_t system_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

entity_uid uid_of(const entity_ref& e) { return {intern(e.type), intern(e.id)}; }

// A principal's attributes and parents as a token-claims-change left them.
struct claims {
  std::shared_ptr<detail::arena> storage = std::make_shared<detail::arena>(512);
  std::optional<value> attributes;
  std::optional<std::vector<entity_uid>> parents;
};

struct session_data {
  std::mutex lock;
  detail::session::history events;
  bool terminated = false;
  std::string terminated_reason;
  std::string risk_level;
  std::string assurance_level;
  std::int64_t credential_changed_at = 0;
  bool has_principal = false;
  entity_uid last_principal;
};

}  // namespace

struct session_manager::impl {
  session_options options;
  session_clock clock;
  std::mutex lock;  // guards the maps below, not the sessions' contents
  std::unordered_map<std::string, std::shared_ptr<session_data>> sessions;
  std::unordered_map<std::uint64_t, claims> principal_claims;
  std::uint64_t claims_version = 0;
  // The entity store with claims applied, rebuilt when the base store or the claims change.
  // The copy's unchanged records point into the base store's values: it is kept alive here.
  std::optional<entity_store> patched_base;
  std::shared_ptr<detail::entity_data> patched;
  std::uint64_t patched_version = 0;
  std::unique_ptr<detail::session::event_log> log;

  std::shared_ptr<session_data> find_or_create(std::string_view id) {
    std::lock_guard guard(lock);
    auto& slot = sessions[std::string(id)];
    if (!slot) slot = std::make_shared<session_data>();
    return slot;
  }

  std::shared_ptr<session_data> find(std::string_view id) const {
    auto it = sessions.find(std::string(id));
    return it == sessions.end() ? nullptr : it->second;
  }

  // The store a decision reads: `base` itself unless a token-claims-change touched one of its
  // principals; then a copy with those records changed (signals are rare, decisions are not).
  const detail::entity_data& entities_for(const entity_store& base_store) {
    std::lock_guard guard(lock);
    if (principal_claims.empty()) return base_store.internals();
    const detail::entity_data& base = base_store.internals();
    if (patched && patched_version == claims_version && &patched_base->internals() == &base) return *patched;
    auto copy = std::make_shared<detail::entity_data>();
    copy->records = base.records;
    copy->index = base.index;
    for (const auto& [key, c] : principal_claims) {
      entity_uid uid{static_cast<detail::symbol>(key >> 32), static_cast<detail::symbol>(key & 0xffffffffU)};
      auto it = copy->index.find(key);
      if (it == copy->index.end()) {
        detail::entity_record rec;
        rec.uid = uid;
        rec.attributes = detail::empty_record();
        rec.tags = detail::empty_record();
        copy->index.emplace(key, static_cast<std::uint32_t>(copy->records.size()));
        copy->records.push_back(std::move(rec));
        it = copy->index.find(key);
      }
      detail::entity_record& rec = copy->records[it->second];
      if (c.attributes) rec.attributes = detail::session::copy_value(copy->storage, *c.attributes);
      if (c.parents) rec.parents = *c.parents;
    }
    copy->compute_ancestors();
    patched = std::move(copy);
    patched_base = base_store;
    patched_version = claims_version;
    return *patched;
  }
};

session_manager::session_manager(session_options options) : impl_(std::make_unique<impl>()) {
  impl_->clock = options.clock ? options.clock : session_clock(system_clock_ms);
  impl_->options = std::move(options);
}

session_manager::~session_manager() = default;

expected<std::unique_ptr<session_manager>, std::string> session_manager::open(session_options options) {
  auto manager = std::make_unique<session_manager>(options);
  if (options.log_path.empty()) return manager;
  std::string error;
  auto log = detail::session::event_log::open(options.log_path, error);
  if (!log) return unexpected(error);
  // Recover: replay every logged event into its session, in order.
  bool ok = log->replay(
      [&](const detail::session::logged_event& entry) {
        auto s = manager->impl_->find_or_create(entry.session_id);
        if (entry.is_terminate) {
          s->terminated = true;
          s->terminated_reason = entry.reason;
          return;
        }
        s->events.append(entry.event);
        if (entry.event.has_principal) {
          s->has_principal = true;
          s->last_principal = entry.event.principal;
        }
      },
      error);
  if (!ok) return unexpected(error);
  manager->impl_->log = std::move(log);
  return manager;
}

namespace {

// The request's context with a `session` record added (replacing one the caller sent).
value context_with_session(detail::arena& storage, const value& context, std::string_view id,
                           const session_data& s) {
  std::vector<detail::symbol> keys{intern("id")};
  std::vector<value> values{value::of_string(intern(id))};
  auto add = [&](std::string_view key, value v) {
    keys.push_back(intern(key));
    values.push_back(v);
  };
  if (!s.risk_level.empty()) add("risk_level", value::of_string(intern(s.risk_level)));
  if (!s.assurance_level.empty()) add("assurance_level", value::of_string(intern(s.assurance_level)));
  if (s.credential_changed_at != 0) add("credential_changed_at", value::of_int(s.credential_changed_at));
  value session;
  value out;
  const detail::symbol session_key = intern("session");
  if (!detail::make_record(storage, keys, values, session) ||
      !detail::record_with(storage, context, {&session_key, 1}, {&session, 1}, out))
    return context;
  return out;
}

// The longest window of the policy's temporal conditions: a throttled agent may retry once
// what made the forbid hold has left it.
std::int64_t longest_window(const detail::compiled_policy_set& set, std::size_t policy_position) {
  std::int64_t longest = 0;
  for (const auto& leaf : set.temporal.leaves)
    if (leaf.policy == set.ast.policies[policy_position].position)
      longest = std::max(longest, leaf.horizon_ms);
  return longest;
}

// Applies the determining forbids' @response annotations to the decision and the session.
void apply_responses(const detail::compiled_policy_set& set, session_data& s, decision& d) {
  if (d.outcome != verdict::deny) return;
  for (const std::string& id : d.reasons) {
    auto it = std::find(set.ids.begin(), set.ids.end(), id);
    if (it == set.ids.end()) continue;
    const auto position = static_cast<std::size_t>(it - set.ids.begin());
    const detail::policy& p = set.ast.policies[position];
    const detail::annotation* response = p.find_annotation("response");
    if (response == nullptr) continue;
    if (response->value == "terminate") {
      d.response = session_response::terminate;
      s.terminated = true;
      s.terminated_reason = "policy " + id + " terminated the session";
      return;
    }
    if (response->value == "throttle" && d.response == session_response::none) {
      d.response = session_response::throttle;
      std::int64_t retry = longest_window(set, position);
      if (const detail::annotation* after = p.find_annotation("retry_after")) {
        std::int64_t ms = 0;
        if (detail::parse_duration(after->value, ms)) retry = ms;
      }
      d.retry_after_ms = retry > 0 ? retry : 60'000;
    }
  }
}

}  // namespace

decision session_manager::evaluate(const policy_set& policies, const entity_store& entities,
                                   const request& req, std::string_view session_id,
                                   const evaluation_options& options, std::string_view request_id) {
  decision out;
  out.mode = options.mode;
  try {
    auto s = impl_->find_or_create(session_id);
    const detail::entity_data& store = impl_->entities_for(entities);
    std::lock_guard guard(s->lock);
    if (s->terminated) {
      out.outcome = verdict::deny;
      out.response = session_response::terminate;
      out.errors.push_back({"", "session terminated: " + s->terminated_reason});
      return out;
    }
    const detail::compiled_policy_set& set = policies.internals();
    const detail::request_data& data = req.internals();
    detail::arena scratch(512);
    const value context = context_with_session(scratch, data.context, session_id, *s);
    detail::request_view view = data;
    view.context = context;
    const std::int64_t now = impl_->clock();
    std::string id(request_id);
    if (id.empty()) id = std::to_string(s->events.next_position());
    detail::temporal::event e = detail::session::make_request_event(view, now, session_id, id);
    // Durable before it is decided: a crash after the decision never loses the event it read.
    if (impl_->log) {
      std::string error;
      if (!impl_->log->append(session_id, e, error)) {
        out.outcome = verdict::deny;
        out.failed_closed = true;
        out.errors.push_back({"", "session log: " + error});
        return out;
      }
    }
    s->events.append(std::move(e));
    s->has_principal = true;
    s->last_principal = view.principal;
    detail::session::evaluate_with_history(set, store, data, context, s->events, options, out);
    apply_responses(set, *s, out);
    if (out.response == session_response::terminate && impl_->log) {
      std::string error;
      (void)impl_->log->append_terminate(session_id, s->terminated_reason, error);
    }
    const std::int64_t horizon = std::max<std::int64_t>(set.temporal.max_horizon_ms(), 0);
    s->events.compact(horizon, true);
  } catch (...) {
    out = decision{};
    out.outcome = verdict::deny;
    out.failed_closed = true;
    out.errors.push_back({"", "internal error: session evaluation could not complete"});
  }
  return out;
}

expected<bool, std::string> session_manager::record(std::string_view session_id, const session_event& event) {
  nlohmann::json j;
  detail::json_error error;
  if (!detail::parse_json(event.fields_json, j, error)) return unexpected("event fields: " + error.message);
  if (!j.is_object()) return unexpected(std::string("event fields must be a JSON object"));
  detail::temporal::event e;
  e.storage = std::make_shared<detail::arena>(256);
  value fields;
  if (!detail::cedar_record_from_json(j, *e.storage, fields, error))
    return unexpected("event fields: " + error.message);
  std::vector<detail::symbol> keys{intern("sessionId")};
  std::vector<value> values{value::of_string(intern(session_id))};
  auto add = [&](std::string_view key, value v) {
    keys.push_back(intern(key));
    values.push_back(v);
  };
  if (!event.request_id.empty()) add("requestId", value::of_string(intern(event.request_id)));
  if (event.principal) add("callerPrincipal", value::of_entity(uid_of(*event.principal)));
  if (event.resource) add("callerResource", value::of_entity(uid_of(*event.resource)));
  if (!detail::record_with(*e.storage, fields, keys, values, e.fields))
    return unexpected(std::string("bad event fields"));
  e.context = detail::empty_record();
  e.action = uid_of(event.action);
  e.kind = intern(event.kind);
  if (event.principal) {
    e.has_principal = true;
    e.principal = uid_of(*event.principal);
  }
  if (event.resource) {
    e.has_resource = true;
    e.resource = uid_of(*event.resource);
  }
  auto s = impl_->find_or_create(session_id);
  std::lock_guard guard(s->lock);
  e.time_ms = impl_->clock();
  if (impl_->log) {
    std::string log_error;
    if (!impl_->log->append(session_id, e, log_error)) return unexpected("session log: " + log_error);
  }
  s->events.append(std::move(e));
  return true;
}

expected<bool, std::string> session_manager::signal(const session_signal& sig) {
  static const char* const known[] = {"session-revoked", "token-claims-change", "credential-change",
                                      "assurance-level-change", "risk-level-change"};
  if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return sig.type == k; }) ==
      std::end(known))
    return unexpected("unknown signal type `" + sig.type +
                      "` (expected session-revoked, token-claims-change, credential-change, "
                      "assurance-level-change or risk-level-change)");
  if (sig.session_id.empty() && !sig.subject)
    return unexpected("signal `" + sig.type + "` names neither a session nor a subject");

  if (sig.type == "token-claims-change") {
    if (!sig.subject) return unexpected(std::string("token-claims-change needs a subject"));
    nlohmann::json j;
    detail::json_error error;
    if (!detail::parse_json(sig.claims_json.empty() ? std::string_view("{}") : sig.claims_json, j, error))
      return unexpected("claims: " + error.message);
    if (!j.is_object()) return unexpected(std::string("claims must be a JSON object"));
    claims c;
    if (j.contains("attrs")) {
      value attrs;
      if (!detail::cedar_record_from_json(j["attrs"], *c.storage, attrs, error))
        return unexpected("claims attrs: " + error.message);
      c.attributes = attrs;
    }
    if (j.contains("parents")) {
      if (!j["parents"].is_array()) return unexpected(std::string("claims parents must be an array"));
      std::vector<entity_uid> parents;
      for (const auto& p : j["parents"]) {
        entity_uid uid;
        if (!detail::entity_uid_from_json(p, uid, error))
          return unexpected("claims parents: " + error.message);
        parents.push_back(uid);
      }
      c.parents = std::move(parents);
    }
    std::lock_guard guard(impl_->lock);
    auto& slot = impl_->principal_claims[uid_of(*sig.subject).key()];
    if (c.attributes) {
      slot.storage = c.storage;
      slot.attributes = c.attributes;
    }
    if (c.parents) slot.parents = c.parents;
    if (!slot.storage) slot.storage = c.storage;
    ++impl_->claims_version;
    return true;
  }

  // The sessions a signal applies to: the one named, or every session of the subject.
  std::vector<std::shared_ptr<session_data>> targets;
  {
    std::lock_guard guard(impl_->lock);
    if (!sig.session_id.empty()) {
      auto& slot = impl_->sessions[sig.session_id];
      if (!slot) slot = std::make_shared<session_data>();
      targets.push_back(slot);
    } else {
      const entity_uid subject = uid_of(*sig.subject);
      for (auto& [id, s] : impl_->sessions)
        if (s->has_principal && s->last_principal == subject) targets.push_back(s);
    }
  }
  const std::int64_t now = impl_->clock();
  for (auto& s : targets) {
    std::lock_guard guard(s->lock);
    if (sig.type == "session-revoked") {
      s->terminated = true;
      s->terminated_reason = sig.reason.empty() ? "session revoked" : "session revoked: " + sig.reason;
      if (impl_->log) {
        std::string error;
        if (!impl_->log->append_terminate(sig.session_id, s->terminated_reason, error))
          return unexpected(error);
      }
    } else if (sig.type == "credential-change") {
      s->credential_changed_at = now;
    } else if (sig.type == "assurance-level-change") {
      s->assurance_level = sig.level;
    } else if (sig.type == "risk-level-change") {
      s->risk_level = sig.level;
    }
  }
  return true;
}

session_state session_manager::state(std::string_view session_id) const {
  session_state out;
  std::shared_ptr<session_data> s;
  {
    std::lock_guard guard(impl_->lock);
    s = impl_->find(session_id);
  }
  if (!s) return out;
  std::lock_guard guard(s->lock);
  out.exists = true;
  out.terminated = s->terminated;
  out.terminated_reason = s->terminated_reason;
  out.events_seen = s->events.next_position();
  out.events_kept = s->events.size();
  out.bytes = s->events.bytes();
  out.risk_level = s->risk_level;
  out.assurance_level = s->assurance_level;
  return out;
}

}  // namespace v0
}  // namespace mandate
