// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// A seeded generator of realistic agent-authorization workloads (issue 9), shared by the
// benchmarks and the side-by-side comparison with Cedar:
//
// - 10,000 entities: departments > teams (a two-level group hierarchy), users in one or two
//   teams, agents that belong to a team and act for a user, tools (actions) in the action
//   groups read / write / admin, projects in departments, documents in projects with an owner
//   team and a sensitivity level (0 public .. 3 restricted);
// - N policies shaped as real sets grow: most are narrow grants (a user or an agent on a tool
//   over a document or a project), then team grants over a project, require_approval guards on
//   costly tools, forbids of sensitive documents to agents, agent ceilings, and one global
//   kill switch for suspended principals. Every policy names its principal or its action
//   precisely, as the index expects of well-written sets;
// - requests built from the policies themselves (so allow, deny and require_approval all occur)
//   and from random triples (mostly default denies), half of them made by agents.
//
// With `cedar_only` the text is plain Cedar (require_approval guards become forbids with a
// `context.approved` exception), so `@cedar-policy/cedar-wasm` can run the same workload.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mandate_bench {

struct workload_options {
  int policies = 100;
  int entities = 10'000;
  int requests = 512;
  bool cedar_only = false;
  std::uint64_t seed = 42;
};

struct generated_request {
  std::string json;        // Cedar's JSON request: principal, action, resource, context
  std::string context;     // its context, as a JSON object
  std::string acting_for;  // for an agent principal: the id of the User it acts for; else ""
  std::string peer;        // for an agent principal: another Agent of its team, if any; else ""
};

struct generated_workload {
  std::string policies;  // policy text
  std::string entities;  // Cedar entity JSON (an array)
  std::vector<generated_request> requests;
  int entity_count = 0;
};

[[nodiscard]] generated_workload generate_workload(const workload_options& options);

}  // namespace mandate_bench
