// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Sessions: history, external signals and the responses a policy can ask for.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <fstream>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <vector>

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

using detail::session::entry_kind;
using detail::session::logged_event;

// The parsed {"attrs", "parents"} of a token-claims-change.
bool parse_claims(std::string_view text, claims& c, std::string& error) {
  nlohmann::json j;
  detail::json_error problem;
  if (!detail::parse_json(text.empty() ? std::string_view("{}") : text, j, problem)) {
    error = "claims: " + problem.message;
    return false;
  }
  if (!j.is_object()) {
    error = "claims must be a JSON object";
    return false;
  }
  if (j.contains("attrs")) {
    value attrs;
    if (!detail::cedar_record_from_json(j["attrs"], *c.storage, attrs, problem)) {
      error = "claims attrs: " + problem.message;
      return false;
    }
    c.attributes = attrs;
  }
  if (j.contains("parents")) {
    if (!j["parents"].is_array()) {
      error = "claims parents must be an array";
      return false;
    }
    std::vector<entity_uid> parents;
    for (const auto& p : j["parents"]) {
      entity_uid uid;
      if (!detail::entity_uid_from_json(p, uid, problem)) {
        error = "claims parents: " + problem.message;
        return false;
      }
      parents.push_back(uid);
    }
    c.parents = std::move(parents);
  }
  return true;
}

// A principal's claims after `change`: a member it leaves out stays as it was.
void merge_claims(claims& slot, const claims& change) {
  if (change.attributes) {
    slot.storage = change.storage;
    slot.attributes = change.attributes;
  }
  if (change.parents) slot.parents = change.parents;
  if (!slot.storage) slot.storage = change.storage;
}

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
  std::shared_ptr<const detail::entity_data> patched;
  std::string patched_problem;  // why `patched` could not be built (claims past the limits)
  std::uint64_t patched_version = 0;
  std::unique_ptr<detail::session::event_log> log;
  // Log compaction: one at a time; the trigger weighs the lines written since the last one
  // against the live events and the state lines the last one wrote.
  std::mutex compaction;
  std::atomic<std::uint64_t> live_events{0};
  std::atomic<std::uint64_t> state_lines{0};
  std::atomic<std::uint64_t> retry_after{0};  // lines written when a failed compaction may retry

  std::shared_ptr<session_data> new_session() const {
    auto s = std::make_shared<session_data>();
    s->events.set_incremental(options.incremental);
    return s;
  }

  std::shared_ptr<session_data> find_or_create(std::string_view id) {
    std::lock_guard guard(lock);
    auto& slot = sessions[std::string(id)];
    if (!slot) slot = new_session();
    return slot;
  }

  std::shared_ptr<session_data> find(std::string_view id) const {
    auto it = sessions.find(std::string(id));
    return it == sessions.end() ? nullptr : it->second;
  }

  // The store a decision reads: null for `base` itself, unless a token-claims-change touched one
  // of its principals; then a copy with those records changed (signals are rare, decisions are
  // not). The copy is shared, not referenced: another session's decision may replace `patched`
  // (a newer claim, another base store) while this one still reads it. Claims that take the
  // hierarchy past its limits leave `problem` set and return null: the caller must deny.
  std::shared_ptr<const detail::entity_data> entities_for(const entity_store& base_store,
                                                          std::string& problem) {
    std::lock_guard guard(lock);
    if (principal_claims.empty()) return nullptr;
    const detail::entity_data& base = base_store.internals();
    if (patched_base && patched_version == claims_version && &patched_base->internals() == &base) {
      // Also a failure is kept until the claims or the store change: one bad claim must not
      // cost every later decision a copy and a closure under this lock.
      problem = patched_problem;
      return patched;
    }
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
    copy->limits = base.limits;
    patched_base = base_store;
    patched_version = claims_version;
    if (auto limit = copy->compute_ancestors(base.limits)) {
      patched = nullptr;
      patched_problem = "token-claims-change: " + limit->message;
    } else {
      patched = std::move(copy);
      patched_problem.clear();
    }
    problem = patched_problem;
    return patched;
  }

  [[nodiscard]] bool compaction_due() const {
    const std::uint64_t every = options.compact_after_lines;
    if (!log || every == 0) return false;
    const std::uint64_t written = log->written_since_rewrite();
    return written > std::max(every, 2 * (live_events.load() + state_lines.load())) &&
           written >= retry_after.load();
  }

  // Rewrites the log with what the sessions hold now. Every line is written under the lock of
  // its session (claims under `lock`), and every session and `lock` are held here, so no line
  // can be written between the snapshot and the switch to the new file. Caller holds
  // `compaction`.
  bool compact_log(std::string& error) {
    std::lock_guard guard(lock);
    std::vector<std::pair<const std::string*, session_data*>> order;
    order.reserve(sessions.size());
    for (const auto& [id, s] : sessions) order.emplace_back(&id, s.get());
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });
    std::vector<std::unique_lock<std::mutex>> held;
    held.reserve(order.size());
    for (const auto& [id, s] : order) held.emplace_back(s->lock);

    std::vector<logged_event> entries;
    std::vector<std::uint64_t> principals;
    for (const auto& [key, c] : principal_claims) principals.push_back(key);
    std::sort(principals.begin(), principals.end());
    for (std::uint64_t key : principals) {
      const claims& c = principal_claims.at(key);
      logged_event& entry = entries.emplace_back();
      entry.kind = entry_kind::claims;
      entry.subject = {static_cast<detail::symbol>(key >> 32),
                       static_cast<detail::symbol>(key & 0xffffffffU)};
      entry.storage = c.storage;
      entry.attributes = c.attributes;
      entry.parents = c.parents;
    }
    std::uint64_t events = 0;
    for (const auto& [id, s] : order) {
      auto add = [&, id = id](entry_kind kind) -> logged_event& {
        logged_event& entry = entries.emplace_back();
        entry.kind = kind;
        entry.session_id = *id;
        return entry;
      };
      for (std::size_t i = 0; i < s->events.size(); ++i) {
        logged_event& entry = add(entry_kind::event);
        entry.event = s->events.at(i);
        entry.has_position = true;
        ++events;
      }
      if (s->has_principal) add(entry_kind::last_principal).subject = s->last_principal;
      if (s->terminated) add(entry_kind::terminate).reason = s->terminated_reason;
      if (!s->risk_level.empty()) add(entry_kind::risk_level).level = s->risk_level;
      if (!s->assurance_level.empty()) add(entry_kind::assurance_level).level = s->assurance_level;
      if (s->credential_changed_at != 0)
        add(entry_kind::credential_change).time_ms = s->credential_changed_at;
    }
    if (!log->rewrite(entries, error)) return false;
    live_events = events;
    state_lines = entries.size() - events;
    retry_after = 0;
    return true;
  }

  // Compacts the log when enough was appended since the last time; called with no session
  // locked. A failure keeps the old log (still appended to) and waits as long again to retry.
  void maybe_compact() noexcept {
    try {
      if (!compaction_due()) return;
      std::unique_lock serial(compaction, std::try_to_lock);
      if (!serial.owns_lock() || !compaction_due()) return;  // another thread is at it or was
      std::string error;
      if (!compact_log(error)) retry_after = log->written_since_rewrite() + options.compact_after_lines;
    } catch (...) {
      // As a failed rewrite: the old log stays.
    }
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
  // Recover: replay every logged entry into its session (or principal), in order.
  impl& m = *manager->impl_;
  const detail::symbol request_kind = intern("request");
  bool ok = log->replay(
      [&](const logged_event& entry, std::string& why) {
        if (entry.kind == entry_kind::claims) {
          claims change;
          change.storage = entry.storage;
          change.attributes = entry.attributes;
          change.parents = entry.parents;
          merge_claims(m.principal_claims[entry.subject.key()], change);
          ++m.claims_version;
          return true;
        }
        auto s = m.find_or_create(entry.session_id);
        switch (entry.kind) {
          case entry_kind::event: {
            // A compacted log numbers its first kept event: continue from there.
            if (entry.has_position && entry.event.position != s->events.next_position() &&
                !s->events.resume_at(entry.event.position)) {
              why = "event position " + std::to_string(entry.event.position) + " where " +
                    std::to_string(s->events.next_position()) + " was due";
              return false;
            }
            s->events.append(entry.event);
            ++m.live_events;
            // Subject-wide signals follow the principal of a session's last request.
            if (entry.event.has_principal && entry.event.kind == request_kind) {
              s->has_principal = true;
              s->last_principal = entry.event.principal;
            }
            break;
          }
          case entry_kind::terminate:
            s->terminated = true;
            s->terminated_reason = entry.reason;
            break;
          case entry_kind::risk_level:
            s->risk_level = entry.level;
            break;
          case entry_kind::assurance_level:
            s->assurance_level = entry.level;
            break;
          case entry_kind::credential_change:
            s->credential_changed_at = entry.time_ms;
            break;
          case entry_kind::last_principal:
            s->has_principal = true;
            s->last_principal = entry.subject;
            break;
          case entry_kind::claims:
            break;
        }
        return true;
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
  // At most four members: fixed arrays, so deciding in a session allocates nothing here.
  std::array<detail::symbol, 4> keys{intern("id")};
  std::array<value, 4> values{value::of_string(intern(id))};
  std::size_t count = 1;
  auto add = [&](std::string_view key, value v) {
    keys[count] = intern(key);
    values[count++] = v;
  };
  if (!s.risk_level.empty()) add("risk_level", value::of_string(intern(s.risk_level)));
  if (!s.assurance_level.empty()) add("assurance_level", value::of_string(intern(s.assurance_level)));
  if (s.credential_changed_at != 0) add("credential_changed_at", value::of_int(s.credential_changed_at));
  value session;
  value out;
  const detail::symbol session_key = intern("session");
  if (!detail::make_record(storage, {keys.data(), count}, {values.data(), count}, session) ||
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
                                   const evaluation_options& options, std::string_view request_id,
                                   decision_trace* trace) {
  decision out;
  out.mode = options.mode;
  try {
    auto s = impl_->find_or_create(session_id);
    std::string claims_problem;
    const std::shared_ptr<const detail::entity_data> patched = impl_->entities_for(entities, claims_problem);
    if (!claims_problem.empty()) {
      out.outcome = verdict::deny;
      out.failed_closed = true;
      out.errors.push_back({"", std::move(claims_problem)});
      return out;
    }
    const detail::entity_data& store = patched ? *patched : entities.internals();
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
    ++impl_->live_events;
    s->has_principal = true;
    s->last_principal = view.principal;
    detail::session::evaluate_with_history(set, store, data, context, s->events, options, out, trace);
    apply_responses(set, *s, out);
    if (out.response == session_response::terminate && impl_->log) {
      std::string error;
      (void)impl_->log->append_terminate(session_id, s->terminated_reason, error);
    }
    const std::int64_t horizon = std::max<std::int64_t>(set.temporal.max_horizon_ms(), 0);
    impl_->live_events -= s->events.compact(horizon, true);
  } catch (...) {
    out = decision{};
    out.outcome = verdict::deny;
    out.failed_closed = true;
    out.errors.push_back({"", "internal error: session evaluation could not complete"});
  }
  impl_->maybe_compact();
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
  {
    std::lock_guard guard(s->lock);
    e.time_ms = impl_->clock();
    if (impl_->log) {
      std::string log_error;
      if (!impl_->log->append(session_id, e, log_error)) return unexpected("session log: " + log_error);
    }
    s->events.append(std::move(e));
    ++impl_->live_events;
  }
  impl_->maybe_compact();
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
    claims c;
    std::string error;
    if (!parse_claims(sig.claims_json, c, error)) return unexpected(error);
    logged_event entry;
    entry.kind = entry_kind::claims;
    entry.subject = uid_of(*sig.subject);
    entry.storage = c.storage;
    entry.attributes = c.attributes;
    entry.parents = c.parents;
    bool logged = true;
    {
      std::lock_guard guard(impl_->lock);
      merge_claims(impl_->principal_claims[entry.subject.key()], c);
      ++impl_->claims_version;
      if (impl_->log) logged = impl_->log->write(entry, error);
    }
    if (!logged) return unexpected("session log: signal applied but not logged: " + error);
    impl_->maybe_compact();
    return true;
  }

  // The sessions a signal applies to: the one named, or every session of the subject.
  std::vector<std::pair<std::string, std::shared_ptr<session_data>>> targets;
  {
    std::lock_guard guard(impl_->lock);
    if (!sig.session_id.empty()) {
      auto& slot = impl_->sessions[sig.session_id];
      if (!slot) slot = impl_->new_session();
      targets.emplace_back(sig.session_id, slot);
    } else {
      const entity_uid subject = uid_of(*sig.subject);
      for (auto& [id, s] : impl_->sessions)
        if (s->has_principal && s->last_principal == subject) targets.emplace_back(id, s);
    }
  }
  const std::int64_t now = impl_->clock();
  std::string first_error;
  for (auto& [id, s] : targets) {
    std::lock_guard guard(s->lock);
    // Applied first, then logged (as the state it leaves), under the session's lock.
    logged_event entry;
    entry.session_id = id;
    if (sig.type == "session-revoked") {
      s->terminated = true;
      s->terminated_reason = sig.reason.empty() ? "session revoked" : "session revoked: " + sig.reason;
      entry.kind = entry_kind::terminate;
      entry.reason = s->terminated_reason;
    } else if (sig.type == "credential-change") {
      s->credential_changed_at = now;
      entry.kind = entry_kind::credential_change;
      entry.time_ms = now;
    } else if (sig.type == "assurance-level-change") {
      s->assurance_level = sig.level;
      entry.kind = entry_kind::assurance_level;
      entry.level = sig.level;
    } else {
      s->risk_level = sig.level;
      entry.kind = entry_kind::risk_level;
      entry.level = sig.level;
    }
    std::string error;
    if (impl_->log && !impl_->log->write(entry, error) && first_error.empty())
      first_error = "session log: signal applied but not logged: " + error;
  }
  if (!first_error.empty()) return unexpected(first_error);
  impl_->maybe_compact();
  return true;
}

expected<bool, std::string> session_manager::compact() {
  try {
    if (!impl_->log) return true;
    std::lock_guard serial(impl_->compaction);
    std::string error;
    if (!impl_->compact_log(error)) return unexpected("session log: " + error);
    return true;
  } catch (...) {
    return unexpected(std::string("session log: compaction could not complete"));
  }
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
