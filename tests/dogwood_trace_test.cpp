// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Dogwood trace files: every trace and expected-verdict file of the copied conformance corpus,
// the value forms one line may hold, and the malformed and hostile lines the parser must refuse
// with a positioned message rather than guess at or crash on.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "dogwood/event_schema.hpp"
#include "dogwood/trace.hpp"
#include "support.hpp"
#include "value/value.hpp"

namespace {

namespace fs = std::filesystem;
using mandate::detail::empty_symbol;
using mandate::detail::entity_uid;
using mandate::detail::intern;
using mandate::detail::record_find;
using mandate::detail::symbol_text;
using mandate::detail::value;
using mandate::detail::value_equal;
using mandate::detail::value_kind;
using mandate::detail::dogwood::expected_verdict;
using mandate::detail::dogwood::format_verdict;
using mandate::detail::dogwood::parse_expected;
using mandate::detail::dogwood::parse_trace;
using mandate::detail::dogwood::trace_event;

using mandate::test_support::read_file;
fs::path corpus_root() { return mandate::test_support::dogwood_corpus_root(); }

std::vector<trace_event> parse_ok(std::string_view text) {
  std::vector<trace_event> out;
  std::string error;
  const bool ok = parse_trace(text, out, error);
  INFO(error);
  REQUIRE(ok);
  return out;
}

std::string parse_error(std::string_view text) {
  std::vector<trace_event> out;
  std::string error;
  const bool ok = parse_trace(text, out, error);
  CHECK_FALSE(ok);
  CHECK(out.empty());
  CHECK_FALSE(error.empty());
  return error;
}

// The value at a dotted path of a record, or null.
const value* at_path(const value& record, std::string_view dotted) {
  const value* v = &record;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    const std::size_t dot = dotted.find('.', start);
    const std::string_view key =
        dotted.substr(start, dot == std::string_view::npos ? dotted.npos : dot - start);
    if (v->kind != value_kind::record) return nullptr;
    v = record_find(*v->record, intern(key));
    if (v == nullptr || dot == std::string_view::npos) return v;
    start = dot + 1;
  }
  return v;
}

value decimal(std::int64_t scaled) { return value::of_scalar(value_kind::decimal, scaled); }

}  // namespace

TEST_CASE("dogwood trace: every corpus trace parses and has one verdict per decision event") {
  const fs::path root = corpus_root();
  if (!fs::exists(root / "tests" / "passing")) {
    MESSAGE("skipped: the Dogwood corpus is not at " << root.string());
    return;
  }
  const std::string default_schema(mandate::detail::dogwood::default_event_schema());
  std::size_t traces = 0;
  std::size_t events = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root / "tests" / "passing")) {
    const fs::path path = entry.path();
    if (!entry.is_regular_file() || path.extension() != ".log" ||
        !path.filename().string().starts_with("trace_"))
      continue;
    const std::string n = path.stem().string().substr(6);
    const fs::path expected_path = path.parent_path() / ("expected_" + n + ".out");
    if (!fs::exists(expected_path)) continue;  // the reference harness skips these too
    INFO(path.string());

    // Which kinds are decision points comes from the case's event schema, or the default.
    const fs::path schema_path = path.parent_path() / "event.dwschema";
    const std::string schema_text = fs::exists(schema_path) ? read_file(schema_path) : default_schema;
    mandate::detail::dogwood::event_schema_ast schema;
    std::vector<mandate::diagnostic> diagnostics;
    REQUIRE(mandate::detail::dogwood::parse_event_schema(schema_text, "event.dwschema", schema, diagnostics));
    std::vector<std::string> decision_kinds;
    for (const auto& decl : schema.events)
      if (decl.decision) decision_kinds.push_back(decl.kind);

    const std::vector<trace_event> trace = parse_ok(read_file(path));
    std::vector<expected_verdict> verdicts;
    std::string error;
    const bool ok = parse_expected(read_file(expected_path), verdicts, error);
    INFO(error);
    REQUIRE(ok);

    std::vector<const trace_event*> decisions;
    for (std::size_t i = 0; i < trace.size(); ++i) {
      CHECK(trace[i].event.position == i);
      const std::string kind(symbol_text(trace[i].event.kind));
      if (std::find(decision_kinds.begin(), decision_kinds.end(), kind) != decision_kinds.end())
        decisions.push_back(&trace[i]);
    }
    REQUIRE(decisions.size() == verdicts.size());
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
      CHECK(decisions[i]->event.position == verdicts[i].point);
      CHECK(decisions[i]->event.time_ms == verdicts[i].time_seconds * 1000);
    }
    ++traces;
    events += trace.size();
  }
  MESSAGE(traces << " traces, " << events << " events");
  CHECK(traces >= 70);
}

TEST_CASE("dogwood trace: a line's envelopes, event and fields") {
  const auto trace = parse_ok(
      "@10 scope(principal: Drupe::OAuthUser::\"alice\", resource: Drupe::Gateway::\"gw1\") "
      "entities(Drupe::OAuthUser::\"alice\": { level: 5, active: true, score: 0.7, roles: [\"admin\"] }) "
      "request_context(input: { document: \"d\" }) "
      "Drupe::Action::\"Read\"::request(input: { document: \"d\" }, callerPrincipal: "
      "Drupe::OAuthUser::\"alice\", "
      "requestId: \"u1\")\n");
  REQUIRE(trace.size() == 1);
  const auto& ev = trace[0].event;
  CHECK(trace[0].line == 1);
  CHECK(ev.time_ms == 10'000);
  CHECK(ev.position == 0);
  CHECK(symbol_text(ev.action.type) == "Drupe::Action");
  CHECK(symbol_text(ev.action.id) == "Read");
  CHECK(symbol_text(ev.kind) == "request");
  REQUIRE(ev.has_principal);
  REQUIRE(ev.has_resource);
  CHECK(ev.principal == entity_uid{intern("Drupe::OAuthUser"), intern("alice")});
  CHECK(ev.resource == entity_uid{intern("Drupe::Gateway"), intern("gw1")});
  REQUIRE(ev.storage != nullptr);

  const value* document = at_path(ev.fields, "input.document");
  REQUIRE(document != nullptr);
  CHECK(value_equal(*document, value::of_string(intern("d"))));
  const value* caller = at_path(ev.fields, "callerPrincipal");
  REQUIRE(caller != nullptr);
  CHECK(value_equal(*caller, value::of_entity(ev.principal)));
  REQUIRE(at_path(ev.context, "input.document") != nullptr);
  CHECK(at_path(ev.context, "requestId") == nullptr);  // the logged group is not the context

  REQUIRE(trace[0].entities != nullptr);
  const auto* alice = trace[0].entities->find(ev.principal);
  REQUIRE(alice != nullptr);
  CHECK(value_equal(*at_path(alice->attributes, "level"), value::of_int(5)));
  CHECK(value_equal(*at_path(alice->attributes, "active"), value::of_bool(true)));
  CHECK(value_equal(*at_path(alice->attributes, "score"), decimal(7000)));
  const value* roles = at_path(alice->attributes, "roles");
  REQUIRE(roles != nullptr);
  REQUIRE(roles->kind == value_kind::set);
  CHECK(roles->set->size == 1);
}

TEST_CASE("dogwood trace: optional envelopes, positions, blanks and comments") {
  const auto trace = parse_ok(
      "\xEF\xBB\xBF// a comment line\r\n"
      "\r\n"
      "@0 Drupe::Action::\"Login\"::request(input: { user: \"alice\" })   // trailing comment\r\n"
      "   \n"
      "  @1   scope(principal: Drupe::OAuthUser::\"alice\") Drupe::Action::\"Login\"::response()\n"
      "@-5 Action::\"Top\"::ping( )");
  REQUIRE(trace.size() == 3);
  CHECK(trace[0].line == 3);
  CHECK(trace[1].line == 5);
  CHECK(trace[2].line == 6);
  CHECK(trace[0].event.position == 0);
  CHECK(trace[1].event.position == 1);
  CHECK(trace[2].event.position == 2);
  CHECK_FALSE(trace[0].event.has_principal);
  CHECK(trace[0].entities == nullptr);
  CHECK(trace[0].event.context.kind == value_kind::record);
  CHECK(trace[0].event.context.record->size == 0);
  CHECK(trace[1].event.has_principal);
  CHECK_FALSE(trace[1].event.has_resource);
  CHECK(trace[1].event.fields.record->size == 0);
  CHECK(trace[2].event.time_ms == -5000);
  CHECK(symbol_text(trace[2].event.action.type) == "Action");
  // Each event owns its values, so history can be dropped from the front.
  CHECK(trace[0].event.storage != trace[1].event.storage);
}

TEST_CASE("dogwood trace: value forms") {
  const auto trace = parse_ok(
      "@1 A::Action::\"x\"::request(neg_zero: -0.0, zero: 0.0, padded: 02.5, plain: 2.5, ctor: "
      "decimal(\"1.5\"), "
      "big: 9223372036854775807, small: -9223372036854775808, minus: -5, nothing: null, yes: true, no: "
      "false, "
      "nested: { a: { b: [1, 2, 2, 1], \"quoted key\": \"v\" } }, empty: {}, none: [], "
      "quote: Escaped::Mode::\"a\\\"b\", backslash: Escaped::Mode::\"a\\\\b\", "
      "unicode: Escaped::Mode::\"u\\u{0_1_2_3}\", plain_unicode: \"\\u{1F525}\", "
      "addr: ip(\"10.0.0.1\"), spaced : Ns :: T :: \"id\" , mixed: [\"a\", 1, A::\"b\"],)");
  REQUIRE(trace.size() == 1);
  const value& f = trace[0].event.fields;

  CHECK(value_equal(*at_path(f, "neg_zero"), *at_path(f, "zero")));
  CHECK(value_equal(*at_path(f, "neg_zero"), decimal(0)));
  CHECK(value_equal(*at_path(f, "padded"), *at_path(f, "plain")));
  CHECK(value_equal(*at_path(f, "plain"), decimal(25'000)));
  CHECK(value_equal(*at_path(f, "ctor"), decimal(15'000)));
  CHECK(value_equal(*at_path(f, "big"), value::of_int(INT64_MAX)));
  CHECK(value_equal(*at_path(f, "small"), value::of_int(INT64_MIN)));
  CHECK(value_equal(*at_path(f, "minus"), value::of_int(-5)));
  CHECK(value_equal(*at_path(f, "nothing"), value::of_string(empty_symbol)));
  CHECK(value_equal(*at_path(f, "yes"), value::of_bool(true)));
  CHECK(value_equal(*at_path(f, "no"), value::of_bool(false)));

  const value* b = at_path(f, "nested.a.b");
  REQUIRE(b != nullptr);
  REQUIRE(b->kind == value_kind::set);
  CHECK(b->set->size == 2);  // a canonical set: duplicates merged
  CHECK(value_equal(*at_path(f, "nested.a.quoted key"), value::of_string(intern("v"))));
  CHECK(at_path(f, "empty")->record->size == 0);
  CHECK(at_path(f, "none")->set->size == 0);
  CHECK(at_path(f, "mixed")->set->size == 3);

  CHECK(at_path(f, "quote")->entity == entity_uid{intern("Escaped::Mode"), intern("a\"b")});
  CHECK(at_path(f, "backslash")->entity == entity_uid{intern("Escaped::Mode"), intern("a\\b")});
  CHECK(at_path(f, "unicode")->entity == entity_uid{intern("Escaped::Mode"), intern("u\xC4\xA3")});
  CHECK(value_equal(*at_path(f, "plain_unicode"), value::of_string(intern("\xF0\x9F\x94\xA5"))));
  CHECK(at_path(f, "addr")->kind == value_kind::ip);
  CHECK(at_path(f, "spaced")->entity == entity_uid{intern("Ns::T"), intern("id")});
}

TEST_CASE("dogwood trace: entities with parents") {
  const auto trace = parse_ok(
      "@0 scope(principal: U::\"a\", resource: D::\"d\") entities(U::\"a\": { } in [G::\"g\"], G::\"g\": {}, "
      "D::\"d\": { owner: U::\"a\" }) Action::\"read\"::request()");
  REQUIRE(trace[0].entities != nullptr);
  const auto& store = *trace[0].entities;
  CHECK(store.records.size() == 3);
  CHECK(store.descends_from({intern("U"), intern("a")}, {intern("G"), intern("g")}));
  CHECK_FALSE(store.descends_from({intern("G"), intern("g")}, {intern("U"), intern("a")}));
  const auto* d = store.find({intern("D"), intern("d")});
  REQUIRE(d != nullptr);
  CHECK(at_path(d->attributes, "owner")->entity == entity_uid{intern("U"), intern("a")});
}

TEST_CASE("dogwood trace: strict rejections name the line and column") {
  const std::string ok_prefix = "@0 Drupe::Action::\"Read\"::request(input: { user: \"a\" })\n";

  SUBCASE("duplicate keys anywhere") {
    CHECK(parse_error(ok_prefix + "@1 A::Action::\"x\"::request(a: 1, b: 2, a: 3)")
              .find("line 2, column 40: duplicate key `a` in the event's fields") != std::string::npos);
    CHECK(parse_error("@1 A::Action::\"x\"::request(r: { k: 1, \"k\": 2 })").find("duplicate key `k`") !=
          std::string::npos);
    CHECK(parse_error("@1 request_context(input: {}, input: {}) A::Action::\"x\"::request()")
              .find("duplicate key `input` in `request_context(...)`") != std::string::npos);
    CHECK(parse_error("@1 scope(principal: U::\"a\", principal: U::\"b\") A::Action::\"x\"::request()")
              .find("duplicate key `principal`") != std::string::npos);
    CHECK(parse_error("@1 entities(U::\"a\": {}, U::\"a\": {}) A::Action::\"x\"::request()")
              .find("duplicate entity `U::\"a\"`") != std::string::npos);
  }
  SUBCASE("unterminated envelopes and groups") {
    CHECK(parse_error("@1 scope(principal: U::\"a\", resource: D::\"d\" A::Action::\"x\"::request()")
              .find("unterminated `scope(...)`") != std::string::npos);
    CHECK(parse_error("@1 entities(U::\"a\": { x: 1 } A::Action::\"x\"::request()")
              .find("unterminated `entities(...)`") != std::string::npos);
    CHECK(parse_error("@1 request_context(input: { x: 1 } A::Action::\"x\"::request()")
              .find("unterminated `request_context(...)`") != std::string::npos);
    CHECK(parse_error("@1 A::Action::\"x\"::request(a: 1").find("unterminated event group") !=
          std::string::npos);
    CHECK(parse_error("@1 A::Action::\"x\"::request(a: { b: 1)").find("in the record") != std::string::npos);
    CHECK(parse_error("@1 A::Action::\"x\"::request(a: \"open)").find("unterminated string") !=
          std::string::npos);
  }
  SUBCASE("envelopes out of order or repeated") {
    const std::string message = "envelope out of order or repeated";
    CHECK(parse_error("@1 request_context(a: 1) scope(principal: U::\"a\") A::Action::\"x\"::request()")
              .find(message) != std::string::npos);
    CHECK(parse_error("@1 entities() scope(principal: U::\"a\") A::Action::\"x\"::request()").find(message) !=
          std::string::npos);
    CHECK(
        parse_error("@1 scope() scope() A::Action::\"x\"::request()").find("line 1, column 12: " + message) !=
        std::string::npos);
  }
  SUBCASE("malformed lines") {
    CHECK(parse_error("10 A::Action::\"x\"::request()").find("line 1, column 1: expected `@`") !=
          std::string::npos);
    CHECK(parse_error("@x A::Action::\"x\"::request()").find("expected a timestamp") != std::string::npos);
    CHECK(parse_error("@1A::Action::\"x\"::request()").find("expected a blank") != std::string::npos);
    CHECK(parse_error("@1 A::Action::\"x\"(a: 1)").find("expected `::` and the event kind") !=
          std::string::npos);
    CHECK(parse_error("@1 A::Action::\"x\"::request").find("expected `(`") != std::string::npos);
    CHECK(parse_error("@1 A::Action::\"x\"::request() trailing").find("unexpected text after the event") !=
          std::string::npos);
    CHECK(parse_error("@1 A::Action::x::request()").find("expected the event") != std::string::npos);
    CHECK(parse_error("@1 User::\"x\"::request()").find("must be an action entity") != std::string::npos);
    CHECK(parse_error("@1 A::Action::\"x\"::request(a: bareword)").find("expected a value") !=
          std::string::npos);
    CHECK(parse_error("@1 A::Action::\"x\"::request(a: 1.23456)").find("more than 4 digits") !=
          std::string::npos);
    CHECK(parse_error("@1 A::Action::\"x\"::request(a: 5.)").find("expected a value") != std::string::npos);
    CHECK(parse_error("@1 A::Action::\"x\"::request(a: 9223372036854775808)").find("out of range") !=
          std::string::npos);
    CHECK(parse_error("@99999999999999999 A::Action::\"x\"::request()").find("out of range") !=
          std::string::npos);
    CHECK(parse_error("@1 A::Action::\"x\"::request(a: foo(\"1\"))").find("unknown function `foo`") !=
          std::string::npos);
    CHECK(parse_error("@1 A::Action::\"x\"::request(a: ip(\"nope\"))").find("line 1, column 31") !=
          std::string::npos);
    CHECK(parse_error("@1 A::Action::\"x\"::request(a: \"\\q\")").find("escape") != std::string::npos);
    CHECK(parse_error("@1 A::Action::\"x\"::request(a: \"\\u{_1}\")").find("escape") != std::string::npos);
    CHECK(parse_error("@1 scope(owner: U::\"a\") A::Action::\"x\"::request()").find("unknown key `owner`") !=
          std::string::npos);
    CHECK(
        parse_error("@1 scope(principal: \"alice\") A::Action::\"x\"::request()").find("must be an entity") !=
        std::string::npos);
    CHECK(parse_error("@1 A::Action::\"x\"::request(a: \"\xC3\x28\")").find("invalid UTF-8") !=
          std::string::npos);
  }
}

TEST_CASE("dogwood trace: hostile input is an error, never a crash") {
  SUBCASE("deep nesting") {
    const std::string deep =
        "@1 A::Action::\"x\"::request(a: " + std::string(10'000, '[') + std::string(10'000, ']') + ")";
    CHECK(parse_error(deep).find("nested too deeply") != std::string::npos);
    std::string records = "@1 A::Action::\"x\"::request(a: ";
    for (int i = 0; i < 10'000; ++i) records += "{a: ";
    CHECK(parse_error(records).find("nested too deeply") != std::string::npos);
    // 64 levels are fine.
    parse_ok("@1 A::Action::\"x\"::request(a: " + std::string(64, '[') + std::string(64, ']') + ")");
  }
  SUBCASE("every prefix of a valid line") {
    const std::string line =
        "@1 scope(principal: U::\"a\") entities(U::\"a\": { r: [1, {x: decimal(\"1.0\")}] }) "
        "request_context(i: { s: \"a\\\"b\" }) A::Action::\"x\"::request(i: { s: \"a\\\"b\" }, n: -1.5)";
    parse_ok(line);
    for (std::size_t n = 0; n < line.size(); ++n) {
      std::vector<trace_event> out;
      std::string error;
      const bool ok = parse_trace(line.substr(0, n), out, error);
      // The empty prefix is an empty trace; every other prefix is cut somewhere.
      CHECK(ok == (n == 0));
    }
  }
  SUBCASE("random bytes") {
    std::mt19937 rng(20260101);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> length(1, 400);
    for (int round = 0; round < 2000; ++round) {
      std::string text;
      const int n = length(rng);
      for (int i = 0; i < n; ++i) text += static_cast<char>(byte(rng));
      if (round % 2 == 0) text = "@1 A::Action::\"x\"::request(" + text;  // get past the first checks
      std::vector<trace_event> out;
      std::string error;
      if (!parse_trace(text, out, error)) CHECK_FALSE(error.empty());
    }
  }
}

TEST_CASE("dogwood trace: expected verdicts") {
  std::vector<expected_verdict> out;
  std::string error;
  REQUIRE(parse_expected(
      "@0 (time point 0): false\n\n  @10 (time point 2): true  \r\n@3601 (time point 7): true", out, error));
  REQUIRE(out.size() == 3);
  CHECK(out[0].time_seconds == 0);
  CHECK(out[0].point == 0);
  CHECK_FALSE(out[0].allow);
  CHECK(out[1].time_seconds == 10);
  CHECK(out[1].point == 2);
  CHECK(out[1].allow);
  CHECK(out[1].line == 3);
  CHECK(out[2].point == 7);

  CHECK(format_verdict(10, 1, true) == "@10 (time point 1): true");
  CHECK(format_verdict(0, 0, false) == "@0 (time point 0): false");
  CHECK(format_verdict(-3, 4, false) == "@-3 (time point 4): false");

  CHECK_FALSE(parse_expected("@0 (time point 0): maybe", out, error));
  CHECK(error.find("line 1, column 20: expected `true` or `false`") != std::string::npos);
  CHECK(out.empty());
  CHECK_FALSE(parse_expected("@0 (time point 0): true\n  @1 (timepoint 1): true", out, error));
  CHECK(error.find("line 2, column 11: expected `(time point N)`") != std::string::npos);
  CHECK_FALSE(parse_expected("@0 (time point 0): true extra", out, error));
}
