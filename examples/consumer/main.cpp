// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The smallest program that uses an installed Mandate: compile one policy, decide one request.
// Exits 0 when the request is allowed, so a test can run it.
#include <cstdio>
#include <string>

#include "mandate/mandate.hpp"

int main() {
  auto policies = mandate::policy_set::compile(R"(
    @id("agents-read")
    permit (principal == Agent::"support-bot", action == Action::"read", resource);
  )");
  if (!policies) {
    std::fputs(mandate::render(policies.error()).c_str(), stderr);
    return 1;
  }
  const mandate::request req({"Agent", "support-bot"}, {"Action", "read"}, {"Ticket", "42"});
  const mandate::decision d = policies->evaluate(req, mandate::entity_store{});
  std::printf("mandate %s: %s\n", std::string(mandate::version_string).c_str(), mandate::to_json(d).c_str());
  return d.allowed() ? 0 : 1;
}
