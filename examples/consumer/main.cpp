// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The smallest program that uses an installed Mandate: load policies and entities, decide one
// request, print it. Exits 0 when the request is allowed, so a test can run it.
//
//   consumer POLICY_DIR ENTITIES_FILE   the examples: Alice's support agent reads Customer::"acme"
//   consumer                            an inline policy, no entities
#include <cstdio>
#include <string>
#include <vector>

#include "mandate/mandate.hpp"

namespace {

int report(const mandate::decision& d) {
  std::printf("mandate %s: %s\n", std::string(mandate::version_string).c_str(), mandate::to_json(d).c_str());
  return d.allowed() ? 0 : 1;
}

template <typename T>
bool loaded(const mandate::expected<T, std::vector<mandate::diagnostic>>& result) {
  if (!result) std::fputs(mandate::render(result.error()).c_str(), stderr);
  return result.has_value();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    auto policies = mandate::policy_set::compile(R"(
      @id("bot-reads")
      permit (principal == Agent::"support-bot", action == Action::"read", resource);
    )");
    if (!loaded(policies)) return 1;
    const mandate::request req({"Agent", "support-bot"}, {"Action", "read"}, {"Ticket", "42"});
    return report(policies->evaluate(req, mandate::entity_store{}));
  }

  auto policies = mandate::policy_set::load(argv[1]);
  auto entities = mandate::entity_store::load(argv[2]);
  if (!loaded(policies) || !loaded(entities)) return 1;
  auto req = mandate::request({"User", "alice"}, {"Action", "read"}, {"Customer", "acme"})
                 .with_context_json(R"({"hour": 10, "source_ip": "10.1.2.3",
                                        "agent": {"__entity": {"type": "Agent", "id": "support-bot"}}})");
  if (!req) {
    std::fprintf(stderr, "bad context: %s\n", req.error().c_str());
    return 1;
  }
  return report(policies->evaluate(*req, *entities));
}
