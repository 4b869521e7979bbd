// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Tests for lib/json's schema-directed reading: entity data and requests read with a schema, as
// Cedar reads them (implicit extension and entity forms, conformance of every entity, the
// schema's actions in the store, request validation), with each failure's message.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mandate/entities.hpp"
#include "mandate/request.hpp"
#include "mandate/schema.hpp"
#include "value/extensions.hpp"
#include "value/store.hpp"

namespace {

using namespace mandate;
using detail::value;
using detail::value_kind;

constexpr std::string_view schema_text = R"(
entity Team;
entity Org;
entity UserGroup in [Org];
entity User in [UserGroup] = {
  name: String,
  age?: Long,
  active?: Bool,
  addr: ipaddr,
  limit?: decimal,
  since?: datetime,
  ttl?: duration,
  manager?: User,
  friends?: Set<User>,
  nets?: Set<ipaddr>,
  home?: { street: String, zip?: String, near?: User },
};
entity Doc = { owner: User } tags ipaddr;
entity Color enum ["red", "green"];
entity Box in [Color];
action all;
action read in [all];
action view in [read] appliesTo {
  principal: [User],
  resource: [Doc, Color],
  context: { ip: ipaddr, level?: Long, by?: User, tags?: Set<String> },
};
action paint appliesTo { principal: User, resource: Color };
)";

const schema& test_schema() {
  static const schema s = [] {
    auto parsed = schema::parse(schema_text, "test.cedarschema");
    REQUIRE(parsed.has_value());
    return *parsed;
  }();
  return s;
}

// A JSON schema with an open entity type: Cedar's "additionalAttributes": true.
const schema& open_schema() {
  static const schema s = [] {
    auto parsed = schema::parse_json(R"({"": {
      "entityTypes": {
        "Bag": {"shape": {"type": "Record", "additionalAttributes": true,
                          "attributes": {"ip": {"type": "Extension", "name": "ipaddr"}}}}
      },
      "actions": {}}})");
    REQUIRE(parsed.has_value());
    return *parsed;
  }();
  return s;
}

detail::entity_uid uid(std::string_view type, std::string_view id) {
  return {detail::intern(type), detail::intern(id)};
}

const value& field(const value& record, std::string_view name) {
  REQUIRE(record.kind == value_kind::record);
  const value* found = detail::record_find(*record.record, detail::intern(name));
  REQUIRE(found != nullptr);
  return *found;
}

bool has_field(const value& record, std::string_view name) {
  return record.kind == value_kind::record &&
         detail::record_find(*record.record, detail::intern(name)) != nullptr;
}

const detail::entity_record& record_of(const entity_store& store, std::string_view type,
                                       std::string_view id) {
  const detail::entity_record* found = store.internals().find(uid(type, id));
  REQUIRE(found != nullptr);
  return *found;
}

expected<entity_store, std::vector<diagnostic>> load(std::string_view json, const schema& s = test_schema()) {
  return entity_store::from_json(json, "entities.json", s);
}

entity_store loaded(std::string_view json, const schema& s = test_schema()) {
  auto store = load(json, s);
  if (!store) {
    for (const diagnostic& d : store.error()) MESSAGE(d.message);
  }
  REQUIRE(store.has_value());
  return *store;
}

std::string only_error(std::string_view json, const schema& s = test_schema()) {
  auto store = load(json, s);
  REQUIRE_FALSE(store.has_value());
  REQUIRE(store.error().size() == 1);
  CHECK(store.error().front().code == "entities");
  return store.error().front().message;
}

// A conforming User, with `extra` (JSON members, with a leading comma) added to its attributes.
std::string user_json(std::string_view id, std::string_view extra = "") {
  return R"({"uid": {"type": "User", "id": ")" + std::string(id) +
         R"("}, "attrs": {"name": "n", "addr": "10.0.0.1")" + std::string(extra) + "}}";
}

std::string ip_text(const value& v) {
  REQUIRE(v.kind == value_kind::ip);
  return detail::format_extension(v);
}

request request_of(std::string_view json, bool validate) {
  auto r = request::from_json(json, test_schema(), validate);
  if (!r) MESSAGE(r.error());
  REQUIRE(r.has_value());
  return *r;
}

std::string request_error(std::string_view json, bool validate = true) {
  auto r = request::from_json(json, test_schema(), validate);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

// A request for `action` by User::"alice" on `resource`, with `context` (a JSON object).
std::string request_json(std::string_view context, std::string_view action = "view",
                         std::string_view resource = R"({"type": "Doc", "id": "d"})",
                         std::string_view principal = R"({"type": "User", "id": "alice"})") {
  return R"({"principal": )" + std::string(principal) + R"(, "action": {"type": "Action", "id": ")" +
         std::string(action) + R"("}, "resource": )" + std::string(resource) +
         (context.empty() ? std::string() : R"(, "context": )" + std::string(context)) + "}";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Entities: what the schema lets the data leave implicit

TEST_CASE("json schema: strings typed as extensions are extension values") {
  const entity_store store = loaded(R"([{"uid": {"type": "User", "id": "alice"},
    "attrs": {"name": "Alice", "addr": "10.0.0.1", "limit": "1.5", "since": "2024-10-15",
              "ttl": "1h30m", "nets": ["10.0.0.0/8", "192.168.0.0/16"]}}])");
  const value& attrs = record_of(store, "User", "alice").attributes;
  CHECK(ip_text(field(attrs, "addr")) == R"(ip("10.0.0.1"))");
  CHECK(field(attrs, "limit").kind == value_kind::decimal);
  CHECK(field(attrs, "limit").integer == 15000);
  CHECK(field(attrs, "since").kind == value_kind::datetime);
  CHECK(field(attrs, "since").integer == 1728950400000);
  CHECK(field(attrs, "ttl").kind == value_kind::duration);
  CHECK(field(attrs, "ttl").integer == 5400000);
  const value& nets = field(attrs, "nets");
  REQUIRE(nets.kind == value_kind::set);
  CHECK(nets.set->size == 2);
  CHECK(nets.set->items[0].kind == value_kind::ip);
  CHECK(detail::symbol_text(field(attrs, "name").string) == "Alice");  // a String stays a string
}

TEST_CASE("json schema: the explicit __extn escape and the bare {fn, arg} form still work") {
  const entity_store store = loaded(R"([{"uid": {"type": "User", "id": "a"},
    "attrs": {"name": "n", "addr": {"__extn": {"fn": "ip", "arg": "10.0.0.2"}},
              "limit": {"fn": "decimal", "arg": "2.25"}}}])");
  const value& attrs = record_of(store, "User", "a").attributes;
  CHECK(ip_text(field(attrs, "addr")) == R"(ip("10.0.0.2"))");
  CHECK(field(attrs, "limit").integer == 22500);
}

TEST_CASE("json schema: {type, id} is an entity reference where the schema says an entity type") {
  const entity_store store = loaded(R"([{"uid": {"type": "User", "id": "a"},
    "attrs": {"name": "n", "addr": "10.0.0.1", "manager": {"type": "User", "id": "boss"},
              "friends": [{"type": "User", "id": "b"}, {"__entity": {"type": "User", "id": "c"}}],
              "home": {"street": "Main", "near": {"type": "User", "id": "d"}}}}])");
  const value& attrs = record_of(store, "User", "a").attributes;
  const value& manager = field(attrs, "manager");
  REQUIRE(manager.kind == value_kind::entity);
  CHECK(manager.entity == uid("User", "boss"));
  const value& friends = field(attrs, "friends");
  REQUIRE(friends.kind == value_kind::set);
  CHECK(detail::set_contains(*friends.set, value::of_entity(uid("User", "b"))));
  CHECK(detail::set_contains(*friends.set, value::of_entity(uid("User", "c"))));
  const value& home = field(attrs, "home");
  CHECK(detail::symbol_text(field(home, "street").string) == "Main");
  CHECK(field(home, "near").entity == uid("User", "d"));
  CHECK_FALSE(has_field(home, "zip"));  // optional, absent
}

TEST_CASE("json schema: without a schema the same strings stay strings") {
  auto store =
      entity_store::from_json(R"([{"uid": {"type": "User", "id": "a"}, "attrs": {"addr": "10.0.0.1"}}])");
  REQUIRE(store.has_value());
  CHECK(field(record_of(*store, "User", "a").attributes, "addr").kind == value_kind::string);
}

TEST_CASE("json schema: tags are read as the schema's tag type") {
  const entity_store store = loaded(R"([{"uid": {"type": "Doc", "id": "d"},
    "attrs": {"owner": {"type": "User", "id": "a"}}, "tags": {"origin": "10.1.0.0/16"}}])");
  const detail::entity_record& doc = record_of(store, "Doc", "d");
  CHECK(ip_text(field(doc.tags, "origin")) == R"(ip("10.1.0.0/16"))");
  CHECK(field(doc.attributes, "owner").entity == uid("User", "a"));
}

TEST_CASE("json schema: an open record type takes undeclared attributes, read without the schema") {
  const entity_store store =
      loaded(R"([{"uid": {"type": "Bag", "id": "b"}, "attrs": {"ip": "10.0.0.1", "other": "10.0.0.1"}}])",
             open_schema());
  const value& attrs = record_of(store, "Bag", "b").attributes;
  CHECK(field(attrs, "ip").kind == value_kind::ip);
  CHECK(field(attrs, "other").kind == value_kind::string);
}

TEST_CASE("json schema: enumerated entities and allowed parents load") {
  const entity_store store = loaded(R"([
    {"uid": {"type": "Color", "id": "red"}},
    {"uid": {"type": "Box", "id": "b"}, "parents": [{"type": "Color", "id": "green"}]},
    {"uid": {"type": "UserGroup", "id": "g"}, "parents": [{"type": "Org", "id": "o"}]},
    )" + user_json("u") + R"(])");
  CHECK(store.contains({"Color", "red"}));
  CHECK(store.internals().descends_from(uid("Box", "b"), uid("Color", "green")));
}

// ---------------------------------------------------------------------------------------------
// Entities: conformance failures, with Cedar's reasons

TEST_CASE("json schema: an attribute of the wrong type") {
  CHECK(only_error("[" + user_json("a", R"(, "age": "42")") + "]") ==
        R"(entity 0 (User::"a"): attribute "age": type mismatch: value was expected to have type Long, )"
        R"(but it actually has type String: "42")");
  CHECK(only_error("[" + user_json("a", R"(, "active": 1)") + "]") ==
        R"(entity 0 (User::"a"): attribute "active": type mismatch: value was expected to have type Bool, )"
        R"(but it actually has type Long: 1)");
  CHECK(only_error("[" + user_json("a", R"(, "friends": {"type": "User", "id": "b"})") + "]") ==
        R"(entity 0 (User::"a"): attribute "friends": type mismatch: value was expected to have type )"
        R"(Set<User>, but it actually has type Record: {"id": "b", "type": "User"})");
  CHECK(only_error("[" + user_json("a", R"(, "limit": {"__extn": {"fn": "ip", "arg": "1.2.3.4"}})") + "]") ==
        R"(entity 0 (User::"a"): attribute "limit": type mismatch: value was expected to have type decimal, )"
        R"(but it actually has type ipaddr: ip("1.2.3.4"))");
  CHECK(only_error("[" + user_json("a", R"(, "limit": 3)") + "]") ==
        R"(entity 0 (User::"a"): attribute "limit": type mismatch: value was expected to have type decimal, )"
        R"(but it actually has type Long: 3)");
}

TEST_CASE("json schema: an entity reference of the wrong type, or not a reference") {
  CHECK(only_error("[" + user_json("a", R"(, "manager": {"type": "Doc", "id": "d"})") + "]") ==
        R"(entity 0 (User::"a"): attribute "manager": type mismatch: value was expected to have type User, )"
        R"(but it actually has type Doc: Doc::"d")");
  CHECK(only_error(
            "[" +
            user_json("a", R"(, "friends": [{"type": "User", "id": "b"}, {"type": "Team", "id": "t"}])") +
            "]") ==
        R"(entity 0 (User::"a"): attribute "friends", element 1: type mismatch: value was expected to have )"
        R"(type User, but it actually has type Team: Team::"t")");
  CHECK(only_error("[" + user_json("a", R"(, "manager": "bob")") + "]") ==
        R"(entity 0 (User::"a"): attribute "manager": type mismatch: value was expected to have type User, )"
        R"(but it actually has type String: "bob")");
  CHECK(only_error("[" + user_json("a", R"(, "manager": {"type": "User"})") + "]") ==
        R"(entity 0 (User::"a"): attribute "manager": )"
        R"(an entity reference needs "type" and "id"; "id" is missing)");
}

TEST_CASE("json schema: an extension string that does not parse") {
  CHECK(only_error(R"([{"uid": {"type": "User", "id": "a"}, "attrs": {"name": "n", "addr": "10.0.0.256"}}])")
            .starts_with(R"(entity 0 (User::"a"): attribute "addr": invalid ip literal "10.0.0.256": )"));
  CHECK(only_error("[" + user_json("a", R"(, "nets": ["10.0.0.0/8", "nope"])") + "]")
            .starts_with(R"(entity 0 (User::"a"): attribute "nets", element 1: invalid ip literal "nope")"));
  CHECK(only_error("[" + user_json("a", R"(, "limit": "1.23456")") + "]")
            .starts_with(R"(entity 0 (User::"a"): attribute "limit": invalid decimal literal "1.23456")"));
}

TEST_CASE("json schema: a required attribute missing") {
  CHECK(only_error(R"([{"uid": {"type": "User", "id": "a"}, "attrs": {"name": "n"}}])") ==
        R"(entity 0 (User::"a"): expected the entity to have attribute "addr", but it does not)");
  // No "attrs" at all is the same as an empty object.
  CHECK(only_error(R"([{"uid": {"type": "User", "id": "a"}}])") ==
        R"(entity 0 (User::"a"): expected the entity to have attribute "addr", but it does not)");
  CHECK(only_error("[" + user_json("a", R"(, "home": {"zip": "1000"})") + "]") ==
        R"(entity 0 (User::"a"): attribute "home": )"
        R"(expected the record to have attribute "street", but it does not)");
}

TEST_CASE("json schema: an attribute the schema does not declare") {
  // Cedar refuses undeclared attributes in entity data (unless the type is open).
  CHECK(only_error("[" + user_json("a", R"(, "agee": 3)") + "]") ==
        R"(entity 0 (User::"a"): attribute "agee": not declared in the schema; did you mean `age`?)");
  CHECK(only_error("[" + user_json("a", R"(, "home": {"street": "s", "floor": 2})") + "]") ==
        R"(entity 0 (User::"a"): attribute "home", field "floor": not declared in the schema)");
}

TEST_CASE("json schema: an entity whose type the schema does not declare") {
  CHECK(only_error(R"([{"uid": {"type": "Usr", "id": "a"}}])") ==
        R"(entity 0 (Usr::"a"): entity type Usr is not declared in the schema; did you mean `User`?)");
  CHECK(only_error(R"([{"uid": {"type": "Nothing", "id": "a"}}])") ==
        R"(entity 0 (Nothing::"a"): entity type Nothing is not declared in the schema)");
}

TEST_CASE("json schema: an id an enumerated type does not list") {
  CHECK(only_error(R"([{"uid": {"type": "Color", "id": "blue"}}])") ==
        R"(entity 0 (Color::"blue"): Color is an enumerated entity type, but "blue" is not declared as one )"
        R"(of its ids ("red", "green"))");
  CHECK(
      only_error(R"([{"uid": {"type": "Box", "id": "b"}, "parents": [{"type": "Color", "id": "pink"}]}])") ==
      R"(entity 0 (Box::"b"): parent 0: Color is an enumerated entity type, but "pink" is not declared as )"
      R"(one of its ids ("red", "green"))");
}

TEST_CASE("json schema: a parent whose type is not an allowed parent type") {
  CHECK(
      only_error(
          R"([{"uid": {"type": "UserGroup", "id": "g"}, "parents": [{"type": "Team", "id": "t"}]}])") ==
      R"(entity 0 (UserGroup::"g"): parent 0: UserGroup may not have a parent of type Team according to the )"
      R"(schema (its parent types: Org))");
  // Ancestor types count: a User may be in an Org through its groups, so directly too (as in Cedar).
  CHECK(load(R"([{"uid": {"type": "User", "id": "u"}, "attrs": {"name": "n", "addr": "10.0.0.1"},
                  "parents": [{"type": "Org", "id": "o"}]}])")
            .has_value());
  CHECK(only_error(R"([{"uid": {"type": "Team", "id": "t"}, "parents": [{"type": "Team", "id": "u"}]}])") ==
        R"(entity 0 (Team::"t"): parent 0: Team may not have a parent of type Team according to the schema )"
        R"((it has no parent types))");
}

TEST_CASE("json schema: tags checked against the schema's tag type") {
  CHECK(only_error(R"([{"uid": {"type": "Doc", "id": "d"}, "attrs": {"owner": {"type": "User", "id": "a"}},
                       "tags": {"origin": 5}}])") ==
        R"(entity 0 (Doc::"d"): tag "origin": type mismatch: value was expected to have type ipaddr, but it )"
        R"(actually has type Long: 5)");
  CHECK(only_error(R"([{"uid": {"type": "Team", "id": "t"}, "tags": {"x": 1}}])") ==
        R"(entity 0 (Team::"t"): found tag "x", but the schema declares no tags for Team)");
}

TEST_CASE("json schema: errors point into the text and are collected across entities") {
  auto store = load("[\n" + user_json("a", R"(, "age": "x")") + ",\n" +
                    R"({"uid": {"type": "Nope", "id": "n"}})" + "\n]");
  REQUIRE_FALSE(store.has_value());
  REQUIRE(store.error().size() == 2);
  CHECK(store.error()[0].where.line == 2);
  CHECK(store.error()[0].source_line.find(R"("age": "x")") != std::string::npos);
  CHECK(store.error()[1].where.line == 3);
}

// ---------------------------------------------------------------------------------------------
// Entities: the schema's actions

TEST_CASE("json schema: the schema's actions join the store, with their groups") {
  const entity_store store = loaded("[]");
  CHECK(store.contains({"Action", "view"}));
  CHECK(store.contains({"Action", "all"}));
  CHECK(store.contains({"Action", "paint"}));
  CHECK(store.internals().descends_from(uid("Action", "view"), uid("Action", "read")));
  CHECK(store.internals().descends_from(uid("Action", "view"), uid("Action", "all")));  // transitively
  CHECK_FALSE(store.internals().descends_from(uid("Action", "paint"), uid("Action", "all")));
  CHECK(store.size() == 4);
}

TEST_CASE("json schema: an action in the data must match its declaration") {
  // Matching: its groups, closed over the data's own entities, are the schema's.
  const entity_store store = loaded(R"([
    {"uid": {"type": "Action", "id": "view"}, "parents": [{"type": "Action", "id": "read"}]},
    {"uid": {"type": "Action", "id": "read"}, "parents": [{"type": "Action", "id": "all"}]},
    {"uid": {"type": "Action", "id": "paint"}, "attrs": {}, "parents": []}])");
  CHECK(store.size() == 4);
  CHECK(store.internals().descends_from(uid("Action", "view"), uid("Action", "all")));

  CHECK(only_error(R"([{"uid": {"type": "Action", "id": "view"}, "parents": []}])") ==
        R"(entity 0 (Action::"view"): the definition of this action does not match its schema declaration: )"
        R"(the schema puts it in [Action::"all", Action::"read"], the entity data in no groups; )"
        R"(omit the action from the entity data to use the schema's)");
  CHECK(
      only_error(R"([{"uid": {"type": "Action", "id": "paint"}, "attrs": {"x": 1}}])") ==
      R"(entity 0 (Action::"paint"): the definition of this action does not match its schema declaration: )"
      R"(the schema gives actions no attributes; omit the action from the entity data to use the schema's)");
  CHECK(only_error(R"([{"uid": {"type": "Action", "id": "delete"}}])") ==
        R"(entity 0 (Action::"delete"): found an action entity that the schema does not declare)");
  CHECK(only_error(
            R"([{"uid": {"type": "Action", "id": "paint"}, "parents": [{"type": "User", "id": "u"}]}])") ==
        R"(entity 0 (Action::"paint"): parent 0: an action's parent must be an action, not User::"u")");
}

TEST_CASE("json schema: load(path, schema) reads a file with the schema") {
  const std::filesystem::path file = std::filesystem::temp_directory_path() / "mandate_json_schema_test.json";
  {
    std::ofstream out(file);
    out << "[" << user_json("f") << "]";
  }
  auto store = entity_store::load(file, test_schema());
  std::filesystem::remove(file);
  REQUIRE(store.has_value());
  CHECK(field(record_of(*store, "User", "f").attributes, "addr").kind == value_kind::ip);
  CHECK(store->contains({"Action", "view"}));
  auto missing = entity_store::load(file, test_schema());
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().front().code == "io");
}

TEST_CASE("json schema: hostile entity data fails cleanly") {
  CHECK_FALSE(load(R"({"not": "an array"})").has_value());
  CHECK_FALSE(load(std::string(5000, '[') + std::string(5000, ']')).has_value());
  CHECK(only_error("[" + user_json("a", R"(, "friends": [[[[{"type": "User", "id": "b"}]]]])") + "]")
            .find("type mismatch") != std::string::npos);
  CHECK(only_error("[" + user_json("a", R"(, "age": null)") + "]") ==
        R"(entity 0 (User::"a"): attribute "age": null is not a Cedar value)");
  CHECK(only_error("[" + user_json("a", R"(, "age": 1.5)") + "]").find("not an integer") !=
        std::string::npos);
  CHECK(
      only_error(
          R"([{"uid": {"type": "User", "id": "a"}, "attrs": {"name": "n", "name": "m", "addr": "::1"}}])") ==
      R"(entity 0 (User::"a"): attribute "name": duplicate key "name")");
}

// ---------------------------------------------------------------------------------------------
// Requests

TEST_CASE("json schema: a request's context is read as the action's context type") {
  const request r = request_of(request_json(R"({"ip": "10.0.0.1", "by": {"type": "User", "id": "b"},
                                                "tags": ["10.0.0.1"]})"),
                               true);
  const value& context = r.internals().context;
  CHECK(ip_text(field(context, "ip")) == R"(ip("10.0.0.1"))");
  CHECK(field(context, "by").entity == uid("User", "b"));
  CHECK(field(context, "tags").set->items[0].kind == value_kind::string);  // Set<String>: strings stay
  CHECK(r.principal() == entity_ref{"User", "alice"});
}

TEST_CASE("json schema: request validation, each failure in one line") {
  CHECK(request_error(request_json(R"({"ip": "10.0.0.1"})", "fly")) ==
        R"(request: action Action::"fly" is not declared in the schema)");
  CHECK(request_error(request_json(R"({"ip": "10.0.0.1"})", "view", R"({"type": "Doc", "id": "d"})",
                                   R"({"type": "Ghost", "id": "g"})")) ==
        R"(request: principal type Ghost is not declared in the schema)");
  CHECK(request_error(request_json(R"({"ip": "10.0.0.1"})", "view", R"({"type": "Doc", "id": "d"})",
                                   R"({"type": "Team", "id": "t"})")) ==
        R"(request: principal type Team is not valid for Action::"view" (its principal types: User))");
  CHECK(request_error(request_json(R"({"ip": "10.0.0.1"})", "view", R"({"type": "User", "id": "u"})")) ==
        R"(request: resource type User is not valid for Action::"view" (its resource types: Doc, Color))");
  CHECK(request_error(request_json("{}", "read", R"({"type": "Doc", "id": "d"})")) ==
        R"(request: principal type User is not valid for Action::"read" (it applies to no principals))");
  CHECK(
      request_error(request_json(R"({"ip": "10.0.0.1"})", "view", R"({"type": "Color", "id": "blue"})")) ==
      R"(request: resource Color::"blue": Color is an enumerated entity type, but "blue" is not declared as )"
      R"(one of its ids ("red", "green"))");
}

TEST_CASE("json schema: a validated request's context must conform") {
  CHECK(request_error(request_json(R"({"level": 3})")) ==
        R"(request: context is not valid for Action::"view": )"
        R"(expected the context to have attribute "ip", but it does not)");
  CHECK(request_error(request_json("")) ==  // no context at all: an empty one
        R"(request: context is not valid for Action::"view": )"
        R"(expected the context to have attribute "ip", but it does not)");
  CHECK(request_error(request_json(R"({"ip": "10.0.0.1", "lvl": 3})")) ==
        R"(request: context is not valid for Action::"view": attribute "lvl": not declared in the schema)");
  CHECK(request_error(request_json(R"({"ip": "10.0.0.1", "level": "3"})")) ==
        R"(request: context is not valid for Action::"view": attribute "level": type mismatch: value was )"
        R"(expected to have type Long, but it actually has type String: "3")");
  CHECK(request_error(request_json(R"({"ip": "10.0.0.1", "by": {"type": "Doc", "id": "d"}})")) ==
        R"(request: context is not valid for Action::"view": attribute "by": type mismatch: value was )"
        R"(expected to have type User, but it actually has type Doc: Doc::"d")");
  CHECK(request_error(request_json(R"({"ip": "nope"})"))
            .starts_with(
                R"(request: context is not valid for Action::"view": attribute "ip": invalid ip literal)"));
  CHECK(request_error(request_json("[1]")) ==
        "request: context must be a JSON object of Cedar values, not an array");
}

TEST_CASE("json schema: without validation the schema only guides the reading") {
  // An action the schema lacks is refused even so: Cedar reads the context by the action's
  // declared type (checked against cedar-wasm 4.13 in tests/cedar_wasm).
  CHECK(request_error(request_json(R"({"ip": "10.0.0.1"})", "fly"), false) ==
        R"(request: action Action::"fly" is not declared in the schema)");

  // A declared action: what fits its context type is typed, what does not is read as it is.
  const request guided = request_of(request_json(R"({"ip": "10.0.0.1", "level": "high", "extra": "10.0.0.1",
                                                     "by": {"type": "Doc", "id": "d"}})",
                                                 "view", R"({"type": "Team", "id": "t"})"),
                                    false);
  const value& context = guided.internals().context;
  CHECK(field(context, "ip").kind == value_kind::ip);
  CHECK(field(context, "level").kind == value_kind::string);
  CHECK(field(context, "extra").kind == value_kind::string);
  CHECK(field(context, "by").entity == uid("Doc", "d"));
  CHECK(guided.resource() == entity_ref{"Team", "t"});

  // A string that is no IP address is no error; a missing required attribute is, as in Cedar.
  const request lenient = request_of(request_json(R"({"ip": "not an ip", "level": 1})", "view"), false);
  CHECK(field(lenient.internals().context, "ip").kind == value_kind::string);
  CHECK(request_error(request_json("{}"), false).find("to have attribute") != std::string::npos);

  // Errors that are not about the schema still are.
  CHECK(request_error(request_json(R"({"ip": null})"), false) ==
        R"(request: context: attribute "ip": null is not a Cedar value)");
}

TEST_CASE("json schema: the schema-less request reader is unchanged") {
  auto r = request::from_json(request_json(R"({"ip": "10.0.0.1"})"));
  REQUIRE(r.has_value());
  CHECK(field(r->internals().context, "ip").kind == value_kind::string);
}
