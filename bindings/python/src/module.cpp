// Copyright 2026 The Mandate Authors. SPDX-License-Identifier: Apache-2.0
//
// `_mandate`: the private extension under the `mandate` Python package. Thin shims over the
// public C++ API (include/mandate/*.hpp); everything idiomatic (dicts in, exceptions out,
// dataclasses, datetimes) lives in the pure-Python layer, bindings/python/mandate/.
//
// Conventions of the shims:
// - Factories that can fail with diagnostics return `(value_or_None, diagnostics, rendered)`;
//   other fallible calls return `(value_or_None, error_message)`. The Python layer raises.
// - Entity references cross as `(type, id)` tuples, times as milliseconds since the Unix epoch.
// - The GIL is released while C++ runs (parsing, compiling, evaluating, file I/O), and taken
//   again only to build Python results, so Python threads evaluate in parallel. Every C++
//   object reached with the GIL released is immutable or thread-safe by its contract
//   (policy_set, entity_store, schema, request, grant_authority, session_manager,
//   file_audit_sink), and the Python objects owning them are kept alive by the call's arguments.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mandate/mandate.hpp"

namespace py = pybind11;

namespace {

using ref_tuple = std::pair<std::string, std::string>;

// ---------------------------------------------------------------------------------------------
// Time: a per-thread override of the clocks handed to sessions and grant authorities, set for
// the duration of a call that passes `now`, so concurrent Python threads each see their own.

thread_local std::optional<std::int64_t> clock_override;

class scoped_now {
 public:
  explicit scoped_now(std::optional<std::int64_t> now) : saved_(clock_override) {
    if (now) clock_override = now;
  }
  ~scoped_now() { clock_override = saved_; }
  scoped_now(const scoped_now&) = delete;
  scoped_now& operator=(const scoped_now&) = delete;

 private:
  std::optional<std::int64_t> saved_;
};

// A Python callable returning milliseconds, shared by the C++ clock's copies. The last copy may
// be dropped on a thread without the GIL, so the deleter takes it.
std::shared_ptr<py::object> hold_python(py::object callable) {
  return {new py::object(std::move(callable)), [](py::object* p) {
            py::gil_scoped_acquire gil;
            delete p;
          }};
}

// The clock of a session manager or grant authority: the calling thread's override, else the
// Python clock (called with the GIL; an exception in it is reported as unraisable and the system
// clock used), else the system clock.
std::function<std::int64_t()> make_clock(const py::object& callable) {
  std::shared_ptr<py::object> held;
  if (!callable.is_none()) held = hold_python(callable);
  return [held]() -> std::int64_t {
    if (clock_override) return *clock_override;
    if (!held) return mandate::system_time_ms();
    py::gil_scoped_acquire gil;
    try {
      return (*held)().cast<std::int64_t>();
    } catch (py::error_already_set& e) {
      e.discard_as_unraisable("mandate clock");
    } catch (const std::exception& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
      PyErr_WriteUnraisable(held->ptr());
    }
    return mandate::system_time_ms();
  };
}

// ---------------------------------------------------------------------------------------------
// Conversions.

py::tuple ref_out(const mandate::entity_ref& r) { return py::make_tuple(r.type, r.id); }
mandate::entity_ref ref_in(const ref_tuple& r) { return {r.first, r.second}; }

py::dict diagnostic_dict(const mandate::diagnostic& d) {
  py::dict out;
  out["code"] = d.code;
  out["severity"] = std::string(mandate::to_string(d.level));
  out["message"] = d.message;
  out["file"] = d.where.file;
  out["line"] = d.where.line;
  out["column"] = d.where.column;
  out["offset"] = d.where.offset;
  out["length"] = d.where.length;
  out["source_line"] = d.source_line;
  return out;
}

py::list diagnostics_list(std::span<const mandate::diagnostic> ds) {
  py::list out;
  for (const auto& d : ds) out.append(diagnostic_dict(d));
  return out;
}

// `(value, [], "")` or `(None, diagnostics, rendered)`.
template <typename T>
py::tuple diag_result(mandate::expected<T, std::vector<mandate::diagnostic>>&& result) {
  if (result) return py::make_tuple(py::cast(std::move(*result)), py::list(), std::string());
  const auto& ds = result.error();
  return py::make_tuple(py::none(), diagnostics_list(ds), mandate::render(ds));
}

mandate::eval_mode mode_in(std::string_view mode) {
  if (mode == "mandate") return mandate::eval_mode::mandate;
  if (mode == "cedar") return mandate::eval_mode::cedar;
  throw py::value_error("mode must be \"mandate\" or \"cedar\", not \"" + std::string(mode) + "\"");
}

mandate::evaluator engine_in(std::string_view engine) {
  if (engine == "plan") return mandate::evaluator::plan;
  if (engine == "reference") return mandate::evaluator::reference;
  throw py::value_error("engine must be \"plan\" or \"reference\", not \"" + std::string(engine) + "\"");
}

mandate::compile_options compile_options_in(std::optional<std::int64_t> max_window_ms,
                                            std::optional<std::uint32_t> max_nesting_depth,
                                            std::optional<std::uint32_t> max_expression_depth,
                                            std::optional<std::uint32_t> max_errors) {
  mandate::compile_options o;
  if (max_window_ms) o.max_temporal_window_ms = *max_window_ms;
  if (max_nesting_depth) o.max_nesting_depth = *max_nesting_depth;
  if (max_expression_depth) o.max_expression_depth = *max_expression_depth;
  if (max_errors) o.max_errors = *max_errors;
  return o;
}

// ---------------------------------------------------------------------------------------------
// A grant authority and a session manager with the clock they were made with, so that a call
// without `now` checks delegation hops against that clock too (as grant_authority::evaluate does).

struct py_grant_authority {
  py_grant_authority(std::shared_ptr<mandate::grant_store> store, std::function<std::int64_t()> c)
      : clock(std::move(c)), authority(std::move(store), clock) {}
  std::function<std::int64_t()> clock;
  mandate::grant_authority authority;
};

struct py_session_manager {
  std::function<std::int64_t()> clock;
  std::unique_ptr<mandate::session_manager> manager;
};

// ---------------------------------------------------------------------------------------------
// A decision, with its explanation when one was asked for.

struct py_decision {
  mandate::decision d;
  bool explained = false;
  std::string explanation_json;     // mandate::to_json(decision, trace)
  std::string explanation_text;     // mandate::explain
  std::string explanation_sources;  // mandate::explain_with_sources
};

py::dict annotations_out(const mandate::decision& d) {
  py::dict out;
  for (const auto& a : d.annotations) {
    py::str policy(a.policy);
    if (!out.contains(policy)) out[policy] = py::dict();
    out[policy].cast<py::dict>()[py::str(a.key)] = a.value;
  }
  return out;
}

py::list errors_out(const mandate::decision& d) {
  py::list out;
  for (const auto& e : d.errors) {
    py::dict entry;
    entry["policy"] = e.policy;
    entry["message"] = e.message;
    out.append(std::move(entry));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Evaluating one request as `mandate eval` does (tools/mandate/main.cpp): through a grant when
// it names one, in a session when it names one, else directly; then the audit line.

struct request_failure : std::exception {
  request_failure(std::size_t i, std::string m) : index(i), message(std::move(m)) {}
  const char* what() const noexcept override { return message.c_str(); }
  std::size_t index;
  std::string message;
};

// A request as the Python layer hands it over: JSON text, or an already parsed Request.
struct request_item {
  std::string json;
  std::optional<mandate::request> parsed;
  bool validate = true;  // with a schema: Cedar's request validation ("validateRequest")
  std::string grant_id;
  std::string session_id;
  std::string request_id;
};

struct call_context {
  const mandate::policy_set* policies = nullptr;
  const mandate::entity_store* entities = nullptr;
  const mandate::schema* schema = nullptr;
  mandate::evaluation_options options;
  bool explain = false;
  const py_grant_authority* grants = nullptr;
  py_session_manager* sessions = nullptr;
  mandate::audit_sink* audit = nullptr;
};

request_item item_in(const py::handle& request, bool validate, std::string grant_id, std::string session_id,
                     std::string request_id) {
  request_item item;
  if (py::isinstance<py::str>(request)) {
    item.json = request.cast<std::string>();
  } else if (py::isinstance<mandate::request>(request)) {
    item.parsed = request.cast<const mandate::request&>();
  } else {
    throw py::type_error("a request must be JSON text or a _mandate.Request");
  }
  item.validate = validate;
  item.grant_id = std::move(grant_id);
  item.session_id = std::move(session_id);
  item.request_id = std::move(request_id);
  return item;
}

// Runs without the GIL. Throws request_failure for a request that cannot be evaluated.
void decide_one(const call_context& ctx, request_item& item, std::size_t index, py_decision& out) {
  if (!item.parsed) {
    auto parsed = ctx.schema != nullptr ? mandate::request::from_json(item.json, *ctx.schema, item.validate)
                                        : mandate::request::from_json(item.json);
    if (!parsed) throw request_failure(index, parsed.error());
    item.parsed = std::move(*parsed);
  }
  mandate::request req = *item.parsed;
  scoped_now now(ctx.options.now_ms);
  mandate::evaluation_options options = ctx.options;
  mandate::decision_trace trace;
  mandate::decision_trace* tracing = ctx.explain ? &trace : nullptr;
  auto decide = [&](const mandate::request& r) {
    if (!item.session_id.empty()) {
      if (ctx.sessions == nullptr)
        throw request_failure(
            index, "request names session '" + item.session_id + "' but no session manager was given");
      if (!options.now_ms) options.now_ms = ctx.sessions->clock();
      out.d = ctx.sessions->manager->evaluate(*ctx.policies, *ctx.entities, r, item.session_id, options,
                                              item.request_id, tracing);
    } else if (tracing != nullptr) {
      ctx.policies->evaluate(r, *ctx.entities, out.d, trace, options);
    } else {
      ctx.policies->evaluate(r, *ctx.entities, out.d, options);
    }
  };
  if (!item.grant_id.empty()) {
    // A request naming a grant is only ever evaluated through it, never without its chain;
    // presented first, so that the audit trail records the chain the grant stands for.
    if (ctx.grants == nullptr)
      throw request_failure(index,
                            "request names grant '" + item.grant_id + "' but no grant authority was given");
    if (!options.now_ms) options.now_ms = ctx.grants->clock();
    auto presented = ctx.grants->authority.present(req, item.grant_id, options);
    if (presented) {
      req = std::move(*presented);
      decide(req);
    } else {
      out.d = std::move(presented).error();
    }
  } else {
    decide(req);
  }
  if (ctx.explain) {
    out.explained = true;
    out.explanation_json = mandate::to_json(out.d, trace);
    out.explanation_text = mandate::explain(out.d, trace);
    out.explanation_sources = mandate::explain_with_sources(out.d, trace);
  }
  if (ctx.audit != nullptr) {
    const std::int64_t time = options.now_ms ? *options.now_ms : mandate::system_time_ms();
    ctx.audit->write(
        mandate::make_audit_record(req, out.d, *ctx.policies, time, item.grant_id, item.session_id));
  }
}

call_context context_in(const mandate::policy_set& policies, const mandate::entity_store& entities,
                        const std::string& mode, std::optional<std::int64_t> now_ms, bool explain,
                        const mandate::schema* schema, const py_grant_authority* grants,
                        py_session_manager* sessions, mandate::file_audit_sink* audit,
                        const std::string& engine) {
  call_context ctx;
  ctx.policies = &policies;
  ctx.entities = &entities;
  ctx.schema = schema;
  ctx.options.mode = mode_in(mode);
  ctx.options.engine = engine_in(engine);
  ctx.options.now_ms = now_ms;
  ctx.explain = explain;
  ctx.grants = grants;
  ctx.sessions = sessions;
  ctx.audit = audit;
  return ctx;
}

// ---------------------------------------------------------------------------------------------
// Grants.

py::dict refusal_out(const mandate::grant_refusal& r) {
  py::dict out;
  out["code"] = r.code;
  out["message"] = r.message;
  py::list denied;
  for (const auto& a : r.denied_actions) denied.append(ref_out(a));
  out["denied_actions"] = std::move(denied);
  return out;
}

py::dict session_state_out(const mandate::session_state& s) {
  py::dict out;
  out["exists"] = s.exists;
  out["terminated"] = s.terminated;
  out["terminated_reason"] = s.terminated_reason;
  out["events_seen"] = s.events_seen;
  out["events_kept"] = s.events_kept;
  out["bytes"] = s.bytes;
  out["risk_level"] = s.risk_level;
  out["assurance_level"] = s.assurance_level;
  return out;
}

}  // namespace

PYBIND11_MODULE(_mandate, m) {
  m.doc() = "Private shims over Mandate's C++ API; use the `mandate` package instead.";
  m.attr("version") = std::string(mandate::version_string);

  static py::exception<request_failure> request_failure_type(m, "RequestFailure", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const request_failure& e) {
      py::tuple args = py::make_tuple(e.message, e.index);
      PyErr_SetObject(request_failure_type.ptr(), args.ptr());
    }
  });

  m.def("parse_rfc3339", &mandate::parse_rfc3339, py::arg("text"),
        "Milliseconds since the Unix epoch of an RFC 3339 date-time, or None.");
  m.def("parse_duration_ms", &mandate::parse_duration_ms, py::arg("text"),
        "Milliseconds of a duration written as Cedar does (\"1h30m\"), or None.");
  m.def("system_time_ms", &mandate::system_time_ms);

  // --- schema -------------------------------------------------------------------------------
  py::class_<mandate::schema>(m, "Schema")
      .def_static(
          "parse",
          [](const std::string& text, const std::string& name) {
            auto r = [&] {
              py::gil_scoped_release nogil;
              return mandate::schema::parse(text, name);
            }();
            return diag_result(std::move(r));
          },
          py::arg("text"), py::arg("name"))
      .def_static(
          "parse_json",
          [](const std::string& text, const std::string& name) {
            auto r = [&] {
              py::gil_scoped_release nogil;
              return mandate::schema::parse_json(text, name);
            }();
            return diag_result(std::move(r));
          },
          py::arg("text"), py::arg("name"))
      .def_static(
          "load",
          [](const std::string& path) {
            auto r = [&] {
              py::gil_scoped_release nogil;
              return mandate::schema::load(path);
            }();
            return diag_result(std::move(r));
          },
          py::arg("path"))
      .def("entity_type_names", &mandate::schema::entity_type_names)
      .def("action_names", &mandate::schema::action_names);

  // --- entities ------------------------------------------------------------------------------
  py::class_<mandate::entity_store>(m, "EntityStore")
      .def(py::init<>())
      .def_static(
          "from_json",
          [](const std::string& json, const std::string& name, const mandate::schema* s) {
            auto r = [&] {
              py::gil_scoped_release nogil;
              return s != nullptr ? mandate::entity_store::from_json(json, name, *s)
                                  : mandate::entity_store::from_json(json, name);
            }();
            return diag_result(std::move(r));
          },
          py::arg("json"), py::arg("name"), py::arg("schema").none(true))
      .def_static(
          "load",
          [](const std::string& path, const mandate::schema* s) {
            auto r = [&] {
              py::gil_scoped_release nogil;
              return s != nullptr ? mandate::entity_store::load(path, *s) : mandate::entity_store::load(path);
            }();
            return diag_result(std::move(r));
          },
          py::arg("path"), py::arg("schema").none(true))
      .def("size", &mandate::entity_store::size)
      .def(
          "contains",
          [](const mandate::entity_store& e, const ref_tuple& uid) { return e.contains(ref_in(uid)); },
          py::arg("uid"));

  // --- requests ------------------------------------------------------------------------------
  py::class_<mandate::request>(m, "Request")
      .def_static(
          "parse",
          [](const std::string& json, const mandate::schema* s, bool validate) -> py::tuple {
            auto r = [&] {
              py::gil_scoped_release nogil;
              return s != nullptr ? mandate::request::from_json(json, *s, validate)
                                  : mandate::request::from_json(json);
            }();
            if (r) return py::make_tuple(py::cast(std::move(*r)), std::string());
            return py::make_tuple(py::none(), r.error());
          },
          py::arg("json"), py::arg("schema").none(true), py::arg("validate"))
      .def("principal", [](const mandate::request& r) { return ref_out(r.principal()); })
      .def("action", [](const mandate::request& r) { return ref_out(r.action()); })
      .def("resource", [](const mandate::request& r) { return ref_out(r.resource()); })
      .def("agent",
           [](const mandate::request& r) -> py::object {
             auto a = r.agent();
             if (!a) return py::none();
             return ref_out(*a);
           })
      .def("delegation", [](const mandate::request& r) {
        py::list out;
        for (const auto& hop : r.delegation()) {
          py::dict h;
          h["delegator"] = ref_out(hop.delegator);
          h["delegate"] = ref_out(hop.delegate);
          py::list scope;
          for (const auto& a : hop.scope) scope.append(ref_out(a));
          h["scope"] = std::move(scope);
          h["issued_at_ms"] = hop.issued_at_ms;
          h["expires_at_ms"] = hop.expires_at_ms;
          h["grant"] = hop.grant;
          h["resource"] = hop.resource ? py::object(ref_out(*hop.resource)) : py::object(py::none());
          out.append(std::move(h));
        }
        return out;
      });

  // --- decisions -----------------------------------------------------------------------------
  py::class_<py_decision>(m, "Decision")
      .def_property_readonly("outcome", [](const py_decision& d) { return mandate::to_string(d.d.outcome); })
      .def_property_readonly("allowed", [](const py_decision& d) { return d.d.allowed(); })
      .def_property_readonly("reasons", [](const py_decision& d) { return d.d.reasons; })
      .def_property_readonly("errors", [](const py_decision& d) { return errors_out(d.d); })
      .def_property_readonly("annotations", [](const py_decision& d) { return annotations_out(d.d); })
      .def_property_readonly("mode", [](const py_decision& d) { return mandate::to_string(d.d.mode); })
      .def_property_readonly("failed_closed", [](const py_decision& d) { return d.d.failed_closed; })
      .def_property_readonly("deciding_hop", [](const py_decision& d) { return d.d.deciding_hop; })
      .def_property_readonly("deciding_principal",
                             [](const py_decision& d) { return d.d.deciding_principal; })
      .def_property_readonly("chain_violation", [](const py_decision& d) { return d.d.chain_violation; })
      .def_property_readonly("chain_message", [](const py_decision& d) { return d.d.chain_message; })
      .def_property_readonly("response",
                             [](const py_decision& d) -> py::object {
                               switch (d.d.response) {
                                 case mandate::session_response::throttle:
                                   return py::str("throttle");
                                 case mandate::session_response::terminate:
                                   return py::str("terminate");
                                 case mandate::session_response::none:
                                   break;
                               }
                               return py::none();
                             })
      .def_property_readonly("retry_after_ms", [](const py_decision& d) { return d.d.retry_after_ms; })
      .def_property_readonly("explained", [](const py_decision& d) { return d.explained; })
      .def_property_readonly("explanation_json", [](const py_decision& d) { return d.explanation_json; })
      .def_property_readonly("explanation_text", [](const py_decision& d) { return d.explanation_text; })
      .def_property_readonly("explanation_sources",
                             [](const py_decision& d) { return d.explanation_sources; })
      .def("to_json", [](const py_decision& d) { return mandate::to_json(d.d); });

  // --- grants --------------------------------------------------------------------------------
  py::class_<mandate::in_memory_grant_store, std::shared_ptr<mandate::in_memory_grant_store>>(m, "GrantStore")
      .def(py::init<>())
      .def_static(
          "from_json",
          [](const std::string& json) -> py::tuple {
            auto r = [&] {
              py::gil_scoped_release nogil;
              return mandate::in_memory_grant_store::from_json(json);
            }();
            if (r) return py::make_tuple(py::cast(std::move(*r)), std::string());
            return py::make_tuple(py::none(), r.error());
          },
          py::arg("json"))
      .def("to_json", &mandate::in_memory_grant_store::to_json, py::call_guard<py::gil_scoped_release>())
      .def(
          "find",
          [](const mandate::in_memory_grant_store& s, const std::string& id) -> py::object {
            auto g = [&] {
              py::gil_scoped_release nogil;
              return s.find(id);
            }();
            if (!g) return py::none();
            return py::str(mandate::to_json(*g));
          },
          py::arg("id"))
      .def("all", [](const mandate::in_memory_grant_store& s) {
        std::vector<std::string> out;
        {
          py::gil_scoped_release nogil;
          for (const auto& g : s.select([](const mandate::grant&) { return true; }))
            out.push_back(mandate::to_json(g));
        }
        return out;
      });

  py::class_<py_grant_authority>(m, "GrantAuthority")
      .def(py::init([](std::shared_ptr<mandate::in_memory_grant_store> store, const py::object& clock) {
             return std::make_unique<py_grant_authority>(std::move(store), make_clock(clock));
           }),
           py::arg("store"), py::arg("clock").none(true))
      .def(
          "issue",
          [](py_grant_authority& a, const ref_tuple& principal, const ref_tuple& agent,
             const std::string& task, const std::vector<ref_tuple>& scope, const ref_tuple& resource,
             std::int64_t duration_ms, const std::string& parent, const mandate::policy_set& policies,
             const mandate::entity_store& entities, std::optional<std::int64_t> now_ms) -> py::tuple {
            mandate::grant_request asked;
            asked.principal = ref_in(principal);
            asked.agent = ref_in(agent);
            asked.task = task;
            for (const auto& s : scope) asked.scope.push_back(ref_in(s));
            asked.resource = ref_in(resource);
            asked.duration_ms = duration_ms;
            asked.parent_grant = parent;
            auto r = [&] {
              py::gil_scoped_release nogil;
              scoped_now now(now_ms);
              return a.authority.issue(asked, policies, entities);
            }();
            if (r) return py::make_tuple(mandate::to_json(*r), py::none());
            return py::make_tuple(py::none(), refusal_out(r.error()));
          },
          py::arg("principal"), py::arg("agent"), py::arg("task"), py::arg("scope"), py::arg("resource"),
          py::arg("duration_ms"), py::arg("parent"), py::arg("policies"), py::arg("entities"),
          py::arg("now_ms").none(true))
      .def(
          "state",
          [](const py_grant_authority& a, const std::string& id,
             std::optional<std::int64_t> now_ms) -> py::object {
            auto s = [&] {
              py::gil_scoped_release nogil;
              scoped_now now(now_ms);
              return a.authority.state(id);
            }();
            if (!s) return py::none();
            return py::str(std::string(mandate::to_string(*s)));
          },
          py::arg("id"), py::arg("now_ms").none(true))
      .def(
          "present",
          [](const py_grant_authority& a, const mandate::request& req, const std::string& id,
             std::optional<std::int64_t> now_ms) -> py::tuple {
            mandate::evaluation_options options;
            options.now_ms = now_ms;
            auto r = [&] {
              py::gil_scoped_release nogil;
              scoped_now now(now_ms);
              return a.authority.present(req, id, options);
            }();
            if (r) return py::make_tuple(py::cast(std::move(*r)), py::none());
            return py::make_tuple(py::none(), py_decision{std::move(r).error()});
          },
          py::arg("request"), py::arg("id"), py::arg("now_ms").none(true))
      .def(
          "complete_task",
          [](py_grant_authority& a, const std::string& task) {
            py::gil_scoped_release nogil;
            return a.authority.complete_task(task);
          },
          py::arg("task"))
      .def(
          "revoke_grant",
          [](py_grant_authority& a, const std::string& id) {
            py::gil_scoped_release nogil;
            return a.authority.revoke_grant(id);
          },
          py::arg("id"))
      .def(
          "revoke_task",
          [](py_grant_authority& a, const std::string& task) {
            py::gil_scoped_release nogil;
            return a.authority.revoke_task(task);
          },
          py::arg("task"))
      .def(
          "revoke_agent",
          [](py_grant_authority& a, const ref_tuple& agent) {
            py::gil_scoped_release nogil;
            return a.authority.revoke_agent(ref_in(agent));
          },
          py::arg("agent"))
      .def(
          "revoke_principal",
          [](py_grant_authority& a, const ref_tuple& principal) {
            py::gil_scoped_release nogil;
            return a.authority.revoke_principal(ref_in(principal));
          },
          py::arg("principal"));

  // --- sessions ------------------------------------------------------------------------------
  py::class_<py_session_manager>(m, "SessionManager")
      .def_static(
          "open",
          [](const std::string& log_path, const py::object& clock, bool incremental,
             std::uint64_t compact_after_lines) -> py::tuple {
            mandate::session_options options;
            options.clock = make_clock(clock);
            options.log_path = log_path;
            options.incremental = incremental;
            options.compact_after_lines = compact_after_lines;
            auto out = std::make_unique<py_session_manager>();
            out->clock = options.clock;
            auto r = [&] {
              py::gil_scoped_release nogil;
              return mandate::session_manager::open(std::move(options));
            }();
            if (!r) return py::make_tuple(py::none(), r.error());
            out->manager = std::move(*r);
            return py::make_tuple(py::cast(std::move(out)), std::string());
          },
          py::arg("log_path"), py::arg("clock").none(true), py::arg("incremental"),
          py::arg("compact_after_lines"))
      .def(
          "record",
          [](py_session_manager& s, const std::string& session_id, const std::string& kind,
             const ref_tuple& action, const std::string& fields_json, const std::string& request_id,
             std::optional<ref_tuple> principal, std::optional<ref_tuple> resource,
             std::optional<std::int64_t> now_ms) -> std::string {
            mandate::session_event event;
            event.kind = kind;
            event.action = ref_in(action);
            event.fields_json = fields_json;
            event.request_id = request_id;
            if (principal) event.principal = ref_in(*principal);
            if (resource) event.resource = ref_in(*resource);
            py::gil_scoped_release nogil;
            scoped_now now(now_ms);
            auto r = s.manager->record(session_id, event);
            return r ? std::string() : r.error();
          },
          py::arg("session_id"), py::arg("kind"), py::arg("action"), py::arg("fields_json"),
          py::arg("request_id"), py::arg("principal").none(true), py::arg("resource").none(true),
          py::arg("now_ms").none(true))
      .def(
          "signal",
          [](py_session_manager& s, const std::string& type, const std::string& session_id,
             std::optional<ref_tuple> subject, const std::string& claims_json, const std::string& level,
             const std::string& reason, std::optional<std::int64_t> now_ms) -> std::string {
            mandate::session_signal signal;
            signal.type = type;
            signal.session_id = session_id;
            if (subject) signal.subject = ref_in(*subject);
            signal.claims_json = claims_json;
            signal.level = level;
            signal.reason = reason;
            py::gil_scoped_release nogil;
            scoped_now now(now_ms);
            auto r = s.manager->signal(signal);
            return r ? std::string() : r.error();
          },
          py::arg("type"), py::arg("session_id"), py::arg("subject").none(true), py::arg("claims_json"),
          py::arg("level"), py::arg("reason"), py::arg("now_ms").none(true))
      .def("compact",
           [](py_session_manager& s) -> std::string {
             py::gil_scoped_release nogil;
             auto r = s.manager->compact();
             return r ? std::string() : r.error();
           })
      .def(
          "state",
          [](const py_session_manager& s, const std::string& id, std::optional<std::int64_t> now_ms) {
            auto state = [&] {
              py::gil_scoped_release nogil;
              scoped_now now(now_ms);
              return s.manager->state(id);
            }();
            return session_state_out(state);
          },
          py::arg("session_id"), py::arg("now_ms").none(true));

  // --- audit ---------------------------------------------------------------------------------
  py::class_<mandate::file_audit_sink, std::shared_ptr<mandate::file_audit_sink>>(m, "FileAuditSink")
      .def_static(
          "open",
          [](const std::string& path) -> py::tuple {
            auto r = [&] {
              py::gil_scoped_release nogil;
              return mandate::file_audit_sink::open(path);
            }();
            if (r)
              return py::make_tuple(std::shared_ptr<mandate::file_audit_sink>(std::move(*r)), std::string());
            return py::make_tuple(py::none(), r.error());
          },
          py::arg("path"))
      .def(
          "write_decision",
          [](mandate::file_audit_sink& sink, const mandate::request& req, const py_decision& d,
             const mandate::policy_set& policies, std::int64_t time_ms, const std::string& grant_id,
             const std::string& session_id) {
            py::gil_scoped_release nogil;
            const auto record = mandate::make_audit_record(req, d.d, policies, time_ms, grant_id, session_id);
            sink.write(record);
            return mandate::to_json(record);
          },
          py::arg("request"), py::arg("decision"), py::arg("policies"), py::arg("time_ms"),
          py::arg("grant_id"), py::arg("session_id"))
      .def("failed", &mandate::file_audit_sink::failed);

  m.def(
      "least_privilege_report",
      [](const mandate::policy_set& policies, const std::vector<std::string>& lines,
         const mandate::entity_store& entities, const std::vector<std::string>& issued_grants) -> py::tuple {
        // (report JSON, "") or ("", the first unreadable record's error).
        auto [report, error] = [&]() -> std::pair<std::string, std::string> {
          py::gil_scoped_release nogil;
          std::vector<mandate::audit_record> records;
          records.reserve(lines.size());
          for (std::size_t i = 0; i < lines.size(); ++i) {
            auto r = mandate::parse_audit_line(lines[i]);
            if (!r) return {std::string(), "audit record " + std::to_string(i + 1) + ": " + r.error()};
            records.push_back(std::move(*r));
          }
          return {mandate::to_json(
                      mandate::build_least_privilege_report(policies, records, entities, issued_grants)),
                  std::string()};
        }();
        if (!error.empty()) return py::make_tuple(py::none(), error);
        return py::make_tuple(report, std::string());
      },
      py::arg("policies"), py::arg("lines"), py::arg("entities"), py::arg("issued_grants"));

  // --- policy sets ---------------------------------------------------------------------------
  py::class_<mandate::policy_set>(m, "PolicySet")
      .def_static(
          "compile",
          [](const std::vector<std::pair<std::string, std::string>>& named_texts,
             const std::string& links_json, std::optional<std::int64_t> max_window_ms,
             std::optional<std::uint32_t> max_nesting_depth,
             std::optional<std::uint32_t> max_expression_depth, std::optional<std::uint32_t> max_errors) {
            auto r = [&]() -> mandate::expected<mandate::policy_set, std::vector<mandate::diagnostic>> {
              py::gil_scoped_release nogil;
              std::vector<mandate::template_link> links;
              if (!links_json.empty()) {
                auto parsed = mandate::parse_template_links(links_json);
                if (!parsed) return mandate::unexpected(std::move(parsed).error());
                links = std::move(*parsed);
              }
              std::vector<mandate::policy_source> sources;
              sources.reserve(named_texts.size());
              for (const auto& [name, text] : named_texts) sources.push_back({name, text});
              return mandate::policy_set::compile(
                  sources,
                  compile_options_in(max_window_ms, max_nesting_depth, max_expression_depth, max_errors),
                  links);
            }();
            return diag_result(std::move(r));
          },
          py::arg("sources"), py::arg("links_json"), py::arg("max_window_ms").none(true),
          py::arg("max_nesting_depth").none(true), py::arg("max_expression_depth").none(true),
          py::arg("max_errors").none(true))
      .def_static(
          "load",
          [](const std::string& path, std::optional<std::int64_t> max_window_ms,
             std::optional<std::uint32_t> max_nesting_depth,
             std::optional<std::uint32_t> max_expression_depth, std::optional<std::uint32_t> max_errors) {
            auto r = [&] {
              py::gil_scoped_release nogil;
              return mandate::policy_set::load(path, compile_options_in(max_window_ms, max_nesting_depth,
                                                                        max_expression_depth, max_errors));
            }();
            return diag_result(std::move(r));
          },
          py::arg("path"), py::arg("max_window_ms").none(true), py::arg("max_nesting_depth").none(true),
          py::arg("max_expression_depth").none(true), py::arg("max_errors").none(true))
      .def(
          "link",
          [](const mandate::policy_set& p, const std::string& links_json) {
            auto r = [&]() -> mandate::expected<mandate::policy_set, std::vector<mandate::diagnostic>> {
              py::gil_scoped_release nogil;
              auto parsed = mandate::parse_template_links(links_json);
              if (!parsed) return mandate::unexpected(std::move(parsed).error());
              return p.link(*parsed);
            }();
            return diag_result(std::move(r));
          },
          py::arg("links_json"))
      .def(
          "validate",
          [](const mandate::policy_set& p, const mandate::schema& s) {
            auto ds = [&] {
              py::gil_scoped_release nogil;
              return mandate::validate(p, s);
            }();
            return py::make_tuple(diagnostics_list(ds), mandate::render(ds));
          },
          py::arg("schema"))
      .def("size", &mandate::policy_set::size)
      .def("policy_ids", &mandate::policy_set::policy_ids)
      .def("template_ids", &mandate::policy_set::template_ids)
      .def("fingerprint", &mandate::policy_set::fingerprint)
      .def("warnings", [](const mandate::policy_set& p) { return diagnostics_list(p.warnings()); })
      .def(
          "evaluate",
          [](const mandate::policy_set& policies, const py::handle& request,
             const mandate::entity_store& entities, const std::string& mode,
             std::optional<std::int64_t> now_ms, bool explain, const mandate::schema* schema, bool validate,
             std::string grant_id, const py_grant_authority* grants, std::string session_id,
             py_session_manager* sessions, std::string request_id, mandate::file_audit_sink* audit,
             const std::string& engine) {
            const call_context ctx = context_in(policies, entities, mode, now_ms, explain, schema, grants,
                                                sessions, audit, engine);
            request_item item =
                item_in(request, validate, std::move(grant_id), std::move(session_id), std::move(request_id));
            py_decision out;
            {
              py::gil_scoped_release nogil;
              decide_one(ctx, item, 0, out);
            }
            return out;
          },
          py::arg("request"), py::arg("entities"), py::arg("mode"), py::arg("now_ms").none(true),
          py::arg("explain"), py::arg("schema").none(true), py::arg("validate"), py::arg("grant_id"),
          py::arg("grants").none(true), py::arg("session_id"), py::arg("sessions").none(true),
          py::arg("request_id"), py::arg("audit").none(true), py::arg("engine"))
      .def(
          "evaluate_batch",
          [](const mandate::policy_set& policies, const py::list& items,
             const mandate::entity_store& entities, const std::string& mode,
             std::optional<std::int64_t> now_ms, bool explain, const mandate::schema* schema,
             const py_grant_authority* grants, py_session_manager* sessions, mandate::file_audit_sink* audit,
             const std::string& engine) {
            const call_context ctx = context_in(policies, entities, mode, now_ms, explain, schema, grants,
                                                sessions, audit, engine);
            // Each item: (request, validate, grant_id, session_id, request_id).
            std::vector<request_item> requests;
            requests.reserve(items.size());
            for (const auto& handle : items) {
              const auto t = handle.cast<py::tuple>();
              if (t.size() != 5) throw py::type_error("evaluate_batch items are 5-tuples");
              requests.push_back(item_in(t[0], t[1].cast<bool>(), t[2].cast<std::string>(),
                                         t[3].cast<std::string>(), t[4].cast<std::string>()));
            }
            std::vector<py_decision> decisions(requests.size());
            {
              py::gil_scoped_release nogil;
              // Parse every request first, so a malformed one fails the batch before anything is
              // decided, recorded in a session or written to the audit trail.
              for (std::size_t i = 0; i < requests.size(); ++i) {
                auto& item = requests[i];
                if (item.parsed) continue;
                auto parsed = ctx.schema != nullptr
                                  ? mandate::request::from_json(item.json, *ctx.schema, item.validate)
                                  : mandate::request::from_json(item.json);
                if (!parsed) throw request_failure(i, parsed.error());
                item.parsed = std::move(*parsed);
                if ((!item.grant_id.empty() && ctx.grants == nullptr) ||
                    (!item.session_id.empty() && ctx.sessions == nullptr))
                  throw request_failure(
                      i, !item.grant_id.empty()
                             ? "request names grant '" + item.grant_id + "' but no grant authority was given"
                             : "request names session '" + item.session_id +
                                   "' but no session manager was given");
              }
              for (std::size_t i = 0; i < requests.size(); ++i) decide_one(ctx, requests[i], i, decisions[i]);
            }
            py::list out(decisions.size());
            for (std::size_t i = 0; i < decisions.size(); ++i) out[i] = py::cast(std::move(decisions[i]));
            return out;
          },
          py::arg("items"), py::arg("entities"), py::arg("mode"), py::arg("now_ms").none(true),
          py::arg("explain"), py::arg("schema").none(true), py::arg("grants").none(true),
          py::arg("sessions").none(true), py::arg("audit").none(true), py::arg("engine"));

  // --- replay --------------------------------------------------------------------------------
  py::class_<mandate::trace_replayer>(m, "TraceReplayer")
      .def_static(
          "prepare",
          [](const std::vector<std::pair<std::string, std::string>>& policies,
             const std::string& cedar_schema, const std::string& event_schema, const std::string& macros,
             bool validate, bool incremental) {
            mandate::trace_replay_options options;
            for (const auto& [name, text] : policies) options.policies.push_back({name, text});
            options.cedar_schema = cedar_schema;
            options.event_schema = event_schema;
            options.macros = macros;
            options.validate = validate;
            options.incremental = incremental;
            auto r = [&] {
              py::gil_scoped_release nogil;
              return mandate::trace_replayer::prepare(options);
            }();
            return diag_result(std::move(r));
          },
          py::arg("policies"), py::arg("cedar_schema"), py::arg("event_schema"), py::arg("macros"),
          py::arg("validate"), py::arg("incremental"))
      .def(
          "replay",
          [](const mandate::trace_replayer& r, const std::string& trace,
             const std::string& name) -> py::tuple {
            auto lines = [&] {
              py::gil_scoped_release nogil;
              return r.replay(trace, name);
            }();
            if (lines) return py::make_tuple(py::cast(std::move(*lines)), py::none());
            return py::make_tuple(py::none(), diagnostic_dict(lines.error()), mandate::render(lines.error()));
          },
          py::arg("trace"), py::arg("name") = "<trace>");

  // --- lint and format ------------------------------------------------------------------------
  m.def("lint_rules", [] {
    py::list out;
    for (const mandate::lint_rule_info& rule : mandate::lint_rules()) {
      py::dict r;
      r["id"] = std::string(rule.id);
      r["category"] = std::string(rule.category);
      r["level"] = std::string(mandate::to_string(rule.default_level));
      r["summary"] = std::string(rule.summary);
      out.append(std::move(r));
    }
    return out;
  });
  m.def(
      "lint",
      [](const std::vector<std::pair<std::string, std::string>>& named_texts, const mandate::schema* schema,
         const std::string& config_json, std::optional<std::int64_t> max_window_ms) -> py::tuple {
        // `(findings, rendered, sarif)`, or `(None, diagnostics, rendered)` for a bad configuration.
        mandate::lint_options options;
        options.against = schema;
        options.compile = compile_options_in(max_window_ms, std::nullopt, std::nullopt, std::nullopt);
        std::vector<mandate::diagnostic> findings;
        std::vector<mandate::diagnostic> config_errors;
        std::string sarif;
        {
          py::gil_scoped_release nogil;
          if (!config_json.empty()) {
            auto levels = mandate::parse_lint_config(config_json, "<rules>");
            if (levels) {
              options.levels = std::move(*levels);
            } else {
              config_errors = std::move(levels).error();
            }
          }
          if (config_errors.empty()) {
            std::vector<mandate::policy_source> sources;
            sources.reserve(named_texts.size());
            for (const auto& [name, text] : named_texts) sources.push_back({name, text});
            findings = mandate::lint(sources, options);
            sarif = mandate::to_sarif(findings);
          }
        }
        if (!config_errors.empty())
          return py::make_tuple(py::none(), diagnostics_list(config_errors), mandate::render(config_errors));
        return py::make_tuple(diagnostics_list(findings), mandate::render(findings), sarif);
      },
      py::arg("sources"), py::arg("schema"), py::arg("config_json"), py::arg("max_window_ms"));
  m.def(
      "format_policies",
      [](const std::string& text, const std::string& name, std::uint32_t line_width, std::uint32_t indent) {
        auto r = [&] {
          py::gil_scoped_release nogil;
          return mandate::format_policies(
              text, name, mandate::format_options{.line_width = line_width, .indent = indent});
        }();
        return diag_result(std::move(r));
      },
      py::arg("text"), py::arg("name"), py::arg("line_width"), py::arg("indent"));
}
