// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The `mandate` command-line tool: a thin main() over the public API.
//
//   mandate eval --policies DIR [--entities FILE] [--links FILE] [--schema FILE] [--grants FILE]
//                [--audit FILE] [--now TIME] (--request FILE | --requests FILE.jsonl) [--mode M]
//                [--explain] [--format json|text]
//   mandate grant issue|revoke|complete|list --grants FILE ...
//   mandate audit report --policies P --log FILE...
//   mandate check FILE|DIR... [--schema FILE]
//
// Exit codes: 0 success; 1 some request or policy was bad (the rest were still processed);
// 2 the command could not run (bad flags, unreadable files, policies that do not compile).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/types.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli_io.hpp"
#include "commands.hpp"
#include "mandate/mandate.hpp"

namespace {

using mandate::cli::file_handle;
using mandate::cli::open_input;
using mandate::cli::print_diagnostics;
using mandate::cli::print_error;
using mandate::cli::print_read_error;
using mandate::cli::read_text;

constexpr int exit_success = 0;
constexpr int exit_bad_input = 1;
constexpr int exit_cannot_run = 2;

// Reads lines one at a time so `--requests -` answers each line before the next arrives. A line
// is kept up to `max_kept` bytes and the rest of it skipped (but counted), so one endless line
// cannot take all memory: no request longer than request::max_json_bytes is read anyway.
class line_reader {
 public:
  explicit line_reader(std::FILE* file, std::size_t max_kept = mandate::request::max_json_bytes)
      : file_(file), max_kept_(max_kept) {}

  // The next line without its line ending (cut at max_kept bytes), or nothing at end of input
  // or after a read error (a line cut short by one is not a request).
  std::optional<std::string_view> next() {
    line_.clear();
    length_ = 0;
    int c = 0;
    bool any = false;
    while ((c = getc_unlocked(file_)) != EOF) {
      any = true;
      if (c == '\n') break;
      if (line_.size() <= max_kept_) line_.push_back(static_cast<char>(c));
      ++length_;
    }
    if (!any || failed()) return std::nullopt;
    // A CRLF line's length is its text's: the limit means the same for both line endings.
    while (!line_.empty() && line_.back() == '\r' && length_ <= max_kept_ + 1) {
      line_.pop_back();
      --length_;
    }
    return std::string_view(line_).substr(0, std::min(line_.size(), max_kept_));
  }
  // The whole length of the last line (without its line ending), also when it was cut.
  [[nodiscard]] std::size_t length() const { return length_; }
  [[nodiscard]] bool cut() const { return length_ > max_kept_; }
  [[nodiscard]] bool failed() const { return std::ferror(file_) != 0; }

 private:
  std::FILE* file_;
  std::size_t max_kept_;
  std::string line_;
  std::size_t length_ = 0;
};

bool is_blank(std::string_view line) { return line.find_first_not_of(" \t\r\n") == std::string_view::npos; }

bool all_io(std::span<const mandate::diagnostic> diagnostics) {
  for (const mandate::diagnostic& d : diagnostics) {
    if (d.code != "io") return false;
  }
  return !diagnostics.empty();
}

enum class load_status { ok, unreadable, invalid };

struct loaded_policies {
  load_status status = load_status::invalid;
  std::optional<mandate::policy_set> policies;
};

// Compiles a policy file or directory, printing diagnostics and warnings to stderr.
loaded_policies load_policies(const std::string& path, const mandate::compile_options& options) {
  std::error_code ignored;
  auto result = [&]() -> mandate::expected<mandate::policy_set, std::vector<mandate::diagnostic>> {
    if (std::filesystem::is_directory(path, ignored)) return mandate::policy_set::load(path, options);
    // A single file is read here rather than by load() so that a missing file gets the
    // same one-line message as every other unreadable input.
    std::optional<std::string> text = read_text(path);
    if (!text) return mandate::unexpected<std::vector<mandate::diagnostic>>({});
    return mandate::policy_set::compile(*text, path, options);
  }();
  if (!result) {
    print_diagnostics(result.error());
    const bool unreadable = result.error().empty() || all_io(result.error());
    return {unreadable ? load_status::unreadable : load_status::invalid, std::nullopt};
  }
  print_diagnostics(result->warnings());
  return {load_status::ok, std::move(*result)};
}

// With a schema, attribute values are read as the schema types them and the schema's actions
// join the store (so `action in Action::"group"` works from the schema alone).
std::optional<mandate::entity_store> load_entities(const std::string& path,
                                                   const std::optional<mandate::schema>& schema) {
  if (path.empty() && !schema) return mandate::entity_store{};
  std::optional<std::string> text = path.empty() ? std::optional<std::string>("[]") : read_text(path);
  if (!text) return std::nullopt;
  auto entities =
      schema ? mandate::entity_store::from_json(*text, path.empty() ? "<schema actions>" : path, *schema)
             : mandate::entity_store::from_json(*text, path);
  if (!entities) {
    print_diagnostics(entities.error());
    return std::nullopt;
  }
  return std::move(*entities);
}

// Prints one line of JSON on stdout.
void print_line(const std::string& json) {
  std::fwrite(json.data(), 1, json.size(), stdout);
  std::fputc('\n', stdout);
}

void print_request_error(std::string_view message, std::string_view where_key, std::size_t where) {
  nlohmann::ordered_json line;
  line["error"] = message;
  if (!where_key.empty()) line[std::string(where_key)] = where;
  print_line(line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

struct eval_settings {
  std::string policies_path;
  std::string links_path;
  std::string entities_path;
  std::string schema_path;
  std::string request_path;
  std::string requests_path;
  std::string mode = "mandate";
  std::string now;  // RFC 3339; empty: the system clock
  std::string grants_path;
  std::string audit_path;
  std::string max_window;       // cap on temporal windows; empty: the default (24h)
  bool explain = false;         // each decision line gains an "explanation" member
  std::string format = "json";  // json: one JSON line per request; text: explanations for people
};

// How `eval` prints its answers.
struct output_options {
  bool explain = false;  // JSON lines with an "explanation" member
  bool text = false;     // blocks of text for people (implies tracing)
  [[nodiscard]] bool tracing() const { return explain || text; }
};

// The decision's JSON line with `"explanation": EXPLANATION` added as its last member; every
// other byte is the plain line's.
std::string with_explanation(std::string line, const std::string& explanation) {
  if (line.size() < 2 || line.back() != '}') return line;
  line.pop_back();
  line += line.back() == '{' ? "\"explanation\":" : ",\"explanation\":";
  line += explanation;
  line += '}';
  return line;
}

// In text mode: what a request is called, its "description" if it has one.
std::string request_name(const nlohmann::json& document, std::string_view where_key, std::size_t where) {
  if (document.is_object()) {
    const auto it = document.find("description");
    if (it != document.end() && it->is_string() && !it->get_ref<const std::string&>().empty())
      return it->get<std::string>();
  }
  if (where_key.empty()) return "request";
  // Lines are named by their line number; the requests of an array by their position from 1.
  return fmt::format("request {}", where_key == "index" ? where + 1 : where);
}

// --max-window: how far back a temporal condition may look (compile_options), 24h by default
// as in Dogwood; a deployment that keeps longer sessions raises it.
std::optional<mandate::compile_options> compile_options_from(const std::string& max_window) {
  mandate::compile_options options;
  if (max_window.empty()) return options;
  const auto ms = mandate::parse_duration_ms(max_window);
  if (!ms || *ms <= 0) {
    print_error(
        fmt::format("--max-window: '{}' is not a positive duration like 24h, 14d or 90m", max_window));
    return std::nullopt;
  }
  options.max_temporal_window_ms = *ms;
  return options;
}

// Fields of a request line that are about how to evaluate it rather than what it asks.
struct request_extras {
  bool validate = true;                 // "validateRequest", the Cedar corpus's field; true when absent
  std::string grant;                    // "grant": evaluate through this just-in-time grant
  std::string session;                  // "session": decided in this session, and recorded in the audit trail
  std::optional<std::int64_t> time_ms;  // "time": RFC 3339, the session clock for this line
};

// Reads the extras of a request line. A present but malformed extra is an error: silently
// ignoring `"time"` or `"session"` would decide the line with the wrong clock or outside its
// session, which can allow what the session's history forbids.
mandate::expected<request_extras, std::string> extras_of(const nlohmann::json& document) {
  request_extras out;
  if (!document.is_object()) return out;
  if (const auto it = document.find("validateRequest"); it != document.end()) {
    if (!it->is_boolean())
      return mandate::unexpected(std::string("\"validateRequest\" must be true or false"));
    out.validate = it->get<bool>();
  }
  if (const auto it = document.find("grant"); it != document.end()) {
    if (!it->is_string()) return mandate::unexpected(std::string("\"grant\" must be a string (a grant id)"));
    out.grant = it->get<std::string>();
  }
  if (const auto it = document.find("session"); it != document.end()) {
    if (!it->is_string() || it->get_ref<const std::string&>().empty())
      return mandate::unexpected(std::string("\"session\" must be a non-empty string (a session id)"));
    out.session = it->get<std::string>();
  }
  if (const auto it = document.find("time"); it != document.end()) {
    std::optional<std::int64_t> ms;
    if (it->is_string()) ms = mandate::parse_rfc3339(it->get<std::string>());
    if (!ms)
      return mandate::unexpected(
          std::string("\"time\" must be an RFC 3339 date-time string, e.g. \"2026-03-02T10:00:00Z\""));
    out.time_ms = *ms;
  }
  return out;
}

class request_runner {
 public:
  request_runner(const mandate::policy_set& policies, const mandate::entity_store& entities,
                 const std::optional<mandate::schema>& schema, mandate::evaluation_options options,
                 const mandate::grant_authority* grants, mandate::audit_sink* audit, output_options output)
      : policies_(policies),
        entities_(entities),
        schema_(schema),
        options_(options),
        grants_(grants),
        audit_(audit),
        output_(output) {}

  // Evaluates one request given as JSON text and prints the decision, or an error line
  // naming `where_key`/`where` (e.g. "line": 3); in text, a block for people instead of either.
  // Returns false for a malformed request.
  bool run(std::string_view json, std::string_view where_key, std::size_t where) {
    if (json.size() > mandate::request::max_json_bytes) {
      reject(fmt::format("request: JSON text is {} bytes; the limit is {} MiB", json.size(),
                         mandate::request::max_json_bytes >> 20),
             where_key, where);
      return false;
    }
    const auto document = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
    auto fail = [&](std::string_view message) {
      report_error(message, document, where_key, where);
      return false;
    };
    const auto read_extras = extras_of(document);
    if (!read_extras) return fail(read_extras.error());
    const request_extras& extras = *read_extras;
    if (extras.time_ms) clock_ms_ = *extras.time_ms;
    if (document.is_object() && (document.contains("event") || document.contains("signal")))
      return run_session_line(document, where_key, where);
    // With a schema, requests are read by it and validated against it, as Cedar's CLI does,
    // unless the request itself says `"validateRequest": false`.
    auto req = schema_ ? mandate::request::from_json(json, *schema_, extras.validate)
                       : mandate::request::from_json(json);
    if (!req) return fail(req.error());
    const bool tracing = output_.tracing();
    trace_.clear();
    if (!extras.grant.empty()) {
      // A request that names a grant is only ever evaluated through it: without the grants
      // file it cannot be, and it is refused rather than evaluated without its chain.
      if (grants_ == nullptr)
        return fail("request names grant '" + extras.grant + "' but no --grants file was given");
      // Presented first, so that the audit trail records the chain the grant stands for.
      auto presented = grants_->present(*req, extras.grant, options_);
      if (presented) {
        req = std::move(*presented);
        evaluate(*req);
      } else {
        decision_ = std::move(presented).error();
      }
    } else if (!extras.session.empty()) {
      decision_ = sessions_.evaluate(policies_, entities_, *req, extras.session, options_, {},
                                     tracing ? &trace_ : nullptr);
    } else {
      evaluate(*req);
    }
    // Recorded before it is released: a decision the caller has seen is always in the trail,
    // even if this process is killed right after printing it.
    if (audit_ != nullptr) {
      const std::int64_t now = options_.now_ms ? *options_.now_ms : mandate::system_time_ms();
      audit_->write(
          mandate::make_audit_record(*req, decision_, policies_, now, extras.grant, extras.session));
    }
    print_decision(document, where_key, where);
    return true;
  }

  // Reports a request refused before it was read (too long to parse).
  void reject(std::string_view message, std::string_view where_key, std::size_t where) const {
    report_error(message, nlohmann::json(), where_key, where);
  }

 private:
  void evaluate(const mandate::request& req) {
    if (output_.tracing()) {
      policies_.evaluate(req, entities_, decision_, trace_, options_);
    } else {
      policies_.evaluate(req, entities_, decision_, options_);
    }
  }

  // The decision as a JSON line (with its explanation under --explain), or as a block of text.
  void print_decision(const nlohmann::json& document, std::string_view where_key, std::size_t where) {
    if (!output_.text) {
      std::string line = mandate::to_json(decision_);
      if (output_.explain) line = with_explanation(std::move(line), mandate::to_json(decision_, trace_));
      print_line(line);
      return;
    }
    print_text(request_name(document, where_key, where) + "\n" +
               mandate::explain_with_sources(decision_, trace_) + "\n");
  }

  // A line that could not be evaluated: an error object in JSON, a block naming it in text.
  void report_error(std::string_view message, const nlohmann::json& document, std::string_view where_key,
                    std::size_t where) const {
    if (!output_.text) {
      print_request_error(message, where_key, where);
      return;
    }
    print_text(fmt::format("{}\nerror: {}\n\n", request_name(document, where_key, where), message));
  }

  // An event or signal line's acknowledgement: a JSON line, or in text one line naming it.
  void acknowledge(std::string_view json, std::string_view text, const nlohmann::json& document) const {
    if (!output_.text) {
      print_line(std::string(json));
      return;
    }
    std::string line(text);
    const auto it = document.find("description");
    if (it != document.end() && it->is_string() && !it->get_ref<const std::string&>().empty())
      line += ": " + it->get<std::string>();
    print_text(line + "\n\n");
  }

  static void print_text(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

  // {"session": S, "event": {"kind", "action": {"type", "id"}, "fields": {...}, "requestId"}} records
  // a response or error event; {"signal": {"type", "session", "subject", "claims", "level",
  // "reason"}} applies a CAEP signal. Each prints one acknowledgement line.
  bool run_session_line(const nlohmann::json& document, std::string_view where_key, std::size_t where) {
    auto fail = [&](const std::string& message) {
      report_error(message, document, where_key, where);
      return false;
    };
    auto entity_of = [](const nlohmann::json& j) -> std::optional<mandate::entity_ref> {
      if (!j.is_object() || !j.contains("type") || !j.contains("id") || !j["type"].is_string() ||
          !j["id"].is_string())
        return std::nullopt;
      return mandate::entity_ref{j["type"].get<std::string>(), j["id"].get<std::string>()};
    };
    if (document.contains("event")) {
      const auto& e = document["event"];
      const auto session = document.find("session");
      if (session == document.end() || !session->is_string())
        return fail("an event line needs a \"session\"");
      if (!e.is_object()) return fail("\"event\" must be an object");
      mandate::session_event event;
      if (e.contains("kind") && e["kind"].is_string()) event.kind = e["kind"].get<std::string>();
      auto action = e.contains("action") ? entity_of(e["action"]) : std::nullopt;
      if (!action) return fail("an event needs an \"action\": {\"type\": .., \"id\": ..}");
      event.action = *action;
      if (e.contains("fields")) event.fields_json = e["fields"].dump();
      if (e.contains("requestId") && e["requestId"].is_string())
        event.request_id = e["requestId"].get<std::string>();
      if (e.contains("principal")) event.principal = entity_of(e["principal"]);
      if (e.contains("resource")) event.resource = entity_of(e["resource"]);
      auto recorded = sessions_.record(session->get<std::string>(), event);
      if (!recorded) return fail(recorded.error());
      acknowledge(R"({"event":"recorded"})",
                  fmt::format("event recorded in session {}", session->get<std::string>()), document);
      return true;
    }
    const auto& s = document["signal"];
    if (!s.is_object()) return fail("\"signal\" must be an object");
    mandate::session_signal signal;
    if (s.contains("type") && s["type"].is_string()) signal.type = s["type"].get<std::string>();
    if (s.contains("session") && s["session"].is_string())
      signal.session_id = s["session"].get<std::string>();
    if (s.contains("subject")) signal.subject = entity_of(s["subject"]);
    if (s.contains("claims")) signal.claims_json = s["claims"].dump();
    if (s.contains("level") && s["level"].is_string()) signal.level = s["level"].get<std::string>();
    if (s.contains("reason") && s["reason"].is_string()) signal.reason = s["reason"].get<std::string>();
    auto applied = sessions_.signal(signal);
    if (!applied) return fail(applied.error());
    acknowledge(R"({"signal":"applied"})", fmt::format("signal {} applied", signal.type), document);
    return true;
  }

  const mandate::policy_set& policies_;
  const mandate::entity_store& entities_;
  const std::optional<mandate::schema>& schema_;
  mandate::evaluation_options options_;
  const mandate::grant_authority* grants_;
  mandate::audit_sink* audit_;
  output_options output_;
  mandate::decision decision_;     // reused so a long stream does not allocate per decision
  mandate::decision_trace trace_;  // filled only when tracing
  // Sessions' clock: the last line's "time", else --now, else the system clock.
  std::optional<std::int64_t> clock_ms_ = options_.now_ms;
  mandate::session_manager sessions_{mandate::session_options{
      .clock = [this] { return clock_ms_ ? *clock_ms_ : mandate::system_time_ms(); }}};
};

// --request FILE: one JSON request, or a JSON array of requests (one output line each).
int run_request_file(request_runner& runner, const std::string& path) {
  std::optional<std::string> text = read_text(path);
  if (!text) return exit_cannot_run;
  // Parsed here only to tell an array from a single request; a document that is not JSON
  // at all goes to request::from_json, whose message says what is wrong with it.
  const auto document = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!document.is_array()) return runner.run(*text, "", 0) ? exit_success : exit_bad_input;
  bool all_good = true;
  for (std::size_t i = 0; i < document.size(); ++i) {
    all_good = runner.run(document[i].dump(), "index", i) && all_good;
  }
  return all_good ? exit_success : exit_bad_input;
}

// --requests FILE.jsonl: one request per line; a bad line is reported and the stream goes on.
int run_request_lines(request_runner& runner, const std::string& path) {
  file_handle file = open_input(path);
  if (!file) return exit_cannot_run;
  // Flushing every line lets a parent process use `mandate eval --requests -` as a server.
  const bool interactive = path == "-";
  line_reader lines(file.get());
  bool all_good = true;
  std::size_t line_number = 0;
  while (std::optional<std::string_view> line = lines.next()) {
    ++line_number;
    if (lines.cut()) {
      runner.reject(fmt::format("request: the line is {} bytes; the limit is {} MiB", lines.length(),
                                mandate::request::max_json_bytes >> 20),
                    "line", line_number);
      all_good = false;
      if (interactive) std::fflush(stdout);  // a caller waits for each line's answer
      continue;
    }
    if (is_blank(*line)) continue;
    all_good = runner.run(*line, "line", line_number) && all_good;
    if (interactive) std::fflush(stdout);
  }
  if (lines.failed()) {
    print_read_error(path, errno != 0 ? errno : EIO);
    return exit_cannot_run;
  }
  return all_good ? exit_success : exit_bad_input;
}

// Links the templates of `loaded` as a links file says; prints what goes wrong.
bool link_templates(loaded_policies& loaded, const std::string& links_path) {
  if (links_path.empty()) return true;
  std::optional<std::string> text = read_text(links_path);
  if (!text) return false;
  auto links = mandate::parse_template_links(*text, links_path);
  if (!links) {
    print_diagnostics(links.error());
    return false;
  }
  auto linked = loaded.policies->link(*links);
  if (!linked) {
    print_diagnostics(linked.error());
    return false;
  }
  loaded.policies = std::move(*linked);
  return true;
}

// Loads a schema, printing its diagnostics. Nothing to load is success with no schema.
struct loaded_schema {
  load_status status = load_status::ok;
  std::optional<mandate::schema> schema;
};

loaded_schema load_schema(const std::string& path) {
  if (path.empty()) return {};
  std::optional<std::string> text = read_text(path);
  if (!text) return {load_status::unreadable, std::nullopt};
  auto result = path.size() >= 5 && path.ends_with(".json") ? mandate::schema::parse_json(*text, path)
                                                            : mandate::schema::parse(*text, path);
  if (!result) {
    print_diagnostics(result.error());
    return {load_status::invalid, std::nullopt};
  }
  return {load_status::ok, std::move(*result)};
}

// Type-checks policies against a schema, printing what it finds; true when no errors.
bool validate_against(const mandate::policy_set& policies, const std::optional<mandate::schema>& schema) {
  if (!schema) return true;
  const std::vector<mandate::diagnostic> found = mandate::validate(policies, *schema);
  print_diagnostics(found);
  return !mandate::has_errors(found);
}

int run_eval(const eval_settings& settings) {
  mandate::evaluation_options options{.mode = settings.mode == "cedar" ? mandate::eval_mode::cedar
                                                                       : mandate::eval_mode::mandate};
  if (!settings.now.empty()) {
    options.now_ms = mandate::parse_rfc3339(settings.now);
    if (!options.now_ms) {
      print_error(
          fmt::format("--now: '{}' is not an RFC 3339 date-time like 2026-11-28T18:00:00Z", settings.now));
      return exit_cannot_run;
    }
  }
  const loaded_schema schema = load_schema(settings.schema_path);
  if (schema.status != load_status::ok) return exit_cannot_run;
  const auto compile_options = compile_options_from(settings.max_window);
  if (!compile_options) return exit_cannot_run;
  loaded_policies loaded = load_policies(settings.policies_path, *compile_options);
  if (loaded.status != load_status::ok) return exit_cannot_run;
  if (!link_templates(loaded, settings.links_path)) return exit_cannot_run;
  // In Mandate mode, policies that do not type-check against the schema are refused: a policy
  // that cannot mean what its author meant should not decide anything. Cedar mode decides as
  // Cedar's CLI does, which reports nothing and evaluates anyway; the findings still go to stderr.
  if (!validate_against(*loaded.policies, schema.schema) && options.mode == mandate::eval_mode::mandate)
    return exit_cannot_run;
  std::optional<mandate::entity_store> entities = load_entities(settings.entities_path, schema.schema);
  if (!entities) return exit_cannot_run;

  std::optional<mandate::grant_authority> grants;
  if (!settings.grants_path.empty()) {
    std::optional<std::string> text = read_text(settings.grants_path);
    if (!text) return exit_cannot_run;
    auto store = mandate::in_memory_grant_store::from_json(*text);
    if (!store) {
      mandate::cli::print_input_error(settings.grants_path, "grants", store.error());
      return exit_cannot_run;
    }
    const std::optional<std::int64_t> fixed_now = options.now_ms;
    grants.emplace(*store, fixed_now ? mandate::clock_fn([t = *fixed_now] { return t; })
                                     : mandate::clock_fn(mandate::system_time_ms));
  }
  std::unique_ptr<mandate::file_audit_sink> audit;
  if (!settings.audit_path.empty()) {
    auto opened = mandate::file_audit_sink::open(settings.audit_path);
    if (!opened) {
      print_error(opened.error());
      return exit_cannot_run;
    }
    audit = std::move(*opened);
  }

  request_runner runner(*loaded.policies, *entities, schema.schema, options, grants ? &*grants : nullptr,
                        audit.get(),
                        output_options{.explain = settings.explain, .text = settings.format == "text"});
  const int status = settings.request_path.empty() ? run_request_lines(runner, settings.requests_path)
                                                   : run_request_file(runner, settings.request_path);
  std::fflush(stdout);
  if (audit && audit->failed()) {
    print_error(fmt::format("could not write every audit line to '{}'", settings.audit_path));
    return exit_cannot_run;
  }
  return status;
}

int run_check(const std::vector<std::string>& paths, const std::string& schema_path,
              const std::string& max_window) {
  const auto compile_options = compile_options_from(max_window);
  if (!compile_options) return exit_cannot_run;
  const loaded_schema schema = load_schema(schema_path);
  if (schema.status == load_status::unreadable) return exit_cannot_run;
  if (schema.status == load_status::invalid) return exit_bad_input;
  std::size_t policy_count = 0;
  std::size_t failed_paths = 0;
  bool unreadable = false;
  for (const std::string& path : paths) {
    loaded_policies loaded = load_policies(path, *compile_options);
    if (loaded.status == load_status::ok) {
      policy_count += loaded.policies->size();
      if (!validate_against(*loaded.policies, schema.schema)) ++failed_paths;
      continue;
    }
    ++failed_paths;
    unreadable = unreadable || loaded.status == load_status::unreadable;
  }
  if (failed_paths > 0) {
    fmt::print(stderr, "mandate: {} of {} {} had errors\n", failed_paths, paths.size(),
               paths.size() == 1 ? "input" : "inputs");
    return unreadable ? exit_cannot_run : exit_bad_input;
  }
  fmt::print("{} {} OK{}\n", policy_count, policy_count == 1 ? "policy" : "policies",
             schema.schema ? " (type-checked against the schema)" : "");
  return exit_success;
}

int run(int argc, char** argv) {
  CLI::App app{"Mandate: a policy engine for authorizing AI agents (Cedar, plus require_approval)",
               "mandate"};
  app.set_version_flag("--version", fmt::format("mandate {}", mandate::version_string));
  app.require_subcommand(1);

  eval_settings eval_args;
  CLI::App* eval = app.add_subcommand(
      "eval", "Evaluate requests and print one JSON decision per request (or, with --format text, why)");
  eval->add_option("--policies", eval_args.policies_path,
                   "Policy file, or directory of *.cedar / *.mandate files")
      ->required()
      ->type_name("FILE|DIR");
  eval->add_option("--entities", eval_args.entities_path, "Cedar entity JSON file")->type_name("FILE");
  eval->add_option("--links", eval_args.links_path,
                   "Template links: [{\"template_id\", \"link_id\", \"args\": {\"?principal\": .., "
                   "\"?resource\": ..}}]")
      ->type_name("FILE");
  eval->add_option("--schema", eval_args.schema_path,
                   "Cedar schema (.cedarschema text, or .json); policies must type-check against it")
      ->type_name("FILE");
  CLI::Option_group* input = eval->add_option_group("input", "Where the requests come from (exactly one)");
  input->add_option("--request", eval_args.request_path, "JSON request, or a JSON array of requests")
      ->type_name("FILE");
  input->add_option("--requests", eval_args.requests_path, "JSON Lines of requests; '-' reads stdin")
      ->type_name("FILE.jsonl");
  input->require_option(1);
  eval->add_option("--mode", eval_args.mode,
                   "mandate (erroring forbids fail closed) or cedar (exactly as Cedar)")
      ->type_name("MODE")
      ->check(CLI::IsMember({"mandate", "cedar"}))
      ->capture_default_str();
  eval->add_option(
          "--grants", eval_args.grants_path,
          "Grants file (from `mandate grant issue`); requests naming \"grant\" are evaluated through it")
      ->type_name("FILE");
  eval->add_option("--audit", eval_args.audit_path, "Append one JSON audit line per decision to FILE")
      ->type_name("FILE");
  eval->add_option("--now", eval_args.now,
                   "Check delegation hops against this time (RFC 3339) instead of the clock, e.g. to replay")
      ->type_name("TIME");
  eval->add_option("--max-window", eval_args.max_window,
                   "Longest window a temporal condition may use (default 24h), e.g. 14d")
      ->type_name("DURATION");
  eval->add_flag("--explain", eval_args.explain,
                 "Add to each decision an \"explanation\": the determining policies, or the nearest misses");
  eval->add_option("--format", eval_args.format,
                   "json (one JSON line per request) or text (each decision explained, for people)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();

  std::vector<std::string> check_paths;
  std::string check_schema;
  std::string check_max_window;
  CLI::App* check = app.add_subcommand("check", "Compile policy files and report diagnostics");
  check->add_option("FILES", check_paths, "Policy files or directories")->required()->type_name("FILE|DIR");
  check
      ->add_option("--schema", check_schema,
                   "Cedar schema (.cedarschema text, or .json); policies must type-check against it")
      ->type_name("FILE");
  check
      ->add_option("--max-window", check_max_window,
                   "Longest window a temporal condition may use (default 24h), e.g. 14d")
      ->type_name("DURATION");
  const mandate::cli::command_runner run_grant = mandate::cli::add_grant_commands(app);
  const mandate::cli::command_runner run_audit = mandate::cli::add_audit_commands(app);
  const mandate::cli::command_runner run_replay = mandate::cli::add_replay_command(app);
  const mandate::cli::command_runner run_test = mandate::cli::add_test_command(app);
  const mandate::cli::command_runner run_lint = mandate::cli::add_lint_command(app);
  const mandate::cli::command_runner run_fmt = mandate::cli::add_fmt_command(app);
  const mandate::cli::command_runner run_serve = mandate::cli::add_serve_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 returns its own codes (105, 106, ...); collapse every usage error to 2 and keep
    // --help and --version at 0.
    return app.exit(e) == 0 ? exit_success : exit_cannot_run;
  }
  if (auto status = run_grant()) return *status;
  if (auto status = run_audit()) return *status;
  if (auto status = run_replay()) return *status;
  if (auto status = run_test()) return *status;
  if (auto status = run_lint()) return *status;
  if (auto status = run_fmt()) return *status;
  if (auto status = run_serve()) return *status;

  if (eval->parsed()) return run_eval(eval_args);
  return run_check(check_paths, check_schema, check_max_window);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    // The library reports problems as values; what reaches here is the environment failing
    // (out of memory, a filesystem error), and the answer is a message, not an abort.
    print_error(e.what());
  } catch (...) {
    print_error("unexpected failure");
  }
  return exit_cannot_run;
}
