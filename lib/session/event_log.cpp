// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
#include "session/event_log.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#include <share.h>
#include <sys/stat.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

#include "json/cedar_json.hpp"
#include "value/extensions.hpp"

namespace mandate::detail::session {
namespace {

using nlohmann::json;

// --- The few file operations the log needs, on a descriptor opened for appending.

#if defined(_WIN32)
int open_appending(const std::string& path, bool truncate) {
  int fd = -1;
  const int flags = _O_WRONLY | _O_CREAT | _O_APPEND | _O_BINARY | (truncate ? _O_TRUNC : 0);
  if (_sopen_s(&fd, path.c_str(), flags, _SH_DENYNO, _S_IREAD | _S_IWRITE) != 0) return -1;
  return fd;
}
long long write_some(int fd, const char* data, std::size_t size) {
  return _write(fd, data, static_cast<unsigned>(std::min<std::size_t>(size, std::size_t{1} << 30)));
}
bool sync_file(int fd) { return _commit(fd) == 0; }
void close_file(int fd) { (void)_close(fd); }
bool truncate_file(int fd, std::uint64_t size) { return _chsize_s(fd, static_cast<long long>(size)) == 0; }
long long file_size(int fd) { return _lseeki64(fd, 0, SEEK_END); }
#else
int open_appending(const std::string& path, bool truncate) {
  const int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0);
  int fd = -1;
  do {
    fd = ::open(path.c_str(), flags, 0666);  // less the umask, as a stream would
  } while (fd < 0 && errno == EINTR);
  return fd;
}
long long write_some(int fd, const char* data, std::size_t size) { return ::write(fd, data, size); }
bool sync_file(int fd) { return ::fsync(fd) == 0; }
void close_file(int fd) { (void)::close(fd); }
bool truncate_file(int fd, std::uint64_t size) { return ::ftruncate(fd, static_cast<off_t>(size)) == 0; }
long long file_size(int fd) { return ::lseek(fd, 0, SEEK_END); }
// Makes a rename in the directory of `path` durable.
bool sync_directory(const std::string& path) noexcept {
  try {
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (dir.empty()) dir = ".";
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::fsync(fd) == 0;
    ::close(fd);
    return ok;
  } catch (...) {
    return false;
  }
}
#endif

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const long long n = write_some(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string os_error(int number) { return std::strerror(number != 0 ? number : EIO); }

// --- JSON forms.

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

json event_json(std::string_view session_id, const temporal::event& e) {
  json j{{"session", std::string(session_id)}, {"time_ms", e.time_ms},
         {"action", entity_json(e.action)},    {"kind", std::string(symbol_text(e.kind))},
         {"fields", value_json(e.fields)},     {"context", value_json(e.context)}};
  if (e.has_principal) j["principal"] = entity_json(e.principal);
  if (e.has_resource) j["resource"] = entity_json(e.resource);
  return j;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

constexpr const char* risk_signal = "risk-level-change";
constexpr const char* assurance_signal = "assurance-level-change";
constexpr const char* credential_signal = "credential-change";
constexpr const char* claims_signal = "token-claims-change";

bool decode_event(json& j, logged_event& out, std::string& error) {
  json_error problem;
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
  if (j.contains("position")) {
    // parse_json reads every integer as signed.
    if (!j["position"].is_number_integer() || j["position"].get<std::int64_t>() < 0) {
      error = "bad `position`: not a count";
      return false;
    }
    e.position = static_cast<std::uint64_t>(j["position"].get<std::int64_t>());
    out.has_position = true;
  }
  return true;
}

bool decode_claims(json& j, logged_event& out, std::string& error) {
  json_error problem;
  if (!j.contains("subject") || !entity_uid_from_json(j["subject"], out.subject, problem)) {
    error = "bad `subject`: " + problem.message;
    return false;
  }
  if (!j.contains("claims") || !j["claims"].is_object()) {
    error = "token-claims-change needs `claims`";
    return false;
  }
  json& claims = j["claims"];
  out.storage = std::make_shared<arena>(256);
  if (claims.contains("attrs")) {
    value attrs;
    if (!cedar_record_from_json(claims["attrs"], *out.storage, attrs, problem)) {
      error = "bad `attrs`: " + problem.message;
      return false;
    }
    out.attributes = attrs;
  }
  if (claims.contains("parents")) {
    if (!claims["parents"].is_array()) {
      error = "bad `parents`: not an array";
      return false;
    }
    std::vector<entity_uid> parents;
    for (const auto& p : claims["parents"]) {
      entity_uid uid;
      if (!entity_uid_from_json(p, uid, problem)) {
        error = "bad `parents`: " + problem.message;
        return false;
      }
      parents.push_back(uid);
    }
    out.parents = std::move(parents);
  }
  return true;
}

class file_event_log final : public event_log {
 public:
  explicit file_event_log(std::string path) : path_(std::move(path)), temp_(path_ + ".tmp") {}
  ~file_event_log() override {
    if (fd_ >= 0) close_file(fd_);
  }
  file_event_log(const file_event_log&) = delete;
  file_event_log& operator=(const file_event_log&) = delete;

  bool open_for_append(std::string& error) {
    fd_ = open_appending(path_, false);
    const long long size = fd_ >= 0 ? file_size(fd_) : -1;
    if (size < 0) {
      error = "cannot open session log '" + path_ + "': " + os_error(errno);
      return false;
    }
    size_ = static_cast<std::uint64_t>(size);
    return true;
  }

  bool write(const logged_event& entry, std::string& error) override {
    std::string line = encode_entry(entry);
    line.push_back('\n');
    std::lock_guard guard(mutex_);
    if (fd_ < 0) {
      error = "session log '" + path_ + "' is not open";
      return false;
    }
    if (!write_all(fd_, line)) {
      const int number = errno;
      // Whatever part reached the file is cut off again, so that later lines do not follow
      // half a line (which replay would read as a malformed line in the middle).
      (void)truncate_file(fd_, size_);
      error = "cannot write to session log '" + path_ + "': " + os_error(number);
      return false;
    }
    size_ += line.size();
    ++written_;
    return true;
  }

  bool replay(const std::function<bool(const logged_event&, std::string&)>& visit,
              std::string& error) override {
    std::lock_guard guard(mutex_);
    std::ifstream in(path_, std::ios::binary);
    if (!in) return true;  // nothing written yet
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t line_number = 0;
    std::size_t at = 0;
    while (at < text.size()) {
      const std::size_t end = text.find('\n', at);
      ++line_number;
      if (end == std::string::npos) {
        // A line without its newline was being written when the process died: it never
        // reached a decision (the write returns first), so it is dropped, and cut off so that
        // the next line written starts a line of its own.
        if (fd_ >= 0) {
          if (!truncate_file(fd_, at)) {
            error = "cannot cut the torn last line off session log '" + path_ + "': " + os_error(errno);
            return false;
          }
          size_ = at;
        }
        break;
      }
      const std::string_view line(text.data() + at, end - at);
      at = end + 1;
      if (line.empty()) continue;
      logged_event entry;
      std::string why;
      if (!decode_entry(line, entry, why) || !visit(entry, why)) {
        error = path_ + ":" + std::to_string(line_number) + ": " + why;
        return false;
      }
      ++written_;
    }
    return true;
  }

  bool rewrite(const std::vector<logged_event>& entries, std::string& error) override {
    std::string text;
    for (const logged_event& entry : entries) {
      text += encode_entry(entry);
      text.push_back('\n');
    }
    std::lock_guard guard(mutex_);
    // The new log is written beside the old one and made durable before it replaces it: a
    // crash at any point leaves one whole log, the old or the new.
    const int fd = open_appending(temp_, true);
    if (fd < 0) {
      error = "cannot create '" + temp_ + "': " + os_error(errno);
      return false;
    }
    if (!write_all(fd, text) || !sync_file(fd)) {
      error = "cannot write '" + temp_ + "': " + os_error(errno);
      close_file(fd);
      std::remove(temp_.c_str());
      return false;
    }
#if defined(_WIN32)
    // Windows renames over a file only once nobody has it open.
    close_file(fd);
    close_file(fd_);
    std::error_code ec;
    std::filesystem::rename(temp_, path_, ec);
    fd_ = open_appending(path_, false);
    if (ec) {
      error = "cannot replace '" + path_ + "': " + ec.message();
      std::remove(temp_.c_str());
      const long long size = fd_ >= 0 ? file_size(fd_) : -1;
      if (size >= 0) size_ = static_cast<std::uint64_t>(size);
      return false;
    }
    if (fd_ < 0) {
      error = "cannot reopen session log '" + path_ + "': " + os_error(errno);
      return false;
    }
    size_ = text.size();
    written_ = 0;
#else
    if (::rename(temp_.c_str(), path_.c_str()) != 0) {
      error = "cannot replace '" + path_ + "': " + os_error(errno);
      close_file(fd);
      std::remove(temp_.c_str());
      return false;
    }
    // The descriptor the new file was written through (opened for appending) now names the
    // log: later lines go there. Syncing the directory makes the rename itself durable; should
    // it fail, the rename has still happened and there is nothing to undo (appended lines are
    // flushed to the system, not synced, either).
    close_file(fd_);
    fd_ = fd;
    size_ = text.size();
    written_ = 0;
    (void)sync_directory(path_);
#endif
    return true;
  }

  [[nodiscard]] std::uint64_t written_since_rewrite() const override { return written_.load(); }

 private:
  std::string path_;
  std::string temp_;
  std::mutex mutex_;        // one writer at a time: lines never interleave
  int fd_ = -1;             // the log, opened for appending
  std::uint64_t size_ = 0;  // bytes of whole lines in the log
  std::atomic<std::uint64_t> written_{0};
};

}  // namespace

bool event_log::append(std::string_view session_id, const temporal::event& e, std::string& error) {
  logged_event entry;
  entry.kind = entry_kind::event;
  entry.session_id = std::string(session_id);
  entry.event = e;
  return write(entry, error);
}

bool event_log::append_terminate(std::string_view session_id, std::string_view reason, std::string& error) {
  logged_event entry;
  entry.kind = entry_kind::terminate;
  entry.session_id = std::string(session_id);
  entry.reason = std::string(reason);
  return write(entry, error);
}

std::string encode_entry(std::string_view session_id, const temporal::event& e) {
  return dump(event_json(session_id, e));
}

std::string encode_entry(const logged_event& entry) {
  const std::string& session = entry.session_id;
  switch (entry.kind) {
    case entry_kind::event: {
      json j = event_json(session, entry.event);
      if (entry.has_position) j["position"] = entry.event.position;
      return dump(j);
    }
    case entry_kind::terminate:
      return dump(json{{"session", session}, {"terminate", entry.reason}});
    case entry_kind::risk_level:
      return dump(json{{"session", session}, {"signal", risk_signal}, {"level", entry.level}});
    case entry_kind::assurance_level:
      return dump(json{{"session", session}, {"signal", assurance_signal}, {"level", entry.level}});
    case entry_kind::credential_change:
      return dump(json{{"session", session}, {"signal", credential_signal}, {"time_ms", entry.time_ms}});
    case entry_kind::claims: {
      json claims = json::object();
      if (entry.attributes) claims["attrs"] = value_json(*entry.attributes);
      if (entry.parents) {
        json parents = json::array();
        for (entity_uid p : *entry.parents) parents.push_back(entity_json(p));
        claims["parents"] = std::move(parents);
      }
      return dump(
          json{{"signal", claims_signal}, {"subject", entity_json(entry.subject)}, {"claims", claims}});
    }
    case entry_kind::last_principal:
      return dump(json{{"session", session}, {"last_principal", entity_json(entry.subject)}});
  }
  return "{}";
}

bool decode_entry(std::string_view line, logged_event& out, std::string& error) {
  json j;
  json_error problem;
  if (!parse_json(line, j, problem)) {
    error = "not JSON: " + problem.message;
    return false;
  }
  if (!j.is_object()) {
    error = "an entry must be a JSON object";
    return false;
  }
  if (j.contains("signal") && j["signal"].is_string() && j["signal"].get<std::string>() == claims_signal) {
    out.kind = entry_kind::claims;
    return decode_claims(j, out, error);
  }
  if (!j.contains("session") || !j["session"].is_string()) {
    error = "an entry needs a `session`";
    return false;
  }
  out.session_id = j["session"].get<std::string>();
  if (j.contains("signal")) {
    const std::string type = j["signal"].is_string() ? j["signal"].get<std::string>() : "";
    if (type == risk_signal || type == assurance_signal) {
      out.kind = type == risk_signal ? entry_kind::risk_level : entry_kind::assurance_level;
      if (!j.contains("level") || !j["level"].is_string()) {
        error = "`" + type + "` needs a `level`";
        return false;
      }
      out.level = j["level"].get<std::string>();
      return true;
    }
    if (type == credential_signal) {
      out.kind = entry_kind::credential_change;
      if (!j.contains("time_ms") || !j["time_ms"].is_number_integer()) {
        error = "`credential-change` needs `time_ms`";
        return false;
      }
      out.time_ms = j["time_ms"].get<std::int64_t>();
      return true;
    }
    error = "unknown `signal`";
    return false;
  }
  if (j.contains("terminate")) {
    out.kind = entry_kind::terminate;
    out.reason = j["terminate"].is_string() ? j["terminate"].get<std::string>() : "";
    return true;
  }
  if (j.contains("last_principal")) {
    out.kind = entry_kind::last_principal;
    if (!entity_uid_from_json(j["last_principal"], out.subject, problem)) {
      error = "bad `last_principal`: " + problem.message;
      return false;
    }
    return true;
  }
  out.kind = entry_kind::event;
  return decode_event(j, out, error);
}

std::unique_ptr<event_log> event_log::open(const std::string& path, std::string& error) {
  auto log = std::make_unique<file_event_log>(path);
  if (!log->open_for_append(error)) return nullptr;
  return log;
}

}  // namespace mandate::detail::session
