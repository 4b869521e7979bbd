// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The audit trail (LANGUAGE.md 4): one JSON line per decision, the inverse parser, and a file sink.
//
// Field mapping of one line. Names come from OpenID AuthZEN's evaluation API (subject, action,
// resource, decision) and OCSF's authorization and API activity events (time, actor, metadata's
// product name and version, here "engine") where those have a name for the thing; the rest
// keep Mandate's own names, the ones request JSON and decision JSON already use.
//
//   "id"               audit_record::decision_id       "d-" and 32 hex digits when generated
//   "time"             time_ms                         RFC 3339, UTC, milliseconds (OCSF time)
//   "decision"         outcome                         "allow" | "deny" | "require_approval"
//   "subject"          principal                       {"type", "id"}: the accountable principal
//   "actor"            agent                           {"type", "id"}; absent when no agent acted
//   "delegation"       chain                           [{"delegator", "delegate", "scope": [..],
//                                                      "issued_at", "expires_at", "grant"?,
//                                                      "resource"?}], root first, as in requests
//   "action"           action                          {"type", "id", "name"}: "name" repeats the id
//                                                      because AuthZEN names an action by "name"
//   "resource"         resource                        {"type", "id"}
//   "reasons"          reasons                         determining policy ids
//   "errors"           errors                          ids of policies whose conditions erred
//   "deciding_hop"     deciding_hop                    absent when -1 (no chain, or it was refused)
//   "chain_violation"  chain_violation                 e.g. "chain.expired"; absent when empty
//   "grant"            grant_id                        absent when empty
//   "session"          session_id                      absent when empty
//   "policy_set_hash"  policy_set_hash                 16 lowercase hex digits
//   "engine"           engine_version                  {"name": "mandate", "version"}
//   "mode"             mode                            "mandate" | "cedar"
//
// Optional fields are left out rather than written as null or "" so that the common line stays
// short; arrays are always written so a reader can iterate without checking.
#include "mandate/audit.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#if !defined(_WIN32)
#include <fcntl.h>
#include <unistd.h>
#endif

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "json/cedar_json.hpp"
#include "mandate/version.hpp"

namespace mandate {
inline namespace v0 {
namespace {

using json = nlohmann::ordered_json;
using failure = unexpected<std::string>;

// The process id, to notice a fork. Windows has no fork, so one value does there.
long current_process() noexcept {
#if defined(_WIN32)
  return 0;
#else
  return static_cast<long>(::getpid());
#endif
}

// 128 bits from a per-thread generator seeded with 256 bits of system entropy. Drawing every id
// from the entropy source costs microseconds per decision; a generator costs nanoseconds, but a
// forked child inherits it and would replay its parent's ids, so it is reseeded whenever the
// process id changes. Ids must be unique across every process writing to one trail.
std::string generate_decision_id() {
  struct generator {
    std::mt19937_64 engine;
    long process = -1;
  };
  thread_local generator state;
  if (const long process = current_process(); state.process != process) {
    std::random_device entropy;
    std::array<std::uint32_t, 8> seed{};
    for (std::uint32_t& word : seed) word = entropy();
    std::seed_seq sequence(seed.begin(), seed.end());
    state.engine.seed(sequence);
    state.process = process;
  }
  const std::uint64_t high = state.engine();
  const std::uint64_t low = state.engine();
  return fmt::format("d-{:016x}{:016x}", high, low);
}

std::string format_time(std::int64_t ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> at{milliseconds{ms}};
  const sys_days day = floor<days>(at);
  const year_month_day date{day};
  const hh_mm_ss<milliseconds> clock{at - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count(),
                     clock.subseconds().count());
}

json entity_json(const entity_ref& e) { return json{{"type", e.type}, {"id", e.id}}; }

json hop_json(const delegation_hop& hop) {
  json out;
  out["delegator"] = entity_json(hop.delegator);
  out["delegate"] = entity_json(hop.delegate);
  json scope = json::array();
  for (const entity_ref& action : hop.scope) scope.push_back(entity_json(action));
  out["scope"] = std::move(scope);
  out["issued_at"] = format_time(hop.issued_at_ms);
  out["expires_at"] = format_time(hop.expires_at_ms);
  if (!hop.grant.empty()) out["grant"] = hop.grant;
  if (hop.resource) out["resource"] = entity_json(*hop.resource);
  return out;
}

// --- Reading a line back. Every reader names the field it was reading, so that the message a
// --- person sees ("delegation[1].expires_at: ...") points at the spot without a column.

class line_fields {
 public:
  explicit line_fields(std::string& message) : message_(message) {}

  bool fail(std::string_view where, std::string_view problem) {
    message_ = where.empty() ? fmt::format("audit line: {}", problem)
                             : fmt::format("audit line: {}: {}", where, problem);
    return false;
  }

  // Checks a member is present and not a marker left by the parser (a duplicate key, a number
  // out of range), then hands it over.
  const nlohmann::json* member(const nlohmann::json& object, std::string_view where, const char* key,
                               bool required) {
    const auto it = object.find(key);
    if (it == object.end()) {
      if (required) fail(where, fmt::format("\"{}\" is missing", key));
      return nullptr;
    }
    if (std::string problem = detail::json_marker_problem(*it); !problem.empty()) {
      fail(where, std::move(problem));
      return nullptr;
    }
    return &*it;
  }

  bool string(const nlohmann::json& object, std::string_view where, const char* key, bool required,
              std::string& out) {
    const nlohmann::json* value = member(object, where, key, required);
    if (value == nullptr) return !required && message_.empty();
    if (!value->is_string())
      return fail(join(where, key), fmt::format("must be a string, not {}", detail::json_kind(*value)));
    out = value->get<std::string>();
    return true;
  }

  bool entity(const nlohmann::json& in, std::string_view where, entity_ref& out, bool name_for_id = false) {
    if (!in.is_object()) return fail(where, "must be an entity like {\"type\": \"Agent\", \"id\": \"a\"}");
    if (!string(in, where, "type", true, out.type)) return false;
    // AuthZEN names an action by "name"; a line from another writer may carry only that.
    const bool has_id = in.contains("id");
    return string(in, where, (has_id || !name_for_id) ? "id" : "name", true, out.id);
  }

  bool entity_member(const nlohmann::json& object, const char* key, bool required,
                     std::optional<entity_ref>& out, bool name_for_id = false) {
    const nlohmann::json* value = member(object, "", key, required);
    if (value == nullptr) return !required && message_.empty();
    out.emplace();
    return entity(*value, key, *out, name_for_id);
  }

  bool time(const nlohmann::json& object, std::string_view where, const char* key, std::int64_t& out) {
    std::string text;
    if (!string(object, where, key, true, text)) return false;
    const std::optional<std::int64_t> ms = parse_rfc3339(text);
    if (!ms) return fail(join(where, key), fmt::format("\"{}\" is not an RFC 3339 date-time", text));
    out = *ms;
    return true;
  }

  bool strings(const nlohmann::json& object, const char* key, std::vector<std::string>& out) {
    const nlohmann::json* value = member(object, "", key, false);
    if (value == nullptr) return message_.empty();
    if (!value->is_array()) return fail(key, "must be an array of policy ids");
    for (std::size_t i = 0; i < value->size(); ++i) {
      const nlohmann::json& item = (*value)[i];
      if (!item.is_string()) return fail(fmt::format("{}[{}]", key, i), "must be a string");
      out.push_back(item.get<std::string>());
    }
    return true;
  }

  bool hop(const nlohmann::json& in, const std::string& where, delegation_hop& out) {
    if (!in.is_object()) return fail(where, "must be an object");
    for (auto [key, target] :
         {std::pair{"delegator", &out.delegator}, std::pair{"delegate", &out.delegate}}) {
      const nlohmann::json* value = member(in, where, key, true);
      if (value == nullptr || !entity(*value, join(where, key), *target)) return false;
    }
    const nlohmann::json* scope = member(in, where, "scope", true);
    if (scope == nullptr) return false;
    if (!scope->is_array()) return fail(join(where, "scope"), "must be an array of actions");
    for (std::size_t i = 0; i < scope->size(); ++i) {
      if (!entity((*scope)[i], fmt::format("{}.scope[{}]", where, i), out.scope.emplace_back())) return false;
    }
    if (!time(in, where, "issued_at", out.issued_at_ms) || !time(in, where, "expires_at", out.expires_at_ms))
      return false;
    if (!string(in, where, "grant", false, out.grant)) return false;
    if (const nlohmann::json* resource = member(in, where, "resource", false); resource != nullptr) {
      out.resource.emplace();
      return entity(*resource, join(where, "resource"), *out.resource);
    }
    return message_.empty();
  }

 private:
  static std::string join(std::string_view where, std::string_view key) {
    return where.empty() ? std::string(key) : fmt::format("{}.{}", where, key);
  }
  std::string& message_;
};

bool parse_verdict(std::string_view text, verdict& out) {
  for (verdict v : {verdict::allow, verdict::deny, verdict::require_approval}) {
    if (text == to_string(v)) {
      out = v;
      return true;
    }
  }
  return false;
}

bool parse_hash(std::string_view text, std::uint64_t& out) {
  if (text.size() != 16) return false;
  out = 0;
  for (char c : text) {
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return false;
    }
    out = (out << 4) | static_cast<std::uint64_t>(digit);
  }
  return true;
}

}  // namespace

audit_record make_audit_record(const request& req, const decision& d, const policy_set& policies,
                               std::int64_t time_ms, std::string_view grant_id, std::string_view session_id,
                               std::string decision_id) {
  audit_record r;
  r.decision_id = decision_id.empty() ? generate_decision_id() : std::move(decision_id);
  r.time_ms = time_ms;
  r.agent = req.agent();
  r.principal = req.principal();
  r.chain = req.delegation();
  r.action = req.action();
  r.resource = req.resource();
  r.outcome = d.outcome;
  r.reasons = d.reasons;
  // The trail keeps which policies erred, not the messages: messages quote attribute values,
  // and an audit log is read by more people than the data it protects.
  r.errors.reserve(d.errors.size());
  for (const evaluation_error& e : d.errors) r.errors.push_back(e.policy);
  r.deciding_hop = d.deciding_hop;
  r.chain_violation = d.chain_violation;
  r.grant_id = grant_id;
  r.session_id = session_id;
  r.policy_set_hash = policies.fingerprint();
  r.engine_version = version_string;
  r.mode = d.mode;
  return r;
}

std::string to_json(const audit_record& r) {
  json out;
  out["id"] = r.decision_id;
  out["time"] = format_time(r.time_ms);
  out["decision"] = to_string(r.outcome);
  out["subject"] = entity_json(r.principal);
  if (r.agent) out["actor"] = entity_json(*r.agent);
  json chain = json::array();
  for (const delegation_hop& hop : r.chain) chain.push_back(hop_json(hop));
  out["delegation"] = std::move(chain);
  out["action"] = json{{"type", r.action.type}, {"id", r.action.id}, {"name", r.action.id}};
  out["resource"] = entity_json(r.resource);
  out["reasons"] = r.reasons;
  out["errors"] = r.errors;
  if (r.deciding_hop >= 0) out["deciding_hop"] = r.deciding_hop;
  if (!r.chain_violation.empty()) out["chain_violation"] = r.chain_violation;
  if (!r.grant_id.empty()) out["grant"] = r.grant_id;
  if (!r.session_id.empty()) out["session"] = r.session_id;
  out["policy_set_hash"] = fmt::format("{:016x}", r.policy_set_hash);
  out["engine"] = json{{"name", "mandate"}, {"version", r.engine_version}};
  out["mode"] = to_string(r.mode);
  // Entity ids come from requests and may hold invalid UTF-8; the record must still be written.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

expected<audit_record, std::string> parse_audit_line(std::string_view line) {
  nlohmann::json document;
  detail::json_error error;
  if (!detail::parse_json(line, document, error)) {
    if (error.offset == detail::no_offset) return failure("audit line: invalid JSON: " + error.message);
    return failure(fmt::format("audit line: invalid JSON: {} at column {}", error.message,
                               detail::position_of(line, error.offset).column));
  }
  if (!document.is_object()) return failure("audit line: must be a JSON object");

  audit_record r;
  std::string message;
  line_fields read(message);
  std::string outcome;
  std::string hash;
  std::string mode;
  std::optional<entity_ref> principal;
  std::optional<entity_ref> action;
  std::optional<entity_ref> resource;
  bool ok = read.string(document, "", "id", true, r.decision_id) &&
            read.time(document, "", "time", r.time_ms) &&
            read.string(document, "", "decision", true, outcome) &&
            read.entity_member(document, "subject", true, principal) &&
            read.entity_member(document, "actor", false, r.agent) &&
            read.entity_member(document, "action", true, action, /*name_for_id=*/true) &&
            read.entity_member(document, "resource", true, resource) &&
            read.strings(document, "reasons", r.reasons) && read.strings(document, "errors", r.errors) &&
            read.string(document, "", "chain_violation", false, r.chain_violation) &&
            read.string(document, "", "grant", false, r.grant_id) &&
            read.string(document, "", "session", false, r.session_id) &&
            read.string(document, "", "policy_set_hash", true, hash) &&
            read.string(document, "", "mode", true, mode);
  if (!ok) return failure(std::move(message));
  if (!parse_verdict(outcome, r.outcome))
    return failure(
        fmt::format("audit line: decision: \"{}\" is not allow, deny or require_approval", outcome));
  if (!parse_hash(hash, r.policy_set_hash))
    return failure(fmt::format("audit line: policy_set_hash: \"{}\" is not 16 lowercase hex digits", hash));
  if (mode == "mandate" || mode == "cedar") {
    r.mode = mode == "cedar" ? eval_mode::cedar : eval_mode::mandate;
  } else {
    return failure(fmt::format("audit line: mode: \"{}\" is not mandate or cedar", mode));
  }
  r.principal = std::move(*principal);
  r.action = std::move(*action);
  r.resource = std::move(*resource);

  if (const nlohmann::json* chain = read.member(document, "", "delegation", false); chain != nullptr) {
    if (!chain->is_array()) return failure("audit line: delegation: must be an array of hops, root first");
    for (std::size_t i = 0; i < chain->size(); ++i) {
      if (!read.hop((*chain)[i], fmt::format("delegation[{}]", i), r.chain.emplace_back()))
        return failure(std::move(message));
    }
  } else if (!message.empty()) {
    return failure(std::move(message));
  }
  if (const nlohmann::json* hop = read.member(document, "", "deciding_hop", false); hop != nullptr) {
    if (!hop->is_number_integer() || hop->get<std::int64_t>() < -1 ||
        hop->get<std::int64_t>() > static_cast<std::int64_t>(r.chain.size()))
      return failure("audit line: deciding_hop: must be an integer from -1 to the number of hops");
    r.deciding_hop = static_cast<std::int32_t>(hop->get<std::int64_t>());
  } else if (!message.empty()) {
    return failure(std::move(message));
  }
  if (const nlohmann::json* engine = read.member(document, "", "engine", false); engine != nullptr) {
    if (!engine->is_object()) return failure("audit line: engine: must be {\"name\", \"version\"}");
    if (!read.string(*engine, "engine", "version", false, r.engine_version))
      return failure(std::move(message));
  } else if (!message.empty()) {
    return failure(std::move(message));
  }
  return r;
}

// --- The file sink.

struct file_audit_sink::state {
  std::mutex mutex;
  int fd = -1;
  std::atomic<bool> failed{false};
};

namespace {

// Writes all of `bytes`, resuming after a partial write or a signal.
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// A process killed in the middle of a line (by an older version, or a full disk) leaves the
// trail without its final newline; ending that fragment keeps the next record on a line of its
// own, so only the fragment is unreadable, never a whole record after it.
bool end_torn_line(const std::filesystem::path& path, int fd) {
  // The appending descriptor is write-only; the last byte is read through another one. A trail
  // that cannot be read (mode 0200) is left as it is.
  const int reader = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (reader < 0) return true;
  const off_t size = ::lseek(reader, 0, SEEK_END);
  char last = '\n';
  const bool read_ok = size <= 0 || ::pread(reader, &last, 1, size - 1) == 1;
  ::close(reader);
  return read_ok && (last == '\n' || write_all(fd, "\n"));
}

}  // namespace

expected<std::unique_ptr<file_audit_sink>, std::string> file_audit_sink::open(
    const std::filesystem::path& path) {
  errno = 0;
  // O_APPEND: every write lands at the end even when another process appends to the same file,
  // and an existing trail is never truncated.
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int error_number = errno != 0 ? errno : EIO;
    return failure(fmt::format("cannot open audit log '{}': {}", path.string(), std::strerror(error_number)));
  }
  if (!end_torn_line(path, fd)) {
    const int error_number = errno != 0 ? errno : EIO;
    ::close(fd);
    return failure(fmt::format("cannot open audit log '{}': {}", path.string(), std::strerror(error_number)));
  }
  std::unique_ptr<file_audit_sink> sink(new file_audit_sink());
  sink->state_ = std::make_unique<state>();
  sink->state_->fd = fd;
  return sink;
}

file_audit_sink::~file_audit_sink() {
  if (state_ && state_->fd >= 0) ::close(state_->fd);
}

void file_audit_sink::write(const audit_record& r) {
  // The line is built outside the lock: only the append itself is serialised. It goes to the
  // kernel in one write(2), with no user-space buffer in between: when write() returns, the
  // record survives the process being killed, and a kill never leaves half a record behind.
  std::string line = to_json(r);
  line.push_back('\n');
  const std::lock_guard<std::mutex> lock(state_->mutex);
  if (!write_all(state_->fd, line)) state_->failed.store(true, std::memory_order_relaxed);
}

bool file_audit_sink::failed() const noexcept { return state_->failed.load(std::memory_order_relaxed); }

}  // namespace v0
}  // namespace mandate
