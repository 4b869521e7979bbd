// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Cedar schemas, both forms: every construct of the text form, the JSON form mapping onto the
// same model, name resolution, errors with their positions, and hostile nesting.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mandate/mandate.hpp"
#include "schema/schema_model.hpp"

namespace {

using mandate::diagnostic;
using mandate::schema;
using mandate::detail::schema_data;
using mandate::detail::schema_type_kind;

schema parse_ok(std::string_view text) {
  auto parsed = schema::parse(text, "test.cedarschema");
  if (!parsed) FAIL_CHECK(mandate::render(parsed.error()));
  REQUIRE(parsed.has_value());
  return std::move(parsed).value();
}

schema parse_json_ok(std::string_view text) {
  auto parsed = schema::parse_json(text, "test.json");
  if (!parsed) FAIL_CHECK(mandate::render(parsed.error()));
  REQUIRE(parsed.has_value());
  return std::move(parsed).value();
}

std::vector<diagnostic> parse_errors(std::string_view text) {
  auto parsed = schema::parse(text, "bad.cedarschema");
  REQUIRE_FALSE(parsed.has_value());
  return parsed.error();
}

std::vector<diagnostic> parse_json_errors(std::string_view text) {
  auto parsed = schema::parse_json(text, "bad.json");
  REQUIRE_FALSE(parsed.has_value());
  return parsed.error();
}

// The first error diagnostic whose message contains `needle`, or null.
const diagnostic* find_message(const std::vector<diagnostic>& ds, std::string_view needle) {
  for (const diagnostic& d : ds)
    if (d.message.find(needle) != std::string::npos) return &d;
  return nullptr;
}

void require_message_at(const std::vector<diagnostic>& ds, std::string_view needle, std::uint32_t line,
                        std::uint32_t column) {
  const diagnostic* d = find_message(ds, needle);
  INFO("looking for: " << needle << "\n" << mandate::render(ds));
  REQUIRE(d != nullptr);
  CHECK(d->where.line == line);
  CHECK(d->where.column == column);
}

mandate::detail::symbol sym(std::string_view text) { return mandate::detail::intern(text); }

const mandate::detail::entity_type_info& entity(const schema& s, std::string_view name) {
  const auto* info = s.internals().find_entity_type(sym(name));
  INFO("entity type " << name);
  REQUIRE(info != nullptr);
  return *info;
}

const mandate::detail::action_info& action(const schema& s, std::string_view type, std::string_view id) {
  const auto* info = s.internals().find_action({sym(type), sym(id)});
  INFO("action " << type << "::" << id);
  REQUIRE(info != nullptr);
  return *info;
}

// The type of attribute `name` of a record type, described in Cedar's spelling, with "?" for
// an optional attribute: "Long", "Set<String>?".
std::string attribute(const schema& s, mandate::detail::schema_type_id record, std::string_view name) {
  const schema_data& data = s.internals();
  const auto* a = data.find_attribute(record, sym(name));
  if (a == nullptr) return "<absent>";
  return data.describe(a->type) + (a->required ? "" : "?");
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A schema using every construct of the text form, and the same schema in JSON.
constexpr std::string_view full_text_schema = R"(
// Declarations outside any namespace.
entity Global;

@doc("the tenant namespace")
namespace Acme::Corp {
  @doc("a person") @internal
  entity User in [Group, Global] {
    name: String,
    "display name"?: __cedar::String,
    level?: Long,
    active: Bool,
    emails: Set<String>,
    manager?: User,
    address: { street: String, zip?: Long },
    context: Ctx,            // a common type
    addr: ipaddr,
    limit: decimal,
    since: datetime,
    ttl: __cedar::duration,
  } tags Set<String>;
  entity Group in [Group];
  entity Doc, Sheet in Folder = { owner: User, };
  entity Folder;
  entity Color enum ["red", "green", "blue"];
  type Ctx = { ip: ipaddr, "source-zone"?: String };
  type Names = Set<String>;
  type Wrapped = { names: Names };

  action "read", read_all in [Action::"reads", "any"] appliesTo {
    principal: [User, Group],
    resource: Doc,
    context: { ip: ipaddr, wrapped?: Wrapped },
  };
  action reads in any;
  action "any";
  @doc("edits") action edit appliesTo { principal: User, resource: [Doc, Sheet], context: Ctx };
  action nothing appliesTo { principal: [], resource: [] };
}
)";

constexpr std::string_view full_json_schema = R"({
  "": { "entityTypes": { "Global": {} }, "actions": {} },
  "Acme::Corp": {
    "annotations": { "doc": "the tenant namespace" },
    "commonTypes": {
      "Ctx": { "type": "Record", "attributes": {
        "ip": { "type": "Extension", "name": "ipaddr" },
        "source-zone": { "type": "String", "required": false } } },
      "Names": { "type": "Set", "element": { "type": "String" } },
      "Wrapped": { "type": "Record", "attributes": { "names": { "type": "Names" } } }
    },
    "entityTypes": {
      "User": {
        "annotations": { "doc": "a person", "internal": null },
        "memberOfTypes": ["Group", "Global"],
        "shape": { "type": "Record", "attributes": {
          "name": { "type": "String" },
          "display name": { "type": "String", "required": false },
          "level": { "type": "Long", "required": false },
          "active": { "type": "Boolean" },
          "emails": { "type": "Set", "element": { "type": "String" } },
          "manager": { "type": "Entity", "name": "User", "required": false },
          "address": { "type": "Record", "attributes": {
            "street": { "type": "String" }, "zip": { "type": "Long", "required": false } } },
          "context": { "type": "Ctx" },
          "addr": { "type": "Extension", "name": "ipaddr" },
          "limit": { "type": "Extension", "name": "decimal" },
          "since": { "type": "Extension", "name": "datetime" },
          "ttl": { "type": "EntityOrCommon", "name": "__cedar::duration" }
        } },
        "tags": { "type": "Set", "element": { "type": "String" } }
      },
      "Group": { "memberOfTypes": ["Group"] },
      "Doc": { "memberOfTypes": ["Folder"], "shape": { "type": "Record", "attributes": {
        "owner": { "type": "Entity", "name": "User" } } } },
      "Sheet": { "memberOfTypes": ["Folder"], "shape": { "type": "Record", "attributes": {
        "owner": { "type": "EntityOrCommon", "name": "User" } } } },
      "Folder": {},
      "Color": { "enum": ["red", "green", "blue"] }
    },
    "actions": {
      "read": { "memberOf": [{ "id": "reads", "type": "Action" }, { "id": "any" }], "appliesTo": {
        "principalTypes": ["User", "Group"], "resourceTypes": ["Doc"],
        "context": { "type": "Record", "attributes": {
          "ip": { "type": "Extension", "name": "ipaddr" },
          "wrapped": { "type": "Wrapped", "required": false } } } } },
      "read_all": {
        "memberOf": [{ "id": "reads", "type": "Acme::Corp::Action" }, { "id": "any" }], "appliesTo": {
        "principalTypes": ["User", "Group"], "resourceTypes": ["Doc"],
        "context": { "type": "Record", "attributes": {
          "ip": { "type": "Extension", "name": "ipaddr" },
          "wrapped": { "type": "Wrapped", "required": false } } } } },
      "reads": { "memberOf": [{ "id": "any" }] },
      "any": {},
      "edit": { "annotations": { "doc": "edits" }, "appliesTo": {
        "principalTypes": ["User"], "resourceTypes": ["Doc", "Sheet"], "context": { "type": "Ctx" } } },
      "nothing": { "appliesTo": { "principalTypes": [], "resourceTypes": [] } }
    }
  }
})";

// Checks the model both forms of the full schema must produce.
void check_full_model(const schema& s) {
  const schema_data& data = s.internals();
  CHECK(s.entity_type_names() == std::vector<std::string>{"Acme::Corp::Color", "Acme::Corp::Doc",
                                                          "Acme::Corp::Folder", "Acme::Corp::Group",
                                                          "Acme::Corp::Sheet", "Acme::Corp::User", "Global"});
  CHECK(s.action_names() ==
        std::vector<std::string>{R"(Acme::Corp::Action::"any")", R"(Acme::Corp::Action::"edit")",
                                 R"(Acme::Corp::Action::"nothing")", R"(Acme::Corp::Action::"read")",
                                 R"(Acme::Corp::Action::"read_all")", R"(Acme::Corp::Action::"reads")"});

  const auto& user = entity(s, "Acme::Corp::User");
  CHECK(user.parents == std::vector{sym("Acme::Corp::Group"), sym("Global")});
  CHECK(data.may_be_in(sym("Acme::Corp::User"), sym("Global")));
  CHECK(data.may_be_in(sym("Acme::Corp::User"), sym("Acme::Corp::User")));  // reflexive
  CHECK_FALSE(data.may_be_in(sym("Global"), sym("Acme::Corp::User")));
  CHECK(data.may_be_in(sym("Acme::Corp::Group"), sym("Acme::Corp::Group")));
  CHECK(attribute(s, user.shape, "name") == "String");
  CHECK(attribute(s, user.shape, "display name") == "String?");
  CHECK(attribute(s, user.shape, "level") == "Long?");
  CHECK(attribute(s, user.shape, "active") == "Bool");
  CHECK(attribute(s, user.shape, "emails") == "Set<String>");
  CHECK(attribute(s, user.shape, "manager") == "Acme::Corp::User?");
  CHECK(attribute(s, user.shape, "address") == "{ street: String, zip?: Long }");
  CHECK(attribute(s, user.shape, "context") == "{ ip: ipaddr, source-zone?: String }");
  CHECK(attribute(s, user.shape, "addr") == "ipaddr");
  CHECK(attribute(s, user.shape, "limit") == "decimal");
  CHECK(attribute(s, user.shape, "since") == "datetime");
  CHECK(attribute(s, user.shape, "ttl") == "duration");
  CHECK(attribute(s, user.shape, "nope") == "<absent>");
  REQUIRE(user.tags != mandate::detail::no_schema_type);
  CHECK(data.describe(user.tags) == "Set<String>");
  REQUIRE(user.annotations.size() == 2);
  CHECK(user.annotations[0].key == "doc");
  CHECK(user.annotations[0].value == "a person");

  for (std::string_view name : {"Acme::Corp::Doc", "Acme::Corp::Sheet"}) {
    const auto& doc = entity(s, name);
    CHECK(doc.parents == std::vector{sym("Acme::Corp::Folder")});
    CHECK(attribute(s, doc.shape, "owner") == "Acme::Corp::User");
    CHECK(doc.tags == mandate::detail::no_schema_type);
  }
  CHECK(data.types[entity(s, "Acme::Corp::Folder").shape].kind == schema_type_kind::record);
  CHECK(data.record_attributes(entity(s, "Acme::Corp::Folder").shape).empty());

  const auto& color = entity(s, "Acme::Corp::Color");
  CHECK(color.enumerated);
  CHECK(color.enum_ids == std::vector{sym("red"), sym("green"), sym("blue")});

  const std::string_view action_type = "Acme::Corp::Action";
  const auto& read = action(s, action_type, "read");
  CHECK(read.has_applies_to);
  CHECK(read.principal_types == std::vector{sym("Acme::Corp::User"), sym("Acme::Corp::Group")});
  CHECK(read.resource_types == std::vector{sym("Acme::Corp::Doc")});
  CHECK(attribute(s, read.context, "ip") == "ipaddr");
  CHECK(attribute(s, read.context, "wrapped") == "{ names: Set<String> }?");
  CHECK(read.parents.size() == 2);
  CHECK(data.action_in(read.uid, {sym(action_type), sym("any")}));  // through `reads` too
  CHECK(data.action_in(read.uid, {sym(action_type), sym("reads")}));
  CHECK(data.action_in(read.uid, read.uid));
  const auto& read_all = action(s, action_type, "read_all");
  CHECK(read_all.principal_types == read.principal_types);
  const auto& reads = action(s, action_type, "reads");
  CHECK_FALSE(reads.has_applies_to);
  CHECK(data.action_in(reads.uid, {sym(action_type), sym("any")}));
  CHECK_FALSE(data.action_in(reads.uid, read.uid));
  const auto& edit = action(s, action_type, "edit");
  CHECK(edit.resource_types == std::vector{sym("Acme::Corp::Doc"), sym("Acme::Corp::Sheet")});
  CHECK(attribute(s, edit.context, "source-zone") == "String?");
  REQUIRE(edit.annotations.size() == 1);
  CHECK(edit.annotations[0].value == "edits");
  const auto& nothing = action(s, action_type, "nothing");
  CHECK(nothing.has_applies_to);
  CHECK(nothing.principal_types.empty());
  CHECK(data.record_attributes(nothing.context).empty());
  CHECK(data.is_action_type(sym(action_type)));
  CHECK_FALSE(data.is_action_type(sym("Action")));  // the empty namespace declares no actions
}

}  // namespace

TEST_CASE("schema: every construct of the text form") { check_full_model(parse_ok(full_text_schema)); }

TEST_CASE("schema: the JSON form maps onto the same model") {
  check_full_model(parse_json_ok(full_json_schema));
}

TEST_CASE("schema: an empty schema and comments only") {
  CHECK(parse_ok("").entity_type_names().empty());
  CHECK(parse_ok("// nothing here\n  // at all\n").action_names().empty());
  CHECK(parse_json_ok("{}").entity_type_names().empty());
}

TEST_CASE("schema: names resolve in the declaring namespace first, then outside any namespace") {
  const schema s = parse_ok(R"(
    entity User;
    entity Shared;
    type Common = { n: Long };
    namespace A {
      entity Person;
      entity Doc { owner: Person, shared: Shared, qualified: A::Person, outer: User, common: Common };
      action view appliesTo { principal: Person, resource: Doc };
    }
    namespace B {
      entity Doc { a_doc: A::Doc };
      action view in [A::Action::"view"] appliesTo { principal: User, resource: [Doc, A::Doc] };
    }
  )");
  const auto& doc = entity(s, "A::Doc");
  CHECK(attribute(s, doc.shape, "owner") == "A::Person");
  CHECK(attribute(s, doc.shape, "shared") == "Shared");
  CHECK(attribute(s, doc.shape, "qualified") == "A::Person");
  CHECK(attribute(s, doc.shape, "outer") == "User");
  CHECK(attribute(s, doc.shape, "common") == "{ n: Long }");
  CHECK(attribute(s, entity(s, "B::Doc").shape, "a_doc") == "A::Doc");
  const auto& b_view = action(s, "B::Action", "view");
  CHECK(b_view.resource_types == std::vector{sym("B::Doc"), sym("A::Doc")});
  CHECK(s.internals().action_in(b_view.uid, {sym("A::Action"), sym("view")}));
  CHECK(s.internals().may_be_in(sym("B::Action"), sym("A::Action")));
}

TEST_CASE("schema: a common type is resolved once and shared") {
  const schema s = parse_ok(R"(
    type Address = { street: String, city: String };
    entity User { home: Address, work: Address };
    entity Org { hq: Address };
  )");
  const auto& user = entity(s, "User");
  const auto* home = s.internals().find_attribute(user.shape, sym("home"));
  const auto* work = s.internals().find_attribute(user.shape, sym("work"));
  REQUIRE(home != nullptr);
  REQUIRE(work != nullptr);
  CHECK(home->type == work->type);
}

TEST_CASE("schema: syntax errors carry positions, and the parser reports several per file") {
  const auto errors = parse_errors(
      "entity A {\n"                                                           // 1
      "  x: Long\n"                                                            // 2
      "  y: String\n"                                                          // 3: missing comma
      "};\n"                                                                   // 4
      "entity B in ;\n"                                                        // 5
      "namespace Q {\n"                                                        // 6
      "  entity C { a: };\n"                                                   // 7
      "  entity D;\n"                                                          // 8
      "}\n"                                                                    // 9
      "action \"x\" appliesTo { principal: A, principal: A, resource: A };\n"  // 10
      "entity E\n");                                                           // 11
  require_message_at(errors, "expected `,` or `}` in the record type", 3, 3);
  require_message_at(errors, "expected an entity type name or a list", 5, 13);
  require_message_at(errors, "expected a type", 7, 17);
  require_message_at(errors, "`principal` is listed twice", 10, 38);
  require_message_at(errors, "expected `;` at the end of the declaration", 12, 1);
  for (const diagnostic& d : errors) {
    CHECK(d.where.file == "bad.cedarschema");
    CHECK(d.code == "parse");
  }
  CHECK(mandate::render(errors[0]).rfind("bad.cedarschema:3:3: error[parse]:", 0) == 0);
}

TEST_CASE("schema: more syntax errors") {
  require_message_at(parse_errors("entity;"), "expected an entity type name", 1, 7);
  require_message_at(parse_errors("entity A { a: Set<Long };"), "expected `>` to close `Set<`", 1, 24);
  require_message_at(parse_errors("entity A { a: Set Long };"), "expected `<` after `Set`", 1, 19);
  require_message_at(parse_errors("entity A { a Long };"), "expected `:`", 1, 14);
  require_message_at(parse_errors("type = Long;"), "expected a name for the common type", 1, 6);
  require_message_at(parse_errors("type T Long;"), "expected `=`", 1, 8);
  require_message_at(parse_errors("entity A = ;"), "expected a record type `{ ... }` after `=`", 1, 12);
  require_message_at(parse_errors("entity C enum [];"), "expected the string ids", 1, 16);
  require_message_at(parse_errors("action a appliesTo { principal: A resource: A };"),
                     "expected `,` or `}` in `appliesTo`", 1, 35);
  require_message_at(parse_errors("action a appliesTo { context: Set<Long> };"),
                     "expected a record type `{ ... }` or a "
                     "common type name",
                     1, 31);
  require_message_at(parse_errors("entity A { \"unterminated: Long };"), "unterminated string literal", 1,
                     34);
  require_message_at(parse_errors("@doc(\"x\") }"), "expected a declaration", 1, 11);
  require_message_at(parse_errors("permit(principal, action, resource);"), "expected a declaration", 1, 1);
  require_message_at(parse_errors("}"), "`}` closes no namespace", 1, 1);
  require_message_at(parse_errors("namespace A { entity X;"), "expected `}` to close `namespace A {`", 1, 24);
  require_message_at(parse_errors("namespace A { namespace B { } }"), "namespaces do not nest", 1, 15);
  require_message_at(parse_errors("@doc(oops) entity A;"), "expected a string literal", 1, 6);
  require_message_at(parse_errors("entity A { \"bad\\q\": Long };"), "invalid escape", 1, 12);
}

TEST_CASE("schema: resolution errors name the problem, with positions") {
  const auto errors = parse_errors(
      "entity User in [Grop] { name: Strin, friends: Set<Usr> };\n"                              // 1
      "entity User;\n"                                                                           // 2
      "type A = B;\n"                                                                            // 3
      "type B = { a: A };\n"                                                                     // 4
      "type String = Long;\n"                                                                    // 5
      "action read in [raed] appliesTo { principal: User, resource: [User], context: Long };\n"  // 6
      "action read;\n"                                                                           // 7
      "namespace N { entity User; type T = Set<Missing>; }\n"                                    // 8
      "namespace N { entity Z; }\n"                                                              // 9
      "type Dup = Long;\n"                                                                       // 10
      "type Dup = String;\n"                                                                     // 11
      "entity E { a: Long, a: String };\n"                                                       // 12
      "action act appliesTo { principal: Dup, resource: E };\n"                                  // 13
      "entity Color enum [\"red\", \"red\"];\n"                                                  // 14
      "@doc(\"a\") @doc(\"b\") entity Twice;\n");                                                // 15
  require_message_at(errors, "unknown entity type `Grop`", 1, 17);
  require_message_at(errors, "unknown type `Strin`; did you mean `String`?", 1, 31);
  require_message_at(errors, "unknown type `Usr`; did you mean `User`?", 1, 51);
  require_message_at(errors, "entity type `User` is declared twice", 2, 8);
  require_message_at(errors, "common types form a cycle: `A` -> `B` -> `A`", 3, 6);
  require_message_at(errors, "`String` is a reserved type name", 5, 6);
  require_message_at(errors, "unknown action `Action::\"raed\"`; did you mean `Action::\"read\"`?", 6, 17);
  require_message_at(errors, "the context of action `Action::\"read\"` must be a record type, not Long", 6,
                     79);
  require_message_at(errors, "action `Action::\"read\"` is declared twice", 7, 8);
  require_message_at(errors, "`N::User` shadows the entity type `User`", 8, 22);
  require_message_at(errors, "unknown type `Missing`", 8, 41);
  require_message_at(errors, "namespace `N` is declared twice", 9, 11);
  require_message_at(errors, "common type `Dup` is declared twice", 11, 6);
  require_message_at(errors, "attribute `a` is declared twice", 12, 21);
  require_message_at(errors, "`Dup` is a common type, not an entity type", 13, 35);
  // Cedar accepts an enum id listed twice (line 14): no diagnostic for it.
  CHECK(find_message(errors, "id \"red\"") == nullptr);
  require_message_at(errors, "duplicate annotation `@doc`", 15, 11);
  const diagnostic* first = find_message(errors, "`User` was first declared here");
  REQUIRE(first != nullptr);
  CHECK(first->level == mandate::severity::note);
  CHECK(first->where.line == 1);
}

TEST_CASE("schema: further resolution rules") {
  require_message_at(parse_errors("entity A; type A = Long;"),
                     "declared both as a common type and as an entity type", 1, 16);
  require_message_at(parse_errors("action a appliesTo { resource: [] };"), "must list its `principal` types",
                     1, 8);
  require_message_at(parse_errors("action a appliesTo { principal: [] };"), "must list its `resource` types",
                     1, 8);
  require_message_at(parse_errors("entity A { x: __cedar::Strin };"),
                     "unknown built-in type `__cedar::Strin`", 1, 15);
  require_message_at(parse_errors("namespace __cedar { entity A; }"), "the `__cedar` namespace is reserved",
                     1, 28);
  require_message_at(parse_errors("action a in b; action b in a;"), "is a member of itself", 1, 8);
  require_message_at(parse_errors("type T = Set<T>;"), "common types form a cycle: `T` -> `T`", 1, 6);
  // `type` may alias a built-in with its `__cedar` name, and a primitive name still means the
  // built-in when nothing shadows it.
  const schema s = parse_ok("type Num = __cedar::Long; entity A { n: Num, b: Bool, s: String };");
  CHECK(attribute(s, entity(s, "A").shape, "n") == "Long");
  CHECK(attribute(s, entity(s, "A").shape, "b") == "Bool");
  // Entity type hierarchies may be cyclic; the closure still terminates.
  const schema cyclic = parse_ok("entity A in [B]; entity B in [A];");
  CHECK(cyclic.internals().may_be_in(sym("A"), sym("B")));
  CHECK(cyclic.internals().may_be_in(sym("B"), sym("A")));
}

TEST_CASE("schema: JSON errors point into the document") {
  const auto shape_errors = parse_json_errors(R"({
  "Acme": {
    "entityTypes": {
      "User": { "memberOfTypes": ["Group"], "bogus": 1, "shape": { "type": "Record", "attributes": {
          "x": { "type": "Set" } } } }
    },
    "actions": {}
  }
})");
  require_message_at(shape_errors, "unknown key \"bogus\" in an entity type", 4, 54);
  require_message_at(shape_errors, "a \"Set\" type needs an \"element\" type", 5, 16);

  const auto resolution_errors = parse_json_errors(R"({
  "Acme": {
    "entityTypes": {
      "User": { "memberOfTypes": ["Grp"], "shape": { "type": "Record", "attributes": {
          "name": { "type": "Strin" } } } }
    },
    "actions": {
      "read": { "memberOf": [{ "id": "nope" }],
                "appliesTo": { "principalTypes": ["User"], "resourceTypes": ["User"],
                               "context": { "type": "Long" } } }
    }
  }
})");
  require_message_at(resolution_errors, "unknown entity type `Grp`", 4, 35);
  require_message_at(resolution_errors, "unknown type `Strin`", 5, 29);
  require_message_at(resolution_errors, "unknown action `Acme::Action::\"nope\"`", 8, 30);
  require_message_at(resolution_errors, "must be a record type, not Long", 10, 43);
  for (const diagnostic& d : resolution_errors) CHECK(d.where.file == "bad.json");

  require_message_at(parse_json_errors(R"({"a": {"entityTypes": {}, "actions": {}, "entityTypes": {}}})"),
                     "duplicate key \"entityTypes\"", 1, 57);
  require_message_at(parse_json_errors("{\"a\": [\n"), "syntax error", 2, 1);
  require_message_at(parse_json_errors(R"({"a": {"actions": {}}})"), "has no \"entityTypes\"", 1, 7);
  require_message_at(parse_json_errors(R"({"a b": {"entityTypes": {}, "actions": {}}})"),
                     "is not a valid name", 1, 9);
  require_message_at(
      parse_json_errors(R"({"": {"entityTypes": {"A": {"shape": {"type": "Extension", "name": "ip"}}},
                                             "actions": {}}})"),
      "unknown extension type `ip`", 1, 68);
  require_message_at(
      parse_json_errors(R"({"": {"entityTypes": {"A": {"shape": {"type": "Long"}}}, "actions": {}}})"),
      "must be a record type, not Long", 1, 38);
  require_message_at(parse_json_errors(R"([1])"), "expected a schema (a JSON object), found an array", 1, 1);
}

TEST_CASE("schema: hostile nesting is a diagnostic, never a crash") {
  SUBCASE("10,000 nested sets") {
    std::string text = "entity A { a: ";
    for (int i = 0; i < 10000; ++i) text += "Set<";
    text += "Long";
    for (int i = 0; i < 10000; ++i) text += ">";
    text += " };";
    const auto errors = parse_errors(text);
    REQUIRE(find_message(errors, "type nested too deeply (more than 64 levels)") != nullptr);
  }
  SUBCASE("10,000 nested records") {
    std::string text = "entity A ";
    for (int i = 0; i < 10000; ++i) text += "{ a: ";
    text += "Long";
    for (int i = 0; i < 10000; ++i) text += " }";
    text += ";";
    REQUIRE(find_message(parse_errors(text), "type nested too deeply") != nullptr);
  }
  SUBCASE("64 levels are fine") {
    std::string text = "entity A { a: ";
    for (int i = 0; i < 63; ++i) text += "Set<";
    text += "Long";
    for (int i = 0; i < 63; ++i) text += ">";
    text += " };";
    parse_ok(text);
  }
  SUBCASE("10,000 common types, each defined by the next") {
    std::string text;
    for (int i = 0; i < 10000; ++i)
      text += "type T" + std::to_string(i) + " = T" + std::to_string(i + 1) + ";\n";
    text += "type T10000 = Long; entity A { a: T0 };";
    REQUIRE(find_message(parse_errors(text), "nested too deeply") != nullptr);
  }
  SUBCASE("10,000 nested JSON sets") {
    std::string text =
        R"({"": {"actions": {}, "entityTypes": {"A": {"shape": {"type": "Record", "attributes": {"a": )";
    for (int i = 0; i < 10000; ++i) text += R"({"type": "Set", "element": )";
    text += R"({"type": "Long"})";
    for (int i = 0; i < 10000; ++i) text += "}";
    text += "}}}}}}";
    REQUIRE_FALSE(schema::parse_json(text).has_value());
  }
  SUBCASE("deep JSON within the JSON nesting limit is fine") {
    // Each Set level is two JSON levels, so JSON's limit (128) binds before the type limit.
    std::string text =
        R"({"": {"actions": {}, "entityTypes": {"A": {"shape": {"type": "Record", "attributes": {"a": )";
    for (int i = 0; i < 60; ++i) text += R"({"type": "Set", "element": )";
    text += R"({"type": "Long"})";
    for (int i = 0; i < 60; ++i) text += "}";
    text += "}}}}}}";
    parse_json_ok(text);
  }
  SUBCASE("garbage") {
    for (std::string_view text :
         {"{{{{{{{{", "entity", "namespace", "@", "\"", "entity A in [[[[", "action a in [",
          "entity A { a: Set<", "type T = {", "namespace A { namespace B {"})
      CHECK_FALSE(schema::parse(text).has_value());
  }
}

TEST_CASE("schema: load picks the form by extension and reports unreadable files") {
  const auto dir = std::filesystem::temp_directory_path() / "mandate_schema_test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "s.cedarschema") << "entity User;";
    std::ofstream(dir / "s.json") << R"({"": {"entityTypes": {"Doc": {}}, "actions": {}}})";
  }
  auto text = schema::load(dir / "s.cedarschema");
  REQUIRE(text.has_value());
  CHECK(text->entity_type_names() == std::vector<std::string>{"User"});
  auto json = schema::load(dir / "s.json");
  REQUIRE(json.has_value());
  CHECK(json->entity_type_names() == std::vector<std::string>{"Doc"});
  auto missing = schema::load(dir / "missing.cedarschema");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().at(0).code == "io");
  auto directory = schema::load(dir);
  REQUIRE_FALSE(directory.has_value());
  CHECK(directory.error().at(0).code == "io");
  std::filesystem::remove_all(dir);
}

TEST_CASE("schema: the example schema parses") {
  const auto path = std::filesystem::path(MANDATE_SOURCE_DIR) / "examples" / "schema.cedarschema";
  auto parsed = schema::parse(read_file(path), path.string());
  if (!parsed) FAIL(mandate::render(parsed.error()));
  CHECK(parsed->entity_type_names() ==
        std::vector<std::string>{"Agent", "Console", "Customer", "Group", "Sensitivity", "User"});
  const std::vector<std::string> actions = parsed->action_names();
  CHECK(std::find(actions.begin(), actions.end(), R"(Action::"refund")") != actions.end());
}
