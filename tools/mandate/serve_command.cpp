// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// `mandate serve`: an OpenID AuthZEN decision server over the public API (SERVE.md).
//
//   mandate serve --policies P [--entities E] [--schema S] [--listen 127.0.0.1:8181] [--audit FILE]
//                 [--mode M] [--max-body BYTES] [--threads N] [--reload-interval MS] [--max-window D]
//
// The first line on stdout is `mandate serve: listening on http://HOST:PORT`, once the socket
// is bound (so `--listen 127.0.0.1:0` lets a test find its port). Policies, entities and the
// schema are reloaded when their files change (polled) and on SIGHUP; a set that does not load
// is refused with its diagnostics on stderr and the old one keeps serving. SIGINT and SIGTERM
// stop accepting connections and let the requests in flight finish.
//
// Exit codes: 0 after a signal asked it to stop; 2 the server could not start (bad flags,
// files that do not load, an address that cannot be bound).
#include <fmt/format.h>
#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "cli_io.hpp"
#include "commands.hpp"
#include "mandate/mandate.hpp"
#include "serve_state.hpp"

namespace mandate::cli {
namespace serve {

server_state::server_state(const server_settings& settings_in, std::shared_ptr<const served_snapshot> first,
                           std::unique_ptr<file_audit_sink> audit_sink)
    : settings(settings_in), audit(std::move(audit_sink)), current_(std::move(first)) {
  options.mode = settings.mode == "cedar" ? eval_mode::cedar : eval_mode::mandate;
}

namespace {

constexpr int exit_success = 0;
constexpr int exit_cannot_run = 2;

void log_line(std::string_view text) { fmt::print(stderr, "mandate serve: {}\n", text); }

// Loads everything a snapshot holds. On failure, the rendered diagnostics (the compiler's
// format), so that a refused reload reads exactly like `mandate check`.
expected<std::shared_ptr<served_snapshot>, std::string> load_snapshot(const server_settings& settings,
                                                                      const compile_options& compiling,
                                                                      std::uint64_t generation) {
  std::optional<schema> request_schema;
  if (!settings.schema_path.empty()) {
    auto loaded = schema::load(settings.schema_path);
    if (!loaded) return unexpected(render(loaded.error()));
    request_schema = std::move(*loaded);
  }
  auto policies = policy_set::load(settings.policies_path, compiling);
  if (!policies) return unexpected(render(policies.error()));
  std::string warnings = render(policies->warnings());
  // As `mandate eval` does: in Mandate mode a policy that does not type-check against the
  // schema decides nothing, because it cannot mean what its author meant.
  if (request_schema) {
    const std::vector<diagnostic> found = validate(*policies, *request_schema);
    if (has_errors(found) && settings.mode == "mandate") return unexpected(render(found));
    warnings += render(found);
  }
  entity_store entities;
  if (!settings.entities_path.empty() || request_schema) {
    auto loaded = settings.entities_path.empty()
                      ? entity_store::from_json("[]", "<schema actions>", *request_schema)
                  : request_schema ? entity_store::load(settings.entities_path, *request_schema)
                                   : entity_store::load(settings.entities_path);
    if (!loaded) return unexpected(render(loaded.error()));
    entities = std::move(*loaded);
  }
  if (!warnings.empty()) std::fputs(warnings.c_str(), stderr);
  return std::make_shared<served_snapshot>(served_snapshot{.policies = std::move(*policies),
                                                           .entities = std::move(entities),
                                                           .request_schema = std::move(request_schema),
                                                           .generation = generation});
}

// What the watcher compares between polls: every input file's path, size and modification
// time (nanoseconds), so a rewrite within the same second is still seen.
std::string input_signature(const server_settings& settings) {
  std::string out;
  auto add = [&out](const std::filesystem::path& path) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    const auto time = std::filesystem::last_write_time(path, error);
    out += fmt::format("{}|{}|{}\n", path.string(), error ? 0 : size,
                       error ? 0 : time.time_since_epoch().count());
  };
  std::error_code error;
  if (std::filesystem::is_directory(settings.policies_path, error)) {
    std::vector<std::filesystem::path> files;
    for (std::filesystem::recursive_directory_iterator it(settings.policies_path, error), end;
         !error && it != end; it.increment(error)) {
      const auto extension = it->path().extension();
      if (extension == ".cedar" || extension == ".mandate") files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) add(file);
  } else {
    add(settings.policies_path);
  }
  if (!settings.entities_path.empty()) add(settings.entities_path);
  if (!settings.schema_path.empty()) add(settings.schema_path);
  return out;
}

// Reloads on file changes (polled) and on SIGHUP, on its own thread.
class reloader {
 public:
  // `signature` is that of the files as they were before the serving snapshot was loaded.
  reloader(const server_settings& settings, compile_options compiling, server_state& state,
           std::string signature)
      : settings_(settings), compiling_(compiling), state_(state), signature_(std::move(signature)) {}

  void start() {
    thread_ = std::thread([this] { run(); });
  }
  void request_reload() {
    {
      std::lock_guard guard(lock_);
      forced_ = true;
    }
    wake_.notify_one();
  }
  void stop() {
    {
      std::lock_guard guard(lock_);
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    std::unique_lock guard(lock_);
    for (;;) {
      const auto woken = [this] { return stopping_ || forced_; };
      if (settings_.reload_interval_ms > 0) {
        wake_.wait_for(guard, std::chrono::milliseconds(settings_.reload_interval_ms), woken);
      } else {
        wake_.wait(guard, woken);
      }
      if (stopping_) return;
      const bool forced = std::exchange(forced_, false);
      guard.unlock();
      // Taken before reading, so a change made while loading is seen at the next poll.
      std::string now = input_signature(settings_);
      if (forced) {
        signature_ = std::move(now);
        pending_.clear();
        reload("SIGHUP");
      } else if (now == signature_) {
        pending_.clear();
      } else if (now == pending_) {
        // Unchanged for a whole interval since the change was seen: the writer is done.
        signature_ = std::move(now);
        pending_.clear();
        reload("a file changed");
      } else {
        // Still changing (an editor or `cp` may be half-way through a file, and an empty
        // policy file would parse fine and drop its forbids): look again at the next poll.
        pending_ = std::move(now);
      }
      guard.lock();
    }
  }

  void reload(std::string_view why) {
    const std::uint64_t serving = state_.current()->generation;
    auto next = load_snapshot(settings_, compiling_, serving + 1);
    if (!next) {
      state_.stats.count_reload(false);
      log_line(fmt::format("reload ({}) refused; still serving generation {}:", why, serving));
      std::fputs(next.error().c_str(), stderr);
      std::fflush(stderr);
      return;
    }
    const auto& snap = **next;
    log_line(fmt::format("reloaded ({}): generation {}, {} policies, {} entities", why, snap.generation,
                         snap.policies.size(), snap.entities.size()));
    std::fflush(stderr);
    state_.publish(std::move(*next));
    state_.stats.count_reload(true);
  }

  const server_settings& settings_;
  compile_options compiling_;
  server_state& state_;
  std::string signature_;  // only the watcher thread touches it
  std::string pending_;    // a changed signature seen once, not yet stable
  std::mutex lock_;
  std::condition_variable wake_;
  bool forced_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

struct listen_address {
  std::string host;
  int port = 0;
};

// HOST:PORT, [IPv6]:PORT or :PORT (loopback). Port 0 takes any free port.
std::optional<listen_address> parse_listen(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) return std::nullopt;
  listen_address out;
  out.host = text.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']')
    out.host = out.host.substr(1, out.host.size() - 2);
  if (out.host.empty()) out.host = "127.0.0.1";
  long port = 0;
  for (const char c : std::string_view(text).substr(colon + 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    port = port * 10 + (c - '0');
    if (port > 65535) return std::nullopt;
  }
  out.port = static_cast<int>(port);
  return out;
}

// Signals are taken by one thread with sigwait, so that handlers never run on a thread that
// holds a lock; every other thread inherits the blocked mask from main.
sigset_t server_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

int run_serve(const server_settings& settings) {
  const auto address = parse_listen(settings.listen);
  if (!address) {
    print_error(fmt::format("--listen: '{}' is not HOST:PORT, e.g. 127.0.0.1:8181", settings.listen));
    return exit_cannot_run;
  }
  compile_options compiling;
  if (!settings.max_window.empty()) {
    const auto ms = parse_duration_ms(settings.max_window);
    if (!ms || *ms <= 0) {
      print_error(fmt::format("--max-window: '{}' is not a positive duration like 24h, 14d or 90m",
                              settings.max_window));
      return exit_cannot_run;
    }
    compiling.max_temporal_window_ms = *ms;
  }
  // Taken before loading, so that a file changed while the server starts is reloaded at once.
  std::string signature = input_signature(settings);
  auto first = load_snapshot(settings, compiling, 1);
  if (!first) {
    std::fputs(first.error().c_str(), stderr);
    print_error("the policies, entities or schema did not load; not serving");
    return exit_cannot_run;
  }
  std::unique_ptr<file_audit_sink> audit;
  if (!settings.audit_path.empty()) {
    auto opened = file_audit_sink::open(settings.audit_path);
    if (!opened) {
      print_error(opened.error());
      return exit_cannot_run;
    }
    audit = std::move(*opened);
  }

  const sigset_t signals = server_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);  // a client that hangs up mid-answer is its own business

  server_state state(settings, std::move(*first), std::move(audit));
  httplib::Server server;
  const std::size_t threads = settings.threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(settings.max_body);
  // httplib's default options add SO_REUSEPORT, which lets a second server bind the same port
  // and silently take a share of the requests; a stale server deciding with old policies must
  // make the new one fail to start instead.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // Enough requests per connection that a load test measures decisions, not handshakes; the
  // limit still returns a pooled thread to other clients now and then.
  server.set_keep_alive_max_count(1000);
  // Answers are small single writes; without TCP_NODELAY, Nagle's algorithm meets the client's
  // delayed ACK and every keep-alive answer waits ~40 ms.
  server.set_tcp_nodelay(true);
  install_routes(server, state);

  int port = address->port;
  if (port == 0) {
    port = server.bind_to_any_port(address->host);
  } else if (!server.bind_to_port(address->host, port)) {
    port = -1;
  }
  if (port < 0) {
    print_error(fmt::format("cannot listen on '{}'", settings.listen));
    return exit_cannot_run;
  }
  const bool ipv6 = address->host.find(':') != std::string::npos;
  state.address =
      ipv6 ? fmt::format("[{}]:{}", address->host, port) : fmt::format("{}:{}", address->host, port);
  fmt::print("mandate serve: listening on http://{}\n", state.address);
  std::fflush(stdout);
  const auto snap = state.current();
  log_line(fmt::format("serving {} policies, {} entities (mode {})", snap->policies.size(),
                       snap->entities.size(), settings.mode));

  reloader reloads(settings, compiling, state, std::move(signature));
  reloads.start();
  std::atomic<bool> listening_done{false};
  std::atomic<bool> signal_thread_done{false};
  std::thread signal_thread([&] {
    for (;;) {
      int received = 0;
      if (sigwait(&signals, &received) != 0) continue;
      if (received == SIGHUP) {
        reloads.request_reload();
        continue;
      }
      if (!listening_done)
        log_line(fmt::format("{}: shutting down", received == SIGINT ? "SIGINT" : "SIGTERM"));
      // stop() is a no-op until the accept loop runs; a signal in that instant must not be lost.
      while (!listening_done && !server.is_running())
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      server.stop();
      break;
    }
    signal_thread_done = true;
  });

  const bool served = server.listen_after_bind();
  listening_done = true;
  if (!signal_thread_done) ::kill(::getpid(), SIGTERM);  // wakes the signal thread's sigwait
  signal_thread.join();
  reloads.stop();
  std::fflush(stdout);
  log_line("stopped");
  return served ? exit_success : exit_cannot_run;
}

}  // namespace
}  // namespace serve

command_runner add_serve_command(CLI::App& app) {
  auto settings = std::make_shared<serve::server_settings>();
  CLI::App* sub =
      app.add_subcommand("serve", "Serve decisions over HTTP: OpenID AuthZEN and Mandate's own API");
  sub->add_option("--policies", settings->policies_path,
                  "Policy file, or directory of *.cedar / *.mandate files")
      ->required()
      ->type_name("FILE|DIR");
  sub->add_option("--entities", settings->entities_path, "Cedar entity JSON file")->type_name("FILE");
  sub->add_option(
         "--schema", settings->schema_path,
         "Cedar schema (.cedarschema text, or .json); policies must type-check, requests are read by it")
      ->type_name("FILE");
  sub->add_option("--listen", settings->listen, "Address to listen on; port 0 takes a free port")
      ->type_name("HOST:PORT")
      ->capture_default_str();
  sub->add_option("--audit", settings->audit_path, "Append one JSON audit line per decision to FILE")
      ->type_name("FILE");
  sub->add_option("--mode", settings->mode,
                  "mandate (erroring forbids fail closed) or cedar (exactly as Cedar)")
      ->type_name("MODE")
      ->check(CLI::IsMember({"mandate", "cedar"}))
      ->capture_default_str();
  sub->add_option("--max-body", settings->max_body, "Largest request body accepted, in bytes")
      ->type_name("BYTES")
      ->check(CLI::Range(std::size_t{64}, std::size_t{1} << 30))
      ->capture_default_str();
  sub->add_option("--threads", settings->threads, "Worker threads (each serves one connection at a time)")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1024}))
      ->capture_default_str();
  sub->add_option("--reload-interval", settings->reload_interval_ms,
                  "How often to look for changed input files, in ms; 0 reloads on SIGHUP only")
      ->type_name("MS")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{3'600'000}))
      ->capture_default_str();
  sub->add_option("--max-window", settings->max_window,
                  "Longest window a temporal condition may use (default 24h), e.g. 14d")
      ->type_name("DURATION");
  sub->add_option("--control-token", settings->control_token,
                  "Enable the control endpoints (grants, tasks, session events, signals) for callers "
                  "sending `Authorization: Bearer TOKEN`; default: $MANDATE_CONTROL_TOKEN, else disabled")
      ->type_name("TOKEN");
  return [sub, settings]() -> std::optional<int> {
    if (!sub->parsed()) return std::nullopt;
    // From the environment by default, so the token need not show in `ps`.
    if (settings->control_token.empty()) {
      if (const char* token = std::getenv("MANDATE_CONTROL_TOKEN"); token != nullptr)
        settings->control_token = token;
    }
    return serve::run_serve(*settings);
  };
}

}  // namespace mandate::cli
