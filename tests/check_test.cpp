// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// The type checker behind mandate::validate(): each kind of error triggered by a small
// policy, the guards and narrowing that must not raise false alarms, and the examples.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mandate/mandate.hpp"

namespace {

using mandate::diagnostic;
using mandate::severity;

// Every construct a check below needs: optional attributes, sets, records, tags, an
// enumerated type, extension types, action groups and per-action contexts.
constexpr std::string_view test_schema = R"(
entity Group in [Group];
entity User in [Group] {
  name: String,
  level?: Long,
  manager?: User,
  emails: Set<String>,
  address?: { city: String, zip?: Long },
  active: Bool,
} tags String;
entity Agent in [Group] { purpose: String };
entity Doc { owner: User, size: Long, readers: Set<User>, color: Color, created: datetime };
entity Folder;
entity Color enum ["red", "green"];

type Common = { ip: String, hour: Long, agent?: Agent };

action reads;
action read, list in [reads] appliesTo { principal: [User, Agent], resource: [Doc], context: Common };
action refund appliesTo {
  principal: [User], resource: [Doc],
  context: { ip: String, hour: Long, amount: Long, limit?: decimal, window?: duration },
};
action open_folder appliesTo { principal: [User], resource: [Folder], context: Common };
)";

mandate::schema make_schema(std::string_view text = test_schema) {
  auto s = mandate::schema::parse(text, "test.cedarschema");
  if (!s) FAIL(mandate::render(s.error()));
  return std::move(s).value();
}

// Validates `policies` against the test schema. The policies must compile.
std::vector<diagnostic> check(std::string_view policies, std::string_view schema_text = test_schema) {
  auto set = mandate::policy_set::compile(policies, "p.cedar");
  if (!set) FAIL(mandate::render(set.error()));
  return mandate::validate(*set, make_schema(schema_text));
}

void require_clean(std::string_view policies, std::string_view schema_text = test_schema) {
  const auto ds = check(policies, schema_text);
  INFO(policies << "\n" << mandate::render(ds));
  CHECK(ds.empty());
}

// Exactly one diagnostic, an error with code "type" whose message contains `needle`.
const diagnostic& require_one_error(std::string_view policies, std::string_view needle,
                                    std::string_view schema_text = test_schema) {
  static std::vector<diagnostic> ds;
  ds = check(policies, schema_text);
  INFO(policies << "\n" << mandate::render(ds));
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].code == "type");
  CHECK(ds[0].level == severity::error);
  CHECK(ds[0].message.find(needle) != std::string::npos);
  return ds[0];
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("check: a correct policy set validates cleanly") {
  require_clean(R"(
    permit (principal in Group::"staff", action in Action::"reads", resource)
    when { resource.size < 100 && resource.color == Color::"red" && principal in resource.owner };

    permit (principal, action == Action::"refund", resource)
    when { context.amount <= 100 && principal.name like "a*" && principal.active }
    unless { context has limit && context.limit.greaterThan(decimal("10.5")) };

    forbid (principal is User, action, resource)
    when { principal has level && principal.level > 3 && principal.emails.contains("x@y") };

    require_approval (principal, action, resource is Doc)
    when { if principal has manager then principal.manager in resource.readers else false };

    permit (principal, action == Action::"open_folder", resource)
    when { principal.hasTag("team") && principal.getTag("team") == "ops" && context.hour >= 0 };

    permit (principal, action, resource is Doc)
    when {
      resource.created < datetime("2025-01-01") && [1, 2].containsAll([1]) && !resource.readers.isEmpty()
    };

    forbid (principal, action in [Action::"read", Action::"list"], resource)
    when { context has agent && !(context.agent in Group::"approved") };
  )");
}

TEST_CASE("check: unknown entity types and actions, in scopes and literals") {
  const diagnostic& d =
      require_one_error("permit (principal is Usr, action, resource);", "unknown entity type `Usr`");
  CHECK(d.message == "unknown entity type `Usr`; did you mean `User`?");
  CHECK(d.where.line == 1);
  CHECK(d.where.column == 9);
  require_one_error("permit (principal == Person::\"a\", action, resource);", "unknown entity type `Person`");
  require_one_error("permit (principal, action, resource in Box::\"b\");", "unknown entity type `Box`");
  require_one_error("permit (principal, action == Action::\"raed\", resource);",
                    "unknown action `Action::\"raed\"`; did you mean `Action::\"read\"`?");
  require_one_error("permit (principal, action in [Action::\"read\", Action::\"nope\"], resource);",
                    "unknown action `Action::\"nope\"`");
  require_one_error("permit (principal, action, resource) when { principal in Team::\"x\" };",
                    "unknown entity type `Team`");
  require_one_error("permit (principal, action, resource) when { action == Action::\"delete\" };",
                    "unknown action `Action::\"delete\"`");
  require_one_error("permit (principal, action, resource) when { resource is Dok };",
                    "unknown entity type `Dok`");
  require_one_error(
      "permit (principal, action, resource is Doc) when { resource.color == Color::\"blue\" };",
      "Color::\"blue\" is not an entity of the enumerated type `Color`, whose ids are \"red\", \"green\"");
}

TEST_CASE("check: attributes a type lacks") {
  const diagnostic& d =
      require_one_error("permit (principal is User, action, resource) when { principal.nmae == \"x\" };",
                        "entity type `User` has no attribute `nmae`; did you mean `name`?");
  CHECK(d.where.column == 53);
  CHECK(d.where.length == std::string_view("principal.nmae").size());
  // The principal may be an Agent, which has no `name`.
  require_one_error(
      "permit (principal, action == Action::\"read\", resource) when { principal.name == \"x\" };",
      "entity type `Agent` has no attribute `name`");
  require_one_error("permit (principal, action == Action::\"read\", resource) when { context.amount > 1 };",
                    "`context` has no attribute `amount` for action `Action::\"read\"`");
  require_one_error("permit (principal, action, resource) when { action.name == \"x\" };",
                    "actions have no attributes");
  require_one_error("permit (principal, action, resource is Doc) when { resource.size.bytes > 1 };",
                    "only entities and records have attributes, but `resource.size` is Long");
  require_one_error("permit (principal, action, resource) when { {a: 1}.b == 1 };",
                    "`{a: 1}` has no attribute `b`");
}

TEST_CASE("check: optional attributes need a `has` guard") {
  const diagnostic& d =
      require_one_error("permit (principal is User, action, resource) when { principal.level > 3 };",
                        "attribute `level` is optional on `User`");
  CHECK(d.message == "attribute `level` is optional on `User`; guard it with `principal has level`");
  require_one_error(
      "permit (principal, action == Action::\"refund\", resource) when { context.limit == decimal(\"1.0\") "
      "};",
      "attribute `limit` is optional in `context`; guard it with `context has limit`");
  // Both levels of an unguarded path are reported.
  const auto both = check("permit (principal is User, action, resource) when { principal.address.zip > 1 };");
  REQUIRE(both.size() == 2);
  CHECK(both[0].message ==
        "attribute `address` is optional on `User`; guard it with `principal has address`");
  CHECK(both[1].message ==
        "attribute `zip` is optional in `principal.address`; guard it with "
        "`principal.address has zip`");
  require_one_error(
      "permit (principal is User, action, resource) when { principal has address && principal.address.zip > "
      "1 };",
      "attribute `zip` is optional in `principal.address`; guard it with `principal.address has zip`");
  // A guard on the other side of `||` does not count; nor does one under `!`.
  require_one_error(
      "permit (principal is User, action, resource) when { principal has level || principal.level > 1 };",
      "optional");
  require_one_error(
      "permit (principal is User, action, resource) when { !(principal has level) && principal.level > 1 };",
      "optional");
  // A guard for a different receiver does not count.
  require_one_error(
      "permit (principal is User, action, resource is Doc) when { principal has level && "
      "resource.owner.level > 1 };",
      "guard it with `resource.owner has level`");
  // ... and the guards that do.
  require_clean(R"(
    permit (principal is User, action, resource) when { principal has level && principal.level > 3 };
    permit (principal is User, action, resource)
      when { principal has address.zip && principal.address.zip > 3 };
    permit (principal is User, action, resource)
      when { if principal has level then principal.level > 3 else true };
    permit (principal is User, action, resource)
      when { (principal has level && principal.level > 1) || (principal has level && principal.level < 0) };
    permit (principal is User, action, resource)
      when { ((principal has level && principal has manager) || principal has level) && principal.level > 1 };
    permit (principal is User, action, resource) when { principal has level } when { principal.level > 3 };
    permit (principal is User, action, resource) unless { principal has level && principal.level > 3 };
    permit (principal is User, action, resource) when { principal has "level" && principal["level"] > 3 };
  )");
}

TEST_CASE("check: operand types") {
  require_one_error("permit (principal is User, action, resource) when { principal.name + 1 > 0 };",
                    "`+` expects Long operands, but `principal.name` is String");
  require_one_error("permit (principal is User, action, resource) when { -principal.name > 0 };",
                    "`-` expects Long operands");
  require_one_error(
      "permit (principal is User, action, resource) when { principal.name < 3 };",
      "`<` compares Longs (or two datetimes, two durations, two levels), but `principal.name` is String");
  require_one_error("permit (principal, action, resource is Doc) when { resource.created < 3 };",
                    "`<` compares datetime with Long; both sides must have the same type");
  require_one_error("permit (principal is User, action, resource) when { principal.active && 1 };",
                    "`&&` expects Bool operands, but `1` is Long");
  require_one_error("permit (principal is User, action, resource) when { principal.name || true };",
                    "`||` expects Bool operands");
  require_one_error("permit (principal is User, action, resource) when { !principal.emails };",
                    "`!` expects Bool");
  require_one_error("permit (principal is User, action, resource) when { if 1 then true else false };",
                    "`if` expects Bool");
  require_one_error("permit (principal is User, action, resource) when { principal.emails like \"*\" };",
                    "`like` matches Strings, but `principal.emails` is Set<String>");
  require_one_error("permit (principal, action, resource) when { \"alice\" in Group::\"g\" };",
                    "`in` expects an entity on its left, but `\"alice\"` is String");
  require_one_error("permit (principal, action, resource) when { principal in 3 };",
                    "`in` expects an entity or a set of entities on its right");
  require_one_error("permit (principal, action, resource) when { 3 is User };",
                    "`is` tests the type of an entity");
  require_one_error("permit (principal is User, action, resource) when { principal.name.contains(\"a\") };",
                    "`contains` is a method of sets, but `principal.name` is String");
  require_one_error(
      "permit (principal is User, action, resource) when { principal.emails.containsAny(\"a\") };",
      "`containsAny` expects a set argument");
  require_one_error("permit (principal, action, resource) when { ip(context.ip).isInRange(\"10.0.0.0/8\") };",
                    "`isInRange` expects ipaddr, but `\"10.0.0.0/8\"` is String");
  require_one_error("permit (principal, action, resource) when { context.ip.isInRange(ip(\"10.0.0.0/8\")) };",
                    "`isInRange` is a method of ipaddr, but `context.ip` is String");
  require_one_error("permit (principal, action, resource) when { ip(context.hour).isLoopback() };",
                    "`ip` expects a String, but `context.hour` is Long");
  require_one_error("permit (principal, action, resource) when { ip(\"10.0.0.300\").isIpv4() };",
                    "\"10.0.0.300\" is not a valid `ip` literal");
  require_one_error("permit (principal, action, resource) when { context.hour.isEmpty() };",
                    "`isEmpty` is a method of sets");
  require_one_error("permit (principal, action, resource) when { context.hour };",
                    "a `when` condition must be a Bool, but this is Long");
  require_one_error("permit (principal, action, resource) unless { context.ip };",
                    "a `unless` condition must be a Bool, but this is String");
  require_one_error(
      "permit (principal, action, resource) when { [1, \"two\"].isEmpty() };",
      "the elements of a set must have one type, but this is String and the ones before it are Long");
  require_one_error(
      "permit (principal, action, resource) when { (if context.hour > 1 then 1 else \"x\") == 1 };",
      "the branches of this `if` have different types, Long and String");
}

TEST_CASE("check: `==` between types that can never be equal") {
  const diagnostic& d =
      require_one_error("permit (principal is User, action, resource) when { principal.name == 3 };",
                        "`==` compares String with Long; values of different types are never equal");
  CHECK(d.where.column == 53);
  require_one_error("permit (principal is User, action, resource) when { principal.emails != \"x\" };",
                    "`!=` compares");
  require_one_error("permit (principal is User, action, resource) when { principal.emails.contains(1) };",
                    "`contains` looks for Long in a set of String");
  require_one_error("permit (principal, action, resource) when { {a: 1} == {a: \"1\"} };", "`==` compares");
  // Entities of different types are simply unequal, as in Cedar: no error.
  require_clean(
      "permit (principal is User, action, resource is Doc) when { principal == resource.owner || principal "
      "!= User::\"a\" };");
}

TEST_CASE("check: tags") {
  require_one_error(
      "permit (principal is User, action, resource) when { principal.getTag(\"team\") == \"ops\" };",
      "tag \"team\" may be absent; guard it with `principal.hasTag(\"team\")`");
  require_one_error("permit (principal, action, resource is Doc) when { resource.getTag(\"x\") == \"y\" };",
                    "entity type `Doc` has no tags");
  require_one_error("permit (principal is User, action, resource) when { principal.hasTag(1) };",
                    "a tag name is a String");
}

TEST_CASE("check: a scope no action can satisfy never applies") {
  const diagnostic& d =
      require_one_error("permit (principal is Agent, action == Action::\"refund\", resource);",
                        "policy `policy0` can never apply");
  CHECK(d.message ==
        "policy `policy0` can never apply: its actions apply to principals of type `User`, and none of "
        "them can satisfy `principal is Agent`");
  CHECK(d.where.column == 9);
  require_one_error("permit (principal, action == Action::\"refund\", resource is Folder);",
                    "its actions apply to resources of type `Doc`");
  require_one_error("@id(\"groups\") permit (principal, action == Action::\"reads\", resource);",
                    "policy `groups` can never apply: no action it names can be requested");
  require_one_error("permit (principal in Folder::\"f\", action, resource);",
                    "none of them can satisfy `principal in Folder::\"f\"`");
  require_one_error("permit (principal is Agent, action, resource is Folder);",
                    "no single action in its scope applies to both such a principal and such a resource");
}

TEST_CASE("check: a condition that is false for every request is a warning") {
  const auto ds =
      check("permit (principal, action == Action::\"open_folder\", resource) when { principal is Agent };");
  INFO(mandate::render(ds));
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].level == severity::warning);
  CHECK(ds[0].message.find("is never satisfied") != std::string::npos);
  CHECK(
      mandate::validate(*mandate::policy_set::compile("permit (principal, action, resource) when { false };"),
                        make_schema())
          .at(0)
          .level == severity::warning);
}

TEST_CASE("check: types narrow per request type, as in Cedar") {
  require_clean(R"(
    // The principal may be a User or an Agent: `is` and `has` decide per request type.
    permit (principal, action == Action::"read", resource)
      when { principal is User && principal.name == "a" };
    permit (principal, action == Action::"read", resource)
      when { principal has name && principal.name == "a" };
    permit (principal, action == Action::"read", resource)
      when { if principal is Agent then principal.purpose == "x" else principal.active };
    // The context depends on the action: action equality and `in` decide per action.
    permit (principal, action, resource) when { action == Action::"refund" && context.amount > 100 };
    permit (principal, action, resource) when { action in [Action::"refund"] && context.amount > 100 };
    permit (principal, action in Action::"reads", resource)
      unless { action in Action::"reads" && context.hour > 22 };
  )");
  // Without the narrowing the same access is an error.
  require_one_error("permit (principal in Group::\"g\", action, resource) when { context.amount > 100 };",
                    "`context` has no attribute `amount`");
}

TEST_CASE("check: require_approval and forbid are checked like permit") {
  require_one_error("require_approval (principal is User, action, resource) when { principal.level > 3 };",
                    "attribute `level` is optional on `User`");
  require_one_error("forbid (principal is User, action, resource) when { principal.level > 3 };",
                    "attribute `level` is optional on `User`");
}

TEST_CASE("check: one mistake is reported once, however many request types see it") {
  // Four request types (User/Agent x read/list) all see the same unknown attribute.
  const auto ds = check("permit (principal, action in Action::\"reads\", resource) when { resource.nope };");
  INFO(mandate::render(ds));
  CHECK(ds.size() == 1);
  // An error inside an attribute does not cascade into the operators above it.
  require_one_error("permit (principal, action, resource is Doc) when { resource.nope + 1 > 2 };",
                    "no attribute `nope`");
  // A context attribute missing for several actions is one diagnostic naming them all.
  const diagnostic& d =
      require_one_error("permit (principal, action, resource is Doc) when { context.amount > 1 };",
                        "`context` has no attribute `amount`");
  CHECK(d.message ==
        "`context` has no attribute `amount` for actions `Action::\"list\"`, `Action::\"read\"`");
}

TEST_CASE("check: several policies and files, positions per file") {
  const std::vector<mandate::policy_source> sources = {
      {"a.cedar", "permit (principal, action, resource);\n"},
      {"b.cedar", "permit (principal, action, resource)\nwhen { context.hours > 1 };\n"},
  };
  auto set = mandate::policy_set::compile(sources);
  REQUIRE(set.has_value());
  const auto ds = mandate::validate(*set, make_schema());
  INFO(mandate::render(ds));
  REQUIRE_FALSE(ds.empty());
  for (const diagnostic& d : ds) {
    CHECK(d.where.file == "b.cedar");
    CHECK(d.where.line == 2);
    CHECK(d.where.column == 8);
  }
  CHECK(mandate::render(ds[0]).find(
            "b.cedar:2:8: error[type]: `context` has no attribute `hours` for actions "
            "`Action::\"list\"`, `Action::\"open_folder\"`, `Action::\"read\"`, `Action::\"refund\"`; "
            "did you mean "
            "`hour`?") == 0);
}

TEST_CASE("check: namespaced schemas and JSON schemas") {
  constexpr std::string_view namespaced = R"(
    namespace App {
      entity User { level?: Long };
      entity Doc;
      action view appliesTo { principal: User, resource: Doc };
    }
  )";
  require_clean(
      "permit (principal is App::User, action == App::Action::\"view\", resource) "
      "when { principal has level && principal.level > 1 };",
      namespaced);
  require_one_error("permit (principal, action == App::Action::\"veiw\", resource);",
                    "unknown action `App::Action::\"veiw\"`; did you mean `App::Action::\"view\"`?",
                    namespaced);
  require_one_error("permit (principal, action == Action::\"view\", resource);",
                    "unknown action `Action::\"view\"`", namespaced);

  auto json = mandate::schema::parse_json(R"({"App": {
      "entityTypes": {"User": {"shape": {"type": "Record",
                                         "attributes": {"level": {"type": "Long", "required": false}}}},
                      "Doc": {}},
      "actions": {"view": {"appliesTo": {"principalTypes": ["User"], "resourceTypes": ["Doc"]}}}}})");
  REQUIRE(json.has_value());
  auto set =
      mandate::policy_set::compile("permit (principal, action, resource) when { principal.level > 1 };");
  REQUIRE(set.has_value());
  const auto ds = mandate::validate(*set, *json);
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].message == "attribute `level` is optional on `App::User`; guard it with `principal has level`");
}

TEST_CASE("check: deeply nested conditions and hostile schemas do not exhaust the stack") {
  // As deep as the compiler accepts.
  std::string deep = "permit (principal, action, resource) when { ";
  for (int i = 0; i < 100; ++i) deep += "(";
  deep += "context.hour > 1";
  for (int i = 0; i < 100; ++i) deep += ")";
  deep += " };";
  require_clean(deep);
  std::string chain = "permit (principal, action, resource) when { true";
  for (int i = 0; i < 1000; ++i) chain += " && context.hour > " + std::to_string(i);
  chain += " };";
  require_clean(chain);
  // A type built by doubling a common type 60 times is 2^60 nodes as a tree but 60 as shared
  // entries; describing and comparing it stays bounded.
  std::string schema_text = "type T0 = { a: Long };\n";
  for (int i = 1; i <= 60; ++i)
    schema_text += "type T" + std::to_string(i) + " = { l: T" + std::to_string(i - 1) + ", r: T" +
                   std::to_string(i - 1) + " };\n";
  schema_text += "entity E { x: T60, y: T60 }; action a appliesTo { principal: E, resource: E };";
  const auto ds =
      check("permit (principal, action, resource) when { principal.x == resource.y && principal.x == 1 };",
            schema_text);
  INFO(mandate::render(ds));
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].message.find("`==` compares {") != std::string::npos);
}

TEST_CASE("check: an empty set literal has no type, as in Cedar's strict validation") {
  require_one_error("permit (principal, action, resource) when { [].isEmpty() };",
                    "an empty set literal `[]` has no element type");
  require_one_error("permit (principal is User, action, resource) when { principal.emails.containsAny([]) };",
                    "an empty set literal `[]` has no element type");
  // Where it can never run (the test of the `if` is constant), Cedar does not type it either.
  require_clean(
      "permit (principal is User, action, resource) when { if false then [].isEmpty() else principal.active "
      "};");
  require_clean(
      "permit (principal is User, action, resource) when { principal.emails.containsAny([\"a\"]) };");
}

TEST_CASE("check: different entity types have no common type (no unions in strict mode)") {
  require_one_error(
      "permit (principal is User, action == Action::\"read\", resource) when { principal in [Group::\"g\", "
      "action] };",
      "the elements of a set must have one type, but this is Action and the ones before it are Group");
  require_one_error(
      "permit (principal is User, action == Action::\"read\", resource is Doc) when { (if principal.active "
      "then principal else resource).size == 1 };",
      "the branches of this `if` have different types, User and Doc");
  require_one_error(
      "permit (principal is Agent, action == Action::\"read\", resource is Doc) when { "
      "resource.readers.contains(principal) };",
      "`contains` looks for Agent in a set of User");
  // One entity type throughout is fine, and `==` between different entity types is just false.
  require_clean(
      "permit (principal is User, action == Action::\"read\", resource is Doc) when { principal in "
      "[Group::\"g\", Group::\"h\"] && (if principal.active then principal else resource.owner) == "
      "resource.owner && resource.readers.contains(principal) && action in [action, Action::\"list\"] };");
}

TEST_CASE("check: two literals compare to a constant, whatever their types") {
  // `true == ""` is false, not an error; the whole policy is then never satisfied (a warning).
  const auto ds = check("permit (principal, action, resource) when { true == \"\" };");
  INFO(mandate::render(ds));
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].level == severity::warning);
  CHECK(ds[0].message.find("is never satisfied") != std::string::npos);
  require_clean("permit (principal, action, resource) when { 1 == 1 && \"a\" != 2 };");
  // Only literals: a computed value of another type still is an error.
  require_one_error("permit (principal, action, resource) when { context.ip == 1 };",
                    "`==` compares String with Long");
}

TEST_CASE("check: the examples validate cleanly against the example schema") {
  const std::filesystem::path root(MANDATE_SOURCE_DIR);
  auto schema = mandate::schema::load(root / "examples" / "schema.cedarschema");
  if (!schema) FAIL(mandate::render(schema.error()));
  auto policies = mandate::policy_set::load(root / "examples" / "policies");
  if (!policies) FAIL(mandate::render(policies.error()));
  REQUIRE(policies->size() > 0);
  const auto ds = mandate::validate(*policies, *schema);
  INFO(mandate::render(ds));
  CHECK(ds.empty());
  // And the same schema through its text, as `mandate check --schema` reads it.
  CHECK(read_file(root / "examples" / "schema.cedarschema").find("entity User") != std::string::npos);
}
