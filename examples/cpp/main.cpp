// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Embedding Mandate: load the example policies and entities, ask two questions in code, and
// act on the answers.
//
//   mandate_example [POLICY_DIR [ENTITIES_FILE]]
#include <cstdio>
#include <string>

#include "mandate/mandate.hpp"

#ifndef MANDATE_EXAMPLES_DIR
#define MANDATE_EXAMPLES_DIR "examples"
#endif

int main(int argc, char** argv) {
  const std::string policy_dir = argc > 1 ? argv[1] : MANDATE_EXAMPLES_DIR "/policies";
  const std::string entities_file = argc > 2 ? argv[2] : MANDATE_EXAMPLES_DIR "/entities.json";

  // Compile once at start-up; the policy set is immutable and can be shared by every thread.
  auto policies = mandate::policy_set::load(policy_dir);
  if (!policies) {
    std::fputs(mandate::render(policies.error()).c_str(), stderr);
    return 1;
  }
  auto entities = mandate::entity_store::load(entities_file);
  if (!entities) {
    std::fputs(mandate::render(entities.error()).c_str(), stderr);
    return 1;
  }

  // Alice's support agent reads a customer record during office hours.
  auto read = mandate::request({"User", "alice"}, {"Action", "read"}, {"Customer", "acme"})
                  .with_context_json(R"({"hour": 10, "source_ip": "10.1.2.3",
                                         "agent": {"__entity": {"type": "Agent", "id": "support-bot"}}})");
  // The same agent asks to refund 250: the refund is permitted, but large refunds need approval.
  auto refund = mandate::request({"User", "alice"}, {"Action", "refund"}, {"Customer", "acme"})
                    .with_context_json(R"({"hour": 10, "source_ip": "10.1.2.3", "amount": 250,
                                           "agent": {"__entity": {"type": "Agent", "id": "support-bot"}}})");
  if (!read || !refund) {
    std::fprintf(stderr, "bad request context: %s\n", (!read ? read.error() : refund.error()).c_str());
    return 1;
  }

  for (const mandate::request& req : {*read, *refund}) {
    const mandate::decision d = policies->evaluate(req, *entities);  // never throws
    std::printf("%s %s %s: %s\n", req.principal().id.c_str(), req.action().id.c_str(),
                req.resource().id.c_str(), std::string(mandate::to_string(d.outcome)).c_str());
    if (d.outcome == mandate::verdict::require_approval) {
      // The annotations of the deciding policies say whom to ask.
      for (const mandate::decision_annotation& a : d.annotations) {
        if (a.key == "approvers") std::printf("  ask %s (policy %s)\n", a.value.c_str(), a.policy.c_str());
      }
    }
    std::printf("  %s\n", mandate::to_json(d).c_str());
  }
  return 0;
}
