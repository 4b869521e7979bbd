// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Tests for lib/json: Cedar JSON values, entity stores (with their ancestor closure) and requests,
// including hostile input: bad syntax, wrong shapes, duplicates, deep nesting, huge numbers.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "json/cedar_json.hpp"
#include "mandate/entities.hpp"
#include "mandate/request.hpp"
#include "value/store.hpp"

namespace {

using namespace mandate;
using detail::value;
using detail::value_kind;

struct converted {
  bool ok = false;
  value result;
  detail::json_error error;
};

// Parses `text` and converts it as a Cedar value into `storage`.
converted convert(std::string_view text, detail::arena& storage) {
  converted c;
  nlohmann::json document;
  if (!detail::parse_json(text, document, c.error)) return c;
  c.ok = detail::cedar_value_from_json(document, storage, c.result, c.error);
  return c;
}

std::string conversion_error(std::string_view text) {
  detail::arena storage;
  converted c = convert(text, storage);
  REQUIRE_FALSE(c.ok);
  return c.error.message;
}

const value& field(const value& record, std::string_view name) {
  REQUIRE(record.kind == value_kind::record);
  const value* found = detail::record_find(*record.record, detail::intern(name));
  REQUIRE(found != nullptr);
  return *found;
}

detail::entity_uid uid(std::string_view type, std::string_view id) {
  return {detail::intern(type), detail::intern(id)};
}

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string only_error(const expected<entity_store, std::vector<diagnostic>>& loaded) {
  REQUIRE_FALSE(loaded.has_value());
  REQUIRE(loaded.error().size() == 1);
  return loaded.error().front().message;
}

const detail::entity_record& record_of(const entity_store& store, std::string_view type,
                                       std::string_view id) {
  const detail::entity_record* found = store.internals().find(uid(type, id));
  REQUIRE(found != nullptr);
  return *found;
}

// A chain e0 <- e1 <- ... <- e(n-1): each entity's parent is the one before it.
std::string chain_json(std::size_t length) {
  std::string text = "[";
  for (std::size_t i = 0; i < length; ++i) {
    if (i > 0) text += ",\n";
    text += R"({"uid": {"type": "Group", "id": "g)" + std::to_string(i) + R"("}, "parents": [)";
    if (i > 0) text += R"({"type": "Group", "id": "g)" + std::to_string(i - 1) + R"("})";
    text += "]}";
  }
  return text + "]";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Cedar JSON values

TEST_CASE("json: scalars, sets and records convert to values") {
  detail::arena storage;
  converted c = convert(R"({"yes": true, "n": -42, "big": 9223372036854775807, "small": -9223372036854775808,
                            "s": "héllo", "set": [3, 1, 3, 2], "inner": {"x": "y"}, "empty": []})",
                        storage);
  REQUIRE(c.ok);
  CHECK(field(c.result, "yes").kind == value_kind::boolean);
  CHECK(field(c.result, "yes").boolean);
  CHECK(field(c.result, "n").integer == -42);
  CHECK(field(c.result, "big").integer == INT64_MAX);
  CHECK(field(c.result, "small").integer == INT64_MIN);
  CHECK(detail::symbol_text(field(c.result, "s").string) == "héllo");
  const value& set = field(c.result, "set");
  REQUIRE(set.kind == value_kind::set);
  CHECK(set.set->size == 3);  // duplicates folded
  CHECK(detail::set_contains(*set.set, value::of_int(2)));
  CHECK(field(field(c.result, "inner"), "x").kind == value_kind::string);
  CHECK(field(c.result, "empty").set->size == 0);
}

TEST_CASE("json: integers beyond 64 bits and non-integers are rejected with the number") {
  CHECK(conversion_error("9223372036854775808") ==
        "integer 9223372036854775808 is out of range for a 64-bit Long");
  CHECK(conversion_error("-9223372036854775809").find("-9223372036854775809 is out of range") !=
        std::string::npos);
  CHECK(conversion_error("[1, 99999999999999999999]").find("99999999999999999999 is out of range") !=
        std::string::npos);
  CHECK(conversion_error("1.5").find("1.5 is not an integer") != std::string::npos);
  CHECK(conversion_error("2e3").find("2e3 is not an integer") != std::string::npos);
  CHECK(conversion_error("1.0").find("not an integer") != std::string::npos);
  // Too big even for a double: nlohmann refuses it as a syntax error.
  CHECK(conversion_error("1e400").find("overflow") != std::string::npos);
}

TEST_CASE("json: null is not a Cedar value") {
  CHECK(conversion_error(R"({"a": null})") == "null is not a Cedar value");
}

TEST_CASE("json: duplicate keys are errors at the duplicate, at any depth") {
  detail::arena storage;
  const std::string text = "{\"a\": 1,\n \"b\": {\"c\": 1, \"c\": 2}}";
  converted c = convert(text, storage);
  REQUIRE_FALSE(c.ok);
  CHECK(c.error.message == R"(duplicate key "c")");
  REQUIRE(c.error.path.size() == 2);
  CHECK(c.error.path[0].key == "b");
  CHECK(c.error.path[1].key == "c");
  detail::text_span span;
  REQUIRE(detail::locate_json_path(text, c.error.path, span));
  CHECK(text.substr(span.offset, span.length) == "2");  // the second "c", not the first
  CHECK(detail::position_of(text, span.offset).line == 2);
}

TEST_CASE("json: syntax errors have a byte offset and a message without nlohmann's prefix") {
  nlohmann::json document;
  detail::json_error error;
  const std::string text = "[1,\n 2,\n ]";
  REQUIRE_FALSE(detail::parse_json(text, document, error));
  CHECK(error.offset == text.find(']'));
  CHECK(error.message.find("[json.exception") == std::string::npos);
  CHECK(error.message.find("unexpected ']'") != std::string::npos);
  const detail::text_position at = detail::position_of(text, error.offset);
  CHECK(at.line == 3);
  CHECK(at.column == 2);
  CHECK(at.line_text == " ]");

  for (std::string_view bad :
       {"", "[1] 2", "{\"a\" 1}", "tru", "[1,]", "\"unterminated", "{\"a\": 1 // comment\n}", R"("\ud800")",
        "\"bad \x01 control\"", "\"bad \xff utf-8\""}) {
    detail::json_error e;
    CHECK_MESSAGE(!detail::parse_json(bad, document, e), bad);
    CHECK(e.offset != detail::no_offset);
    CHECK_FALSE(e.message.empty());
  }
}

TEST_CASE("json: nesting is bounded before nlohmann parses, so deep input is an error, not a crash") {
  nlohmann::json document;
  detail::json_error error;
  REQUIRE_FALSE(detail::parse_json(nested_arrays(10'000), document, error));
  CHECK(error.message == "JSON nested deeper than 128 levels");
  CHECK(error.offset == 128);  // the 129th bracket

  std::string deep_objects;
  for (int i = 0; i < 10'000; ++i) deep_objects += R"({"a":)";
  REQUIRE_FALSE(detail::parse_json(deep_objects, document, error));
  CHECK(error.message.find("nested deeper than 128") != std::string::npos);

  // Exactly the limit is fine, and brackets inside strings do not count.
  detail::arena storage;
  CHECK(convert(nested_arrays(128), storage).ok);
  CHECK_FALSE(convert(nested_arrays(129), storage).ok);
  const std::string bracket_string = "\"" + std::string(10'000, '[') + R"(\"{")";
  CHECK(convert(bracket_string, storage).ok);
}

TEST_CASE("json: __entity escapes become entity values") {
  detail::arena storage;
  converted c = convert(R"({"owner": {"__entity": {"type": "App::User", "id": "alice"}}})", storage);
  REQUIRE(c.ok);
  const value& owner = field(c.result, "owner");
  REQUIRE(owner.kind == value_kind::entity);
  CHECK(owner.entity == uid("App::User", "alice"));

  CHECK(conversion_error(R"({"__entity": {"type": "User", "id": "a"}, "x": 1})").find("no other keys") !=
        std::string::npos);
  CHECK(conversion_error(R"({"__entity": {"type": "Not A Name", "id": "a"}})").find("not a valid name") !=
        std::string::npos);
  CHECK(conversion_error(R"({"__entity": {"type": "User"}})").find(R"("id" is missing)") !=
        std::string::npos);
  CHECK(conversion_error(R"({"__entity": {"type": "User", "id": 7}})").find(R"("id" must be a string)") !=
        std::string::npos);
  CHECK(conversion_error(R"({"__entity": "User::\"a\""})").find("must be") != std::string::npos);
  CHECK(conversion_error(R"({"__expr": "User::\"a\""})").find("removed in Cedar 3.0") != std::string::npos);
}

TEST_CASE("json: __extn escapes call extension constructors, in both the arg and args forms") {
  detail::arena storage;
  converted c = convert(R"({"price": {"__extn": {"fn": "decimal", "arg": "1.5"}},
                            "net": {"__extn": {"fn": "ip", "arg": "10.0.0.0/8"}},
                            "when": {"__extn": {"fn": "offset", "args": [
                                {"__extn": {"fn": "datetime", "arg": "1970-01-01"}},
                                {"__extn": {"fn": "duration", "arg": "1500ms"}}]}}})",
                        storage);
  REQUIRE_MESSAGE(c.ok, c.error.message);
  CHECK(field(c.result, "price").kind == value_kind::decimal);
  CHECK(field(c.result, "price").integer == 15'000);
  CHECK(field(c.result, "net").kind == value_kind::ip);
  CHECK(field(c.result, "when").kind == value_kind::datetime);
  CHECK(field(c.result, "when").integer == 1'500);
}

TEST_CASE("json: malformed __extn escapes are rejected with a reason") {
  CHECK(conversion_error(R"({"__extn": {"arg": "1.5"}})").find(R"(needs "fn")") != std::string::npos);
  CHECK(conversion_error(R"({"__extn": {"fn": 7, "arg": "1.5"}})").find(R"(needs "fn")") !=
        std::string::npos);
  CHECK(conversion_error(R"({"__extn": {"fn": "decimal"}})").find("exactly one of") != std::string::npos);
  CHECK(conversion_error(R"({"__extn": {"fn": "decimal", "arg": "1.5", "args": ["1.5"]}})")
            .find("exactly one of") != std::string::npos);
  CHECK(conversion_error(R"({"__extn": {"fn": "ip", "args": "1.2.3.4"}})").find("must be an array") !=
        std::string::npos);
  CHECK(conversion_error(R"({"__extn": {"fn": "ip", "arg": "1.2.3.4", "extra": 1}})")
            .find(R"(unexpected key "extra")") != std::string::npos);
  CHECK(conversion_error(R"({"__extn": "ip"})").find("must be an object") != std::string::npos);
  CHECK(conversion_error(R"({"__extn": {"fn": "ip", "arg": "1.2.3.4"}, "more": 1})").find("no other keys") !=
        std::string::npos);
  // The constructor's own errors come through.
  CHECK_FALSE(conversion_error(R"({"__extn": {"fn": "ip", "arg": "not an address"}})").empty());
  CHECK_FALSE(conversion_error(R"({"__extn": {"fn": "decimal", "arg": 15}})").empty());
  CHECK_FALSE(conversion_error(R"({"__extn": {"fn": "ip", "args": ["1.2.3.4", "5.6.7.8"]}})").empty());
  CHECK_FALSE(conversion_error(R"({"__extn": {"fn": "no_such_function", "arg": "x"}})").empty());
  CHECK(conversion_error(R"({"__extn": {"fn": "offset", "args": []}})").find("receiver") !=
        std::string::npos);
  // And errors inside arguments are found at the argument.
  detail::arena storage;
  converted c = convert(R"({"x": {"__extn": {"fn": "ip", "arg": 99999999999999999999}}})", storage);
  REQUIRE_FALSE(c.ok);
  CHECK(c.error.message.find("out of range") != std::string::npos);
  CHECK(detail::describe_json_steps(c.error.path, "attribute") == R"(attribute "x")");
}

TEST_CASE("json: a record's top level is never an escape") {
  // Attributes, tags and contexts are records of named values: "__entity" there is just a name.
  nlohmann::json document;
  detail::json_error error;
  REQUIRE(detail::parse_json(R"({"__entity": 5})", document, error));
  detail::arena storage;
  value record;
  REQUIRE(detail::cedar_record_from_json(document, storage, record, error));
  CHECK(field(record, "__entity").integer == 5);
}

TEST_CASE("json: converters leave the path at the offending value and restore it on success") {
  nlohmann::json document;
  detail::json_error error;
  REQUIRE(detail::parse_json(R"({"ok": [1, 2], "bad": [1, {"deep": null}]})", document, error));
  detail::arena storage;
  value out;
  error.path = {detail::json_step::member("base")};
  REQUIRE_FALSE(detail::cedar_value_from_json(document, storage, out, error));
  CHECK(detail::describe_json_steps(error.path, "attribute") ==
        R"(attribute "base", field "bad", element 1, field "deep")");

  REQUIRE(detail::parse_json(R"({"ok": [1, {"a": {"__extn": {"fn": "decimal", "arg": "2.0"}}}]})", document,
                             error));
  error.path = {detail::json_step::member("base")};
  REQUIRE(detail::cedar_value_from_json(document, storage, out, error));
  CHECK(error.path.size() == 1);
}

TEST_CASE("json: entity references in Cedar's text form") {
  detail::entity_uid parsed;
  std::string error;
  REQUIRE(detail::parse_entity_uid_text(R"(User::"alice")", parsed, error));
  CHECK(parsed == uid("User", "alice"));
  REQUIRE(detail::parse_entity_uid_text(R"(A::B::"id with \"escapes\"")", parsed, error));
  CHECK(parsed == uid("A::B", R"(id with "escapes")"));
  REQUIRE(detail::parse_entity_uid_text(R"(  Ns :: Doc :: "tab\there\n\u{1F600}\x41\\" )", parsed, error));
  CHECK(parsed == uid("Ns::Doc",
                      "tab\there\n\xF0\x9F\x98\x80"
                      "A\\"));
  REQUIRE(detail::parse_entity_uid_text(R"(User::"")", parsed, error));
  CHECK(parsed == uid("User", ""));

  for (std::string_view bad : {R"(User)", R"("alice")", R"(User:"alice")", R"(User::"alice)",
                               R"(User::"a" x)", R"(1User::"a")", R"(if::"a")", R"(User::"\q")",
                               R"(User::"\u{D800}")", R"(User::"\x80")", R"(User::alice)", R"(::"a")", ""}) {
    error.clear();
    CHECK_MESSAGE(!detail::parse_entity_uid_text(bad, parsed, error), bad);
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("json: entity type names are identifiers joined by ::") {
  CHECK(detail::is_entity_type_name("User"));
  CHECK(detail::is_entity_type_name("_a1::B_2::c"));
  CHECK_FALSE(detail::is_entity_type_name(""));
  CHECK_FALSE(detail::is_entity_type_name("A::"));
  CHECK_FALSE(detail::is_entity_type_name("::A"));
  CHECK_FALSE(detail::is_entity_type_name("A :: B"));
  CHECK_FALSE(detail::is_entity_type_name("A:B"));
  CHECK_FALSE(detail::is_entity_type_name("9lives"));
  CHECK_FALSE(detail::is_entity_type_name("A-B"));
  CHECK_FALSE(detail::is_entity_type_name("in"));
  CHECK_FALSE(detail::is_entity_type_name("__cedar::X"));
}

TEST_CASE("json: locate_json_path finds values by index and by escaped key") {
  const std::string text = "[\n  {\"a\\u0062\": [10, \"x,]}\", {\"k\": true}]},\n  5\n]";
  detail::text_span span;
  REQUIRE(detail::locate_json_path(text,
                                   {detail::json_step::element(0), detail::json_step::member("ab"),
                                    detail::json_step::element(2), detail::json_step::member("k")},
                                   span));
  CHECK(text.substr(span.offset, span.length) == "true");
  REQUIRE(detail::locate_json_path(text, {detail::json_step::element(1)}, span));
  CHECK(text.substr(span.offset, span.length) == "5");
  const detail::text_position at = detail::position_of(text, span.offset);
  CHECK(at.line == 3);
  CHECK(at.column == 3);
  CHECK_FALSE(detail::locate_json_path(text, {detail::json_step::element(2)}, span));
  CHECK_FALSE(
      detail::locate_json_path(text, {detail::json_step::element(0), detail::json_step::member("zz")}, span));
}

// ---------------------------------------------------------------------------------------------
// Entity stores

TEST_CASE("entities: an empty store has nothing") {
  entity_store store;
  CHECK(store.size() == 0);
  CHECK_FALSE(store.contains({"User", "alice"}));
  auto loaded = entity_store::from_json("[]");
  REQUIRE(loaded.has_value());
  CHECK(loaded->size() == 0);
}

TEST_CASE("entities: Cedar's entity JSON loads attributes, tags, parents and ancestors") {
  auto loaded = entity_store::from_json(R"([
    {"uid": {"type": "User", "id": "alice"},
     "attrs": {"age": 30, "manager": {"__entity": {"type": "User", "id": "bob"}},
               "ip": {"__extn": {"fn": "ip", "arg": "10.1.2.3"}}},
     "parents": [{"type": "Team", "id": "eng"}, {"__entity": {"type": "Team", "id": "all"}}],
     "tags": {"level": "senior"}},
    {"uid": {"__entity": {"type": "Team", "id": "eng"}}, "parents": [{"type": "Org", "id": "acme"}]},
    {"uid": {"type": "Team", "id": "all"}, "attrs": null, "parents": null, "tags": null},
    {"uid": {"type": "User", "id": "bob"}}
  ])");
  REQUIRE_MESSAGE(loaded.has_value(), (loaded ? "" : loaded.error().front().message));
  const entity_store& store = *loaded;
  CHECK(store.size() == 4);
  CHECK(store.contains({"User", "alice"}));
  CHECK(store.contains({"Team", "all"}));
  CHECK_FALSE(store.contains({"Org", "acme"}));  // a parent, not an entity of the store
  CHECK_FALSE(store.contains({"User", "never-interned-name-xyz"}));

  const detail::entity_record& alice = record_of(store, "User", "alice");
  CHECK(field(alice.attributes, "age").integer == 30);
  CHECK(field(alice.attributes, "manager").entity == uid("User", "bob"));
  CHECK(field(alice.attributes, "ip").kind == value_kind::ip);
  CHECK(detail::symbol_text(field(alice.tags, "level").string) == "senior");
  CHECK(alice.parents.size() == 2);
  CHECK(alice.ancestors.size() == 3);  // eng, all, and acme through eng
  CHECK(std::is_sorted(alice.ancestors.begin(), alice.ancestors.end()));

  const detail::entity_data& data = store.internals();
  CHECK(data.descends_from(uid("User", "alice"), uid("Org", "acme")));
  CHECK(data.descends_from(uid("User", "alice"), uid("User", "alice")));
  CHECK_FALSE(data.descends_from(uid("Team", "eng"), uid("User", "alice")));
  CHECK_FALSE(data.descends_from(uid("User", "bob"), uid("Team", "eng")));
  CHECK(record_of(store, "Team", "all").attributes.record->size == 0);
  CHECK(record_of(store, "User", "bob").ancestors.empty());

  // Copies share storage.
  entity_store copy = store;
  CHECK(&copy.internals() == &store.internals());
}

TEST_CASE("entities: syntax errors are json diagnostics with a position and the source line") {
  auto loaded = entity_store::from_json(
      "[\n  {\"uid\": {\"type\": \"User\", \"id\": \"a\"}},\n  {\"uid\": oops}\n]", "people.json");
  REQUIRE_FALSE(loaded.has_value());
  REQUIRE(loaded.error().size() == 1);
  const diagnostic& d = loaded.error().front();
  CHECK(d.code == "json");
  CHECK(d.level == severity::error);
  CHECK(d.where.file == "people.json");
  CHECK(d.where.line == 3);
  CHECK(d.where.column >= 11);
  CHECK(d.where.length == 1);
  CHECK(d.source_line == "  {\"uid\": oops}");
  CHECK(d.message.find("invalid literal") != std::string::npos);
}

TEST_CASE("entities: 10,000-deep nesting is an error, not a stack overflow") {
  std::string text = R"([{"uid": {"type": "A", "id": "a"}, "attrs": {"x": )" + nested_arrays(10'000) + "}}]";
  auto loaded = entity_store::from_json(text);
  CHECK(only_error(loaded) == "JSON nested deeper than 128 levels");
  CHECK(loaded.error().front().code == "json");
  CHECK(loaded.error().front().where.line == 1);
}

TEST_CASE("entities: a value deep inside an attribute is reported with entity, attribute and position") {
  const std::string text = R"([
  {"uid": {"type": "User", "id": "alice"}},
  {"uid": {"type": "User", "id": "bob"},
   "attrs": {"name": "Bob",
             "age": 99999999999999999999}}
])";
  auto loaded = entity_store::from_json(text, "e.json");
  CHECK(only_error(loaded) == R"(entity 1 (User::"bob"): attribute "age": )"
                              R"(integer 99999999999999999999 is out of range for a 64-bit Long)");
  const diagnostic& d = loaded.error().front();
  CHECK(d.code == "entities");
  CHECK(d.where.file == "e.json");
  CHECK(d.where.line == 5);
  CHECK(d.where.column == 21);
  CHECK(d.where.offset == text.find("9999"));
  CHECK(d.where.length == 20);
  CHECK(d.source_line == "             \"age\": 99999999999999999999}}");

  auto nested = entity_store::from_json(
      R"([{"uid": {"type": "User", "id": "c"}, "attrs": {"address": {"zip": [1, 2.5]}}}])");
  CHECK(only_error(nested) ==
        R"(entity 0 (User::"c"): attribute "address", field "zip", element 1: number 2.5 is not an integer )"
        R"((Cedar numbers are 64-bit integers))");

  auto tags = entity_store::from_json(R"([{"uid": {"type": "User", "id": "c"}, "tags": {"t": null}}])");
  CHECK(only_error(tags) == R"(entity 0 (User::"c"): tag "t": null is not a Cedar value)");
}

TEST_CASE("entities: duplicate uids are errors pointing at the second one") {
  const std::string text = R"([
  {"uid": {"type": "User", "id": "alice"}},
  {"uid": {"type": "User", "id": "bob"}},
  {"uid": {"__entity": {"type": "User", "id": "alice"}}}
])";
  auto loaded = entity_store::from_json(text);
  CHECK(only_error(loaded) == R"(entity 2 (User::"alice"): duplicate uid, first defined by entity 0)");
  CHECK(loaded.error().front().code == "entities");
  CHECK(loaded.error().front().where.line == 4);
}

TEST_CASE("entities: duplicate keys are errors, in the entity object and in attributes") {
  auto twice = entity_store::from_json(
      R"([{"uid": {"type": "User", "id": "a"}, "parents": [], "parents": [{"type": "G", "id": "g"}]}])");
  CHECK(only_error(twice) == R"(entity 0 (User::"a"): duplicate key "parents")");

  auto attrs =
      entity_store::from_json(R"([{"uid": {"type": "User", "id": "a"}, "attrs": {"x": 1, "x": 2}}])");
  CHECK(only_error(attrs) == R"(entity 0 (User::"a"): attribute "x": duplicate key "x")");

  auto in_uid = entity_store::from_json(R"([{"uid": {"type": "User", "type": "Admin", "id": "a"}}])");
  CHECK(only_error(in_uid) == R"(entity 0: "uid": duplicate key "type")");
}

TEST_CASE("entities: wrong shapes are explained") {
  auto not_array = entity_store::from_json(R"(  {"uid": {"type": "User", "id": "a"}})");
  CHECK(only_error(not_array).find("must be an array") != std::string::npos);
  CHECK(not_array.error().front().where.column == 3);
  CHECK(only_error(entity_store::from_json(R"([42])")) ==
        R"(entity 0: must be an object with "uid", "attrs", "parents" and "tags", not a number)");
  CHECK(only_error(entity_store::from_json(R"([{"attrs": {}}])")) == R"(entity 0: missing "uid")");
  CHECK(only_error(entity_store::from_json(R"([{"uid": "User::\"a\""}])")).find("Cedar 3.0") !=
        std::string::npos);
  CHECK(only_error(entity_store::from_json(R"([{"uid": {"type": "User", "id": "a", "extra": 1}}])"))
            .find(R"(unexpected key "extra")") != std::string::npos);
  CHECK(only_error(entity_store::from_json(R"([{"uid": {"type": "Bad Type", "id": "a"}}])"))
            .find("not a valid name") != std::string::npos);
  CHECK(
      only_error(entity_store::from_json(R"([{"uid": {"type": "User", "id": "a"}, "parent": []}])")) ==
      R"(entity 0 (User::"a"): unknown field "parent" (an entity has "uid", "attrs", "parents" and "tags"))");
  CHECK(only_error(entity_store::from_json(R"([{"uid": {"type": "User", "id": "a"}, "attrs": []}])")) ==
        R"(entity 0 (User::"a"): "attrs" must be an object, not an array)");
  CHECK(only_error(entity_store::from_json(R"([{"uid": {"type": "User", "id": "a"}, "parents": {}}])")) ==
        R"(entity 0 (User::"a"): "parents" must be an array of entity references, not an object)");
  CHECK(only_error(
            entity_store::from_json(R"([{"uid": {"type": "User", "id": "a"}, "parents": [{"type": "G"}]}])"))
            .starts_with(R"(entity 0 (User::"a"): parent 0: an entity reference needs "type" and "id")"));
  CHECK(only_error(
            entity_store::from_json(R"([{"uid": {"type": "User", "id": "a"}, "parents": ["G::\"g\""]}])"))
            .starts_with(R"(entity 0 (User::"a"): parent 0: an entity reference must be)"));
  CHECK(
      only_error(
          entity_store::from_json(
              R"([{"uid": {"type": "U", "id": "a"}, "attrs": {"n": {"__extn": {"fn": "ip", "arg": "x"}}}}])"))
          .starts_with(R"(entity 0 (U::"a"): attribute "n": )"));
}

TEST_CASE("entities: several bad entities give several diagnostics, each positioned") {
  const std::string text =
      "[\n{\"uid\": {\"type\": \"A\", \"id\": 1}},\n{\"uid\": {\"type\": \"A\", \"id\": \"ok\"}},\n"
      "{\"uid\": {\"type\": \"A\", \"id\": \"b\"}, \"attrs\": {\"x\": null}}\n]";
  auto loaded = entity_store::from_json(text);
  REQUIRE_FALSE(loaded.has_value());
  REQUIRE(loaded.error().size() == 2);
  CHECK(loaded.error()[0].message == R"(entity 0: "uid": "id" must be a string, not a number)");
  CHECK(loaded.error()[0].where.line == 2);
  CHECK(loaded.error()[1].message == R"(entity 2 (A::"b"): attribute "x": null is not a Cedar value)");
  CHECK(loaded.error()[1].where.line == 4);
  CHECK(loaded.error()[1].source_line.find("\"x\": null") != std::string::npos);
}

TEST_CASE("entities: errors stop being reported after twenty") {
  std::string text = "[";
  for (int i = 0; i < 100; ++i) text += std::string(i > 0 ? "," : "") + "1";
  auto loaded = entity_store::from_json(text + "]");
  REQUIRE_FALSE(loaded.has_value());
  CHECK(loaded.error().size() == 20);
}

TEST_CASE("entities: cycles in parents are tolerated; members of a cycle share ancestors") {
  auto loaded = entity_store::from_json(R"([
    {"uid": {"type": "G", "id": "a"}, "parents": [{"type": "G", "id": "b"}]},
    {"uid": {"type": "G", "id": "b"}, "parents": [{"type": "G", "id": "c"}]},
    {"uid": {"type": "G", "id": "c"}, "parents": [{"type": "G", "id": "a"}, {"type": "G", "id": "top"}]},
    {"uid": {"type": "G", "id": "self"}, "parents": [{"type": "G", "id": "self"}]},
    {"uid": {"type": "U", "id": "u"}, "parents": [{"type": "G", "id": "a"}]}
  ])");
  REQUIRE(loaded.has_value());
  const detail::entity_data& data = loaded->internals();
  for (std::string_view member : {"a", "b", "c"}) {
    const detail::entity_record& r = record_of(*loaded, "G", member);
    CHECK(r.ancestors.size() == 3);  // the two others and G::"top"; never itself
    CHECK_FALSE(std::binary_search(r.ancestors.begin(), r.ancestors.end(), uid("G", member).key()));
  }
  CHECK(data.descends_from(uid("G", "a"), uid("G", "c")));
  CHECK(data.descends_from(uid("G", "c"), uid("G", "b")));
  CHECK(data.descends_from(uid("G", "b"), uid("G", "top")));
  CHECK(record_of(*loaded, "G", "self").ancestors.empty());
  CHECK(record_of(*loaded, "U", "u").ancestors.size() == 4);
  CHECK_FALSE(data.descends_from(uid("G", "top"), uid("G", "a")));
}

TEST_CASE("entities: a 5,000-long chain of parents gets every ancestor, without deep recursion") {
  constexpr std::size_t length = 5'000;
  // Far past the default limits (section 13 of grammar/REFERENCE.md), which a caller can raise.
  auto loaded = entity_store::from_json(chain_json(length), "<entities>",
                                        {.max_hierarchy_depth = 10'000, .max_ancestor_links = 20'000'000});
  REQUIRE(loaded.has_value());
  CHECK(loaded->size() == length);
  CHECK(record_of(*loaded, "Group", "g0").ancestors.empty());
  CHECK(record_of(*loaded, "Group", "g1").ancestors.size() == 1);
  CHECK(record_of(*loaded, "Group", "g2500").ancestors.size() == 2'500);
  CHECK(record_of(*loaded, "Group", "g4999").ancestors.size() == 4'999);
  const detail::entity_data& data = loaded->internals();
  CHECK(data.descends_from(uid("Group", "g4999"), uid("Group", "g0")));
  CHECK(data.descends_from(uid("Group", "g3000"), uid("Group", "g2999")));
  CHECK_FALSE(data.descends_from(uid("Group", "g0"), uid("Group", "g4999")));
  CHECK_FALSE(data.descends_from(uid("Group", "g2999"), uid("Group", "g3000")));
}

TEST_CASE("entities: compute_ancestors matches a naive search on random graphs with cycles") {
  std::mt19937 random(20260101);
  for (int round = 0; round < 20; ++round) {
    detail::entity_data data;
    const std::uint32_t count = 1 + random() % 300;
    const std::uint32_t edges_per_node = random() % 6;  // up to 5: both merge strategies run
    for (std::uint32_t i = 0; i < count; ++i) {
      detail::entity_record r;
      r.uid = uid("N", "n" + std::to_string(i));
      data.index.emplace(r.uid.key(), i);
      data.records.push_back(std::move(r));
    }
    for (auto& r : data.records) {
      const std::uint32_t parents = random() % (edges_per_node + 1);
      for (std::uint32_t p = 0; p < parents; ++p) {
        // Mostly to lower numbers (deep DAGs), sometimes anywhere (cycles), sometimes outside the store.
        const std::uint32_t kind = random() % 10;
        if (kind == 0) {
          r.parents.push_back(uid("Outside", "o" + std::to_string(random() % 5)));
        } else {
          const auto self = static_cast<std::uint32_t>(&r - data.records.data());
          const std::uint32_t target = kind == 1 || self == 0 ? random() % count : random() % self;
          r.parents.push_back(data.records[target].uid);
        }
      }
    }
    REQUIRE_FALSE(data.compute_ancestors().has_value());
    for (const auto& r : data.records) {
      std::set<std::uint64_t> reached;
      std::vector<detail::entity_uid> pending = r.parents;
      while (!pending.empty()) {
        const detail::entity_uid next = pending.back();
        pending.pop_back();
        if (!reached.insert(next.key()).second) continue;
        if (const auto* parent = data.find(next))
          pending.insert(pending.end(), parent->parents.begin(), parent->parents.end());
      }
      reached.erase(r.uid.key());
      const std::vector<std::uint64_t> expected_ancestors(reached.begin(), reached.end());
      REQUIRE(r.ancestors == expected_ancestors);
    }
  }
}

TEST_CASE("entities: a wide, deep hierarchy of 20,000 entities loads quickly") {
  // 10,000 users, each in 3 of 10,000 groups arranged in a tree of depth ~13 (each group's parent
  // is group i / 2), exercising the memoized closure on a realistic shape.
  std::string text = "[";
  for (int g = 1; g <= 10'000; ++g) {
    text += R"({"uid": {"type": "Group", "id": ")" + std::to_string(g) + R"("}, "parents": [)";
    if (g > 1) text += R"({"type": "Group", "id": ")" + std::to_string(g / 2) + R"("})";
    text += "]},";
  }
  for (int u = 0; u < 10'000; ++u) {
    text += R"({"uid": {"type": "User", "id": "u)" + std::to_string(u) + R"("}, "attrs": {"n": )" +
            std::to_string(u) + R"(}, "parents": [)";
    for (int k = 0; k < 3; ++k) {
      text += std::string(k > 0 ? "," : "") + R"({"type": "Group", "id": ")" +
              std::to_string(1 + (u * 7 + k * 3331) % 10'000) + R"("})";
    }
    text += "]}";
    text += u + 1 < 10'000 ? "," : "";
  }
  auto loaded = entity_store::from_json(text + "]");
  REQUIRE(loaded.has_value());
  CHECK(loaded->size() == 20'000);
  // Group 1024 = 2^10: its ancestors are 512, 256, ..., 1.
  CHECK(record_of(*loaded, "Group", "1024").ancestors.size() == 10);
  CHECK(loaded->internals().descends_from(uid("User", "u5"), uid("Group", "1")));
}

TEST_CASE("entities: load reads files and reports io errors with the system's reason") {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "mandate_json_test";
  std::filesystem::create_directories(dir);
  const std::filesystem::path good = dir / "entities.json";
  {
    std::ofstream out(good);
    out << R"([{"uid": {"type": "User", "id": "alice"}}])";
  }
  auto loaded = entity_store::load(good);
  REQUIRE(loaded.has_value());
  CHECK(loaded->contains({"User", "alice"}));

  const std::filesystem::path bad = dir / "bad.json";
  {
    std::ofstream out(bad);
    out << "[\n  {\"uid\": 1}\n]";
  }
  auto broken = entity_store::load(bad);
  REQUIRE_FALSE(broken.has_value());
  CHECK(broken.error().front().where.file == bad.string());
  CHECK(broken.error().front().where.line == 2);

  auto missing = entity_store::load(dir / "no-such-file.json");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().front().code == "io");
  CHECK(missing.error().front().message.find("No such file or directory") != std::string::npos);
  CHECK(missing.error().front().where.file == (dir / "no-such-file.json").string());

  auto directory = entity_store::load(dir);
  REQUIRE_FALSE(directory.has_value());
  CHECK(directory.error().front().code == "io");
  CHECK(directory.error().front().message.find("Is a directory") != std::string::npos);
  std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------
// Requests

TEST_CASE("requests: built from entity_refs, with an empty context") {
  request r({"User", "alice"}, {"Action", "read"}, {"Doc", "d1"});
  CHECK(r.principal() == entity_ref{"User", "alice"});
  CHECK(r.action() == entity_ref{"Action", "read"});
  CHECK(r.resource() == entity_ref{"Doc", "d1"});
  REQUIRE(r.internals().context.kind == value_kind::record);
  CHECK(r.internals().context.record->size == 0);
}

TEST_CASE("requests: Cedar's request JSON in all three entity forms, unknown fields ignored") {
  auto parsed = request::from_json(R"({
    "principal": {"type": "User", "id": "alice"},
    "action": {"__entity": {"type": "Action", "id": "read"}},
    "resource": "Files::Doc::\"report \\\"Q3\\\"\"",
    "context": {"mfa": true, "ip": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}}},
    "description": "a test", "decision": "allow", "session": {"anything": [1, 2.5, null]}, "whatever": 1
  })");
  REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error()));
  CHECK(parsed->principal() == entity_ref{"User", "alice"});
  CHECK(parsed->action() == entity_ref{"Action", "read"});
  CHECK(parsed->resource() == entity_ref{"Files::Doc", R"(report "Q3")"});
  const value& context = parsed->internals().context;
  CHECK(field(context, "mfa").boolean);
  CHECK(field(context, "ip").kind == value_kind::ip);

  auto no_context =
      request::from_json(R"({"principal": "U::\"a\"", "action": "A::\"b\"", "resource": "R::\"c\"",
                                           "context": null})");
  REQUIRE(no_context.has_value());
  CHECK(no_context->internals().context.record->size == 0);
}

TEST_CASE("requests: missing or ill-typed entities are one-line errors") {
  CHECK(request::from_json(R"({"action": "A::\"b\"", "resource": "R::\"c\""})").error() ==
        R"(request: "principal" is missing; )"
        R"(it must be an entity reference like {"type": "User", "id": "alice"})");
  CHECK(request::from_json(R"({"principal": 5, "action": "A::\"b\"", "resource": "R::\"c\""})").error() ==
        R"(request: "principal" must be an entity reference )"
        R"(like {"type": "User", "id": "alice"}, not a number)");
  CHECK(request::from_json(R"({"principal": "U::\"a\"", "action": "read", "resource": "R::\"c\""})")
            .error()
            .starts_with(R"(request: "action": )"));
  CHECK(request::from_json(R"({"principal": "U::\"a\"", "action": "A::\"b\"", "resource": {"type": "R"}})")
            .error()
            .starts_with(R"(request: "resource": an entity reference needs "type" and "id")"));
  CHECK(request::from_json(R"({"principal": {"type": "no good", "id": "x"}, "action": "A::\"b\"",
                               "resource": "R::\"c\""})")
            .error()
            .find("not a valid name") != std::string::npos);
  CHECK(request::from_json(R"({"principal": "U::\"a\"", "principal": "U::\"b\"", "action": "A::\"b\"",
                               "resource": "R::\"c\""})")
            .error() == R"(request: "principal": duplicate key "principal")");
  CHECK(request::from_json("[1]").error().starts_with("request: must be a JSON object"));
}

TEST_CASE("requests: context errors name the attribute") {
  const std::string head =
      R"({"principal": "U::\"a\"", "action": "A::\"b\"", "resource": "R::\"c\"", "context": )";
  CHECK(request::from_json(head + "[1]}").error() ==
        "request: context must be a JSON object of Cedar values, not an array");
  CHECK(request::from_json(head + R"({"__entity": {"type": "U", "id": "x"}}})").error() ==
        "request: context must be a JSON object of Cedar values, not an entity or extension value");
  CHECK(request::from_json(head + R"({"n": {"m": 18446744073709551615}}})").error() ==
        R"(request: context: attribute "n", field "m": )"
        R"(integer 18446744073709551615 is out of range for a 64-bit Long)");
  CHECK(request::from_json(head + R"({"n": 1, "n": 2}})").error() ==
        R"(request: context: attribute "n": duplicate key "n")");
}

TEST_CASE("requests: malformed, deep and oversized JSON is refused") {
  const std::string syntax = request::from_json("{\"principal\": \n  ]").error();
  CHECK(syntax.starts_with("request: invalid JSON: "));
  CHECK(syntax.ends_with("at line 2, column 3"));
  CHECK(syntax.find('\n') == std::string::npos);

  const std::string deep = request::from_json(R"({"context": {"x": )" + nested_arrays(10'000) + "}}").error();
  CHECK(deep == "request: invalid JSON: JSON nested deeper than 128 levels at line 1, column 145");

  std::string huge = R"({"principal": "U::\"a\"", "action": "A::\"b\"", "resource": "R::\"c\"", "pad": ")";
  huge += std::string((16u << 20) + 1 - huge.size() - 2, 'x') + "\"}";
  REQUIRE(huge.size() == (16u << 20) + 1);
  CHECK(request::from_json(huge).error() == "request: JSON text is 16777217 bytes; the limit is 16 MiB");
  huge.erase(huge.size() - 3, 1);  // one byte less: exactly at the limit, accepted
  CHECK(request::from_json(huge).has_value());
}

TEST_CASE("requests: with_context_json replaces the context and keeps the entities") {
  request base({"User", "alice"}, {"Action", "read"}, {"Doc", "d1"});
  auto changed = base.with_context_json(R"({"hour": 13, "tags": ["a", "b"]})");
  REQUIRE(changed.has_value());
  CHECK(changed->principal() == entity_ref{"User", "alice"});
  CHECK(changed->resource() == entity_ref{"Doc", "d1"});
  CHECK(field(changed->internals().context, "hour").integer == 13);
  CHECK(field(changed->internals().context, "tags").set->size == 2);
  CHECK(base.internals().context.record->size == 0);  // the original is untouched

  CHECK(base.with_context_json("5").error() == "context must be a JSON object of Cedar values, not a number");
  CHECK(base.with_context_json(R"({"a": null})").error() ==
        R"(context: attribute "a": null is not a Cedar value)");
  CHECK(base.with_context_json("{").error().starts_with("context: invalid JSON: "));
  CHECK(base.with_context_json(nested_arrays(500)).error().find("nested deeper than 128") !=
        std::string::npos);
}
