// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// Dogwood event schemas: the default schema and the corpus's own, derivation against the Drupe
// Cedar schema (and against none), pins and their universality, the max_window cap, the rules
// the parser enforces, and the validation of hand-built temporal programs against the result.
#include "dogwood/event_schema.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dogwood/trace.hpp"
#include "mandate/mandate.hpp"
#include "schema/schema_model.hpp"
#include "support.hpp"

namespace {

namespace fs = std::filesystem;
namespace dw = mandate::detail::dogwood;
namespace tp = mandate::detail::temporal;
using mandate::diagnostic;
using mandate::detail::entity_uid;
using mandate::detail::intern;
using mandate::detail::policy_set_ast;
using mandate::detail::schema_data;
using mandate::detail::source_span;
using mandate::detail::symbol;
using mandate::detail::symbol_text;
using mandate::detail::value;
using mandate::detail::value_kind;

using mandate::test_support::read_file;
fs::path corpus_root() { return mandate::test_support::dogwood_corpus_root(); }
fs::path drupe_schema_path() {
  return corpus_root() / "tests/passing/temporal_only/shared_schema.cedarschema";
}

dw::event_schema_ast parse_ok(std::string_view text) {
  dw::event_schema_ast out;
  std::vector<diagnostic> diagnostics;
  const bool ok = dw::parse_event_schema(text, "test.dwschema", out, diagnostics);
  INFO(mandate::render(diagnostics));
  REQUIRE(ok);
  REQUIRE(diagnostics.empty());
  return out;
}

std::vector<diagnostic> parse_errors(std::string_view text) {
  dw::event_schema_ast out;
  std::vector<diagnostic> diagnostics;
  CHECK_FALSE(dw::parse_event_schema(text, "bad.dwschema", out, diagnostics));
  REQUIRE_FALSE(diagnostics.empty());
  return diagnostics;
}

bool has_message(const std::vector<diagnostic>& ds, std::string_view needle) {
  for (const auto& d : ds)
    if (d.message.find(needle) != std::string::npos) return true;
  return false;
}

void require_error(std::string_view text, std::string_view needle, std::uint32_t line = 0,
                   std::uint32_t column = 0) {
  const auto ds = parse_errors(text);
  INFO(mandate::render(ds));
  const diagnostic* found = nullptr;
  for (const auto& d : ds)
    if (d.message.find(needle) != std::string::npos) found = &d;
  REQUIRE(found != nullptr);
  CHECK(found->code == "event-schema");
  if (line != 0) {
    CHECK(found->where.line == line);
    CHECK(found->where.column == column);
  }
}

mandate::schema load_schema(const fs::path& p) {
  auto loaded = mandate::schema::load(p);
  if (!loaded) FAIL_CHECK(mandate::render(loaded.error()));
  REQUIRE(loaded.has_value());
  return std::move(loaded).value();
}

mandate::schema schema_text(std::string_view text) {
  auto parsed = mandate::schema::parse(text, "test.cedarschema");
  if (!parsed) FAIL_CHECK(mandate::render(parsed.error()));
  REQUIRE(parsed.has_value());
  return std::move(parsed).value();
}

dw::derived_event_schema derive_ok(const dw::event_schema_ast& ast, const schema_data* cedar) {
  dw::derived_event_schema out;
  std::vector<diagnostic> diagnostics;
  const bool ok = dw::derive_event_schema(ast, cedar, out, diagnostics);
  INFO(mandate::render(diagnostics));
  REQUIRE(ok);
  return out;
}

entity_uid action(std::string_view type, std::string_view id) { return {intern(type), intern(id)}; }
entity_uid drupe(std::string_view id) { return action("Drupe::Action", id); }

std::vector<symbol> path_of(std::string_view dotted) {
  std::vector<symbol> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = dotted.find('.', start);
    out.push_back(intern(dotted.substr(start, dot == std::string_view::npos ? dotted.npos : dot - start)));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

/// A temporal program built by hand, with a one-file policy set for the diagnostics' positions.
struct program_builder {
  tp::temporal_program program;
  policy_set_ast ast;
  std::vector<tp::variable_info> variables;
  source_span span{0, 0, 4};

  program_builder() { ast.files.emplace_back("policy.dw", "permit (principal, action, resource);\n"); }

  tp::term_id add(tp::term t) {
    t.span = span;
    program.terms.push_back(std::move(t));
    return static_cast<tp::term_id>(program.terms.size() - 1);
  }
  tp::term_id constant(value v) {
    tp::term t;
    t.kind = tp::term_kind::constant;
    t.constant = v;
    return add(std::move(t));
  }
  tp::term_id variable(std::string name, std::string type, bool timepoint = false) {
    tp::variable_info info;
    info.name = std::move(name);
    info.type_name = std::move(type);
    info.is_timepoint = timepoint;
    variables.push_back(std::move(info));
    tp::term t;
    t.kind = tp::term_kind::variable;
    t.var = static_cast<tp::var_id>(variables.size() - 1);
    return add(std::move(t));
  }
  tp::term_id context(std::string_view dotted) {
    tp::term t;
    t.kind = tp::term_kind::context_path;
    t.path = path_of(dotted);
    return add(std::move(t));
  }
  tp::term_id array(std::vector<tp::term_id> elements) {
    tp::term t;
    t.kind = tp::term_kind::array;
    t.elements = std::move(elements);
    return add(std::move(t));
  }
  tp::node_id node(tp::node n) {
    n.span = span;
    program.nodes.push_back(n);
    return static_cast<tp::node_id>(program.nodes.size() - 1);
  }
  tp::node_id predicate(entity_uid a, std::string_view kind,
                        std::vector<std::pair<std::string, tp::term_id>> fields = {}) {
    tp::predicate p;
    p.action = a;
    p.kind = intern(kind);
    p.span = span;
    for (auto& [path, term] : fields) p.fields.push_back({path_of(path), term, span});
    program.predicates.push_back(std::move(p));
    tp::node n;
    n.kind = tp::node_kind::predicate;
    n.index = static_cast<std::uint32_t>(program.predicates.size() - 1);
    return node(n);
  }
  tp::node_id formerly(std::int64_t window_ms, tp::node_id body) {
    tp::node n;
    n.kind = tp::node_kind::formerly;
    n.a = body;
    n.window_ms = window_ms;
    return node(n);
  }
  void leaf(tp::node_id root) {
    tp::leaf l;
    l.root = root;
    l.variables = variables;
    l.span = span;
    program.leaves.push_back(std::move(l));
    variables.clear();
  }
  std::vector<diagnostic> validate(const dw::derived_event_schema& schema) const {
    std::vector<diagnostic> out;
    dw::validate_predicates(program, schema, ast, out);
    return out;
  }
};

constexpr std::int64_t hour = 3'600'000;

constexpr std::string_view mode_schema = R"(
namespace Escaped {
    entity User;
    entity Doc;
    entity Mode enum ["read", "a\"b"];
    entity Tool1_Input_mode enum ["read", "write"];
    action "Gate" appliesTo { principal: [User], resource: [Doc], context: { input: { mode: Mode } } };
    action "a\"b" appliesTo { principal: [User], resource: [Doc], context: { input: { mode: Mode } } };
    action "Tags" appliesTo {
        principal: [User], resource: [Doc],
        context: { input: { tags: Set<String>, amount: Long, level: decimal, meta: { region: String } } }
    };
}
)";

}  // namespace

TEST_CASE("event schema: the default schema and every corpus event schema parse") {
  const auto ast = parse_ok(dw::default_event_schema());
  REQUIRE(ast.events.size() == 3);
  CHECK(ast.events[0].kind == "request");
  CHECK(ast.events[0].decision);
  CHECK(ast.events[1].kind == "response");
  CHECK_FALSE(ast.events[1].decision);
  CHECK(ast.events[2].kind == "error");
  CHECK_FALSE(ast.has_max_window);

  const fs::path root = corpus_root();
  if (!fs::exists(root)) {
    MESSAGE("skipped the corpus: not at " << root.string());
    return;
  }
  // The fixture the harness falls back on is the default written out in the library.
  const auto fixture = parse_ok(read_file(root / "tests/fixtures/request_response.dwschema"));
  REQUIRE(fixture.events.size() == ast.events.size());
  for (std::size_t i = 0; i < ast.events.size(); ++i) {
    CHECK(fixture.events[i].kind == ast.events[i].kind);
    CHECK(fixture.events[i].decision == ast.events[i].decision);
    REQUIRE(fixture.events[i].fields.size() == ast.events[i].fields.size());
    for (std::size_t j = 0; j < ast.events[i].fields.size(); ++j) {
      CHECK(fixture.events[i].fields[j].name == ast.events[i].fields[j].name);
      CHECK(fixture.events[i].fields[j].type_name == ast.events[i].fields[j].type_name);
    }
  }
  std::size_t count = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root / "tests")) {
    if (entry.path().extension() != ".dwschema") continue;
    INFO(entry.path().string());
    parse_ok(read_file(entry.path()));
    ++count;
  }
  CHECK(count >= 3);
}

TEST_CASE("event schema: derivation against the Drupe schema") {
  if (!fs::exists(drupe_schema_path())) {
    MESSAGE("skipped: no Drupe schema at " << drupe_schema_path().string());
    return;
  }
  const auto cedar = load_schema(drupe_schema_path());
  const auto derived = derive_ok(parse_ok(dw::default_event_schema()), &cedar.internals());
  CHECK(derived.has_cedar_schema);
  CHECK_FALSE(derived.any_action);
  CHECK(derived.events.size() == cedar.internals().actions.size() * 3);
  CHECK(derived.max_window_ms == 24 * hour);
  CHECK(derived.universal_pins.empty());
  REQUIRE(derived.decision_kinds.size() == 1);
  CHECK(symbol_text(derived.decision_kinds[0]) == "request");
  CHECK(derived.is_decision_kind(intern("request")));
  CHECK_FALSE(derived.is_decision_kind(intern("response")));

  const auto* login = derived.find(drupe("Login"), intern("request"));
  REQUIRE(login != nullptr);
  CHECK(login->decision);
  CHECK(login->declared_fields() ==
        "callerPrincipal, callerResource, input.server, input.user, requestId, sessionId");
  const dw::event_field* leaf = nullptr;
  REQUIRE(login->lookup(path_of("callerPrincipal"), &leaf) == dw::path_lookup::leaf);
  REQUIRE(leaf != nullptr);
  CHECK(leaf->type.describe() == "Drupe::IamEntity | Drupe::OAuthUser | Drupe::UnauthenticatedUser");
  REQUIRE(login->lookup(path_of("input.user"), &leaf) == dw::path_lookup::leaf);
  CHECK(leaf->type.describe() == "String");
  CHECK(login->lookup(path_of("input"), &leaf) == dw::path_lookup::group);
  CHECK(leaf == nullptr);
  CHECK(login->lookup(path_of("output.result")) == dw::path_lookup::absent);
  CHECK(login->lookup(path_of("input.user.more")) == dw::path_lookup::absent);
  CHECK(login->lookup({}) == dw::path_lookup::absent);

  const auto* response = derived.find(drupe("Login"), intern("response"));
  REQUIRE(response != nullptr);
  CHECK_FALSE(response->decision);
  CHECK(response->lookup(path_of("output")) == dw::path_lookup::group);  // LoginOutput is empty

  const auto* transfer = derived.find(drupe("Transfer"), intern("error"));
  REQUIRE(transfer != nullptr);
  REQUIRE(transfer->lookup(path_of("input.amount"), &leaf) == dw::path_lookup::leaf);
  CHECK(leaf->type.describe() == "Long");

  // Action groups get events too (with whatever context they declare), as in Dogwood.
  const auto* call_tool = derived.find(drupe("CallTool"), intern("request"));
  REQUIRE(call_tool != nullptr);
  CHECK(call_tool->declared_fields() == "callerPrincipal, callerResource, requestId, sessionId");
  CHECK(call_tool->lookup(path_of("input")) == dw::path_lookup::group);

  CHECK(derived.find(drupe("Lgoin"), intern("request")) == nullptr);
  CHECK(derived.find(drupe("Login"), intern("frobnicate")) == nullptr);
  CHECK(derived.find(action("Other::Action", "Login"), intern("request")) == nullptr);
}

TEST_CASE("event schema: nested fields from the Cedar schema and from the event schema") {
  const auto cedar = schema_text(mode_schema);
  const auto derived = derive_ok(parse_ok(R"(
      decision event <A>::request {
        ...inputs(A),
        meta: { pin session_id: String = context.meta.session_id, deep: { id: String }, empty: {} },
        who: Escaped::User, short: Doc, day: datetime, odd: Unknown::Thing,
      })"),
                                 &cedar.internals());
  const auto* tags = derived.find(action("Escaped::Action", "Tags"), intern("request"));
  REQUIRE(tags != nullptr);
  CHECK(tags->declared_fields() ==
        "day, input.amount, input.level, input.meta.region, input.tags, meta.deep.id, meta.session_id, odd, "
        "short, "
        "who");
  const dw::event_field* leaf = nullptr;
  CHECK(tags->lookup(path_of("input.meta"), &leaf) == dw::path_lookup::group);
  CHECK(tags->lookup(path_of("meta.deep"), &leaf) == dw::path_lookup::group);
  CHECK(tags->lookup(path_of("meta.empty"), &leaf) == dw::path_lookup::group);
  REQUIRE(tags->lookup(path_of("input.tags"), &leaf) == dw::path_lookup::leaf);
  CHECK(leaf->type.describe() == "Set<String>");
  REQUIRE(tags->lookup(path_of("input.level"), &leaf) == dw::path_lookup::leaf);
  CHECK(leaf->type.describe() == "decimal");
  REQUIRE(tags->lookup(path_of("who"), &leaf) == dw::path_lookup::leaf);
  CHECK(leaf->type.describe() == "Escaped::User");
  REQUIRE(tags->lookup(path_of("short"), &leaf) == dw::path_lookup::leaf);
  CHECK(leaf->type.describe() == "Escaped::Doc");  // resolved in the action's namespace
  REQUIRE(tags->lookup(path_of("odd"), &leaf) == dw::path_lookup::leaf);
  CHECK(leaf->type.kind == dw::field_type_kind::unknown);
  REQUIRE(tags->pins.size() == 1);
  CHECK(tags->pins[0].field_text == "meta.session_id");
  CHECK(tags->pins[0].reference_text() == "context.meta.session_id");
  // Symmetric (its own path) and on every derived event: universal.
  CHECK(tags->pins[0].universal);
  CHECK(derived.universal_pins.size() == 1);
}

TEST_CASE("event schema: pins and their universality") {
  SUBCASE("case 1215: two universal symmetric context pins") {
    const fs::path dir = corpus_root() / "tests/passing/temporal_only/corpus/1215_decimal_pin_dom_eq";
    if (!fs::exists(dir) || !fs::exists(drupe_schema_path())) {
      MESSAGE("skipped: corpus case 1215 is not at " << dir.string());
      return;
    }
    const auto cedar = load_schema(drupe_schema_path());
    const auto derived = derive_ok(parse_ok(read_file(dir / "event.dwschema")), &cedar.internals());
    REQUIRE(derived.universal_pins.size() == 2);
    CHECK(derived.universal_pins[0].field_text == "partition_decimal");
    CHECK(derived.universal_pins[0].reference_text() == "context.partition_decimal");
    CHECK(derived.universal_pins[1].field_text == "tenant_id");
    for (const auto& ev : derived.events) {
      REQUIRE(ev.pins.size() == 2);
      CHECK(ev.pins[0].universal);
      CHECK(ev.pins[1].universal);
    }
    const auto* read = derived.find(drupe("Read"), intern("request"));
    REQUIRE(read != nullptr);
    const dw::event_field* leaf = nullptr;
    REQUIRE(read->lookup(path_of("partition_decimal"), &leaf) == dw::path_lookup::leaf);
    CHECK(leaf->type.describe() == "decimal");

    // The partition key of a history event and of a later request agree: -0.0 == 0.0.
    std::vector<dw::trace_event> trace;
    std::string error;
    REQUIRE(dw::parse_trace(read_file(dir / "trace_2.log"), trace, error));
    REQUIRE(trace.size() == 2);
    mandate::detail::request_view request;
    request.principal = trace[1].event.principal;
    request.resource = trace[1].event.resource;
    request.action = trace[1].event.action;
    request.context = trace[1].event.context;
    for (const auto& pin : derived.universal_pins) {
      const value* logged = dw::event_pin_value(pin, trace[0].event);
      REQUIRE(logged != nullptr);
      value current;
      REQUIRE(dw::request_pin_value(pin, request, nullptr, current));
      CHECK(mandate::detail::value_equal(*logged, current));
    }
  }
  SUBCASE("case 1213: the principal alias pin, against the case's own Cedar schema") {
    const fs::path dir =
        corpus_root() / "tests/passing/temporal_only/corpus/1213_escaped_enum_ids_end_to_end";
    if (!fs::exists(dir)) {
      MESSAGE("skipped: corpus case 1213 is not at " << dir.string());
      return;
    }
    const auto cedar = load_schema(dir / "schema.cedarschema");
    const auto derived = derive_ok(parse_ok(read_file(dir / "event.dwschema")), &cedar.internals());
    REQUIRE(derived.universal_pins.size() == 1);
    CHECK(derived.universal_pins[0].field_text == "callerPrincipal");
    CHECK(derived.universal_pins[0].reference_text() == "principal");
    const auto* check = derived.find(action("Escaped::Action", "Check"), intern("request"));
    REQUIRE(check != nullptr);
    CHECK(check->declared_fields() == "callerPrincipal, callerResource, input.mode, requestId");
    CHECK(derived.enum_ids.at(intern("Escaped::Mode")).size() == 3);
  }
  SUBCASE("scope aliases are symmetric; other pins and partial pins are not universal") {
    const auto aliases = derive_ok(parse_ok(R"(
        decision event <A>::request { pin callerPrincipal: principalType(A) = principal,
                                      pin callerResource: resourceType(A) = resource,
                                      pin actor: principalType(A) = principal,
                                      pin tenant: String = context.org.tenant,
                                      pin dept: String = principal.dept }
        event <A>::response { pin callerPrincipal: principalType(A) = principal,
                              pin callerResource: resourceType(A) = resource,
                              pin actor: principalType(A) = principal,
                              pin tenant: String = context.org.tenant,
                              pin dept: String = principal.dept })"),
                                   nullptr);
    REQUIRE(aliases.universal_pins.size() == 2);
    CHECK(aliases.universal_pins[0].field_text == "callerPrincipal");
    CHECK(aliases.universal_pins[1].field_text == "callerResource");

    const auto partial = derive_ok(parse_ok(R"(
        decision event <A>::request { pin callerPrincipal: principalType(A) = principal }
        event <A>::response { callerPrincipal: principalType(A) })"),
                                   nullptr);
    CHECK(partial.universal_pins.empty());
    const auto* request = partial.find(drupe("Any"), intern("request"));
    REQUIRE(request != nullptr);
    REQUIRE(request->pins.size() == 1);
    CHECK_FALSE(request->pins[0].universal);

    const auto context_alias = derive_ok(parse_ok(R"(
        decision event <A>::request { pin callerPrincipal: principalType(A) = context.principal })"),
                                         nullptr);
    CHECK(context_alias.universal_pins.empty());  // `context.principal` is a context field, not the scope
  }
}

TEST_CASE("event schema: max_window") {
  const std::string body = "\ndecision event <A>::request { requestId: String }";
  CHECK(parse_ok("max_window = 48h" + body).max_window_ms == 48 * hour);
  CHECK(parse_ok("max_window = 30s" + body).max_window_ms == 30'000);
  CHECK(parse_ok("max_window = 90m" + body).max_window_ms == 90 * 60'000);
  CHECK(parse_ok("max_window=7d" + body).max_window_ms == 7 * 24 * hour);
  const auto ast = parse_ok("// cap\nmax_window = 1h" + body);
  CHECK(ast.has_max_window);
  CHECK(ast.max_window_text == "1h");
  CHECK(derive_ok(ast, nullptr).max_window_ms == hour);
  CHECK(derive_ok(parse_ok(body), nullptr).max_window_ms == 24 * hour);

  require_error("max_window = 0h" + body, "max_window must be greater than zero", 1, 1);
  require_error("max_window = 24h\nmax_window = 12h" + body, "duplicate `max_window` directive", 2, 1);
  require_error(std::string(body.substr(1)) + "\nmax_window = 24h", "must come before the event declarations",
                2, 1);
  require_error("max_window = 24" + body, "expected a time unit", 1, 16);
  require_error("max_window = 24 h" + body, "expected a time unit", 1, 16);
  require_error("max_window = 24x" + body, "expected a time unit", 1, 16);
  require_error("max_window = 99999999999999999999d" + body, "too large");
  require_error("max_window = 9999999999999d" + body, "too large");
  require_error("max_window = h" + body, "expected a window");
}

TEST_CASE("event schema: syntax and rule errors") {
  require_error("event <A>::r { ...inputs(B) }",
                "selector argument `B` does not name the declared action binder `A`", 1, 26);
  require_error("event <A>::r { meta: { ...inputs(B) } }", "does not name the declared action binder");
  require_error("event <A>::r { p: principalType(B) }", "does not name the declared action binder");
  require_error("event <A>::r { ...principalType(A) }", "cannot be spread");
  require_error("event <A>::r { x: inputs(A) }", "cannot be used as a field type");
  require_error("event <A>::r { ...tags(A) }", "expected a selector after `...`");
  require_error("event <A>::r { pin foo: String }", "pinned field `foo` is missing its pin value");
  require_error("event <A>::r { foo: String = context.foo }", "is not marked `pin`");
  require_error("event <A>::r { pin meta: { x: String } = context.meta }",
                "record group and cannot be pinned");
  require_error("event <A>::r { pin foo: String = context }", "expected `.` and a field after `context`");
  require_error("event <A>::r { pin foo: String = session.id }", "expected a pin value");
  require_error("event <A>::r { a: String, a: Long }", "`a` is defined more than once", 1, 27);
  require_error("event <A>::r { m: { a: String, a: Long } }", "defined more than once");
  require_error("event <A>::r { ...inputs(A), input: String }", "collides with the `input` field group");
  require_error("event <A>::r { output: String, ...outputs(A) }", "`...outputs(A)` (on `r`) collides");
  require_error("event <A>::r { ...inputs(A), ...inputs(A) }", "collides");
  require_error("event <A>::r {}\nevent <A>::r {}", "event kind `r` is declared more than once", 2, 1);
  require_error("event A::r { }", "expected `<`");
  require_error("event <A>::r", "expected `{`");
  require_error("event <A>::r { a String }", "expected `:`");
  require_error("event <A>::r { a: }", "expected a field type");
  require_error("event <A>::r { a: B:: }", "expected a type name after `::`");
  require_error("event <A>::r { a: String b: Long }", "expected a field, `,` or `}`");
  require_error("decision <A>::r {}", "expected an event declaration");
  require_error("", "declares no events");
  require_error("  // only a comment\n", "declares no events");
  require_error("event <A>::r {} garbage", "expected an event declaration", 1, 17);

  // `pin` is a contextual keyword.
  const auto named_pin = parse_ok("event <A>::r { pin: String, pin pin2: String = context.pin2, }");
  REQUIRE(named_pin.events[0].fields.size() == 2);
  CHECK(named_pin.events[0].fields[0].name == "pin");
  CHECK_FALSE(named_pin.events[0].fields[0].pinned);
  CHECK(named_pin.events[0].fields[1].pinned);
  const auto pin_pin = parse_ok("event <A>::r { pin pin: String = context.pin }");
  CHECK(pin_pin.events[0].fields[0].name == "pin");
  CHECK(pin_pin.events[0].fields[0].pinned);
  CHECK(pin_pin.events[0].fields[0].pin_path == std::vector<std::string>{"pin"});
  // An empty body, a trailing comma, and a selector name used as a plain type name.
  CHECK(parse_ok("event <A>::ping {}").events[0].fields.empty());
  CHECK(parse_ok("event <A>::r { x: inputs, }").events[0].fields[0].type_name == "inputs");
}

TEST_CASE("event schema: hostile input is an error, never a crash") {
  std::string deep = "event <A>::r { ";
  for (int i = 0; i < 10'000; ++i) deep += "a: { ";
  require_error(deep, "nested too deeply");
  std::string ok = "event <A>::r { ";
  for (int i = 0; i < 60; ++i) ok += "a: { ";
  ok += "b: String";
  for (int i = 0; i < 60; ++i) ok += " }";
  ok += " }";
  const auto nested = derive_ok(parse_ok(ok), nullptr);
  CHECK(nested.events[0].fields.size() == 1);

  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 1000; ++round) {
    std::string text = round % 2 == 0 ? "decision event <A>::request { " : "";
    const int n = 1 + static_cast<int>(rng() % 300);
    for (int i = 0; i < n; ++i) text += static_cast<char>(byte(rng));
    dw::event_schema_ast out;
    std::vector<diagnostic> diagnostics;
    if (!dw::parse_event_schema(text, "random", out, diagnostics)) CHECK_FALSE(diagnostics.empty());
  }

  // A Cedar type that fans out exponentially is refused when derived, not expanded.
  std::string fan = "type T0 = { a: Long };\n";
  for (int i = 1; i <= 20; ++i)
    fan += "type T" + std::to_string(i) + " = { a: T" + std::to_string(i - 1) + ", b: T" +
           std::to_string(i - 1) + " };\n";
  fan += "entity U; action Go appliesTo { principal: U, resource: U, context: { input: T20 } };";
  const auto cedar = schema_text(fan);
  dw::derived_event_schema derived;
  std::vector<diagnostic> diagnostics;
  CHECK_FALSE(dw::derive_event_schema(parse_ok(dw::default_event_schema()), &cedar.internals(), derived,
                                      diagnostics));
  CHECK(has_message(diagnostics, "expands to more than 10000 fields"));
}

TEST_CASE("event schema: derivation without a Cedar schema") {
  const auto derived = derive_ok(parse_ok(dw::default_event_schema()), nullptr);
  CHECK(derived.any_action);
  CHECK_FALSE(derived.has_cedar_schema);
  CHECK(derived.events.size() == 3);
  const auto* request = derived.find(action("Any::Action", "Whatever"), intern("request"));
  REQUIRE(request != nullptr);
  CHECK(request->lookup(path_of("input.anything")) == dw::path_lookup::leaf);
  CHECK(request->lookup(path_of("input.a.b")) == dw::path_lookup::leaf);
  CHECK(request->lookup(path_of("input")) == dw::path_lookup::group);
  CHECK(request->lookup(path_of("output.x")) == dw::path_lookup::absent);
  CHECK(request->declared_fields() == "callerPrincipal, callerResource, input.*, requestId, sessionId");
  const auto* response = derived.find(drupe("Login"), intern("response"));
  REQUIRE(response != nullptr);
  CHECK(response->lookup(path_of("output.x")) == dw::path_lookup::leaf);
  CHECK(derived.find(drupe("Login"), intern("frobnicate")) == nullptr);
}

TEST_CASE("event schema: validation of predicates against the derived schema") {
  if (!fs::exists(drupe_schema_path())) {
    MESSAGE("skipped: no Drupe schema at " << drupe_schema_path().string());
    return;
  }
  const auto cedar = load_schema(drupe_schema_path());
  const auto derived = derive_ok(parse_ok(dw::default_event_schema()), &cedar.internals());

  SUBCASE("a valid predicate") {
    program_builder b;
    const auto user = b.context("input.user");
    const auto u = b.variable("u", "String");
    b.leaf(
        b.formerly(hour, b.predicate(drupe("Login"), "request", {{"input.user", user}, {"requestId", u}})));
    const auto ds = b.validate(derived);
    INFO(mandate::render(ds));
    CHECK(ds.empty());
  }
  SUBCASE("unknown action") {
    program_builder b;
    b.leaf(b.formerly(hour, b.predicate(drupe("Lgoin"), "request")));
    const auto ds = b.validate(derived);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message ==
          "predicate `Drupe::Action::\"Lgoin\"::request` does not name a declared event (no event kind "
          "`request` "
          "derived for action `Lgoin`)");
    CHECK(ds[0].code == "temporal");
    CHECK(ds[0].where.file == "policy.dw");
    CHECK(ds[0].where.line == 1);
  }
  SUBCASE("unknown kind") {
    program_builder b;
    b.leaf(b.formerly(hour, b.predicate(drupe("Login"), "frobnicate")));
    const auto ds = b.validate(derived);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message ==
          "predicate `Drupe::Action::\"Login\"::frobnicate` does not name a declared event (no event kind "
          "`frobnicate` derived for action `Login`)");
  }
  SUBCASE("unknown fields, as Dogwood reports them") {
    program_builder b;
    const auto one = b.constant(value::of_int(1));
    const auto yes = b.constant(value::of_bool(true));
    b.leaf(b.formerly(hour, b.predicate(drupe("Login"), "request", {{"input.usre", one}, {"result", yes}})));
    const auto ds = b.validate(derived);
    REQUIRE(ds.size() == 2);
    CHECK(ds[0].message ==
          "predicate `Drupe::Action::\"Login\"::request` mentions field `input.usre`, which is not declared "
          "on that "
          "event (declared fields: callerPrincipal, callerResource, input.server, input.user, requestId, "
          "sessionId)");
    CHECK(ds[1].message ==
          "predicate `Drupe::Action::\"Login\"::request` mentions field `result`, which is not declared on "
          "that "
          "event (declared fields: callerPrincipal, callerResource, input.server, input.user, requestId, "
          "sessionId)");
  }
  SUBCASE("a group instead of a leaf") {
    program_builder b;
    b.leaf(b.formerly(hour, b.predicate(drupe("Login"), "request", {{"input", b.variable("x", "String")}})));
    const auto ds = b.validate(derived);
    REQUIRE(ds.size() == 1);
    CHECK(ds[0].message ==
          "predicate `Drupe::Action::\"Login\"::request` mentions `input`, which is a field group, not a "
          "field; "
          "address a field inside it (e.g. `input.<field>`)");
  }
  SUBCASE("windows over the cap") {
    program_builder b;
    b.leaf(b.formerly(24 * hour, b.predicate(drupe("Login"), "request")));  // equal to the cap: fine
    b.leaf(b.formerly(48 * hour, b.predicate(drupe("Login"), "request")));
    b.leaf(b.formerly(0, b.predicate(drupe("Login"), "request")));
    const auto ds = b.validate(derived);
    REQUIRE(ds.size() == 2);
    CHECK(ds[0].message ==
          "temporal window `2d` exceeds the maximum allowed window `24h` set by the event schema's "
          "`max_window`; "
          "shorten this window to at most `24h`, or raise `max_window` in the event schema");
    CHECK(ds[1].message.find("temporal window `0s` must be positive") == 0);

    const auto capped = derive_ok(parse_ok("max_window = 1h\n" + std::string(dw::default_event_schema())),
                                  &cedar.internals());
    program_builder c;
    c.leaf(c.formerly(2 * hour, c.predicate(drupe("Login"), "request")));
    const auto capped_ds = c.validate(capped);
    REQUIRE(capped_ds.size() == 1);
    CHECK(capped_ds[0].message.find("temporal window `2h` exceeds the maximum allowed window `1h`") == 0);
  }
  SUBCASE("argument types") {
    program_builder b;
    const auto number = b.constant(value::of_int(5));
    const auto tp_var = b.variable("t", "Timepoint", true);
    const auto long_var = b.variable("n", "Long");
    const auto user = b.constant(value::of_entity({intern("Drupe::OAuthUser"), intern("alice")}));
    const auto gateway = b.constant(value::of_entity({intern("Drupe::Gateway"), intern("gw1")}));
    b.leaf(b.formerly(hour, b.predicate(drupe("Login"), "request",
                                        {{"input.user", number},
                                         {"input.server", tp_var},
                                         {"requestId", long_var},
                                         {"callerPrincipal", user},
                                         {"callerResource", user},
                                         {"sessionId", b.context("anything")}})));
    b.leaf(b.formerly(hour, b.predicate(drupe("Transfer"), "request",
                                        {{"input.amount", b.array({number})}, {"callerResource", gateway}})));
    const auto ds = b.validate(derived);
    INFO(mandate::render(ds));
    REQUIRE(ds.size() == 5);
    CHECK(ds[0].message == "argument `input.user` of `Login` expects `string` but got `int`");
    CHECK(ds[0].code == "type");
    CHECK(ds[1].message == "argument `input.server` of `Login` expects `string` but got `timepoint`");
    CHECK(ds[2].message == "argument `requestId` of `Login` expects `string` but got `int`");
    CHECK(ds[3].message == "argument `callerResource` of `Login` expects `Gateway` but got `OAuthUser`");
    CHECK(ds[4].message == "argument `input.amount` of `Transfer` expects `int` but got `array<int>`");
  }
}

TEST_CASE("event schema: the type helpers shared with the temporal type checks") {
  const dw::field_type long_type = dw::field_type_of_name("Long");
  CHECK(long_type.kind == dw::field_type_kind::long_integer);
  CHECK(dw::dogwood_type_text(long_type) == "int");
  CHECK(dw::dogwood_type_text(dw::field_type_of_name("String")) == "string");
  CHECK(dw::dogwood_type_text(dw::field_type_of_name("Boolean")) == "boolean");

  // A binder's entity annotation keeps its name; messages show its last segment.
  const dw::field_type user = dw::field_type_of_name("Drupe::User");
  CHECK(user.kind == dw::field_type_kind::entity);
  CHECK(dw::dogwood_type_text(user) == "User");
  CHECK(dw::dogwood_type_text(user, true) == "Drupe::User");

  CHECK(dw::dogwood_type_text(dw::field_type_of_value(value::of_int(5))) == "int");
  CHECK(dw::dogwood_type_text(dw::field_type_of_value(value::of_string(intern("x")))) == "string");
  const entity_uid mode{intern("Escaped::Mode"), intern("read")};
  const dw::field_type mode_type = dw::field_type_of_value(value::of_entity(mode));
  CHECK(dw::dogwood_type_text(mode_type) == "Mode");

  // A field declared `Mode` (written without its namespace) accepts an Escaped::Mode value.
  CHECK(dw::field_type_accepts(dw::field_type_of_name("Mode"), mode_type));
  CHECK_FALSE(dw::field_type_accepts(long_type, mode_type));
  CHECK_FALSE(dw::field_type_accepts(mode_type, long_type));
  CHECK(dw::field_type_accepts(dw::field_type{}, long_type));  // an unknown field accepts anything

  // From a Cedar schema: the attribute types of an action's context.
  auto parsed = mandate::schema::parse(mode_schema, "mode.cedarschema");
  REQUIRE(parsed);
  const schema_data& cedar = parsed->internals();
  const auto* tags = cedar.find_action({intern("Escaped::Action"), intern("Tags")});
  REQUIRE(tags != nullptr);
  const auto* input = cedar.find_attribute(tags->context, intern("input"));
  REQUIRE(input != nullptr);
  const auto* set = cedar.find_attribute(input->type, intern("tags"));
  REQUIRE(set != nullptr);
  CHECK(dw::dogwood_type_text(dw::field_type_of(cedar, set->type)) == "array<string>");
  CHECK(dw::dogwood_type_text(dw::field_type_of(cedar, input->type)) == "object");
}

TEST_CASE("event schema: entity types, enums and escaped action ids") {
  const auto cedar = schema_text(mode_schema);
  const auto derived = derive_ok(parse_ok(dw::default_event_schema()), &cedar.internals());
  const entity_uid quote_action = action("Escaped::Action", "a\"b");

  program_builder b;
  const auto five = b.constant(value::of_int(5));
  const auto wrong_type = b.constant(value::of_entity({intern("Escaped::Tool1_Input_mode"), intern("read")}));
  const auto bad_id = b.constant(value::of_entity({intern("Escaped::Mode"), intern("missing\\id")}));
  const auto good = b.constant(value::of_entity({intern("Escaped::Mode"), intern("a\"b")}));
  const auto unknown = b.constant(value::of_entity({intern("Escaped::Usr"), intern("x")}));
  const auto an_action = b.constant(value::of_entity(action("Escaped::Action", "Gate")));
  const auto tags = b.array({b.constant(value::of_string(intern("a"))), five});
  b.leaf(b.formerly(hour, b.predicate(quote_action, "request", {{"input.mode", five}})));
  b.leaf(b.formerly(hour, b.predicate(action("Escaped::Action", "Gate"), "request",
                                      {{"input.mode", wrong_type}, {"callerPrincipal", unknown}})));
  b.leaf(b.formerly(hour, b.predicate(action("Escaped::Action", "Gate"), "response",
                                      {{"input.mode", bad_id}, {"requestId", b.variable("r", "String")}})));
  b.leaf(b.formerly(hour, b.predicate(action("Escaped::Action", "Gate"), "error", {{"input.mode", good}})));
  b.leaf(b.formerly(hour, b.predicate(action("Escaped::Action", "Tags"), "request",
                                      {{"input.tags", tags}, {"requestId", an_action}})));
  const auto ds = b.validate(derived);
  INFO(mandate::render(ds));
  REQUIRE(ds.size() == 7);
  CHECK(ds[0].message == "argument `input.mode` of `a\\\"b` expects `Mode` but got `int`");
  CHECK(ds[1].message == "argument `input.mode` of `Gate` expects `Mode` but got `Tool1_Input_mode`");
  CHECK(ds[2].message == "argument `callerPrincipal` of `Gate` expects `User` but got `Usr`");
  CHECK(ds[3].message == "argument `input.tags` of `Tags` expects `array<string>` but got `array<int>`");
  CHECK(ds[4].message == "argument `requestId` of `Tags` expects `string` but got `Action`");
  CHECK(ds[5].message ==
        "`Escaped::Mode` is an enum entity type; `\"missing\\\\id\"` is not one of its permitted ids "
        "(\"read\", "
        "\"a\\\"b\")");
  CHECK(ds[6].message == "unknown entity type `Escaped::Usr`; did you mean `Escaped::User`?");
}

TEST_CASE("event schema: pins_for and the pin values of requests and events") {
  const auto derived = derive_ok(parse_ok(R"(
      decision event <A>::request {
        ...inputs(A),
        pin callerPrincipal: principalType(A) = principal,
        pin dept: String = principal.dept,
        __drupe: { pin session_id: String = context.__drupe.session_id },
      }
      event <A>::response {
        ...inputs(A),
        pin callerPrincipal: principalType(A) = principal,
      })"),
                                 nullptr);
  REQUIRE(derived.universal_pins.size() == 1);
  CHECK(derived.universal_pins[0].field_text == "callerPrincipal");

  program_builder b;
  b.predicate(drupe("Login"), "request");
  const tp::predicate p = b.program.predicates[0];
  const std::size_t terms = b.program.terms.size();
  const auto injected = dw::pins_for(derived, p, b.program);
  REQUIRE(injected.size() == 2);  // the universal pin is left to partitioning
  CHECK(b.program.terms.size() == terms + 2);
  CHECK(injected[0].path == path_of("dept"));
  const tp::term& dept = b.program.terms[injected[0].pattern];
  CHECK(dept.kind == tp::term_kind::principal);
  CHECK(dept.path == path_of("dept"));
  CHECK(injected[1].path == path_of("__drupe.session_id"));
  const tp::term& session = b.program.terms[injected[1].pattern];
  CHECK(session.kind == tp::term_kind::context_path);
  CHECK(session.path == path_of("__drupe.session_id"));

  const auto all = dw::pins_for(derived, p, b.program, true);
  REQUIRE(all.size() == 3);
  CHECK(all[0].path == path_of("callerPrincipal"));
  CHECK(b.program.terms[all[0].pattern].kind == tp::term_kind::principal);
  CHECK(b.program.terms[all[0].pattern].path.empty());

  program_builder none;
  none.predicate(drupe("Login"), "frobnicate");
  CHECK(dw::pins_for(derived, none.program.predicates[0], none.program).empty());

  // Reading the pinned values off a trace event and off the request it would be compared with.
  std::vector<dw::trace_event> trace;
  std::string error;
  REQUIRE(dw::parse_trace(
      "@1 scope(principal: U::\"alice\", resource: D::\"d\") entities(U::\"alice\": { dept: \"eng\" }) "
      "request_context(__drupe: { session_id: \"s1\" }) "
      "Drupe::Action::\"Login\"::request(callerPrincipal: U::\"alice\", dept: \"eng\", __drupe: { "
      "session_id: \"s1\" })",
      trace, error));
  const auto& ev = trace[0].event;
  mandate::detail::request_view request;
  request.principal = ev.principal;
  request.resource = ev.resource;
  request.action = ev.action;
  request.context = ev.context;
  const auto* pins = &derived.find(drupe("Login"), intern("request"))->pins;
  REQUIRE(pins->size() == 3);
  for (const auto& pin : *pins) {
    INFO(pin.field_text);
    const value* logged = dw::event_pin_value(pin, ev);
    REQUIRE(logged != nullptr);
    value current;
    REQUIRE(dw::request_pin_value(pin, request, trace[0].entities.get(), current));
    CHECK(mandate::detail::value_equal(*logged, current));
  }
  // Without the entity store an attribute cannot be read; an absent field reads as nothing.
  value v;
  CHECK_FALSE(dw::request_pin_value((*pins)[1], request, nullptr, v));
  request.context = mandate::detail::empty_record();
  CHECK_FALSE(dw::request_pin_value((*pins)[2], request, nullptr, v));
  CHECK(dw::event_pin_value(derived.find(drupe("Login"), intern("response"))->pins[0], ev) != nullptr);
}
