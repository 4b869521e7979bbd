// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The workload generator described in workload.hpp.
#include "workload.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace mandate_bench {
namespace {

// What a generated policy admits, so requests can be built that reach it.
struct scope_sketch {
  enum class who : std::uint8_t { user, agent, team, any_agent, anyone } principal = who::anyone;
  int principal_id = 0;
  std::vector<int> tools;  // empty: the admin group
  enum class what : std::uint8_t { doc, project, any } resource = what::any;
  int resource_id = 0;
};

struct population {
  int departments = 10;
  int teams = 100;
  int users = 3000;
  int agents = 1000;
  int tools = 200;
  int projects = 300;
  int documents = 0;
  std::vector<std::vector<int>> users_of_team;
  std::vector<std::vector<int>> agents_of_team;
  std::vector<std::vector<int>> documents_of_project;
  std::vector<int> owner_of_agent;
  std::vector<int> team_of_agent;
};

// Tools 0..199 fall in the groups read (60%), write (30%) and admin (10%).
const char* tool_group(int tool) { return tool % 10 < 6 ? "read" : tool % 10 < 9 ? "write" : "admin"; }

std::string entity_ref(const char* type, const std::string& id) {
  return fmt::format(R"({{"type":"{}","id":"{}"}})", type, id);
}

}  // namespace

generated_workload generate_workload(const workload_options& options) {
  std::mt19937_64 rng(options.seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  population pop;
  // The fixed kinds take 4,613 entities; documents fill the rest up to `entities`.
  const int fixed = pop.departments + pop.teams + pop.users + pop.agents + pop.tools + 3 + pop.projects;
  pop.documents = std::max(100, options.entities - fixed);
  pop.users_of_team.resize(pop.teams);
  pop.agents_of_team.resize(pop.teams);
  pop.documents_of_project.resize(pop.projects);

  generated_workload out;
  std::string& e = out.entities;
  e.reserve(static_cast<std::size_t>(options.entities) * 200);
  e += '[';
  auto entity = [&](const char* type, const std::string& id, const std::string& attrs,
                    const std::string& parents) {
    e += fmt::format(R"({{"uid":{},"attrs":{{{}}},"parents":[{}]}},)", entity_ref(type, id), attrs, parents);
    ++out.entity_count;
  };
  for (int d = 0; d < pop.departments; ++d) entity("Department", fmt::format("d{}", d), "", "");
  for (int t = 0; t < pop.teams; ++t)
    entity("Team", fmt::format("t{}", t), "",
           entity_ref("Department", fmt::format("d{}", t % pop.departments)));
  for (int u = 0; u < pop.users; ++u) {
    const int first = pick(pop.teams);
    std::string parents = entity_ref("Team", fmt::format("t{}", first));
    pop.users_of_team[first].push_back(u);
    if (pick(4) == 0) {
      const int second = (first + 1 + pick(pop.teams - 1)) % pop.teams;
      parents += "," + entity_ref("Team", fmt::format("t{}", second));
      pop.users_of_team[second].push_back(u);
    }
    entity("User", fmt::format("u{}", u),
           fmt::format(R"("level":{},"suspended":{})", pick(4), pick(50) == 0 ? "true" : "false"), parents);
  }
  for (int a = 0; a < pop.agents; ++a) {
    const int team = pick(pop.teams);
    pop.agents_of_team[team].push_back(a);
    const int owner = pop.users_of_team[team].empty() ? pick(pop.users) : pop.users_of_team[team][0];
    pop.owner_of_agent.push_back(owner);
    pop.team_of_agent.push_back(team);
    entity("Agent", fmt::format("a{}", a),
           fmt::format(R"("owner":{{"__entity":{}}},"trusted":{})",
                       entity_ref("User", fmt::format("u{}", owner)), pick(3) == 0 ? "true" : "false"),
           entity_ref("Team", fmt::format("t{}", team)));
  }
  for (const char* group : {"read", "write", "admin"}) entity("Action", group, "", "");
  for (int k = 0; k < pop.tools; ++k)
    entity("Action", fmt::format("tool{}", k), "", entity_ref("Action", tool_group(k)));
  for (int p = 0; p < pop.projects; ++p)
    entity("Project", fmt::format("p{}", p), "",
           entity_ref("Department", fmt::format("d{}", p % pop.departments)));
  for (int d = 0; d < pop.documents; ++d) {
    const int project = pick(pop.projects);
    pop.documents_of_project[project].push_back(d);
    entity("Doc", fmt::format("doc{}", d),
           fmt::format(R"("sensitivity":{},"owner":{{"__entity":{}}})", pick(4),
                       entity_ref("Team", fmt::format("t{}", pick(pop.teams)))),
           entity_ref("Project", fmt::format("p{}", project)));
  }
  e.back() = ']';

  // ---- policies ----
  std::vector<scope_sketch> sketches;
  std::vector<std::size_t> team_grants;  // indices into sketches
  std::string& text = out.policies;
  text.reserve(static_cast<std::size_t>(options.policies) * 160);
  text +=
      "@id(\"suspended\")\n@reason(\"suspended principals do nothing\")\n"
      "forbid (principal, action, resource) when { principal has suspended && principal.suspended };\n";
  for (int p = 0; p < options.policies; ++p) {
    const int shape = pick(100);
    scope_sketch s;
    const int tool = pick(pop.tools);
    const int project = pick(pop.projects);
    text += fmt::format("@id(\"p{}\")\n", p);
    if (shape < 30) {
      s.principal = scope_sketch::who::user;
      s.principal_id = pick(pop.users);
      s.tools = {tool};
      s.resource = scope_sketch::what::doc;
      s.resource_id = pick(pop.documents);
      text += fmt::format(
          "permit (principal == User::\"u{}\", action == Action::\"tool{}\", resource == Doc::\"doc{}\");\n",
          s.principal_id, tool, s.resource_id);
    } else if (shape < 45) {
      s.principal = scope_sketch::who::agent;
      s.principal_id = pick(pop.agents);
      s.tools = {tool, (tool + 1) % pop.tools};
      s.resource = scope_sketch::what::project;
      s.resource_id = project;
      text += fmt::format(
          "permit (principal == Agent::\"a{}\", action in [Action::\"tool{}\", Action::\"tool{}\"], resource "
          "in "
          "Project::\"p{}\")\nwhen {{ resource.sensitivity <= 2 }};\n",
          s.principal_id, s.tools[0], s.tools[1], project);
    } else if (shape < 70) {
      s.principal = scope_sketch::who::team;
      s.principal_id = pick(pop.teams);
      s.tools = {tool, (tool + 7) % pop.tools, (tool + 13) % pop.tools};
      s.resource = scope_sketch::what::project;
      s.resource_id = project;
      text += fmt::format(
          "@reason(\"team t{} works on project p{}\")\n"
          "permit (principal in Team::\"t{}\", action in [Action::\"tool{}\", Action::\"tool{}\", "
          "Action::\"tool{}\"], "
          "resource in Project::\"p{}\")\nwhen {{ resource.sensitivity <= 2 && context.hour >= 7 }};\n",
          s.principal_id, project, s.principal_id, s.tools[0], s.tools[1], s.tools[2], project);
      team_grants.push_back(sketches.size());
    } else if (shape < 80) {
      // A guard on a tool some team was granted (guards protect what people can do), so the
      // requests built from it reach require_approval rather than a default deny.
      s.principal = scope_sketch::who::team;
      s.principal_id = pick(pop.teams);
      s.tools = {tool};
      if (!team_grants.empty()) {
        const scope_sketch& granted =
            sketches[team_grants[static_cast<std::size_t>(pick(static_cast<int>(team_grants.size())))]];
        s.principal_id = granted.principal_id;
        s.tools = {granted.tools[static_cast<std::size_t>(pick(static_cast<int>(granted.tools.size())))]};
        s.resource = scope_sketch::what::project;
        s.resource_id = granted.resource_id;
      }
      const int guarded_tool = s.tools[0];
      const int limit = 100 + pick(900);
      if (options.cedar_only) {
        text += fmt::format(
            "forbid (principal in Team::\"t{}\", action == Action::\"tool{}\", resource)\n"
            "when {{ context.amount > {} }} unless {{ context.approved }};\n",
            s.principal_id, guarded_tool, limit);
      } else {
        text += fmt::format(
            "@approvers(\"lead-t{}\")\n@reason(\"tool{} above {} needs the team lead\")\n"
            "require_approval (principal in Team::\"t{}\", action == Action::\"tool{}\", resource)\n"
            "when {{ context.amount > {} }};\n",
            s.principal_id, guarded_tool, limit, s.principal_id, guarded_tool, limit);
      }
    } else if (shape < 92) {
      s.principal = scope_sketch::who::any_agent;
      s.tools = {tool};
      s.resource = scope_sketch::what::project;
      s.resource_id = project;
      text += fmt::format(
          "@reason(\"agents never touch restricted documents of p{}\")\n"
          "forbid (principal is Agent, action == Action::\"tool{}\", resource in Project::\"p{}\")\n"
          "when {{ resource.sensitivity >= 3 }};\n",
          project, tool, project);
    } else {
      s.principal = scope_sketch::who::agent;
      s.principal_id = pick(pop.agents);
      text += fmt::format(
          "@reason(\"agent a{} needs an approval for admin tools\")\n"
          "forbid (principal == Agent::\"a{}\", action in Action::\"admin\", resource) unless {{ "
          "context.approved }};\n",
          s.principal_id, s.principal_id);
    }
    sketches.push_back(std::move(s));
  }

  // ---- requests ----
  auto user_ref = [](int u) { return entity_ref("User", fmt::format("u{}", u)); };
  auto agent_ref = [](int a) { return entity_ref("Agent", fmt::format("a{}", a)); };
  for (int r = 0; r < options.requests; ++r) {
    std::string principal;
    std::string acting_for;
    int tool = pick(pop.tools);
    int doc = pick(pop.documents);
    std::string peer;
    auto as_agent = [&](int a) {
      principal = agent_ref(a);
      peer.clear();
      for (int other :
           pop.agents_of_team[static_cast<std::size_t>(pop.team_of_agent[static_cast<std::size_t>(a)])])
        if (other != a) {
          peer = fmt::format("a{}", other);
          break;
        }
      acting_for = fmt::format("u{}", pop.owner_of_agent[static_cast<std::size_t>(a)]);
    };
    auto random_principal = [&] {
      if (pick(2) == 0) {
        as_agent(pick(pop.agents));
      } else {
        principal = user_ref(pick(pop.users));
      }
    };
    if (pick(100) < 60 && !sketches.empty()) {
      const scope_sketch& s = sketches[static_cast<std::size_t>(pick(static_cast<int>(sketches.size())))];
      switch (s.principal) {
        case scope_sketch::who::user:
          principal = user_ref(s.principal_id);
          break;
        case scope_sketch::who::agent:
          as_agent(s.principal_id);
          break;
        case scope_sketch::who::team: {
          const auto& users = pop.users_of_team[static_cast<std::size_t>(s.principal_id)];
          const auto& agents = pop.agents_of_team[static_cast<std::size_t>(s.principal_id)];
          if (!agents.empty() && (users.empty() || pick(2) == 0)) {
            as_agent(agents[static_cast<std::size_t>(pick(static_cast<int>(agents.size())))]);
          } else if (!users.empty()) {
            principal = user_ref(users[static_cast<std::size_t>(pick(static_cast<int>(users.size())))]);
          } else {
            random_principal();
          }
          break;
        }
        case scope_sketch::who::any_agent:
          as_agent(pick(pop.agents));
          break;
        case scope_sketch::who::anyone:
          random_principal();
          break;
      }
      if (!s.tools.empty()) {
        tool = s.tools[static_cast<std::size_t>(pick(static_cast<int>(s.tools.size())))];
      } else {
        tool = 10 * pick(pop.tools / 10) + 9;  // an admin tool
      }
      if (s.resource == scope_sketch::what::doc) {
        doc = s.resource_id;
      } else if (s.resource == scope_sketch::what::project) {
        const auto& docs = pop.documents_of_project[static_cast<std::size_t>(s.resource_id)];
        if (!docs.empty()) doc = docs[static_cast<std::size_t>(pick(static_cast<int>(docs.size())))];
      }
    } else {
      random_principal();
    }
    generated_request req;
    req.context = fmt::format(R"({{"hour":{},"amount":{},"approved":{}}})", pick(24), pick(2000),
                              pick(5) == 0 ? "true" : "false");
    req.json = fmt::format(
        R"({{"principal":{},"action":{{"type":"Action","id":"tool{}"}},"resource":{{"type":"Doc","id":"doc{}"}},"context":{}}})",
        principal, tool, doc, req.context);
    req.acting_for = acting_for;
    req.peer = peer;
    out.requests.push_back(std::move(req));
  }
  return out;
}

}  // namespace mandate_bench
