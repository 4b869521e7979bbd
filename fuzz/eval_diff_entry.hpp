// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Fuzz entry for evaluation: fuzzed requests against fuzzed policies and entities, decided by the
// plan evaluator and by the reference tree walker; any disagreement is a finding. The first
// byte picks how the rest is read:
// - even: raw. The rest is split on NUL bytes into policy text, entity JSON and request JSON
//   (Cedar's own test data seeds this form).
// - odd: structured. The bytes choose grammar fragments over a small fixed world of types and
//   ids, so nearly every input compiles and names entities that exist. They are read as
//   libFuzzer's FuzzedDataProvider reads them (choices from the end), but by a copy of its two
//   calls used here, so the regression test builds with g++ and without libfuzzer-14-dev.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "mandate/entities.hpp"
#include "mandate/policy_set.hpp"
#include "mandate/request.hpp"

namespace mandate_fuzz {
namespace eval_diff_detail {

// FuzzedDataProvider's ConsumeIntegralInRange and ConsumeBool, byte for byte, so inputs mean the
// same to both. A provider that runs dry yields the minimum.
class choices {
 public:
  choices(const std::uint8_t* data, std::size_t size) : data_(data), remaining_(size) {}
  template <typename T>
  T ConsumeIntegralInRange(T min, T max) {
    const std::uint64_t range = static_cast<std::uint64_t>(max) - static_cast<std::uint64_t>(min);
    std::uint64_t result = 0;
    std::size_t offset = 0;
    while (offset < sizeof(T) * 8 && (range >> offset) > 0 && remaining_ != 0) {
      --remaining_;
      result = (result << 8) | data_[remaining_];
      offset += 8;
    }
    if (range != UINT64_MAX) result = result % (range + 1);
    return static_cast<T>(static_cast<std::uint64_t>(min) + result);
  }
  bool ConsumeBool() { return (1 & ConsumeIntegralInRange<std::uint8_t>(0, 255)) != 0; }

 private:
  const std::uint8_t* data_;
  std::size_t remaining_;
};

constexpr std::array<std::string_view, 12> entities = {
    R"(User::"u0")",  R"(User::"u1")",     R"(User::"u2")",      R"(Group::"g0")",
    R"(Group::"g1")", R"(Doc::"d0")",      R"(Doc::"d1")",       R"(Folder::"f0")",
    R"(Agent::"a0")", R"(Action::"read")", R"(Action::"write")", R"(Action::"all")"};
constexpr std::array<std::string_view, 4> actions = {R"(Action::"read")", R"(Action::"write")",
                                                     R"(Action::"all")", R"(Action::"none")"};
constexpr std::array<std::string_view, 6> types = {"User", "Group", "Doc", "Folder", "Agent", "Action"};
constexpr std::array<std::string_view, 6> attrs = {"name", "level", "tags", "owner", "flag", "meta"};
constexpr std::array<std::string_view, 6> strings = {R"("")",   R"("a")",   R"("ab")",
                                                     R"("a*")", R"("*b*")", R"("héllo")"};
// `\*` (a literal star) is an escape only patterns accept.
constexpr std::array<std::string_view, 6> patterns = {R"("")",   R"("a*")", R"("*b*")",
                                                      R"("\*")", R"("*")",  R"("a\**")"};
constexpr std::array<std::string_view, 9> longs = {
    "0",  "1", "2", "7", "(-1)", "9223372036854775807", "(-9223372036854775808)", "4611686018427387904",
    "100"};
constexpr std::array<std::string_view, 10> extensions = {
    R"(ip("10.0.0.1"))", R"(ip("10.0.0.0/8"))", R"(ip("::1"))",
    R"(decimal("1.5"))", R"(decimal("-0.01"))", R"(datetime("2024-01-01"))",
    R"(duration("1h"))", R"(duration("-3d"))",  R"(datetime("2025-06-01T10:30:00Z"))",
    R"(ip("bad"))"};
constexpr std::array<std::string_view, 12> methods = {
    ".contains(", ".containsAll(", ".containsAny(", ".isEmpty()", ".lessThan(", ".isInRange(",
    ".isIpv4()",  ".isLoopback()", ".getTag(",      ".hasTag(",   ".toDays()",  ".offset("};
constexpr std::array<std::string_view, 14> binary = {" == ", " != ", " < ",    " <= ", " > ",
                                                     " >= ", " + ",  " - ",    " * ",  " && ",
                                                     " || ", " in ", " like ", " has "};

class builder {
 public:
  explicit builder(choices& in) : in_(in) {}

  template <typename C>
  std::string pick(const C& items) {
    return std::string(items[in_.ConsumeIntegralInRange<std::size_t>(0, items.size() - 1)]);
  }
  std::size_t below(std::size_t n) { return in_.ConsumeIntegralInRange<std::size_t>(0, n - 1); }

  // Choice 0 is always a leaf, so a provider that runs dry ends the recursion. Compound
  // expressions come parenthesised, so any of them may stand as an operand.
  std::string expr(int depth) {
    if (depth <= 0) return leaf();
    return "(" + compound(depth) + ")";
  }

  std::string compound(int depth) {
    switch (below(12)) {
      case 0:
        return leaf();
      case 1:
      case 2: {
        const std::string op = pick(binary);
        if (op == " like ") return expr(depth - 1) + op + pick(patterns);
        if (op == " has ") return expr(depth - 1) + op + pick(attrs);
        return expr(depth - 1) + op + expr(depth - 1);
      }
      case 3:
        return expr(depth - 1) + "." + pick(attrs);
      case 4:
        return (in_.ConsumeBool() ? "!" : "-") + expr(depth - 1);
      case 5:
        return "if " + expr(depth - 1) + " then " + expr(depth - 1) + " else " + expr(depth - 1);
      case 6: {
        std::string out = "[";
        const std::size_t n = below(4);
        for (std::size_t i = 0; i < n; ++i) out += (i ? ", " : "") + expr(depth - 1);
        return out + "]";
      }
      case 7: {
        std::string out = "{";
        const std::size_t n = below(3);
        for (std::size_t i = 0; i < n; ++i) out += (i ? ", " : "") + pick(attrs) + ": " + expr(depth - 1);
        return out + "}";
      }
      case 8: {
        const std::string m = pick(methods);
        if (m.back() == ')') return expr(depth - 1) + m;
        return expr(depth - 1) + m + expr(depth - 1) + ")";
      }
      case 9:
        return expr(depth - 1) + " is " + pick(types) + (in_.ConsumeBool() ? " in " + expr(depth - 1) : "");
      case 10:
        return expr(depth - 1) + "[" + pick(strings) + "]";
      default:
        return expr(depth - 1);
    }
  }

  std::string leaf() {
    switch (below(9)) {
      case 0:
        return in_.ConsumeBool() ? "true" : "false";
      case 1:
        return pick(std::array<std::string_view, 4>{"principal", "action", "resource", "context"});
      case 2:
        return pick(longs);
      case 3:
        return pick(strings);
      case 4:
      case 5:
        return pick(entities);
      case 6:
        return pick(extensions);
      case 7:
        return "context." + pick(attrs);
      default:
        return pick(std::array<std::string_view, 3>{"principal", "resource", "context"}) + "." + pick(attrs);
    }
  }

  std::string scope(std::string_view var) {
    const bool is_action = var == "action";
    switch (below(5)) {
      case 0:
        return std::string(var);
      case 1:
        return std::string(var) + " == " + (is_action ? pick(actions) : pick(entities));
      case 2:
        return std::string(var) + " in " + (is_action ? pick(actions) : pick(entities));
      case 3:
        if (is_action) return "action in [" + pick(actions) + ", " + pick(actions) + "]";
        return std::string(var) + " is " + pick(types);
      default:
        if (is_action) return "action";
        return std::string(var) + " is " + pick(types) + " in " + pick(entities);
    }
  }

  std::string policies() {
    std::string text;
    const std::size_t count = 1 + below(5);
    for (std::size_t i = 0; i < count; ++i) {
      if (in_.ConsumeBool()) text += "@id(\"p" + std::to_string(i) + "\") ";
      if (in_.ConsumeBool()) text += "@reason(\"r\") ";
      text += pick(std::array<std::string_view, 3>{"permit", "forbid", "require_approval"});
      text += " (" + scope("principal") + ", " + scope("action") + ", " + scope("resource") + ")";
      const std::size_t conditions = below(3);
      for (std::size_t c = 0; c < conditions; ++c)
        text += (in_.ConsumeBool() ? " when { " : " unless { ") + expr(1 + static_cast<int>(below(4))) + " }";
      text += ";\n";
    }
    return text;
  }

  // A Cedar JSON value, in the explicit forms entity JSON uses.
  std::string value(int depth) {
    switch (depth <= 0 ? below(5) : below(8)) {
      case 0:
        return in_.ConsumeBool() ? "true" : "false";
      case 1:
        return pick(std::array<std::string_view, 6>{"0", "3", "-1", "9223372036854775807",
                                                    "-9223372036854775808", "42"});
      case 2:
        return json_quote(pick(std::array<std::string_view, 6>{"", "a", "ab", "a*", "*b*", "héllo"}));
      case 3:
        return "{\"__entity\": " + uid_json(pick(entities)) + "}";
      case 4:
        return pick(std::array<std::string_view, 5>{R"({"__extn": {"fn": "ip", "arg": "10.1.2.3"}})",
                                                    R"({"__extn": {"fn": "decimal", "arg": "1.23"}})",
                                                    R"({"__extn": {"fn": "datetime", "arg": "2024-05-05"}})",
                                                    R"({"__extn": {"fn": "duration", "arg": "90m"}})",
                                                    R"({"__extn": {"fn": "ip", "arg": "::1/128"}})"});
      case 5: {
        std::string out = "[";
        const std::size_t n = below(4);
        for (std::size_t i = 0; i < n; ++i) out += (i ? ", " : "") + value(depth - 1);
        return out + "]";
      }
      default:
        return record(depth - 1);
    }
  }
  // Each key at most once: Cedar JSON rejects duplicate keys, and most records should load.
  std::string record(int depth) {
    std::string out = "{";
    for (std::string_view key : attrs) {
      if (!in_.ConsumeBool()) continue;
      out += (out.size() > 1 ? ", " : "") + json_quote(key) + ": " + value(depth);
    }
    return out + "}";
  }

  // `Type::"id"` as {"type", "id"}; the pools hold no escapes, so splitting is enough.
  static std::string uid_json(std::string_view uid) {
    const std::size_t sep = uid.find("::");
    return "{\"type\": \"" + std::string(uid.substr(0, sep)) +
           "\", \"id\": " + std::string(uid.substr(sep + 2)) + "}";
  }

  std::string entity_json() {
    std::string out = "[";
    bool first = true;
    for (std::string_view uid : entities) {
      if (below(8) == 0) continue;  // sometimes absent, so lookups of unknown entities happen
      out += first ? "" : ",\n";
      first = false;
      out += "{\"uid\": " + uid_json(uid) + ", \"attrs\": " + record(2) + ", \"parents\": [";
      const std::size_t parents = below(3);
      for (std::size_t i = 0; i < parents; ++i) out += (i ? ", " : "") + uid_json(pick(entities));
      out += "]";
      if (in_.ConsumeBool()) out += ", \"tags\": " + record(1);
      out += "}";
    }
    return out + "]";
  }

  std::string request_json() {
    return "{\"principal\": " + uid_json(pick(entities)) + ", \"action\": " + uid_json(pick(actions)) +
           ", \"resource\": " + uid_json(pick(entities)) + ", \"context\": " + record(2) + "}";
  }

  // Sometimes a delegation chain from the principal to an agent, so chains are compared too.
  mandate::request delegate(const mandate::request& req) {
    if (!in_.ConsumeBool()) return req;
    const mandate::entity_ref agent{"Agent", "a0"};
    mandate::delegation_hop hop;
    hop.delegator = req.principal();
    hop.delegate = agent;
    hop.scope = {in_.ConsumeBool() ? req.action() : mandate::entity_ref{"Action", "all"}};
    hop.issued_at_ms = 1'600'000'000'000;
    hop.expires_at_ms = in_.ConsumeBool() ? 1'800'000'000'000 : 1'650'000'000'000;
    const mandate::delegation_hop chain[] = {hop};
    return req.with_delegation(agent, chain);
  }

 private:
  choices& in_;
};

inline std::string decide(std::string_view policy_text, std::string_view entity_text,
                          std::string_view request_text, builder* chains) {
  auto policies = mandate::policy_set::compile(policy_text, "<fuzz>");
  if (!policies) return {};
  auto store = mandate::entity_store::from_json(entity_text, "<fuzz>");
  if (!store) return {};
  auto req = mandate::request::from_json(request_text);
  if (!req) return {};
  const mandate::request chained = chains != nullptr ? chains->delegate(*req) : *req;
  std::string failure = compare_evaluators(*policies, chained, *store);
  if (!failure.empty())
    failure += "\npolicies:\n" + std::string(policy_text) + "\nentities:\n" + std::string(entity_text) +
               "\nrequest:\n" + std::string(request_text) +
               (chained.agent() ? "\n(through Agent::\"a0\")" : "");
  return failure;
}

}  // namespace eval_diff_detail

inline std::string run_eval_diff(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return {};
  if ((data[0] & 1) == 0) {
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    std::string_view parts[3] = {};
    std::size_t start = 0;
    for (int i = 0; i < 3; ++i) {
      const std::size_t end = i < 2 ? rest.find('\0', start) : rest.size();
      if (end == std::string_view::npos || start > rest.size()) return {};
      parts[i] = rest.substr(start, end - start);
      start = end + 1;
    }
    return eval_diff_detail::decide(parts[0], parts[1], parts[2], nullptr);
  }
  eval_diff_detail::choices in(data + 1, size - 1);
  eval_diff_detail::builder b(in);
  const std::string policy_text = b.policies();
  const std::string entity_text = b.entity_json();
  const std::string request_text = b.request_json();
  return eval_diff_detail::decide(policy_text, entity_text, request_text, &b);
}

}  // namespace mandate_fuzz
