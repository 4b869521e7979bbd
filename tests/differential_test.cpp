// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Differential test: random Cedar policy sets, entity stores and requests, evaluated by the plan
// evaluator and by the reference tree walker in both modes; the two must give the same decision
// to the byte. A seeded generator makes every failure reproducible: the failure message prints
// the seed, the policy text, the entities and the request, and MANDATE_DIFF_SEED=<n> reruns one
// seed (MANDATE_DIFF_SEEDS=<count> runs more; MANDATE_DIFF_STATS=1 prints the outcome mix).
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mandate/mandate.hpp"

namespace {

using json = nlohmann::ordered_json;
using mandate::decision;
using mandate::eval_mode;
using mandate::evaluator;

constexpr std::int64_t long_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t long_min = std::numeric_limits<std::int64_t>::min();

struct ent {
  std::string type;
  std::string id;
};

std::string cedar(const ent& e) { return e.type + "::\"" + e.id + "\""; }
json uid_json(const ent& e) { return json{{"type", e.type}, {"id", e.id}}; }
json ref_json(const ent& e) { return json{{"__entity", uid_json(e)}}; }
json extn(std::string_view fn, std::string_view arg) {
  return json{{"__extn", json{{"fn", fn}, {"arg", arg}}}};
}

// A Long literal in Cedar text; the smallest Long only parses as a folded negative literal.
std::string long_text(std::int64_t v) {
  if (v < 0) return "(" + std::to_string(v) + ")";
  return std::to_string(v);
}

// Values used as strings everywhere, so `==` and `like` sometimes hold. No quote or backslash.
constexpr std::array<std::string_view, 10> string_pool = {
    "eng", "sales", "restricted", "public", "ham and eggs", "a*b", "", "Paris", "héllo", "viewer"};
constexpr std::array<std::string_view, 12> like_pool = {"*",     "",    "eng",   "e*",  "*s",    "*and*",
                                                        "a\\*b", "a*b", "*\\**", "h*o", "P*r*s", "**"};
constexpr std::array<std::string_view, 6> role_pool = {"viewer",         "editor", "admin",
                                                       "payments:write", "eng",    ""};
constexpr std::array<std::string_view, 6> ip_pool = {"10.0.0.1",  "10.0.0.0/8", "192.168.1.10",
                                                     "127.0.0.1", "::1",        "fe80::/10"};
constexpr std::array<std::string_view, 5> decimal_pool = {"1.5", "-0.0123", "12.50", "922337203685477.5807",
                                                          "0.0"};
constexpr std::array<std::string_view, 5> datetime_pool = {"2025-01-01", "2025-06-01T10:30:00Z", "1970-01-01",
                                                           "2024-02-29T23:59:59.999Z",
                                                           "2025-06-01T12:00:00+0200"};
constexpr std::array<std::string_view, 6> duration_pool = {"1h",          "90m", "-3d",
                                                           "1d2h3m4s5ms", "0ms", "106751991167d"};
// Strings that fail as extension literals, so constructors err at evaluation time.
constexpr std::array<std::string_view, 4> bad_extension_pool = {"bad", "1.23456", "2025-13-01", "1x"};

class random_source {
 public:
  explicit random_source(std::uint64_t seed) : engine_(seed) {}
  // Modulo rather than std::uniform_int_distribution: the sequence must not depend on the
  // standard library, or a seed printed on one machine would not reproduce on another.
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(engine_() % n); }
  bool chance(double p) { return static_cast<double>(engine_() % 1'000'000) < p * 1'000'000.0; }
  template <typename C>
  const auto& pick(const C& items) {
    return items[below(items.size())];
  }

 private:
  std::mt19937_64 engine_;
};

// One random world: entities with a random hierarchy and attributes, and the names that
// policies and requests draw from (some of them missing from the store on purpose).
struct world {
  std::vector<ent> users, groups, agents, docs, folders, actions, action_groups;
  std::vector<ent> ghosts;  // referenced but never in the store
  json entities = json::array();
};

class generator {
 public:
  explicit generator(std::uint64_t seed) : rng_(seed) {}

  world make_world() {
    world w;
    for (int i = 0; i < 4; ++i) w.groups.push_back({"Group", "g" + std::to_string(i)});
    for (int i = 0; i < 5; ++i) w.users.push_back({"User", "u" + std::to_string(i)});
    for (int i = 0; i < 3; ++i) w.agents.push_back({"Agent", "a" + std::to_string(i)});
    for (int i = 0; i < 3; ++i) w.folders.push_back({"Folder", "f" + std::to_string(i)});
    for (int i = 0; i < 5; ++i) w.docs.push_back({"Doc", "d" + std::to_string(i)});
    for (const char* a : {"read", "list", "write", "delete", "pay"}) w.actions.push_back({"Action", a});
    for (const char* a : {"readOnly", "mutate", "all"}) w.action_groups.push_back({"Action", a});
    w.ghosts = {{"User", "ghost"}, {"Group", "ghost"}, {"Doc", "ghost"}, {"Agent", "ghost"}};
    world_ = &w;

    auto add = [&](const ent& e, json attrs, std::vector<ent> parents, bool with_tags) {
      json item{{"uid", uid_json(e)}, {"attrs", std::move(attrs)}};
      json ps = json::array();
      for (const ent& p : parents) ps.push_back(uid_json(p));
      item["parents"] = std::move(ps);
      if (with_tags) item["tags"] = random_tags();
      w.entities.push_back(std::move(item));
    };
    auto some_of = [&](const std::vector<ent>& from, std::size_t limit, double p) {
      std::vector<ent> out;
      for (std::size_t i = 0; i < limit && i < from.size(); ++i)
        if (rng_.chance(p)) out.push_back(from[i]);
      return out;
    };

    for (std::size_t i = 0; i < w.groups.size(); ++i) {
      std::vector<ent> parents = some_of(w.groups, i, 0.5);
      // Sometimes a cycle through the first group: Cedar accepts cyclic data.
      if (i == 0 && rng_.chance(0.2)) parents.push_back(w.groups.back());
      add(w.groups[i], attrs({{"name", str()}, {"level", small_long()}}), std::move(parents),
          rng_.chance(0.3));
    }
    for (const ent& u : w.users) {
      json address = attrs({{"city", str()}, {"zip", any_long()}});
      if (rng_.chance(0.7)) address["geo"] = attrs({{"lat", small_long()}, {"tags", string_set()}});
      add(u,
          attrs({{"age", any_long()},
                 {"level", small_long()},
                 {"name", str()},
                 {"active", rng_.chance(0.5)},
                 {"roles", string_set()},
                 {"manager", ref_json(any_entity())},
                 {"address", address},
                 {"groups", entity_set()},
                 {"ip", extn("ip", rng_.pick(ip_pool))},
                 {"limit", extn("decimal", rng_.pick(decimal_pool))}}),
          some_of(w.groups, w.groups.size(), 0.4), rng_.chance(0.5));
    }
    for (const ent& a : w.agents) {
      std::vector<ent> parents = some_of(w.users, w.users.size(), 0.3);
      for (const ent& g : some_of(w.groups, w.groups.size(), 0.2)) parents.push_back(g);
      add(a,
          attrs({{"owner", ref_json(rng_.pick(w.users))},
                 {"scopes", string_set()},
                 {"clearance", small_long()},
                 {"delegate", ref_json(any_entity())},
                 {"active", rng_.chance(0.7)}}),
          parents, rng_.chance(0.5));
    }
    for (std::size_t i = 0; i < w.folders.size(); ++i) {
      add(w.folders[i], attrs({{"name", str()}, {"owner", ref_json(rng_.pick(w.users))}}),
          some_of(w.folders, i, 0.6), rng_.chance(0.2));
    }
    for (const ent& d : w.docs) {
      add(d,
          attrs({{"owner", ref_json(rng_.chance(0.8) ? rng_.pick(w.users) : any_entity())},
                 {"public", rng_.chance(0.5)},
                 {"size", any_long()},
                 {"labels", string_set()},
                 {"sensitivity", str()},
                 {"meta", attrs({{"level", small_long()},
                                 {"created", extn("datetime", rng_.pick(datetime_pool))},
                                 {"reviewers", entity_set()}})}}),
          some_of(w.folders, w.folders.size(), 0.5), rng_.chance(0.6));
    }
    // Actions: leaves under readOnly / mutate, both under all; the shape varies per seed, and
    // sometimes an action is left out of the store so requests name an unknown action.
    const ent& read_only = w.action_groups[0];
    const ent& mutate = w.action_groups[1];
    const ent& all = w.action_groups[2];
    for (const ent& a : w.actions) {
      if (a.id != "read" && rng_.chance(0.15)) continue;
      std::vector<ent> parents;
      if (a.id == "read" || (a.id == "list" && rng_.chance(0.8))) parents.push_back(read_only);
      if ((a.id == "write" || a.id == "delete") && rng_.chance(0.85)) parents.push_back(mutate);
      if (a.id == "pay" && rng_.chance(0.5)) parents.push_back(all);
      if (a.id == "list" && rng_.chance(0.2)) parents.push_back(mutate);
      add(a, attrs({{"rank", small_long()}}), parents, false);
    }
    add(read_only, json::object(), rng_.chance(0.85) ? std::vector<ent>{all} : std::vector<ent>{}, false);
    add(mutate, json::object(), rng_.chance(0.85) ? std::vector<ent>{all} : std::vector<ent>{}, false);
    add(all, json::object(), {}, false);
    world_ = nullptr;
    return w;
  }

  std::string make_policies(const world& w) {
    world_ = &w;
    std::string text;
    const std::size_t count = 4 + rng_.below(9);
    for (std::size_t i = 0; i < count; ++i) {
      if (rng_.chance(0.5)) text += "@id(\"p" + std::to_string(i) + "\") ";
      if (rng_.chance(0.3)) text += "@reason(\"" + std::string(rng_.pick(string_pool)) + "\") ";
      if (rng_.chance(0.15)) text += "@approvers(\"admins\") ";
      if (rng_.chance(0.1)) text += "@flag ";
      const std::size_t effect = rng_.below(20);
      text += effect < 10 ? "permit" : effect < 14 ? "forbid" : "require_approval";
      text += " (" + principal_scope() + ", " + action_scope() + ", " + resource_scope() + ")";
      const std::size_t conditions = rng_.below(3);
      for (std::size_t c = 0; c < conditions; ++c) {
        text += rng_.chance(0.7) ? "\n  when { " : "\n  unless { ";
        text += boolean(static_cast<int>(1 + rng_.below(4)));
        text += " }";
      }
      text += ";\n";
    }
    world_ = nullptr;
    return text;
  }

  json make_request(const world& w) {
    world_ = &w;
    const ent principal = rng_.chance(0.1)   ? rng_.pick(w.ghosts)
                          : rng_.chance(0.6) ? rng_.pick(w.users)
                          : rng_.chance(0.7) ? rng_.pick(w.agents)
                                             : rng_.pick(w.groups);
    ent action = rng_.chance(0.85) ? rng_.pick(w.actions) : rng_.pick(w.action_groups);
    if (rng_.chance(0.05)) action = {"Action", "ghost"};
    if (rng_.chance(0.03)) action = {"Acme::Action", "read"};
    const ent resource = rng_.chance(0.08)   ? rng_.pick(w.ghosts)
                         : rng_.chance(0.75) ? rng_.pick(w.docs)
                         : rng_.chance(0.8)  ? rng_.pick(w.folders)
                                             : rng_.pick(w.users);
    json context = attrs({{"amount", any_long()},
                          {"flag", rng_.chance(0.5)},
                          {"s", str()},
                          {"path", rng_.chance(0.5) ? "/public/x" : "/private/y"},
                          {"tags", string_set()},
                          {"r", attrs({{"x", small_long()}, {"y", attrs({{"z", str()}})}})},
                          {"ip", extn("ip", rng_.pick(ip_pool))},
                          {"dec", extn("decimal", rng_.pick(decimal_pool))},
                          {"now", extn("datetime", rng_.pick(datetime_pool))},
                          {"who", ref_json(any_entity())},
                          {"spaced key", small_long()}});
    world_ = nullptr;
    return json{{"principal", uid_json(principal)},
                {"action", uid_json(action)},
                {"resource", uid_json(resource)},
                {"context", std::move(context)}};
  }

 private:
  // ---- data -----------------------------------------------------------------------------

  // Each attribute is present with probability 0.9 and has a value of the wrong type with
  // probability 0.03, so guards, missing attributes and type errors all happen.
  json attrs(std::initializer_list<std::pair<const char*, json>> fields) {
    json out = json::object();
    for (const auto& [key, v] : fields) {
      if (!rng_.chance(0.9)) continue;
      out[key] = rng_.chance(0.03) ? wrong_value() : v;
    }
    return out;
  }
  json wrong_value() {
    switch (rng_.below(4)) {
      case 0:
        return json(str());
      case 1:
        return json(small_long());
      case 2:
        return json(rng_.chance(0.5));
      default:
        return json::array({1, "x"});
    }
  }
  std::string str() { return std::string(rng_.pick(string_pool)); }
  std::int64_t small_long() { return static_cast<std::int64_t>(rng_.below(8)); }
  std::int64_t any_long() {
    switch (rng_.below(12)) {
      case 0:
        return long_max;
      case 1:
        return long_min;
      case 2:
        return std::int64_t{1} << 62;
      case 3:
        return -static_cast<std::int64_t>(rng_.below(100));
      default:
        return static_cast<std::int64_t>(rng_.below(300));
    }
  }
  json string_set() {
    json out = json::array();
    const std::size_t n = rng_.below(4);
    for (std::size_t i = 0; i < n; ++i) out.push_back(rng_.pick(role_pool));
    return out;
  }
  json entity_set() {
    json out = json::array();
    const std::size_t n = rng_.below(3);
    for (std::size_t i = 0; i < n; ++i) out.push_back(ref_json(any_entity()));
    return out;
  }
  json random_tags() {
    json tags = json::object();
    if (rng_.chance(0.7)) tags["dept"] = str();
    if (rng_.chance(0.5)) tags["level"] = small_long();
    if (rng_.chance(0.4)) tags["k"] = rng_.chance(0.8) ? json(str()) : json(string_set());
    return tags;
  }

  const ent& any_entity() {
    const world& w = *world_;
    switch (rng_.below(8)) {
      case 0:
        return rng_.pick(w.groups);
      case 1:
        return rng_.pick(w.agents);
      case 2:
        return rng_.pick(w.docs);
      case 3:
        return rng_.pick(w.folders);
      case 4:
        return rng_.pick(w.ghosts);
      default:
        return rng_.pick(w.users);
    }
  }

  // ---- scopes ---------------------------------------------------------------------------

  const ent& group_like() {
    const world& w = *world_;
    return rng_.chance(0.1)    ? rng_.pick(w.ghosts)
           : rng_.chance(0.75) ? rng_.pick(w.groups)
                               : rng_.pick(w.users);
  }
  std::string principal_scope() {
    const world& w = *world_;
    switch (rng_.below(10)) {
      case 0:
      case 1:
        return "principal == " + cedar(rng_.chance(0.6) ? rng_.pick(w.users) : rng_.pick(w.agents));
      case 2:
      case 3:
        return "principal in " + cedar(group_like());
      case 4:
        return std::string("principal is ") + pick_type();
      case 5:
        return std::string("principal is ") + pick_type() + " in " + cedar(group_like());
      default:
        return "principal";
    }
  }
  std::string action_scope() {
    const world& w = *world_;
    auto any_action = [&]() -> const ent& {
      return rng_.chance(0.6) ? rng_.pick(w.actions) : rng_.pick(w.action_groups);
    };
    switch (rng_.below(10)) {
      case 0:
      case 1:
        return "action == " + cedar(rng_.pick(w.actions));
      case 2:
      case 3:
        return "action in " + cedar(any_action());
      case 4:
      case 5: {
        std::string list = "action in [";
        const std::size_t n = 1 + rng_.below(3);
        for (std::size_t i = 0; i < n; ++i) list += (i ? ", " : "") + cedar(any_action());
        return list + "]";
      }
      default:
        return "action";
    }
  }
  std::string resource_scope() {
    const world& w = *world_;
    auto container = [&]() -> const ent& {
      return rng_.chance(0.7)   ? rng_.pick(w.folders)
             : rng_.chance(0.5) ? rng_.pick(w.docs)
                                : rng_.pick(w.ghosts);
    };
    switch (rng_.below(11)) {
      case 0:
        return "resource == " + cedar(rng_.pick(w.docs));
      case 1:
      case 2:
        return "resource in " + cedar(container());
      case 3:
        return rng_.chance(0.8) ? "resource is Doc" : "resource is Folder";
      case 4:
        return "resource is Doc in " + cedar(container());
      default:
        return "resource";
    }
  }
  const char* pick_type() {
    static constexpr std::array<const char*, 6> types = {"User", "Agent",  "Group",
                                                         "Doc",  "Folder", "Acme::User"};
    return rng_.pick(types);
  }

  // ---- expressions ----------------------------------------------------------------------
  //
  // Each generator aims at one type but, with a small probability, produces another type, so
  // operators see mismatched operands. Every compound operand is parenthesised, so the text
  // always parses whatever the precedence.

  static std::string paren(const std::string& e) { return "(" + e + ")"; }

  bool mismatch() { return rng_.chance(0.05); }
  std::string any_type(int depth) {
    switch (rng_.below(7)) {
      case 0:
        return boolean(depth);
      case 1:
        return number(depth);
      case 2:
        return string(depth);
      case 3:
        return entity(depth);
      case 4:
        return set(depth);
      case 5:
        return record(depth);
      default:
        return extension(depth);
    }
  }

  // Attribute access on an entity or record expression, `.name` or `["name"]`.
  std::string access(int depth, const std::array<const char*, 6>& names) {
    const std::string base = rng_.chance(0.5) ? entity(depth - 1) : record(depth - 1);
    const char* name = rng_.pick(names);
    return rng_.chance(0.8) ? paren(base) + "." + name : paren(base) + "[\"" + name + "\"]";
  }

  std::string boolean(int depth) {
    static constexpr std::array<const char*, 8> leaves = {"true",
                                                          "false",
                                                          "principal.active",
                                                          "resource.public",
                                                          "context.flag",
                                                          "principal.manager.active",
                                                          "true",
                                                          "resource.owner.active"};
    if (depth <= 0) return mismatch() ? any_type(0) : rng_.pick(leaves);
    const int d = depth - 1;
    switch (rng_.below(24)) {
      case 0:
        return paren(boolean(d)) + " && " + paren(boolean(d));
      case 1:
        return paren(boolean(d)) + " || " + paren(boolean(d));
      case 2:
        return "!" + paren(boolean(d));
      case 3:
      case 4: {
        static constexpr std::array<const char*, 6> ops = {"==", "!=", "<", "<=", ">", ">="};
        return paren(number(d)) + " " + rng_.pick(ops) + " " + paren(number(d));
      }
      case 5:
        return paren(any_type(d)) + (rng_.chance(0.5) ? " == " : " != ") + paren(any_type(d));
      case 6:
        return paren(string(d)) + " == " + paren(string(d));
      case 7:
        return paren(entity(d)) + " == " + paren(entity(d));
      case 8:
        return paren(entity(d)) + " in " + paren(rng_.chance(0.6) ? entity(d) : entity_set(d));
      case 9: {
        static constexpr std::array<const char*, 10> paths = {
            "age",     "level", "name",           "address.city", "address.geo.lat",
            "manager", "r.y.z", "\"spaced key\"", "owner",        "meta.created"};
        const std::string base = rng_.chance(0.6) ? entity(d) : record(d);
        return paren(base) + " has " + rng_.pick(paths);
      }
      case 10:
        return paren(string(d)) + " like \"" + std::string(rng_.pick(like_pool)) + "\"";
      case 11:
        return paren(entity(d)) + " is " + pick_type();
      case 12:
        return paren(entity(d)) + " is " + pick_type() + " in " +
               paren(rng_.chance(0.7) ? entity(d) : entity_set(d));
      case 13:
        return paren(set(d)) + ".contains(" + any_type(d) + ")";
      case 14:
        return paren(set(d)) + (rng_.chance(0.5) ? ".containsAll(" : ".containsAny(") + set(d) + ")";
      case 15:
        return paren(set(d)) + ".isEmpty()";
      case 16:
        return paren(entity(d)) + ".hasTag(" + tag_key(d) + ")";
      case 17:
        return "if " + boolean(d) + " then " + boolean(d) + " else " + boolean(d);
      case 18: {
        static constexpr std::array<const char*, 6> names = {"active", "public", "flag", "x", "nope", "age"};
        return access(depth, names);
      }
      case 19: {
        static constexpr std::array<const char*, 8> predicates = {".isIpv4()",
                                                                  ".isIpv6()",
                                                                  ".isLoopback()",
                                                                  ".isMulticast()",
                                                                  ".isInRange(ip(\"10.0.0.0/8\"))",
                                                                  ".isInRange(context.ip)",
                                                                  ".isInRange(principal.ip)",
                                                                  ".isInRange(ip(\"::/0\"))"};
        return paren(ip(d)) + rng_.pick(predicates);
      }
      case 20: {
        static constexpr std::array<const char*, 4> methods = {".lessThan(", ".lessThanOrEqual(",
                                                               ".greaterThan(", ".greaterThanOrEqual("};
        return paren(decimal(d)) + rng_.pick(methods) + decimal(d) + ")";
      }
      case 21: {
        static constexpr std::array<const char*, 4> ops = {"<", "<=", ">", "=="};
        return rng_.chance(0.5) ? paren(datetime(d)) + " " + rng_.pick(ops) + " " + paren(datetime(d))
                                : paren(duration(d)) + " " + rng_.pick(ops) + " " + paren(duration(d));
      }
      case 22:
        return paren(entity(d)) + ".getTag(" + tag_key(d) + ") == " + paren(any_type(d));
      default:
        return paren(record(d)) + " == " + paren(record(d));
    }
  }

  std::string tag_key(int depth) {
    static constexpr std::array<const char*, 5> keys = {"\"dept\"", "\"level\"", "\"k\"", "\"nope\"",
                                                        "context.s"};
    return rng_.chance(0.9) ? rng_.pick(keys) : string(depth);
  }

  std::string number(int depth) {
    static constexpr std::array<const char*, 10> leaves = {
        "principal.age", "principal.level",        "resource.size",       "context.amount",
        "context.r.x",   "principal.address.zip",  "resource.meta.level", "principal.clearance",
        "action.rank",   "context[\"spaced key\"]"};
    if (depth <= 0) {
      if (mismatch()) return any_type(0);
      switch (rng_.below(3)) {
        case 0:
          return long_text(any_long());
        case 1:
          return std::to_string(rng_.below(10));
        default:
          return rng_.pick(leaves);
      }
    }
    const int d = depth - 1;
    switch (rng_.below(11)) {
      case 8: {  // near the edge of the range, so overflow is likely
        static constexpr std::array<const char*, 4> ops = {" + ", " - ", " * ", " - "};
        return paren(number(d)) + rng_.pick(ops) + long_text(rng_.chance(0.5) ? long_max - 1 : long_min + 1);
      }
      case 0:
        return paren(number(d)) + " + " + paren(number(d));
      case 1:
        return paren(number(d)) + " - " + paren(number(d));
      case 2:
        return paren(number(d)) + " * " + paren(number(d));
      case 3:
        return "-" + paren(number(d));
      case 4:
        return "if " + boolean(d) + " then " + number(d) + " else " + number(d);
      case 5:
        return paren(entity(d)) + ".getTag(\"level\")";
      case 6: {
        static constexpr std::array<const char*, 5> conversions = {".toMilliseconds()", ".toSeconds()",
                                                                   ".toMinutes()", ".toHours()", ".toDays()"};
        return paren(duration(d)) + rng_.pick(conversions);
      }
      case 7: {
        static constexpr std::array<const char*, 6> names = {"age", "level", "size", "zip", "x", "lat"};
        return access(depth, names);
      }
      default:
        return number(0);
    }
  }

  std::string string(int depth) {
    static constexpr std::array<const char*, 7> leaves = {
        "principal.name", "resource.sensitivity",  "context.s", "principal.address.city", "context.r.y.z",
        "context.path",   "principal.manager.name"};
    if (depth <= 0) {
      if (mismatch()) return any_type(0);
      return rng_.chance(0.5) ? "\"" + str() + "\"" : rng_.pick(leaves);
    }
    const int d = depth - 1;
    switch (rng_.below(6)) {
      case 0:
        return "if " + boolean(d) + " then " + string(d) + " else " + string(d);
      case 1:
        return paren(entity(d)) + ".getTag(\"dept\")";
      case 2: {
        static constexpr std::array<const char*, 6> names = {"name", "sensitivity", "city", "s", "z", "path"};
        return access(depth, names);
      }
      default:
        return string(0);
    }
  }

  std::string entity(int depth) {
    static constexpr std::array<const char*, 8> leaves = {
        "principal",         "action",      "resource",        "resource.owner",
        "principal.manager", "context.who", "principal.owner", "principal.delegate"};
    if (depth <= 0) {
      if (mismatch()) return any_type(0);
      return rng_.chance(0.6) ? rng_.pick(leaves) : cedar(any_entity());
    }
    const int d = depth - 1;
    switch (rng_.below(6)) {
      case 0:
        return "if " + boolean(d) + " then " + entity(d) + " else " + entity(d);
      case 1: {
        static constexpr std::array<const char*, 6> names = {"owner",    "manager", "who",
                                                             "delegate", "owner",   "x"};
        return access(depth, names);
      }
      case 2:
        return cedar(rng_.pick(world_->action_groups));
      default:
        return entity(0);
    }
  }

  std::string entity_set(int depth) {
    if (rng_.chance(0.3)) {
      static constexpr std::array<const char*, 3> leaves = {"principal.groups", "resource.meta.reviewers",
                                                            "principal.address.geo.tags"};
      return rng_.pick(leaves);
    }
    std::string out = "[";
    const std::size_t n = rng_.below(4);
    for (std::size_t i = 0; i < n; ++i)
      out += (i ? ", " : "") + (rng_.chance(0.9) ? entity(depth) : any_type(0));
    return out + "]";
  }

  std::string set(int depth) {
    static constexpr std::array<const char*, 6> leaves = {"principal.roles",  "resource.labels",
                                                          "context.tags",     "principal.groups",
                                                          "principal.scopes", "context.r"};
    if (depth <= 0) {
      if (mismatch()) return any_type(0);
      if (rng_.chance(0.6)) return rng_.pick(leaves);
    }
    const int d = depth > 0 ? depth - 1 : 0;
    switch (rng_.below(5)) {
      case 0:
        return entity_set(d);
      case 1:
        return "if " + boolean(d) + " then " + set(d) + " else " + set(d);
      case 2:
        return rng_.pick(leaves);
      default: {
        std::string out = "[";
        const std::size_t n = rng_.below(4);
        for (std::size_t i = 0; i < n; ++i) {
          std::string item;
          switch (rng_.below(4)) {
            case 0:
              item = "\"" + std::string(rng_.pick(role_pool)) + "\"";
              break;
            case 1:
              item = number(d > 0 ? d - 1 : 0);
              break;
            case 2:
              item = "\"" + str() + "\"";
              break;
            default:
              item = any_type(d > 0 ? d - 1 : 0);
              break;
          }
          out += (i ? ", " : "") + item;
        }
        return out + "]";
      }
    }
  }

  std::string record(int depth) {
    static constexpr std::array<const char*, 6> leaves = {
        "context", "context.r", "principal.address", "resource.meta", "principal.address.geo", "context.r.y"};
    if (depth <= 0) {
      if (mismatch()) return any_type(0);
      if (rng_.chance(0.7)) return rng_.pick(leaves);
    }
    const int d = depth > 0 ? depth - 1 : 0;
    if (rng_.chance(0.3)) return rng_.pick(leaves);
    if (rng_.chance(0.15)) return "if " + boolean(d) + " then " + record(d) + " else " + record(d);
    // A literal, possibly nested; keys are identifiers or strings, never repeated.
    static constexpr std::array<const char*, 6> keys = {"x", "y", "\"z\"", "age", "\"spaced key\"", "name"};
    std::string out = "{";
    const std::size_t n = rng_.below(4);
    for (std::size_t i = 0; i < n; ++i) {
      const std::string value = rng_.chance(0.2) ? record(d > 0 ? d - 1 : 0) : any_type(d > 0 ? d - 1 : 0);
      out += (i ? ", " : "") + std::string(keys[i]) + ": " + value;
    }
    return out + "}";
  }

  std::string literal_call(const char* fn, std::string_view good) {
    const std::string_view arg = rng_.chance(0.1) ? rng_.pick(bad_extension_pool) : good;
    return std::string(fn) + "(\"" + std::string(arg) + "\")";
  }
  std::string ip(int depth) {
    if (depth > 0 && rng_.chance(0.2)) return "ip(" + string(depth - 1) + ")";
    switch (rng_.below(4)) {
      case 0:
        return "context.ip";
      case 1:
        return "principal.ip";
      default:
        return mismatch() ? any_type(0) : literal_call("ip", rng_.pick(ip_pool));
    }
  }
  std::string decimal(int) {
    switch (rng_.below(4)) {
      case 0:
        return "context.dec";
      case 1:
        return "principal.limit";
      default:
        return mismatch() ? any_type(0) : literal_call("decimal", rng_.pick(decimal_pool));
    }
  }
  std::string datetime(int depth) {
    if (depth > 0) {
      const int d = depth - 1;
      switch (rng_.below(6)) {
        case 0:
          return paren(datetime(d)) + ".offset(" + duration(d) + ")";
        case 1:
          return paren(datetime(d)) + ".toDate()";
        default:
          break;
      }
    }
    switch (rng_.below(4)) {
      case 0:
        return "context.now";
      case 1:
        return "resource.meta.created";
      default:
        return mismatch() ? any_type(0) : literal_call("datetime", rng_.pick(datetime_pool));
    }
  }
  std::string duration(int depth) {
    if (depth > 0) {
      const int d = depth - 1;
      switch (rng_.below(5)) {
        case 0:
          return paren(datetime(d)) + ".durationSince(" + datetime(d) + ")";
        case 1:
          return paren(datetime(d)) + ".toTime()";
        default:
          break;
      }
    }
    return mismatch() ? any_type(0) : literal_call("duration", rng_.pick(duration_pool));
  }
  std::string extension(int depth) {
    switch (rng_.below(4)) {
      case 0:
        return ip(depth);
      case 1:
        return decimal(depth);
      case 2:
        return datetime(depth);
      default:
        return duration(depth);
    }
  }

  random_source rng_;
  const world* world_ = nullptr;
};

std::string describe(const decision& d) {
  std::string out = mandate::to_json(d);
  out += "\n    annotations in order:";
  for (const auto& a : d.annotations) out += " " + a.policy + "." + a.key + "=\"" + a.value + "\"";
  return out;
}

bool same(const decision& a, const decision& b) {
  if (a.outcome != b.outcome || a.reasons != b.reasons || a.mode != b.mode ||
      a.failed_closed != b.failed_closed || a.errors.size() != b.errors.size() ||
      a.annotations.size() != b.annotations.size())
    return false;
  for (std::size_t i = 0; i < a.errors.size(); ++i) {
    if (a.errors[i].policy != b.errors[i].policy || a.errors[i].message != b.errors[i].message) return false;
  }
  for (std::size_t i = 0; i < a.annotations.size(); ++i) {
    const auto& x = a.annotations[i];
    const auto& y = b.annotations[i];
    if (x.policy != y.policy || x.key != y.key || x.value != y.value) return false;
  }
  return true;
}

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text == nullptr || *text == '\0' ? fallback : std::strtoull(text, nullptr, 10);
}

struct tally {
  std::size_t decisions = 0;
  std::size_t allow = 0;
  std::size_t deny_by_forbid = 0;
  std::size_t default_deny = 0;
  std::size_t require_approval = 0;
  std::size_t with_errors = 0;
  std::size_t failed_closed = 0;
  std::size_t errors = 0;
  std::size_t overflow_errors = 0;
  std::size_t missing_errors = 0;
  std::size_t type_errors = 0;
  std::size_t extension_errors = 0;
  std::size_t modes_differ = 0;
  std::size_t disagreements = 0;

  void count(const decision& d) {
    ++decisions;
    switch (d.outcome) {
      case mandate::verdict::allow:
        ++allow;
        break;
      case mandate::verdict::require_approval:
        ++require_approval;
        break;
      case mandate::verdict::deny:
        ++(d.reasons.empty() ? default_deny : deny_by_forbid);
        break;
    }
    if (!d.errors.empty()) ++with_errors;
    if (d.failed_closed) ++failed_closed;
    for (const auto& e : d.errors) {
      ++errors;
      const std::string& m = e.message;
      if (m.find("overflow") != std::string::npos) ++overflow_errors;
      if (m.find("does not exist") != std::string::npos || m.find("does not have") != std::string::npos)
        ++missing_errors;
      if (m.find("type error") != std::string::npos) ++type_errors;
      if (m.find("invalid") != std::string::npos) ++extension_errors;
    }
  }
};

}  // namespace

TEST_CASE("differential: plan and reference evaluators agree on random policies, entities and requests") {
  const std::uint64_t only_seed = env_number("MANDATE_DIFF_SEED", 0);
  const std::uint64_t seeds = only_seed != 0 ? 1 : env_number("MANDATE_DIFF_SEEDS", 400);
  constexpr int requests_per_seed = 20;
  constexpr std::size_t max_reported = 5;
  tally mandate_mode;
  tally cedar_mode;
  std::size_t compiled = 0;
  decision reused;  // the plan evaluator writes into the same decision every time

  for (std::uint64_t s = 0; s < seeds && mandate_mode.disagreements + cedar_mode.disagreements < max_reported;
       ++s) {
    const std::uint64_t seed = only_seed != 0 ? only_seed : 0x5eed0000 + s;
    generator gen(seed);
    const world w = gen.make_world();
    const std::string policy_text = gen.make_policies(w);
    const std::string entities_text = w.entities.dump();

    auto policies = mandate::policy_set::compile(policy_text, "generated.cedar");
    if (!policies) {
      FAIL_CHECK("seed ", seed, ": generated policies do not compile\n", mandate::render(policies.error()),
                 "\npolicies:\n", policy_text);
      continue;
    }
    auto entities = mandate::entity_store::from_json(entities_text, "generated.json");
    if (!entities) {
      FAIL_CHECK("seed ", seed, ": generated entities do not load\n", mandate::render(entities.error()),
                 "\nentities:\n", entities_text);
      continue;
    }
    ++compiled;

    for (int r = 0; r < requests_per_seed; ++r) {
      const std::string request_text = gen.make_request(w).dump();
      auto req = mandate::request::from_json(request_text);
      if (!req) {
        FAIL_CHECK("seed ", seed, ": generated request does not parse: ", req.error(), "\n", request_text);
        continue;
      }
      decision by_mode[2];
      for (const eval_mode mode : {eval_mode::mandate, eval_mode::cedar}) {
        policies->evaluate(*req, *entities, reused, {.mode = mode, .engine = evaluator::plan});
        const decision reference =
            policies->evaluate(*req, *entities, {.mode = mode, .engine = evaluator::reference});
        tally& t = mode == eval_mode::mandate ? mandate_mode : cedar_mode;
        t.count(reference);
        by_mode[mode == eval_mode::mandate ? 0 : 1] = reference;
        if (!same(reused, reference)) {
          ++t.disagreements;
          FAIL_CHECK("plan and reference disagree (rerun with MANDATE_DIFF_SEED=", seed, ")\n",
                     "seed: ", seed, ", request ", r, ", mode ", mandate::to_string(mode), "\n",
                     "plan:      ", describe(reused), "\n", "reference: ", describe(reference), "\n",
                     "policies:\n", policy_text, "\nentities: ", entities_text, "\nrequest: ", request_text);
        }
      }
      // The modes see the same errors, and Cedar mode never fails closed.
      const decision& strict = by_mode[0];
      const decision& cedar = by_mode[1];
      CHECK(strict.errors.size() == cedar.errors.size());
      CHECK_FALSE(cedar.failed_closed);
      if (strict.errors.empty()) {
        if (!same(strict, [&] {
              decision as_mandate = cedar;
              as_mandate.mode = eval_mode::mandate;
              return as_mandate;
            }()))
          FAIL_CHECK("without errors the two modes must decide alike; seed ", seed, ", request ", r, "\n",
                     describe(strict), "\n", describe(cedar));
      } else if (strict.outcome != cedar.outcome) {
        ++mandate_mode.modes_differ;
      }
    }
  }

  // The mix of outcomes, shown when a check below fails (or always, with MANDATE_DIFF_STATS=1).
  std::string stats = "seeds compiled: " + std::to_string(compiled);
  for (const tally* t : {&mandate_mode, &cedar_mode}) {
    stats += std::string(t == &mandate_mode ? "\nmandate mode: " : "\ncedar mode:   ") +
             std::to_string(t->decisions) + " decisions, allow " + std::to_string(t->allow) +
             ", deny by forbid " + std::to_string(t->deny_by_forbid) + ", default deny " +
             std::to_string(t->default_deny) + ", require_approval " + std::to_string(t->require_approval) +
             ", with errors " + std::to_string(t->with_errors) + ", failed closed " +
             std::to_string(t->failed_closed) + "; errors: overflow " + std::to_string(t->overflow_errors) +
             ", missing " + std::to_string(t->missing_errors) + ", type " + std::to_string(t->type_errors) +
             ", extension " + std::to_string(t->extension_errors);
  }
  INFO(stats);
  if (env_number("MANDATE_DIFF_STATS", 0) != 0) MESSAGE(stats);
  CHECK(mandate_mode.disagreements == 0);
  CHECK(cedar_mode.disagreements == 0);
  if (only_seed != 0) return;  // one seed proves nothing about coverage

  CHECK(compiled == seeds);
  // Not vacuous: every outcome happens often, and errors of every kind happen in a fair share.
  for (const tally* t : {&mandate_mode, &cedar_mode}) {
    const double n = static_cast<double>(t->decisions);
    CHECK(n >= 300 * requests_per_seed);
    CHECK(static_cast<double>(t->allow) > 0.05 * n);
    CHECK(static_cast<double>(t->deny_by_forbid) > 0.05 * n);
    CHECK(static_cast<double>(t->default_deny) > 0.05 * n);
    CHECK(static_cast<double>(t->require_approval) > 0.02 * n);
    CHECK(static_cast<double>(t->with_errors) > 0.10 * n);
    CHECK(static_cast<double>(t->with_errors) < 0.90 * n);
    CHECK(t->overflow_errors > 0);
    CHECK(t->missing_errors > 0);
    CHECK(t->type_errors > 0);
    CHECK(t->extension_errors > 0);
  }
  CHECK(mandate_mode.failed_closed > 0);
  CHECK(mandate_mode.modes_differ > 0);
}
