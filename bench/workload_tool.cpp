// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The Mandate half of the side-by-side comparison with Cedar (bench/side_by_side.sh):
//
//   mandate_workload generate --policies N [--cedar-only] [--seed S] --out DIR
//       writes DIR/policies.cedar, DIR/entities.json and DIR/requests.jsonl (workload.hpp)
//   mandate_workload time DIR [--rounds R]
//       loads them through the public API, decides every request R times (after one warm-up
//       round), writes DIR/mandate.jsonl (one {"decision", "reasons"} per request, for the
//       agreement check) and prints {"requests", "p50_ns", "p99_ns", "mean_ns"} on stdout.
//
// Each sample is one request decided once, timed with steady_clock around the call; the clock's
// own cost (about 20 ns) is included, as it is in the JavaScript half's performance.now().
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "mandate/mandate.hpp"
#include "workload.hpp"

namespace {

namespace fs = std::filesystem;

int usage() {
  std::fputs(
      "usage: mandate_workload generate --policies N [--cedar-only] [--seed S] --out DIR\n"
      "       mandate_workload time DIR [--rounds R]\n",
      stderr);
  return 2;
}

bool write_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int generate(int argc, char** argv) {
  mandate_bench::workload_options options;
  std::string out_dir;
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--cedar-only") {
      options.cedar_only = true;
    } else if (arg == "--policies" && i + 1 < argc) {
      options.policies = std::atoi(argv[++i]);
    } else if (arg == "--seed" && i + 1 < argc) {
      options.seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--requests" && i + 1 < argc) {
      options.requests = std::atoi(argv[++i]);
    } else if (arg == "--out" && i + 1 < argc) {
      out_dir = argv[++i];
    } else {
      return usage();
    }
  }
  if (out_dir.empty() || options.policies <= 0) return usage();
  const mandate_bench::generated_workload w = mandate_bench::generate_workload(options);
  fs::create_directories(out_dir);
  std::string requests;
  for (const auto& r : w.requests) requests += r.json + "\n";
  if (!write_file(fs::path(out_dir) / "policies.cedar", w.policies) ||
      !write_file(fs::path(out_dir) / "entities.json", w.entities) ||
      !write_file(fs::path(out_dir) / "requests.jsonl", requests)) {
    std::fprintf(stderr, "mandate_workload: cannot write into %s\n", out_dir.c_str());
    return 2;
  }
  fmt::print("{} policies, {} entities, {} requests in {}\n", options.policies, w.entity_count,
             w.requests.size(), out_dir);
  return 0;
}

int time_decisions(int argc, char** argv) {
  if (argc < 3) return usage();
  const fs::path dir = argv[2];
  int rounds = 20;
  for (int i = 3; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else {
      return usage();
    }
  }
  auto policies = mandate::policy_set::load(dir / "policies.cedar");
  auto entities = mandate::entity_store::from_json(read_file(dir / "entities.json"), "entities.json");
  if (!policies || !entities) {
    if (!policies) std::fputs(mandate::render(policies.error()).c_str(), stderr);
    if (!entities) std::fputs(mandate::render(entities.error()).c_str(), stderr);
    return 2;
  }
  std::vector<mandate::request> requests;
  std::istringstream lines(read_file(dir / "requests.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    auto req = mandate::request::from_json(line);
    if (!req) {
      std::fprintf(stderr, "mandate_workload: bad request: %s\n", req.error().c_str());
      return 2;
    }
    requests.push_back(*req);
  }
  // Cedar has no require_approval and skips erroring policies: compare in Cedar mode.
  const mandate::evaluation_options options{.mode = mandate::eval_mode::cedar};
  mandate::decision out;
  std::string answers;
  for (const auto& req : requests) {
    policies->evaluate(req, *entities, out, options);
    std::vector<std::string> reasons = out.reasons;
    std::sort(reasons.begin(), reasons.end());
    // Generated policy ids are plain ASCII (`p17`, `suspended`): no escaping needed.
    answers += fmt::format(R"({{"decision":"{}","reasons":[)",
                           out.outcome == mandate::verdict::allow ? "allow" : "deny");
    for (std::size_t i = 0; i < reasons.size(); ++i)
      answers += fmt::format(R"({}"{}")", i > 0 ? "," : "", reasons[i]);
    answers += "]}\n";
  }
  if (!write_file(dir / "mandate.jsonl", answers)) return 2;

  std::vector<double> samples;
  samples.reserve(requests.size() * static_cast<std::size_t>(rounds));
  for (int round = 0; round < rounds; ++round) {
    for (const auto& req : requests) {
      const auto start = std::chrono::steady_clock::now();
      policies->evaluate(req, *entities, out, options);
      const auto stop = std::chrono::steady_clock::now();
      samples.push_back(std::chrono::duration<double, std::nano>(stop - start).count());
    }
  }
  double total = 0;
  for (double s : samples) total += s;
  std::sort(samples.begin(), samples.end());
  fmt::print(R"({{"requests":{},"p50_ns":{:.0f},"p99_ns":{:.0f},"mean_ns":{:.0f}}})"
             "\n",
             requests.size(), samples[samples.size() / 2], samples[samples.size() * 99 / 100],
             total / static_cast<double>(samples.size()));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string_view command = argv[1];
  if (command == "generate") return generate(argc, argv);
  if (command == "time") return time_decisions(argc, argv);
  return usage();
}
